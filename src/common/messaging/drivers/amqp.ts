/**
 * The AMQP 0-9-1 broker (RabbitMQ) through amqplib: one connection per transport, with
 * channels for publishing (plain and confirm), for declarations, and one per consumer group.
 * amqplib's connection recovery reconnects after a broker restart or a lost connection; every
 * consumer group then redeclares its queues, exchanges and bindings and consumes again.
 * Publishing waits while the connection is down and retries once it is back.
 * Declarations that clash with an existing queue/exchange of other properties (406
 * PRECONDITION_FAILED, e.g. declared durable by another deployment) fall back to using the
 * existing one, with a warning.
 */
import { once } from 'node:events';
import { connect, type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage, type Options } from 'amqplib';
import { MessageDeliveryFailure, MessageUndeliverable, TransportUnavailableError } from '../errors.js';
import { newHexId } from '../envelope.js';
import type { BusLogger } from '../logger.js';
import type { ParsedTransportUrl } from '../transport-url.js';
import type {
  Broker,
  ConsumerGroupSpec,
  ConsumerHandle,
  Delivery,
  ExchangeDecl,
  PublishOptions,
  QueueSpec,
} from './broker.js';

type AmqpUrl = Extract<ParsedTransportUrl, { kind: 'amqp' }>;

/** Time allowed for the TCP + AMQP handshake of the first connection. */
const CONNECT_TIMEOUT_MS = 10_000;
/** Delay before a consumer group whose channel died (while the connection lives) is reopened. */
const REOPEN_DELAY_MS = 1_000;
/** How long closing a channel or the connection may take (a dead socket never answers). */
const CLOSE_TIMEOUT_MS = 2_000;

/** Settle when `p` does or after CLOSE_TIMEOUT_MS, whichever comes first; never rejects. */
function closing(p: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, CLOSE_TIMEOUT_MS);
  });
  return Promise.race([p.then(() => {}, () => {}), timeout]).finally(() => clearTimeout(timer));
}

interface Waiter {
  resolve(model: ChannelModel): void;
  reject(err: Error): void;
}

type RecoveringModel = Awaited<ReturnType<typeof connectWithRecovery>>;

function connectWithRecovery(url: AmqpUrl, setup: (model: ChannelModel) => Promise<void>) {
  const host = url.hosts[0];
  const heartbeat = Number(url.query.get('heartbeat') ?? 30);
  const target: Options.Connect = {
    protocol: url.tls ? 'amqps' : 'amqp',
    hostname: host?.hostname ?? 'localhost',
    port: host?.port ?? (url.tls ? 5671 : 5672),
    username: host?.username ?? 'guest',
    password: host?.password ?? 'guest',
    vhost: encodeURIComponent(url.vhost),
    heartbeat: Number.isFinite(heartbeat) ? heartbeat : 30,
  };
  return connect(target, {
    timeout: CONNECT_TIMEOUT_MS,
    clientProperties: { connection_name: `nubo pid ${process.pid}` },
    recovery: {
      initialMaxRetries: 0,
      maxRetries: Infinity,
      initialDelay: 250,
      maxDelay: 5_000,
      waitForConnect: false,
      setup,
    },
  });
}

/** One actionable phrase for a failed first connection. */
function describeConnectError(err: unknown, url: AmqpUrl): string {
  const e = err as { code?: string; message?: string };
  const msg = e.message ?? String(err);
  if (e.code === 'ECONNREFUSED') return 'connection refused (is RabbitMQ running?)';
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') return `host ${url.hosts[0]?.hostname ?? ''} not found`;
  if (e.code === 'EHOSTUNREACH' || e.code === 'ENETUNREACH') return 'host unreachable';
  if (e.code === 'ETIMEDOUT' || /ETIMEDOUT/.test(msg)) return 'connection timed out (is the broker reachable on that port?)';
  if (/ACCESS.REFUSED|\b403\b/.test(msg)) return 'access refused (check the user name and password)';
  if (/NOT.ALLOWED|\b530\b|vhost/i.test(msg)) return `virtual host "${url.vhost}" not found or not allowed for this user`;
  if (e.code === 'ECONNRESET' || /socket closed|unexpected close/i.test(msg)) {
    return 'connection closed during the handshake (is this an AMQP port? TLS on one side only?)';
  }
  return msg.split('\n')[0] ?? msg;
}

