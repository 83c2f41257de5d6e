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

  /**
   * GET/HEAD of an EC object. A GET with no Range or one `bytes=a-[b]` first asks the k
   * primaries of the data fragments for their archives straight away (upstream's first k
   * getters); when they do not all answer with one durable timestamp, or for a HEAD or another
   * Range, every primary's metadata is asked first (then handoffs, when fewer than k answer).
   */
  async read(policy: ECPolicy, ring: Ring, part: number, path: string, method: 'GET' | 'HEAD', forward: OutgoingHttpHeaders): Promise<{ res?: BackendResponse; notFound: boolean }> {
    if (method === 'GET') {
      const fast = await this.directGet(policy, ring, part, path, forward);
      if (fast) return { res: fast, notFound: false };
    }
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
    const picked = chosen;
    const res = await this.respond(policy, [...picked.frags.values()][0]!.headers, method, forward,
      async (fragStart, fragEnd) => this.open(policy, picked, path, fragStart, fragEnd));
    return res ? { res, notFound: false } : { notFound: false };
  }

  /** The data fragments' archives asked for at once; undefined when that does not give k of one durable timestamp. */
  private async directGet(policy: ECPolicy, ring: Ring, part: number, path: string, forward: OutgoingHttpHeaders): Promise<BackendResponse | undefined> {
    // a Range a symlink may have to ignore: whether it does is known from the metadata only
    if (forward.range !== undefined && forward['x-backend-ignore-range-if-metadata-present'] !== undefined) return undefined;
    const range = typeof forward.range === 'string' ? /^bytes=(\d+)-(\d*)$/i.exec(forward.range.trim()) : undefined;
    if (forward.range !== undefined && !range) return undefined;
    const primaries = ring.getPartNodes(part).slice(0, policy.ndata);
    if (primaries.length < policy.ndata) return undefined;
    // the segments of the range, as the fragment archives' bytes (the length is not known yet: the nodes cut the end)
    const fragSize = policy.codec.fragmentSize(policy.segmentSize);
    const fragRange = range ? `bytes=${Math.floor(Number(range[1]) / policy.segmentSize) * fragSize}-${range[2] ? (Math.floor(Number(range[2]) / policy.segmentSize) + 1) * fragSize - 1 : ''}` : undefined;
    const answers = await Promise.all(primaries.map(async (node, i) => {
      try {
        const res = await backendRequest(node, 'GET', nodePath(node, path), { 'X-Backend-Storage-Policy-Index': String(policy.index), ...(fragRange ? { Range: fragRange } : {}) }, undefined, this.timeouts);
        if ((res.status === 200 || res.status === 206) && Number(str(res.headers, 'x-object-sysmeta-ec-frag-index')) === i) return res;
        discard(res);
      } catch {
        // the slow path asks every node
      }
      return undefined;
    }));
    const stamp = str(answers[0]?.headers ?? {}, 'x-backend-data-timestamp');
    const segmentOk = answers.every((r) => Number(str(r?.headers ?? {}, 'x-object-sysmeta-ec-segment-size')) === policy.segmentSize);
    if (!segmentOk || answers.some((r) => !r || str(r.headers, 'x-backend-data-timestamp') !== stamp)) {
      for (const r of answers) r?.body.destroy();
      return undefined;
    }
    const sources = new Map(answers.map((r, i) => [i, r!] as const));
    const release = (): void => { for (const r of sources.values()) r.body.destroy(); };
    const res = await this.respond(policy, answers[0]!.headers, 'GET', forward, async () => sources, release);
    if (!res) release();
    return res;
  }

  /**
   * The client's answer from one archive's metadata: conditions on the object's etag, Range on
   * its length, and the body decoded from the sources `open` gives for the archives' byte range.
   */
  private async respond(policy: ECPolicy, first: IncomingHttpHeaders, method: 'GET' | 'HEAD', forward: OutgoingHttpHeaders,
    open: (fragStart: number, fragEnd: number) => Promise<Map<number, BackendResponse> | undefined>, release: () => void = () => undefined): Promise<BackendResponse | undefined> {
    const length = Number(str(first, 'x-object-sysmeta-ec-content-length'));
    const segmentSize = Number(str(first, 'x-object-sysmeta-ec-segment-size')) || policy.segmentSize;
    const etag = str(first, 'x-object-sysmeta-ec-etag');
    const headers: IncomingHttpHeaders = {};
    for (const [h, v] of Object.entries(first)) if (!h.startsWith(EC_SYSMETA) && h !== 'content-range') headers[h] = v;
    headers.etag = etag;
    headers['content-length'] = String(length);
    const empty = (): Readable => Readable.from([]);
    const done = (status: number, h: IncomingHttpHeaders): BackendResponse => {
      release();
      return synthetic(status, h, empty());
    };

    const ts = str(first, 'x-timestamp');
    const manifest: IncomingHttpHeaders = first['x-object-manifest'] !== undefined ? { 'x-object-manifest': first['x-object-manifest'] } : {};
    const brief = { etag, 'last-modified': str(first, 'last-modified'), 'x-timestamp': ts, ...manifest };
    const s = (k2: string): string | undefined => (typeof forward[k2] === 'string' ? forward[k2] : undefined);
    const cond = evaluateConditions({ ifMatch: s('if-match'), ifNoneMatch: s('if-none-match'), ifModifiedSince: s('if-modified-since'), ifUnmodifiedSince: s('if-unmodified-since') },
      etag, Math.ceil(Number(ts)) * 1000, method);
    if (cond === 304 || cond === 412) return done(cond, { ...brief, 'content-length': '0' });

    const ignore = (s('x-backend-ignore-range-if-metadata-present') ?? '').split(',').some((h) => h.trim() !== '' && first[h.trim().toLowerCase()] !== undefined);
    const range = parseRange(ignore ? undefined : s('range'), length);
    if (range === 'unsatisfiable') return done(416, { 'content-range': `bytes */${length}`, 'content-type': 'text/plain', 'content-length': '0', ...manifest });
    const start = range ? range.start : 0;
    const end = range ? range.end : length - 1;
    if (range) {
      headers['content-range'] = `bytes ${start}-${end}/${length}`;
      headers['content-length'] = String(end - start + 1);
    }
    const status = range ? 206 : 200;
    if (method === 'HEAD' || end < start) return done(status, headers);

    const firstSeg = Math.floor(start / segmentSize);
    const lastSeg = Math.floor(end / segmentSize);
    const fragSize = policy.codec.fragmentSize(segmentSize);
    const fragStart = firstSeg * fragSize;
    const fragEnd = lastSeg * fragSize + policy.codec.fragmentSize(Math.min(segmentSize, length - lastSeg * segmentSize)) - 1;
    const sources = await open(fragStart, fragEnd);
    if (!sources) return undefined;
    return synthetic(status, headers, this.decode(policy, sources, segmentSize, length, start, end));
  }

  /** k archives' byte ranges from the chosen nodes (data fragments first, k at once, then one more for each that fails); undefined when fewer than k answer. */
  private async open(policy: ECPolicy, chosen: { timestamp: string; frags: Map<number, FragAnswer> }, path: string, fragStart: number, fragEnd: number): Promise<Map<number, BackendResponse> | undefined> {
    const k = policy.ndata;
    const sources = new Map<number, BackendResponse>();
    const candidates = [...chosen.frags.entries()].sort((x, y) => x[0] - y[0]);
    const fetch = async ([index, a]: [number, FragAnswer]): Promise<void> => {
      try {
        const res = await backendRequest(a.node, 'GET', nodePath(a.node, path), { 'X-Backend-Storage-Policy-Index': String(policy.index), Range: `bytes=${fragStart}-${fragEnd}` }, undefined, this.timeouts);
        if ((res.status === 206 || (res.status === 200 && fragStart === 0)) && str(res.headers, 'x-backend-data-timestamp') === chosen.timestamp) sources.set(index, res);
        else discard(res);
      } catch (err) {
        this.log.warn({ node: `${a.node.ip}:${a.node.port}/${a.node.device}`, err: (err as Error).message }, 'EC GET: fragment archive unavailable');
      }
    };
    await Promise.all(candidates.slice(0, k).map(fetch));
    for (const c of candidates.slice(k)) {
      if (sources.size >= k) break;
      await fetch(c);
    }
    if (sources.size < k) {
      for (const r of sources.values()) r.body.destroy();
      return undefined;
    }
    return sources;
  }

  /** The segments of [start, end] decoded from k archives read from their first segment's fragment on. */
  private decode(policy: ECPolicy, sources: Map<number, BackendResponse>, segmentSize: number, length: number, start: number, end: number): Readable {
    const idle = Math.max(this.timeouts.nodeMs, this.timeouts.clientMs ?? 0);
    for (const r of sources.values()) r.setIdleTimeout(idle);
    const firstSeg = Math.floor(start / segmentSize);
    const lastSeg = Math.floor(end / segmentSize);
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
        // what was asked was read: the bodies end here, and their connections go back to the pool
        for (const r of readers.values()) await r.drain();
      } finally {
        for (const r of readers.values()) await r.close();
      }
    }
    return Readable.from(decoded(), { objectMode: false });
  }
}
