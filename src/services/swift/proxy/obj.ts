/**
 * The object controller (swift/proxy/controllers/obj.py, replicated policy): GET and HEAD from
 * the first object node that has it (Range and conditions answered by the object server),
 * PUT streamed to every replica and decided on a quorum (put-stream.ts), POST and DELETE to
 * every replica, server-side copy (X-Copy-From on PUT, or COPY with Destination; the
 * copy middleware's job) streamed from the source's node into the new object's PUT, and
 * dynamic large objects (dlo.ts) read as their segments.
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import { BadRequest, MethodNotAllowed, NotFound, PayloadTooLarge, PreconditionFailed } from '../../../common/errors.js';
import { ClientDisconnect, LengthRequired, NoQuorum, UnprocessableEntity } from '../errors.js';
import { checkMetadata, userMetadata } from '../utils/metadata.js';
import { objectRingName, type ECPolicy } from '../utils/storage-policy.js';
import { withoutSwiftBytes } from '../utils/swift-bytes.js';
import type { Ring, RingNode } from '../ring/ring.js';
import type { BackendResponse } from '../utils/backend-client.js';
import { bestStatus, clientHeaders, getOrHead, tailPath, writeToReplicas, type ProxyResult } from './base.js';
import type { ContainerController, ContainerInfo } from './container.js';
import { DynamicLargeObjects } from './dlo.js';
import { ECReader } from './ec-get.js';
import { putFragments } from './ec-put.js';
import { putToReplicas } from './put-stream.js';
import { resumableBody } from './resume.js';
import { headerOf, type Clock, type ProxyDeps, type SwiftRequest } from './request.js';

/** Object headers a client may set that the object server keeps. */
const KEPT_HEADERS = ['content-encoding', 'content-disposition', 'x-delete-at', 'x-object-manifest', 'x-static-large-object'];

/** A few common types, as mimetypes.guess_type would give them; anything else is application/octet-stream. */
const TYPES: Record<string, string> = {
  txt: 'text/plain', html: 'text/html', htm: 'text/html', css: 'text/css', js: 'application/javascript', json: 'application/json',
  xml: 'application/xml', csv: 'text/csv', jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', gif: 'image/gif', svg: 'image/svg+xml',
  pdf: 'application/pdf', zip: 'application/zip', gz: 'application/gzip', tar: 'application/x-tar', iso: 'application/x-iso9660-image', qcow2: 'application/octet-stream',
};

export function guessType(name: string): string {
  const ext = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1).toLowerCase() : '';
  return TYPES[ext] ?? 'application/octet-stream';
}

const SYSMETA = 'x-object-sysmeta-';
/** The sysmeta that makes an object a symlink (symlink.py). */
export const SYMLINK_TARGET = 'x-object-sysmeta-symlink-target';

const TRUE = new Set(['true', '1', 'yes', 'on', 't', 'y']);

/** "container/object" of X-Copy-From or Destination (%-encoded, a leading '/' allowed). */
function splitCopyPath(value: string, header: string): { container: string; object: string } {
  let v = value.trim();
  try {
    v = decodeURIComponent(v);
  } catch {
    throw new PreconditionFailed(`${header} header must be of the form <container name>/<object name>`);
  }
  v = v.replace(/^\/+/, '');
  const i = v.indexOf('/');
  if (i <= 0 || i === v.length - 1) throw new PreconditionFailed(`${header} header must be of the form <container name>/<object name>`);
  return { container: v.slice(0, i), object: v.slice(i + 1) };
}

interface PutSource {
  body: Readable;
  length: number | undefined;
  contentType: string;
  etag?: string;
  meta: Record<string, string>;
  kept: Record<string, string>;
  copiedFrom?: { container: string; object: string; lastModified?: string; account: string };
}

/** Where an object lives: its policy's ring and partition (EC: the policy too). */
interface Placement {
  ring: Ring;
  part: number;
  policyIndex: number;
  ec?: ECPolicy;
}

export class ObjectController {
  private readonly dlo: DynamicLargeObjects;
  private readonly ecReader: ECReader;
  /** Reads an object as clients see it (large objects assembled by the pipeline), for copies; set by the proxy server. */
  assembled?: (req: SwiftRequest) => Promise<ProxyResult>;

  constructor(private readonly deps: ProxyDeps, private readonly clock: Clock, private readonly containers: ContainerController) {
    this.dlo = new DynamicLargeObjects(deps);
    this.ecReader = new ECReader(deps.timeouts, deps.log);
  }

