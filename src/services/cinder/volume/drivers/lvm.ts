/**
 * The LVM driver (cinder/volume/drivers/lvm.py with brick's local_dev/lvm.py): each volume is a
 * logical volume `volume-<id>` of the volume group `[backend_defaults] volume_group`, thick
 * (`lvcreate -L`) or, with `lvm_type = thin`, a thin volume of the pool `<vg>-pool` (made at
 * setup from 95 % of the free space when missing). Snapshots are LVM snapshots `_snapshot-<id>`
 * (LVM reserves names starting with "snapshot"); volumes from a snapshot and clones are new
 * LVs filled with dd (thick: from a temporary snapshot `clone-snap-<id>` of the source) or thin
 * snapshots. Deleted thick LVs are zeroed first (`volume_clear`). Hosts attach the LV's device
 * node: connection info of driver_volume_type `local`. Every command goes through a CommandRunner.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InvalidVolume, VolumeBackendAPIException } from '../../errors.js';
import { runCommand, type CommandRunner } from './command-runner.js';
import type { BackendObject, BackendStats, BackupDevice, DriverSnapshot, DriverVolume, ModelUpdate, VolumeDriver } from './driver.js';
import { lvsArgs, parseLvs, parseVgs, vgsArgs, type LvReport } from './lvm-reports.js';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
/** `volume-<id>`, `_snapshot-<id>` and the temporary snapshot of a clone `clone-snap-<id>`. */
const OBJECT_NAME = new RegExp(`^(volume|_snapshot|clone-snap)-(${UUID})$`);
/** activation { retry_deactivation = 1 }: brick's lvremove, against udev holding the device. */
const LVREMOVE_CONFIG = 'activation { retry_deactivation = 1} ';

export interface LvmDriverOptions {
  backendName: string;
  volumeGroup: string;
  lvmType: 'default' | 'thin';
  volumeClear: 'zero' | 'none';
  /** MiB zeroed at the start of a deleted LV; 0: all of it. */
  volumeClearSizeMb: number;
  maxOverSubscriptionRatio: number;
  reservedPercentage: number;
  /** Where images are downloaded before qemu-img writes them to an LV. */
  workDir: string;
  run?: CommandRunner;
}

export class LvmDriver implements VolumeDriver {
  private readonly run: CommandRunner;
  private readonly vg: string;
  readonly thinPool: string;

  constructor(private readonly o: LvmDriverOptions) {
    this.run = o.run ?? runCommand;
    this.vg = o.volumeGroup;
    this.thinPool = `${o.volumeGroup}-pool`;
  }

  private get thin(): boolean {
    return this.o.lvmType === 'thin';
  }

  /** The device node of an LV, as upstream's local_path (`-` doubled in /dev/mapper names). */
  devicePath(lv: string): string {
    return `/dev/mapper/${this.vg.replace(/-/g, '--')}-${lv.replace(/-/g, '--')}`;
  }

  volumePath(id: string): string {
    return this.devicePath(`volume-${id}`);
  }

  snapshotPath(id: string): string {
    return this.devicePath(`_snapshot-${id}`);
  }

  private lv(name: string): string {
    return `${this.vg}/${name}`;
  }

  private lvs(): Promise<LvReport[]> {
    return this.run('lvs', lvsArgs(this.vg)).then(parseLvs);
  }

  private async find(name: string): Promise<LvReport | undefined> {
    return (await this.lvs()).find((l) => l.name === name);
  }

  async doSetup(): Promise<void> {
    await mkdir(this.o.workDir, { recursive: true, mode: 0o700 });
    const vg = parseVgs(await this.run('vgs', vgsArgs(this.vg)));
    if (this.thin && !(await this.find(this.thinPool))) {
      await this.run('lvcreate', ['-T', '-L', `${Math.floor(vg.freeGb * 0.95)}g`, this.lv(this.thinPool)]);
    }
  }

