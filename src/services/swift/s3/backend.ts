/**
 * The Swift API under the S3 layer (s3api's S3Request.get_response → the proxy app): requests
 * on the caller's account go to the proxy in this process, keystoneauth deciding as for any
 * Swift request. An error the proxy throws comes back as an answer with its status, so the S3
 * controllers map statuses to S3 errors in one place per operation.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import type { RequestContext } from '../../../common/context.js';
import { NuboError } from '../../../common/errors.js';
import type { ProxyResult } from '../proxy/base.js';
import type { ProxyServer } from '../proxy/server.js';

export interface SwiftAnswer {
  status: number;
  headers: Record<string, string>;
  body?: Readable | string;
  /** The message of an error the proxy threw. */
  error?: string;
}

export interface SwiftCall {
  method: string;
  container?: string;
  object?: string;
  query?: Record<string, string | undefined>;
  headers?: IncomingHttpHeaders;
  body?: Readable;
}

/** Drains a body nobody reads. */
export function drain(body: Readable | string | undefined): void {
  if (body instanceof Readable) body.resume();
}

/** A (small) answer body as text. */
export async function textOf(body: Readable | string | undefined): Promise<string> {
  if (body === undefined) return '';
  if (typeof body === 'string') return body;
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string));
  return Buffer.concat(chunks).toString('utf8');
}

/** Swift requests the S3 layer sends at once for one client request (multi-delete, the parts of an upload). */
export const BACKEND_CONCURRENCY = 8;

/** fn over every item, at most `limit` at a time; the results in the items' order. */
export async function mapConcurrently<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export class SwiftBackend {
  constructor(private readonly proxy: ProxyServer, readonly ctx: RequestContext, readonly account: string) {}

  async call(c: SwiftCall): Promise<SwiftAnswer> {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(c.query ?? {})) if (v !== undefined) query.set(k, v);
    try {
      const r: ProxyResult = await this.proxy.handle({
        ctx: this.ctx, method: c.method, account: this.account,
        ...(c.container !== undefined ? { container: c.container } : {}), ...(c.object !== undefined ? { object: c.object } : {}),
        query: query.toString(), headers: c.headers ?? {}, ...(c.body ? { body: c.body } : {}),
      });
      return { status: r.status, headers: r.headers, ...(r.body !== undefined ? { body: r.body } : {}) };
    } catch (err) {
      c.body?.resume();
      if (err instanceof NuboError) return { status: err.status, headers: {}, error: err.message };
      throw err;
    }
  }

  /** A JSON listing (format=json) of the account or a container, or the failed answer. */
  async listing<T>(container: string | undefined, query: Record<string, string | undefined>): Promise<{ status: number; entries: T[]; answer: SwiftAnswer }> {
    const answer = await this.call({ method: 'GET', ...(container !== undefined ? { container } : {}), query: { ...query, format: 'json' } });
    if (answer.status !== 200) {
      drain(answer.body);
      return { status: answer.status === 204 ? 200 : answer.status, entries: [], answer };
    }
    const text = await textOf(answer.body);
    return { status: 200, entries: text === '' ? [] : (JSON.parse(text) as T[]), answer };
  }
}
