/**
 * Cinder volumes on a guest: file volumes (driver_volume_type file, Nubo's Cinder file driver:
 * a raw or qcow2 file at data.device_path) and local block devices (driver_volume_type local,
 * the LVM driver's LV at data.device_path, raw on a host_device node) as virtio-blk disks, on the command line when the
 * guest starts and hot-plugged over QMP (blockdev-add + device_add; device_del, whose
 * DEVICE_DELETED says the guest let go of the disk, + blockdev-del) while it runs.
 */
import { FeatureNotSupported, InvalidVolume } from '../../errors.js';

export interface VolumeDisk {
  /** Where the guest has it (nova's mountpoint, /dev/vdc). */
  mountpoint: string;
  path: string;
  format: 'raw' | 'qcow2';
  volumeId: string;
  /** The host side: a file (default) or a block device (`local` volumes). */
  hostDevice?: boolean;
  /** QEMU's block node, when not the mountpoint's (a volume swapped in while the guest ran: swap-volume.ts). */
  node?: string;
}

/** The disk a volume's connection info describes. @throws FeatureNotSupported for other than file and local volumes, InvalidVolume */
export function volumeDisk(connectionInfo: Record<string, unknown>, mountpoint: string): VolumeDisk {
  const type = connectionInfo['driver_volume_type'];
  if (type !== 'file' && type !== 'local') throw new FeatureNotSupported(`The qemu driver attaches file and local volumes, not ${String(type)} ones.`);
  const data = (connectionInfo['data'] ?? {}) as Record<string, unknown>;
  const path = data['device_path'];
  const format = data['format'] ?? 'raw';
  if (typeof path !== 'string' || !path.startsWith('/')) throw new InvalidVolume('the connection info has no device_path');
  if (format !== 'raw' && format !== 'qcow2') throw new InvalidVolume(`volume format ${String(format)}`);
  if (type === 'local' && format !== 'raw') throw new InvalidVolume(`local volume format ${String(format)}`);
  return { mountpoint, path, format, volumeId: String(data['volume_id'] ?? ''), ...(type === 'local' ? { hostDevice: true } : {}) };
}

/** QEMU ids of the volume's block node and device, from its mountpoint (unique per guest). */
export function volumeIds(mountpoint: string): { node: string; device: string } {
  const name = mountpoint.replace(/^\/dev\//, '').replace(/[^a-zA-Z0-9]/g, '');
  return { node: `vol-${name}`, device: `virtio-vol-${name}` };
}

/** The volume's block node in QEMU. */
export function nodeOf(d: VolumeDisk): string {
  return d.node ?? volumeIds(d.mountpoint).node;
}

/** blockdev-add's arguments for the volume. */
export function blockdevAdd(d: VolumeDisk): Record<string, unknown> {
  return { driver: d.format, 'node-name': nodeOf(d), file: { driver: d.hostDevice ? 'host_device' : 'file', filename: d.path } };
}
