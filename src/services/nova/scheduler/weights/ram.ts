/** RAMWeigher (nova/scheduler/weights/ram.py): free memory; a negative multiplier stacks instead of spreading. */
import type { Weigher } from './base.js';

export function ramWeigher(multiplier: number): Weigher {
  return { name: 'RAMWeigher', multiplier, weigh: (host) => host.freeRamMb };
}
