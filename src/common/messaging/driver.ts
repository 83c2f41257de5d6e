/**
 * The bus driver: oslo's AMQPDriverBase (oslo_messaging/_drivers/amqpdriver.py) over either
 * broker. It owns the wire shapes of oslo's rabbit driver:
 *  - calls and casts go to the topic exchange (control_exchange, default "openstack") with the
 *    routing key `<topic>` or `<topic>.<server>`; fanout casts to the exchange `<topic>_fanout`;
 *  - a server consumes the queues `<topic>` and `<topic>.<server>` and an exclusive
 *    auto-delete queue `<topic>_fanout_<uuid>` bound to `<topic>_fanout`;
 *  - replies go through the default exchange to the caller's `reply_<uuid>` queue;
 *  - calls are published `mandatory` and published again while no queue takes them (a server
 *    not started yet, queues not yet redeclared after a broker restart), until their timeout;
 *  - notifications go to `<topic>.<priority>` in the topic exchange, whose durable queue of that
 *    name is declared by the publisher (nothing is lost before a listener comes); a listener
 *    pool consumes its own queue, named after the pool, bound to the same keys.
 * Every message is a JSON string in the oslo envelope, with the context as `_context_*` keys.
 */
import type { Broker, Delivery, ExchangeDecl, QueueSpec } from './drivers/broker.js';
import {
  deserializeMsg,
  newHexId,
  packContext,
  serializeMsg,
  serializeRemoteException,
  unpackContext,
  type MessageContext,
  type RawMessage,
} from './envelope.js';
import type { BusLogger } from './logger.js';
import { ReplyWaiter } from './reply-waiter.js';
import { MessageUndeliverable } from './errors.js';
import { describeTarget, type ServerTarget, type Target } from './target.js';

/**
 * Bound on the in-memory queue a notification publisher creates (inproc only; oldest dropped).
 * Only a listener in the same process can ever consume an in-process queue, and the all-in-one
 * cloud has none for Nova's notifications: the queue keeps the latest ones for a listener that
 * starts late, not a backlog (at 10 000 it held some 50 MB of a busy cloud's notifications).
 */
const NOTIFICATION_QUEUE_MAX_LENGTH = 1_000;
/** Idle pool queues are deleted by the broker after this long (RabbitMQ x-expires). */
const POOL_QUEUE_EXPIRES_MS = 24 * 3600 * 1000;
/** How many recent `_unique_id`s a listener remembers to drop redelivered duplicates. */
const DEDUP_WINDOW = 64;
/** Pauses between publishing again a call no queue took. */
const UNROUTABLE_FIRST_PAUSE_MS = 50;
const UNROUTABLE_MAX_PAUSE_MS = 1_000;

/** An RPC request as the server receives it. */
export interface IncomingRpc {
  ctxt: MessageContext;
  /** method, args, version, namespace. */
  message: RawMessage;
  /** A call (the caller waits for `reply`) rather than a cast. */
  readonly expectsReply: boolean;
  /** Settle the delivery with the broker (oslo acknowledges before dispatching). */
  acknowledge(): void;
  /** Send the result, or the failure when `failure` is given, to the caller (no-op for casts). */
  reply(result: unknown, failure?: unknown): Promise<void>;
}

/** A notification as a listener receives it. */
export interface IncomingNotification {
  ctxt: MessageContext;
  /** message_id, publisher_id, event_type, priority, payload, timestamp. */
  message: RawMessage;
  acknowledge(): void;
  requeue(): void;
}

export interface ListenerHandle {
  /** Stop consuming; deliveries not yet acknowledged go back to their queues. */
  stop(): Promise<void>;
}

export interface NotificationTarget {
  exchange?: string;
  topic: string;
  priority: string;
}

/** Remembers recently seen `_unique_id`s (oslo's _MsgIdCache). */
class RecentIds {
  private readonly ids: string[] = [];
  private readonly set = new Set<string>();

  /** True when `id` was seen already; remembers it otherwise. */
  seen(id: unknown): boolean {
    if (typeof id !== 'string') return false;
    if (this.set.has(id)) return true;
    this.set.add(id);
    this.ids.push(id);
    if (this.ids.length > DEDUP_WINDOW) this.set.delete(this.ids.shift() as string);
    return false;
  }
}

export class BusDriver {
  private readonly replies: ReplyWaiter;

  constructor(
    readonly broker: Broker,
    readonly controlExchange: string,
    readonly log: BusLogger,
  ) {
    this.replies = new ReplyWaiter(broker, log);
  }

