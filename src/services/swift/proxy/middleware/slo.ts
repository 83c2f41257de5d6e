/**
 * Static large objects (swift/common/middleware/slo.py):
 *  - `PUT ?multipart-manifest=put`: the JSON list of segments ({path, etag, size_bytes, range}
 *    or inline {data}) is checked, each segment HEADed (a sub-manifest allowed), and a manifest
 *    stored with X-Static-Large-Object: True; a bad list answers 400 with the problems, per
 *    segment, in the format the client accepts;
 *  - GET/HEAD: the object is its segments' bytes, streamed one after the other (Range and
 *    conditions over the whole), its ETag the quoted md5 of the segments' etags;
 *  - listings show a manifest's `slo_etag` (the etag override's parameter, utils/etag-params.ts);
 *  - `?multipart-manifest=get` reads the stored manifest (`&format=raw`: as it was put);
 *  - `DELETE ?multipart-manifest=delete` deletes the segments (and sub-manifests), then the manifest.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { BadRequest, MethodNotAllowed, PayloadTooLarge } from '../../../../common/errors.js';
import { LengthRequired, NoQuorum, UnprocessableEntity } from '../../errors.js';
import type { ProxyResult } from '../base.js';
import { guessType } from '../obj.js';
import { headerOf, type SwiftRequest } from '../request.js';
import { OVERRIDE_ETAG } from '../../utils/etag-params.js';
import { withoutSwiftBytes } from '../../utils/swift-bytes.js';
import { segmentedResult } from '../segmented.js';
import { deleteAll, type DeleteEntry } from './bulk-delete.js';
import { answer, drain, isSuccess, queryParam, readBody, requestPath, subrequest, type Handler, type Middleware } from './pipeline.js';
import { quoteName, resultBody, resultFormat, statusLine } from './result-body.js';
import { parseManifestInput, type SegmentInput } from './slo-input.js';

export const MAX_MANIFEST_SEGMENTS = 1000;
export const MAX_MANIFEST_SIZE = 8 * 1024 * 1024;
/** Segment HEADs of a manifest PUT in flight at once. */
const HEAD_CONCURRENCY = 2;
/** Manifests inside manifests, at most this deep (slo.py's recursion limit). */
const MAX_NESTING = 10;

/** A segment as the stored manifest lists it. */
export interface StoredSegment {
  name?: string;
  bytes?: number;
  hash?: string;
  content_type?: string;
  last_modified?: string;
  range?: string;
  sub_slo?: boolean;
  data?: string;
}

const TRUE = new Set(['true', '1', 'yes', 'on', 't', 'y']);
export const isSlo = (r: ProxyResult): boolean => TRUE.has((r.headers['x-static-large-object'] ?? '').toLowerCase());
const unquote = (etag: string | undefined): string => (etag ?? '').trim().replace(/^"|"$/g, '');

/** The bytes a stored segment gives: its range's, or the whole object's, or its inline data's. */
function segmentLength(seg: StoredSegment): number {
  if (seg.data !== undefined) return Buffer.from(seg.data, 'base64').length;
  if (seg.range) {
    const [a, b] = seg.range.split('-').map(Number);
    return b! - a! + 1;
  }
  return seg.bytes ?? 0;
}

/** The large object's etag: md5 over each segment's etag (with its range) or inline data's md5. */
export function sloEtag(segments: StoredSegment[]): string {
  const h = createHash('md5');
  for (const s of segments) {
    if (s.data !== undefined) h.update(createHash('md5').update(Buffer.from(s.data, 'base64')).digest('hex'));
    else if (s.range) h.update(`${s.hash}:${s.range};`);
    else h.update(s.hash ?? '');
  }
  return h.digest('hex');
}

export class StaticLargeObjects implements Middleware {
  readonly name = 'slo';

  /** `app`: the whole proxy, for segment reads (each authorized as the client). */
  constructor(private readonly app: Handler) {}

  info(): Record<string, unknown> {
    return { max_manifest_segments: MAX_MANIFEST_SEGMENTS, max_manifest_size: MAX_MANIFEST_SIZE, yield_frequency: 10, min_segment_size: 1, allow_async_delete: false };
  }

