/** CPUWeigher (nova/scheduler/weights/cpu.py): free VCPUs (total times the allocation ratio, less those used). */
import type { Weigher } from './base.js';

export function cpuWeigher(multiplier: number): Weigher {
  return { name: 'CPUWeigher', multiplier, weigh: (host) => host.vcpusTotal * host.cpuAllocationRatio - host.vcpusUsed };
}
