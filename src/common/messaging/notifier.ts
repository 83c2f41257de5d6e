/**
 * Notifier (oslo_messaging/notify/notifier.py): emits notifications
 *   { message_id, publisher_id, event_type, priority, payload, timestamp }
 * on `<topic>.<priority>` (topics default to ["notifications"]) in the control exchange, in the
 * oslo 2.0 envelope (oslo's `messagingv2` driver; `messaging` is accepted as the same thing
 * here), with publisher confirms on AMQP. `noop` drops them. The context travels with secrets
 * removed (oslo.context's redacted_copy). As in oslo, a notification that cannot be sent is
 * logged, never thrown at the caller.
 * The context is put in message form by the serializer (default NoOpSerializer: a
 * MessageContext dict, sent as given), the payload by its serializeEntity. Called without a
 * context (undefined or null), the notifier takes the context of the current request scope
 * (scope-context.ts), so a notification carries the request id of the API call or RPC request
 * that caused it; outside any request the context is empty.
 */
import { randomUUID } from 'node:crypto';
import type { MessageContext } from './envelope.js';
import type { BusLogger } from './logger.js';
import { messageContextFromScope } from './scope-context.js';
import { noOpSerializer, type Serializer } from './serializer.js';
import type { Transport } from './transport.js';

export type NotificationPriority = 'audit' | 'debug' | 'info' | 'warn' | 'error' | 'critical' | 'sample';

export const NOTIFICATION_PRIORITIES: readonly NotificationPriority[] = [
  'audit', 'debug', 'info', 'warn', 'error', 'critical', 'sample',
];

export interface NotifierOptions<Ctx = MessageContext> {
  publisherId: string;
  /** Notification topics (oslo's notification_topics); default ['notifications']. */
  topics?: string[];
  driver?: 'messaging' | 'messagingv2' | 'noop';
  log?: BusLogger;
  /** The context and payload to their message form (default: NoOpSerializer). */
  serializer?: Serializer<Ctx>;
}

/** A notification's context: the caller's, or (undefined / null) the current request scope's. */
export type NotifyContext<Ctx> = Ctx | null | undefined;

/** Context keys never sent with notifications. */
const SECRET_CONTEXT_KEYS = ['auth_token', 'service_token', 'auth_token_info', 'service_token_info'];

/** oslo's str(timeutils.utcnow()): `YYYY-MM-DD HH:MM:SS.ffffff` in UTC (microseconds from ms). */
export function osloTimestamp(date: Date = new Date()): string {
  const iso = date.toISOString(); // 2026-05-13T12:53:00.123Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${iso.slice(20, 23)}000`;
}

function redactContext(ctx: MessageContext): MessageContext {
  const copy: MessageContext = { ...ctx };
  for (const key of SECRET_CONTEXT_KEYS) if (key in copy) copy[key] = null;
  return copy;
}

export class Notifier<Ctx = MessageContext> {
  readonly publisherId: string;
  readonly topics: readonly string[];
  readonly serializer: Serializer<Ctx>;
  private readonly driver: 'messaging' | 'noop';
  private readonly log: BusLogger;

  constructor(
    readonly transport: Transport,
    opts: NotifierOptions<Ctx>,
  ) {
    this.publisherId = opts.publisherId;
    this.topics = [...(opts.topics ?? ['notifications'])];
    this.driver = opts.driver === 'noop' ? 'noop' : 'messaging';
    this.log = opts.log ?? transport.log;
    this.serializer = opts.serializer ?? (noOpSerializer as unknown as Serializer<Ctx>);
  }

  /** A notifier with another publisher id (e.g. `compute.<host>`). */
  prepare(opts: { publisherId: string }): Notifier<Ctx> {
    return new Notifier<Ctx>(this.transport, {
      publisherId: opts.publisherId, topics: [...this.topics], driver: this.driver, log: this.log, serializer: this.serializer,
    });
  }

  audit(ctx: NotifyContext<Ctx>, eventType: string, payload: unknown): Promise<void> {
    return this.notify(ctx, eventType, payload, 'audit');
  }
  debug(ctx: NotifyContext<Ctx>, eventType: string, payload: unknown): Promise<void> {
    return this.notify(ctx, eventType, payload, 'debug');
  }
  info(ctx: NotifyContext<Ctx>, eventType: string, payload: unknown): Promise<void> {
    return this.notify(ctx, eventType, payload, 'info');
  }
  warn(ctx: NotifyContext<Ctx>, eventType: string, payload: unknown): Promise<void> {
    return this.notify(ctx, eventType, payload, 'warn');
  }
  /** Alias of warn, as oslo's. */
  warning(ctx: NotifyContext<Ctx>, eventType: string, payload: unknown): Promise<void> {
    return this.notify(ctx, eventType, payload, 'warn');
  }
  error(ctx: NotifyContext<Ctx>, eventType: string, payload: unknown): Promise<void> {
    return this.notify(ctx, eventType, payload, 'error');
  }
  critical(ctx: NotifyContext<Ctx>, eventType: string, payload: unknown): Promise<void> {
    return this.notify(ctx, eventType, payload, 'critical');
  }
  sample(ctx: NotifyContext<Ctx>, eventType: string, payload: unknown): Promise<void> {
    return this.notify(ctx, eventType, payload, 'sample');
  }

  private async notify(ctx: NotifyContext<Ctx>, eventType: string, payload: unknown, priority: NotificationPriority): Promise<void> {
    if (this.driver === 'noop') return;
    let wire: MessageContext;
    let message: Record<string, unknown>;
    try {
      let ctxt: Ctx;
      if (ctx === undefined || ctx === null) {
        wire = messageContextFromScope();
        ctxt = this.serializer.deserializeContext(wire);
      } else {
        ctxt = ctx;
        wire = this.serializer.serializeContext(ctx);
      }
      message = {
        message_id: randomUUID(),
        publisher_id: this.publisherId,
        event_type: eventType,
        priority: priority.toUpperCase(),
        payload: this.serializer.serializeEntity(ctxt, payload),
        timestamp: osloTimestamp(),
      };
    } catch (err) {
      this.log.error({ err, event_type: eventType }, `could not serialize notification ${eventType}`);
      return;
    }
    const safeCtx = redactContext(wire);
    await Promise.all(
      this.topics.map(async (topic) => {
        try {
          await this.transport.driver.sendNotification({ topic: `${topic}.${priority}` }, safeCtx, message);
        } catch (err) {
          this.log.error({ err, event_type: eventType, topic }, `could not send notification ${eventType} to ${topic}.${priority}`);
        }
      }),
    );
  }
}
