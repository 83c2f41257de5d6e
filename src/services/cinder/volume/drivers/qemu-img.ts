/**
 * qemu-img (Debian's qemu-utils) as the file driver uses it: create, resize and info of qcow2
 * images. `qemuImgAvailable()` tells whether the tool is installed.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { VolumeBackendAPIException } from '../../errors.js';

const run = promisify(execFile);

let available: Promise<boolean> | undefined;

export function qemuImgAvailable(): Promise<boolean> {
  available ??= run('qemu-img', ['--version']).then(() => true, () => false);
  return available;
}

async function qemuImg(args: string[]): Promise<string> {
  try {
    return (await run('qemu-img', args, { maxBuffer: 1 << 20 })).stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new VolumeBackendAPIException(`qemu-img ${args[0]} failed: ${(e.stderr ?? e.message).trim()}`);
  }
}

export async function createImage(path: string, format: 'qcow2' | 'raw', sizeGb: number, backing?: string): Promise<void> {
  const args = ['create', '-f', format];
  if (backing) args.push('-b', backing, '-F', format);
  args.push(path, `${sizeGb}G`);
  await qemuImg(args);
}

export async function convertImage(from: string, fromFormat: string, to: string, toFormat: string): Promise<void> {
  await qemuImg(['convert', '-f', fromFormat, '-O', toFormat, from, to]);
}

export async function resizeImage(path: string, format: 'qcow2' | 'raw', sizeGb: number): Promise<void> {
  await qemuImg(['resize', '-f', format, path, `${sizeGb}G`]);
}

/** `format`: the format the file is known to have (never probed for untrusted data). */
export async function imageInfo(path: string, format?: string): Promise<{ format: string; virtualSize: number; backingFile: string | null }> {
  const info = JSON.parse(await qemuImg(['info', '--output=json', ...(format ? ['-f', format] : []), path])) as { format: string; 'virtual-size': number; 'backing-filename'?: string };
  return { format: info.format, virtualSize: info['virtual-size'], backingFile: info['backing-filename'] ?? null };
}