  /** The object's ring, by its container's storage policy (no container lookup while Policy-0 is the only one). */
  private async placement(account: string, container: string, object: string, info?: ContainerInfo): Promise<Placement> {
    const policies = this.deps.policies;
    const policyIndex = policies?.hasEC ? (info ?? await this.containers.info(account, container)).policyIndex : 0;
    const ring = this.deps.rings.get(objectRingName(policyIndex));
    const ec = policies?.ec(policyIndex);
    return { ring, part: ring.getPart(account, container, object), policyIndex, ...(ec ? { ec } : {}) };
  }

  /** The policy index for the storage servers (Policy-0 sends none, as before policies). */
  private static policyHeader(p: Placement): Record<string, string> {
    return p.policyIndex === 0 ? {} : { 'X-Backend-Storage-Policy-Index': String(p.policyIndex) };
  }

  async handle(req: SwiftRequest): Promise<ProxyResult> {
    switch (req.method) {
      case 'GET':
      case 'HEAD': return this.getOrHead(req);
      case 'PUT': return this.put(req);
      case 'POST': return this.post(req);
      case 'DELETE': return this.delete(req);
      case 'COPY': return this.copy(req);
      default: {
        const err = new MethodNotAllowed();
        err.headers.allow = 'GET, HEAD, PUT, POST, DELETE, COPY';
        throw err;
      }
    }
  }

  private checkName(req: SwiftRequest): void {
    if (Buffer.byteLength(req.object!) > this.deps.settings.maxObjectNameLength) {
      throw new BadRequest(`Object name length of ${Buffer.byteLength(req.object!)} longer than ${this.deps.settings.maxObjectNameLength}`);
    }
  }

  private async read(account: string, container: string, object: string, method: 'GET' | 'HEAD', headers: OutgoingHttpHeaders):
    Promise<{ res?: BackendResponse; notFound: boolean; rest?: Iterator<RingNode>; path?: string }> {
    let p: Placement;
    try {
      p = await this.placement(account, container, object);
    } catch (err) {
      if (err instanceof NotFound) return { notFound: true };
      throw err;
    }
    const path = tailPath(p.part, account, container, object);
    if (p.ec) return { ...(await this.ecReader.read(p.ec, p.ring, p.part, path, method, headers)), path };
    return { ...(await getOrHead(p.ring, p.part, method, path, headers, this.deps.timeouts, this.deps.log)), path };
  }

  private async getOrHead(req: SwiftRequest): Promise<ProxyResult> {
    const forward: OutgoingHttpHeaders = {};
    for (const h of ['range', 'if-match', 'if-none-match', 'if-modified-since', 'if-unmodified-since', 'x-backend-ignore-range-if-metadata-present']) {
      const v = headerOf(req.headers, h);
      if (v !== undefined) forward[h] = v;
    }
    const { res, notFound, rest, path } = await this.read(req.account, req.container!, req.object!, req.method as 'GET' | 'HEAD', forward);
    if (!res) {
      if (notFound) throw new NotFound();
      throw new NoQuorum();
    }
    const wantsManifest = new URLSearchParams(req.query).get('multipart-manifest') === 'get';
    if (res.headers['x-object-manifest'] !== undefined && !wantsManifest) {
      res.body.resume();
      let manifest = res.headers;
      if (res.status !== 200) {
        // the manifest answered for itself (a range or a condition): its own headers, plainly
        const plain = await this.read(req.account, req.container!, req.object!, 'HEAD', {});
        if (!plain.res) throw plain.notFound ? new NotFound() : new NoQuorum();
        plain.res.body.resume();
        manifest = plain.res.headers;
      }
      return this.dlo.read(req.method as 'GET' | 'HEAD', req.account, manifest, req.headers);
    }
    // a manifest's stored swift_bytes is for listings only (obj.py GETorHEAD: clean_content_type)
    const headers = clientHeaders(res.headers);
    if (headers['content-type']) headers['content-type'] = withoutSwiftBytes(headers['content-type']);
    if (req.method === 'HEAD') {
      res.body.resume();
      return { status: res.status, headers };
    }
    const body = resumableBody(res, rest, path!, {}, this.deps.timeouts, this.deps.log);
    return { status: res.status, headers, body };
  }

