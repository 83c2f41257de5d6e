/**
 * DiskFile (swift/obj/diskfile.py): an object's files on a device,
 *   <devices>/<device>/objects/<partition>/<suffix>/<hash>/<timestamp>.data | .ts | .meta
 * where hash = hash_path(account, container, object) and suffix its last three hex digits.
 * The newest .data or .ts decides whether the object exists; a .meta newer than the .data
 * replaces its user metadata (POST).
 *
 * Metadata: Swift keeps it in extended attributes, which Node cannot read or write without a
 * native addon. Here it is a trailer at the end of each file:
 *   <body bytes> <metadata JSON> <uint32 BE length of the JSON> 'NUBOMD01'
 * so a file is still written once, streamed, fsync'd and renamed into place atomically, and
 * the body is the file's first (size - trailer) bytes (ranges read straight from it).
 */
import { createHash, randomUUID } from 'node:crypto';
import { closeSync, createReadStream, existsSync, fdatasync, fstatSync, fsync, mkdirSync, mkdir as mkdirCb, open as openCb, openSync, read as readCb, readdirSync, renameSync, writev as writevCb, writevSync } from 'node:fs';
import { mkdir, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { OffloadedHash } from '../../../common/hashing/offloaded-hash.js';
import { readChunks } from '../utils/read-chunks.js';
import { hashPath, type HashConf } from '../ring/hash.js';
import { invalidateSuffix } from './hashes.js';
import { classifyFiles, cleanupOnDisk, stampOf, type OnDiskFiles } from './ondisk.js';

const MAGIC = Buffer.from('NUBOMD01', 'ascii');

/** Metadata as Swift names it: 'name', 'X-Timestamp', 'Content-Type', 'Content-Length', 'ETag', 'X-Object-Meta-*'. */
export type ObjectMetadata = Record<string, string>;

export class DiskFileError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export interface OpenObject {
  kind: 'data';
  /** The .data file's metadata merged with the newest .meta's user metadata. */
  metadata: ObjectMetadata;
  dataTimestamp: string;
  /** Newest of .data and .meta. */
  timestamp: string;
  size: number;
  /** The whole body, when the file was small enough to be read at once (and is closed already). */
  body?: Buffer;
  /** Bytes start..end (inclusive) of the body, read from the open file, which the stream closes. */
  stream(start: number, end: number): Readable;
  /** Lets the file go when `stream` is not called (again: nothing). */
  close(): void;
}

export type Lookup = OpenObject | { kind: 'deleted'; timestamp: string } | { kind: 'missing' };

export async function readTrailer(fh: FileHandle): Promise<{ metadata: ObjectMetadata; bodySize: number }> {
  const { size } = await fh.stat();
  if (size < 12) throw new Error('file too short for metadata');
  const tail = Buffer.alloc(12);
  await fh.read(tail, 0, 12, size - 12);
  if (!tail.subarray(4).equals(MAGIC)) throw new Error('no metadata trailer');
  const len = tail.readUInt32BE(0);
  if (len > size - 12) throw new Error('bad metadata length');
  const json = Buffer.alloc(len);
  await fh.read(json, 0, len, size - 12 - len);
  return { metadata: JSON.parse(json.toString('utf8')) as ObjectMetadata, bodySize: size - 12 - len };
}

/**
 * A file up to this size is read whole by lookup, in one read: a small object's GET is then its
 * directory's listing, an open and an fstat in place, one trip to the thread pool for the
 * bytes (they may have to come from the disk) and a close, where reading the trailer and
 * streaming the body took seven trips and a FileHandle.
 */
const READ_WHOLE = 64 * 1024;

const readAt = (fd: number, buf: Buffer, position: number): Promise<number> =>
  new Promise((resolve, reject) => readCb(fd, buf, 0, buf.length, position, (err, n) => (err ? reject(err) : resolve(n))));

/** `length` bytes of the file from `position` (fewer only at its end), in the thread pool. */
async function readFully(fd: number, length: number, position: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  let got = 0;
  while (got < length) {
    const n = await readAt(fd, buf.subarray(got), position + got);
    if (n === 0) break;
    got += n;
  }
  return got === length ? buf : buf.subarray(0, got);
}

/**
 * The metadata of an open file of `size` bytes and its body's size; its body too when it is
 * small (read whole). The tail read first is 64 KiB: a trailer longer than that is read after.
 */
async function readObjectFile(fd: number, size: number): Promise<{ metadata: ObjectMetadata; bodySize: number; body?: Buffer }> {
  if (size < 12) throw new Error('file too short for metadata');
  const from = size <= READ_WHOLE ? 0 : size - READ_WHOLE;
  const tail = await readFully(fd, size - from, from);
  if (tail.length !== size - from) throw new Error('file shorter than its size');
  if (!tail.subarray(tail.length - 8).equals(MAGIC)) throw new Error('no metadata trailer');
  const len = tail.readUInt32BE(tail.length - 12);
  if (len > size - 12) throw new Error('bad metadata length');
  const bodySize = size - 12 - len;
  const json = bodySize >= from ? tail.subarray(bodySize - from, tail.length - 12) : await readFully(fd, len, bodySize);
  const metadata = JSON.parse(json.toString('utf8')) as ObjectMetadata;
  return from === 0 ? { metadata, bodySize, body: tail.subarray(0, bodySize) } : { metadata, bodySize };
}

function trailer(metadata: ObjectMetadata): Buffer {
  const json = Buffer.from(JSON.stringify(metadata), 'utf8');
  const tail = Buffer.alloc(12);
  tail.writeUInt32BE(json.length, 0);
  MAGIC.copy(tail, 4);
  return Buffer.concat([json, tail]);
}

/**
 * Body bytes held before they are written (a socket's reads are 16-64 KiB): one trip to the
 * thread pool per half MiB of a large body rather than per 64 KiB (a 256 MiB PUT was 12,288
 * writes for its three replicas, all dispatched from the one event loop).
 */
const WRITE_BATCH = 512 * 1024;

/** A body of up to this many bytes (by its Content-Length) is read whole before it is written. */
const WHOLE_BODY = 64 * 1024;

/**
 * A large body is fdatasync'd every SYNC_EVERY bytes while it is received (Swift's
 * mb_per_sync), in the pool without waiting for it: the disk writes the first megabytes while
 * the rest comes, rather than the whole body, three replicas at once, at the final fsync.
 */
const SYNC_EVERY = 32 * 1024 * 1024;

/**
 * A body of this size or more (by its Content-Length) is hashed on the hashing thread
 * (common/hashing): the replicas' MD5s of a large PUT leave the event loop. A smaller one is
 * hashed in place, where the trip to the thread would cost more.
 */
const OFFLOAD_HASH_BYTES = 4 * 1024 * 1024;

/** The body's MD5 as it is received: in place, or on the hashing thread. */
interface BodyMd5 {
  /** A promise when the hashing thread is behind: awaited before the next chunk. */
  add(chunk: Buffer): Promise<void> | undefined;
  hex(): Promise<string>;
  drop(): void;
}

function bodyMd5(length: number | undefined): BodyMd5 {
  if (length !== undefined && length >= OFFLOAD_HASH_BYTES) {
    const h = new OffloadedHash('md5');
    return { add: (c) => h.update(c), hex: () => h.digest(), drop: () => h.drop() };
  }
  const h = createHash('md5');
  return { add: (c) => { h.update(c); return undefined; }, hex: async () => h.digest('hex'), drop: () => undefined };
}

/*
 * The write path's system calls. A PUT costs one file per replica, and with fs/promises each of
 * its ten or so calls was a FileHandle, a promise and a trip through libuv's thread pool (a
 * wake-up of a pool thread and one of the event loop): on two cores, more CPU than the calls
 * themselves. Calls that may wait on the disk (fsync, creating an inode, the writes of a large
 * body) still go to the pool, through the plain callback API; the ones that only touch the page
 * cache or a directory already in memory (the last small write, close, rename, opening a
 * directory) are made in place, as Swift's object server makes them in its eventlet hub.
 */
const fsyncFd = (fd: number): Promise<void> => new Promise((resolve, reject) => fsync(fd, (err) => (err ? reject(err) : resolve())));
const fdatasyncFd = (fd: number): Promise<void> => new Promise((resolve, reject) => fdatasync(fd, (err) => (err ? reject(err) : resolve())));
const openFd = (path: string, flags: string, mode: number): Promise<number> =>
  new Promise((resolve, reject) => openCb(path, flags, mode, (err, fd) => (err ? reject(err) : resolve(fd))));
const mkdirs = (dir: string): Promise<void> => new Promise((resolve, reject) => mkdirCb(dir, { recursive: true }, (err) => (err ? reject(err) : resolve())));
const writevFd = (fd: number, bufs: Buffer[]): Promise<number> =>
  new Promise((resolve, reject) => writevCb(fd, bufs, (err, n) => (err ? reject(err) : resolve(n))));

/** Writes the buffers in order at the file's position, however many writev calls it takes (in place when `inPlace`). */
async function writeAll(fd: number, bufs: Buffer[], inPlace = false): Promise<void> {
  let rest = bufs.filter((b) => b.length > 0);
  while (rest.length > 0) {
    let n = inPlace ? writevSync(fd, rest) : await writevFd(fd, rest);
    while (rest.length > 0 && n >= rest[0]!.length) {
      n -= rest[0]!.length;
      rest = rest.slice(1);
    }
    if (n > 0) rest = [rest[0]!.subarray(n), ...rest.slice(1)];
  }
}

/** fsync of a directory (after a rename into it: the new name is on disk). */
export async function fsyncDir(dir: string): Promise<void> {
  const fd = openSync(dir, 'r');
  try {
    await fsyncFd(fd);
  } finally {
    closeSync(fd);
  }
}

export class DiskFileManager {
  /** The tmp/ directories known to exist (one mkdir less per write). */
  private readonly tmpMade = new Set<string>();

  constructor(
    private readonly devicesRoot: string,
    private readonly hash: HashConf,
    private readonly policyIndex = 0,
  ) {}

  /** Which of a hash directory's files make the object (the newest .data or .ts, a newer .meta). */
  protected classify(files: string[]): OnDiskFiles {
    return classifyFiles(files);
  }

  /** Removes a hash directory's obsolete files after a write. */
  protected cleanup(dir: string): void {
    cleanupOnDisk(dir);
  }

  private get dataDirName(): string {
    return this.policyIndex === 0 ? 'objects' : `objects-${this.policyIndex}`;
  }

  deviceDir(device: string): string {
    return join(this.devicesRoot, device);
  }

  hashDir(device: string, partition: number, account: string, container: string, object: string): string {
    const h = hashPath(this.hash, account, container, object);
    return join(this.devicesRoot, device, this.dataDirName, String(partition), h.slice(-3), h);
  }

  tmpDir(device: string): string {
    return join(this.devicesRoot, device, 'tmp');
  }

  /**
   * The object as its files say: its directory listed, the .data (and a newer .meta) opened and
   * their sizes taken in place (the directory was just read: their inodes are in memory), their
   * bytes read in the thread pool (they may be on the disk only). A small .data is read whole
   * and closed; a larger one stays open for `stream`.
   */
  async lookup(device: string, partition: number, account: string, container: string, object: string): Promise<Lookup> {
    const dir = this.hashDir(device, partition, account, container, object);
    let files: string[];
    try {
      files = readdirSync(dir);
    } catch {
      return { kind: 'missing' };
    }
    const s = this.classify(files);
    if (s.ts) return { kind: 'deleted', timestamp: stampOf(s.ts) };
    if (!s.data) return { kind: 'missing' };
    let fd: number | undefined = openSync(join(dir, s.data), 'r');
    const close = (): void => {
      if (fd === undefined) return;
      const f = fd;
      fd = undefined;
      closeSync(f);
    };
    try {
      const { metadata, bodySize, body } = await readObjectFile(fd, fstatSync(fd).size);
      if (body) close();
      if (s.meta) {
        const mfd = openSync(join(dir, s.meta), 'r');
        let meta: ObjectMetadata;
        try {
          meta = (await readObjectFile(mfd, fstatSync(mfd).size)).metadata;
        } finally {
          closeSync(mfd);
        }
        // a POST replaces the metadata and the headers it may set (allowed_headers); the rest is the .data's
        const replaced = (k: string): boolean => /^(x-object-meta-.*|content-encoding|content-disposition|x-delete-at|x-object-manifest)$/i.test(k);
        for (const k of Object.keys(metadata)) if (replaced(k)) delete metadata[k];
        for (const [k, v] of Object.entries(meta)) if (replaced(k) || k === 'Content-Type') metadata[k] = v;
      }
      const stream = (start: number, end: number): Readable => {
        if (body) return Readable.from([body.subarray(start, end + 1)]);
        if (fd === undefined) throw new Error('the object file is closed');
        const f = fd;
        fd = undefined; // the stream closes it
        return createReadStream('', { fd: f, start, end, autoClose: true });
      };
      return { kind: 'data', metadata, dataTimestamp: stampOf(s.data), timestamp: stampOf(s.meta ?? s.data), size: bodySize, ...(body ? { body } : {}), stream, close };
    } catch (err) {
      close();
      throw err;
    }
  }

  /** The newest .data/.ts/.meta timestamp on disk (for X-Timestamp conflicts), or undefined. */
  async newestTimestamp(device: string, partition: number, account: string, container: string, object: string): Promise<string | undefined> {
    // a directory of a few entries, read in place (most often it is not there: a new object)
    const dir = this.hashDir(device, partition, account, container, object);
    if (!existsSync(dir)) return undefined;
    try {
      const files = readdirSync(dir).filter((f) => /^\d{10}\.\d{5}[.#]/.test(f)).sort();
      return files.length ? stampOf(files.at(-1)!) : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Writes <timestamp>.data from a stream: md5 and length counted as it goes, checked against
   * the expected ones, the metadata trailer appended, fsync'd, renamed into the hash dir.
   * Only then is it visible; older files are cleaned up.
   */
  async writeData(device: string, partition: number, account: string, container: string, object: string,
    body: Readable, metadata: ObjectMetadata, expect: { length?: number; etag?: string; maxSize: number },
    opts: { fileName?: string; footer?: () => ObjectMetadata } = {}): Promise<{ etag: string; size: number }> {
    const { tmp, fd } = await this.openTmp(device);
    let open = true;
    let keep = false;
    const md5 = bodyMd5(expect.length);
    try {
      let size = 0;
      // chunks gathered up to WRITE_BATCH bytes: a small object is one write with its trailer
      let pending: Buffer[] = [];
      let pendingSize = 0;
      let synced = 0;
      let syncing: Promise<void> | undefined;
      // a small body (by its Content-Length) is taken whole by its events, then written at once
      const chunks: Iterable<Buffer> | AsyncIterable<Buffer> = expect.length !== undefined && expect.length <= WHOLE_BODY ? await readChunks(body) : body as AsyncIterable<Buffer>;
      for await (const chunk of chunks) {
        size += chunk.length;
        if (size > expect.maxSize) throw new DiskFileError(413, 'Your request is too large.');
        if (expect.length !== undefined && size > expect.length) throw new DiskFileError(400, 'Request body longer than Content-Length');
        const behind = md5.add(chunk);
        if (behind) await behind;
        pending.push(chunk);
        pendingSize += chunk.length;
        if (pendingSize >= WRITE_BATCH) {
          await writeAll(fd, pending);
          pending = [];
          pendingSize = 0;
          if (size - synced >= SYNC_EVERY && !syncing) {
            synced = size;
            syncing = fdatasyncFd(fd).finally(() => { syncing = undefined; });
            syncing.catch(() => undefined); // awaited below, before the final fsync
          }
        }
      }
      await syncing;
      if (expect.length !== undefined && size !== expect.length) throw new DiskFileError(499, 'Client disconnected');
      const etag = await md5.hex();
      if (expect.etag !== undefined && expect.etag.toLowerCase().replace(/"/g, '') !== etag) throw new DiskFileError(422, 'Unprocessable Entity');
      // the footer: metadata known once the body is in (an EC fragment archive's whole-object etag)
      const full = { ...metadata, ...opts.footer?.(), 'Content-Length': String(size), ETag: etag };
      pending.push(trailer(full));
      // what is left is under WRITE_BATCH and the trailer: into the page cache in place
      await writeAll(fd, pending, true);
      await fsyncFd(fd);
      open = false;
      closeSync(fd);
      await this.place(tmp, device, partition, account, container, object, opts.fileName ?? `${metadata['X-Timestamp']}.data`);
      keep = true;
      return { etag, size };
    } finally {
      if (!keep) md5.drop();
      if (open) closeSync(fd);
      if (!keep) await rm(tmp, { force: true });
    }
  }

  /** A .ts tombstone or a .meta of metadata alone. */
  async writeMarker(device: string, partition: number, account: string, container: string, object: string, ext: 'ts' | 'meta', metadata: ObjectMetadata): Promise<void> {
    const { tmp, fd } = await this.openTmp(device);
    try {
      await writeAll(fd, [trailer(metadata)], true);
      await fsyncFd(fd);
    } catch (err) {
      closeSync(fd);
      await rm(tmp, { force: true });
      throw err;
    }
    closeSync(fd);
    await this.place(tmp, device, partition, account, container, object, `${metadata['X-Timestamp']}.${ext}`);
  }

  /** A new file in the device's tmp/, made once (again when it went away). */
  private async openTmp(device: string): Promise<{ tmp: string; fd: number }> {
    const dir = this.tmpDir(device);
    const tmp = join(dir, randomUUID());
    if (!this.tmpMade.has(dir)) {
      await mkdir(dir, { recursive: true });
      this.tmpMade.add(dir);
    }
    // a new inode: in the pool (allocating one may read the disk)
    try {
      return { tmp, fd: await openFd(tmp, 'wx', 0o644) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await mkdir(dir, { recursive: true });
      return { tmp, fd: await openFd(tmp, 'wx', 0o644) };
    }
  }

  /**
   * Renames the fsync'd temp file into the hash directory, made first when it is not there,
   * then fsyncs the directory (renamer and fsync_dir in Swift's utils) before the write counts.
   */
  private async place(tmp: string, device: string, partition: number, account: string, container: string, object: string, name: string): Promise<void> {
    const dir = this.hashDir(device, partition, account, container, object);
    if (!existsSync(dir)) await mkdirs(dir);
    try {
      renameSync(tmp, join(dir, name));
    } catch (err) {
      // the replicator removed the (then empty) directory in between: once more
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await mkdirs(dir);
      renameSync(tmp, join(dir, name));
    }
    await fsyncDir(dir);
    this.cleanup(dir);
    invalidateSuffix(dirname(dirname(dir)), basename(dirname(dir)));
  }

  /** <devices>/<device>/objects/<partition>. */
  partitionDir(device: string, partition: number): string {
    return join(this.devicesRoot, device, this.dataDirName, String(partition));
  }

  /** The data directory of a device (objects/), whose subdirectories are partitions. */
  objectsDir(device: string): string {
    return join(this.devicesRoot, device, this.dataDirName);
  }

  ensureDevice(device: string): void {
    mkdirSync(join(this.devicesRoot, device, this.dataDirName), { recursive: true });
    mkdirSync(this.tmpDir(device), { recursive: true });
  }
}
