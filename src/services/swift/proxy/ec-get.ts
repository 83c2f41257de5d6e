/**
 * The reading half of the EC object controller (swift/proxy/controllers/obj.py
 * ECObjectController._get_or_head_response with its ECFragGetters): the fragment archives'
 * metadata from the primaries (handoffs too when fewer than k answer), the newest durable
 * timestamp of which k distinct fragment indexes are there chosen; conditions and Range are
 * answered for the whole object (its etag is X-Object-Sysmeta-Ec-Etag, its length
 * X-Object-Sysmeta-Ec-Content-Length); a Range is mapped to whole segments, the matching
 * byte ranges of k fragment archives are read (data fragments first: no decoding then) and
 * decoded segment by segment, at the client's pace.
 */
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import type { Ring, RingNode } from '../ring/ring.js';
import { backendRequest, type BackendResponse } from '../utils/backend-client.js';
import { evaluateConditions, parseRange } from '../utils/conditional.js';
import { ExactReader } from '../utils/exact-reader.js';
import type { ECPolicy } from '../utils/storage-policy.js';
import { discard, nodePath, type ProxyLog, type Timeouts } from './base.js';

const EC_SYSMETA = 'x-object-sysmeta-ec-';

interface FragAnswer {
  node: RingNode;
  status: number;
  headers: IncomingHttpHeaders;
}

const str = (h: IncomingHttpHeaders, k: string): string => {
  const v = h[k];
  return typeof v === 'string' ? v : '';
};

/** A response the controller hands on as a storage node's (the decoded body in place of a node's). */
function synthetic(status: number, headers: IncomingHttpHeaders, body: Readable): BackendResponse {
  // the callers read, resume or destroy the body: a Readable has all of them
  return { status, headers, body: body as IncomingMessage, setIdleTimeout: () => undefined };
}

export class ECReader {
  constructor(private readonly timeouts: Timeouts, private readonly log: ProxyLog) {}

  private async heads(nodes: RingNode[], path: string, policy: ECPolicy): Promise<FragAnswer[]> {
    return Promise.all(nodes.map(async (node) => {
      try {
        const res = await backendRequest(node, 'HEAD', nodePath(node, path), { 'X-Backend-Storage-Policy-Index': String(policy.index) }, undefined, this.timeouts);
        discard(res);
        return { node, status: res.status, headers: res.headers };
      } catch (err) {
        this.log.warn({ node: `${node.ip}:${node.port}/${node.device}`, err: (err as Error).message }, 'EC GET: node failed');
        return { node, status: 503, headers: {} };
      }
    }));
  }

  /** The newest durable timestamp's fragment archives, one node per fragment index. */
  private choose(answers: FragAnswer[]): { timestamp: string; frags: Map<number, FragAnswer> } | undefined {
    const byStamp = new Map<string, Map<number, FragAnswer>>();
    for (const a of answers) {
      if (a.status < 200 || a.status >= 300) continue;
      const stamp = str(a.headers, 'x-backend-data-timestamp');
      const index = Number(str(a.headers, 'x-object-sysmeta-ec-frag-index'));
      if (!stamp || !Number.isInteger(index)) continue;
      const frags = byStamp.get(stamp) ?? new Map<number, FragAnswer>();
      if (!frags.has(index)) frags.set(index, a);
      byStamp.set(stamp, frags);
    }
    const newest = [...byStamp.keys()].sort().at(-1);
    return newest === undefined ? undefined : { timestamp: newest, frags: byStamp.get(newest)! };
  }

