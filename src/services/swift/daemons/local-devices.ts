/**
 * Which ring devices a daemon works on (swift/common/utils is_local_device and the daemons'
 * --devices option): the ring's devices that have a directory under this host's devices root,
 * narrowed to the configured devices when a list is given, and to the devices at this node's
 * replication address when it is known (several storage nodes of one host each own their
 * devices, even when their names repeat across nodes).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { RingDevice } from '../ring/ring-data.js';

export interface Locality {
  devicesRoot: string;
  /** Only these device names (empty or undefined: all). */
  only?: readonly string[];
  /** This node's replication address (the storage server's ip and port); undefined: any. */
  node?: { ip: string; port: number };
}

export function isLocal(dev: RingDevice, where: Locality): boolean {
  if (where.only && where.only.length > 0 && !where.only.includes(dev.device)) return false;
  if (where.node && !((dev.replication_ip || dev.ip) === where.node.ip && (dev.replication_port || dev.port) === where.node.port)) return false;
  return existsSync(join(where.devicesRoot, dev.device));
}

export function localDevices(devs: ReadonlyArray<RingDevice | null>, where: Locality): RingDevice[] {
  return devs.filter((d): d is RingDevice => d !== null && isLocal(d, where));
}
