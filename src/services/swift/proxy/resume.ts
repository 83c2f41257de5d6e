/**
 * A GET body that survives its node (swift/proxy/controllers/base.py GetOrHeadHandler): when the
 * node serving an object fails in the middle of the body, the rest is asked of the next node
 * (`Range: bytes=<next byte>-<last byte>` and `If-Match: <etag>`, so that only the same object
 * is spliced in) and the client never sees the switch. Without another node, the client's
 * connection is cut, as upstream does.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import type { RingNode } from '../ring/ring.js';
import { backendRequest, type BackendResponse } from '../utils/backend-client.js';
import { nodePath, type ProxyLog, type Timeouts } from './base.js';

/** The byte span a 200 or single-range 206 answer carries, or undefined when it cannot be told. */
function spanOf(res: BackendResponse): { start: number; end: number } | undefined {
  const length = Number(res.headers['content-length']);
  if (res.status === 200 && Number.isInteger(length)) return { start: 0, end: length - 1 };
  const m = /^bytes (\d+)-(\d+)\/\d+$/.exec(String(res.headers['content-range'] ?? ''));
  if (res.status === 206 && m) return { start: Number(m[1]), end: Number(m[2]) };
  return undefined;
}

export function resumableBody(first: BackendResponse, more: Iterator<RingNode> | undefined, path: string, headers: OutgoingHttpHeaders,
  timeouts: Timeouts, log: ProxyLog): Readable {
  // the body goes out at the client's pace: a node may wait that long between two reads
  const idle = Math.max(timeouts.nodeMs, timeouts.clientMs ?? 0);
  first.setIdleTimeout(idle);
  const span = spanOf(first);
  const etag = first.headers.etag;
  if (!span || !more || typeof etag !== 'string' || span.end < span.start) return first.body;
  async function* body(): AsyncGenerator<Buffer> {
    let pos = span!.start;
    let res: BackendResponse = first;
    for (;;) {
      try {
        for await (const chunk of res.body) {
          pos += (chunk as Buffer).length;
          yield chunk as Buffer;
        }
        if (pos > span!.end) return;
        throw new Error('the node ended the body early');
      } catch (err) {
        res.body.destroy();
        log.warn({ err: (err as Error).message, at: pos }, 'object GET: node failed mid-body; resuming from the next node');
        const next = await resume(pos);
        if (!next) throw err;
        res = next;
      }
    }
  }
  async function resume(pos: number): Promise<BackendResponse | undefined> {
    for (let n = more!.next(); !n.done; n = more!.next()) {
      const node = n.value;
      try {
        const r = await backendRequest(node, 'GET', nodePath(node, path), { ...headers, Range: `bytes=${pos}-${span!.end}`, 'If-Match': etag! }, undefined, timeouts);
        if (r.status === 206) {
          r.setIdleTimeout(idle);
          return r;
        }
        r.body.resume();
      } catch {
        // try the one after
      }
    }
    return undefined;
  }
  return Readable.from(body(), { objectMode: false });
}
