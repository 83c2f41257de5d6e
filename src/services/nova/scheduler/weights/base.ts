/**
 * Weighers (nova/weights.py, nova/scheduler/weights): each gives every host a raw weight; the
 * weights of one weigher are normalized to 0..1 over the hosts (all 0 when they are equal),
 * multiplied by the weigher's multiplier, and summed. The heaviest host wins.
 */
import type { RequestSpec } from '../../objects/index.js';
import type { HostState } from '../host-state.js';

export interface Weigher {
  /** The class name [filter_scheduler] weight_classes uses. */
  readonly name: string;
  readonly multiplier: number;
  weigh(host: HostState, spec: RequestSpec): number;
}

export interface WeighedHost {
  host: HostState;
  weight: number;
}

/** nova's normalize(): min-max over the list. */
function normalize(values: number[]): number[] {
  const min = Math.min(...values);
  const max = Math.max(...values);
  const range = max - min;
  return values.map((v) => (range === 0 ? 0 : (v - min) / range));
}

/** The hosts with their summed weights, heaviest first (ties keep the input order). */
export function weighHosts(hosts: readonly HostState[], spec: RequestSpec, weighers: readonly Weigher[]): WeighedHost[] {
  const totals = hosts.map(() => 0);
  for (const w of weighers) {
    if (w.multiplier === 0 || hosts.length === 0) continue;
    const normalized = normalize(hosts.map((h) => w.weigh(h, spec)));
    normalized.forEach((n, i) => { totals[i]! += n * w.multiplier; });
  }
  return hosts.map((host, i) => ({ host, weight: totals[i]! })).sort((a, b) => b.weight - a.weight);
}
