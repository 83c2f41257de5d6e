/**
 * Builders of small disk images in the formats the inspectors know, written from the format
 * specifications, for tests (no qemu-img needed).
 */
import { randomBytes } from 'node:crypto';

export interface QcowOptions {
  virtualSize?: number;
  version?: number;
  backingFile?: string;
  /** Set the external data file incompatible-feature bit. */
  dataFile?: boolean;
  /** Extra incompatible-feature bits (a 64-bit mask). */
  features?: bigint;
  totalSize?: number;
}

export function qcow2(opts: QcowOptions = {}): Buffer {
  const buf = Buffer.alloc(opts.totalSize ?? 196608);
  buf.write('QFI\xfb', 0, 'latin1');
  buf.writeUInt32BE(opts.version ?? 3, 4);
  if (opts.backingFile) {
    buf.writeBigUInt64BE(512n, 8);
    buf.writeUInt32BE(opts.backingFile.length, 16);
    buf.write(opts.backingFile, 512, 'latin1');
  }
  buf.writeUInt32BE(16, 20); // cluster bits
  buf.writeBigUInt64BE(BigInt(opts.virtualSize ?? 1 << 30), 24);
  let features = opts.features ?? 0n;
  if (opts.dataFile) features |= 1n << 2n;
  buf.writeBigUInt64BE(features, 0x48);
  buf.writeUInt32BE(104, 100); // header length
  return buf;
}

export interface VmdkOptions {
  createType?: string;
  extent?: string;
  sectors?: number;
  /** Put the grain directory at the end (streamOptimized with a footer). */
  footer?: boolean;
  corruptFooter?: boolean;
}

export function vmdk(opts: VmdkOptions = {}): Buffer {
  const sectors = opts.sectors ?? 2048;
  const header = Buffer.alloc(512);
  header.write('KDMV', 0, 'latin1');
  header.writeUInt32LE(opts.footer ? 3 : 1, 4);
  header.writeUInt32LE(3, 8);
  header.writeBigUInt64LE(BigInt(sectors), 12);
  header.writeBigUInt64LE(128n, 20);
  header.writeBigUInt64LE(1n, 28); // descriptor at sector 1
  header.writeBigUInt64LE(20n, 36); // 20 sectors of descriptor
  header.writeUInt32LE(512, 44);
  header.writeBigUInt64LE(opts.footer ? 0xffffffffffffffffn : 21n, 56);
  const desc = [
    '# Disk DescriptorFile',
    'version=1',
    'CID=fffffffe',
    'parentCID=ffffffff',
    `createType="${opts.createType ?? 'monolithicSparse'}"`,
    '',
    '# Extent description',
    opts.extent ?? `RW ${sectors} SPARSE "disk.vmdk"`,
    '',
    'ddb.virtualHWVersion = "4"',
    '',
  ].join('\n');
  const descBuf = Buffer.alloc(20 * 512);
  descBuf.write(desc, 0, 'latin1');
  const body = Buffer.alloc(64 * 1024);
  const parts = [header, descBuf, body];
  if (opts.footer) {
    const footerMarker = Buffer.alloc(512);
    footerMarker.writeUInt32LE(opts.corruptFooter ? 7 : 3, 12);
    const footer = Buffer.from(header);
    footer.writeBigUInt64LE(21n, 56);
    const eos = Buffer.alloc(512);
    parts.push(footerMarker, footer, eos);
  }
  return Buffer.concat(parts);
}

export function vhd(virtualSize = 1 << 26): Buffer {
  const buf = Buffer.alloc(4096);
  buf.write('conectix', 0, 'latin1');
  buf.writeBigUInt64BE(BigInt(virtualSize), 40);
  buf.writeBigUInt64BE(BigInt(virtualSize), 48);
  return buf;
}

function guidBytes(guid: string): Buffer {
  const [a, b, c, d, e] = guid.split('-') as [string, string, string, string, string];
  const out = Buffer.alloc(16);
  out.writeUInt32LE(parseInt(a, 16), 0);
  out.writeUInt16LE(parseInt(b, 16), 4);
  out.writeUInt16LE(parseInt(c, 16), 6);
  Buffer.from(d + e, 'hex').copy(out, 8);
  return out;
}

export function vhdx(virtualSize = 1 << 28): Buffer {
  const buf = Buffer.alloc(1024 * 1024 + 128 * 1024);
  buf.write('vhdxfile', 0, 'latin1');
  const rt = 192 * 1024;
  buf.writeUInt32LE(0x69676572, rt); // 'regi'
  buf.writeUInt32LE(2, rt + 8);
  // entry 0: BAT (ignored), entry 1: metadata region at 1 MiB
  guidBytes('2DC27766-F623-4200-9D64-115E9BFD4A08').copy(buf, rt + 16);
  buf.writeBigUInt64LE(2n * 1024n * 1024n, rt + 32);
  guidBytes('8B7CA206-4790-4B9A-B8FE-575F050F886E').copy(buf, rt + 48);
  buf.writeBigUInt64LE(1024n * 1024n, rt + 64);
  buf.writeUInt32LE(64 * 1024, rt + 72);
  const md = 1024 * 1024;
  buf.write('metadata', md, 'latin1');
  buf.writeUInt16LE(2, md + 10);
  guidBytes('CAA16737-FA36-4D43-B3B6-33F0AA44E76B').copy(buf, md + 32);
  buf.writeUInt32LE(0x10000, md + 48);
  buf.writeUInt32LE(8, md + 52);
  guidBytes('2FA54224-CD1B-4876-B211-5DBED83BF4B8').copy(buf, md + 64);
  buf.writeUInt32LE(0x10008, md + 80);
  buf.writeUInt32LE(8, md + 84);
  buf.writeBigUInt64LE(BigInt(virtualSize), md + 0x10008);
  return buf;
}

export function vdi(virtualSize = 1 << 25): Buffer {
  const buf = Buffer.alloc(4096);
  buf.write('<<< Oracle VM VirtualBox Disk Image >>>\n', 0, 'latin1');
  buf.writeUInt32LE(0xbeda107f, 0x40);
  buf.writeBigUInt64LE(BigInt(virtualSize), 0x170);
  return buf;
}

export function iso(blocks = 200): Buffer {
  const buf = Buffer.alloc(blocks * 2048);
  const pvd = 32 * 1024;
  buf[pvd] = 1;
  buf.write('CD001', pvd + 1, 'latin1');
  buf.writeUInt32LE(blocks, pvd + 80);
  buf.writeUInt32BE(blocks, pvd + 84);
  buf.writeUInt16LE(2048, pvd + 128);
  buf.writeUInt16BE(2048, pvd + 130);
  return buf;
}

/** Random bytes that no inspector mistakes for a format (first byte avoids every magic). */
export function raw(size = 65536): Buffer {
  const buf = randomBytes(size);
  buf[0] = 0;
  buf[510] = 0; // no MBR signature
  return buf;
}

/** Split a buffer into chunks of the given sizes (cycled), to exercise unaligned reads. */
export function* chunked(buf: Buffer, sizes: readonly number[]): Generator<Buffer> {
  let pos = 0;
  let i = 0;
  while (pos < buf.length) {
    const n = sizes[i++ % sizes.length]!;
    yield buf.subarray(pos, pos + n);
    pos += n;
  }
}