  async handle(req: SwiftRequest, next: Handler): Promise<ProxyResult> {
    if (req.object === undefined || req.object === '') return next(req);
    const mm = queryParam(req, 'multipart-manifest');
    if (req.method === 'PUT' && mm === 'put') return this.put(req, next);
    if (req.method === 'DELETE' && mm === 'delete') return this.delete(req);
    if (req.method === 'GET' || req.method === 'HEAD') return this.getOrHead(req, next);
    if (headerOf(req.headers, 'x-static-large-object') !== undefined) {
      throw new BadRequest('X-Static-Large-Object is a reserved header. To create a static large object add query param multipart-manifest=put.');
    }
    return next(req);
  }

  // ---- GET / HEAD

  private async getOrHead(req: SwiftRequest, next: Handler): Promise<ProxyResult> {
    if (queryParam(req, 'multipart-manifest') === 'get') return this.manifestItself(req, next);
    const res = await next(req);
    const plain = ['range', 'if-match', 'if-none-match', 'if-modified-since', 'if-unmodified-since'].every((h) => headerOf(req.headers, h) === undefined);
    let manifest: ProxyResult;
    if (isSlo(res)) {
      if (req.method === 'GET' && res.status === 200 && plain) manifest = res;
      else {
        drain(res);
        manifest = await this.readManifest(req, next);
      }
    } else if ((res.status === 412 || res.status === 416) && !plain) {
      // the condition or range was the manifest's: is it one?
      const probe = await this.readManifest(req, next, false);
      if (!isSlo(probe)) {
        drain(probe);
        return res;
      }
      drain(res);
      manifest = probe;
    } else return res;
    const segments = await this.parseStored(manifest);
    const headers = { ...manifest.headers };
    delete headers['content-length'];
    if (headers['content-type']) headers['content-type'] = withoutSwiftBytes(headers['content-type']);
    headers['x-static-large-object'] = 'True';
    headers['x-manifest-etag'] = unquote(manifest.headers.etag);
    const depth = (req.nesting ?? 0) + 1;
    if (depth > MAX_NESTING) throw new BadRequest(`Max recursion depth exceeded on ${req.container}/${req.object}`);
    return segmentedResult({
      method: req.method as 'GET' | 'HEAD', request: req.headers, headers, etag: sloEtag(segments),
      pieces: segments.map((s) => ({ length: segmentLength(s), item: s })),
      read: (seg, from, to) => this.readSegment(req, seg, from, to, depth),
    });
  }

  /** The stored manifest, read plainly (no range, no conditions). */
  private async readManifest(req: SwiftRequest, next: Handler, must = true): Promise<ProxyResult> {
    const res = await answer(next, subrequest(req, 'SLO', { method: 'GET', container: req.container!, object: req.object!, query: 'multipart-manifest=get', ...(req.allowReserved ? { allowReserved: true } : {}) }));
    if (must && !isSuccess(res.status)) {
      drain(res);
      throw new NoQuorum('The manifest of the large object could not be read');
    }
    return res;
  }

  private async parseStored(manifest: ProxyResult): Promise<StoredSegment[]> {
    const body = await readBody(manifest.body, MAX_MANIFEST_SIZE * 4);
    try {
      const parsed = JSON.parse(body.toString('utf8')) as unknown;
      if (!Array.isArray(parsed)) throw new Error('not a list');
      return parsed as StoredSegment[];
    } catch {
      throw new NoQuorum('Unable to load SLO manifest');
    }
  }

  private async manifestItself(req: SwiftRequest, next: Handler): Promise<ProxyResult> {
    const res = await next(req);
    if (!isSlo(res) || !isSuccess(res.status) || req.method === 'HEAD') return res;
    if (queryParam(req, 'format') !== 'raw') return { ...res, headers: { ...res.headers, 'content-type': 'application/json; charset=utf-8' } };
    const raw = (await this.parseStored(res)).map((s) => {
      if (s.data !== undefined) return { data: s.data };
      const { name, bytes, hash, content_type: _ct, last_modified: _lm, sub_slo: _sub, ...rest } = s;
      return { ...rest, etag: hash, path: name, size_bytes: bytes };
    });
    const json = JSON.stringify(raw.map((r) => Object.fromEntries(Object.entries(r).sort(([a], [b]) => a.localeCompare(b)))));
    const headers: Record<string, string> = { ...res.headers, 'content-length': String(Buffer.byteLength(json)), etag: createHash('md5').update(json).digest('hex') };
    delete headers['content-range'];
    return { status: 200, headers, body: json };
  }

