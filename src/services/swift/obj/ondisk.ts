/**
 * The files of one object's hash directory (swift/obj/diskfile.py cleanup_ondisk_files):
 * <timestamp>.data | .ts | .meta. The newest .data or .ts decides the object's state, a .meta
 * counts only when newer than the .data, everything older is obsolete; a tombstone older than
 * reclaim_age is removed too (and the directory with it once empty), so deletes are forgotten
 * once every replica had the time to learn of them.
 */
import { readdirSync, rmdirSync, rmSync } from 'node:fs';
import { readdir, rm, rmdir } from 'node:fs/promises';
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

/** What cleaning a hash directory of these files does: the files to remove, what is left, whether the directory goes. */
function cleanupPlan(files: string[], reclaimAgeS: number | undefined, now: number): { remove: string[]; left: OnDiskFiles; empty: boolean } {
  const s = classifyFiles(files);
  const remove = [...s.obsolete];
  if (s.ts && reclaimAgeS !== undefined && Number(stampOf(s.ts)) < now / 1000 - reclaimAgeS) {
    remove.push(s.ts);
    delete s.ts;
  }
  return { remove, left: { ...s, obsolete: [] }, empty: !s.data && !s.ts && !s.meta };
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
  const plan = cleanupPlan(files, reclaimAgeS, now);
  for (const f of plan.remove) rmSync(join(dir, f), { force: true });
  if (plan.empty) {
    try {
      rmdirSync(dir);
    } catch {
      // something else (a temp file, a write in flight) is in it: left for the next pass
    }
  }
  return plan.left;
}

/** cleanupOnDisk off the event loop (the write path: its system calls on the thread pool). */
export async function cleanupOnDiskAsync(dir: string): Promise<void> {
  let files: string[];
  try {
    files = await readdir(dir);
  } catch {
    return;
  }
  const plan = cleanupPlan(files, undefined, Date.now());
  await Promise.all(plan.remove.map((f) => rm(join(dir, f), { force: true })));
  if (plan.empty) await rmdir(dir).catch(() => undefined); // not empty: a write in flight, left for the next pass
}
