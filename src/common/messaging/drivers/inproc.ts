/**
 * The in-process broker (transport `inproc://` or `inproc://<name>`): a small in-memory model
 * of RabbitMQ's routing, so the all-in-one process behaves as a deployment on RabbitMQ does.
 *  - Exchanges (topic/direct: exact routing-key match, the only kind oslo uses; fanout: every
 *    bound queue) and the default exchange (routing key = queue name).
 *  - Queues deliver round-robin among their consumers, within each consumer group's prefetch
 *    window; unsettled deliveries go back to the queue when their group is cancelled.
 *  - Delivery is always asynchronous (setImmediate), never inside the publisher's stack, and
 *    bodies are strings, so no object identity crosses the bus.
 *  - Per-message TTL, auto-delete and exclusive queues behave as on RabbitMQ; queues are bounded
 *    in memory (oldest messages dropped with a warning).
 * Transports opened on the same name share one bus; the bus goes away with its last transport.
 * Written by hand: there is no maintained in-memory AMQP broker library for Node.
 */
import { MessageDeliveryFailure, MessageUndeliverable } from '../errors.js';
import type { BusLogger } from '../logger.js';
import type {
  Broker,
  ConsumerGroupSpec,
  ConsumerHandle,
  Delivery,
  ExchangeDecl,
  PublishOptions,
  QueueDecl,
  QueueSpec,
} from './broker.js';

/** Default bound on an in-memory queue's length. */
const DEFAULT_MAX_LENGTH = 100_000;

interface Entry {
  body: string;
  expiresAt: number | undefined;
}

interface MemExchange {
  decl: ExchangeDecl;
  /** routing key -> queue names (fanout exchanges use the key '' for all). */
  bindings: Map<string, Set<string>>;
}

class MemQueue {
  readonly messages: Entry[] = [];
  readonly consumers: MemGroup[] = [];
  next = 0;
  pumpScheduled = false;
  overflowing = false;
  constructor(
    readonly decl: QueueDecl,
    readonly owner: InprocBroker,
  ) {}
}

class MemGroup {
  readonly unsettled = new Set<MemDelivery>();
  readonly queues: MemQueue[] = [];
  cancelled = false;
  constructor(readonly spec: ConsumerGroupSpec) {}

  hasCapacity(): boolean {
    return this.spec.noAck || this.spec.prefetch <= 0 || this.unsettled.size < this.spec.prefetch;
  }
}

class MemDelivery implements Delivery {
  settled: boolean;
  constructor(
    private readonly bus: Bus,
    readonly entry: Entry,
    readonly queue: MemQueue,
    readonly group: MemGroup,
  ) {
    this.settled = group.spec.noAck;
  }

  get body(): string {
    return this.entry.body;
  }

  ack(): void {
    if (this.settle()) this.bus.pumpGroup(this.group);
  }

  requeue(): void {
    if (!this.settle()) return;
    this.bus.putBack(this.queue, [this.entry]);
    this.bus.pumpGroup(this.group);
  }

  private settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    this.group.unsettled.delete(this);
    return true;
  }
}

class Bus {
  readonly queues = new Map<string, MemQueue>();
  readonly exchanges = new Map<string, MemExchange>();
  readonly brokers = new Set<InprocBroker>();

  constructor(readonly name: string) {}

  declareExchange(decl: ExchangeDecl): MemExchange {
    let ex = this.exchanges.get(decl.name);
    if (!ex) {
      ex = { decl, bindings: new Map() };
      this.exchanges.set(decl.name, ex);
    }
    return ex;
  }

  declareQueue(spec: QueueSpec, owner: InprocBroker): MemQueue {
    let q = this.queues.get(spec.queue.name);
    if (!q) {
      q = new MemQueue(spec.queue, owner);
      this.queues.set(spec.queue.name, q);
    }
    for (const b of spec.bindings) {
      const ex = this.declareExchange(b.exchange);
      const key = ex.decl.type === 'fanout' ? '' : b.routingKey;
      let set = ex.bindings.get(key);
      if (!set) ex.bindings.set(key, (set = new Set()));
      set.add(q.decl.name);
    }
    return q;
  }

  deleteQueue(q: MemQueue): void {
    if (this.queues.get(q.decl.name) !== q) return;
    this.queues.delete(q.decl.name);
    q.messages.length = 0;
    for (const [name, ex] of this.exchanges) {
      for (const [key, set] of ex.bindings) {
        set.delete(q.decl.name);
        if (set.size === 0) ex.bindings.delete(key);
      }
      if (ex.decl.autoDelete && ex.bindings.size === 0) this.exchanges.delete(name);
    }
  }

  /** Put the message in every queue it routes to; returns how many. */
  route(exchange: ExchangeDecl | null, routingKey: string, entry: Entry, log: BusLogger): number {
    const targets: MemQueue[] = [];
    if (exchange === null) {
      const q = this.queues.get(routingKey);
      if (q) targets.push(q);
    } else {
      const ex = this.declareExchange(exchange);
      for (const name of ex.bindings.get(ex.decl.type === 'fanout' ? '' : routingKey) ?? []) {
        const q = this.queues.get(name);
        if (q) targets.push(q);
      }
    }
    for (const q of targets) this.enqueue(q, entry, log);
    return targets.length;
  }

