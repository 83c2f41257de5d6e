/**
 * The file driver: each volume is a file in `<data_dir>/volumes/<host>/` (`volume-<id>`), a
 * sparse raw file or a qcow2 image made with qemu-img; a snapshot is a copy of the volume's file
 * (`snapshot-<id>`, holes kept); a volume from a snapshot or another volume starts as a copy,
 * then grows to its size. Hosts attach it by path: connection info of driver_volume_type
 * `file` with the path and format. One pool, named after the backend; capacity is the file
 * system's (or [backend_defaults] file_capacity_gb), thin provisioned.
 */
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdir, open, readdir, rm, stat, statfs, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { createWriteStream } from 'node:fs';
import { rename } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { VolumeBackendAPIException } from '../../errors.js';
import type { BackendObject, BackendStats, BackupDevice, DriverSnapshot, DriverVolume, ModelUpdate, VolumeDriver } from './driver.js';
import { convertImage, createImage, imageInfo, qemuImgAvailable, resizeImage } from './qemu-img.js';

const run = promisify(execFile);
const GiB = 1024 ** 3;
/** `volume-<id>` and `snapshot-<id>`, with a suffix for temporary files (`.image`, `.revert`, `.restore`). */
const OBJECT_NAME = /^(volume|snapshot)-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(\..+)?$/;

export interface FileDriverOptions {
  /** `<data_dir>/volumes/<host>`. */
  dir: string;
  backendName: string;
  format: 'raw' | 'qcow2';
  /** GiB; 0: the file system's size. */
  capacityGb: number;
  maxOverSubscriptionRatio: number;
  reservedPercentage: number;
  thinProvisioning: boolean;
}

export class FileDriver implements VolumeDriver {
  constructor(private readonly o: FileDriverOptions) {}

  volumePath(id: string): string {
    return join(this.o.dir, `volume-${id}`);
  }

  snapshotPath(id: string): string {
    return join(this.o.dir, `snapshot-${id}`);
  }

  async doSetup(): Promise<void> {
    await mkdir(this.o.dir, { recursive: true, mode: 0o700 });
    if (this.o.format === 'qcow2' && !(await qemuImgAvailable())) {
      throw new VolumeBackendAPIException('file_volume_format = qcow2 needs qemu-img (Debian: apt-get install qemu-utils)');
    }
  }

  async getVolumeStats(provisionedGb: number): Promise<BackendStats> {
    let total = this.o.capacityGb;
    let free = total - provisionedGb;
    if (total === 0) {
      const fs = await statfs(this.o.dir);
      total = Math.floor((fs.blocks * fs.bsize) / GiB);
      free = Math.floor((fs.bavail * fs.bsize) / GiB);
    } else if (!this.o.thinProvisioning) {
      free = Math.max(0, free);
    } else {
      free = Math.max(0, total - await this.usedGb());
    }
    return {
      volume_backend_name: this.o.backendName, vendor_name: 'Nubo', driver_version: '1.0.0', storage_protocol: 'file',
      pools: [{
        pool_name: this.o.backendName, total_capacity_gb: total, free_capacity_gb: free, allocated_capacity_gb: provisionedGb,
        provisioned_capacity_gb: provisionedGb, reserved_percentage: this.o.reservedPercentage,
        max_over_subscription_ratio: this.o.maxOverSubscriptionRatio, thin_provisioning_support: this.o.thinProvisioning,
        thick_provisioning_support: !this.o.thinProvisioning, multiattach: true, QoS_support: false, volume_format: this.o.format,
      }],
    };
  }

  /** GiB the volume and snapshot files really take (sparse files: their allocated blocks). */
  private async usedGb(): Promise<number> {
    const { stdout } = await run('du', ['-s', '--block-size=1', this.o.dir]).catch(() => ({ stdout: '0' }));
    return Math.ceil(Number(stdout.split(/\s/)[0] ?? 0) / GiB);
  }

