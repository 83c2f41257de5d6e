/**
 * Dynamic large objects (swift/common/middleware/dlo.py): an object with X-Object-Manifest:
 * <container>/<prefix> reads as its segments — the objects of that container whose names start
 * with the prefix, in listing order — joined. Its length is their sum, its ETag the quoted md5
 * of their ETags; Range and conditions apply to the whole; the segments are streamed one after
 * the other from their nodes. `?multipart-manifest=get` reads the manifest itself.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { NotFound } from '../../../common/errors.js';
import { NoQuorum } from '../errors.js';
import { evaluateConditions, parseRange } from '../utils/conditional.js';
import { clientHeaders, getOrHead, tailPath, type ProxyResult } from './base.js';
import { headerOf, type ProxyDeps } from './request.js';

interface Segment {
  name: string;
  bytes: number;
  hash: string;
}

export class DynamicLargeObjects {
  constructor(private readonly deps: ProxyDeps) {}

  /** The segments of a manifest value ('container/prefix', %-encoded or not), every page of the listing. */
  private async segments(account: string, manifest: string): Promise<{ container: string; segments: Segment[] }> {
    let value = manifest;
    try {
      value = decodeURIComponent(manifest);
    } catch { /* taken as it is */ }
    const i = value.indexOf('/');
    if (i <= 0) throw new NotFound();
    const container = value.slice(0, i);
    const prefix = value.slice(i + 1);
    const ring = this.deps.rings.get('container');
    const part = ring.getPart(account, container);
    const out: Segment[] = [];
    let marker = '';
    for (;;) {
      const q = new URLSearchParams({ format: 'json', prefix, limit: String(this.deps.settings.containerListingLimit), ...(marker ? { marker } : {}) });
      const { res } = await getOrHead(ring, part, 'GET', `${tailPath(part, account, container)}?${q.toString()}`, {}, this.deps.timeouts, this.deps.log);
      if (!res) return { container, segments: out };
      const chunks: Buffer[] = [];
      for await (const c of res.body) chunks.push(c as Buffer);
      if (res.status !== 200) return { container, segments: out };
      const page = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Segment[];
      out.push(...page.filter((s) => s.name !== undefined));
      if (page.length < this.deps.settings.containerListingLimit) return { container, segments: out };
      marker = page.at(-1)!.name;
    }
  }

  /** The answer for a manifest; `manifestHeaders` are the manifest object's own headers. */
  async read(method: 'GET' | 'HEAD', account: string, manifestHeaders: IncomingHttpHeaders, request: IncomingHttpHeaders): Promise<ProxyResult> {
    const { container, segments } = await this.segments(account, String(manifestHeaders['x-object-manifest']));
    const total = segments.reduce((n, s) => n + s.bytes, 0);
    const etag = createHash('md5').update(segments.map((s) => s.hash).join('')).digest('hex');
    const headers = clientHeaders(manifestHeaders);
    delete headers['content-range'];
    headers.etag = `"${etag}"`;
    headers['accept-ranges'] = 'bytes';
    const lastModified = Date.parse(String(manifestHeaders['last-modified'] ?? ''));
    const cond = evaluateConditions({
      ifMatch: headerOf(request, 'if-match'), ifNoneMatch: headerOf(request, 'if-none-match'),
      ifModifiedSince: headerOf(request, 'if-modified-since'), ifUnmodifiedSince: headerOf(request, 'if-unmodified-since'),
    }, etag, Number.isNaN(lastModified) ? 0 : lastModified, method);
    if (cond) return { status: cond, headers: { etag: headers.etag, ...(headers['last-modified'] ? { 'last-modified': headers['last-modified'] } : {}) }, body: '' };
    const range = parseRange(headerOf(request, 'range'), total);
    if (range === 'unsatisfiable') return { status: 416, headers: { 'content-range': `bytes */${total}` }, body: '' };
    const start = range ? range.start : 0;
    const end = range ? range.end : total - 1;
    headers['content-length'] = String(Math.max(0, end - start + 1));
    if (range) headers['content-range'] = `bytes ${start}-${end}/${total}`;
    const status = range ? 206 : 200;
    if (method === 'HEAD' || end < start) return { status, headers, body: '' };
    return { status, headers, body: Readable.from(this.stream(account, container, segments, start, end)) };
  }

  /** The bytes start..end of the joined segments, segment after segment. */
  private async *stream(account: string, container: string, segments: Segment[], start: number, end: number): AsyncGenerator<Buffer> {
    const ring = this.deps.rings.get('object');
    let offset = 0;
    for (const seg of segments) {
      const segStart = offset;
      const segEnd = offset + seg.bytes - 1;
      offset += seg.bytes;
      if (segEnd < start || segStart > end || seg.bytes === 0) continue;
      const from = Math.max(start, segStart) - segStart;
      const to = Math.min(end, segEnd) - segStart;
      const part = ring.getPart(account, container, seg.name);
      const whole = from === 0 && to === seg.bytes - 1;
      const { res } = await getOrHead(ring, part, 'GET', tailPath(part, account, container, seg.name), whole ? {} : { Range: `bytes=${from}-${to}` }, this.deps.timeouts, this.deps.log);
      if (!res || (res.status !== 200 && res.status !== 206)) {
        res?.body.resume();
        throw new NoQuorum(`segment ${container}/${seg.name} could not be read`);
      }
      for await (const c of res.body) yield c as Buffer;
    }
  }
}
