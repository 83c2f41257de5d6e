/**
 * The chunked backup driver (cinder/backup/drivers/chunkeddriver.py): a volume's bytes cut
 * into objects of at most `chunkSize` bytes, each compressed (zlib) as it streams to the
 * store, with an md5 of its data; as Cinder stores a chunk uncompressed when compressing it
 * gains nothing, data that does not compress (a sample block every SAMPLE_EVERY blocks
 * shrinks by less than a tenth) goes into objects of its own without compression, which
 * spares the CPU zlib would spend on it; a sha256 for every `shaBlockSize` block, kept in a
 * `<prefix>_sha256file` object; a `<prefix>_metadata` object listing the objects (offset,
 * length, compression, md5) and the volume's metadata. A full backup leaves out the blocks
 * that are all zeros (sparse volumes cost what their data does); an incremental backup
 * compares each block's sha256 with its parent's and stores only the runs of changed blocks.
 * A restore replays the chain from the full backup up, each object written at its offset,
 * the full backup's gaps as zeros.
 *
 * Everything streams: at most one sha block and the compressor's window are in memory,
 * never a whole object or volume. The stores (posix files, Swift objects) implement the
 * four object operations.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { open } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { constants, createDeflate, createInflate, deflateSync } from 'node:zlib';
import { BackupDriverException, InvalidBackup } from '../errors.js';

/** What a driver knows of a backup. */
export interface DriverBackup {
  id: string;
  volume_id: string;
  display_name: string | null;
  display_description: string | null;
  container: string | null;
  /** The object prefix, as stored by a previous backup call. */
  service_metadata: string | null;
  created_at: string;
}

export interface BackupResult {
  container: string;
  service_metadata: string;
  object_count: number;
}

/** An object being written: write to `stream`, end it, then await `done`. */
export interface ObjectWriter {
  stream: Writable;
  done: Promise<void>;
}

export interface ChunkedOptions {
  /** Largest object, in bytes (a multiple of shaBlockSize). */
  chunkSize: number;
  shaBlockSize: number;
  compression: 'zlib' | 'none';
  /** The container of a backup that names none (null: the driver makes one up). */
  defaultContainer: string | null;
}

interface ObjectEntry {
  offset: number;
  length: number;
  compression: 'zlib' | null;
  md5: string;
}

interface MetadataObject {
  version: string;
  backup_id: string;
  volume_id: string;
  backup_name: string | null;
  backup_description: string | null;
  created_at: string;
  parent_id: string | null;
  /** Bytes of data backed up (the volume's size then). */
  length: number;
  objects: Array<Record<string, ObjectEntry>>;
  volume_meta: unknown;
}

interface Sha256File {
  backup_id: string;
  volume_id: string;
  chunk_size: number;
  sha256s: string[];
}

export const METADATA_VERSION = '2.0.0';

/** Bytes an object writer may hold queued before the backup waits for it. */
const IN_FLIGHT = 4 * 1024 * 1024;

const ZEROS = Buffer.alloc(1 << 16);

/** Blocks between two compressibility samples of the data going into one object. */
const SAMPLE_EVERY = 16;

/** Whether zlib shrinks a block by a tenth or more (zlib's fastest level, as the objects are written). */
function compressible(block: Buffer): boolean {
  return deflateSync(block, { level: constants.Z_BEST_SPEED }).length <= block.length * 0.9;
}

const zeroShas = new Map<number, string>();

/** The sha256 of `length` zero bytes (sparse volumes are mostly zeros: hashed once). */
function zeroSha(length: number): string {
  let sha = zeroShas.get(length);
  if (sha === undefined) {
    sha = createHash('sha256').update(Buffer.alloc(length)).digest('hex');
    zeroShas.set(length, sha);
  }
  return sha;
}

