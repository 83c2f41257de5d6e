/**
 * Providers nominated for one resource class of a request group, with the tree (root, or the
 * anchor of a sharing provider) each counts for (placement/objects/rp_candidates.py).
 */

export interface RPCandidate {
  id: number;
  rootId: number;
  rcId: number;
}

const keyOf = (c: RPCandidate): string => `${c.id}:${c.rootId}:${c.rcId}`;

export class RPCandidateList {
  private items = new Map<string, RPCandidate>();

  get size(): number {
    return this.items.size;
  }

  get all(): RPCandidate[] {
    return [...this.items.values()];
  }

  addRps(rps: Iterable<readonly [number, number]>, rcId: number): void {
    for (const [id, rootId] of rps) {
      const c = { id, rootId, rcId };
      this.items.set(keyOf(c), c);
    }
  }

  private keep(pred: (c: RPCandidate) => boolean): void {
    for (const [k, c] of this.items) if (!pred(c)) this.items.delete(k);
  }

  /** Keep trees in both lists, with the candidates of both (merge_common_trees). */
  mergeCommonTrees(other: RPCandidateList): void {
    if (this.size === 0) {
      this.items = new Map(other.items);
      return;
    }
    if (other.size === 0) return;
    const both = new Set([...this.trees].filter((t) => other.trees.has(t)));
    for (const [k, c] of other.items) this.items.set(k, c);
    this.filterByTree(both);
  }

  filterByTree(rootIds: ReadonlySet<number>): void {
    this.keep((c) => rootIds.has(c.rootId));
  }

  /** Keep candidates whose `id:rootId` key is given. */
  filterByRp(keys: ReadonlySet<string>): void {
    this.keep((c) => keys.has(`${c.id}:${c.rootId}`));
  }

  /** Keep candidates that are, or whose tree is, among `rpIds`. */
  filterByRpOrTree(rpIds: ReadonlySet<number>): void {
    this.keep((c) => rpIds.has(c.id) || rpIds.has(c.rootId));
  }

  /** Drop candidates that are, or whose tree is, among `rpIds`. */
  filterByRpNorTree(rpIds: ReadonlySet<number>): void {
    this.keep((c) => !rpIds.has(c.id) && !rpIds.has(c.rootId));
  }

  get rps(): Set<number> {
    return new Set([...this.items.values()].map((c) => c.id));
  }

  get trees(): Set<number> {
    return new Set([...this.items.values()].map((c) => c.rootId));
  }

  /** Every provider involved: the candidates and their trees' roots. */
  get allRps(): Set<number> {
    return new Set([...this.rps, ...this.trees]);
  }
}
