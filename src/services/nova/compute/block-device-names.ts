/**
 * Device names of a server's disks (nova/block_device.py match_device and
 * compute/utils.py get_next_device_name): a requested name must look like a disk
 * (/dev/vdb, /dev/sdc, /dev/xvdd) and be free; otherwise the next free letter after the root
 * disk's prefix ('/dev/vda' when the driver did not say) is taken.
 */
import { DevicePathInUse, InvalidDevicePath } from '../errors.js';
import type { BlockDeviceMapping, Instance } from '../objects/index.js';

const DEVICE = /^(\/dev\/x?[a-z]?d?)([a-z]+)[0-9]*$/;

/** match_device: [prefix, letters] of a disk's name, or null. */
export function matchDevice(name: string): [string, string] | null {
  const m = DEVICE.exec(name);
  return m ? [m[1]!, m[2]!] : null;
}

/** Letters a, b, ..., z, aa, ab, ... for 0, 1, ... */
function letters(index: number): string {
  let out = '';
  let i = index + 1;
  while (i > 0) {
    const r = (i - 1) % 26;
    out = String.fromCharCode(97 + r) + out;
    i = Math.floor((i - 1) / 26);
  }
  return out;
}

/**
 * The device name a new volume of `instance` gets.
 * @throws InvalidDevicePath (not a disk name), DevicePathInUse (another disk has it)
 */
export function nextDeviceName(instance: Instance, bdms: readonly BlockDeviceMapping[], requested: string | null): string {
  const root = instance.data.root_device_name ?? '/dev/vda';
  const used = new Set(bdms.map((b) => b.data.device_name ?? (b.isRoot ? root : null)).filter((n): n is string => !!n));
  used.add(root);
  if (requested) {
    if (!matchDevice(requested)) throw new InvalidDevicePath(requested);
    if (used.has(requested)) throw new DevicePathInUse(requested);
    return requested;
  }
  const prefix = matchDevice(root)?.[0] ?? '/dev/vd';
  const usedLetters = new Set([...used].map((n) => matchDevice(n)).filter((m): m is [string, string] => !!m && m[0] === prefix).map((m) => m[1]));
  for (let i = 0; ; i++) {
    if (!usedLetters.has(letters(i))) return `${prefix}${letters(i)}`;
  }
}
