/**
 * The files of one object's hash directory (swift/obj/diskfile.py cleanup_ondisk_files):
 * <timestamp>.data | .ts | .meta. The newest .data or .ts decides the object's state, a .meta
 * counts only when newer than the .data, everything older is obsolete; a tombstone older than
 * reclaim_age is removed too (and the directory with it once empty), so deletes are forgotten
 * once every replica had the time to learn of them.
 */
import { readdirSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export interface OnDiskFiles {
  data?: string;
  ts?: string;
  meta?: string;
  obsolete: string[];
}

export const FILE_NAME = /^\d{10}\.\d{5}\.(data|ts|meta)$/;

/** The timestamp part of a file name ('1700000000.12345'). */
export const stampOf = (file: string): string => file.slice(0, 16);

/** hash_cleanup_listdir's decision: the newest .data or .ts wins, a .meta only if newer than the .data. */
export function classifyFiles(files: string[]): OnDiskFiles {
  const out: OnDiskFiles = { obsolete: [] };
  const sorted = files.filter((f) => FILE_NAME.test(f)).sort().reverse();
  for (const f of sorted) {
    const ext = f.slice(f.lastIndexOf('.') + 1);
    if (ext === 'meta') {
      if (!out.meta && !out.data && !out.ts) out.meta = f;
      else out.obsolete.push(f);
    } else if (!out.data && !out.ts) {
      if (ext === 'data') out.data = f;
      else out.ts = f;
    } else {
      out.obsolete.push(f);
    }
  }
  // a .meta above a tombstone describes nothing
  if (out.ts && out.meta) {
    out.obsolete.push(out.meta);
    delete out.meta;
  }
  return out;
}

/**
 * Removes the obsolete files of a hash directory, and a tombstone older than `reclaimAgeS`
 * seconds (then the emptied directory). Returns what is left; undefined when the directory is
 * gone or not a directory.
 */
export function cleanupOnDisk(dir: string, reclaimAgeS?: number, now = Date.now()): OnDiskFiles | undefined {
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch {
    return undefined;
  }
  const s = classifyFiles(files);
  for (const f of s.obsolete) rmSync(join(dir, f), { force: true });
  if (s.ts && reclaimAgeS !== undefined && Number(stampOf(s.ts)) < now / 1000 - reclaimAgeS) {
    rmSync(join(dir, s.ts), { force: true });
    delete s.ts;
  }
  if (!s.data && !s.ts && !s.meta) {
    try {
      rmdirSync(dir);
    } catch {
      // something else (a temp file, a write in flight) is in it: left for the next pass
    }
  }
  return { ...s, obsolete: [] };
}
