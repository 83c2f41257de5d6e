/**
 * The `file` store (glance_store's filesystem driver): one file per image in a directory.
 * Data is streamed into a temporary file in the same directory, fsync'd, then renamed into
 * place and the directory fsync'd, so a crash or a cut-off upload never leaves a partial image
 * under the image's name; the temporary file is removed on any failure.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MeteringStream } from './metering.js';
import {
  guardSource, DataNotFound, DuplicateData, SizeMismatch, StorageFull, StorageWriteDenied,
  type AddOptions, type ByteRange, type ImageStore, type StoreCapabilities, type StoredData,
} from './store.js';

const TMP_PREFIX = '.partial-';

export interface FileStoreOptions {
  id: string;
  dir: string;
  description?: string;
  /** Add `{"store": id}` to location metadata (multi-store). */
  multiStore?: boolean;
  /** Write chunk size hint (glance_store's filesystem_store_chunk_size). */
  chunkSize?: number;
}

export class FileStore implements ImageStore {
  readonly type = 'file';
  readonly capabilities: StoreCapabilities = { randomAccess: true, writable: true };
  readonly id: string;
  readonly description: string;
  readonly dir: string;
  private readonly multiStore: boolean;
  private readonly chunkSize: number;
  private ready: Promise<void> | undefined;

  constructor(opts: FileStoreOptions) {
    this.id = opts.id;
    this.dir = resolve(opts.dir);
    this.description = opts.description ?? '';
    this.multiStore = opts.multiStore ?? false;
    this.chunkSize = opts.chunkSize ?? 64 * 1024;
  }

  /** Create the directory and drop temporary files a crash left behind. */
  init(): Promise<void> {
    this.ready ??= (async () => {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      for (const name of await readdir(this.dir)) {
        if (name.startsWith(TMP_PREFIX)) await unlink(join(this.dir, name)).catch(() => undefined);
      }
    })();
    return this.ready;
  }

  private pathFor(imageId: string): string {
    if (!/^[A-Za-z0-9._-]+$/.test(imageId) || imageId.startsWith('.')) throw new Error(`invalid image id for the file store: ${imageId}`);
    return join(this.dir, imageId);
  }

  /** The file path of a location of this store; throws DataNotFound for foreign locations. */
  private pathOf(location: string): string {
    let path: string;
    try {
      path = fileURLToPath(location);
    } catch {
      throw new DataNotFound(`not a file location: ${location}`);
    }
    const full = resolve(path);
    if (!full.startsWith(this.dir + sep)) throw new DataNotFound(`location is outside store ${this.id}: ${location}`);
    return full;
  }

  owns(location: string): boolean {
    try {
      this.pathOf(location);
      return true;
    } catch {
      return false;
    }
  }

  add(imageId: string, data: Readable, opts: AddOptions): Promise<StoredData> {
    return guardSource(data, () => this.write(imageId, data, opts));
  }

  private async write(imageId: string, data: Readable, opts: AddOptions): Promise<StoredData> {
    await this.init();
    const final = this.pathFor(imageId);
    if (await exists(final)) throw new DuplicateData(`Image file ${final} already exists`);
    const tmp = join(this.dir, `${TMP_PREFIX}${imageId}-${randomBytes(6).toString('hex')}`);
    const meter = new MeteringStream(opts.hashAlgo, opts.maxSize);
    // flush: the file is fsync'd before the stream reports 'close', which pipeline awaits.
    const file = createWriteStream(tmp, { flags: 'wx', mode: 0o600, flush: true, highWaterMark: this.chunkSize });
    try {
      await pipeline(data, meter, file);
      const m = meter.measurement;
      if (opts.expectedSize !== undefined && opts.expectedSize > 0 && m.size !== opts.expectedSize) {
        throw new SizeMismatch(`Image data is ${m.size} bytes, ${opts.expectedSize} were announced`);
      }
      if (await exists(final)) throw new DuplicateData(`Image file ${final} already exists`);
      await rename(tmp, final);
      await syncDir(this.dir);
      return {
        location: pathToFileURL(final).href,
        size: m.size,
        checksum: m.checksum,
        hashAlgo: m.hashAlgo,
        hashValue: m.hashValue,
        metadata: this.multiStore ? { store: this.id } : {},
      };
    } catch (err) {
      // On an early error pipeline settles while the file may still be opening: the file
      // exists only once it is open, so wait for its close before removing it.
      if (!file.closed) await once(file, 'close').catch(() => undefined);
      await unlink(tmp).catch(() => undefined);
      throw translateFsError(err);
    }
  }

  async get(location: string, range?: ByteRange): Promise<Readable> {
    const path = this.pathOf(location);
    const size = await stat(path).then((s) => s.size, () => undefined);
    if (size === undefined) throw new DataNotFound(`Image file ${path} not found`);
    const start = range?.offset ?? 0;
    const end = range?.length !== undefined ? start + range.length - 1 : undefined;
    return createReadStream(path, { start, ...(end !== undefined ? { end } : {}), highWaterMark: this.chunkSize });
  }

  async delete(location: string): Promise<void> {
    const path = this.pathOf(location);
    await unlink(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }

  detail(): Record<string, unknown> {
    return { data_dir: this.dir, chunk_size: this.chunkSize, thin_provisioning: false };
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

async function syncDir(dir: string): Promise<void> {
  const h = await open(dir, 'r');
  try {
    await h.sync();
  } catch {
    // some file systems cannot fsync a directory; the rename is still atomic
  } finally {
    await h.close();
  }
}

function translateFsError(err: unknown): unknown {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return new StorageFull(`Image storage media is full: ${(err as Error).message}`);
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return new StorageWriteDenied(`Insufficient permissions on image storage media: ${(err as Error).message}`);
  return err;
}
