/**
 * ECDiskFile (swift/obj/diskfile.py ECDiskFileManager): the files of an object of an
 * erasure-coded policy, under objects-<index>/, name the fragment archive they hold:
 *   <timestamp>#<frag_index>.data     written, not yet durable (the PUT's first phase)
 *   <timestamp>#<frag_index>#d.data   durable (committed: Swift ≥ 2.8's form)
 *   <timestamp>.durable               the older durable marker, still honoured
 *   <timestamp>.ts, <timestamp>.meta  as for replicated objects
 * Only a durable fragment archive (or a newer tombstone) makes the object; a non-durable
 * archive newer than it is left alone (a PUT in flight, or one the reconstructor may commit),
 * anything older than the object's timestamp is obsolete. The metadata trailer is the
 * replicated DiskFile's (diskfile.ts).
 */
import { readdirSync, renameSync, rmdirSync, rmSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { DiskFileManager, fsyncDir } from './diskfile.js';
import { invalidateSuffix } from './hashes.js';
import type { OnDiskFiles } from './ondisk.js';

const EC_FILE = /^(\d{10}\.\d{5})(?:#(\d+)(#d)?)?\.(data|ts|meta|durable)$/;

export interface ECFile {
  name: string;
  timestamp: string;
  ext: 'data' | 'ts' | 'meta' | 'durable';
  fragIndex?: number;
  durable: boolean;
}

export function parseECFile(name: string): ECFile | undefined {
  const m = EC_FILE.exec(name);
  if (!m) return undefined;
  const ext = m[4] as ECFile['ext'];
  if (ext === 'data' && m[2] === undefined) return undefined;
  if (ext !== 'data' && m[2] !== undefined) return undefined;
  return { name, timestamp: m[1]!, ext, ...(m[2] !== undefined ? { fragIndex: Number(m[2]) } : {}), durable: m[3] !== undefined };
}

/** `<timestamp>#<frag_index>[#d].data`. */
export const fragFileName = (timestamp: string, fragIndex: number, durable: boolean): string => `${timestamp}#${fragIndex}${durable ? '#d' : ''}.data`;

export interface ECOnDisk extends OnDiskFiles {
  /** The fragment indexes of the durable timestamp (a handoff may hold several). */
  frags: Map<number, string>;
}

/** The EC form of cleanup_ondisk_files' decision. */
export function classifyECFiles(files: string[]): ECOnDisk {
  const parsed = files.map(parseECFile).filter((f): f is ECFile => f !== undefined);
  const durableStamps = new Set(parsed.filter((f) => f.ext === 'durable' || (f.ext === 'data' && f.durable)).map((f) => f.timestamp));
  const datas = parsed.filter((f) => f.ext === 'data' && durableStamps.has(f.timestamp)).sort((a, b) => b.timestamp.localeCompare(a.timestamp));
  const tss = parsed.filter((f) => f.ext === 'ts').sort((a, b) => b.timestamp.localeCompare(a.timestamp));
  const data = datas[0];
  const ts = tss[0];
  const out: ECOnDisk = { obsolete: [], frags: new Map() };
  let stamp: string | undefined;
  if (ts && (!data || ts.timestamp > data.timestamp)) {
    out.ts = ts.name;
    stamp = ts.timestamp;
  } else if (data) {
    out.data = data.name;
    stamp = data.timestamp;
    for (const f of datas) if (f.timestamp === stamp) out.frags.set(f.fragIndex!, f.name);
    const meta = parsed.filter((f) => f.ext === 'meta' && f.timestamp > stamp!).sort((a, b) => b.timestamp.localeCompare(a.timestamp))[0];
    if (meta) out.meta = meta.name;
  }
  if (stamp !== undefined) {
    for (const f of parsed) {
      const keep = f.name === out.ts || f.name === out.meta || (f.timestamp === stamp && (f.ext === 'data' || f.ext === 'durable')) || (f.ext === 'data' && !f.durable && f.timestamp > stamp);
      if (!keep) out.obsolete.push(f.name);
    }
  }
  return out;
}

export class ECDiskFileManager extends DiskFileManager {
  protected override classify(files: string[]): ECOnDisk {
    return classifyECFiles(files);
  }

  protected override cleanup(dir: string): void {
    let files: string[];
    try {
      files = readdirSync(dir);
    } catch {
      return;
    }
    for (const f of classifyECFiles(files).obsolete) rmSync(join(dir, f), { force: true });
  }

  /**
   * The newest timestamp a write must be newer than: of the durable archives, tombstones and
   * .meta files. A non-durable archive does not count: a PUT at its timestamp replaces it (the
   * reconstructor's rebuild of an archive whose commit was lost).
   */
  override async newestTimestamp(device: string, partition: number, account: string, container: string, object: string): Promise<string | undefined> {
    let files: string[];
    try {
      files = await readdir(this.hashDir(device, partition, account, container, object));
    } catch {
      return undefined;
    }
    const parsed = files.map(parseECFile).filter((f): f is ECFile => f !== undefined);
    const durable = new Set(parsed.filter((f) => f.ext === 'durable').map((f) => f.timestamp));
    return parsed.filter((f) => f.ext !== 'data' || f.durable || durable.has(f.timestamp)).map((f) => f.timestamp).sort().at(-1);
  }

  /** The object's files as the EC rules read them, or undefined when it has no hash directory. */
  async onDisk(device: string, partition: number, account: string, container: string, object: string): Promise<ECOnDisk | undefined> {
    try {
      return classifyECFiles(await readdir(this.hashDir(device, partition, account, container, object)));
    } catch {
      return undefined;
    }
  }

  /**
   * The PUT's second phase: the fragment archives written at `timestamp` become durable
   * (renamed to their #d form, the directory fsync'd). False when there is none to commit.
   */
  async commit(device: string, partition: number, account: string, container: string, object: string, timestamp: string): Promise<boolean> {
    const dir = this.hashDir(device, partition, account, container, object);
    let files: string[];
    try {
      files = await readdir(dir);
    } catch {
      return false;
    }
    const pending = files.map(parseECFile).filter((f): f is ECFile => f?.ext === 'data' && f.timestamp === timestamp);
    if (pending.length === 0) return false;
    for (const f of pending) if (!f.durable) renameSync(join(dir, f.name), join(dir, fragFileName(timestamp, f.fragIndex!, true)));
    await fsyncDir(dir);
    this.cleanup(dir);
    invalidateSuffix(dirname(dirname(dir)), basename(dirname(dir)));
    return true;
  }

  /** Removes a fragment archive (a handoff's, once its primary has it), and its directory when nothing else is left in it. */
  removeFragment(dir: string, file: string): void {
    rmSync(join(dir, file), { force: true });
    this.cleanup(dir);
    try {
      if (classifyECFiles(readdirSync(dir)).frags.size === 0 && readdirSync(dir).every((f) => parseECFile(f)?.ext !== 'data')) rmSync(dir, { recursive: true, force: true });
      rmdirSync(dirname(dir));
    } catch {
      // gone already, or the suffix directory holds other objects
    }
  }
}