function isPreconditionFailed(err: unknown): boolean {
  return (err as { code?: unknown }).code === 406;
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class AmqpBroker implements Broker {
  readonly envelope = true;
  private recovering: RecoveringModel | undefined;
  private model: ChannelModel | null = null;
  private waiters: Waiter[] = [];
  private closed = false;
  private lostOnce = false;
  /** Per-connection channels and declarations (reset on every reconnect). */
  private channels = new Map<string, Promise<Channel>>();
  private declared = new Map<string, Promise<void>>();
  /** Ids of mandatory messages the broker returned as unroutable. */
  private readonly returned = new Set<string>();
  readonly groups = new Set<AmqpGroup>();

  private constructor(
    readonly url: AmqpUrl,
    readonly log: BusLogger,
  ) {}

  /** Connect (once, failing fast with TransportUnavailableError); later losses are recovered. */
  static async connect(url: AmqpUrl, log: BusLogger): Promise<AmqpBroker> {
    const broker = new AmqpBroker(url, log);
    if (url.hosts.length > 1) {
      log.warn({ url: url.redacted }, 'transport_url lists several hosts: only the first is used');
    }
    let recovering: RecoveringModel;
    try {
      recovering = await connectWithRecovery(url, (model) => broker.onConnected(model));
      broker.recovering = recovering;
      broker.watch(recovering);
      await recovering.waitForConnect();
    } catch (err) {
      throw new TransportUnavailableError(
        `cannot connect to message broker ${url.redacted}: ${describeConnectError(err, url)}`,
        { cause: err },
      );
    }
    return broker;
  }

  private watch(recovering: RecoveringModel): void {
    recovering.on('error', (err: Error) => this.log.warn({ err, url: this.url.redacted }, 'message broker connection error'));
    recovering.on('handler-error', (err: Error) => this.log.error({ err }, 'message bus handler failed'));
    recovering.on('disconnect', (err: Error) => {
      this.lostOnce = true;
      this.log.warn({ url: this.url.redacted, err: errText(err) }, `lost connection to message broker ${this.url.redacted}: ${errText(err)}; reconnecting`);
    });
    recovering.on('reconnect-scheduled', (info: { attempt: number; delay: number; error: Error }) => {
      this.log.debug({ attempt: info.attempt, delay: info.delay, err: errText(info.error) }, 'reconnecting to message broker');
    });
    recovering.on('connect', () => {
      if (this.lostOnce) this.log.info({ url: this.url.redacted }, `reconnected to message broker ${this.url.redacted}`);
    });
  }

  /** amqplib's recovery setup hook: runs on every (re)connection before it is published. */
  private async onConnected(model: ChannelModel): Promise<void> {
    model.on('close', () => {
      if (this.model === model) this.onDisconnected();
    });
    this.channels = new Map();
    this.declared = new Map();
    this.model = model;
    for (const group of this.groups) {
      try {
        await group.open(model);
      } catch (err) {
        if (this.model !== model) throw err; // the connection went away again: let recovery retry
        this.log.error({ err: errText(err) }, `cannot resume consuming ${group.describe()}: ${errText(err)}`);
        group.retryLater(model);
      }
    }
    if (this.model !== model) throw new Error('connection lost during setup');
    for (const w of this.waiters.splice(0)) w.resolve(model);
  }

  private onDisconnected(): void {
    this.model = null;
    this.channels = new Map();
    this.declared = new Map();
    for (const group of this.groups) group.detach();
  }

  /** The live connection, waiting while it is being re-established. */
  whenConnected(): Promise<ChannelModel> {
    if (this.closed) return Promise.reject(new MessageDeliveryFailure(`transport ${this.url.redacted} is closed`));
    if (this.model) return Promise.resolve(this.model);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** The live connection, or null while disconnected or closed. */
  currentModel(): ChannelModel | null {
    return this.closed ? null : this.model;
  }

  isCurrent(model: ChannelModel): boolean {
    return this.model === model && !this.closed;
  }

  /** A shared channel of this connection ('pub', 'confirm' or 'topology'), reopened after errors. */
  channel(model: ChannelModel, kind: 'pub' | 'topology'): Promise<Channel>;
  channel(model: ChannelModel, kind: 'confirm'): Promise<ConfirmChannel>;
  channel(model: ChannelModel, kind: string): Promise<Channel> {
    let p = this.channels.get(kind);
    if (!p) {
      const channels = this.channels;
      p = (kind === 'confirm' ? model.createConfirmChannel() : model.createChannel()).then((ch) => {
        ch.on('error', (err: Error) => this.log.warn({ err: errText(err), channel: kind }, `message bus ${kind} channel closed by the broker`));
        // A mandatory message no queue takes comes back (before its confirm): remember its id.
        ch.on('return', (msg: { properties: { messageId?: unknown } }) => {
          if (typeof msg.properties.messageId === 'string') this.returned.add(msg.properties.messageId);
        });
        ch.on('close', () => {
          if (channels.get(kind) === p) channels.delete(kind);
        });
        return ch;
      });
      p.catch(() => channels.delete(kind));
      channels.set(kind, p);
    }
    return p;
  }

  private declareOnce(model: ChannelModel, key: string, fn: () => Promise<void>, cache: boolean): Promise<void> {
    const declared = this.declared;
    let p = cache ? declared.get(key) : undefined;
    if (!p) {
      p = fn();
      if (cache) {
        declared.set(key, p);
        p.catch(() => declared.delete(key));
      }
    }
    return p;
  }

  /** Run a declaration on the topology channel; on 406 fall back to the existing entity. */
  private async declare(
    model: ChannelModel,
    what: string,
    assert: (ch: Channel) => Promise<unknown>,
    check: (ch: Channel) => Promise<unknown>,
  ): Promise<void> {
    try {
      await assert(await this.channel(model, 'topology'));
    } catch (err) {
      if (!isPreconditionFailed(err) || !this.isCurrent(model)) throw err;
      await check(await this.channel(model, 'topology'));
      this.log.warn({ err: errText(err) }, `${what} exists with other properties: using it as it is`);
    }
  }

  declareExchange(model: ChannelModel, ex: ExchangeDecl): Promise<void> {
    // Auto-delete exchanges can vanish under us (last binding gone): never cache them.
    return this.declareOnce(model, `x:${ex.name}`, () =>
      this.declare(
        model,
        `exchange ${ex.name}`,
        (ch) => ch.assertExchange(ex.name, ex.type, { durable: ex.durable, autoDelete: ex.autoDelete }),
        (ch) => ch.checkExchange(ex.name),
      ), !ex.autoDelete);
  }

  async declareQueue(model: ChannelModel, spec: QueueSpec, cache: boolean): Promise<void> {
    const q = spec.queue;
    await this.declareOnce(model, `q:${q.name}`, async () => {
      const args: Record<string, unknown> = {};
      if (q.expiresMs !== undefined) args['x-expires'] = q.expiresMs;
      await this.declare(
        model,
        `queue ${q.name}`,
        (ch) => ch.assertQueue(q.name, { durable: q.durable, autoDelete: q.autoDelete, exclusive: q.exclusive ?? false, arguments: args }),
        (ch) => ch.checkQueue(q.name),
      );
      for (const b of spec.bindings) {
        await this.declareExchange(model, b.exchange);
        const ch = await this.channel(model, 'topology');
        await ch.bindQueue(q.name, b.exchange.name, b.exchange.type === 'fanout' ? '' : b.routingKey);
      }
    }, cache);
  }

  async consume(spec: ConsumerGroupSpec): Promise<ConsumerHandle> {
    const group = new AmqpGroup(this, spec);
    for (;;) {
      const model = await this.whenConnected();
      try {
        await group.open(model);
        break;
      } catch (err) {
        if (this.isCurrent(model) || this.closed) throw err;
      }
    }
    this.groups.add(group);
    return { cancel: (opts) => group.cancel(opts?.deleteQueues ?? false) };
  }

  async publish(exchange: ExchangeDecl | null, routingKey: string, body: string, opts: PublishOptions = {}): Promise<void> {
    const content = Buffer.from(body, 'utf8');
    const props: Options.Publish = {
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      deliveryMode: opts.persistent ? 2 : 1,
    };
    if (opts.expirationMs !== undefined) props.expiration = String(Math.max(0, Math.round(opts.expirationMs)));
    for (;;) {
      const model = await this.whenConnected();
      try {
        if (opts.ensureQueue) await this.declareQueue(model, opts.ensureQueue, true);
        if (exchange) await this.declareExchange(model, exchange);
        if (opts.confirm || opts.mandatory) {
          const ch = await this.channel(model, 'confirm');
          const id = opts.mandatory ? newHexId() : undefined;
          await new Promise<void>((resolve, reject) => {
            const p = { ...props, mandatory: opts.mandatory ?? false, messageId: id };
            ch.publish(exchange?.name ?? '', routingKey, content, p, (err: unknown) => (err ? reject(err) : resolve()));
          });
          if (id !== undefined && this.returned.delete(id)) {
            throw new MessageUndeliverable(`no queue takes routing key ${routingKey} in exchange ${exchange?.name ?? '(default)'}`);
          }
        } else {
          const ch = await this.channel(model, 'pub');
          if (!ch.publish(exchange?.name ?? '', routingKey, content, props)) {
            await Promise.race([once(ch, 'drain'), once(ch, 'close')]);
          }
        }
        return;
      } catch (err) {
        if (err instanceof MessageUndeliverable) throw err;
        if (!this.closed && !this.isCurrent(model)) continue; // connection lost: publish again once back
        throw new MessageDeliveryFailure(
          `cannot publish to ${exchange ? `exchange ${exchange.name}` : 'the default exchange'} with routing key ${routingKey}: ${errText(err)}`,
          { cause: err },
        );
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const err = new MessageDeliveryFailure(`transport ${this.url.redacted} is closed`);
    for (const w of this.waiters.splice(0)) w.reject(err);
    for (const group of this.groups) group.detach();
    this.groups.clear();
    this.model = null;
    if (this.recovering) await closing(this.recovering.close());
  }
}

/** The consumers of one ConsumerGroupSpec on their own channel (prefetch shared by them). */
class AmqpGroup {
  private ch: Channel | null = null;
  private cancelled = false;
  private reopenTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly broker: AmqpBroker,
    private readonly spec: ConsumerGroupSpec,
  ) {}

  describe(): string {
    return this.spec.queues.map((q) => q.queue.name).join(', ');
  }

  async open(model: ChannelModel): Promise<void> {
    if (this.cancelled) return;
    for (const qs of this.spec.queues) await this.broker.declareQueue(model, qs, false);
    const ch = await model.createChannel();
    ch.on('error', (err: Error) => this.broker.log.warn({ err: errText(err), queues: this.describe() }, 'consumer channel closed by the broker'));
    ch.on('close', () => {
      if (this.ch !== ch) return;
      this.ch = null;
      // Closed while the connection lives (a channel error): consume again shortly.
      if (!this.cancelled && this.broker.isCurrent(model)) this.retryLater(model);
    });
    try {
      if (this.spec.prefetch > 0) await ch.prefetch(this.spec.prefetch, true);
      for (const qs of this.spec.queues) {
        await ch.consume(qs.queue.name, (msg) => this.onMessage(ch, msg), { noAck: this.spec.noAck });
      }
    } catch (err) {
      await closing(ch.close());
      throw err;
    }
    if (this.cancelled) {
      await closing(ch.close());
      return;
    }
    this.ch = ch;
  }

  private onMessage(ch: Channel, msg: ConsumeMessage | null): void {
    if (msg === null) {
      // The broker cancelled the consumer (queue deleted): start over on a fresh channel.
      this.broker.log.warn({ queues: this.describe() }, 'consumer cancelled by the broker; consuming again');
      void ch.close().catch(() => {});
      return;
    }
    let settled = this.spec.noAck;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      try {
        fn();
      } catch {
        // The channel is gone: the broker redelivers unsettled messages anyway.
      }
    };
    const delivery: Delivery = {
      body: msg.content.toString('utf8'),
      ack: () => settle(() => ch.ack(msg)),
      requeue: () => settle(() => ch.nack(msg, false, true)),
    };
    try {
      this.spec.onMessage(delivery);
    } catch (err) {
      this.broker.log.error({ err, queues: this.describe() }, 'message bus consumer threw');
    }
  }

  /** Try open() again shortly, while this connection lives. */
  retryLater(model: ChannelModel): void {
    if (this.reopenTimer) return;
    this.reopenTimer = setTimeout(() => {
      this.reopenTimer = undefined;
      if (this.cancelled || !this.broker.isCurrent(model) || this.ch) return;
      this.open(model).catch((err: unknown) => {
        this.broker.log.error({ err: errText(err) }, `cannot resume consuming ${this.describe()}`);
        if (this.broker.isCurrent(model)) this.retryLater(model);
      });
    }, REOPEN_DELAY_MS);
    this.reopenTimer.unref();
  }

  /** Forget the channel (connection lost or transport closed); open() runs again on reconnect. */
  detach(): void {
    this.ch = null;
    if (this.reopenTimer) clearTimeout(this.reopenTimer);
    this.reopenTimer = undefined;
  }

  async cancel(deleteQueues: boolean): Promise<void> {
    if (this.cancelled) return;
    this.cancelled = true;
    this.broker.groups.delete(this);
    const ch = this.ch;
    this.detach();
    // Closing the channel cancels its consumers and requeues what was delivered but unsettled.
    if (ch) await closing(ch.close());
    if (!deleteQueues) return;
    const model = this.broker.currentModel();
    if (!model) return;
    for (const qs of this.spec.queues) {
      await closing(this.broker.channel(model, 'topology').then((c) => c.deleteQueue(qs.queue.name)));
    }
  }
}
