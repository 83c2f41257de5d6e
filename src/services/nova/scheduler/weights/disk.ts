/** DiskWeigher (nova/scheduler/weights/disk.py): free disk. */
import type { Weigher } from './base.js';

export function diskWeigher(multiplier: number): Weigher {
  return { name: 'DiskWeigher', multiplier, weigh: (host) => host.freeDiskMb };
}
