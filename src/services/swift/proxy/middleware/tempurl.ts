/**
 * Temporary URLs (swift/common/middleware/tempurl.py): `?temp_url_sig=...&temp_url_expires=...`
 * lets anyone holding the URL do one method (GET, HEAD, PUT, POST, DELETE) on one object — or
 * on every object under `temp_url_prefix` — until it expires. The signature is the HMAC
 * (sha1, sha256 or sha512) of `<METHOD>\n<expires>\n<path>` (`prefix:<path>` for a prefix,
 * `ip=<range>\n...` with temp_url_ip_range) under one of the account's or container's
 * Temp-URL keys. A HEAD is allowed by a GET, POST or PUT signature too. An invalid or expired
 * URL answers 401. GET answers say how to save the object (Content-Disposition: attachment
 * with the object's name, `inline`, or `filename=`), object metadata other than
 * X-Object-Meta-Public-* is not shown, and X-Object-Manifest / X-Symlink-Target may not be set.
 */
import { BlockList, isIP } from 'node:net';
import { BadRequest } from '../../../../common/errors.js';
import type { ProxyResult } from '../base.js';
import { headerOf, type SwiftRequest } from '../request.js';
import { drain, type Handler, type Middleware } from './pipeline.js';
import { ALLOWED_DIGESTS, DEPRECATED_DIGESTS, matchSignature, parseSignature, signedPaths, tempUrlKeys } from './signature.js';

const METHODS = ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'];
const INCOMING_REMOVE = ['x-timestamp', 'x-open-expired'];
const DISALLOWED_INCOMING = ['x-object-manifest', 'x-symlink-target'];

/** temp_url_expires: seconds since the epoch or '%Y-%m-%dT%H:%M:%SZ'; 0 when malformed or past. */
export function normalizeExpires(value: string, now = Date.now() / 1000): number {
  let t: number;
  if (/^\s*-?\d+\s*$/.test(value)) t = Number(value);
  else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(value)) t = Date.parse(value) / 1000;
  else t = NaN;
  return Number.isFinite(t) && t >= now ? t : 0;
}

/** tempurl's 401 (its own body, none for a HEAD). */
const invalid = (req: SwiftRequest): ProxyResult => ({
  status: 401, headers: { 'content-type': 'text/plain; charset=UTF-8', 'www-authenticate': 'Swift realm="unknown"' },
  body: req.method === 'HEAD' ? '' : '401 Unauthorized: Temp URL invalid\n',
});