  async read(policy: ECPolicy, ring: Ring, part: number, path: string, method: 'GET' | 'HEAD', forward: OutgoingHttpHeaders): Promise<{ res?: BackendResponse; notFound: boolean }> {
    const k = policy.ndata;
    let answers = await this.heads(ring.getPartNodes(part), path, policy);
    let chosen = this.choose(answers);
    if (!chosen || chosen.frags.size < k) {
      const more: RingNode[] = [];
      const it = ring.getMoreNodes(part);
      for (let next = it.next(); !next.done && more.length < policy.ndata + policy.nparity; next = it.next()) more.push(next.value);
      answers = [...answers, ...(await this.heads(more, path, policy))];
      chosen = this.choose(answers);
    }
    const deletedAt = answers.filter((a) => a.status === 404).map((a) => str(a.headers, 'x-backend-timestamp')).sort().at(-1) ?? '';
    if (!chosen || (deletedAt !== '' && deletedAt > chosen.timestamp)) {
      return { notFound: answers.some((a) => a.status === 404) };
    }
    if (chosen.frags.size < k) {
      this.log.warn({ path, have: chosen.frags.size, need: k }, 'EC GET: too few fragment archives');
      return { notFound: false };
    }
    const first = [...chosen.frags.values()][0]!.headers;
    const length = Number(str(first, 'x-object-sysmeta-ec-content-length'));
    const segmentSize = Number(str(first, 'x-object-sysmeta-ec-segment-size')) || policy.segmentSize;
    const etag = str(first, 'x-object-sysmeta-ec-etag');
    const headers: IncomingHttpHeaders = {};
    for (const [h, v] of Object.entries(first)) if (!h.startsWith(EC_SYSMETA) && h !== 'content-range') headers[h] = v;
    headers.etag = etag;
    headers['content-length'] = String(length);
    const empty = (): Readable => Readable.from([]);

    const ts = str(first, 'x-timestamp');
    const manifest: IncomingHttpHeaders = first['x-object-manifest'] !== undefined ? { 'x-object-manifest': first['x-object-manifest'] } : {};
    const brief = { etag, 'last-modified': str(first, 'last-modified'), 'x-timestamp': ts, ...manifest };
    const s = (k2: string): string | undefined => (typeof forward[k2] === 'string' ? forward[k2] : undefined);
    const cond = evaluateConditions({ ifMatch: s('if-match'), ifNoneMatch: s('if-none-match'), ifModifiedSince: s('if-modified-since'), ifUnmodifiedSince: s('if-unmodified-since') },
      etag, Math.ceil(Number(ts)) * 1000, method);
    if (cond === 304) return { res: synthetic(304, { ...brief, 'content-length': '0' }, empty()), notFound: false };
    if (cond === 412) return { res: synthetic(412, { ...brief, 'content-length': '0' }, empty()), notFound: false };

    const ignore = (s('x-backend-ignore-range-if-metadata-present') ?? '').split(',').some((h) => h.trim() !== '' && first[h.trim().toLowerCase()] !== undefined);
    const range = parseRange(ignore ? undefined : s('range'), length);
    if (range === 'unsatisfiable') {
      return { res: synthetic(416, { 'content-range': `bytes */${length}`, 'content-type': 'text/plain', 'content-length': '0', ...manifest }, empty()), notFound: false };
    }
    const start = range ? range.start : 0;
    const end = range ? range.end : length - 1;
    if (range) {
      headers['content-range'] = `bytes ${start}-${end}/${length}`;
      headers['content-length'] = String(end - start + 1);
    }
    const status = range ? 206 : 200;
    if (method === 'HEAD' || end < start) return { res: synthetic(status, headers, empty()), notFound: false };

    const body = await this.fragments(policy, chosen, path, segmentSize, length, start, end);
    if (!body) return { notFound: false };
    return { res: synthetic(status, headers, body), notFound: false };
  }

  /** k fragment archives' byte ranges for the segments of [start, end], decoded; undefined when fewer than k answer. */
  private async fragments(policy: ECPolicy, chosen: { timestamp: string; frags: Map<number, FragAnswer> }, path: string,
    segmentSize: number, length: number, start: number, end: number): Promise<Readable | undefined> {
    const k = policy.ndata;
    const fragSize = policy.codec.fragmentSize(segmentSize);
    const firstSeg = Math.floor(start / segmentSize);
    const lastSeg = Math.floor(end / segmentSize);
    const fragLenOf = (seg: number): number => policy.codec.fragmentSize(Math.min(segmentSize, length - seg * segmentSize));
    const fragStart = firstSeg * fragSize;
    const fragEnd = lastSeg * fragSize + fragLenOf(lastSeg) - 1;
    const sources = new Map<number, BackendResponse>();
    // data fragments first (a plain copy), then parity
    for (const [index, a] of [...chosen.frags.entries()].sort((x, y) => x[0] - y[0])) {
      if (sources.size >= k) break;
      try {
        const res = await backendRequest(a.node, 'GET', nodePath(a.node, path), { 'X-Backend-Storage-Policy-Index': String(policy.index), Range: `bytes=${fragStart}-${fragEnd}` }, undefined, this.timeouts);
        if ((res.status === 206 || res.status === 200) && str(res.headers, 'x-backend-data-timestamp') === chosen.timestamp) {
          if (res.status === 200 && fragStart > 0) throw new Error('range ignored');
          res.setIdleTimeout(Math.max(this.timeouts.nodeMs, this.timeouts.clientMs ?? 0));
          sources.set(index, res);
        } else {
          discard(res);
        }
      } catch (err) {
        this.log.warn({ node: `${a.node.ip}:${a.node.port}/${a.node.device}`, err: (err as Error).message }, 'EC GET: fragment archive unavailable');
      }
    }
    if (sources.size < k) {
      for (const r of sources.values()) r.body.destroy();
      return undefined;
    }
    const readers = new Map([...sources.entries()].map(([i, r]) => [i, new ExactReader(r.body)]));
    async function* decoded(): AsyncGenerator<Buffer> {
      try {
        for (let seg = firstSeg; seg <= lastSeg; seg++) {
          const segLen = Math.min(segmentSize, length - seg * segmentSize);
          const n = policy.codec.fragmentSize(segLen);
          const frags = new Map<number, Uint8Array>();
          for (const [i, r] of readers) frags.set(i, await r.read(n));
          const data = policy.codec.decode(frags, segLen);
          const from = seg === firstSeg ? start - seg * segmentSize : 0;
          const to = seg === lastSeg ? end - seg * segmentSize + 1 : segLen;
          yield data.subarray(from, to);
        }
      } finally {
        for (const r of readers.values()) await r.close();
        for (const r of sources.values()) r.body.destroy();
      }
    }
    return Readable.from(decoded(), { objectMode: false });
  }
}
