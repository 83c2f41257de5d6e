/**
 * The object server (swift/obj/server.py): PUT, GET, HEAD, POST and DELETE of
 * /<device>/<partition>/<account>/<container>/<object> on the DiskFiles of its devices.
 * X-Timestamp orders every write (an older or equal one is refused with 409); a PUT is checked
 * before the client sends its body (Expect: 100-continue), streamed to disk, md5-checked
 * against the ETag and fsync'd before the 201; each PUT and DELETE is then sent to the
 * container server the proxy named (X-Container-Host/-Device/-Partition), or kept in
 * async_pending/ when it cannot be reached. The replicator's requests go to ssync-receiver.ts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { hashPath, type HashConf } from '../ring/hash.js';
import { backendCall, backendPath } from '../utils/backend-client.js';
import { guard, header, HttpStatus, requestTimestamp, send, splitPath } from '../utils/backend-http.js';
import { evaluateConditions, parseRange } from '../utils/conditional.js';
import { OVERRIDE_ETAG } from '../utils/etag-params.js';
import { titleCase, userMetadata } from '../utils/metadata.js';
import { httpDateFromTimestamp } from '../utils/timestamp.js';
import { StoragePolicies } from '../utils/storage-policy.js';
import { DiskFileError, DiskFileManager, type ObjectMetadata } from './diskfile.js';
import { ECDiskFileManager, fragFileName } from './ec-diskfile.js';
import { isReplicationRequest } from './ssync.js';
import { ReplicationReceiver } from './ssync-receiver.js';
import type { PendingUpdate } from './updater.js';

export interface ObjectServerOptions {
  devices: string;
  hash: HashConf;
  maxFileSize: number;
  timeouts: { connMs: number; nodeMs: number };
  /** Seconds a tombstone is kept (the suffix hashes of REPLICATE reclaim older ones); default a week. */
  reclaimAgeS?: number;
  log: { warn(obj: unknown, msg?: string): void; error(obj: unknown, msg?: string): void };
  /** The storage policies (swift.conf); default Policy-0 alone. */
  policies?: StoragePolicies;
}

/** The footers of an EC fragment archive's PUT (HTTP trailers here, a MIME footer document upstream). */
const EC_FOOTERS = ['x-object-sysmeta-ec-etag', 'x-object-sysmeta-ec-content-length'];

export class ObjectServer {
  readonly files: DiskFileManager;
  /** The DiskFiles of the erasure-coded policies, by index. */
  readonly ecFiles = new Map<number, ECDiskFileManager>();
  private readonly replication: ReplicationReceiver;

  constructor(private readonly opts: ObjectServerOptions) {
    this.files = new DiskFileManager(opts.devices, opts.hash);
    for (const p of opts.policies?.all ?? []) if (p.type === 'erasure_coding') this.ecFiles.set(p.index, new ECDiskFileManager(opts.devices, opts.hash, p.index));
    this.replication = new ReplicationReceiver({ files: this.files, reclaimAgeS: opts.reclaimAgeS ?? 604800, maxFileSize: opts.maxFileSize });
  }

  /** The node:http handler; `continued` is false when the request waits for 100-continue. */
  handle(req: IncomingMessage, res: ServerResponse, expectsContinue = false): void {
    void guard(req, res, (err) => this.opts.log.error({ err }, 'object server error'), async () => {
      // the replicator's REPLICATE, SSYNC and replicated writes (ssync.ts)
      if (isReplicationRequest(req)) return this.replication.handle(req, res);
      const path = splitPath(req.url ?? '/', 'object');
      if (path.device.startsWith('.')) throw new HttpStatus(400, 'Invalid device');
      const files = this.filesFor(req);
      const at = [path.device, path.partition, path.account, path.container!, path.object!] as const;
      switch (req.method) {
        case 'PUT':
          if (files instanceof ECDiskFileManager && header(req, 'x-backend-ec-commit') !== undefined) return this.commit(req, res, files, ...at);
          return this.put(req, res, files, ...at, expectsContinue);
        case 'GET':
        case 'HEAD': return this.getOrHead(req, res, files, ...at);
        case 'POST': return this.post(req, res, files, ...at);
        case 'DELETE': return this.delete(req, res, files, ...at);
        default: throw new HttpStatus(405, 'Method Not Allowed');
      }
    });
  }