  async getVolumeStats(): Promise<BackendStats> {
    const vg = parseVgs(await this.run('vgs', vgsArgs(this.vg)));
    const lvs = await this.lvs();
    let total = vg.sizeGb;
    let free = vg.freeGb;
    let provisioned = Math.round((total - free) * 100) / 100;
    if (this.thin) {
      const pool = lvs.find((l) => l.name === this.thinPool);
      total = pool?.sizeGb ?? 0;
      free = Math.round(total * (1 - (pool?.dataPercent ?? 0) / 100) * 100) / 100;
      provisioned = lvs.filter((l) => l.attr.startsWith('V')).reduce((sum, l) => sum + l.sizeGb, 0);
    }
    return {
      volume_backend_name: this.o.backendName, vendor_name: 'Open Source', driver_version: '3.0.0', storage_protocol: 'local',
      pools: [{
        pool_name: this.o.backendName, total_capacity_gb: total, free_capacity_gb: free, allocated_capacity_gb: provisioned,
        provisioned_capacity_gb: provisioned, reserved_percentage: this.o.reservedPercentage,
        max_over_subscription_ratio: this.o.maxOverSubscriptionRatio, thin_provisioning_support: this.thin,
        thick_provisioning_support: !this.thin, multiattach: true, QoS_support: false, total_volumes: lvs.filter((l) => OBJECT_NAME.test(l.name)).length,
        location_info: `LVMVolumeDriver:${this.o.backendName}:${this.vg}:${this.o.lvmType}:0`,
      }],
    };
  }

  private async createLv(name: string, sizeGb: number): Promise<void> {
    if (this.thin) await this.run('lvcreate', ['-T', '-V', `${sizeGb}g`, '-n', name, this.lv(this.thinPool)]);
    else await this.run('lvcreate', ['-n', name, this.vg, '-L', `${sizeGb}g`]);
  }

  /** A snapshot LV `name` of `source` (thick: as large as the source); thin snapshots are activated (they skip activation). */
  private async snapshotLv(name: string, source: string, sizeGb: number): Promise<void> {
    await this.run('lvcreate', ['--name', name, '--snapshot', this.lv(source), ...(this.thin ? [] : ['-L', `${sizeGb}g`])]);
    if (this.thin) await this.run('lvchange', ['-a', 'y', '--yes', '-K', this.lv(name)]);
  }

  /** copy_volume: `sizeGb` GiB from one device to another with dd; `sparse` (onto a new thin volume, zeroed): zero blocks skipped. */
  private async copy(from: string, to: string, sizeGb: number, sparse = this.thin): Promise<void> {
    await this.run('dd', [`if=${from}`, `of=${to}`, `count=${sizeGb * 1024}`, 'bs=1M', sparse ? 'conv=fdatasync,sparse' : 'conv=fdatasync']);
  }

  private async removeLv(name: string): Promise<void> {
    await this.run('lvremove', ['--config', LVREMOVE_CONFIG, '-f', this.lv(name)]);
  }

  async createVolume(volume: DriverVolume): Promise<ModelUpdate> {
    await this.createLv(`volume-${volume.id}`, volume.size);
    return {};
  }

  async createVolumeFromSnapshot(volume: DriverVolume, snapshot: DriverSnapshot): Promise<ModelUpdate> {
    const name = `volume-${volume.id}`;
    if (this.thin) {
      await this.snapshotLv(name, `_snapshot-${snapshot.id}`, snapshot.volume_size);
      if (volume.size > snapshot.volume_size) await this.extendVolume(volume, volume.size);
      return {};
    }
    await this.createLv(name, volume.size);
    await this.copy(this.snapshotPath(snapshot.id), this.volumePath(volume.id), snapshot.volume_size);
    return {};
  }

  async createClonedVolume(volume: DriverVolume, source: DriverVolume): Promise<ModelUpdate> {
    if (volume.id === source.id) throw new VolumeBackendAPIException('the LVM driver cannot be the target of a volume migration');
    const name = `volume-${volume.id}`;
    if (this.thin) {
      await this.snapshotLv(name, `volume-${source.id}`, source.size);
      if (volume.size > source.size) await this.extendVolume(volume, volume.size);
      return {};
    }
    const temp = `clone-snap-${volume.id}`;
    await this.snapshotLv(temp, `volume-${source.id}`, source.size);
    try {
      await this.createLv(name, volume.size);
      await this.copy(this.devicePath(temp), this.volumePath(volume.id), source.size);
    } finally {
      await this.removeLv(temp);
    }
    return {};
  }

