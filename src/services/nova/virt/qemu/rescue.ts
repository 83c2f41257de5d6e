/**
 * Rescue as nova's libvirt driver does it: the guest (powered off by the compute manager)
 * starts again from a rescue disk, a fresh qcow2 overlay on the rescue image (the one asked
 * for, or the image the server was built from: the manager chooses), booted first, with the
 * guest's own root disk attached second (vdb) and the same NICs, config drive and volumes.
 * The rescue image's kernel_id/ramdisk_id boot directly, as a spawn's would. Unrescue starts
 * the guest from its own disk again and removes the rescue overlay (libvirt's *.rescue files).
 *
 * That the guest is rescued is kept in its record (guest.json), so that a reboot, a power on or
 * a restart of the compute service (adoption) keep the rescue disks until unrescue.
 *
 * Departure from libvirt: the rescue password is not injected (the qemu driver injects no
 * admin password at spawn either); the guest's own config drive is attached as it is.
 */
import { rmSync } from 'node:fs';
import type { GuestSpec, KernelBoot } from './command-line.js';
import type { CachedImage } from './image-cache.js';
import type { GuestPaths } from './paths.js';
import { createOverlay } from './qemu-img.js';
import type { VolumeDisk } from './volumes.js';

/** What the record keeps of a rescue: the rescue image's direct kernel boot, if it has one. */
export interface RescueBoot {
  kernel?: KernelBoot;
}

/** The boot disks (and kernel) of a guest: its own root disk and kernel, or while rescued the rescue disk first and its own disk second. */
export function bootDisks(paths: GuestPaths, record: { kernel?: KernelBoot; rescue?: RescueBoot; rootVolume?: VolumeDisk } | undefined): Pick<GuestSpec, 'disk' | 'diskFormat' | 'originalDisk' | 'kernel'> {
  if (record?.rescue) {
    return { disk: paths.rescueDisk, originalDisk: paths.disk, ...(record.rescue.kernel ? { kernel: record.rescue.kernel } : {}) };
  }
  const root = record?.rootVolume ? { disk: record.rootVolume.path, diskFormat: record.rootVolume.format } : { disk: paths.disk };
  return { ...root, ...(record?.kernel ? { kernel: record.kernel } : {}) };
}

/** A fresh rescue disk: an overlay on the rescue image's cached base, of the image's own size (a stale one is replaced). */
export async function createRescueDisk(paths: GuestPaths, base: CachedImage): Promise<void> {
  removeRescueDisk(paths);
  await createOverlay(paths.rescueDisk, base.path, base.format);
}

/** The rescue disk goes (a missing one is not an error). */
export function removeRescueDisk(paths: GuestPaths): void {
  rmSync(paths.rescueDisk, { force: true });
}
