/**
 * The receiving side of object replication (ssync_receiver.py and the object server's
 * REPLICATE): suffix hashes on request, the missing-check, and the replicated PUT/DELETE/POST
 * that place a file with its original timestamp and metadata (ssync.ts describes the exchange).
 */
import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { header, HttpStatus, readJson, send, splitPath } from '../utils/backend-http.js';
import { normalizeTimestamp } from '../utils/timestamp.js';
import { DiskFileError, type DiskFileManager } from './diskfile.js';
import { getHashes } from './hashes.js';
import { classifyFiles, stampOf } from './ondisk.js';
import { decodeMetadata, METADATA_HEADER, splitObjectName, VERB_HEADER, type Offer, type Wants } from './ssync.js';

const HASH = /^[0-9a-f]{32}$/;
const STAMP = /^\d{10}\.\d{5}$/;

export interface ReceiverOptions {
  files: DiskFileManager;
  reclaimAgeS: number;
  maxFileSize: number;
}

export class ReplicationReceiver {
  constructor(private readonly opts: ReceiverOptions) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const verb = header(req, VERB_HEADER);
    if (verb !== undefined) {
      if (req.method !== 'POST') throw new HttpStatus(405, 'Method Not Allowed');
      const segs = (req.url ?? '/').split('?')[0]!.split('/').slice(1);
      const [device, partition, suffixes] = segs;
      if (!device || device.startsWith('.') || !partition || !/^\d+$/.test(partition) || segs.length > 3) throw new HttpStatus(400, 'Invalid path');
      if (!existsSync(this.opts.files.deviceDir(device))) throw new HttpStatus(507, 'Insufficient Storage');
      if (verb === 'REPLICATE') return this.replicate(res, device, Number(partition), suffixes ? suffixes.split('-') : []);
      if (verb === 'SSYNC') return this.missingCheck(req, res, device, Number(partition));
      throw new HttpStatus(400, `Unknown replication verb ${verb}`);
    }
    return this.update(req, res);
  }

  /** REPLICATE: the partition's suffix hashes, the listed suffixes rehashed. */
  private replicate(res: ServerResponse, device: string, partition: number, recalculate: string[]): void {
    if (recalculate.some((s) => !/^[0-9a-f]{3}$/.test(s))) throw new HttpStatus(400, 'Invalid suffix');
    const hashes = getHashes(this.opts.files.partitionDir(device, partition), { recalculate, reclaimAgeS: this.opts.reclaimAgeS });
    send(res, 200, { 'Content-Type': 'application/json' }, JSON.stringify(hashes));
  }

  /** The missing-check: which offered files are newer than what this device holds. */
  private async missingCheck(req: IncomingMessage, res: ServerResponse, device: string, partition: number): Promise<void> {
    const body = await readJson(req, 64 << 20) as { offers?: unknown };
    if (!body || !Array.isArray(body.offers)) throw new HttpStatus(400, 'No offers');
    const wants: Wants = {};
    const partDir = this.opts.files.partitionDir(device, partition);
    for (const raw of body.offers as Offer[]) {
      if (!raw || typeof raw.hash !== 'string' || !HASH.test(raw.hash) || typeof raw.ts !== 'string' || !STAMP.test(raw.ts)
        || (raw.kind !== 'data' && raw.kind !== 'ts') || (raw.meta !== undefined && (typeof raw.meta !== 'string' || !STAMP.test(raw.meta)))) {
        throw new HttpStatus(400, 'Invalid offer');
      }
      let files: string[] = [];
      try {
        files = await readdir(join(partDir, raw.hash.slice(-3), raw.hash));
      } catch {
        // nothing of it here
      }
      const mine = classifyFiles(files);
      const mineTs = mine.data ?? mine.ts;
      let want = '';
      const wantsData = mineTs === undefined || stampOf(mineTs) < raw.ts;
      if (wantsData) want += 'd';
      // a .meta is only of use over the .data it describes
      const dataWillBe = wantsData ? raw.kind === 'data' : mine.data !== undefined;
      if (raw.meta !== undefined && dataWillBe && (mine.meta === undefined || stampOf(mine.meta) < raw.meta)) want += 'm';
      if (want) wants[raw.hash] = want;
    }
    send(res, 200, { 'Content-Type': 'application/json' }, JSON.stringify(wants));
  }

  /** A replicated PUT (.data), DELETE (.ts) or POST (.meta): the sender's file, timestamp and metadata kept as they are. */
  private async update(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const p = splitPath(req.url ?? '/', 'object');
    if (p.device.startsWith('.')) throw new HttpStatus(400, 'Invalid device');
    if (!existsSync(this.opts.files.deviceDir(p.device))) throw new HttpStatus(507, 'Insufficient Storage');
    const metadata = decodeMetadata(header(req, METADATA_HEADER) ?? '');
    if (!metadata) throw new HttpStatus(400, 'Missing or invalid replication metadata');
    const name = splitObjectName(metadata.name ?? '');
    if (!name || name.account !== p.account || name.container !== p.container || name.object !== p.object) throw new HttpStatus(400, 'Metadata name does not match the path');
    let ts: string;
    try {
      ts = normalizeTimestamp(metadata['X-Timestamp'] ?? '');
    } catch {
      throw new HttpStatus(400, 'Invalid X-Timestamp in metadata');
    }
    metadata['X-Timestamp'] = ts;
    const { device, partition, account, container, object } = { ...p, container: p.container!, object: p.object! };
    const files = this.opts.files;
    const newest = await files.newestTimestamp(device, partition, account, container, object);
    if (newest !== undefined && newest >= ts) throw new HttpStatus(409, '', { 'X-Backend-Timestamp': newest });
    if (req.method === 'PUT') {
      const length = Number(header(req, 'content-length') ?? 'NaN');
      if (!Number.isSafeInteger(length) || length < 0) throw new HttpStatus(411, 'Length Required');
      if (metadata['Content-Length'] !== String(length) || !metadata.ETag) throw new HttpStatus(400, 'Metadata does not describe the body');
      const { ETag: etag, 'Content-Length': _len, ...rest } = metadata;
      try {
        await files.writeData(device, partition, account, container, object, req, rest, { length, etag, maxSize: Math.max(this.opts.maxFileSize, length) });
      } catch (err) {
        if (err instanceof DiskFileError) throw new HttpStatus(err.status, err.message);
        throw err;
      }
      return send(res, 201, { 'X-Backend-Timestamp': ts });
    }
    if (req.method === 'DELETE' || req.method === 'POST') {
      req.resume();
      if (req.method === 'POST') {
        const found = await files.lookup(device, partition, account, container, object);
        if (found.kind === 'data') found.close();
        if (found.kind !== 'data') throw new HttpStatus(404, '');
      }
      await files.writeMarker(device, partition, account, container, object, req.method === 'DELETE' ? 'ts' : 'meta', metadata);
      return send(res, req.method === 'DELETE' ? 204 : 202, { 'X-Backend-Timestamp': ts });
    }
    throw new HttpStatus(405, 'Method Not Allowed');
  }

}
