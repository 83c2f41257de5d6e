/**
 * The volume data a backup service reads and writes (cinder/backup/manager.py's attach of the
 * backup device, for the file driver's local files): a raw file is streamed as it is; a qcow2
 * one goes through a raw copy made with qemu-img in the service's scratch directory, so that
 * backups hold the volume's raw bytes whatever the backend's format. Nothing is read whole
 * into memory. A restore's data is on disk (fsync) before the volume is said to hold it, as
 * Cinder's chunked driver flushes what it restores.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, open, rename, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { BackupDevice } from '../volume/drivers/driver.js';
import { convertImage } from '../volume/drivers/qemu-img.js';
import { BackupDriverException } from './errors.js';

const GiB = 1024 ** 3;
const run = promisify(execFile);

/** Read size of a device: 4 MiB slices, each a fresh buffer (the consumer may still hold the previous one). */
const SLICE = 4 * 1024 * 1024;

/** A file's bytes in slices (fs.read into unpooled buffers: far quicker than a ReadStream's small chunks). */
export async function* readFile(path: string): AsyncGenerator<Buffer> {
  const fh = await open(path, 'r');
  try {
    for (let at = 0; ;) {
      const buf = Buffer.allocUnsafe(SLICE);
      const { bytesRead } = await fh.read(buf, 0, SLICE, at);
      if (bytesRead === 0) return;
      at += bytesRead;
      yield bytesRead === SLICE ? buf : buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}

/** Flush a file's data to disk. */
async function fsyncFile(path: string): Promise<void> {
  const fh = await open(path, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export class BackupDevices {
  constructor(private readonly scratchDir: string) {}

  private async scratch(): Promise<string> {
    await mkdir(this.scratchDir, { recursive: true, mode: 0o700 });
    return join(this.scratchDir, `raw-${randomUUID()}`);
  }

  /** The raw bytes of a device, read as `use` consumes them. */
  async read<T>(dev: BackupDevice, use: (data: AsyncIterable<Buffer>) => Promise<T>): Promise<T> {
    if (dev.format === 'raw') return use(readFile(dev.path));
    const tmp = await this.scratch();
    try {
      await convertImage(dev.path, 'qcow2', tmp, 'raw');
      return await use(readFile(tmp));
    } finally {
      await rm(tmp, { force: true });
    }
  }

  /**
   * Let `write` fill the raw bytes of a device of `sizeGb` (a raw file directly; qcow2 through a
   * raw copy converted back). The first `dataBytes` of the device are made zeros first (holes
   * punched with fallocate), so `write` is told it may skip zeros; without fallocate it is not.
   */
  async write(dev: BackupDevice, sizeGb: number, dataBytes: number, write: (rawPath: string, sparse: boolean) => Promise<void>): Promise<void> {
    if (dev.format === 'raw') {
      const st = await stat(dev.path).catch(() => { throw new BackupDriverException(`the volume file ${dev.path} is missing`); });
      if (st.size < sizeGb * GiB) await truncate(dev.path, sizeGb * GiB);
      const zeroed = await run('fallocate', ['--punch-hole', '--keep-size', '--offset', '0', '--length', String(Math.min(dataBytes, sizeGb * GiB)), dev.path])
        .then(() => true, () => false);
      await write(dev.path, zeroed);
      await fsyncFile(dev.path);
      return;
    }
    const tmp = await this.scratch();
    try {
      await writeFile(tmp, '', { mode: 0o600 });
      await truncate(tmp, sizeGb * GiB);
      await write(tmp, true);
      await convertImage(tmp, 'raw', `${dev.path}.restore`, 'qcow2');
      await fsyncFile(`${dev.path}.restore`);
      await rename(`${dev.path}.restore`, dev.path);
    } finally {
      await rm(tmp, { force: true });
      await rm(`${dev.path}.restore`, { force: true });
    }
  }
}
