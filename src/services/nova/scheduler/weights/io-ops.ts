/** IoOpsWeigher (nova/scheduler/weights/io_ops.py): the host's I/O workload (builds, resizes, snapshots...); the default -1 prefers idle hosts. */
import type { Weigher } from './base.js';

export function ioOpsWeigher(multiplier: number): Weigher {
  return { name: 'IoOpsWeigher', multiplier, weigh: (host) => host.numIoOps };
}