  private metadata(headers: IncomingHttpHeaders): Record<string, string> {
    const meta = userMetadata(headers, 'object');
    const problem = checkMetadata(meta, 'object', this.deps.settings.meta);
    if (problem) throw new BadRequest(problem);
    return meta;
  }

  private kept(headers: IncomingHttpHeaders): Record<string, string> {
    const out: Record<string, string> = {};
    for (const h of KEPT_HEADERS) {
      const v = headerOf(headers, h);
      if (v !== undefined) out[h] = v;
    }
    // the middlewares' system metadata (a client's never gets here: the API drops it, as gatekeeper)
    for (const [k, v] of Object.entries(headers)) if (k.startsWith(SYSMETA) && typeof v === 'string') out[k] = v;
    return out;
  }

  private containerHeaders(info: ContainerInfo): (i: number) => Record<string, string> {
    return (i) => {
      const n = info.nodes[i % info.nodes.length]!;
      return { 'X-Container-Host': `${n.ip}:${n.port}`, 'X-Container-Device': n.device, 'X-Container-Partition': String(info.partition) };
    };
  }

  private async put(req: SwiftRequest): Promise<ProxyResult> {
    this.checkName(req);
    const copyFrom = headerOf(req.headers, 'x-copy-from');
    if (copyFrom !== undefined) return this.copyInto(req, req.container!, req.object!, splitCopyPath(copyFrom, 'X-Copy-From'), headerOf(req.headers, 'x-copy-from-account') ?? req.account);
    const lengthHeader = headerOf(req.headers, 'content-length');
    const chunked = /chunked/i.test(headerOf(req.headers, 'transfer-encoding') ?? '');
    if (lengthHeader === undefined && !chunked) throw new LengthRequired();
    if (lengthHeader !== undefined && !/^\d+$/.test(lengthHeader)) throw new BadRequest('Invalid Content-Length');
    const length = lengthHeader === undefined ? undefined : Number(lengthHeader);
    if (length !== undefined && length > this.deps.settings.maxFileSize) throw new PayloadTooLarge('Your request is too large.');
    const etag = headerOf(req.headers, 'etag');
    return this.store(req, req.container!, req.object!, {
      body: req.body ?? Readable.from([]),
      length,
      contentType: headerOf(req.headers, 'content-type') ?? guessType(req.object!),
      ...(etag !== undefined ? { etag } : {}),
      meta: this.metadata(req.headers),
      kept: this.kept(req.headers),
    });
  }

