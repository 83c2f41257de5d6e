/**
 * The object PUT fan-out (swift/proxy/controllers/obj.py ReplicatedObjectController._store_object):
 * a connection to each replica's node with `Expect: 100-continue`, so that a node that is down
 * or refuses (409 an older timestamp, 412 If-None-Match) is known before any byte is sent and a
 * failed primary is replaced by a handoff; then the client's body is read one chunk at a time
 * and written to every connection, the next chunk read only once every connection took the
 * last one (backpressure: nothing but one chunk is held in memory); then the answers, decided
 * on a quorum.
 *
 * A small body of a known length (SMALL_BODY) is read whole first and sent with the headers in
 * one request, without `Expect: 100-continue`: a refusal then comes after the body rather than
 * before it, a failed node is replaced by a handoff that gets the same bytes, and the round trip
 * of the interim 100 (a write and a read on each side, per replica) is saved. Nothing more than
 * that body is held in memory.
 */
import { request, type ClientRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { RingNode } from '../ring/ring.js';
import { backendCall } from '../utils/backend-client.js';
import { readChunks } from '../utils/read-chunks.js';
import { nodePath, quorumSize, type ProxyLog, type Timeouts } from './base.js';

/** Bodies up to this many bytes (with a Content-Length) are sent whole with their headers. */
export const SMALL_BODY = 64 * 1024;

export interface Conn {
  node: RingNode;
  req: ClientRequest;
  /** The final answer, once it came. */
  response: Promise<{ status: number; headers: IncomingHttpHeaders }>;
  failed: boolean;
}

export interface PutOutcome {
  statuses: number[];
  etags: string[];
  /** The client sent less than announced or went away. */
  clientDisconnected: boolean;
  /** Connections that took the body (the rest answered before it). */
  connected: number;
}

export function connect(node: RingNode, path: string, headers: OutgoingHttpHeaders, timeouts: Timeouts): Promise<{ conn?: Conn; status?: number }> {
  return new Promise((resolve) => {
    const req = request({ host: node.ip, port: node.port, method: 'PUT', path: nodePath(node, path), headers: { ...headers, Expect: '100-continue' }, timeout: timeouts.nodeMs });
    let settled = false;
    let resolveResponse!: (r: { status: number; headers: IncomingHttpHeaders }) => void;
    const response = new Promise<{ status: number; headers: IncomingHttpHeaders }>((r) => { resolveResponse = r; });
    const conn: Conn = { node, req, response, failed: false };
    const timer = setTimeout(() => req.destroy(new Error('connect timeout')), timeouts.connMs + timeouts.nodeMs);
    const done = (v: { conn?: Conn; status?: number }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(v);
    };
    req.on('continue', () => {
      // the body now comes at the client's pace
      req.setTimeout(Math.max(timeouts.nodeMs, timeouts.clientMs ?? 0));
      done({ conn });
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolveResponse({ status: res.statusCode ?? 500, headers: res.headers }));
      res.on('error', () => resolveResponse({ status: 503, headers: {} }));
      done({ status: res.statusCode ?? 500 });
    });
    req.on('timeout', () => req.destroy(new Error('node timeout')));
    req.on('error', () => {
      conn.failed = true;
      resolveResponse({ status: 503, headers: {} });
      done({ status: 503 });
    });
    req.flushHeaders();
  });
}

/** The whole body read, or undefined when the client sent less (or more) than it announced. */
export async function readWhole(body: Readable, announced: number): Promise<Buffer | undefined> {
  let chunks: Buffer[];
  try {
    chunks = await readChunks(body);
  } catch {
    return undefined;
  }
  const n = chunks.reduce((sum, c) => sum + c.length, 0);
  return n === announced ? (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, n)) : undefined;
}

