/**
 * The Fernet key repository on disk, as keystone/common/fernet_utils.py keeps it: files named
 * 0..N in one directory; 0 is the staged key (the next primary), the highest number is the
 * primary (it encrypts), every file decrypts. The directory is 0700 and each key 0600.
 *
 * `rotateFernetKeys` is `keystone-manage fernet_rotate` (the launcher's
 * `nubo identity fernet-rotate`): promote 0 to max+1, stage a new 0, drop the oldest keys
 * beyond `maxActiveKeys`.
 */
import { chmodSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Fernet, FernetRing } from './fernet.js';

/** The key repository is missing, empty or unreadable. */
export class KeyRepositoryError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KeyRepositoryError';
  }
}

/** Key files by number (only files whose whole name is a non-negative integer; empty files skipped). */
export function readKeyFiles(dir: string): Map<number, string> {
  const keys = new Map<number, string>();
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    throw new KeyRepositoryError(`Fernet key repository ${dir} cannot be read`, { cause: err });
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const path = join(dir, name);
    if (!statSync(path).isFile()) continue;
    const key = readFileSync(path, 'utf8').trim();
    if (key.length === 0) continue;
    keys.set(Number(name), key);
  }
  return keys;
}

/** Keys in the order Keystone loads them: primary (highest number) first, staged (0) last. */
export function loadKeys(dir: string): string[] {
  const keys = readKeyFiles(dir);
  return [...keys.keys()].sort((a, b) => b - a).map((n) => keys.get(n) as string);
}

/** Write a new key as `0` (through `0.tmp` and a rename, so a crash never leaves half a key). */
function stageNewKey(dir: string): void {
  const tmp = join(dir, '0.tmp');
  writeFileSync(tmp, Fernet.generateKey(), { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, join(dir, '0'));
}

function ensureDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

/**
 * Create the repository if it has no staged key yet: a staged key, then one rotation, so it
 * holds a primary (1) and a staged key (0), as `keystone-manage fernet_setup`. Returns true
 * when it created keys.
 */
export function initializeKeyRepository(dir: string, maxActiveKeys: number): boolean {
  ensureDir(dir);
  if (readKeyFiles(dir).has(0)) return false;
  stageNewKey(dir);
  rotateFernetKeys(dir, maxActiveKeys);
  return true;
}

/**
 * Promote the staged key to primary, stage a new key, and delete the oldest keys so at most
 * `maxActiveKeys` remain (the staged key counts). Returns the new primary's number.
 */
export function rotateFernetKeys(dir: string, maxActiveKeys: number): number {
  if (!Number.isInteger(maxActiveKeys) || maxActiveKeys < 1) {
    throw new KeyRepositoryError(`max_active_keys must be a positive integer, got ${maxActiveKeys}`);
  }
  ensureDir(dir);
  const existing = readKeyFiles(dir);
  if (!existing.has(0)) throw new KeyRepositoryError(`Fernet key repository ${dir} has no staged key 0; set it up first`);
  const newPrimary = Math.max(...existing.keys()) + 1;
  renameSync(join(dir, '0'), join(dir, String(newPrimary)));
  existing.delete(0);
  stageNewKey(dir);
  // The staged key and the new primary are kept; of the older keys keep the newest.
  const older = [...existing.keys()].sort((a, b) => b - a);
  const keepOlder = Math.max(0, maxActiveKeys - 2);
  for (const n of older.slice(keepOlder)) unlinkSync(join(dir, String(n)));
  return newPrimary;
}

/**
 * The keys of a repository as a FernetRing, reloaded when the directory changes (a rotation
 * done by `nubo identity fernet-rotate` while the server runs is picked up on the next use).
 */
export class KeyRepository {
  private ring: FernetRing | undefined;
  private stamp = '';
  private checkedAt = 0;

  constructor(readonly dir: string, private readonly recheckMs = 1000) {}

  /** The current ring; re-reads the directory at most once per `recheckMs`. */
  current(): FernetRing {
    const now = Date.now();
    if (this.ring && now - this.checkedAt < this.recheckMs) return this.ring;
    this.checkedAt = now;
    const stamp = this.dirStamp();
    if (!this.ring || stamp !== this.stamp) {
      const keys = loadKeys(this.dir);
      if (keys.length === 0) throw new KeyRepositoryError(`Fernet key repository ${this.dir} contains no keys`);
      this.ring = new FernetRing(keys);
      this.stamp = stamp;
    }
    return this.ring;
  }

  /** Forget the loaded keys (after a rotation in this process). */
  reload(): void {
    this.ring = undefined;
  }

  private dirStamp(): string {
    try {
      const names = readdirSync(this.dir).filter((n) => /^\d+$/.test(n)).sort();
      return names.map((n) => `${n}:${statSync(join(this.dir, n)).mtimeMs}`).join(',');
    } catch (err) {
      throw new KeyRepositoryError(`Fernet key repository ${this.dir} cannot be read`, { cause: err });
    }
  }
}
