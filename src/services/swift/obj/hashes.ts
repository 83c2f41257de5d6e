/**
 * The suffix hashes of a partition (swift/obj/diskfile.py get_hashes, hashes.pkl): for each
 * suffix directory of <device>/objects/<partition>/, the md5 of the names of its hash
 * directories and of the files that count in each (the newest .data or .ts, and a newer .meta).
 * Two replicas of a partition agree on a suffix exactly when their hashes of it are equal, so
 * the replicator compares these and moves only the suffixes that differ.
 *
 * Kept in <partition>/hashes.json (upstream pickles it in hashes.pkl). Every write to a
 * suffix appends the suffix to <partition>/hashes.invalid (invalidate_hash); the next
 * get_hashes moves that file aside, rehashes those suffixes and any suffix directory it has no
 * hash for, then writes hashes.json again (temp file + rename). Rehashing also cleans each
 * hash directory and reclaims tombstones older than reclaim_age.
 */
import { createHash, randomUUID } from 'node:crypto';
import { appendFileSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupOnDisk } from './ondisk.js';
import { listDir } from '../utils/list-dir.js';

export const HASHES_FILE = 'hashes.json';
export const INVALID_FILE = 'hashes.invalid';

/** suffix → md5 of its contents. */
export type SuffixHashes = Record<string, string>;

const SUFFIX = /^[0-9a-f]{3}$/;


/** Marks a suffix of a partition as changed (called after every file placed in it or taken out). */
export function invalidateSuffix(partitionDir: string, suffix: string): void {
  try {
    appendFileSync(join(partitionDir, INVALID_FILE), `${suffix}\n`);
  } catch {
    // the partition directory is gone (removed by the replicator): nothing to invalidate
  }
}

/** The hash of one suffix directory, cleaning it on the way; undefined (and the directory removed) when it holds nothing. */
export function hashSuffix(suffixDir: string, reclaimAgeS: number, now = Date.now()): string | undefined {
  const md5 = createHash('md5');
  let any = false;
  for (const hsh of listDir(suffixDir).sort()) {
    const left = cleanupOnDisk(join(suffixDir, hsh), reclaimAgeS, now);
    if (!left) continue;
    const files = [left.data ?? left.ts, left.meta].filter((f): f is string => f !== undefined);
    if (files.length === 0) continue;
    any = true;
    md5.update(hsh);
    for (const f of files) md5.update(f);
  }
  if (!any) {
    try {
      rmdirSync(suffixDir);
    } catch {
      // not empty (a write in flight) or already gone
    }
    return undefined;
  }
  return md5.digest('hex');
}

function readHashes(partitionDir: string): SuffixHashes | undefined {
  try {
    const parsed = JSON.parse(readFileSync(join(partitionDir, HASHES_FILE), 'utf8')) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as SuffixHashes;
  } catch {
    // missing or torn: everything is hashed again
  }
  return undefined;
}

export interface GetHashesOptions {
  /** Suffixes to hash again whatever the saved hashes say (REPLICATE's list, the replicator's second look). */
  recalculate?: readonly string[];
  reclaimAgeS: number;
  now?: number;
}

/** get_hashes: the partition's suffix hashes, brought up to date and saved. {} for a partition that does not exist. */
export function getHashes(partitionDir: string, opts: GetHashesOptions): SuffixHashes {
  const onDisk = listDir(partitionDir).filter((s) => SUFFIX.test(s));
  if (onDisk.length === 0 && listDir(partitionDir).length === 0) return {};
  const saved = readHashes(partitionDir);
  const stale = new Set<string>(opts.recalculate ?? []);
  // take the invalidations written so far; writes from now on start a new file
  const taken = join(partitionDir, `${INVALID_FILE}.${randomUUID()}`);
  let hadInvalid = false;
  try {
    renameSync(join(partitionDir, INVALID_FILE), taken);
    hadInvalid = true;
    for (const line of readFileSync(taken, 'utf8').split('\n')) if (SUFFIX.test(line)) stale.add(line);
  } catch {
    // nothing invalidated
  }
  const hashes: SuffixHashes = {};
  const present = new Set(onDisk);
  for (const suffix of onDisk) {
    const known = saved?.[suffix];
    if (known !== undefined && !stale.has(suffix)) {
      hashes[suffix] = known;
      continue;
    }
    const h = hashSuffix(join(partitionDir, suffix), opts.reclaimAgeS, opts.now);
    if (h !== undefined) hashes[suffix] = h;
  }
  const changed = saved === undefined || Object.keys(saved).length !== Object.keys(hashes).length
    || Object.entries(hashes).some(([k, v]) => saved[k] !== v) || Object.keys(saved).some((k) => !present.has(k));
  if (changed) {
    const tmp = join(partitionDir, `${HASHES_FILE}.${randomUUID()}`);
    try {
      writeFileSync(tmp, JSON.stringify(hashes));
      renameSync(tmp, join(partitionDir, HASHES_FILE));
    } catch {
      rmSync(tmp, { force: true });
    }
  }
  if (hadInvalid) rmSync(taken, { force: true });
  return hashes;
}
