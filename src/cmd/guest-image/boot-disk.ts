/**
 * The guest's disk: an MBR disk whose first (active, FAT) partition holds the kernel, the
 * initramfs and SYSLINUX (Debian's syslinux and syslinux-common) and whose second (Linux) holds
 * the root file system, an ext4 made by `mke2fs -d` from the same tree as the initramfs
 * (e2fsprogs), converted to a compressed qcow2 by qemu-img.
 *
 * Why this layout: a disk that boots by itself is what Glance users and Tempest expect of an
 * image (one qcow2, no kernel_id/ramdisk_id images to upload and keep in step, boots with any
 * driver that boots a disk). SYSLINUX's mtools-based installer writes its boot sector and
 * ldlinux.sys into a FAT image file without mounting anything (extlinux would need a mounted
 * ext2, hence a loop device and privileges), and mtools fills the file system the same way.
 * `mke2fs -d` likewise fills the root file system from a directory without mounting it, and
 * debugfs makes its files root's (mke2fs copies the builder's uid). The initramfs's init mounts
 * that partition of the first disk and switches to it, so what a user writes in the guest is on
 * its disk, as on CirrOS: kept over reboots, in snapshots and on volumes the server boots from
 * (an image without the partition runs from RAM, as images built before it did). The partition
 * is not grown to the flavor's disk.
 */
