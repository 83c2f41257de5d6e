/**
 * What the proxy's controllers share (swift/proxy/controllers/base.py): the nodes of a
 * partition (primaries, then handoffs, up to request_node_count = 2 × replicas), a read that
 * falls through to the next node on errors, writes sent to every replica (a failed primary
 * replaced by a handoff) and answered on a quorum (best_response), the headers passed on.
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { Ring, RingNode } from '../ring/ring.js';
import { backendPath, backendRequest, NodeError, type BackendResponse } from '../utils/backend-client.js';

export interface ProxyResult {
  status: number;
  headers: Record<string, string>;
  body?: Readable | string;
  /** The middleware that made the answer up (X-Backend-Content-Generator: 'staticweb'), not a stored object's. */
  generator?: string;
}

export interface Timeouts {
  connMs: number;
  /** A node's answer, or its next chunk while nothing else waits. */
  nodeMs: number;
  /** While a client sends or reads a body at its own pace (client_timeout): the node waits as long. */
  clientMs?: number;
}

export interface ProxyLog {
  warn(obj: unknown, msg?: string): void;
  debug(obj: unknown, msg?: string): void;
}

/** quorum_size: a majority of the replicas. */
export const quorumSize = (n: number): number => Math.floor(n / 2) + 1;

/** Primaries then handoffs, at most 2 × replicas nodes. */
export function* iterNodes(ring: Ring, part: number): Generator<RingNode> {
  const primaries = ring.getPartNodes(part);
  let n = 0;
  const limit = primaries.length * 2;
  for (const p of primaries) {
    n++;
    yield p;
  }
  for (const h of ring.getMoreNodes(part)) {
    if (n++ >= limit) return;
    yield h;
  }
}

/** A request path below a node's device: /<part>/<account>[/<container>[/<object>]] (the query appended by callers). */
export function tailPath(part: number, account: string, container?: string, object?: string): string {
  return backendPath('_', part, account, container, object).slice(2);
}

/** The full path on one node. */
export const nodePath = (node: { device: string }, tail: string): string => `/${encodeURIComponent(node.device)}${tail}`;

/** Drains and forgets a response body. */
export function discard(res: BackendResponse): void {
  res.body.resume();
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authenticate', 'proxy-authorization', 'date', 'server']);

/** The headers of a backend answer a client sees (no hop-by-hop, no X-Backend-*). */
export function clientHeaders(h: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined || HOP_BY_HOP.has(k) || k.startsWith('x-backend-')) continue;
    out[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

/**
 * GETorHEAD_base: asks one node after the other until one answers with something other than
 * an error or a 404; the body is streamed from that node. All 404 → 404; nothing but errors → 503.
 */
export async function getOrHead(ring: Ring, part: number, method: 'GET' | 'HEAD', path: string, headers: OutgoingHttpHeaders,
  timeouts: Timeouts, log: ProxyLog): Promise<{ res?: BackendResponse; notFound: boolean; notFoundHeaders?: IncomingHttpHeaders; rest?: Iterator<RingNode> }> {
  let notFound = 0;
  let notFoundHeaders: IncomingHttpHeaders | undefined;
  let failed = 0;
  const primaries = ring.getPartNodes(part).length;
  let tried = 0;
  const nodes = iterNodes(ring, part);
  for (let next = nodes.next(); !next.done; next = nodes.next()) {
    const node = next.value;
    // every primary said 404 and none failed: the object is not there (handoffs hold no data then)
    if (tried >= primaries && failed === 0) break;
    tried++;
    let res: BackendResponse;
    try {
      res = await backendRequest(node, method, nodePath(node, path), headers, undefined, timeouts);
    } catch (err) {
      failed++;
      log.warn({ node: `${node.ip}:${node.port}/${node.device}`, err: (err as Error).message }, 'storage node failed');
      continue;
    }
    if (res.status === 404) {
      notFound++;
      notFoundHeaders ??= res.headers;
      discard(res);
      continue;
    }
    if (res.status >= 500 || res.status === 507) {
      failed++;
      discard(res);
      continue;
    }
    return { res, notFound: false, rest: nodes };
  }
  return notFound > 0 ? { notFound: true, ...(notFoundHeaders ? { notFoundHeaders } : {}) } : { notFound: false };
}

export interface WriteResult {
  statuses: number[];
  responses: Array<{ status: number; headers: IncomingHttpHeaders; text: string }>;
}

/**
 * make_requests: one request per replica, in parallel; a primary that cannot be reached or
 * answers 5xx is replaced by the next handoff. `headersFor(i)` gives the i-th replica's headers.
 */
export async function writeToReplicas(ring: Ring, part: number, method: string, path: string, headersFor: (i: number) => OutgoingHttpHeaders,
  timeouts: Timeouts, log: ProxyLog): Promise<WriteResult> {
  const primaries = ring.getPartNodes(part);
  const handoffs = ring.getMoreNodes(part);
  let spare = primaries.length; // at most replicas handoffs in all (request_node_count)
  const one = async (i: number): Promise<{ status: number; headers: IncomingHttpHeaders; text: string }> => {
    let node: RingNode | undefined = primaries[i];
    while (node) {
      try {
        const res = await backendRequest(node, method, nodePath(node, path), { ...headersFor(i), 'Content-Length': 0 }, undefined, timeouts);
        const chunks: Buffer[] = [];
        for await (const c of res.body) chunks.push(c as Buffer);
        if (res.status < 500 && res.status !== 507) return { status: res.status, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') };
      } catch (err) {
        if (!(err instanceof NodeError)) throw err;
        log.warn({ node: `${node.ip}:${node.port}/${node.device}`, err: err.message }, 'storage node failed');
      }
      if (spare-- <= 0) break;
      const next = handoffs.next();
      node = next.done ? undefined : next.value;
    }
    return { status: 503, headers: {}, text: '' };
  };
  const responses = await Promise.all(primaries.map((_n, i) => one(i)));
  return { statuses: responses.map((r) => r.status), responses };
}

/** best_response: the answer of the status class a quorum agrees on (its highest status), else 503. */
export function bestStatus(statuses: number[], replicas: number): number {
  const quorum = quorumSize(replicas);
  for (const hundred of [200, 300, 400]) {
    const same = statuses.filter((s) => s >= hundred && s < hundred + 100);
    if (same.length >= quorum) {
      // the most common status of the class, the highest on a tie
      const counts = new Map<number, number>();
      for (const s of same) counts.set(s, (counts.get(s) ?? 0) + 1);
      return [...counts.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0]![0];
    }
  }
  return 503;
}
