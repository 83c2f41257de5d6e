/**
 * The guest's disk: an MBR disk whose one (active, FAT) partition holds the kernel, the
 * initramfs and SYSLINUX (Debian's syslinux and syslinux-common), converted to a compressed
 * qcow2 by qemu-img.
 *
 * Why this layout: a disk that boots by itself is what Glance users and Tempest expect of an
 * image (one qcow2, no kernel_id/ramdisk_id images to upload and keep in step, boots with any
 * driver that boots a disk). SYSLINUX's mtools-based installer writes its boot sector and
 * ldlinux.sys into a FAT image file without mounting anything (extlinux would need a mounted
 * ext2, hence a loop device and privileges), and mtools fills the file system the same way.
 * The root file system is the initramfs: the guest runs from RAM, so the disk is never written
 * (persistent data belongs on volumes), and nothing needs to be grown.
 */
import { OperatorError } from '../../common/errors.js';
import { closeSync, openSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { SYSLINUX_CFG } from './guest-files.js';
import { runTool } from './run.js';

/** Where Debian's syslinux-common keeps the master boot record code. */
export const SYSLINUX_MBR = '/usr/lib/syslinux/mbr/mbr.bin';
const SECTOR = 512;
/** The partition starts at 1 MiB (sector 2048), as partitioning tools align it. */
export const PARTITION_START_SECTOR = 2048;
/** W95 FAT16 (LBA): mkfs.vfat picks FAT16 for a partition this small. */
const FAT_LBA_TYPE = 0x0e;

/** The first sector: boot code (at most 440 bytes), one active partition entry, the 0x55AA signature. */
export function masterBootRecord(bootCode: Buffer, startSector: number, sectors: number): Buffer {
  if (bootCode.length > 440) throw new OperatorError(`boot code of ${bootCode.length} bytes does not fit the MBR`);
  const mbr = Buffer.alloc(SECTOR);
  bootCode.copy(mbr, 0);
  const entry = 446;
  mbr[entry] = 0x80; // active
  mbr.set([0xfe, 0xff, 0xff], entry + 1); // CHS: past 8 GiB, use the LBA fields
  mbr[entry + 4] = FAT_LBA_TYPE;
  mbr.set([0xfe, 0xff, 0xff], entry + 5);
  mbr.writeUInt32LE(startSector, entry + 8);
  mbr.writeUInt32LE(sectors, entry + 12);
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

/** The raw disk: MBR + padding to the partition, then the partition's image. */
export function assembleDisk(fatImage: string, rawDisk: string, mbrCode: Buffer = readFileSync(SYSLINUX_MBR)): void {
  const fat = readFileSync(fatImage);
  const fd = openSync(rawDisk, 'w');
  try {
    writeSync(fd, masterBootRecord(mbrCode, PARTITION_START_SECTOR, fat.length / SECTOR), 0, SECTOR, 0);
    writeSync(fd, fat, 0, fat.length, PARTITION_START_SECTOR * SECTOR);
  } finally {
    closeSync(fd);
  }
}

/** qemu-img convert to a compressed qcow2. */
export async function toQcow2(rawDisk: string, output: string): Promise<void> {
  await runTool('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', '-c', rawDisk, output]);
}