  /** Bytes from..to (inclusive) of one segment: inline data, or a GET of the segment object. */
  private async *readSegment(req: SwiftRequest, seg: StoredSegment, from: number, to: number, depth: number): AsyncGenerator<Buffer> {
    if (seg.data !== undefined) {
      yield Buffer.from(seg.data, 'base64').subarray(from, to + 1);
      return;
    }
    const first = seg.range ? Number(seg.range.split('-')[0]) : 0;
    const path = (seg.name ?? '').replace(/^\/+/, '');
    const slash = path.indexOf('/');
    const sub = subrequest(req, 'SLO', {
      method: 'GET', container: path.slice(0, slash), object: path.slice(slash + 1), nesting: depth,
      query: seg.sub_slo ? '' : 'multipart-manifest=get', headers: { range: `bytes=${first + from}-${first + to}` },
    });
    const res = await answer(this.app, sub);
    if (!isSuccess(res.status) || (seg.hash !== undefined && unquote(res.headers.etag) !== seg.hash)) {
      drain(res);
      throw new NoQuorum(`Object segment no longer valid: ${seg.name} (${res.status})`);
    }
    if (res.body === undefined) return;
    if (typeof res.body === 'string') {
      yield Buffer.from(res.body);
      return;
    }
    for await (const c of res.body) yield c as Buffer;
  }

  // ---- PUT ?multipart-manifest=put

  private async put(req: SwiftRequest, next: Handler): Promise<ProxyResult> {
    if (headerOf(req.headers, 'x-copy-from') !== undefined) {
      const err = new MethodNotAllowed('Multipart Manifest PUTs cannot be COPY requests');
      err.headers.allow = 'GET, HEAD, PUT, POST, DELETE, COPY';
      throw err;
    }
    const length = headerOf(req.headers, 'content-length');
    if (length === undefined && !/chunked/i.test(headerOf(req.headers, 'transfer-encoding') ?? '')) throw new LengthRequired();
    if (length !== undefined && Number(length) > MAX_MANIFEST_SIZE) throw new PayloadTooLarge(`Manifest File > ${MAX_MANIFEST_SIZE} bytes`);
    let body: Buffer;
    try {
      body = await readBody(req.body, MAX_MANIFEST_SIZE);
    } catch {
      throw new PayloadTooLarge(`Manifest File > ${MAX_MANIFEST_SIZE} bytes`);
    }
    const input = parseManifestInput(body, requestPath(req).slice(`/v1/${req.account}`.length));
    if (input.filter((s) => s.path !== undefined).length > MAX_MANIFEST_SEGMENTS) {
      throw new PayloadTooLarge(`Number of object-backed segments must be <= ${MAX_MANIFEST_SEGMENTS}`);
    }
    const format = resultFormat(headerOf(req.headers, 'accept')) ?? 'text/plain';
    const problems: Array<[string, string]> = [];
    // each distinct segment HEADed once, HEAD_CONCURRENCY at a time (slo.py's concurrency)
    const heads = new Map<string, ProxyResult>();
    const paths = [...new Set(input.flatMap((s) => (s.path === undefined ? [] : [s.path])))];
    for (let i = 0; i < paths.length; i += HEAD_CONCURRENCY) {
      await Promise.all(paths.slice(i, i + HEAD_CONCURRENCY).map(async (p) => {
        const path = p.replace(/^\/+/, '');
        const slash = path.indexOf('/');
        const head = await answer(this.app, subrequest(req, 'SLO', { method: 'HEAD', container: path.slice(0, slash), object: path.slice(slash + 1) }));
        drain(head);
        heads.set(p, head);
      }));
    }
    const stored: StoredSegment[] = input.map((s, i) => (s.data !== undefined ? { data: s.data } : this.checkSegment(s, heads.get(s.path!)!, i === input.length - 1, problems)));
    if (problems.length > 0) {
      return { status: 400, headers: { 'content-type': format }, body: resultBody(format, {}, problems, 'upload') };
    }
    const etag = sloEtag(stored);
    const clientEtag = unquote(headerOf(req.headers, 'etag'));
    if (clientEtag && clientEtag !== etag) throw new UnprocessableEntity();
    const json = JSON.stringify(stored);
    const { 'transfer-encoding': _te, etag: _etag, ...headers } = req.headers;
    // the whole object's size rides on the content type (slo.py), so listings show it as its bytes
    const total = stored.reduce((sum, s) => sum + segmentLength(s), 0);
    const contentType = `${headerOf(req.headers, 'content-type') || guessType(req.object!)};swift_bytes=${total}`;
    const manifestEtag = createHash('md5').update(json).digest('hex');
    const res = await next({
      ...req, query: '', body: Readable.from([Buffer.from(json)]),
      headers: {
        ...headers, 'content-type': contentType, 'content-length': String(Buffer.byteLength(json)), etag: manifestEtag, 'x-static-large-object': 'True',
        // and its etag on the listed one (slo_etag), as the SLO's sysmeta
        [OVERRIDE_ETAG]: `${manifestEtag}; slo_etag=${etag}`, 'x-object-sysmeta-slo-etag': etag, 'x-object-sysmeta-slo-size': String(total),
      },
    });
    if (isSuccess(res.status)) res.headers.etag = `"${etag}"`;
    return res;
  }

