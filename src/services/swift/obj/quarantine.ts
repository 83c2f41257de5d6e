/**
 * Quarantine (swift/obj/diskfile.py quarantine_renamer): a damaged object's hash directory is
 * moved whole to <device>/quarantined/objects/<hash> (a suffix added when one is there
 * already), out of the object server's sight, and its suffix invalidated so the replicator
 * sees the difference and brings a good copy back from another replica.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { invalidateSuffix } from './hashes.js';

/** Moves `hashDir` (<device>/<objects>/<part>/<suffix>/<hash>) to the device's quarantine (quarantined/<objects>); returns where it went. */
export function quarantineHashDir(deviceDir: string, hashDir: string, dataDir = 'objects'): string {
  const dest = join(deviceDir, 'quarantined', dataDir);
  mkdirSync(dest, { recursive: true });
  let target = join(dest, basename(hashDir));
  if (existsSync(target)) target = `${target}-${randomUUID().replace(/-/g, '')}`;
  renameSync(hashDir, target);
  const suffixDir = dirname(hashDir);
  invalidateSuffix(dirname(suffixDir), basename(suffixDir));
  return target;
}