  async createVolume(volume: DriverVolume): Promise<ModelUpdate> {
    const path = this.volumePath(volume.id);
    if (this.o.format === 'qcow2') {
      await createImage(path, 'qcow2', volume.size);
    } else {
      const handle = await open(path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
      try {
        await handle.truncate(volume.size * GiB);
      } finally {
        await handle.close();
      }
    }
    return { provider_location: path };
  }

  private async copy(from: string, to: string): Promise<void> {
    try {
      await access(from);
      await run('cp', ['--sparse=always', '--reflink=auto', from, to]);
    } catch (err) {
      throw new VolumeBackendAPIException(`cannot copy ${from}: ${(err as Error).message}`);
    }
  }

  private async grow(path: string, sizeGb: number): Promise<void> {
    if (this.o.format === 'qcow2') await resizeImage(path, 'qcow2', sizeGb);
    else if ((await stat(path)).size < sizeGb * GiB) await truncate(path, sizeGb * GiB);
  }

  async createVolumeFromSnapshot(volume: DriverVolume, snapshot: DriverSnapshot): Promise<ModelUpdate> {
    const path = this.volumePath(volume.id);
    await this.copy(snapshot.provider_location ?? this.snapshotPath(snapshot.id), path);
    if (volume.size > snapshot.volume_size) await this.grow(path, volume.size);
    return { provider_location: path };
  }

  async createClonedVolume(volume: DriverVolume, source: DriverVolume): Promise<ModelUpdate> {
    const path = this.volumePath(volume.id);
    await this.copy(source.provider_location ?? this.volumePath(source.id), path);
    if (volume.size > source.size) await this.grow(path, volume.size);
    return { provider_location: path };
  }

  /**
   * The image's bytes go to a temporary file first; a raw image becomes a raw volume as it is,
   * anything else (or a qcow2 volume) goes through `qemu-img convert`; then the volume grows to
   * its size. An image larger than the volume is refused.
   */
  async copyImageToVolume(volume: DriverVolume, data: Readable, diskFormat: string): Promise<ModelUpdate> {
    const path = this.volumePath(volume.id);
    const tmp = `${path}.image`;
    try {
      await pipeline(data, createWriteStream(tmp, { mode: 0o600 }));
      const sameFormat = diskFormat === this.o.format || (diskFormat === 'raw' && this.o.format === 'raw');
      if (!sameFormat || this.o.format === 'qcow2') {
        if (!(await qemuImgAvailable())) throw new VolumeBackendAPIException(`converting a ${diskFormat} image needs qemu-img (Debian: qemu-utils)`);
        const info = await imageInfo(tmp, diskFormat);
        if (info.backingFile) throw new VolumeBackendAPIException('the image has a backing file');
        if (info.virtualSize > volume.size * GiB) throw new VolumeBackendAPIException(`the image (${info.virtualSize} bytes) is larger than the volume`);
        await convertImage(tmp, diskFormat, path, this.o.format);
        await rm(tmp, { force: true });
      } else {
        if ((await stat(tmp)).size > volume.size * GiB) throw new VolumeBackendAPIException('the image is larger than the volume');
        await rename(tmp, path);
      }
      await this.grow(path, volume.size);
      return { provider_location: path };
    } catch (err) {
      await rm(tmp, { force: true });
      await rm(path, { force: true });
      throw err;
    }
  }

  async extendVolume(volume: DriverVolume, newSize: number): Promise<void> {
    await this.grow(volume.provider_location ?? this.volumePath(volume.id), newSize);
  }

  /** The snapshot's file copied to a temporary name, then over the volume's (a failed copy leaves the volume as it was). */
  async revertToSnapshot(volume: DriverVolume, snapshot: DriverSnapshot): Promise<void> {
    const path = volume.provider_location ?? this.volumePath(volume.id);
    const tmp = `${path}.revert`;
    try {
      await this.copy(snapshot.provider_location ?? this.snapshotPath(snapshot.id), tmp);
      await this.grow(tmp, volume.size);
      await rename(tmp, path);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  async deleteVolume(volume: DriverVolume): Promise<void> {
    await rm(this.volumePath(volume.id), { force: true });
  }

  async createSnapshot(snapshot: DriverSnapshot, volume: DriverVolume): Promise<ModelUpdate> {
    const path = this.snapshotPath(snapshot.id);
    await this.copy(volume.provider_location ?? this.volumePath(volume.id), path);
    return { provider_location: path };
  }

  async deleteSnapshot(snapshot: DriverSnapshot): Promise<void> {
    await rm(this.snapshotPath(snapshot.id), { force: true });
  }

  /** The file a manage reference names: `source-name`, a file name in this host's directory. */
  private referenced(ref: Record<string, unknown>): string {
    const name = ref['source-name'];
    if (typeof name !== 'string' || name === '' || name.includes('/') || name === '.' || name === '..') {
      throw new VolumeBackendAPIException("the reference must be {'source-name': <file name in the backend's directory>}");
    }
    return join(this.o.dir, name);
  }

  private async sizeGbOf(path: string): Promise<number> {
    const bytes = this.o.format === 'qcow2' ? (await imageInfo(path, 'qcow2')).virtualSize : (await stat(path)).size;
    return Math.max(1, Math.ceil(bytes / GiB));
  }

  async manageExistingGetSize(ref: Record<string, unknown>): Promise<number> {
    const path = this.referenced(ref);
    await access(path).catch(() => { throw new VolumeBackendAPIException(`no file ${String(ref['source-name'])} to manage`); });
    return this.sizeGbOf(path);
  }

  /** The file becomes `volume-<id>` (as the LVM driver renames its LV), at a whole number of GiB. */
  async manageExisting(volume: DriverVolume, ref: Record<string, unknown>): Promise<ModelUpdate> {
    const from = this.referenced(ref);
    const path = this.volumePath(volume.id);
    if (from !== path) await rename(from, path);
    await this.grow(path, volume.size);
    return { provider_location: path };
  }

  async unmanage(): Promise<void> {
    // the file stays where it is, under its name
  }

  async listManageable(): Promise<Array<{ name: string; sizeGb: number }>> {
    const names = (await readdir(this.o.dir)).filter((n) => n.startsWith('volume-') && !n.includes('.'));
    const out = [];
    for (const name of names.sort()) out.push({ name, sizeGb: await this.sizeGbOf(join(this.o.dir, name)).catch(() => 0) });
    return out;
  }

  async initializeConnection(volume: DriverVolume, _connector: Record<string, unknown>): Promise<{ driver_volume_type: string; data: Record<string, unknown> }> {
    const path = volume.provider_location ?? this.volumePath(volume.id);
    await access(path).catch(() => { throw new VolumeBackendAPIException(`the file of volume ${volume.id} is missing`); });
    return { driver_volume_type: 'file', data: { device_path: path, format: this.o.format, volume_id: volume.id, name: `volume-${volume.id}` } };
  }

  async terminateConnection(): Promise<void> {
    // A file needs no export to undo.
  }

  async listBackendObjects(): Promise<BackendObject[]> {
    const out: BackendObject[] = [];
    for (const name of await readdir(this.o.dir)) {
      const m = OBJECT_NAME.exec(name);
      if (m) out.push({ name, kind: m[1] as 'volume' | 'snapshot', id: m[2]!, temporary: m[3] !== undefined });
    }
    return out;
  }

  async removeBackendObject(name: string): Promise<void> {
    if (!OBJECT_NAME.test(name)) throw new VolumeBackendAPIException(`${name} is not a volume or snapshot file`);
    await rm(join(this.o.dir, name), { force: true });
  }

  async backupDevice(target: { volume: DriverVolume } | { snapshot: DriverSnapshot }): Promise<BackupDevice> {
    const path = 'volume' in target
      ? target.volume.provider_location ?? this.volumePath(target.volume.id)
      : target.snapshot.provider_location ?? this.snapshotPath(target.snapshot.id);
    await access(path).catch(() => { throw new VolumeBackendAPIException(`the file ${path} is missing`); });
    return { path, format: this.o.format };
  }
}