  /** fetch_to_raw: the image to a temporary file, checked to fit, then `qemu-img convert -O raw` onto the LV. */
  async copyImageToVolume(volume: DriverVolume, data: Readable, diskFormat: string): Promise<ModelUpdate> {
    const tmp = join(this.o.workDir, `volume-${volume.id}.image`);
    try {
      await pipeline(data, createWriteStream(tmp, { mode: 0o600 }));
      const info = JSON.parse(await this.run('qemu-img', ['info', '--output=json', '-f', diskFormat, tmp])) as { 'virtual-size': number; 'backing-filename'?: string };
      if (info['backing-filename']) throw new VolumeBackendAPIException('the image has a backing file');
      if (info['virtual-size'] > volume.size * 1024 ** 3) throw new VolumeBackendAPIException(`the image (${info['virtual-size']} bytes) is larger than the volume`);
      await this.run('qemu-img', ['convert', '-f', diskFormat, '-O', 'raw', '-t', 'none', tmp, this.volumePath(volume.id)]);
      return {};
    } finally {
      await rm(tmp, { force: true });
    }
  }

  /** `lvextend -L`; the origin of thick snapshots is resized inactive (LVM's rule), as brick does. */
  async extendVolume(volume: DriverVolume, newSize: number): Promise<void> {
    const name = `volume-${volume.id}`;
    const origin = !this.thin && /^[oO]/.test((await this.find(name))?.attr ?? '');
    if (origin) await this.run('lvchange', ['-a', 'n', this.lv(name)]);
    await this.run('lvextend', ['-L', `${newSize}g`, this.lv(name)]);
    if (origin) await this.run('lvchange', ['-a', 'y', this.lv(name)]);
  }

  /**
   * Thick: `lvconvert --merge` of the snapshot into the volume (done when the volume is next
   * activated, hence the deactivation and activation), then the snapshot made again. Thin
   * (upstream leaves it to the generic copy): the snapshot's data copied over the volume.
   */
  async revertToSnapshot(volume: DriverVolume, snapshot: DriverSnapshot): Promise<void> {
    if (this.thin) {
      await this.run('lvchange', ['-a', 'y', '--yes', '-K', this.lv(`_snapshot-${snapshot.id}`)]);
      await this.copy(this.snapshotPath(snapshot.id), this.volumePath(volume.id), snapshot.volume_size, false);
      return;
    }
    await this.run('lvconvert', ['--merge', this.lv(`_snapshot-${snapshot.id}`)]);
    await this.run('lvchange', ['-a', 'n', this.lv(`volume-${volume.id}`)]);
    await this.run('lvchange', ['-a', 'y', this.lv(`volume-${volume.id}`)]);
    await this.snapshotLv(`_snapshot-${snapshot.id}`, `volume-${volume.id}`, volume.size);
  }

  /** Zeroes the start (volume_clear_size MiB) or all of a thick LV before it goes (thin LVs come zeroed from their pool). */
  private async clear(device: string, sizeGb: number): Promise<void> {
    if (this.o.volumeClear === 'none' || this.thin) return;
    const mib = this.o.volumeClearSizeMb > 0 ? Math.min(this.o.volumeClearSizeMb, sizeGb * 1024) : sizeGb * 1024;
    await this.run('dd', ['if=/dev/zero', `of=${device}`, `count=${mib}`, 'bs=1M', 'conv=fdatasync']);
  }

  async deleteVolume(volume: DriverVolume): Promise<void> {
    const lv = await this.find(`volume-${volume.id}`);
    if (!lv) return;
    if (/^[oO]/.test(lv.attr)) throw new InvalidVolume(`volume ${volume.id} has snapshots and cannot be deleted`);
    await this.clear(this.volumePath(volume.id), volume.size || Math.ceil(lv.sizeGb));
    await this.removeLv(lv.name);
  }

