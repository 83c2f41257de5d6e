/**
 * Interface hot-plug over QMP, what libvirt does for nova's attach_interface and
 * detach_interface on a running guest: the port's tap (plugged by vif.ts) becomes a netdev
 * (netdev_add) and a virtio-net-pci NIC with the port's MAC (device_add, the id the command
 * line gives a boot NIC); detach asks the guest to eject the NIC (device_del), waits for QEMU's
 * DEVICE_DELETED, and removes its netdev, whose id is read from the NIC (a NIC of the command
 * line and a hot-plugged one name theirs differently).
 *
 * QEMU opens a tap by name in its own network namespace: a guest started without NICs runs
 * outside the host's namespace ([qemu] host_namespace, guest.ts) and cannot take one until it
 * is started again (libvirt would pass the tap's descriptor; QMP's getfd needs SCM_RIGHTS).
 */
import { readlinkSync, statSync } from 'node:fs';
import { QemuError } from '../../errors.js';
import { nicDeviceId, type NicSpec } from './command-line.js';
import type { Guest } from './guest.js';
import { QmpError } from './qmp.js';

/** How long a detach waits for the guest to eject the NIC (libvirt: 8 attempts of 20 s). */
export const NIC_DETACH_SECONDS = 60;

/** The netdev of a hot-plugged NIC (libvirt's hostnet<N>, named here by the tap). */
function hostnetId(tap: string): string {
  return `hostnet-${tap}`;
}

/** The NIC on `nic.tap` with the port's MAC plugged into the running guest. @throws QmpError */
export async function hotplugNic(g: Guest, nic: NicSpec): Promise<void> {
  const netdev = hostnetId(nic.tap);
  await g.command('netdev_add', { type: 'tap', id: netdev, ifname: nic.tap, script: 'no', downscript: 'no' });
  try {
    await g.command('device_add', { driver: 'virtio-net-pci', netdev, id: nicDeviceId(nic.tap), mac: nic.mac });
  } catch (err) {
    await g.command('netdev_del', { id: netdev }).catch(() => undefined);
    throw err;
  }
}

/**
 * The NIC on `tap` ejected from the running guest (within `seconds`) and its netdev removed; a
 * NIC the guest does not have is not an error. @throws QemuError when the guest keeps it, QmpError
 */
export async function unplugNic(g: Guest, tap: string, seconds: number): Promise<void> {
  const device = nicDeviceId(tap);
  let netdev: string;
  try {
    netdev = await g.command<string>('qom-get', { path: `/machine/peripheral/${device}`, property: 'netdev' });
  } catch (err) {
    if (err instanceof QmpError && err.errorClass === 'DeviceNotFound') return;
    throw err;
  }
  const deleted = g.waitForEvent((e) => e.event === 'DEVICE_DELETED' && e.data?.['device'] === device, seconds * 1000);
  await g.command('device_del', { id: device });
  if (!(await deleted)) throw new QemuError(`the guest did not release its NIC on ${tap} within ${seconds} s`);
  await g.command('netdev_del', { id: netdev });
}

/** Whether process `pid` runs in network namespace `netns` (undefined: the namespace of this process). */
export function inNamespace(pid: number, netns: string | undefined): boolean {
  const of = readlinkSync(`/proc/${pid}/ns/net`);
  const target = netns === undefined ? readlinkSync('/proc/self/ns/net') : `net:[${statSync(`/run/netns/${netns}`).ino}]`;
  return of === target;
}
