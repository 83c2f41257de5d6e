/**
 * NotificationListener (oslo_messaging/notify/listener.py and dispatcher.py): consumes the
 * notifications of some topics and hands each to the endpoint methods named after its priority:
 *   info(ctx, publisherId, eventType, payload, metadata)    metadata = { message_id, timestamp }
 * An endpoint's optional `filterRule` screens what it receives. Only the priorities some endpoint
 * implements are consumed.
 * Listeners without a pool share the queue `<topic>.<priority>` (and so share the work);
 * listeners of one pool share the pool's queue, and every pool gets every notification.
 * A notification is acknowledged once handled. An endpoint may return 'requeue' (or throw) to
 * have it redelivered when the listener allows requeueing; otherwise that is logged and dropped.
 * The serializer (default NoOpSerializer: handlers get the MessageContext dict) turns the
 * context and the payload into what handlers receive; filter rules match the message's context.
 */
import { ConsumerLifecycle } from './consumer-lifecycle.js';
import type { IncomingNotification } from './driver.js';
import type { MessageContext } from './envelope.js';
import { InvalidTarget } from './errors.js';
import type { BusLogger } from './logger.js';
import { NotificationFilter, type NotificationFilterRule } from './notification-filter.js';
import { NOTIFICATION_PRIORITIES, type NotificationPriority } from './notifier.js';
import { noOpSerializer, type Serializer } from './serializer.js';
import type { Transport } from './transport.js';

/** Default number of notifications handled at the same time. */
const DEFAULT_EXECUTOR_SIZE = 64;

export const NotificationResult = { HANDLED: 'handled', REQUEUE: 'requeue' } as const;

export interface NotificationMetadata {
  message_id: string;
  timestamp: string;
}

export type NotificationHandler<Ctx = MessageContext> = (
  ctx: Ctx,
  publisherId: string,
  eventType: string,
  payload: unknown,
  metadata: NotificationMetadata,
) => unknown;

export type NotificationEndpoint<Ctx = MessageContext> = Partial<Record<NotificationPriority, NotificationHandler<Ctx>>> & {
  filterRule?: NotificationFilterRule | NotificationFilter;
};

export interface NotificationListenerOptions<Ctx = MessageContext> {
  /** Context and payload from their message form (default: NoOpSerializer). */
  serializer?: Serializer<Ctx>;
  /** Listeners in one pool share the work; different pools each get every notification. */
  pool?: string;
  log?: BusLogger;
  /** Notifications handled at the same time (the prefetch window); default 64. */
  executorSize?: number;
  /** Honour 'requeue' results (oslo's allow_requeue); default false. */
  allowRequeue?: boolean;
}

interface Callback<Ctx> {
  filter: NotificationFilter | undefined;
  handler: NotificationHandler<Ctx>;
  endpoint: NotificationEndpoint<Ctx>;
}

export class NotificationListener<Ctx = MessageContext> {
  private readonly callbacks = new Map<NotificationPriority, Callback<Ctx>[]>();
  private readonly log: BusLogger;
  private readonly consumer: ConsumerLifecycle;
  private readonly serializer: Serializer<Ctx>;

  constructor(
    readonly transport: Transport,
    readonly targets: { topic: string; exchange?: string }[],
    endpoints: NotificationEndpoint<NoInfer<Ctx>>[],
    private readonly opts: NotificationListenerOptions<Ctx> = {},
  ) {
    this.log = opts.log ?? transport.log;
    this.serializer = opts.serializer ?? (noOpSerializer as unknown as Serializer<Ctx>);
    for (const endpoint of endpoints) {
      const rule = endpoint.filterRule;
      const filter = rule === undefined ? undefined : rule instanceof NotificationFilter ? rule : new NotificationFilter(rule);
      for (const priority of NOTIFICATION_PRIORITIES) {
        const handler = endpoint[priority];
        if (typeof handler !== 'function') continue;
        const list = this.callbacks.get(priority) ?? [];
        list.push({ filter, handler, endpoint });
        this.callbacks.set(priority, list);
      }
    }
    const prefetch = Math.max(1, opts.executorSize ?? DEFAULT_EXECUTOR_SIZE);
    this.consumer = new ConsumerLifecycle(() => {
      const targets = this.targets.flatMap((t) => this.priorities.map((priority) => ({ ...t, priority })));
      return transport.driver.listenForNotifications(targets, opts.pool, (incoming) => this.onIncoming(incoming), prefetch);
    });
  }

  /** The priorities consumed: those some endpoint implements. */
  get priorities(): NotificationPriority[] {
    return [...this.callbacks.keys()];
  }

  /** Start consuming (idempotent). */
  start(): Promise<void> {
    if (this.targets.length === 0 || this.callbacks.size === 0) {
      return Promise.reject(new InvalidTarget('a notification listener needs targets and an endpoint implementing a priority'));
    }
    return this.consumer.start();
  }

  /** Stop consuming and wait for the notifications being handled. */
  stop(): Promise<void> {
    return this.consumer.stop();
  }

  private onIncoming(incoming: IncomingNotification): void {
    if (!this.consumer.active) return; // stopping: the delivery goes back to the queue
    this.consumer.run(async () => {
      const requeue = (await this.dispatch(incoming)) === NotificationResult.REQUEUE;
      if (requeue && this.opts.allowRequeue) incoming.requeue();
      else incoming.acknowledge();
    });
  }

  private async dispatch(incoming: IncomingNotification): Promise<string> {
    const m = incoming.message;
    const priority = String(m['priority'] ?? '').toLowerCase() as NotificationPriority;
    if (!NOTIFICATION_PRIORITIES.includes(priority)) {
      this.log.warn({ priority: m['priority'] }, `unknown notification priority "${String(m['priority'])}"`);
      return NotificationResult.HANDLED;
    }
    const publisherId = String(m['publisher_id'] ?? '');
    const eventType = String(m['event_type'] ?? '');
    const metadata: NotificationMetadata = { message_id: String(m['message_id'] ?? ''), timestamp: String(m['timestamp'] ?? '') };
    const payload = m['payload'];
    let ctxt: Ctx;
    let entity: unknown;
    try {
      ctxt = this.serializer.deserializeContext(incoming.ctxt);
      entity = this.serializer.deserializeEntity(ctxt, payload);
    } catch (err) {
      // It would fail the same way every time it came back: dropped.
      this.log.error({ err, event_type: eventType }, `could not deserialize notification ${eventType}: dropped`);
      return NotificationResult.HANDLED;
    }
    for (const cb of this.callbacks.get(priority) ?? []) {
      if (cb.filter && !cb.filter.match(incoming.ctxt, publisherId, eventType, metadata, payload)) continue;
      let ret: unknown;
      try {
        ret = await cb.handler.call(cb.endpoint, ctxt, publisherId, eventType, entity, metadata);
      } catch (err) {
        this.log.error({ err, event_type: eventType }, `notification endpoint failed on ${eventType}`);
        ret = NotificationResult.REQUEUE;
      }
      if (ret === NotificationResult.REQUEUE) {
        if (!this.opts.allowRequeue) this.log.warn({ event_type: eventType }, `notification ${eventType} not requeued (requeueing not allowed)`);
        return NotificationResult.REQUEUE;
      }
    }
    return NotificationResult.HANDLED;
  }
}
