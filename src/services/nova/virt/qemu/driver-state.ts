/**
 * What the qemu driver's move modules (migration.ts, live-migration.ts) reach of the driver:
 * its options, the guests it knows and what it keeps of them (guest.json), its image cache, and
 * the steps of a boot they share with spawn and power on.
 */
import type { Instance, ImageMeta, VifInfo } from '../../objects/index.js';
import type { GuestSpec, KernelBoot } from './command-line.js';
import type { QemuDriverOptions } from './driver.js';
import type { Guest } from './guest.js';
import type { ImageCache } from './image-cache.js';
import type { VolumeDisk } from './volumes.js';
import type { RescueBoot } from './rescue.js';

/** What guest.json keeps of a guest: enough to find and size it after a restart. */
export interface GuestRecord {
  uuid: string;
  name: string;
  vcpus: number;
  memoryMb: number;
  diskGb: number;
  macs: string[];
  /** Cinder volumes attached, by mountpoint order of attachment. */
  volumes: VolumeDisk[];
  /** Volume-backed: the root disk is this Cinder volume (vda), no local disk. */
  rootVolume?: VolumeDisk;
  /** Booted from the image's kernel_id/ramdisk_id. */
  kernel?: KernelBoot;
  /** Rescued: booted from the rescue disk (rescue.ts) until unrescued. */
  rescue?: RescueBoot;
}

export interface QemuDriverState {
  readonly o: QemuDriverOptions;
  readonly guests: Map<string, Guest>;
  readonly records: Map<string, GuestRecord>;
  readonly cache: ImageCache;
  newGuest(uuid: string): Guest;
  /** Plug the ports and describe the guest for QEMU. */
  plugAndSpec(instance: Instance, networkInfo: readonly VifInfo[]): Promise<GuestSpec>;
  /** Start the known guest's QEMU, paused while Neutron's network-vif-plugged events are awaited (as spawn). */
  startWithVifs(instance: Instance, networkInfo: readonly VifInfo[]): Promise<void>;
  /** The image's kernel_id/ramdisk_id, fetched into the cache; {} when it has none. */
  kernelBoot(image: ImageMeta): Promise<{ kernel?: KernelBoot }>;
  powerOff(instance: Instance, timeoutSeconds?: number): Promise<void>;
  /** The guest's QEMU, taps and files go. */
  cleanup(instance: Instance, networkInfo: readonly VifInfo[]): Promise<void>;
}
