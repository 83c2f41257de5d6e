/**
 * The service catalog as tokens show it, per (project, user) because endpoint URLs may hold
 * $(project_id)s / $(user_id)s templates. Kept for a short time and emptied by any catalog
 * write through this process's API (cache-invalidation.ts); the time bounds how long another
 * process's catalog change takes to show.
 */
import { TtlLru } from '../../../common/cache/ttl-lru.js';
import type { CatalogServiceBody } from '../providers.js';

export type CatalogSource = (projectId?: string, userId?: string) => Promise<CatalogServiceBody[]>;

export class CatalogCache {
  private readonly cache: TtlLru<string, Promise<CatalogServiceBody[]>>;

  constructor(private readonly source: CatalogSource, opts: { size?: number; seconds?: number } = {}) {
    this.cache = new TtlLru(opts.size ?? 1000, (opts.seconds ?? 30) * 1000);
  }

  get(projectId?: string, userId?: string): Promise<CatalogServiceBody[]> {
    const key = `${projectId ?? ''}\u0000${userId ?? ''}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const loading = this.source(projectId, userId);
    this.cache.set(key, loading);
    loading.catch(() => this.cache.delete(key));
    return loading;
  }

  clear(): void {
    this.cache.clear();
  }
}