  async createSnapshot(snapshot: DriverSnapshot, volume: DriverVolume): Promise<ModelUpdate> {
    await this.snapshotLv(`_snapshot-${snapshot.id}`, `volume-${volume.id}`, volume.size);
    return {};
  }

  /** A thick snapshot is cleared through its copy-on-write device (`-cow`), as upstream does. */
  async deleteSnapshot(snapshot: DriverSnapshot): Promise<void> {
    const name = `_snapshot-${snapshot.id}`;
    if (!(await this.find(name))) return;
    await this.clear(`${this.snapshotPath(snapshot.id)}-cow`, snapshot.volume_size);
    await this.removeLv(name);
  }

  /** The LV a manage reference names: `source-name`, an LV of the volume group. */
  private async referenced(ref: Record<string, unknown>): Promise<LvReport> {
    const name = ref['source-name'];
    if (typeof name !== 'string' || name === '') throw new VolumeBackendAPIException("the reference must be {'source-name': <logical volume of the volume group>}");
    const lv = await this.find(name);
    if (!lv) throw new VolumeBackendAPIException(`no logical volume ${name} in ${this.vg} to manage`);
    if (!/^[-V]/.test(lv.attr)) throw new VolumeBackendAPIException(`${name} is not a plain or thin volume`);
    return lv;
  }

  async manageExistingGetSize(ref: Record<string, unknown>): Promise<number> {
    return Math.max(1, Math.ceil((await this.referenced(ref)).sizeGb));
  }

  /** The LV is renamed `volume-<id>` (lvrename, as upstream) and grown to a whole number of GiB. */
  async manageExisting(volume: DriverVolume, ref: Record<string, unknown>): Promise<ModelUpdate> {
    const lv = await this.referenced(ref);
    const name = `volume-${volume.id}`;
    if (lv.name !== name) await this.run('lvrename', [this.vg, lv.name, name]);
    if (lv.sizeGb < volume.size) await this.extendVolume(volume, volume.size);
    return {};
  }

  async unmanage(): Promise<void> {
    // the LV stays in the volume group under its name
  }

  async listManageable(): Promise<Array<{ name: string; sizeGb: number }>> {
    return (await this.lvs())
      .filter((l) => /^[-oV]/.test(l.attr))
      .map((l) => ({ name: l.name, sizeGb: Math.ceil(l.sizeGb) }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async initializeConnection(volume: DriverVolume, _connector: Record<string, unknown>): Promise<{ driver_volume_type: string; data: Record<string, unknown> }> {
    if (!(await this.find(`volume-${volume.id}`))) throw new VolumeBackendAPIException(`the logical volume of volume ${volume.id} is missing`);
    return { driver_volume_type: 'local', data: { device_path: this.volumePath(volume.id), volume_id: volume.id, name: `volume-${volume.id}` } };
  }

  async terminateConnection(): Promise<void> {
    // a local device needs no export to undo
  }

  async backupDevice(target: { volume: DriverVolume } | { snapshot: DriverSnapshot }): Promise<BackupDevice> {
    const name = 'volume' in target ? `volume-${target.volume.id}` : `_snapshot-${target.snapshot.id}`;
    if (!(await this.find(name))) throw new VolumeBackendAPIException(`the logical volume ${name} is missing`);
    return { path: this.devicePath(name), format: 'raw' };
  }

  async listBackendObjects(): Promise<BackendObject[]> {
    const out: BackendObject[] = [];
    for (const { name } of await this.lvs()) {
      const m = OBJECT_NAME.exec(name);
      if (m) out.push({ name, kind: m[1] === '_snapshot' ? 'snapshot' : 'volume', id: m[2]!, temporary: m[1] === 'clone-snap' });
    }
    return out;
  }

  async removeBackendObject(name: string): Promise<void> {
    if (!OBJECT_NAME.test(name)) throw new VolumeBackendAPIException(`${name} is not a volume or snapshot LV`);
    await this.removeLv(name);
  }
}
