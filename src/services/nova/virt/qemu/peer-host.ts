/**
 * Where another compute host keeps its guests, for the copy of a move's disks.
 *
 * Nova's libvirt driver copies a guest's disks to the destination with ssh (or rsync) into the
 * same instances_path there. Nubo's compute hosts of one machine each have their own instances
 * path ([DEFAULT] instances_path with {host}, or <data_dir>/nova/<host>/instances), so the
 * qemu driver copies a disk with a local copy into the destination host's path (and a live
 * migration's destination finds the source's guest.json there). A destination whose path is
 * not on this machine (a compute host elsewhere) is refused with MigrationError: copying over
 * the network is not done. Paths shared by two hosts (shared storage) are refused too.
 */
import { existsSync, statSync } from 'node:fs';
import { MigrationError } from '../../errors.js';
import type { QemuDriverOptions } from './driver.js';

/** The instances path of compute host `host` on this machine. @throws MigrationError when it is not here */
export function peerInstancesPath(o: Pick<QemuDriverOptions, 'host' | 'instancesPath' | 'peerInstancesPath'>, host: string): string {
  const path = o.peerInstancesPath?.(host);
  if (path === undefined) throw new MigrationError(`the qemu driver of ${o.host} does not know where ${host} keeps its guests`);
  if (path === o.instancesPath) throw new MigrationError(`${host} and ${o.host} share the instances path ${path}; the qemu driver moves guests only between hosts with paths of their own`);
  if (!existsSync(path) || !statSync(path).isDirectory()) {
    throw new MigrationError(`the instances path of ${host} (${path}) is not on this machine: the qemu driver copies disks only to compute hosts of this machine (nova's copy over ssh is not done)`);
  }
  return path;
}
