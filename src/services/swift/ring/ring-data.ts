/**
 * The ring file: swift's RingData serialised as format version 1 (swift/common/ring/ring.py),
 * so a `.ring.gz` written here is readable by Swift and the other way round:
 * gzip( 'R1NG' | uint16 BE version 1 | uint32 BE json length | json header | for each replica,
 * the partition → device id table as uint16 in the byte order the header names ).
 */
import { gunzipSync, gzipSync } from 'node:zlib';

/** A device as the ring lists it (None slots of removed devices are null). */
export interface RingDevice {
  id: number;
  region: number;
  zone: number;
  ip: string;
  port: number;
  replication_ip: string;
  replication_port: number;
  device: string;
  weight: number;
  meta: string;
}

export interface RingData {
  devs: Array<RingDevice | null>;
  /** 32 - part power: a partition is the top part_power bits of the hash. */
  partShift: number;
  /** One table per replica: partition → device id. */
  replica2part2dev: Uint16Array[];
  version?: number;
}

const MAGIC = Buffer.from('R1NG', 'ascii');

export function serializeRing(ring: RingData): Buffer {
  // sort_keys=True, ensure_ascii=True as upstream writes it
  const sorted = (v: unknown): unknown => (v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted((v as Record<string, unknown>)[k])]))
    : Array.isArray(v) ? v.map(sorted) : v);
  const header: Record<string, unknown> = {
    byteorder: 'little',
    devs: ring.devs,
    part_shift: ring.partShift,
    replica_count: ring.replica2part2dev.length,
  };
  if (ring.version !== undefined) header.version = ring.version;
  const text = JSON.stringify(sorted(header)).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const json = Buffer.from(text, 'ascii');
  const head = Buffer.alloc(10);
  MAGIC.copy(head, 0);
  head.writeUInt16BE(1, 4);
  head.writeUInt32BE(json.length, 6);
  const tables = ring.replica2part2dev.map((t) => {
    const b = Buffer.alloc(t.length * 2);
    for (let i = 0; i < t.length; i++) b.writeUInt16LE(t[i]!, i * 2);
    return b;
  });
  return gzipSync(Buffer.concat([head, json, ...tables]));
}

export class RingFormatError extends Error {}

export function deserializeRing(gz: Buffer): RingData {
  let raw: Buffer;
  try {
    raw = gunzipSync(gz);
  } catch (err) {
    throw new RingFormatError(`not a gzip file: ${(err as Error).message}`);
  }
  if (raw.length < 10 || !raw.subarray(0, 4).equals(MAGIC)) throw new RingFormatError('not a ring file (no R1NG magic; pickled rings are not read)');
  const version = raw.readUInt16BE(4);
  if (version !== 1) throw new RingFormatError(`unknown ring format version ${version}`);
  const jsonLen = raw.readUInt32BE(6);
  const header = JSON.parse(raw.subarray(10, 10 + jsonLen).toString('utf8')) as {
    devs: Array<RingDevice | null>; part_shift: number; replica_count: number; byteorder: string; version?: number;
  };
  let offset = 10 + jsonLen;
  const rest = raw.length - offset;
  const replicas = Math.ceil(header.replica_count);
  const parts = 2 ** (32 - header.part_shift);
  if (rest < replicas * parts * 2 - 1 && replicas > 0) {
    // Fractional replica counts have a shorter last table; we only write whole tables.
    if (rest < (replicas - 1) * parts * 2) throw new RingFormatError('truncated ring file');
  }
  const little = header.byteorder !== 'big';
  const tables: Uint16Array[] = [];
  for (let r = 0; r < replicas; r++) {
    const len = Math.min(parts, Math.floor((raw.length - offset) / 2));
    const t = new Uint16Array(len);
    for (let i = 0; i < len; i++) t[i] = little ? raw.readUInt16LE(offset + i * 2) : raw.readUInt16BE(offset + i * 2);
    offset += len * 2;
    tables.push(t);
  }
  return { devs: header.devs, partShift: header.part_shift, replica2part2dev: tables, ...(header.version !== undefined ? { version: header.version } : {}) };
}