import { OperatorError } from '../../common/errors.js';
import { closeSync, fstatSync, ftruncateSync, lstatSync, openSync, readdirSync, readFileSync, readSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { SYSLINUX_CFG } from './guest-files.js';
import { runTool } from './run.js';

/** Where Debian's syslinux-common keeps the master boot record code. */
export const SYSLINUX_MBR = '/usr/lib/syslinux/mbr/mbr.bin';
const SECTOR = 512;
/** The boot partition starts at 1 MiB (sector 2048), as partitioning tools align it; its size is whole MiB, so the root partition's start is aligned too. */
export const PARTITION_START_SECTOR = 2048;
/** W95 FAT16 (LBA): mkfs.vfat picks FAT16 for a partition this small. */
export const FAT_LBA_TYPE = 0x0e;
export const LINUX_TYPE = 0x83;
/** The root file system's label (the init mounts partition 2 of the first disk, not a label: a rescued guest has two). */
export const ROOT_LABEL = 'nubo-root';
/** Room left free on the root file system for what users write (zeros: nothing in the qcow2). */
const ROOT_FREE_MIB = 48;

export interface Partition {
  startSector: number;
  sectors: number;
  type: number;
  active?: boolean;
}

/** The first sector: boot code (at most 440 bytes), the partition entries (at most 4), the 0x55AA signature. */
export function masterBootRecord(bootCode: Buffer, partitions: readonly Partition[]): Buffer {
  if (bootCode.length > 440) throw new OperatorError(`boot code of ${bootCode.length} bytes does not fit the MBR`);
  if (partitions.length > 4) throw new OperatorError(`an MBR holds 4 partitions, not ${partitions.length}`);
  const mbr = Buffer.alloc(SECTOR);
  bootCode.copy(mbr, 0);
  partitions.forEach((p, i) => {
    const entry = 446 + 16 * i;
    mbr[entry] = p.active ? 0x80 : 0;
    mbr.set([0xfe, 0xff, 0xff], entry + 1); // CHS: past 8 GiB, use the LBA fields
    mbr[entry + 4] = p.type;
    mbr.set([0xfe, 0xff, 0xff], entry + 5);
    mbr.writeUInt32LE(p.startSector, entry + 8);
    mbr.writeUInt32LE(p.sectors, entry + 12);
  });
  mbr[510] = 0x55;
  mbr[511] = 0xaa;
  return mbr;
}

export interface BootFiles {
  kernel: string;
  initramfs: string;
}

/** A FAT file system (in `fatImage`) holding the kernel, initramfs, syslinux.cfg and SYSLINUX. */
export async function buildBootPartition(files: BootFiles, fatImage: string, workDir: string): Promise<void> {
  const payload = statSync(files.kernel).size + statSync(files.initramfs).size;
  const sizeKib = Math.ceil((payload * 1.05) / 1024 / 1024 + 2) * 1024;
  await runTool('mkfs.vfat', ['-C', '-n', 'NUBO-BOOT', '-h', String(PARTITION_START_SECTOR), fatImage, String(sizeKib)]);
  const mtools = { env: { MTOOLS_SKIP_CHECK: '1' } };
  await runTool('mcopy', ['-i', fatImage, files.kernel, '::/vmlinuz'], mtools);
  await runTool('mcopy', ['-i', fatImage, files.initramfs, '::/initrd.img'], mtools);
  const cfg = join(workDir, 'syslinux.cfg');
  writeFileSync(cfg, SYSLINUX_CFG);
  await runTool('mcopy', ['-i', fatImage, cfg, '::/syslinux.cfg'], mtools);
  await runTool('syslinux', ['--install', fatImage], mtools);
}

function treeBytes(dir: string): number {
  let bytes = 0;
  for (const entry of readdirSync(dir, { recursive: true }) as string[]) {
    const st = lstatSync(join(dir, String(entry)));
    bytes += st.isFile() ? Math.ceil(st.size / 4096) * 4096 : 4096;
  }
  return bytes;
}

/**
 * An ext4 file system (in `extImage`) holding the tree `rootDir`, every file root's, with
 * ROOT_FREE_MIB to spare. 4 KiB blocks and 256-byte inodes (mke2fs's "small" defaults for a file
 * system this size would be 1 KiB blocks and 128-byte inodes, whose times end in 2038).
 */
export async function buildRootPartition(rootDir: string, extImage: string, workDir: string): Promise<void> {
  const sizeMib = Math.ceil(treeBytes(rootDir) / 1024 / 1024) + ROOT_FREE_MIB;
  await runTool('mke2fs', ['-q', '-F', '-t', 'ext4', '-b', '4096', '-I', '256', '-L', ROOT_LABEL, '-E', 'root_owner=0:0', '-d', rootDir, extImage, `${sizeMib}M`]);
  // mke2fs -d keeps the builder's uid and gid: without root privileges they are not 0 (and dropbear refuses keys under a home not root's).
  const paths = (readdirSync(rootDir, { recursive: true }) as string[]).map((p) => '/' + String(p));
  const commands = paths.flatMap((p) => [`sif "${p}" uid 0`, `sif "${p}" gid 0`]).join('\n') + '\n';
  const script = join(workDir, 'owners.debugfs');
  writeFileSync(script, commands);
  await runTool('debugfs', ['-w', '-f', script, extImage]);
}

/** Copy `file` into the open disk at byte `offset`, 1 MiB at a time, leaving holes for the chunks of zeros. */
function copyInto(fd: number, file: string, offset: number): void {
  const src = openSync(file, 'r');
  try {
    const chunk = Buffer.alloc(1 << 20);
    const zeros = Buffer.alloc(chunk.length);
    let done = 0;
    for (let n; (n = readSync(src, chunk, 0, chunk.length, done)) > 0; done += n) {
      if (n < chunk.length || !chunk.equals(zeros)) writeSync(fd, chunk, 0, n, offset + done);
    }
    ftruncateSync(fd, Math.max(fstatSync(fd).size, offset + done));
  } finally {
    closeSync(src);
  }
}

/** The raw disk: MBR + padding to the boot partition, its image, then the root partition's image (when given). */
export function assembleDisk(fatImage: string, rawDisk: string, rootImage?: string, mbrCode: Buffer = readFileSync(SYSLINUX_MBR)): void {
  const fatSectors = statSync(fatImage).size / SECTOR;
  const partitions: Partition[] = [{ startSector: PARTITION_START_SECTOR, sectors: fatSectors, type: FAT_LBA_TYPE, active: true }];
  if (rootImage) partitions.push({ startSector: PARTITION_START_SECTOR + fatSectors, sectors: statSync(rootImage).size / SECTOR, type: LINUX_TYPE });
  const fd = openSync(rawDisk, 'w');
  try {
    writeSync(fd, masterBootRecord(mbrCode, partitions), 0, SECTOR, 0);
    copyInto(fd, fatImage, PARTITION_START_SECTOR * SECTOR);
    if (rootImage) copyInto(fd, rootImage, partitions[1]!.startSector * SECTOR);
  } finally {
    closeSync(fd);
  }
}

/** qemu-img convert to a compressed qcow2. */
export async function toQcow2(rawDisk: string, output: string): Promise<void> {
  await runTool('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', '-c', rawDisk, output]);
}
