/**
 * The service catalog as tokens show it, per (project, user) because endpoint URLs may hold
 * $(project_id)s / $(user_id)s templates. Kept for a short time and emptied by any catalog
 * write through this process's API (cache-invalidation.ts); the time bounds how long another
 * process's catalog change takes to show. Each entry also keeps its JSON text once loaded:
 * token validation sends the same catalog many times.
 */
import { TtlLru } from '../../../common/cache/ttl-lru.js';
import type { CatalogServiceBody } from '../providers.js';

export type CatalogSource = (projectId?: string, userId?: string) => Promise<CatalogServiceBody[]>;

interface Entry {
  body: Promise<CatalogServiceBody[]>;
  /** Set when `body` has loaded. */
  json?: string;
}

export class CatalogCache {
  private readonly cache: TtlLru<string, Entry>;
  /**
   * The cache key of each (project, user) seen, made once: a key built anew for every
   * validation would be a new string that the map hashes character by character, where the ids
   * (the same strings of a cached token every time) are hashed once. Emptied when it reaches
   * `maxKeys` pairs.
   */
  private readonly keys = new Map<string, Map<string, string>>();
  private keyCount = 0;
  private readonly maxKeys: number;

  constructor(private readonly source: CatalogSource, opts: { size?: number; seconds?: number } = {}) {
    this.cache = new TtlLru(opts.size ?? 1000, (opts.seconds ?? 30) * 1000);
    this.maxKeys = 4 * (opts.size ?? 1000);
  }

  get(projectId?: string, userId?: string): Promise<CatalogServiceBody[]> {
    return this.entry(projectId, userId).body;
  }

  /** The catalog as JSON text: the text itself once loaded (nothing to wait for), else a promise of it. */
  json(projectId?: string, userId?: string): string | Promise<string> {
    const e = this.entry(projectId, userId);
    return e.json ?? e.body.then((body) => (e.json ??= JSON.stringify(body)));
  }

  clear(): void {
    this.cache.clear();
  }

  private entry(projectId?: string, userId?: string): Entry {
    const key = this.keyOf(projectId ?? '', userId ?? '');
    const hit = this.cache.get(key);
    if (hit) return hit;
    const e: Entry = { body: this.source(projectId, userId) };
    this.cache.set(key, e);
    e.body.then((body) => { e.json ??= JSON.stringify(body); }, () => this.cache.delete(key));
    return e;
  }

  private keyOf(projectId: string, userId: string): string {
    let byUser = this.keys.get(projectId);
    let key = byUser?.get(userId);
    if (key !== undefined) return key;
    if (this.keyCount >= this.maxKeys) {
      this.keys.clear();
      this.keyCount = 0;
      byUser = undefined;
    }
    if (!byUser) this.keys.set(projectId, (byUser = new Map()));
    byUser.set(userId, (key = `${projectId}\u0000${userId}`));
    this.keyCount++;
    return key;
  }
}
