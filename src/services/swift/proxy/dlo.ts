/**
 * Dynamic large objects (swift/common/middleware/dlo.py): an object with X-Object-Manifest:
 * <container>/<prefix> reads as its segments — the objects of that container whose names start
 * with the prefix, in listing order — joined. Its length is their sum, its ETag the quoted md5
 * of their ETags; Range and conditions apply to the whole (segmented.ts); the segments are
 * streamed one after the other from their nodes. `?multipart-manifest=get` reads the manifest itself.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { createHash } from 'node:crypto';
import { NotFound } from '../../../common/errors.js';
import { NoQuorum } from '../errors.js';
import { clientHeaders, getOrHead, tailPath, type ProxyResult } from './base.js';
import type { ProxyDeps } from './request.js';
import { segmentedResult } from './segmented.js';

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
    return segmentedResult({
      method, request, headers: clientHeaders(manifestHeaders),
      etag: createHash('md5').update(segments.map((s) => s.hash).join('')).digest('hex'),
      pieces: segments.map((s) => ({ length: s.bytes, item: s })),
      read: (seg, from, to) => this.readSegment(account, container, seg, from, to),
    });
  }

  /** Bytes from..to of one segment, from its nodes. */
  private async *readSegment(account: string, container: string, seg: Segment, from: number, to: number): AsyncGenerator<Buffer> {
    const ring = this.deps.rings.get('object');
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
