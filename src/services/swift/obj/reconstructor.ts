/**
 * The object reconstructor (swift/obj/reconstructor.py) of an erasure-coded policy: for every
 * partition of every local device of the policy's ring,
 *
 * - a partition this device is a primary of (a sync job, fragment index = its place among the
 *   primaries): for each durable object it holds, each of its two ring neighbours (the primaries
 *   before and after it, as upstream's sync partners) is asked for its fragment archive; one that
 *   lacks it (or holds an older one) gets it rebuilt: k other primaries' archives are read
 *   segment by segment, the missing fragment of each segment computed, the archive PUT to the
 *   neighbour with the object's metadata and committed (durable);
 * - a tombstone newer than a partner's archive is sent to it (a DELETE at the tombstone's
 *   timestamp: the partner missed the delete);
 * - a fragment archive whose index is not this device's (a handoff's, left by a PUT while a
 *   primary was down: a revert job) is sent as it is to the primary of its index, committed,
 *   and removed here once that primary holds it.
 *
 * Upstream compares suffix hashes with its partners and ships files with ssync; here each
 * object is asked for by a HEAD (fine for small partitions, more requests than upstream).
 */
import { createReadStream } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import type { OutgoingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { Ring, RingNode } from '../ring/ring.js';
import type { RingDevice } from '../ring/ring-data.js';
import { localDevices, type Locality } from '../daemons/local-devices.js';
import { backendCall, backendRequest, type BackendResponse } from '../utils/backend-client.js';
import { ExactReader } from '../utils/exact-reader.js';
import type { ECPolicy } from '../utils/storage-policy.js';
import { readTrailer, type ObjectMetadata } from './diskfile.js';
import { classifyECFiles, ECDiskFileManager } from './ec-diskfile.js';
import type { HashConf } from '../ring/hash.js';

export interface ReconstructorOptions {
  ring: () => Ring;
  policy: ECPolicy;
  hash: HashConf;
  locality: Locality;
  timeouts: { connMs: number; nodeMs: number };
  log: { info(obj: unknown, msg?: string): void; warn(obj: unknown, msg?: string): void };
}

export interface ReconstructionStats {
  partitions: number;
  /** Fragment archives rebuilt on a neighbour. */
  rebuilt: number;
  /** Handoff fragment archives sent home (or found there) and removed here. */
  reverted: number;
  /** Tombstones sent to partners that still had an older archive. */
  deletesSent: number;
  failures: number;
}

/** A local durable fragment archive. */
interface LocalFrag {
  dir: string;
  file: string;
  fragIndex: number;
  timestamp: string;
  metadata: ObjectMetadata;
  bodySize: number;
}

const nodeName = (n: RingNode): string => `${n.ip}:${n.port}/${n.device}`;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export class ObjectReconstructor {
  private readonly files: ECDiskFileManager;

  constructor(private readonly opts: ReconstructorOptions) {
    this.files = new ECDiskFileManager(opts.locality.devicesRoot, opts.hash, opts.policy.index);
  }

  /** One pass over the local devices (reconstruct(once=True)). */
  async reconstructOnce(): Promise<ReconstructionStats> {
    const stats: ReconstructionStats = { partitions: 0, rebuilt: 0, reverted: 0, deletesSent: 0, failures: 0 };
    const ring = this.opts.ring();
    for (const dev of localDevices(ring.devs, this.opts.locality)) {
      let parts: string[];
      try {
        parts = (await readdir(this.files.objectsDir(dev.device))).filter((p) => /^\d+$/.test(p));
      } catch {
        continue;
      }
      for (const p of parts) {
        stats.partitions++;
        await this.partition(ring, dev, Number(p), stats);
      }
    }
    return stats;
  }

  /** The durable fragment archives of a partition, and its tombstones (as { timestamp, metadata } with fragIndex -1). */
  private async localFrags(partDir: string): Promise<LocalFrag[]> {
    const out: LocalFrag[] = [];
    let suffixes: string[];
    try {
      suffixes = await readdir(partDir);
    } catch {
      return out;
    }
    const read = async (dir: string, file: string, fragIndex: number): Promise<void> => {
      const fh = await open(join(dir, file), 'r');
      try {
        const { metadata, bodySize } = await readTrailer(fh);
        out.push({ dir, file, fragIndex, timestamp: file.slice(0, 16), metadata, bodySize });
      } catch (err) {
        this.opts.log.warn({ file: join(dir, file), err: (err as Error).message }, 'object reconstructor: unreadable file');
      } finally {
        await fh.close();
      }
    };
    for (const suffix of suffixes.filter((s) => /^[0-9a-f]{3}$/.test(s))) {
      let hashes: string[];
      try {
        hashes = await readdir(join(partDir, suffix));
      } catch {
        continue;
      }
      for (const h of hashes) {
        const dir = join(partDir, suffix, h);
        let names: string[];
        try {
          names = await readdir(dir);
        } catch {
          continue;
        }
        const s = classifyECFiles(names);
        if (s.ts) await read(dir, s.ts, -1);
        for (const [fragIndex, file] of s.frags) await read(dir, file, fragIndex);
      }
    }
    return out;
  }

  private async partition(ring: Ring, dev: RingDevice, part: number, stats: ReconstructionStats): Promise<void> {
    const primaries = ring.getPartNodes(part);
    const mine = primaries.findIndex((p) => p.id === dev.id);
    const n = primaries.length;
    for (const frag of await this.localFrags(this.files.partitionDir(dev.device, part))) {
      const name = frag.metadata.name ?? '';
      const [, account, container, ...rest] = name.split('/');
      if (!account || !container || rest.length === 0) continue;
      const path = `/${part}/${encodeURIComponent(account)}/${encodeURIComponent(container)}/${rest.join('/').split('/').map(encodeURIComponent).join('/')}`;
      if (frag.fragIndex === -1) {
        if (mine >= 0) for (const j of new Set([(mine + n - 1) % n, (mine + 1) % n])) if (j !== mine) await this.sendDelete(primaries[j]!, path, frag.timestamp, stats);
        continue;
      }
      if (frag.fragIndex !== mine) {
        await this.revert(primaries[frag.fragIndex], frag, path, stats);
        continue;
      }
      for (const j of new Set([(mine + n - 1) % n, (mine + 1) % n])) {
        if (j === mine) continue;
        const partner = primaries[j]!;
        const state = await this.archiveState(partner, path, frag.timestamp);
        if (state === 'unknown') stats.failures++;
        if (state !== 'missing') continue;
        if (await this.rebuild(primaries, j, frag, path)) stats.rebuilt++;
        else stats.failures++;
      }
    }
  }

  private policyHeaders(): OutgoingHttpHeaders {
    return { 'X-Backend-Storage-Policy-Index': String(this.opts.policy.index) };
  }

  /** A partner still holding an archive older than a local tombstone gets the delete. */
  private async sendDelete(node: RingNode, path: string, timestamp: string, stats: ReconstructionStats): Promise<void> {
    const full = `/${encodeURIComponent(node.device)}${path}`;
    try {
      const head = await backendCall(node, 'HEAD', full, this.policyHeaders(), this.opts.timeouts);
      if (!(head.status >= 200 && head.status < 300 && str(head.headers['x-backend-data-timestamp']) < timestamp)) return;
      const r = await backendCall(node, 'DELETE', full, { ...this.policyHeaders(), 'X-Timestamp': timestamp, 'Content-Length': '0' }, this.opts.timeouts);
      if (r.status < 300 || r.status === 404) stats.deletesSent++;
      else stats.failures++;
    } catch (err) {
      stats.failures++;
      this.opts.log.warn({ node: nodeName(node), err: (err as Error).message }, 'object reconstructor: node unavailable');
    }
  }

  /** Whether a node holds the archive of `timestamp` (or something newer). */
  private async archiveState(node: RingNode, path: string, timestamp: string): Promise<'present' | 'missing' | 'unknown'> {
    try {
      const r = await backendCall(node, 'HEAD', `/${encodeURIComponent(node.device)}${path}`, this.policyHeaders(), this.opts.timeouts);
      if (r.status >= 200 && r.status < 300) return str(r.headers['x-backend-data-timestamp']) >= timestamp ? 'present' : 'missing';
      if (r.status === 404) return str(r.headers['x-backend-timestamp']) >= timestamp ? 'present' : 'missing';
      return 'unknown';
    } catch (err) {
      this.opts.log.warn({ node: nodeName(node), err: (err as Error).message }, 'object reconstructor: node unavailable');
      return 'unknown';
    }
  }

  /** The archive PUT to a node (the metadata of `frag`, fragment index `index`) and committed. */
  private async send(node: RingNode, path: string, frag: LocalFrag, index: number, length: number, body: Readable): Promise<boolean> {
    const headers: OutgoingHttpHeaders = { ...this.policyHeaders(), 'Content-Length': String(length) };
    for (const [k, v] of Object.entries(frag.metadata)) if (!['name', 'ETag', 'Content-Length'].includes(k)) headers[k] = v;
    headers['X-Object-Sysmeta-Ec-Frag-Index'] = String(index);
    const full = `/${encodeURIComponent(node.device)}${path}`;
    try {
      const r = await backendRequest(node, 'PUT', full, headers, body, this.opts.timeouts);
      r.body.resume();
      if (r.status !== 201) {
        this.opts.log.warn({ node: nodeName(node), status: r.status }, 'object reconstructor: fragment archive refused');
        return false;
      }
      const c = await backendCall(node, 'PUT', full, { ...this.policyHeaders(), 'X-Timestamp': frag.timestamp, 'X-Backend-Ec-Commit': 'yes', 'Content-Length': '0' }, this.opts.timeouts);
      return c.status >= 200 && c.status < 300;
    } catch (err) {
      body.destroy();
      this.opts.log.warn({ node: nodeName(node), err: (err as Error).message }, 'object reconstructor: fragment archive not sent');
      return false;
    }
  }

  /** Fragment archive `target` rebuilt from k other primaries' and sent to primaries[target]. */
  private async rebuild(primaries: RingNode[], target: number, frag: LocalFrag, path: string): Promise<boolean> {
    const { codec, ndata: k } = this.opts.policy;
    const sources = new Map<number, BackendResponse>();
    for (const [i, node] of primaries.entries()) {
      if (i === target || sources.size >= k) continue;
      try {
        const r = await backendRequest(node, 'GET', `/${encodeURIComponent(node.device)}${path}`, this.policyHeaders(), undefined, this.opts.timeouts);
        if (r.status === 200 && str(r.headers['x-backend-data-timestamp']) === frag.timestamp && Number(str(r.headers['x-object-sysmeta-ec-frag-index'])) === i) sources.set(i, r);
        else r.body.resume();
      } catch {
        // another primary, then
      }
    }
    if (sources.size < k) {
      for (const r of sources.values()) r.body.destroy();
      this.opts.log.warn({ path, have: sources.size, need: k }, 'object reconstructor: too few fragment archives to rebuild');
      return false;
    }
    const length = Number(frag.metadata['X-Object-Sysmeta-Ec-Content-Length'] ?? 'NaN');
    const segmentSize = Number(frag.metadata['X-Object-Sysmeta-Ec-Segment-Size'] ?? this.opts.policy.segmentSize);
    if (!Number.isFinite(length)) return false;
    const segments: number[] = [];
    for (let off = 0; off < length; off += segmentSize) segments.push(Math.min(segmentSize, length - off));
    const archiveLength = segments.reduce((a, s) => a + codec.fragmentSize(s), 0);
    const readers = [...sources.entries()].map(([i, r]) => [i, new ExactReader(r.body)] as const);
    async function* rebuilt(): AsyncGenerator<Buffer> {
      try {
        for (const seg of segments) {
          const size = codec.fragmentSize(seg);
          const frags = new Map<number, Uint8Array>();
          for (const [i, r] of readers) frags.set(i, await r.read(size));
          yield codec.reconstruct(frags, target);
        }
      } finally {
        for (const [, r] of readers) await r.close();
        for (const r of sources.values()) r.body.destroy();
      }
    }
    return this.send(primaries[target]!, path, frag, target, archiveLength, Readable.from(rebuilt()));
  }

  /** A handoff's archive sent to the primary of its index (unless it has it), then removed here. */
  private async revert(primary: RingNode | undefined, frag: LocalFrag, path: string, stats: ReconstructionStats): Promise<void> {
    if (!primary) return;
    const state = await this.archiveState(primary, path, frag.timestamp);
    if (state === 'unknown') {
      stats.failures++;
      return;
    }
    if (state === 'missing') {
      const body = createReadStream(join(frag.dir, frag.file), { start: 0, end: frag.bodySize - 1 });
      const sent = frag.bodySize === 0 ? await this.send(primary, path, frag, frag.fragIndex, 0, Readable.from([])) : await this.send(primary, path, frag, frag.fragIndex, frag.bodySize, body);
      if (frag.bodySize === 0) body.destroy();
      if (!sent) {
        stats.failures++;
        return;
      }
    }
    this.files.removeFragment(frag.dir, frag.file);
    stats.reverted++;
  }
}
