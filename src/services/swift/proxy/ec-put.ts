/**
 * The PUT of an erasure-coded object (swift/proxy/controllers/obj.py ECObjectController._store_object
 * with its ECPutters and chunk_transformer): a connection to each of the k+m primaries (a failed one
 * replaced by a handoff that takes the same fragment index), the client's body cut into segments
 * of ec_object_segment_size bytes, each segment encoded into k+m fragments and fragment i written
 * to connection i, so connection i carries fragment archive i; one segment is held in memory.
 *
 * Two phases, as upstream: the archives are written (non-durable, `<ts>#<i>.data`) with the
 * whole object's etag and length as footers, and only when a quorum (k+1, policy.quorum) wrote
 * theirs is each told to commit (`<ts>#<i>#d.data`); the client's 201 needs a quorum of commits.
 * Upstream's footers and commit travel in one MIME multipart body per connection; here the
 * footers are HTTP trailers of the chunked body and the commit a second request to each node
 * (`PUT` with X-Backend-Ec-Commit), which the object server answers the same way.
 *
 * A small body of a known length (SMALL_BODY, as for replicated objects) is read whole and
 * encoded first, and each archive sent with its headers in one request (its footers are
 * headers then), without `Expect: 100-continue`; a failed node is replaced by a handoff.
 */
import { createHash } from 'node:crypto';
import type { OutgoingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { RingNode } from '../ring/ring.js';
import { backendCall } from '../utils/backend-client.js';
import { ecQuorum, type ECPolicy } from '../utils/storage-policy.js';
import { nodePath, type ProxyLog, type Timeouts } from './base.js';
import { connect, readWhole, SMALL_BODY, type Conn } from './put-stream.js';

export interface ECPutOutcome {
  /** 201, or the status the client gets (412, 422, 499, 503, ...). */
  status: number;
  etag?: string;
}

interface FragConn {
  conn: Conn;
  index: number;
}

/** The most common 4xx of the early answers when a quorum agrees on it, else 503. */
function refusal(statuses: number[], quorum: number): number {
  const counts = new Map<number, number>();
  for (const s of statuses) if (s >= 400 && s < 500) counts.set(s, (counts.get(s) ?? 0) + 1);
  const best = [...counts.entries()].sort((a, b) => b[1] - a[1])[0];
  return best && best[1] >= quorum ? best[0] : 503;
}

export async function putFragments(policy: ECPolicy, primaries: RingNode[], handoffs: Iterator<RingNode>, path: string,
  headersFor: (i: number) => OutgoingHttpHeaders, commitHeadersFor: (i: number) => OutgoingHttpHeaders,
  body: Readable, announced: number | undefined, clientEtag: string | undefined, timeouts: Timeouts, log: ProxyLog): Promise<ECPutOutcome> {
  const n = policy.ndata + policy.nparity;
  const quorum = ecQuorum(policy);
  if (announced !== undefined && announced <= SMALL_BODY) {
    const whole = await readWhole(body, announced);
    if (!whole) return { status: 499 };
    return putWhole(policy, primaries, handoffs, path, headersFor, commitHeadersFor, whole, clientEtag, timeouts, log);
  }
  let spare = n;
  const early: number[] = [];
  const conns: FragConn[] = [];
  await Promise.all(primaries.slice(0, n).map(async (primary, index) => {
    let node: RingNode | undefined = primary;
    while (node) {
      const { conn, status } = await connect(node, path, headersFor(index), timeouts);
      if (conn) {
        conns.push({ conn, index });
        return;
      }
      if (status !== undefined && status < 500 && status !== 507) {
        early.push(status);
        return;
      }
      log.warn({ node: `${node.ip}:${node.port}/${node.device}`, status, fragIndex: index }, 'EC PUT: node unavailable');
      if (spare-- <= 0) break;
      const next = handoffs.next();
      node = next.done ? undefined : next.value;
    }
    early.push(503);
  }));
  const abort = (): void => { for (const c of conns) c.conn.req.destroy(); };
  if (conns.length < quorum) {
    abort();
    body.resume();
    return { status: refusal(early, quorum) };
  }

  const live = (): FragConn[] => conns.filter((c) => !c.conn.failed && !c.conn.req.destroyed);
  const writeFragments = async (segment: Buffer): Promise<void> => {
    const frags = policy.codec.encode(segment);
    const waits: Array<Promise<void>> = [];
    for (const c of live()) {
      if (!c.conn.req.write(frags[c.index]!)) {
        waits.push(new Promise<void>((resolve) => {
          const fin = (): void => { c.conn.req.off('drain', fin); c.conn.req.off('close', fin); resolve(); };
          c.conn.req.on('drain', fin);
          c.conn.req.on('close', fin);
        }));
      }
    }
    if (waits.length) await Promise.all(waits);
  };

  const md5 = createHash('md5');
  let size = 0;
  let pending: Buffer[] = [];
  let pendingSize = 0;
  const S = policy.segmentSize;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      md5.update(chunk);
      size += chunk.length;
      if (announced !== undefined && size > announced) break;
      pending.push(chunk);
      pendingSize += chunk.length;
      while (pendingSize >= S) {
        const all = Buffer.concat(pending, pendingSize);
        await writeFragments(all.subarray(0, S));
        pending = [all.subarray(S)];
        pendingSize -= S;
      }
      if (live().length < quorum) {
        abort();
        return { status: 503 };
      }
    }
  } catch {
    abort();
    return { status: 499 };
  }
  if (announced !== undefined && size !== announced) {
    abort();
    return { status: 499 };
  }
  if (pendingSize > 0) await writeFragments(Buffer.concat(pending, pendingSize));
  const etag = md5.digest('hex');
  // the client's ETag is checked before anything is durable: nothing is left of a mismatch
  if (clientEtag !== undefined && clientEtag.toLowerCase().replace(/"/g, '') !== etag) {
    abort();
    return { status: 422 };
  }
  const writers = live();
  if (writers.length < quorum) {
    abort();
    return { status: 503 };
  }
  for (const c of writers) {
    c.conn.req.addTrailers({ 'X-Object-Sysmeta-Ec-Etag': etag, 'X-Object-Sysmeta-Ec-Content-Length': String(size) });
    c.conn.req.end();
  }
  const written = await Promise.all(writers.map(async (c) => ({ c, status: (await c.conn.response).status })));
  const wrote = written.filter((w) => w.status === 201).map((w) => w.c);
  if (wrote.length < quorum) return { status: refusal(written.map((w) => w.status), quorum) };

  return commit(wrote.map((c) => ({ node: c.conn.node, index: c.index })), path, commitHeadersFor, quorum, etag, timeouts, log);
}

