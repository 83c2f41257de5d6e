/**
 * Weighers (cinder/scheduler/weights, oslo's BaseWeightHandler): each weigher's raw weights are
 * normalized to 0..1 over the candidates (infinite values to the ends), multiplied by its
 * multiplier and summed; the heaviest pool wins.
 */
import type { PoolState } from '../host-state.js';

export interface Weigher {
  readonly name: string;
  readonly multiplier: number;
  weigh(pool: PoolState): number;
}

function normalize(values: number[]): number[] {
  const finite = values.filter(Number.isFinite);
  const min = finite.length ? Math.min(...finite) : 0;
  const max = finite.length ? Math.max(...finite) : 0;
  return values.map((v) => {
    if (v === Number.POSITIVE_INFINITY) return 1;
    if (v === Number.NEGATIVE_INFINITY) return 0;
    return max === min ? 0 : (v - min) / (max - min);
  });
}

/** The pools, heaviest first. */
export function weighPools(pools: PoolState[], weighers: readonly Weigher[]): Array<{ pool: PoolState; weight: number }> {
  const totals = pools.map(() => 0);
  for (const w of weighers) {
    normalize(pools.map((p) => w.weigh(p))).forEach((n, i) => { totals[i]! += n * w.multiplier; });
  }
  return pools.map((pool, i) => ({ pool, weight: totals[i]! })).sort((a, b) => b.weight - a.weight);
}