  /** A message's body on this broker: in oslo's envelope, or its JSON alone (Broker.envelope). */
  private encode(msg: RawMessage): string {
    return this.broker.envelope ? serializeMsg(msg) : JSON.stringify(msg);
  }

  /** The topic exchange of a target (oslo's durable=False, auto_delete=False defaults). */
  topicExchange(name?: string): ExchangeDecl {
    return { name: name || this.controlExchange, type: 'topic', durable: false, autoDelete: false };
  }

  fanoutExchange(topic: string): ExchangeDecl {
    return { name: `${topic}_fanout`, type: 'fanout', durable: false, autoDelete: true };
  }

  /** Send a cast: resolves once the broker has the message. */
  async cast(target: Target, ctxt: MessageContext, message: RawMessage): Promise<void> {
    const msg: RawMessage = { ...message, _unique_id: newHexId() };
    packContext(msg, ctxt);
    await this.publishRpc(target, this.encode(msg), undefined);
  }

  /**
   * Send a call: resolve with the reply's result, reject with a RemoteError when the server
   * failed, or with `onTimeout()` when no reply came within `timeoutMs`.
   */
  async call(target: Target, ctxt: MessageContext, message: RawMessage, timeoutMs: number, onTimeout: () => Error): Promise<unknown> {
    const msgId = newHexId();
    const msg: RawMessage = { ...message, _msg_id: msgId, _reply_q: await this.replies.replyQueue(), _unique_id: newHexId() };
    packContext(msg, ctxt);
    const expectation = this.replies.expect(msgId, timeoutMs, onTimeout);
    try {
      const [, result] = await Promise.all([this.publishCall(target, this.encode(msg), Date.now() + timeoutMs), expectation.promise]);
      return result;
    } finally {
      expectation.cancel();
    }
  }

  /**
   * Publish a call as mandatory. While no queue takes it (no server declared it yet, or the
   * broker restarted and the servers have not redeclared their queues), publish it again with
   * a growing pause until the call's deadline; then the call times out as in oslo. The message
   * expires at the deadline (oslo's expiration=timeout): nobody runs it after the caller gave up.
   */
  private async publishCall(target: Target, body: string, deadline: number): Promise<void> {
    for (let pause = UNROUTABLE_FIRST_PAUSE_MS; ; pause = Math.min(pause * 2, UNROUTABLE_MAX_PAUSE_MS)) {
      const left = deadline - Date.now();
      if (left <= 0) return;
      try {
        await this.publishRpc(target, body, left, true);
        return;
      } catch (err) {
        if (!(err instanceof MessageUndeliverable)) throw err;
        this.log.debug({ target }, `no queue for ${describeTarget(target)} yet: publishing again in ${pause} ms`);
      }
      await new Promise((r) => setTimeout(r, Math.min(pause, Math.max(0, deadline - Date.now()))));
    }
  }

  private publishRpc(target: Target, body: string, expirationMs: number | undefined, mandatory = false): Promise<void> {
    if (target.fanout) return this.broker.publish(this.fanoutExchange(target.topic), target.topic, body);
    const key = target.server ? `${target.topic}.${target.server}` : target.topic;
    return this.broker.publish(this.topicExchange(target.exchange), key, body, { expirationMs, mandatory });
  }

  /** Publish a notification on `<topic>.<priority>` (the target's topic), with a publisher confirm. */
  async sendNotification(target: { exchange?: string; topic: string }, ctxt: MessageContext, message: RawMessage): Promise<void> {
    const msg: RawMessage = { ...message, _unique_id: newHexId() };
    packContext(msg, ctxt);
    const exchange = this.topicExchange(target.exchange);
    const queue: QueueSpec = {
      queue: { name: target.topic, durable: true, autoDelete: false, maxLength: NOTIFICATION_QUEUE_MAX_LENGTH },
      bindings: [{ exchange, routingKey: target.topic }],
    };
    await this.broker.publish(exchange, target.topic, this.encode(msg), { confirm: true, persistent: true, ensureQueue: queue });
  }

