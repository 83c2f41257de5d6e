/**
 * The fake hypervisor's root disks: a small raw image whose bytes depend only on the image it
 * was built from and the instance it belongs to, so that a snapshot's data can be checked
 * byte for byte after it went through Glance. 64 KiB: a text header, then a SHA-256 stream.
 */
import { createHash } from 'node:crypto';

export const FAKE_DISK_BYTES = 64 * 1024;

export function fakeDiskContents(imageId: string, instanceUuid: string): Buffer {
  const out = Buffer.alloc(FAKE_DISK_BYTES);
  const header = Buffer.from(`NUBO-FAKE-DISK v1\nimage=${imageId || '(volume)'}\ninstance=${instanceUuid}\n`);
  header.copy(out, 0);
  let block = createHash('sha256').update(header).digest();
  for (let offset = 512; offset < FAKE_DISK_BYTES; offset += block.length) {
    block.copy(out, offset);
    block = createHash('sha256').update(block).digest();
  }
  return out;
}
