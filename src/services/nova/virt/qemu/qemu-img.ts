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
}

export async function diskInfo(path: string, format: string): Promise<DiskInfo> {
  const info = JSON.parse(await qemuImg(['info', '--output=json', '-f', format, path])) as { format: string; 'virtual-size': number; 'backing-filename'?: string };
  return { format: info.format, virtualSize: info['virtual-size'], backingFile: info['backing-filename'] ?? null };
}

/** A qcow2 at `path` backed by `base` (of `baseFormat`), `sizeBytes` large when that is more than the base. */
export async function createOverlay(path: string, base: string, baseFormat: string, sizeBytes?: number): Promise<void> {
  await qemuImg(['create', '-q', '-f', 'qcow2', '-b', base, '-F', baseFormat, path, ...(sizeBytes ? [String(sizeBytes)] : [])]);
}

/** A standalone qcow2 copy of `path` (its backing chain merged in); `inUse`: QEMU has it open (and paused). */
export async function flatten(path: string, output: string, inUse = false): Promise<void> {
  await qemuImg(['convert', '-q', ...(inUse ? ['-U'] : []), '-f', 'qcow2', '-O', 'qcow2', path, output]);
}
