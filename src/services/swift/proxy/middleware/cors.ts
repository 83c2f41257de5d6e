/**
 * CORS as Swift's proxy does it (swift/proxy/controllers/base.py: Controller.OPTIONS,
 * cors_validation, is_origin_allowed): a container allows origins in its
 * X-Container-Meta-Access-Control-Allow-Origin (space-separated, '*' for any), the operator
 * more in `[proxy_server] cors_allow_origin`.
 *  - OPTIONS (let through by keystoneauth): `Allow` without an Origin; a preflight of an
 *    allowed origin and method answers 200 with Access-Control-Allow-Origin, -Allow-Methods,
 *    -Allow-Headers (those asked) and -Max-Age (the container's), any other 401;
 *  - a container or object request with an Origin: its answer (errors too) carries
 *    Access-Control-Allow-Origin and Access-Control-Expose-Headers (the simple response
 *    headers, Swift's own, the operator's `cors_expose_headers`, the answer's metadata and the
 *    container's X-Container-Meta-Access-Control-Expose-Headers); with `strict_cors_mode`
 *    only for allowed origins.
 * It sits where Swift's controllers are: last, after every middleware.
 */
import { NuboError } from '../../../../common/errors.js';
import type { ProxyResult } from '../base.js';
import { headerOf, type SwiftRequest } from '../request.js';
import { pathInfo, type Handler, type Middleware } from './pipeline.js';

export interface CorsSettings {
  /** cors_allow_origin: origins allowed on every container. */
  allowOrigin: readonly string[];
  /** cors_expose_headers: headers exposed on every answer. */
  exposeHeaders: readonly string[];
  /** strict_cors_mode: no CORS headers for an origin the container does not allow. */
  strictMode: boolean;
}

/** The methods of Swift's account, container and object controllers (allowed_methods). */
export const ALLOWED_METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT'] as const;

/** Simple response headers and Swift's own, always exposed. */
const EXPOSED = ['cache-control', 'content-language', 'content-type', 'expires', 'last-modified', 'pragma', 'etag', 'x-timestamp', 'x-trans-id', 'x-openstack-request-id'];

interface ContainerCors {
  allowOrigin?: string;
  exposeHeaders?: string;
  maxAge?: string;
}

const words = (s: string | undefined, sep: string): string[] => (s ?? '').split(sep).map((w) => w.trim()).filter((w) => w !== '');

function addVary(headers: Record<string, string>, name: string): void {
  headers.vary = headers.vary ? `${headers.vary}, ${name}` : name;
}

export class Cors implements Middleware {
  constructor(private readonly settings: CorsSettings) {}

  async handle(req: SwiftRequest, next: Handler): Promise<ProxyResult> {
    if (req.method === 'OPTIONS') return this.options(req, next);
    const origin = headerOf(req.headers, 'origin');
    // the account's answers are not CORS ones (no cors_validation there)
    if (origin === undefined || req.container === undefined) return next(req);
    const cors = await this.containerCors(req, next);
    let res: ProxyResult;
    try {
      res = await next(req);
    } catch (err) {
      if (err instanceof NuboError) this.decorate(err.headers, cors, origin);
      throw err;
    }
    this.decorate(res.headers, cors, origin);
    return res;
  }

  /** The container's CORS metadata (none when it is not there). */
  private async containerCors(req: SwiftRequest, next: Handler): Promise<ContainerCors> {
    const info = await pathInfo(req, next, 'CORS', req.container!);
    if (info.status < 200 || info.status >= 300) return {};
    const h = info.headers;
    return {
      ...(h['x-container-meta-access-control-allow-origin'] !== undefined ? { allowOrigin: h['x-container-meta-access-control-allow-origin'] } : {}),
      ...(h['x-container-meta-access-control-expose-headers'] !== undefined ? { exposeHeaders: h['x-container-meta-access-control-expose-headers'] } : {}),
      ...(h['x-container-meta-access-control-max-age'] !== undefined ? { maxAge: h['x-container-meta-access-control-max-age'] } : {}),
    };
  }

  private isAllowed(cors: ContainerCors, origin: string): boolean {
    const allowed = new Set([...words(cors.allowOrigin, ' '), ...this.settings.allowOrigin]);
    return allowed.has(origin) || allowed.has('*');
  }

  private allowOrigin(headers: Record<string, string>, cors: ContainerCors, origin: string): void {
    if (cors.allowOrigin?.trim() === '*') headers['access-control-allow-origin'] = '*';
    else {
      headers['access-control-allow-origin'] = origin;
      addVary(headers, 'Origin');
    }
  }

  /** cors_validation: the headers of an actual request's answer. */
  private decorate(headers: Record<string, string>, cors: ContainerCors, origin: string): void {
    if (this.settings.strictMode && !this.isAllowed(cors, origin)) return;
    if (headers['access-control-expose-headers'] === undefined) {
      const expose = new Set([...EXPOSED, ...this.settings.exposeHeaders]);
      for (const k of Object.keys(headers)) if (k.startsWith('x-container-meta') || k.startsWith('x-object-meta')) expose.add(k);
      for (const h of words(cors.exposeHeaders, ' ')) expose.add(h.toLowerCase());
      headers['access-control-expose-headers'] = [...expose].join(', ');
    }
    if (headers['access-control-allow-origin'] === undefined) this.allowOrigin(headers, cors, origin);
  }

  /** Controller.OPTIONS: Allow, and a preflight's answer. */
  private async options(req: SwiftRequest, next: Handler): Promise<ProxyResult> {
    req.body?.resume();
    const headers: Record<string, string> = { allow: ALLOWED_METHODS.join(', ') };
    const origin = headerOf(req.headers, 'origin');
    // not a preflight, or one of the account (Swift's CORS is the containers')
    if (origin === undefined || req.container === undefined) return { status: 200, headers, body: '' };
    const cors = await this.containerCors(req, next);
    const method = headerOf(req.headers, 'access-control-request-method');
    if (!this.isAllowed(cors, origin) || !(ALLOWED_METHODS as readonly string[]).includes(method ?? '')) return { status: 401, headers, body: '' };
    this.allowOrigin(headers, cors, origin);
    if (cors.maxAge !== undefined) headers['access-control-max-age'] = cors.maxAge;
    headers['access-control-allow-methods'] = ALLOWED_METHODS.join(', ');
    const asked = [...new Set(words(headerOf(req.headers, 'access-control-request-headers'), ','))];
    if (asked.length > 0) {
      headers['access-control-allow-headers'] = asked.join(', ');
      addVary(headers, 'Access-Control-Request-Headers');
    }
    return { status: 200, headers, body: '' };
  }
}