  /** One segment against its HEAD; its problems are added to `problems`. */
  private checkSegment(s: SegmentInput, head: ProxyResult, last: boolean, problems: Array<[string, string]>): StoredSegment {
    const name = s.path!;
    if (!isSuccess(head.status)) {
      problems.push([quoteName(name), statusLine(head.status)]);
      return {};
    }
    const size = Number(head.headers['content-length'] ?? 0);
    let length = size;
    let range: string | undefined;
    if (s.range) {
      const r = s.range.resolve(size);
      if (!r) problems.push([quoteName(name), 'Unsatisfiable Range']);
      else if (!(r.start === 0 && r.end === size - 1)) {
        range = `${r.start}-${r.end}`;
        length = r.end - r.start + 1;
      }
    }
    if (length < 1 && !last) problems.push([quoteName(name), 'Too small; each segment must be at least 1 byte.']);
    if (s.size_bytes !== undefined && s.size_bytes !== size) problems.push([quoteName(name), 'Size Mismatch']);
    const etag = unquote(head.headers.etag);
    if (s.etag !== undefined && s.etag !== null && s.etag !== etag) problems.push([quoteName(name), 'Etag Mismatch']);
    const modified = Date.parse(head.headers['last-modified'] ?? '');
    return {
      name: `/${name.replace(/^\/+/, '')}`, bytes: size, hash: etag, content_type: head.headers['content-type'] ?? 'application/octet-stream',
      last_modified: `${new Date(Number.isNaN(modified) ? Date.now() : modified).toISOString().slice(0, 23)}000`,
      ...(range ? { range } : {}), ...(isSlo(head) ? { sub_slo: true } : {}),
    };
  }

  // ---- DELETE ?multipart-manifest=delete

  private async delete(req: SwiftRequest): Promise<ProxyResult> {
    const format = resultFormat(headerOf(req.headers, 'accept'));
    if (!format) return { status: 406, headers: {}, body: '' };
    const entries: DeleteEntry[] = [];
    const pending: Array<{ name: string; subSlo: boolean }> = [{ name: `/${req.container}/${req.object}`, subSlo: true }];
    const manifests: DeleteEntry[] = [];
    while (pending.length > 0) {
      if (pending.length > MAX_MANIFEST_SEGMENTS * 10) throw new BadRequest('Too many buffered slo segments to delete.');
      const seg = pending.shift()!;
      if (!seg.subSlo) {
        entries.push({ name: seg.name });
        continue;
      }
      const path = seg.name.replace(/^\/+/, '');
      const slash = path.indexOf('/');
      const res = await answer(this.app, subrequest(req, 'SLO', { method: 'GET', container: path.slice(0, slash), object: path.slice(slash + 1), query: 'multipart-manifest=get' }));
      if (!isSuccess(res.status)) {
        drain(res);
        manifests.unshift({ name: seg.name, error: { code: res.status, message: statusLine(res.status) } });
        continue;
      }
      if (!isSlo(res)) {
        drain(res);
        manifests.unshift({ name: seg.name, error: { code: 400, message: 'Not an SLO manifest' } });
        continue;
      }
      for (const s of await this.parseStored(res)) if (s.data === undefined && s.name) pending.push({ name: s.name, subSlo: s.sub_slo === true });
      manifests.unshift({ name: seg.name });
    }
    const { summary, errors } = await deleteAll(this.app, req, [...entries, ...manifests], 'SLO');
    return { status: 200, headers: { 'content-type': format }, body: resultBody(format, summary, errors, 'delete') };
  }
}
