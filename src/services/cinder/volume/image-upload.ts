/**
 * The data of a volume as a Glance image of a given disk format (copy_volume_to_image's
 * upload_volume): a raw volume for a raw image is streamed as it is; otherwise `qemu-img
 * convert` writes the image format (vhd is qemu's vpc, ploop its parallels) to a scratch file
 * next to the volume, which is streamed and removed. Never read whole into memory.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { VolumeBackendAPIException } from '../errors.js';
import type { BackupDevice } from './drivers/driver.js';
import { convertImage, qemuImgAvailable } from './drivers/qemu-img.js';

const QEMU_FORMATS: Readonly<Record<string, string>> = { raw: 'raw', qcow2: 'qcow2', vmdk: 'vmdk', vdi: 'vdi', vhd: 'vpc', vhdx: 'vhdx', ploop: 'parallels' };

export async function withImageData<T>(dev: BackupDevice, diskFormat: string, use: (data: Readable, size: number) => Promise<T>): Promise<T> {
  const target = QEMU_FORMATS[diskFormat];
  if (!target) throw new VolumeBackendAPIException(`disk format ${diskFormat} cannot be written`);
  if (target === dev.format) return use(createReadStream(dev.path, { highWaterMark: 1 << 20 }), (await stat(dev.path)).size);
  if (!(await qemuImgAvailable())) throw new VolumeBackendAPIException(`a ${diskFormat} image of a ${dev.format} volume needs qemu-img (Debian: qemu-utils)`);
  const tmp = `${dev.path}.upload-${randomUUID()}`;
  try {
    await convertImage(dev.path, dev.format, tmp, target);
    return await use(createReadStream(tmp, { highWaterMark: 1 << 20 }), (await stat(tmp)).size);
  } finally {
    await rm(tmp, { force: true });
  }
}
