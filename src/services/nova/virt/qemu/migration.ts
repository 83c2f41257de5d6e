/**
 * Resize and cold migration with the qemu driver, as nova's libvirt driver does them:
 *  migrateDiskAndPowerOff (source): the guest is powered off (ACPI, then the power cord), its
 *    taps unplugged, its directory kept aside as <instances_path>/_resize/<uuid> (libvirt's
 *    <instance>_resize, under a directory of its own so that a restart does not adopt it), and
 *    its root disk (the qcow2 overlay) and config drive copied into the destination host's
 *    instances path (a local copy: see peer-host.ts). The disk info names what was sent.
 *  finishMigration (destination): the overlay is pointed to the same base image in this host's
 *    cache (downloaded from Glance when missing), grown with qemu-img resize when the flavor's
 *    root disk is larger, and the guest starts with the flavor's vCPUs and RAM (unless it was
 *    stopped).
 *  confirmMigration (source): the kept directory goes.
 *  finishRevertMigration (source): the kept directory comes back and the guest starts again
 *    (the destination's copy went with the manager's destroy there).
 * A disk is never shrunk (ResizeError, as libvirt's "Unable to resize disk down.").
 */
import { copyFile, mkdir, rename, rm } from 'node:fs/promises';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InstanceNotFound, MigrationError, ResizeError } from '../../errors.js';
import type { Flavor, Instance, VifInfo } from '../../objects/index.js';
import type { FinishMigrationArgs } from '../driver.js';
import type { GuestRecord, QemuDriverState } from './driver-state.js';
import { guestPaths } from './paths.js';
import { peerInstancesPath } from './peer-host.js';
import { PowerState } from '../../compute/power-state.js';
import { diskInfo, growDisk, rebaseUnsafe } from './qemu-img.js';

const GIB = 1024 ** 3;

/** What migrateDiskAndPowerOff hands to the destination (nova's disk_info, as JSON). */
export interface MovedDisks {
  /** The root disk's virtual size on the source, in bytes. */
  virtualSize: number;
  configDrive: boolean;
  /** The source's guest.json (volumes, MACs, kernel boot). */
  record: GuestRecord;
}

export class ColdMigration {
  constructor(private readonly d: QemuDriverState) {}

  /** <instances_path>/_resize/<uuid>: the source's guest while a move waits for its confirm or revert. */
  private keptDir(uuid: string): string {
    return join(this.d.o.instancesPath, '_resize', uuid);
  }

  async migrateDiskAndPowerOff(instance: Instance, destHost: string, flavor: Flavor, networkInfo: readonly VifInfo[]): Promise<string> {
    const uuid = instance.uuid;
    const g = this.d.guests.get(uuid);
    const record = this.d.records.get(uuid);
    if (!g || !record) throw new InstanceNotFound(uuid);
    const destDir = join(peerInstancesPath(this.d.o, destHost), uuid);
    if (existsSync(destDir)) throw new MigrationError(`${destHost} already has a directory for instance ${uuid} (${destDir})`);
    const size = (await diskInfo(g.paths.disk, 'qcow2', g.running)).virtualSize;
    const newRoot = flavor.data.root_gb * GIB;
    if (newRoot > 0 && newRoot < size) throw new ResizeError('Unable to resize disk down.');

    const wasRunning = g.running;
    await this.d.powerOff(instance);
    for (const vif of networkInfo) await this.d.o.vifs.unplug(vif);
    const kept = this.keptDir(uuid);
    await mkdir(join(kept, '..'), { recursive: true });
    await rename(g.paths.dir, kept);
    try {
      await mkdir(destDir);
      await copyFile(join(kept, 'disk'), join(destDir, 'disk'));
      const configDrive = existsSync(join(kept, 'disk.config'));
      if (configDrive) await copyFile(join(kept, 'disk.config'), join(destDir, 'disk.config'));
      this.d.guests.delete(uuid);
      this.d.records.delete(uuid);
      return JSON.stringify({ virtualSize: size, configDrive, record } satisfies MovedDisks);
    } catch (err) {
      // as nova's cleanup after a failed copy: the destination's copy goes, the guest is back as it was
      await rm(destDir, { recursive: true, force: true });
      await rename(kept, g.paths.dir);
      if (wasRunning) await this.d.startWithVifs(instance, networkInfo).catch(() => undefined);
      throw new MigrationError(`copying the disk of ${uuid} to ${destHost}: ${(err as Error).message}`);
    }
  }

  async finishMigration(args: FinishMigrationArgs): Promise<void> {
    const { instance, networkInfo, image } = args;
    const uuid = instance.uuid;
    const moved = JSON.parse(args.diskInfo) as MovedDisks;
    const flavor = instance.data.flavor.data;
    const paths = guestPaths(this.d.o.instancesPath, uuid);
    if (!existsSync(paths.disk)) throw new MigrationError(`the disk of ${uuid} did not reach ${this.d.o.host} (${paths.disk})`);
    const base = await this.d.cache.base(image);
    await rebaseUnsafe(paths.disk, base.path, base.format);
    if (flavor.root_gb * GIB > moved.virtualSize) await growDisk(paths.disk, flavor.root_gb * GIB);
    const { kernel: _sourceKernel, ...rest } = moved.record;
    const record: GuestRecord = {
      ...rest, vcpus: flavor.vcpus, memoryMb: flavor.memory_mb, diskGb: flavor.root_gb + flavor.ephemeral_gb,
      macs: networkInfo.map((v) => v.address), ...(await this.d.kernelBoot(image)),
    };
    writeFileSync(paths.record, JSON.stringify(record));
    this.d.guests.set(uuid, this.d.newGuest(uuid));
    this.d.records.set(uuid, record);
    if (args.powerOn) await this.d.startWithVifs(instance, networkInfo);
  }

  async confirmMigration(instance: Instance): Promise<void> {
    await rm(this.keptDir(instance.uuid), { recursive: true, force: true });
  }

  async finishRevertMigration(instance: Instance, networkInfo: readonly VifInfo[], powerOn: boolean): Promise<void> {
    const uuid = instance.uuid;
    const paths = guestPaths(this.d.o.instancesPath, uuid);
    const kept = this.keptDir(uuid);
    if (existsSync(kept)) await rename(kept, paths.dir);
    if (!existsSync(paths.record)) throw new InstanceNotFound(uuid);
    const g = this.d.guests.get(uuid) ?? this.d.newGuest(uuid);
    this.d.guests.set(uuid, g);
    this.d.records.set(uuid, JSON.parse(readFileSync(paths.record, 'utf8')) as GuestRecord);
    if (powerOn && !g.running) await this.d.startWithVifs(instance, networkInfo);
    else if (!powerOn) g.state = PowerState.SHUTDOWN;
  }
}