  private enqueue(q: MemQueue, entry: Entry, log: BusLogger): void {
    const now = Date.now();
    while (q.messages.length > 0 && isExpired(q.messages[0], now)) q.messages.shift();
    q.messages.push(entry);
    const max = q.decl.maxLength ?? DEFAULT_MAX_LENGTH;
    if (q.messages.length > max) {
      q.messages.shift();
      if (!q.overflowing) {
        q.overflowing = true;
        // With consumers, a full queue is a backlog they do not keep up with; without any (a
        // notification queue nobody in this process listens to), keeping the latest is its job.
        const fields = { bus: this.name, queue: q.decl.name, max };
        if (q.consumers.length > 0) log.warn(fields, `in-process queue ${q.decl.name} is full (${max} messages): its consumers fall behind, dropping the oldest`);
        else log.info(fields, `in-process queue ${q.decl.name} has no consumer and holds its latest ${max} messages: dropping the oldest`);
      }
    } else if (q.overflowing && q.messages.length < max / 2) {
      q.overflowing = false;
    }
    this.schedulePump(q);
  }

  putBack(q: MemQueue, entries: Entry[]): void {
    if (this.queues.get(q.decl.name) !== q) return;
    q.messages.unshift(...entries);
    this.schedulePump(q);
  }

  pumpGroup(group: MemGroup): void {
    for (const q of group.queues) this.schedulePump(q);
  }

  private schedulePump(q: MemQueue): void {
    if (q.pumpScheduled || q.consumers.length === 0) return;
    q.pumpScheduled = true;
    setImmediate(() => {
      q.pumpScheduled = false;
      this.pump(q);
    });
  }

  /** Deliver what the consumers' prefetch windows allow, round-robin. */
  private pump(q: MemQueue): void {
    const now = Date.now();
    while (q.messages.length > 0 && this.queues.get(q.decl.name) === q) {
      const group = this.nextConsumer(q);
      if (!group) return;
      const entry = q.messages.shift() as Entry;
      if (isExpired(entry, now)) continue;
      const delivery = new MemDelivery(this, entry, q, group);
      if (!group.spec.noAck) group.unsettled.add(delivery);
      try {
        group.spec.onMessage(delivery);
      } catch (err) {
        q.owner.log.error({ err, queue: q.decl.name }, 'in-process consumer threw');
      }
    }
  }

  private nextConsumer(q: MemQueue): MemGroup | undefined {
    const n = q.consumers.length;
    for (let i = 0; i < n; i++) {
      const idx = (q.next + i) % n;
      const group = q.consumers[idx] as MemGroup;
      if (!group.cancelled && group.hasCapacity()) {
        q.next = (idx + 1) % n;
        return group;
      }
    }
    return undefined;
  }

  addConsumer(group: MemGroup, q: MemQueue): void {
    q.consumers.push(group);
    group.queues.push(q);
    this.schedulePump(q);
  }

  cancel(group: MemGroup, deleteQueues: boolean): void {
    if (group.cancelled) return;
    group.cancelled = true;
    const back = new Map<MemQueue, Entry[]>();
    for (const d of group.unsettled) {
      d.settled = true;
      const list = back.get(d.queue) ?? [];
      list.push(d.entry);
      back.set(d.queue, list);
    }
    group.unsettled.clear();
    for (const q of group.queues) {
      const i = q.consumers.indexOf(group);
      if (i >= 0) q.consumers.splice(i, 1);
      if (q.next >= q.consumers.length) q.next = 0;
      const entries = back.get(q);
      if (entries) this.putBack(q, entries);
      if (deleteQueues || (q.decl.autoDelete && q.consumers.length === 0)) this.deleteQueue(q);
      else this.schedulePump(q);
    }
  }
}

function isExpired(entry: Entry | undefined, now: number): boolean {
  return entry?.expiresAt !== undefined && entry.expiresAt <= now;
}

const buses = new Map<string, Bus>();

export class InprocBroker implements Broker {
  readonly envelope = false;
  private readonly groups = new Set<MemGroup>();
  private closed = false;

  private constructor(
    private readonly bus: Bus,
    readonly log: BusLogger,
  ) {}

  /** Join the in-process bus `name` (created on first use). */
  static open(name: string, log: BusLogger): InprocBroker {
    let bus = buses.get(name);
    if (!bus) buses.set(name, (bus = new Bus(name)));
    const broker = new InprocBroker(bus, log);
    bus.brokers.add(broker);
    return broker;
  }

  async consume(spec: ConsumerGroupSpec): Promise<ConsumerHandle> {
    this.assertOpen();
    const group = new MemGroup(spec);
    for (const qs of spec.queues) this.bus.addConsumer(group, this.bus.declareQueue(qs, this));
    this.groups.add(group);
    return {
      cancel: async (opts) => {
        this.groups.delete(group);
        this.bus.cancel(group, opts?.deleteQueues ?? false);
      },
    };
  }

  async publish(exchange: ExchangeDecl | null, routingKey: string, body: string, opts: PublishOptions = {}): Promise<void> {
    this.assertOpen();
    if (opts.ensureQueue) this.bus.declareQueue(opts.ensureQueue, this);
    const expiresAt = opts.expirationMs !== undefined ? Date.now() + opts.expirationMs : undefined;
    const routed = this.bus.route(exchange, routingKey, { body, expiresAt }, this.log);
    if (routed === 0 && opts.mandatory) {
      throw new MessageUndeliverable(`no queue takes routing key ${routingKey} in exchange ${exchange?.name ?? '(default)'}`);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const group of this.groups) this.bus.cancel(group, false);
    this.groups.clear();
    for (const q of [...this.bus.queues.values()]) {
      if (q.decl.exclusive && q.owner === this) this.bus.deleteQueue(q);
    }
    this.bus.brokers.delete(this);
    if (this.bus.brokers.size === 0 && buses.get(this.bus.name) === this.bus) buses.delete(this.bus.name);
  }

  private assertOpen(): void {
    if (this.closed) throw new MessageDeliveryFailure(`the in-process transport ${this.bus.name} is closed`);
  }
}