  private async store(req: SwiftRequest, container: string, object: string, src: PutSource): Promise<ProxyResult> {
    let info: ContainerInfo;
    try {
      info = await this.containers.info(req.account, container);
    } catch (err) {
      src.body.resume();
      throw err;
    }
    const p = await this.placement(req.account, container, object, info);
    const ts = req.timestamp ?? this.clock.next();
    const cont = this.containerHeaders(info);
    const ifNoneMatch = (headerOf(req.headers, 'if-none-match') ?? '').trim();
    const path = tailPath(p.part, req.account, container, object);
    let status: number;
    let etag: string;
    if (p.ec) {
      const ec = p.ec;
      // each node keeps fragment archive i and the EC sysmeta; the whole object's etag and length follow the body (footers)
      const fragHeaders = (i: number): OutgoingHttpHeaders => ({
        ...src.meta,
        ...src.kept,
        'X-Timestamp': ts,
        'Content-Type': src.contentType,
        ...(ifNoneMatch === '*' ? { 'If-None-Match': '*' } : {}),
        'X-Backend-Storage-Policy-Index': String(ec.index),
        'X-Object-Sysmeta-Ec-Frag-Index': String(i),
        'X-Object-Sysmeta-Ec-Scheme': `${ec.ecType} ${ec.ndata}+${ec.nparity}`,
        'X-Object-Sysmeta-Ec-Segment-Size': String(ec.segmentSize),
        ...(src.length !== undefined ? { 'X-Backend-Obj-Content-Length': String(src.length) } : {}),
        ...cont(i),
      });
      const commitHeaders = (i: number): OutgoingHttpHeaders => ({ 'X-Timestamp': ts, 'X-Backend-Storage-Policy-Index': String(ec.index), ...cont(i) });
      const out = await putFragments(ec, p.ring.getPartNodes(p.part), p.ring.getMoreNodes(p.part), path, fragHeaders, commitHeaders, src.body, src.length, src.etag, this.deps.timeouts, this.deps.log);
      status = out.status;
      etag = out.etag ?? '';
    } else {
      const headersFor = (i: number): OutgoingHttpHeaders => ({
        'X-Timestamp': ts,
        'Content-Type': src.contentType,
        ...(src.length !== undefined ? { 'Content-Length': String(src.length) } : { 'Transfer-Encoding': 'chunked' }),
        ...(src.etag !== undefined ? { ETag: src.etag } : {}),
        ...(ifNoneMatch === '*' ? { 'If-None-Match': '*' } : {}),
        ...src.meta,
        ...src.kept,
        ...cont(i),
      });
      const outcome = await putToReplicas(p.ring.getPartNodes(p.part), p.ring.getMoreNodes(p.part), path, headersFor, src.body, src.length, this.deps.timeouts, this.deps.log);
      if (outcome.clientDisconnected) throw new ClientDisconnect();
      status = bestStatus(outcome.statuses, p.ring.replicaCount);
      etag = outcome.etags[0] ?? '';
    }
    if (status === 201) {
      const headers: Record<string, string> = { etag, 'last-modified': new Date(Math.ceil(Number(ts)) * 1000).toUTCString() };
      if (src.copiedFrom) {
        // the copy's metadata, the source's with the request's, is in the answer (copy.py _create_response_headers)
        Object.assign(headers, src.meta);
        headers['x-copied-from'] = `${encodeURIComponent(src.copiedFrom.container)}/${src.copiedFrom.object.split('/').map(encodeURIComponent).join('/')}`;
        if (src.copiedFrom.account !== req.account) headers['x-copied-from-account'] = src.copiedFrom.account;
        if (src.copiedFrom.lastModified) headers['x-copied-from-last-modified'] = src.copiedFrom.lastModified;
      }
      return { status: 201, headers, body: '' };
    }
    if (status === 412) throw new PreconditionFailed();
    if (status === 422) throw new UnprocessableEntity();
    if (status === 409) return { status: 202, headers: {}, body: '' };
    if (status === 413) throw new PayloadTooLarge('Your request is too large.');
    if (status === 400) throw new BadRequest('The object server refused the request.');
    if (status === 499) throw new ClientDisconnect();
    throw new NoQuorum();
  }

  /** Server-side copy: the source streamed from its node into the destination's PUT. */
  private async copyInto(req: SwiftRequest, container: string, object: string, source: { container: string; object: string }, sourceAccount: string): Promise<ProxyResult> {
    const length = headerOf(req.headers, 'content-length');
    if (length !== undefined && length !== '0') throw new BadRequest('Copy requests require a zero byte body');
    req.body?.resume();
    // the reserved namespace is the middlewares' (object_versioning copies versions from there)
    if (!req.allowReserved && (source.container.includes('\0') || source.object.includes('\0'))) throw new PreconditionFailed('Invalid UTF8 or contains NULL');
    if (sourceAccount !== req.account) this.deps.auth.authorize(req.ctx, sourceAccount);
    const { res, notFound } = await this.read(sourceAccount, source.container, source.object, 'GET', {});
    if (!res) {
      if (notFound) throw new NotFound();
      throw new NoQuorum();
    }
    if (res.status !== 200) {
      res.body.resume();
      throw new NoQuorum();
    }
    let h: IncomingHttpHeaders = res.headers;
    let body: Readable = res.body;
    // a large object is copied as its content (a plain object), its manifest only with ?multipart-manifest=get
    const isLarge = h['x-object-manifest'] !== undefined || TRUE.has(String(h['x-static-large-object'] ?? '').toLowerCase());
    // so is a symlink's target (symlink.py), the link itself only with ?symlink=get
    const query = new URLSearchParams(req.query);
    const follows = isLarge ? query.get('multipart-manifest') !== 'get' : h[SYMLINK_TARGET] !== undefined && query.get('symlink') !== 'get';
    if (follows && this.assembled) {
      res.body.resume();
      const whole = await this.assembled({ ...req, method: 'GET', account: sourceAccount, container: source.container, object: source.object, query: '', headers: { ...(req.headers['x-auth-token'] ? { 'x-auth-token': req.headers['x-auth-token'] } : {}) }, source: 'COPY' });
      if (whole.status !== 200 || typeof whole.body !== 'object') {
        if (typeof whole.body === 'object') whole.body.resume();
        throw new NoQuorum();
      }
      const { etag: _etag, 'x-object-manifest': _dlo, 'x-static-large-object': _slo, ...rest } = whole.headers;
      h = Object.fromEntries(Object.entries(rest).filter(([k]) => !k.startsWith(SYSMETA)));
      body = whole.body;
    }
    const fresh = TRUE.has((headerOf(req.headers, 'x-fresh-metadata') ?? '').toLowerCase());
    const meta: Record<string, string> = {};
    const kept: Record<string, string> = {};
    if (!fresh) {
      for (const [k, v] of Object.entries(h)) {
        if (typeof v !== 'string') continue;
        if (k.startsWith('x-object-meta-')) meta[k] = v;
        if (KEPT_HEADERS.includes(k)) kept[k] = v;
      }
    }
    for (const [k, v] of Object.entries(h)) if (k.startsWith(SYSMETA) && typeof v === 'string') kept[k] = v;
    let requestMeta: Record<string, string>;
    try {
      requestMeta = this.metadata(req.headers);
    } catch (err) {
      body.destroy();
      throw err;
    }
    Object.assign(meta, requestMeta, this.kept(req.headers));
    const size = Number(h['content-length'] ?? 'NaN');
    return this.store(req, container, object, {
      body,
      length: Number.isFinite(size) ? size : undefined,
      contentType: headerOf(req.headers, 'content-type') ?? String(h['content-type'] ?? 'application/octet-stream'),
      ...(typeof h.etag === 'string' ? { etag: h.etag } : {}),
      meta,
      kept,
      copiedFrom: { ...source, account: sourceAccount, ...(typeof h['last-modified'] === 'string' ? { lastModified: h['last-modified'] } : {}) },
    });
  }