  /** Consume an RPC server's three queues; `prefetch` bounds the deliveries not yet acknowledged. */
  async listen(target: ServerTarget, onIncoming: (incoming: IncomingRpc) => void, prefetch: number): Promise<ListenerHandle> {
    const ex = this.topicExchange(target.exchange);
    const serverKey = `${target.topic}.${target.server}`;
    const queues: QueueSpec[] = [
      { queue: { name: target.topic, durable: false, autoDelete: false }, bindings: [{ exchange: ex, routingKey: target.topic }] },
      { queue: { name: serverKey, durable: false, autoDelete: false }, bindings: [{ exchange: ex, routingKey: serverKey }] },
      {
        queue: { name: `${target.topic}_fanout_${newHexId()}`, durable: false, autoDelete: true, exclusive: true },
        bindings: [{ exchange: this.fanoutExchange(target.topic), routingKey: target.topic }],
      },
    ];
    return this.consumeMessages(queues, prefetch, (msg, ctxt, d) => {
      const msgId = msg['_msg_id'];
      const replyQ = msg['_reply_q'];
      delete msg['_msg_id'];
      delete msg['_reply_q'];
      delete msg['_timeout'];
      const expectsReply = typeof msgId === 'string' && typeof replyQ === 'string';
      onIncoming({
        ctxt,
        message: msg,
        expectsReply,
        acknowledge: () => d.ack(),
        reply: (result, failure) => (expectsReply ? this.sendReply(replyQ, msgId, result, failure) : Promise.resolve()),
      });
    });
  }

  private async sendReply(replyQ: string, msgId: string, result: unknown, failure: unknown): Promise<void> {
    const reply = (res: unknown, fail: unknown): string =>
      this.encode({
        result: res ?? null,
        failure: fail === undefined ? null : serializeRemoteException(fail),
        ending: true,
        _msg_id: msgId,
        _unique_id: newHexId(),
      });
    let body: string;
    try {
      body = reply(result, failure);
    } catch (err) {
      // The result cannot be sent as JSON (a cycle, a BigInt): the caller gets that error.
      body = reply(null, err);
    }
    try {
      await this.broker.publish(null, replyQ, body);
    } catch (err) {
      this.log.error({ err, msg_id: msgId }, `cannot send the reply to message ID ${msgId}`);
    }
  }

  /** Consume notifications of the given topics/priorities, in `pool`'s own queue when given. */
  async listenForNotifications(
    targets: NotificationTarget[],
    pool: string | undefined,
    onIncoming: (incoming: IncomingNotification) => void,
    prefetch: number,
  ): Promise<ListenerHandle> {
    const binding = (t: NotificationTarget) => ({ exchange: this.topicExchange(t.exchange), routingKey: `${t.topic}.${t.priority}` });
    const queues: QueueSpec[] = pool
      // A pool's queue is bounded and goes away after a day without consumers, so a pool whose
      // processes are gone (a renamed host, a moved port) does not collect notifications forever.
      ? [{ queue: { name: pool, durable: true, autoDelete: false, maxLength: NOTIFICATION_QUEUE_MAX_LENGTH, expiresMs: POOL_QUEUE_EXPIRES_MS }, bindings: targets.map(binding) }]
      : targets.map((t) => ({
          queue: { name: `${t.topic}.${t.priority}`, durable: true, autoDelete: false, maxLength: NOTIFICATION_QUEUE_MAX_LENGTH },
          bindings: [binding(t)],
        }));
    return this.consumeMessages(queues, prefetch, (msg, ctxt, d) =>
      onIncoming({ ctxt, message: msg, acknowledge: () => d.ack(), requeue: () => d.requeue() }),
    );
  }

  /** Consume `queues`, handing on each readable, not duplicated message with its context. */
  private async consumeMessages(
    queues: QueueSpec[],
    prefetch: number,
    onMessage: (msg: RawMessage, ctxt: MessageContext, d: Delivery) => void,
  ): Promise<ListenerHandle> {
    const recent = new RecentIds();
    const handle = await this.broker.consume({
      queues,
      prefetch,
      noAck: false,
      onMessage: (d) => {
        const parsed = this.parse(d, recent);
        if (parsed) onMessage(parsed.msg, parsed.ctxt, d);
      },
    });
    return { stop: () => handle.cancel() };
  }

  /** Unwrap a delivery; unreadable messages and duplicates are acknowledged and dropped. */
  private parse(d: Delivery, recent: RecentIds): { msg: RawMessage; ctxt: MessageContext } | undefined {
    let msg: RawMessage;
    try {
      msg = deserializeMsg(d.body);
    } catch (err) {
      this.log.warn({ err }, 'dropping an unreadable message');
      d.ack();
      return undefined;
    }
    if (recent.seen(msg['_unique_id'])) {
      this.log.info({ unique_id: msg['_unique_id'] }, 'dropping a duplicate message');
      d.ack();
      return undefined;
    }
    delete msg['_unique_id'];
    return { msg, ctxt: unpackContext(msg) };
  }

  async close(): Promise<void> {
    await this.replies.close();
    await this.broker.close();
  }
}