function isZeros(chunk: Buffer): boolean {
  for (let at = 0; at < chunk.length; at += ZEROS.length) {
    const part = chunk.subarray(at, Math.min(chunk.length, at + ZEROS.length));
    if (!part.equals(ZEROS.subarray(0, part.length))) return false;
  }
  return true;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

/** Blocks of exactly `size` bytes from a stream (the last one shorter), holding one block at a time. */
async function* blocksOf(source: AsyncIterable<Buffer | Uint8Array>, size: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let have = 0;
  for await (const raw of source) {
    let chunk = Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
    while (chunk.length > 0) {
      const take = Math.min(size - have, chunk.length);
      pending.push(chunk.subarray(0, take));
      have += take;
      chunk = chunk.subarray(take);
      if (have === size) {
        yield pending.length === 1 ? pending[0]! : Buffer.concat(pending);
        pending = [];
        have = 0;
      }
    }
  }
  if (have > 0) yield Buffer.concat(pending);
}

/** Write `length` zero bytes at `offset` of a file. */
async function writeZeros(path: string, offset: number, length: number): Promise<void> {
  if (length <= 0) return;
  const fh = await open(path, 'r+');
  try {
    for (let at = 0; at < length; at += ZEROS.length) await fh.write(ZEROS, 0, Math.min(ZEROS.length, length - at), offset + at);
  } finally {
    await fh.close();
  }
}

/** One object being filled: data goes through md5 and the compressor to the store's writer. */
class OpenObject {
  private readonly md5 = createHash('md5');
  private readonly input: Writable;
  private readonly flow: Promise<void>;
  length = 0;
  blocks = 0;

  constructor(readonly name: string, readonly offset: number, readonly compression: 'zlib' | 'none', private readonly writer: ObjectWriter) {
    if (compression === 'zlib') {
      const deflate = createDeflate({ level: constants.Z_BEST_SPEED, chunkSize: 256 * 1024 });
      this.input = deflate;
      this.flow = pipeline(deflate, writer.stream).then(() => writer.done);
    } else {
      this.input = writer.stream;
      this.flow = once(writer.stream, 'finish').then(() => writer.done);
    }
    this.flow.catch(() => undefined); // observed in close()
  }

  async write(block: Buffer): Promise<void> {
    this.md5.update(block);
    this.length += block.length;
    this.blocks += 1;
    // up to IN_FLIGHT bytes wait in the compressor's queue: waiting for it after each sha block would cost a round trip per block
    if (!this.input.write(block) && this.input.writableLength >= IN_FLIGHT) await Promise.race([once(this.input, 'drain'), this.flow]);
  }

  async close(): Promise<Record<string, ObjectEntry>> {
    this.input.end();
    await this.flow;
    return { [this.name]: { offset: this.offset, length: this.length, compression: this.compression === 'zlib' ? 'zlib' : null, md5: this.md5.digest('hex') } };
  }

  abort(err: Error): void {
    this.input.destroy(err);
    this.writer.stream.destroy(err);
  }
}

/** Who a backup operation is done for (a request context). */
export interface BackupCaller {
  readonly token: string | undefined;
  readonly projectId?: string | undefined;
}

export abstract class ChunkedBackupDriver {
  constructor(protected readonly options: ChunkedOptions) {}

  /** Cinder's name of the driver (the `service` of its backups, and of export records). */
  abstract readonly serviceName: string;
  /** The container a backup goes to when it names none. */
  protected abstract containerFor(backup: DriverBackup): string;
  protected abstract putContainer(container: string): Promise<void>;
  protected abstract objectWriter(container: string, name: string): Promise<ObjectWriter>;
  /** @throws BackupDriverException when the object is missing */
  protected abstract objectReader(container: string, name: string): Promise<Readable>;
  /** Missing objects are no error. */
  protected abstract deleteObject(container: string, name: string): Promise<void>;
  /** The names of a container's objects that start with `prefix` (none when the container is missing). */
  protected abstract listObjects(container: string, prefix: string): Promise<string[]>;

  /** Any setup the store needs (directories). */
  async setup(): Promise<void> {}

  /**
   * The driver that acts for the caller of a backup operation: this one unless the store is the
   * user's own (the swift driver's per_user mode). @throws BackupDriverException
   */
  async forContext(_ctx: BackupCaller): Promise<ChunkedBackupDriver> {
    return this;
  }

  private prefixOf(backup: DriverBackup): string {
    const stamp = backup.created_at.replace(/[-:TZ]/g, '').slice(0, 14);
    return `volume_${backup.volume_id}_${stamp}_backup_${backup.id}`;
  }

  private async readJson<T>(container: string, name: string): Promise<T> {
    const data = await readAll(await this.objectReader(container, name));
    try {
      return JSON.parse(data.toString('utf8')) as T;
    } catch {
      throw new BackupDriverException(`object ${name} of container ${container} is not valid JSON`);
    }
  }

  private async writeJson(container: string, name: string, value: unknown): Promise<void> {
    const w = await this.objectWriter(container, name);
    w.stream.end(Buffer.from(JSON.stringify(value)));
    await once(w.stream, 'finish');
    await w.done;
  }

  /**
   * Back the bytes of `source` up (the raw data of the volume or snapshot); with `parent`
   * (an available backup of the same volume, in the same driver) only the blocks whose sha256
   * differs from the parent's are stored.
   */
  /**
   * Where a backup's objects go: its container and their name prefix (the backup's
   * `container` and `service_metadata`), known before any is written (_prepare_backup).
   */
  target(backup: DriverBackup): { container: string; service_metadata: string } {
    return { container: backup.container ?? this.options.defaultContainer ?? this.containerFor(backup), service_metadata: this.prefixOf(backup) };
  }

  async backup(backup: DriverBackup, source: AsyncIterable<Buffer | Uint8Array>, parent: DriverBackup | null, volumeMeta: unknown): Promise<BackupResult> {
    const { container, service_metadata: prefix } = this.target(backup);
    await this.putContainer(container);
    let parentShas: string[] | null = null;
    if (parent) {
      if (!parent.service_metadata || !parent.container) throw new BackupDriverException(`parent backup ${parent.id} has no objects`);
      const sha = await this.readJson<Sha256File>(parent.container, `${parent.service_metadata}_sha256file`);
      if (sha.chunk_size !== this.options.shaBlockSize) throw new BackupDriverException(`parent backup ${parent.id} was made with another sha block size`);
      parentShas = sha.sha256s;
    }
    const shas: string[] = [];
    const objects: Array<Record<string, ObjectEntry>> = [];
    let current: OpenObject | null = null;
    let offset = 0;
    const closeCurrent = async (): Promise<void> => {
      if (current) objects.push(await current.close());
      current = null;
    };
    try {
      for await (const block of blocksOf(source, this.options.shaBlockSize)) {
        const sha = isZeros(block) ? zeroSha(block.length) : createHash('sha256').update(block).digest('hex');
        const index = shas.length;
        shas.push(sha);
        if ((parentShas && parentShas[index] === sha) || (!parentShas && sha === zeroSha(block.length))) {
          // unchanged since the parent; or zeros in a full backup (a restore starts from zeros)
          await closeCurrent();
        } else {
          const open = current as OpenObject | null;
          // the compression of the data from here: sampled at an object's first block, then every SAMPLE_EVERY blocks
          const compression = this.options.compression === 'none' ? 'none'
            : open && open.blocks % SAMPLE_EVERY !== 0 ? open.compression : compressible(block) ? 'zlib' : 'none';
          if (open && (open.length + block.length > this.options.chunkSize || open.compression !== compression)) await closeCurrent();
          if (!current) {
            const name = `${prefix}-${String(objects.length + 1).padStart(5, '0')}`;
            current = new OpenObject(name, offset, compression, await this.objectWriter(container, name));
          }
          await (current as OpenObject).write(block);
        }
        offset += block.length;
      }
      await closeCurrent();
    } catch (err) {
      (current as OpenObject | null)?.abort(err as Error);
      await this.delete({ ...backup, container, service_metadata: prefix }).catch(() => undefined);
      throw err;
    }
    await this.writeJson(container, `${prefix}_sha256file`, { backup_id: backup.id, volume_id: backup.volume_id, chunk_size: this.options.shaBlockSize, sha256s: shas } satisfies Sha256File);
    const meta: MetadataObject = {
      version: METADATA_VERSION, backup_id: backup.id, volume_id: backup.volume_id, backup_name: backup.display_name,
      backup_description: backup.display_description, created_at: backup.created_at, parent_id: parent?.id ?? null, length: offset, objects, volume_meta: volumeMeta,
    };
    await this.writeJson(container, `${prefix}_metadata`, meta);
    return { container, service_metadata: prefix, object_count: objects.length + 2 };
  }

  /** The metadata object of a backup (also how an imported record is verified). */
  async metadataOf(backup: DriverBackup): Promise<{ objects: number; volumeMeta: unknown; parentId: string | null }> {
    if (!backup.container || !backup.service_metadata) throw new BackupDriverException(`backup ${backup.id} has no objects`);
    // an imported record may carry another id than the backup that wrote the objects (a copy of a record)
    const meta = await this.readJson<MetadataObject>(backup.container, `${backup.service_metadata}_metadata`);
    return { objects: meta.objects.length, volumeMeta: meta.volume_meta, parentId: meta.parent_id };
  }

  /**
   * Write a backup chain (the full backup first, then each incremental one up to the backup
   * restored) into the raw file at `targetPath`; returns the volume metadata the last one kept.
   * `sparse`: the target holds only zeros, so zero data need not be written (holes stay holes).
   */
  async restore(chain: readonly DriverBackup[], targetPath: string, sparse: boolean): Promise<unknown> {
    let volumeMeta: unknown = null;
    for (const b of chain) {
      if (!b.container || !b.service_metadata) throw new BackupDriverException(`backup ${b.id} has no objects`);
      const meta = await this.readJson<MetadataObject>(b.container, `${b.service_metadata}_metadata`);
      volumeMeta = meta.volume_meta;
      const full = b === chain[0];
      let end = 0;
      for (const entry of meta.objects) {
        for (const [name, o] of Object.entries(entry)) {
          // a full backup leaves out zero blocks: on a target not known to be zeros they are written
          if (full && !sparse) await writeZeros(targetPath, end, o.offset - end);
          // only the full backup's zeros may be skipped: an incremental one's zeros replace older data
          await this.restoreObject(b.container, name, o, targetPath, sparse && full);
          end = o.offset + o.length;
        }
      }
      if (full && !sparse) await writeZeros(targetPath, end, meta.length - end);
    }
    return volumeMeta;
  }

  private async restoreObject(container: string, name: string, o: ObjectEntry, targetPath: string, sparse: boolean): Promise<void> {
    if (o.compression !== null && o.compression !== 'zlib') throw new BackupDriverException(`object ${name}: unknown compression ${String(o.compression)}`);
    const reader = await this.objectReader(container, name);
    const md5 = createHash('md5');
    let length = 0;
    const fh = await open(targetPath, 'r+');
    try {
      const sink = async (src: AsyncIterable<Buffer>): Promise<void> => {
        for await (const chunk of src) {
          md5.update(chunk);
          // a target known to be zeros (a new sparse file) keeps its holes where the data is zeros
          if (!(sparse && isZeros(chunk))) await fh.write(chunk, 0, chunk.length, o.offset + length);
          length += chunk.length;
        }
      };
      if (o.compression === 'zlib') await pipeline(reader, createInflate(), sink);
      else await pipeline(reader, sink);
    } finally {
      await fh.close();
    }
    if (length !== o.length) throw new BackupDriverException(`object ${name} restored ${length} bytes, expected ${o.length}`);
    if (md5.digest('hex') !== o.md5) throw new BackupDriverException(`object ${name} does not match its md5`);
  }

  /**
   * Remove every object of a backup: those its prefix names in the container (as Cinder's
   * delete_backup lists them), so that a backup interrupted before its metadata object was
   * written leaves nothing behind either.
   */
  async delete(backup: DriverBackup): Promise<void> {
    if (!backup.container || !backup.service_metadata) return; // never written
    let names: string[];
    try {
      names = await this.listObjects(backup.container, backup.service_metadata);
    } catch (err) {
      if (err instanceof InvalidBackup) return; // a container the store refuses: nothing was written to it
      throw err;
    }
    for (const name of names) await this.deleteObject(backup.container, name);
  }
}