  /** The DiskFiles of the request's policy (X-Backend-Storage-Policy-Index); 503 for a policy this server does not know. */
  private filesFor(req: IncomingMessage): DiskFileManager {
    const raw = header(req, 'x-backend-storage-policy-index') ?? '0';
    if (!/^\d+$/.test(raw)) throw new HttpStatus(400, 'Invalid X-Backend-Storage-Policy-Index');
    if (Number(raw) === 0) return this.files;
    const ec = this.ecFiles.get(Number(raw));
    if (!ec) throw new HttpStatus(503, `No policy with index ${raw}`);
    return ec;
  }

  private async put(req: IncomingMessage, res: ServerResponse, files: DiskFileManager, dev: string, part: number, a: string, c: string, o: string, expectsContinue: boolean): Promise<void> {
    const ts = requestTimestamp(req);
    const ec = files instanceof ECDiskFileManager;
    const fragIndex = header(req, 'x-object-sysmeta-ec-frag-index');
    if (ec && (fragIndex === undefined || !/^\d+$/.test(fragIndex))) throw new HttpStatus(400, 'Missing or invalid X-Object-Sysmeta-Ec-Frag-Index');
    const lengthHeader = header(req, 'content-length');
    const chunked = /chunked/i.test(header(req, 'transfer-encoding') ?? '');
    if (lengthHeader === undefined && !chunked) throw new HttpStatus(411, 'Length Required');
    if (lengthHeader !== undefined && !/^\d+$/.test(lengthHeader)) throw new HttpStatus(400, 'Invalid Content-Length');
    const length = lengthHeader === undefined ? undefined : Number(lengthHeader);
    if (length !== undefined && length > this.opts.maxFileSize) throw new HttpStatus(413, 'Your request is too large.');
    const contentType = header(req, 'content-type');
    if (!contentType) throw new HttpStatus(400, 'No content type');
    const newest = await files.newestTimestamp(dev, part, a, c, o);
    if (newest !== undefined && newest >= ts) throw new HttpStatus(409, '', { 'X-Backend-Timestamp': newest });
    if ((header(req, 'if-none-match') ?? '').trim() === '*') {
      const existing = await files.lookup(dev, part, a, c, o);
      if (existing.kind === 'data') {
        existing.close();
        throw new HttpStatus(412, 'Precondition Failed', { 'X-Backend-Timestamp': existing.timestamp });
      }
    }
    if (expectsContinue) res.writeContinue();
    const metadata: ObjectMetadata = { name: `/${a}/${c}/${o}`, 'X-Timestamp': ts, 'Content-Type': contentType };
    for (const [k, v] of Object.entries(userMetadata(req.headers, 'object'))) metadata[titleCase(k)] = v;
    for (const k of ['content-encoding', 'content-disposition', 'x-delete-at', 'x-object-manifest', 'x-static-large-object']) {
      const v = header(req, k);
      if (v !== undefined) metadata[titleCase(k)] = v;
    }
    // system metadata (x-object-sysmeta-*): the middlewares', kept with the data, never changed by a POST
    for (const [k, v] of Object.entries(req.headers)) if (k.startsWith('x-object-sysmeta-') && typeof v === 'string') metadata[titleCase(k)] = v;
    // an EC fragment archive: named for its index, not durable until the commit; its footers come after the body
    const ecWrite = ec ? {
      fileName: fragFileName(ts, Number(fragIndex), false),
      footer: () => Object.fromEntries(EC_FOOTERS.flatMap((k) => (typeof req.trailers[k] === 'string' ? [[titleCase(k), req.trailers[k]]] : []))),
    } : {};
    let written: { etag: string; size: number };
    try {
      written = await files.writeData(dev, part, a, c, o, req, metadata, {
        ...(length !== undefined ? { length } : {}), ...(header(req, 'etag') ? { etag: header(req, 'etag')! } : {}), maxSize: this.opts.maxFileSize,
      }, ecWrite);
    } catch (err) {
      if (err instanceof DiskFileError) throw new HttpStatus(err.status, err.message);
      if (req.destroyed || req.readableAborted) throw new HttpStatus(499, 'Client disconnected');
      throw err;
    }
    if (ec) return send(res, 201, { ETag: written.etag, 'X-Backend-Timestamp': ts });
    // a middleware may list the object with another etag (its parameters: slo_etag, symlink_target)
    const listedEtag = header(req, OVERRIDE_ETAG) ?? written.etag;
    await this.containerUpdate(req, 'PUT', a, c, o, { 'X-Timestamp': ts, 'X-Size': String(written.size), 'X-Content-Type': contentType, 'X-Etag': listedEtag });
    send(res, 201, { ETag: written.etag, 'X-Backend-Timestamp': ts });
  }