/** The second phase: each node that wrote its archive told to make it durable; 201 on a quorum of commits. */
async function commit(wrote: Array<{ node: RingNode; index: number }>, path: string, commitHeadersFor: (i: number) => OutgoingHttpHeaders,
  quorum: number, etag: string, timeouts: Timeouts, log: ProxyLog): Promise<ECPutOutcome> {
  const committed = await Promise.all(wrote.map(async ({ node, index }) => {
    try {
      const r = await backendCall(node, 'PUT', nodePath(node, path), { ...commitHeadersFor(index), 'X-Backend-Ec-Commit': 'yes', 'Content-Length': '0' }, timeouts);
      return r.status >= 200 && r.status < 300;
    } catch (err) {
      log.warn({ node: `${node.ip}:${node.port}/${node.device}`, err: (err as Error).message }, 'EC PUT: commit failed');
      return false;
    }
  }));
  return committed.filter(Boolean).length >= quorum ? { status: 201, etag } : { status: 503 };
}

/** A small body: encoded whole, each archive sent in one request (a failed node replaced by a handoff), then committed. */
async function putWhole(policy: ECPolicy, primaries: RingNode[], handoffs: Iterator<RingNode>, path: string,
  headersFor: (i: number) => OutgoingHttpHeaders, commitHeadersFor: (i: number) => OutgoingHttpHeaders,
  body: Buffer, clientEtag: string | undefined, timeouts: Timeouts, log: ProxyLog): Promise<ECPutOutcome> {
  const n = policy.ndata + policy.nparity;
  const quorum = ecQuorum(policy);
  const etag = createHash('md5').update(body).digest('hex');
  if (clientEtag !== undefined && clientEtag.toLowerCase().replace(/"/g, '') !== etag) return { status: 422 };
  const parts: Buffer[][] = Array.from({ length: n }, () => []);
  for (let off = 0; off < body.length; off += policy.segmentSize) {
    policy.codec.encode(body.subarray(off, Math.min(off + policy.segmentSize, body.length))).forEach((f, i) => parts[i]!.push(f));
  }
  const footers = { 'X-Object-Sysmeta-Ec-Etag': etag, 'X-Object-Sysmeta-Ec-Content-Length': String(body.length) };
  let spare = n;
  const answers = await Promise.all(primaries.slice(0, n).map(async (primary, index) => {
    const archive = Buffer.concat(parts[index]!);
    let node: RingNode | undefined = primary;
    while (node) {
      let status = 503;
      try {
        const r = await backendCall(node, 'PUT', nodePath(node, path), { ...headersFor(index), ...footers, 'Content-Length': String(archive.length) }, timeouts, archive);
        status = r.status;
        if (status < 500 && status !== 507) return { node, index, status };
      } catch {
        // unreachable, timed out or cut off: as a 503
      }
      log.warn({ node: `${node.ip}:${node.port}/${node.device}`, status, fragIndex: index }, 'EC PUT: node unavailable');
      if (spare-- <= 0) break;
      const next = handoffs.next();
      node = next.done ? undefined : next.value;
    }
    return { node: primary, index, status: 503 };
  }));
  const wrote = answers.filter((a) => a.status === 201);
  if (wrote.length < quorum) return { status: refusal(answers.map((a) => a.status), quorum) };
  return commit(wrote, path, commitHeadersFor, quorum, etag, timeouts, log);
}
