/**
 * The sending side of object replication (ssync_sender.py, and the replicator's REPLICATE
 * call): a remote's suffix hashes, then the suffixes that differ pushed to it — the offer of
 * every object of those suffixes, and one replicated PUT/DELETE/POST per file it wants
 * (ssync.ts describes the exchange; upstream would rsync the suffix directories).
 */
import { readdirSync, type ReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { eachLimited } from '../daemons/each-limited.js';
import type { RingDevice } from '../ring/ring-data.js';
import { backendCall, backendPath, backendRequest } from '../utils/backend-client.js';
import { readTrailer } from './diskfile.js';
import { cleanupOnDisk, stampOf } from './ondisk.js';
import { encodeMetadata, METADATA_HEADER, REPLICATION_HEADER, splitObjectName, VERB_HEADER, type Offer, type Wants } from './ssync.js';
import type { SuffixHashes } from './hashes.js';

export interface Timeouts {
  connMs: number;
  nodeMs: number;
}

/** A remote that could not be asked or refused (unreachable, 507, 5xx). */
export class ReplicationFailed extends Error {
  constructor(readonly node: RingDevice, readonly status: number | undefined, message: string) {
    super(`${node.replication_ip || node.ip}:${node.replication_port || node.port}/${node.device}: ${message}`);
  }
}

const addr = (n: RingDevice) => ({ ip: n.replication_ip || n.ip, port: n.replication_port || n.port });

/** REPLICATE: the remote's suffix hashes of a partition (the listed suffixes rehashed first). */
export async function remoteHashes(node: RingDevice, partition: number, timeouts: Timeouts, recalculate: readonly string[] = []): Promise<SuffixHashes> {
  const path = `/${encodeURIComponent(node.device)}/${partition}${recalculate.length ? `/${recalculate.join('-')}` : ''}`;
  let r;
  try {
    r = await backendCall(addr(node), 'POST', path, { [VERB_HEADER]: 'REPLICATE', 'Content-Length': 0 }, timeouts);
  } catch (err) {
    throw new ReplicationFailed(node, undefined, (err as Error).message);
  }
  if (r.status !== 200) throw new ReplicationFailed(node, r.status, `REPLICATE answered ${r.status}`);
  return JSON.parse(r.text) as SuffixHashes;
}

/** One object of a local partition as the sender offers it. */
interface LocalObject extends Offer {
  dir: string;
  dataFile: string;
  metaFile?: string;
}

/** The objects of some suffixes of a local partition directory. */
export function localObjects(partitionDir: string, suffixes: readonly string[]): LocalObject[] {
  const out: LocalObject[] = [];
  for (const suffix of suffixes) {
    let hashes: string[];
    try {
      hashes = readdirSync(join(partitionDir, suffix));
    } catch {
      continue;
    }
    for (const hash of hashes.sort()) {
      const dir = join(partitionDir, suffix, hash);
      const f = cleanupOnDisk(dir);
      const main = f?.data ?? f?.ts;
      if (!f || !main) continue;
      out.push({
        hash, dir, dataFile: main, ts: stampOf(main), kind: f.data ? 'data' : 'ts',
        ...(f.meta ? { meta: stampOf(f.meta), metaFile: f.meta } : {}),
      });
    }
  }
  return out;
}

export interface SyncResult {
  /** Every wanted file was placed (or the remote had newer). */
  ok: boolean;
  /** Files sent. */
  sent: number;
  /** The objects the remote now holds (or holds newer): a handoff may delete these. */
  inSync: LocalObject[];
}

/** Pushes the objects of `suffixes` of a local partition to a remote device of the same partition. */
export async function syncSuffixes(partitionDir: string, partition: number, node: RingDevice, suffixes: readonly string[],
  timeouts: Timeouts, parallel = 4): Promise<SyncResult> {
  const objects = localObjects(partitionDir, suffixes);
  if (objects.length === 0) return { ok: true, sent: 0, inSync: [] };
  const offers: Offer[] = objects.map(({ hash, ts, kind, meta }) => ({ hash, ts, kind, ...(meta ? { meta } : {}) }));
  let r;
  try {
    r = await backendCall(addr(node), 'POST', `/${encodeURIComponent(node.device)}/${partition}`,
      { [VERB_HEADER]: 'SSYNC', 'Content-Type': 'application/json' }, timeouts, JSON.stringify({ offers }));
  } catch (err) {
    throw new ReplicationFailed(node, undefined, (err as Error).message);
  }
  if (r.status !== 200) throw new ReplicationFailed(node, r.status, `SSYNC missing-check answered ${r.status}`);
  const wants = JSON.parse(r.text) as Wants;
  const result: SyncResult = { ok: true, sent: 0, inSync: [] };
  await eachLimited(objects, parallel, async (obj) => {
    const want = wants[obj.hash] ?? '';
    let ok = true;
    if (want.includes('d')) ok = await sendFile(node, partition, obj, obj.kind === 'data' ? 'PUT' : 'DELETE', obj.dataFile, timeouts, result);
    if (ok && want.includes('m') && obj.metaFile) ok = await sendFile(node, partition, obj, 'POST', obj.metaFile, timeouts, result);
    if (ok) result.inSync.push(obj);
    else result.ok = false;
  });
  return result;
}

/** One replicated file; true when placed or when the remote already has something newer (409). */
async function sendFile(node: RingDevice, partition: number, obj: LocalObject, method: 'PUT' | 'DELETE' | 'POST', file: string,
  timeouts: Timeouts, result: SyncResult): Promise<boolean> {
  let fh;
  try {
    fh = await open(join(obj.dir, file), 'r');
  } catch {
    return false; // gone since the offer (a newer write replaced it): the next pass sees the newer one
  }
  let stream: ReadStream | undefined;
  try {
    const { metadata, bodySize } = await readTrailer(fh);
    const name = splitObjectName(metadata.name ?? '');
    if (!name) return false;
    const path = backendPath(node.device, partition, name.account, name.container, name.object);
    const headers = { [REPLICATION_HEADER]: 'True', [METADATA_HEADER]: encodeMetadata(metadata), 'X-Timestamp': metadata['X-Timestamp'] ?? stampOf(file) };
    let status: number;
    try {
      if (method === 'PUT') {
        if (bodySize > 0) stream = fh.createReadStream({ start: 0, end: bodySize - 1, autoClose: true });
        const res = await backendRequest(addr(node), 'PUT', path, { ...headers, 'Content-Length': bodySize }, stream ?? Buffer.alloc(0), timeouts);
        res.body.resume();
        status = res.status;
      } else {
        status = (await backendCall(addr(node), method, path, { ...headers, 'Content-Length': 0 }, timeouts)).status;
      }
    } catch {
      return false;
    }
    if (status >= 200 && status < 300) {
      result.sent++;
      return true;
    }
    return status === 409;
  } catch {
    return false; // an unreadable file: the auditor's to quarantine
  } finally {
    // the stream closes the file (also when the remote answered before reading all of it)
    if (stream) stream.destroy();
    else await fh.close().catch(() => undefined);
  }
}
