/**
 * RevocationListener: keeps an HTTP token validator's cache honest in scale-out. It consumes
 * Keystone's token cache invalidations (TOKEN_CACHE_INVALIDATE_EVENT, see token-invalidation.ts)
 * from the notifications topic and drops the cached validations they describe, so a revoked
 * token stops working on every service within the bus latency instead of after the cache time.
 *
 * Each process must get every invalidation: give each listener a pool of its own
 * (revocationPoolName). A pool's queue is durable on RabbitMQ, so the name should be stable
 * across restarts of the same process (host, port, service) rather than random.
 */
import { NotificationListener, type BusLogger, type Transport } from '../messaging/index.js';
import { matchFromPayload, TOKEN_CACHE_INVALIDATE_EVENT, type TokenCacheMatch } from './token-invalidation.js';

/** What the listener drives (HttpTokenValidator). */
export interface ForgettingCache {
  forget(match: TokenCacheMatch | 'all'): void;
}

export interface RevocationListenerOptions {
  /** The listener's own pool (one per process and cache). */
  pool: string;
  /** The notification topic Keystone publishes on; default 'notifications'. */
  topic?: string;
  log?: BusLogger;
}

/** A pool name for one process's cache: stable across restarts, distinct between processes. */
export function revocationPoolName(host: string, port: number | string, service: string): string {
  return `nubo-token-cache.${host}.${port}.${service}`;
}

export class RevocationListener {
  private readonly listener: NotificationListener;
  private readonly log: BusLogger;

  constructor(transport: Transport, private readonly cache: ForgettingCache, opts: RevocationListenerOptions) {
    this.log = opts.log ?? transport.log;
    const filterRule = { eventType: `^${TOKEN_CACHE_INVALIDATE_EVENT.replaceAll('.', '\\.')}$`, publisherId: '^identity\\.' };
    this.listener = new NotificationListener(
      transport,
      [{ topic: opts.topic ?? 'notifications' }],
      [{ filterRule, info: (_ctx, _publisher, eventType, payload) => this.handle(eventType, payload) }],
      { pool: opts.pool, ...(opts.log ? { log: opts.log } : {}) },
    );
  }

  start(): Promise<void> {
    return this.listener.start();
  }

  stop(): Promise<void> {
    return this.listener.stop();
  }

  private handle(eventType: string, payload: unknown): void {
    const match = matchFromPayload(payload);
    if (match === undefined) {
      this.log.warn({ event_type: eventType, payload }, `ignoring a malformed ${eventType} notification`);
      return;
    }
    this.cache.forget(match);
  }
}
