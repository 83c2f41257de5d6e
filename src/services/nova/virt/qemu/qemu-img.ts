/**
 * qemu-img (Debian's qemu-utils) as the qemu driver uses it: the facts of a base image, qcow2
 * overlays on it, and a snapshot's flattened copy. The format is always given, never probed
 * (an image's data is the user's).
 */
import { execFile } from 'node:child_process';
import { QemuError } from '../../errors.js';

function qemuImg(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('qemu-img', args, { maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new QemuError(`qemu-img ${args[0]}: ${(stderr || err.message).trim()}`));
      else resolve(stdout);
    });
  });
}

export interface DiskInfo {
  format: string;
  virtualSize: number;
  backingFile: string | null;
  backingFormat: string | null;
}

/** `inUse`: a running QEMU has the image open (its lock is not taken). */
export async function diskInfo(path: string, format: string, inUse = false): Promise<DiskInfo> {
  const info = JSON.parse(await qemuImg(['info', '--output=json', ...(inUse ? ['-U'] : []), '-f', format, path])) as {
    format: string; 'virtual-size': number; 'backing-filename'?: string; 'backing-filename-format'?: string;
  };
  return { format: info.format, virtualSize: info['virtual-size'], backingFile: info['backing-filename'] ?? null, backingFormat: info['backing-filename-format'] ?? null };
}

/** A qcow2 at `path` backed by `base` (of `baseFormat`), `sizeBytes` large when that is more than the base. */
export async function createOverlay(path: string, base: string, baseFormat: string, sizeBytes?: number): Promise<void> {
  await qemuImg(['create', '-q', '-f', 'qcow2', '-b', base, '-F', baseFormat, path, ...(sizeBytes ? [String(sizeBytes)] : [])]);
}

/** A standalone qcow2 copy of `path` (its backing chain merged in); `inUse`: QEMU has it open (and paused). */
export async function flatten(path: string, output: string, inUse = false): Promise<void> {
  await qemuImg(['convert', '-q', ...(inUse ? ['-U'] : []), '-f', 'qcow2', '-O', 'qcow2', path, output]);
}

/** Point the qcow2 at `path` to `base` (of `baseFormat`) without copying data: the same image in another host's cache (a moved disk). */
export async function rebaseUnsafe(path: string, base: string, baseFormat: string): Promise<void> {
  await qemuImg(['rebase', '-q', '-u', '-f', 'qcow2', '-b', base, '-F', baseFormat, path]);
}

/** Grow the qcow2 at `path` to `sizeBytes` (a resize to a flavor with a larger root disk). */
export async function growDisk(path: string, sizeBytes: number): Promise<void> {
  await qemuImg(['resize', '-q', '-f', 'qcow2', path, String(sizeBytes)]);
}

/** Copy the disk at `src` onto the existing `dest` (a volume swapped while its guest is off): `-n`, the target is not created. */
export async function copyOnto(src: string, srcFormat: string, dest: string, destFormat: string): Promise<void> {
  await qemuImg(['convert', '-q', '-n', '-f', srcFormat, '-O', destFormat, src, dest]);
}
