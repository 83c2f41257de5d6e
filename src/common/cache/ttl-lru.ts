/**
 * A bounded LRU map whose entries also expire: the token caches of the auth middleware and of
 * Keystone's own validation path. Map insertion order gives the LRU order.
 */
export class TtlLru<K, V> {
  private readonly entries = new Map<K, { value: V; expiresAt: number }>();

  constructor(private readonly maxEntries: number, private readonly ttlMs: number, private readonly now: () => number = Date.now) {}

  get(key: K): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit.value;
  }

  /** Store a value; `ttlMs` can shorten (never lengthen) the default lifetime for this entry. */
  set(key: K, value: V, ttlMs?: number): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: this.now() + Math.min(ttlMs ?? this.ttlMs, this.ttlMs) });
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