  /**
   * The EC PUT's second phase (the proxy's commit once a quorum wrote its fragment archive):
   * the archive of X-Timestamp becomes durable, then the container learns of the object with
   * the whole object's size and etag.
   */
  private async commit(req: IncomingMessage, res: ServerResponse, files: ECDiskFileManager, dev: string, part: number, a: string, c: string, o: string): Promise<void> {
    const ts = requestTimestamp(req);
    if (!(await files.commit(dev, part, a, c, o, ts))) throw new HttpStatus(409, 'No fragment archive to commit', { 'X-Backend-Timestamp': ts });
    const found = await files.lookup(dev, part, a, c, o);
    if (found.kind === 'data') {
      found.close();
      if (found.dataTimestamp === ts) {
        const m = found.metadata;
        await this.containerUpdate(req, 'PUT', a, c, o, {
          'X-Timestamp': ts, 'X-Size': m['X-Object-Sysmeta-Ec-Content-Length'] ?? '0', 'X-Content-Type': m['Content-Type'] ?? 'application/octet-stream',
          'X-Etag': m[titleCase(OVERRIDE_ETAG)] ?? m['X-Object-Sysmeta-Ec-Etag'] ?? '',
        });
      }
    }
    send(res, 201, { 'X-Backend-Timestamp': ts });
  }

  private async getOrHead(req: IncomingMessage, res: ServerResponse, files: DiskFileManager, dev: string, part: number, a: string, c: string, o: string): Promise<void> {
    const found = await files.lookup(dev, part, a, c, o);
    if (found.kind === 'missing') throw new HttpStatus(404, '');
    if (found.kind === 'deleted') throw new HttpStatus(404, '', { 'X-Backend-Timestamp': found.timestamp });
    let handed = false;
    try {
      const m = found.metadata;
      const etag = m.ETag ?? '';
      const headers: Record<string, string | number> = {
        'Content-Type': m['Content-Type'] ?? 'application/octet-stream',
        ETag: etag,
        'X-Timestamp': found.timestamp,
        'Last-Modified': httpDateFromTimestamp(found.timestamp),
        'X-Backend-Timestamp': found.timestamp,
        'X-Backend-Data-Timestamp': found.dataTimestamp,
        'Accept-Ranges': 'bytes',
      };
      for (const [k, v] of Object.entries(m)) {
        if (/^(x-object-meta-|content-encoding$|content-disposition$|x-delete-at$|x-object-manifest$|x-static-large-object$|x-object-sysmeta-)/i.test(k)) headers[k] = v;
      }
      const cond = evaluateConditions({
        ifMatch: header(req, 'if-match'), ifNoneMatch: header(req, 'if-none-match'),
        ifModifiedSince: header(req, 'if-modified-since'), ifUnmodifiedSince: header(req, 'if-unmodified-since'),
      }, etag, Math.ceil(Number(found.timestamp)) * 1000, req.method ?? 'GET');
      // a large object's manifest says so on every answer, so the proxy can answer for the whole object
      const manifest: Record<string, string> = m['X-Object-Manifest'] !== undefined ? { 'X-Object-Manifest': m['X-Object-Manifest'] } : {};
      if (cond === 304) return send(res, 304, { ETag: etag, 'Last-Modified': headers['Last-Modified'] as string, 'X-Timestamp': found.timestamp, 'Content-Length': 0, ...manifest });
      if (cond === 412) return send(res, 412, { ETag: etag, 'Last-Modified': headers['Last-Modified'] as string, 'X-Timestamp': found.timestamp, ...manifest });
      // X-Backend-Ignore-Range-If-Metadata-Present: a symlink answers whole (it is followed, not read)
      const ignoreRange = (header(req, 'x-backend-ignore-range-if-metadata-present') ?? '').split(',').some((k) => k.trim() !== '' && m[titleCase(k.trim().toLowerCase())] !== undefined);
      const range = parseRange(ignoreRange ? undefined : header(req, 'range'), found.size);
      if (range === 'unsatisfiable') return send(res, 416, { 'Content-Range': `bytes */${found.size}`, 'Content-Type': 'text/plain', ...manifest }, req.method === 'HEAD' ? undefined : 'Requested Range Not Satisfiable');
      const start = range ? range.start : 0;
      const end = range ? range.end : found.size - 1;
      const status = range ? 206 : 200;
      headers['Content-Length'] = end - start + 1;
      if (range) headers['Content-Range'] = `bytes ${start}-${end}/${found.size}`;
      if (req.method === 'HEAD' || end < start) {
        res.writeHead(status, headers);
        res.end();
        return;
      }
      res.writeHead(status, headers);
      if (found.body) {
        // read whole by the lookup: sent with the headers
        res.end(found.body.subarray(start, end + 1));
        return;
      }
      const stream = found.stream(start, end);
      handed = true;
      stream.on('error', () => res.destroy());
      res.on('close', () => stream.destroy());
      stream.pipe(res);
    } finally {
      if (!handed) found.close();
    }
  }