/** A small body to each replica in one request; errors, 5xx and 507 go to a handoff. */
async function putWhole(primaries: RingNode[], handoffs: Iterator<RingNode>, path: string, headersFor: (i: number) => OutgoingHttpHeaders,
  body: Buffer, timeouts: Timeouts, log: ProxyLog): Promise<PutOutcome> {
  let spare = primaries.length;
  const answers = await Promise.all(primaries.map(async (primary, i) => {
    let node: RingNode | undefined = primary;
    while (node) {
      let status = 503;
      try {
        const res = await backendCall(node, 'PUT', nodePath(node, path), { ...headersFor(i), 'Content-Length': String(body.length) }, timeouts, body);
        status = res.status;
        if (status < 500 && status !== 507) return { status, etag: String(res.headers.etag ?? '') };
      } catch {
        // unreachable, timed out or cut off: as a 503
      }
      log.warn({ node: `${node.ip}:${node.port}/${node.device}`, status }, 'object PUT: node unavailable');
      if (spare-- <= 0) break;
      const next = handoffs.next();
      node = next.done ? undefined : next.value;
    }
    return { status: 503, etag: '' };
  }));
  return {
    statuses: answers.map((a) => a.status),
    etags: answers.filter((a) => a.status === 201).map((a) => a.etag),
    clientDisconnected: false,
    connected: answers.filter((a) => a.status >= 200 && a.status < 300).length,
  };
}

export async function putToReplicas(primaries: RingNode[], handoffs: Iterator<RingNode>, path: string, headersFor: (i: number) => OutgoingHttpHeaders,
  body: Readable, announced: number | undefined, timeouts: Timeouts, log: ProxyLog): Promise<PutOutcome> {
  if (announced !== undefined && announced <= SMALL_BODY) {
    const whole = await readWhole(body, announced);
    if (!whole) return { statuses: primaries.map(() => 499), etags: [], clientDisconnected: true, connected: 0 };
    return putWhole(primaries, handoffs, path, headersFor, whole, timeouts, log);
  }
  const replicas = primaries.length;
  let spare = replicas;
  const early: number[] = [];
  const conns: Conn[] = [];
  await Promise.all(primaries.map(async (primary, i) => {
    let node: RingNode | undefined = primary;
    while (node) {
      const { conn, status } = await connect(node, path, headersFor(i), timeouts);
      if (conn) {
        conns.push(conn);
        return;
      }
      // 4xx refusals (conflict, precondition) are answers; errors and 5xx try a handoff
      if (status !== undefined && status < 500 && status !== 507) {
        early.push(status);
        return;
      }
      log.warn({ node: `${node.ip}:${node.port}/${node.device}`, status }, 'object PUT: node unavailable');
      if (spare-- <= 0) break;
      const next = handoffs.next();
      node = next.done ? undefined : next.value;
    }
    early.push(503);
  }));
  const quorum = quorumSize(replicas);
  const abort = (): void => { for (const c of conns) c.req.destroy(); };
  if (conns.length < quorum) {
    abort();
    return { statuses: early, etags: [], clientDisconnected: false, connected: conns.length };
  }

  let sent = 0;
  let clientDisconnected = false;
  const live = (): Conn[] => conns.filter((c) => !c.failed && !c.req.destroyed);
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      sent += chunk.length;
      const waits: Array<Promise<void>> = [];
      for (const c of live()) {
        if (!c.req.write(chunk)) {
          waits.push(new Promise<void>((resolve) => {
            const fin = (): void => { c.req.off('drain', fin); c.req.off('close', fin); resolve(); };
            c.req.on('drain', fin);
            c.req.on('close', fin);
          }));
        }
      }
      if (waits.length) await Promise.all(waits);
      if (live().length < quorum) break;
    }
  } catch {
    clientDisconnected = true;
  }
  // fewer nodes than a quorum are left: the nodes failed, not the client (the body was left unread)
  const nodesLost = live().length < quorum;
  if (!nodesLost && announced !== undefined && sent !== announced) clientDisconnected = true;
  if (clientDisconnected || nodesLost) {
    abort();
    return { statuses: [...early, ...conns.map(() => clientDisconnected ? 499 : 503)], etags: [], clientDisconnected, connected: conns.length };
  }
  for (const c of live()) c.req.end();
  const answers = await Promise.all(conns.map((c) => c.response));
  return {
    statuses: [...early, ...answers.map((a) => a.status)],
    etags: answers.filter((a) => a.status === 201).map((a) => String(a.headers.etag ?? '')),
    clientDisconnected: false,
    connected: conns.length,
  };
}
