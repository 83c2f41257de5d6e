/**
 * A bounded LRU map whose entries also expire: the token caches of the auth middleware and of
 * Keystone's own validation path. Map insertion order gives the LRU order. A hit moves its
 * entry to the recent end only when at least half the bound of other entries were stored or
 * moved since it was: an entry in the recent half is far from eviction, and leaving it saves
 * two map operations on the hot path (every API call looks its token up here). Eviction is
 * thus least-recently-used to within half the bound.
 */
export class TtlLru<K, V> {
  private readonly entries = new Map<K, { value: V; expiresAt: number; seq: number }>();
  /** Bumped by every store and move; an entry's `seq` tells how recent its place is. */
  private seq = 0;

  constructor(private readonly maxEntries: number, private readonly ttlMs: number, private readonly now: () => number = Date.now) {}

  get(key: K): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    if (this.seq - hit.seq >= this.maxEntries / 2) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      hit.seq = ++this.seq;
    }
    return hit.value;
  }

  /** Store a value; `ttlMs` can shorten (never lengthen) the default lifetime for this entry. */
  set(key: K, value: V, ttlMs?: number): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: this.now() + Math.min(ttlMs ?? this.ttlMs, this.ttlMs), seq: ++this.seq });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as K;
      this.entries.delete(oldest);
    }
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  /** Drop every entry for which `pred` holds (e.g. all tokens of a revoked user). */
  deleteWhere(pred: (value: V, key: K) => boolean): void {
    for (const [k, e] of this.entries) if (pred(e.value, k)) this.entries.delete(k);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
