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
import { mkdir, open, rm, stat, statfs, truncate, access } from 'node:fs/promises';
import { join } from 'node:path';
import { createWriteStream } from 'node:fs';
import { rename } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { VolumeBackendAPIException } from '../../errors.js';
import type { BackendStats, BackupDevice, DriverSnapshot, DriverVolume, ModelUpdate, VolumeDriver } from './driver.js';
import { convertImage, createImage, imageInfo, qemuImgAvailable, resizeImage } from './qemu-img.js';

const run = promisify(execFile);
const GiB = 1024 ** 3;

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

  async initializeConnection(volume: DriverVolume, _connector: Record<string, unknown>): Promise<{ driver_volume_type: string; data: Record<string, unknown> }> {
    const path = volume.provider_location ?? this.volumePath(volume.id);
    await access(path).catch(() => { throw new VolumeBackendAPIException(`the file of volume ${volume.id} is missing`); });
    return { driver_volume_type: 'file', data: { device_path: path, format: this.o.format, volume_id: volume.id, name: `volume-${volume.id}` } };
  }

  async terminateConnection(): Promise<void> {
    // A file needs no export to undo.
  }

  async backupDevice(target: { volume: DriverVolume } | { snapshot: DriverSnapshot }): Promise<BackupDevice> {
    const path = 'volume' in target
      ? target.volume.provider_location ?? this.volumePath(target.volume.id)
      : target.snapshot.provider_location ?? this.snapshotPath(target.snapshot.id);
    await access(path).catch(() => { throw new VolumeBackendAPIException(`the file ${path} is missing`); });
    return { path, format: this.o.format };
  }
}
