/**
 * `nubo image build`: the guest image, a small bootable qcow2 made from Debian packages only
 * (see boot-disk.ts for the layout, initramfs.ts for the root tree, on the disk and in the
 * initramfs, guest-files.ts for the init). The packages are cached in `cacheDir` between builds; the scratch tree is removed.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { assembleDisk, buildBootPartition, buildRootPartition, toQcow2 } from './boot-disk.js';
import { fetchPackages, stagedKernelVersion, unpackAll } from './debs.js';
import { buildRootTree, packInitramfs } from './initramfs.js';

/** Where `nubo image build` keeps the downloaded packages unless told otherwise. */
export function defaultDebCache(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'nubo', 'guest-debs');
}

export interface GuestImageOptions {
  output: string;
  /** Where the downloaded .debs are kept. */
  cacheDir: string;
  /** Use only the .debs already in the cache (no apt-get download). */
  offline?: boolean;
  /** Also write the kernel and the initramfs here (for Glance kernel_id/ramdisk_id images: a direct kernel boot, no bootloader). */
  kernelOutput?: string;
  ramdiskOutput?: string;
  /** Progress lines. */
  log?: (line: string) => void;
}

export interface GuestImage {
  path: string;
  bytes: number;
  kernelVersion: string;
  initramfsBytes: number;
}

export async function buildGuestImage(opts: GuestImageOptions): Promise<GuestImage> {
  const log = opts.log ?? (() => undefined);
  mkdirSync(opts.cacheDir, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'nubo-image-'));
  try {
    log(`fetching packages into ${opts.cacheDir}`);
    const { debs, kernelPackage } = await fetchPackages(resolve(opts.cacheDir), opts.offline);
    const stage = join(work, 'stage');
    mkdirSync(stage);
    await unpackAll(debs, stage);
    const kernelVersion = stagedKernelVersion(stage);
    log(`kernel ${kernelPackage} (${kernelVersion}), ${debs.length} packages`);
    const kernel = join(stage, 'boot', readdirSync(join(stage, 'boot')).find((f) => f.startsWith('vmlinuz-'))!);
    const root = join(work, 'root');
    await buildRootTree(stage, root, kernelVersion);
    const initramfs = join(work, 'initrd.img');
    writeFileSync(initramfs, await packInitramfs(stage, root));
    log(`initramfs ${statSync(initramfs).size} bytes`);
    if (opts.kernelOutput) copyFileSync(kernel, opts.kernelOutput);
    if (opts.ramdiskOutput) copyFileSync(initramfs, opts.ramdiskOutput);
    const fat = join(work, 'boot.fat');
    await buildBootPartition({ kernel, initramfs }, fat, work);
    const ext = join(work, 'root.ext4');
    await buildRootPartition(root, ext, work);
    const raw = join(work, 'disk.raw');
    assembleDisk(fat, raw, ext);
    rmSync(opts.output, { force: true });
    await toQcow2(raw, opts.output);
    const image = { path: resolve(opts.output), bytes: statSync(opts.output).size, kernelVersion, initramfsBytes: statSync(initramfs).size };
    log(`wrote ${image.path} (${image.bytes} bytes)`);
    return image;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