/** RFC 6266 Content-Disposition with the file name (python's quote, ' ' and '/' kept in the plain form). */
export function dispositionFormat(type: string, filename: string): string {
  const plain = encodeURIComponent(filename).replace(/%20/g, ' ').replace(/%2F/g, '/').replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const star = encodeURIComponent(filename).replace(/%2F/g, '/').replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${type}; filename="${plain}"; filename*=UTF-8''${star}`;
}

function ipAllowed(range: string, address: string | undefined): boolean {
  if (!address) return false;
  const list = new BlockList();
  const [net, bits] = range.split('/');
  const family = isIP(net ?? '');
  if (!family) return false;
  const type = family === 6 ? 'ipv6' : 'ipv4';
  try {
    if (bits === undefined) list.addAddress(net!, type);
    else list.addSubnet(net!, Number(bits), type);
    return list.check(address.replace(/^::ffff:/, ''), isIP(address.replace(/^::ffff:/, '')) === 6 ? 'ipv6' : 'ipv4');
  } catch {
    return false;
  }
}

export class TempUrl implements Middleware {
  readonly name = 'tempurl';

  /** `app`: the whole proxy, to read the keys as the proxy itself. */
  constructor(private readonly app: Handler) {}

  info(): Record<string, unknown> {
    return {
      methods: METHODS, incoming_remove_headers: INCOMING_REMOVE, incoming_allow_headers: [],
      outgoing_remove_headers: ['x-object-meta-*'], outgoing_allow_headers: ['x-object-meta-public-*'], allowed_digests: [...ALLOWED_DIGESTS], deprecated_digests: DEPRECATED_DIGESTS,
    };
  }

  async handle(req: SwiftRequest, next: Handler): Promise<ProxyResult> {
    const q = new URLSearchParams(req.query);
    const sigParam = q.get('temp_url_sig');
    const expiresParam = q.get('temp_url_expires');
    if (sigParam === null && expiresParam === null) return next(req);
    const expires = expiresParam === null ? 0 : normalizeExpires(expiresParam);
    if (!sigParam || !expires) return invalid(req);
    const sig = parseSignature(sigParam);
    if (!sig || !METHODS.includes(req.method)) return invalid(req);
    const prefix = q.get('temp_url_prefix');
    const object = req.object ?? '';
    const containerRoot = (req.method === 'GET' || req.method === 'HEAD') && prefix === '';
    if (req.container === undefined || (!containerRoot && object.replace(/\//g, '') === '')) return invalid(req);
    const ipRange = q.get('temp_url_ip_range');
    if (ipRange !== null && !ipAllowed(ipRange, req.remoteAddress)) return invalid(req);
    const keys = await tempUrlKeys(this.app, req.account, req.container, 'TU');
    if (keys.length === 0) return invalid(req);
    let path: string;
    if (prefix === null) path = `/v1/${req.account}/${req.container}/${object}`;
    else {
      if (!object.startsWith(prefix)) return invalid(req);
      path = `/v1/${req.account}/${req.container}/${prefix}`;
    }
    const methods = req.method === 'HEAD' ? ['HEAD', 'GET', 'POST', 'PUT'] : [req.method];
    const messages = methods.flatMap((m) => signedPaths(req, path).map((p) => `${ipRange !== null ? `ip=${ipRange}\n` : ''}${m}\n${expires}\n${prefix !== null ? 'prefix:' : ''}${p}`));
    const scope = matchSignature(sig, keys, messages);
    if (!scope) return invalid(req);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      for (const h of DISALLOWED_INCOMING) {
        if (headerOf(req.headers, h) !== undefined) throw new BadRequest(`The header '${h.replace(/(^|-)(\w)/g, (_m, d: string, c: string) => d + c.toUpperCase())}' is not allowed in this tempurl`);
      }
    }
    const headers = { ...req.headers };
    for (const h of INCOMING_REMOVE) delete headers[h];
    delete headers['x-auth-token'];
    // the rest of the query is not the signature's: dropped (a `version-id`, a `multipart-manifest`, ...)
    const kept = new URLSearchParams();
    for (const k of ['temp_url_sig', 'temp_url_expires', 'temp_url_prefix', 'filename', 'inline']) for (const v of q.getAll(k)) kept.append(k, v);
    const result = await next({
      ...req, headers, query: kept.toString(), preauthorized: { account: req.account, ...(scope === 'container' ? { container: req.container } : {}) },
    });
    for (const h of Object.keys(result.headers)) if (h.startsWith('x-object-meta-') && !h.startsWith('x-object-meta-public-')) delete result.headers[h];
    if ((req.method === 'GET' || req.method === 'HEAD') && result.status >= 200 && result.status < 300) {
      // a container's root only for a staticweb page (index or listing), never its plain listing
      if (object === '' && result.generator !== 'staticweb') {
        drain(result);
        return invalid(req);
      }
      const filename = q.get('filename');
      const existing = result.headers['content-disposition'];
      let disposition: string;
      if (q.has('inline') || result.generator === 'staticweb') disposition = filename ? dispositionFormat('inline', filename) : 'inline';
      else if (filename) disposition = dispositionFormat('attachment', filename);
      else if (existing) disposition = existing;
      else disposition = dispositionFormat('attachment', object.replace(/\/+$/, '').split('/').pop() ?? '');
      result.headers['content-disposition'] = disposition.replace(/\n/g, '%0A');
      result.headers.expires = new Date(expires * 1000).toUTCString();
    }
    return result;
  }
}
