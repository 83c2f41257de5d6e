/**
 * The small broker interface the bus driver (driver.ts) speaks: AMQP 0-9-1 concepts only
 * (exchanges, queues, bindings, consumers with prefetch and acks). Two implementations:
 * drivers/amqp.ts on RabbitMQ through amqplib, and drivers/inproc.ts, an in-memory broker with
 * the same routing semantics for the all-in-one process.
 */

export interface ExchangeDecl {
  name: string;
  type: 'topic' | 'fanout' | 'direct';
  durable: boolean;
  autoDelete: boolean;
}

export interface QueueDecl {
  name: string;
  durable: boolean;
  /** Deleted by the broker when its last consumer goes away. */
  autoDelete: boolean;
  /** Owned by this connection; deleted when it closes. */
  exclusive?: boolean;
  /** Deleted by the broker after this long unused (RabbitMQ `x-expires`, as oslo's transient queues). */
  expiresMs?: number;
  /**
   * In-memory bound on the queue length (oldest dropped first). Honoured by the inproc broker
   * only: the AMQP broker declares queues without extra arguments so they stay equivalent to
   * the ones oslo services declare.
   */
  maxLength?: number;
}

/** A queue and the (exchange, routing key) pairs it is bound to; none = default exchange only. */
export interface QueueSpec {
  queue: QueueDecl;
  bindings: { exchange: ExchangeDecl; routingKey: string }[];
}

export interface Delivery {
  /** The message body as published (a JSON string). */
  readonly body: string;
  /** Settle: done with it. No-op for no-ack consumers and once settled. */
  ack(): void;
  /** Settle: give it back to the queue (for another consumer, or later). */
  requeue(): void;
}

/**
 * Consumers of one or more queues that share one prefetch window (one AMQP channel):
 * at most `prefetch` unsettled deliveries at a time (0 = unlimited). With `noAck` deliveries
 * are settled on arrival.
 */
export interface ConsumerGroupSpec {
  queues: QueueSpec[];
  prefetch: number;
  noAck: boolean;
  onMessage(delivery: Delivery): void;
}

export interface ConsumerHandle {
  /**
   * Stop consuming; unsettled deliveries go back to their queues. With `deleteQueues` the
   * group's queues are deleted too.
   */
  cancel(opts?: { deleteQueues?: boolean }): Promise<void>;
}

export interface PublishOptions {
  /** Per-message TTL in milliseconds (oslo sets the call timeout). */
  expirationMs?: number;
  /** Wait for the broker's publisher confirm. */
  confirm?: boolean;
  /** Mark the message persistent (delivery mode 2). */
  persistent?: boolean;
  /**
   * Reject with MessageUndeliverable when no queue takes the message (AMQP `mandatory`, with a
   * publisher confirm so the answer is known when the promise settles).
   */
  mandatory?: boolean;
  /**
   * Declare (once per connection) this queue and its bindings before publishing, so nothing
   * is lost before the first consumer comes (oslo's _publish_and_creates_default_queue).
   */
  ensureQueue?: QueueSpec;
}

export interface Broker {
  /**
   * Whether message bodies are wrapped in oslo's 2.0 envelope: yes on a broker that other
   * processes (and oslo services) read; the in-process bus, read by this process only, carries
   * the message's JSON alone (still a string: no object identity crosses it), which spares a
   * second JSON encoding and parse of every message. Receivers read both forms.
   */
  readonly envelope: boolean;
  /** Declare the group's queues, exchanges and bindings and start consuming. */
  consume(spec: ConsumerGroupSpec): Promise<ConsumerHandle>;
  /** Publish to `exchange` (declared if needed), or to the default exchange when null. */
  publish(exchange: ExchangeDecl | null, routingKey: string, body: string, opts?: PublishOptions): Promise<void>;
  close(): Promise<void>;
}
