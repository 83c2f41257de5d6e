/**
 * The proxy's middleware pipeline (paste's pipeline of proxy-server.conf): each middleware sees
 * a request on its way to the controllers and may answer it, change it, or make subrequests.
 * Those before keystoneauth (bulk, formpost, tempurl) hand their subrequests to the whole
 * proxy, so each is authorized on its own; those after it (staticweb, quotas, slo,
 * versioned_writes, expiry) see only authorized requests.
 */
import { NuboError } from '../../../../common/errors.js';
import type { ProxyResult } from '../base.js';
import type { SwiftRequest } from '../request.js';

export type Handler = (req: SwiftRequest) => Promise<ProxyResult>;

export interface Middleware {
  /** The name /info lists it under (register_swift_info), or undefined when it lists nothing. */
  readonly name?: string;
  /** What /info says about it. */
  info?(): Record<string, unknown>;
  handle(req: SwiftRequest, next: Handler): Promise<ProxyResult>;
}

/** The middlewares in order, ending in `app`. */
export function compose(middlewares: readonly Middleware[], app: Handler): Handler {
  return middlewares.reduceRight<Handler>((next, mw) => (req) => mw.handle(req, next), app);
}

/**
 * A request made by a middleware: the caller's identity and authorization (its token, a
 * signature's pre-authorization), in the same account unless told; the path (container,
 * object), query, headers and body are the subrequest's own.
 */
export function subrequest(parent: SwiftRequest, source: string, over: Partial<SwiftRequest> & { method: string }): SwiftRequest {
  const { body: _body, container: _c, object: _o, allowReserved: _r, timestamp: _t, ...rest } = parent;
  const headers: SwiftRequest['headers'] = {};
  if (parent.headers['x-auth-token'] !== undefined) headers['x-auth-token'] = parent.headers['x-auth-token'];
  return { ...rest, query: '', source, ...over, headers: { ...headers, ...over.headers } };
}

/** A subrequest's answer, its errors included (status, headers and message) instead of thrown. */
export async function answer(handler: Handler, req: SwiftRequest): Promise<ProxyResult> {
  try {
    return await handler(req);
  } catch (err) {
    if (err instanceof NuboError) return { status: err.status, headers: { ...err.headers }, body: err.message };
    throw err;
  }
}

/** Reads a whole (small) body: a manifest, a listing. */
export async function readBody(body: ProxyResult['body'], limit = 8 * 1024 * 1024): Promise<Buffer> {
  if (body === undefined) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body);
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of body) {
    const b = Buffer.isBuffer(c) ? c : Buffer.from(c as string);
    n += b.length;
    if (n > limit) {
      body.destroy();
      throw new Error(`body larger than ${limit} bytes`);
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

/** Drains a body nobody reads. */
export function drain(result: ProxyResult): void {
  if (result.body !== undefined && typeof result.body !== 'string') result.body.resume();
}

export const isSuccess = (status: number): boolean => status >= 200 && status < 300;

/** "/v1/<account>/<container>/<object>" of a request (the path signatures are made over). */
export function requestPath(req: Pick<SwiftRequest, 'account' | 'container' | 'object'>): string {
  let p = `/v1/${req.account}`;
  if (req.container !== undefined) p += `/${req.container}`;
  if (req.object !== undefined) p += `/${req.object}`;
  return p;
}

/** The query's value of a parameter, or undefined. */
export const queryParam = (req: SwiftRequest, name: string): string | undefined => new URLSearchParams(req.query).get(name) ?? undefined;

/** Whether the query names the parameter at all (`?bulk-delete`, `?inline`). */
export const hasQueryParam = (req: SwiftRequest, name: string): boolean => new URLSearchParams(req.query).has(name);

/**
 * The HEAD of the request's account (container undefined) or of one of its containers, asked
 * once per request however many middlewares want it (get_account_info / get_container_info).
 */
export function pathInfo(req: SwiftRequest, next: Handler, source: string, container?: string): Promise<{ status: number; headers: Record<string, string> }> {
  const key = container === undefined ? req.account : `${req.account}/${container}`;
  const known = req.infos?.get(key);
  if (known) return known;
  // the info of a container a middleware's own request is about (the reserved namespace's too)
  const asked = answer(next, subrequest(req, source, { method: 'HEAD', ...(container !== undefined ? { container } : {}), ...(req.allowReserved ? { allowReserved: true } : {}) })).then((r) => {
    drain(r);
    return { status: r.status, headers: r.headers };
  });
  req.infos?.set(key, asked);
  return asked;
}