  private async post(req: IncomingMessage, res: ServerResponse, files: DiskFileManager, dev: string, part: number, a: string, c: string, o: string): Promise<void> {
    const ts = requestTimestamp(req);
    const found = await files.lookup(dev, part, a, c, o);
    if (found.kind !== 'data') throw new HttpStatus(404, '', found.kind === 'deleted' ? { 'X-Backend-Timestamp': found.timestamp } : {});
    found.close();
    if (found.timestamp >= ts) throw new HttpStatus(409, '', { 'X-Backend-Timestamp': found.timestamp });
    const metadata: ObjectMetadata = { name: `/${a}/${c}/${o}`, 'X-Timestamp': ts };
    for (const [k, v] of Object.entries(userMetadata(req.headers, 'object'))) metadata[titleCase(k)] = v;
    // allowed_headers: what a POST may set besides metadata (X-Delete-At, a DLO's X-Object-Manifest, ...)
    for (const k of ['content-encoding', 'content-disposition', 'x-delete-at', 'x-object-manifest']) {
      const v = header(req, k);
      if (v !== undefined) metadata[titleCase(k)] = v;
    }
    const ct = header(req, 'content-type');
    if (ct) metadata['Content-Type'] = ct;
    await files.writeMarker(dev, part, a, c, o, 'meta', metadata);
    // the object's sysmeta in the answer: a middleware learns what it POSTed to (a symlink)
    const sysmeta = Object.fromEntries(Object.entries(found.metadata).filter(([k]) => /^x-object-sysmeta-/i.test(k)));
    send(res, 202, { 'X-Backend-Timestamp': ts, ...sysmeta });
  }

  private async delete(req: IncomingMessage, res: ServerResponse, files: DiskFileManager, dev: string, part: number, a: string, c: string, o: string): Promise<void> {
    const ts = requestTimestamp(req);
    const found = await files.lookup(dev, part, a, c, o);
    if (found.kind === 'data') found.close();
    const existing = found.kind === 'missing' ? undefined : found.timestamp;
    if (existing !== undefined && existing >= ts) throw new HttpStatus(409, '', { 'X-Backend-Timestamp': existing });
    await files.writeMarker(dev, part, a, c, o, 'ts', { name: `/${a}/${c}/${o}`, 'X-Timestamp': ts });
    // the container learns of every newer delete, found or not (a row left by a lost write goes too)
    await this.containerUpdate(req, 'DELETE', a, c, o, { 'X-Timestamp': ts });
    send(res, found.kind === 'data' ? 204 : 404, { 'X-Backend-Timestamp': ts });
  }

  /** Tells the container server the proxy named; an unreachable one gets the update later (async_pending). */
  private async containerUpdate(req: IncomingMessage, op: 'PUT' | 'DELETE', a: string, c: string, o: string, headers: Record<string, string>): Promise<void> {
    const host = header(req, 'x-container-host');
    const device = header(req, 'x-container-device');
    const partition = header(req, 'x-container-partition');
    if (!host || !device || !partition || !/^\d+$/.test(partition)) return;
    const m = /^(.+):(\d+)$/.exec(host);
    if (!m) return;
    const path = backendPath(device, Number(partition), a, c, o);
    try {
      const r = await backendCall({ ip: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) }, op, path, { ...headers, 'Content-Length': 0 }, this.opts.timeouts);
      if (r.status >= 200 && r.status < 300) return;
      this.opts.log.warn({ status: r.status, host, path }, 'container update failed');
    } catch (err) {
      this.opts.log.warn({ err: (err as Error).message, host, path }, 'container update failed');
    }
    const dev = header(req, 'x-backend-device') ?? splitPath(req.url ?? '/', 'object').device;
    const hash = hashPath(this.opts.hash, a, c, o);
    const dir = join(this.files.deviceDir(dev), 'async_pending', hash.slice(-3));
    await mkdir(dir, { recursive: true });
    const pending: PendingUpdate = { op, account: a, container: c, obj: o, headers, host, device, partition };
    await writeFile(join(dir, `${hash}-${headers['X-Timestamp']}-${randomUUID().slice(0, 8)}`), JSON.stringify(pending));
  }
}
