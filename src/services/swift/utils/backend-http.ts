/**
 * What the storage servers share (swift/common/swob + utils.split_and_validate_path): the
 * /<device>/<partition>/<account>[/<container>[/<object>]] path of a backend request, status
 * errors, and plain responses. The storage servers speak HTTP to the proxy on their own ports,
 * not on the cloud's public port, as Swift's do.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BadTimestamp, normalizeTimestamp } from './timestamp.js';

export class HttpStatus extends Error {
  constructor(readonly status: number, readonly body = '', readonly headers: Record<string, string> = {}) {
    super(`${status} ${body}`);
  }
}

export interface BackendPath {
  device: string;
  partition: number;
  account: string;
  container?: string;
  object?: string;
}

/** Splits and checks a backend path: at least account, at most `max` parts (object names keep their '/'). */
export function splitPath(url: string, max: 'account' | 'container' | 'object'): BackendPath {
  const raw = url.split('?')[0]!;
  const segs = raw.split('/').slice(1);
  const limit = max === 'account' ? 4 : 5;
  if (segs.length > limit && max === 'account') throw new HttpStatus(400, 'Invalid path');
  const rest = segs.slice(limit - 1);
  const parts = rest.length > 0 ? [...segs.slice(0, limit - 1), rest.join('/')] : segs;
  let decoded: string[];
  try {
    decoded = parts.map((p) => decodeURIComponent(p));
  } catch {
    throw new HttpStatus(400, 'Invalid path');
  }
  const [device, partition, account, container, object] = decoded;
  if (!device || !partition || !account || device === '.' || device === '..' || device.includes('/')) throw new HttpStatus(400, 'Invalid path');
  if (!/^\d+$/.test(partition)) throw new HttpStatus(400, 'Invalid partition');
  if (max === 'object' && (container === undefined || container === '' || object === undefined || object === '')) throw new HttpStatus(400, 'Invalid path');
  return {
    device, partition: Number(partition), account,
    ...(container !== undefined && container !== '' ? { container } : {}),
    ...(object !== undefined && object !== '' ? { object } : {}),
  };
}

export function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function query(req: IncomingMessage): Record<string, string> {
  const i = (req.url ?? '').indexOf('?');
  if (i < 0) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams((req.url ?? '').slice(i + 1))) out[k] = v;
  return out;
}

export function send(res: ServerResponse, status: number, headers: Record<string, string | number> = {}, body?: string | Buffer): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const b = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body);
  res.writeHead(status, { ...headers, ...(headers['Content-Length'] === undefined ? { 'Content-Length': b?.length ?? 0 } : {}) });
  res.end(b);
}

/** Runs a handler; HttpStatus errors become responses, anything else a 500 (the proxy treats it as a failed node). */
export async function guard(req: IncomingMessage, res: ServerResponse, onError: (err: unknown) => void, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof HttpStatus) {
      send(res, err.status, { 'Content-Type': 'text/plain; charset=utf-8', ...err.headers }, req.method === 'HEAD' ? undefined : err.body);
    } else {
      onError(err);
      send(res, 500, { 'Content-Type': 'text/plain; charset=utf-8' }, 'An error occurred');
    }
  }
}

/** The request's X-Timestamp (or another timestamp header), normalised; 400 when missing or bad. */
export function requestTimestamp(req: IncomingMessage, name = 'x-timestamp'): string {
  const raw = header(req, name);
  if (!raw) throw new HttpStatus(400, 'Missing timestamp');
  try {
    return normalizeTimestamp(raw);
  } catch (err) {
    if (err instanceof BadTimestamp) throw new HttpStatus(400, err.message);
    throw err;
  }
}

/** A request body parsed as JSON, at most `limit` bytes (413 beyond, 400 when it is not JSON). */
export async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > limit) throw new HttpStatus(413, 'Request body too large');
    chunks.push(c);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new HttpStatus(400, 'Body is not JSON');
  }
}
