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

/** An account's or container's HEAD as the middlewares read it (get_account_info / get_container_info). */
export interface PathInfo {
  status: number;
  headers: Record<string, string>;
}

/** Infos kept at most (all of them forgotten beyond: a cache, not a table). */
const MAX_INFOS = 10_000;

/**
 * Accounts' and containers' infos kept across requests for recheck_container_existence (Swift
 * keeps them in memcache for recheck_account_existence / recheck_container_existence): an
 * object request asks its container and account once a while rather than each time (an
 * object PUT asked both, through the pipeline and to their servers, for every upload). Only
 * successful answers are kept, and none with a quota (X-Container-Meta-Quota-*,
 * X-Account-Meta-Quota-Bytes): the quotas compare the counts of the moment, which change with
 * every object write, so those are asked for each upload as before. A write of the account or
 * container through this proxy forgets its info, before and after it; an answer asked before a
 * write ended is not kept.
 */
export class InfoCache {
  private readonly entries = new Map<string, { at: number; info: PathInfo }>();
  /** Counts the writes; each path's last write by that count (all before `clearedAt` forgotten). */
  private epoch = 0;
  private readonly writes = new Map<string, number>();
  private clearedAt = 0;

  constructor(private readonly ttlMs: number, private readonly now: () => number = Date.now) {}

  get(key: string): PathInfo | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (this.now() - hit.at <= this.ttlMs) return hit.info;
    this.entries.delete(key);
    return undefined;
  }

  /** Taken before a HEAD is asked: its answer is kept only if no write of the path came after. */
  ticket(): number {
    return this.epoch;
  }

  /** Keeps a HEAD's answer unless the path was written since `ticket`, it failed or it names a quota. */
  set(key: string, ticket: number, info: PathInfo): void {
    if (this.ttlMs <= 0 || ticket < this.clearedAt || (this.writes.get(key) ?? 0) > ticket || !isSuccess(info.status)) return;
    if (Object.keys(info.headers).some((h) => QUOTA_HEADER.test(h))) return;
    if (this.entries.size >= MAX_INFOS) this.entries.clear();
    this.entries.set(key, { at: this.now(), info });
  }

  /** A write of the account (container undefined) or of one of its containers (its counts change the account's too). */
  forget(account: string, container?: string): void {
    this.epoch++;
    if (this.writes.size >= MAX_INFOS) {
      this.writes.clear();
      this.clearedAt = this.epoch;
    }
    for (const k of container === undefined ? [account] : [`${account}/${container}`, account]) {
      this.entries.delete(k);
      this.writes.set(k, this.epoch);
    }
  }
}

const QUOTA_HEADER = /^x-(container-meta-quota-|account-meta-quota-)/;

/**
 * The HEAD of the request's account (container undefined) or of one of its containers, asked
 * once per request however many middlewares want it (get_account_info / get_container_info),
 * and for an object request kept a while across requests by `req.infoCache` when there is one.
 */
export function pathInfo(req: SwiftRequest, next: Handler, source: string, container?: string): Promise<PathInfo> {
  const key = container === undefined ? req.account : `${req.account}/${container}`;
  const known = req.infos?.get(key);
  if (known) return known;
  // object requests only: a request of the account or container itself asks afresh (a DELETE reads the counts)
  const cache = req.object !== undefined && req.object !== '' ? req.infoCache : undefined;
  const cached = cache?.get(key);
  if (cached) {
    const p = Promise.resolve(cached);
    req.infos?.set(key, p);
    return p;
  }
  const ticket = cache?.ticket() ?? 0;
  // the info of a container a middleware's own request is about (the reserved namespace's too)
  const asked = answer(next, subrequest(req, source, { method: 'HEAD', ...(container !== undefined ? { container } : {}), ...(req.allowReserved ? { allowReserved: true } : {}) })).then((r) => {
    drain(r);
    const info = { status: r.status, headers: r.headers };
    cache?.set(key, ticket, info);
    return info;
  });
  req.infos?.set(key, asked);
  return asked;
}