  /** COPY with Destination: the same as a PUT of the destination with X-Copy-From. */
  private async copy(req: SwiftRequest): Promise<ProxyResult> {
    const dest = headerOf(req.headers, 'destination');
    if (dest === undefined) throw new PreconditionFailed('Destination header required');
    const target = splitCopyPath(dest, 'Destination');
    const destAccount = headerOf(req.headers, 'destination-account') ?? req.account;
    if (destAccount !== req.account) this.deps.auth.authorize(req.ctx, destAccount);
    const putReq: SwiftRequest = { ...req, method: 'PUT', account: destAccount, container: target.container, object: target.object };
    this.checkName(putReq);
    return this.copyInto(putReq, target.container, target.object, { container: req.container!, object: req.object! }, req.account);
  }

  private async post(req: SwiftRequest): Promise<ProxyResult> {
    const meta = this.metadata(req.headers);
    const info = await this.containers.info(req.account, req.container!); // 404 when the container is gone
    const p = await this.placement(req.account, req.container!, req.object!, info);
    const ts = this.clock.next();
    const ct = headerOf(req.headers, 'content-type');
    const { statuses, responses } = await writeToReplicas(p.ring, p.part, 'POST', tailPath(p.part, req.account, req.container!, req.object!),
      () => ({ ...meta, ...this.kept(req.headers), ...(ct ? { 'Content-Type': ct } : {}), 'X-Timestamp': ts, ...ObjectController.policyHeader(p) }), this.deps.timeouts, this.deps.log);
    const status = bestStatus(statuses, p.ring.replicaCount);
    if (status === 404) throw new NotFound();
    if (status >= 300) throw new NoQuorum();
    // the object's sysmeta, for the middlewares (the API never shows it)
    const sysmeta = clientHeaders(responses.find((r) => r.status === 202)?.headers ?? {});
    return { status: 202, headers: Object.fromEntries(Object.entries(sysmeta).filter(([k]) => k.startsWith(SYSMETA))), body: '' };
  }

  private async delete(req: SwiftRequest): Promise<ProxyResult> {
    const info = await this.containers.info(req.account, req.container!);
    const p = await this.placement(req.account, req.container!, req.object!, info);
    const ts = req.timestamp ?? this.clock.next();
    const cont = this.containerHeaders(info);
    const { statuses } = await writeToReplicas(p.ring, p.part, 'DELETE', tailPath(p.part, req.account, req.container!, req.object!),
      (i) => ({ ...cont(i), 'X-Timestamp': ts, ...ObjectController.policyHeader(p) }), this.deps.timeouts, this.deps.log);
    const status = bestStatus(statuses, p.ring.replicaCount);
    if (status === 404) throw new NotFound();
    if (status >= 300) throw new NoQuorum();
    return { status: 204, headers: {}, body: '' };
  }
}
