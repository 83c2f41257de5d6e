/**
 * Symlinks (swift/common/middleware/symlink.py): a zero-byte object whose
 * X-Object-Sysmeta-Symlink-Target names another object.
 *  - `PUT` with `X-Symlink-Target: <container>/<object>` (and `X-Symlink-Target-Account`)
 *    makes one; with `X-Symlink-Target-Etag` a static link, its target HEADed and its etag
 *    checked (409 when it differs or the target is missing); the container lists it with
 *    `symlink_path` (and `symlink_etag`, `symlink_bytes`) through the etag override;
 *  - `GET`/`HEAD` follow the link (at most `symloop_max` links), the answer the target's with
 *    `Content-Location` naming it; `?symlink=get` reads the link itself, its target in
 *    `X-Symlink-Target*` headers;
 *  - `POST` to a link changes the link and answers 307 to the target.
 * The links followed are subrequests of the whole proxy, each authorized on its own.
 */
import { BadRequest, Conflict, NuboError, PreconditionFailed } from '../../../../common/errors.js';
import type { ProxyResult } from '../base.js';
import { SYMLINK_TARGET } from '../obj.js';
import { headerOf, type SwiftRequest } from '../request.js';
import { MD5_OF_EMPTY, OVERRIDE_ETAG } from '../../utils/etag-params.js';
import { answer, drain, isSuccess, queryParam, type Handler, type Middleware } from './pipeline.js';

export const DEFAULT_SYMLOOP_MAX = 2;
const SOURCE = 'SYM';
const TARGET_ACCOUNT = 'x-object-sysmeta-symlink-target-account';
const TARGET_ETAG = 'x-object-sysmeta-symlink-target-etag';
const TARGET_BYTES = 'x-object-sysmeta-symlink-target-bytes';
/** A link a middleware made into the reserved namespace (object_versioning's): followed as the proxy's own request, and not counted in symloop_max. */
const ALLOW_RESERVED = 'x-object-sysmeta-allow-reserved-names';
const SYMLOOP_EXTEND = 'x-object-sysmeta-symloop-extend';
const VERSIONS_SYMLINK = 'x-object-sysmeta-versions-symlink';
/** The client's names of the link's sysmeta (symlink_sysmeta_to_usermeta). */
const USER_HEADERS: Array<[string, string]> = [
  [SYMLINK_TARGET, 'x-symlink-target'], [TARGET_ACCOUNT, 'x-symlink-target-account'], [TARGET_ETAG, 'x-symlink-target-etag'], [TARGET_BYTES, 'x-symlink-target-bytes'],
];
const TITLES: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 503: 'Service Unavailable' };
const FORM = 'X-Symlink-Target header must be of the form <container name>/<object name>';

const quotePath = (p: string): string => p.split('/').map(encodeURIComponent).join('/');
const unquote = (etag: string | undefined): string | undefined => etag?.trim().replace(/^"(.*)"$/, '$1');

/** A 409 naming the object it is about (Content-Location), text as symlink.py's. */
function conflict(message: string, location: string | undefined): Conflict {
  const err = new Conflict(message);
  if (location !== undefined) err.headers['content-location'] = location;
  return err;
}

/** "<container>/<object>" of X-Symlink-Target (check_path_header): 412 unless both are there. */
export function parseTarget(value: string): { container: string; object: string } {
  let v: string;
  try {
    v = decodeURIComponent(value.trim());
  } catch {
    throw new PreconditionFailed(FORM);
  }
  const i = v.indexOf('/');
  if (v.startsWith('/') || i <= 0 || i === v.length - 1) throw new PreconditionFailed(FORM);
  return { container: v.slice(0, i), object: v.slice(i + 1) };
}

/** X-Symlink-Target-Account (check_account_format): 412 when empty or with a '/'. */
function parseAccount(value: string): string {
  let v: string;
  try {
    v = decodeURIComponent(value.trim());
  } catch {
    throw new PreconditionFailed('Account name must be valid UTF-8');
  }
  if (v === '') throw new PreconditionFailed('Account name cannot be empty');
  if (v.includes('/')) throw new PreconditionFailed('Account name cannot contain slashes');
  return v;
}

/** Where a link points, read from its sysmeta. */
function linkTarget(headers: Record<string, string>, account: string): { account: string; container: string; object: string; path: string } {
  const acct = headers[TARGET_ACCOUNT] !== undefined ? decodeURIComponent(headers[TARGET_ACCOUNT]) : account;
  const { container, object } = parseTarget(headers[SYMLINK_TARGET]!);
  return { account: acct, container, object, path: `/v1/${acct}/${headers[SYMLINK_TARGET]}` };
}

/** Whether a PUT carries a body (a symlink may not). */
async function hasBody(req: SwiftRequest): Promise<boolean> {
  const length = headerOf(req.headers, 'content-length');
  if (length !== undefined) return length.trim() !== '0';
  if (!req.body) return false;
  for await (const chunk of req.body) if ((chunk as Buffer).length > 0) return true;
  return false;
}

export class Symlinks implements Middleware {
  readonly name = 'symlink';

  /** `app` is the whole proxy: a followed link is authorized as a request of its own. */
  constructor(private readonly app: Handler, private readonly symloopMax = DEFAULT_SYMLOOP_MAX) {}

  info(): Record<string, unknown> {
    return { symloop_max: this.symloopMax, static_links: true };
  }

  async handle(req: SwiftRequest, next: Handler): Promise<ProxyResult> {
    // a link this middleware follows is answered as it is stored, the following is the caller's
    if (req.object === undefined || req.object === '' || req.source === SOURCE) return next(req);
    if (req.method === 'GET' || req.method === 'HEAD') {
      if (queryParam(req, 'symlink') === 'get') return this.readLink(req, next);
      return this.follow(req, next);
    }
    if (req.method === 'PUT' && req.headers['x-symlink-target'] !== undefined) return this.put(req, next);
    if (req.method === 'POST') return this.post(req, next);
    return next(req);
  }

  /** `?symlink=get`: the link itself, its sysmeta as X-Symlink-Target* headers. */
  private async readLink(req: SwiftRequest, next: Handler): Promise<ProxyResult> {
    const res = await next(req);
    for (const [sys, user] of USER_HEADERS) {
      if (res.headers[sys] === undefined) continue;
      res.headers[user] = res.headers[sys]!;
      delete res.headers[sys];
    }
    return res;
  }

  /** _recursive_get_head: the first answer, then each link's target, until one is not a link. */
  private async follow(req: SwiftRequest, next: Handler, opts: { expectEtag?: string; followSoft?: boolean } = {}): Promise<ProxyResult> {
    const ignoreRange = { ...req.headers, 'x-backend-ignore-range-if-metadata-present': SYMLINK_TARGET };
    let res = await next({ ...req, headers: ignoreRange });
    let expectEtag = opts.expectEtag;
    let followSoft = opts.followSoft ?? true;
    let location: string | undefined;
    let loops = 0;
    for (;;) {
      const targetEtag = res.headers[TARGET_ETAG];
      if (res.headers[SYMLINK_TARGET] === undefined || !(targetEtag !== undefined || followSoft)) break;
      drain(res);
      const found = targetEtag ?? unquote(res.headers.etag);
      if (expectEtag !== undefined && expectEtag !== found) throw conflict('X-Symlink-Target-Etag headers do not match', location);
      if (loops >= this.symloopMax) throw conflict(`Too many levels of symbolic links, maximum allowed is ${this.symloopMax}`, undefined);
      const target = linkTarget(res.headers, req.account);
      location = target.path;
      // a versions link: the client was authorized for the link, its target is the middleware's
      const reserved = res.headers[ALLOW_RESERVED] === 'true';
      if (res.headers[SYMLOOP_EXTEND] !== 'true') loops++;
      const { rawPath: _raw, allowReserved: _r, ...rest } = req;
      res = await answer(this.app, {
        ...rest, headers: ignoreRange, query: '', source: SOURCE, account: target.account, container: target.container, object: target.object, infos: new Map(),
        ...(reserved ? { allowReserved: true, preauthorized: { account: target.account } } : {}),
      });
      expectEtag = targetEtag;
      followSoft = true;
    }
    // a large object's is its manifest's etag (Swift checks the manifest, below slo)
    const finalEtag = res.headers['x-manifest-etag'] ?? unquote(res.headers.etag);
    if (finalEtag && expectEtag !== undefined && finalEtag !== expectEtag) {
      drain(res);
      throw conflict(`Object Etag '${finalEtag}' does not match X-Symlink-Target-Etag header '${expectEtag}'`, location);
    }
    if (location !== undefined) {
      if (res.status >= 400 && res.status !== 412 && res.status !== 416) {
        // a target's error: its status, the link that led there
        drain(res);
        const err = new NuboError(res.status, TITLES[res.status] ?? 'Error', typeof res.body === 'string' && res.body !== '' ? res.body : 'The resource could not be found.');
        err.headers['content-location'] = location;
        throw err;
      }
      res.headers['content-location'] = location;
    }
    return res;
  }

  /** handle_put: the target checked (a static link's HEADed), moved to sysmeta and onto the listed etag. */
  private async put(req: SwiftRequest, next: Handler): Promise<ProxyResult> {
    if (await hasBody(req)) throw new BadRequest('Symlink requests require a zero byte body');
    const { container, object } = parseTarget(headerOf(req.headers, 'x-symlink-target')!);
    const accountHeader = headerOf(req.headers, 'x-symlink-target-account');
    const account = accountHeader !== undefined ? parseAccount(accountHeader) : undefined;
    if ((account ?? req.account) === req.account && container === req.container && object === req.object) throw new BadRequest('Symlink cannot target itself');
    const etag = unquote(headerOf(req.headers, 'x-symlink-target-etag'));
    if (etag !== undefined && /[;"\\]/.test(etag)) throw new BadRequest('Bad X-Symlink-Target-Etag format');
    const { 'x-symlink-target': _t, 'x-symlink-target-account': _a, 'x-symlink-target-etag': _e, 'x-symlink-target-bytes': _b, ...headers } = req.headers;
    const target = quotePath(`${container}/${object}`);
    headers[SYMLINK_TARGET] = target;
    if (account !== undefined) headers[TARGET_ACCOUNT] = encodeURIComponent(account);
    let listed = MD5_OF_EMPTY;
    const preset = { etag: headerOf(req.headers, TARGET_ETAG), bytes: headerOf(req.headers, TARGET_BYTES) };
    if (preset.etag !== undefined && preset.bytes !== undefined) {
      // a middleware's static link (object_versioning's), its target known: not HEADed again
      headers[TARGET_ETAG] = preset.etag;
      headers[TARGET_BYTES] = preset.bytes;
    } else if (etag !== undefined && etag !== '') {
      const checked = await this.checkStatic(req, next, account ?? req.account, container, object, etag);
      headers[TARGET_ETAG] = etag;
      headers[TARGET_BYTES] = checked.bytes;
      if (checked.sloEtag !== undefined) listed += `; slo_etag=${checked.sloEtag}`;
      if (headerOf(req.headers, 'content-type') === undefined) headers['content-type'] = checked.contentType;
    } else if (headerOf(req.headers, 'content-type') === undefined) headers['content-type'] = 'application/symlink';
    const params = [listed, `symlink_target=${target}`];
    if (account !== undefined) params.push(`symlink_target_account=${headers[TARGET_ACCOUNT]}`);
    if (headers[TARGET_ETAG] !== undefined) params.push(`symlink_target_etag=${headers[TARGET_ETAG]}`, `symlink_target_bytes=${headers[TARGET_BYTES]}`);
    headers[OVERRIDE_ETAG] = params.join('; ');
    headers['content-length'] = '0';
    delete headers['transfer-encoding'];
    return next({ ...req, headers });
  }

  /** _validate_etag_and_update_sysmeta: the target HEADed (soft links in the way not followed); its size and type. */
  private async checkStatic(req: SwiftRequest, next: Handler, account: string, container: string, object: string, etag: string): Promise<{ bytes: string; contentType: string; sloEtag?: string }> {
    const location = `/v1/${account}/${quotePath(`${container}/${object}`)}`;
    const head: SwiftRequest = { ...req, method: 'HEAD', account, container, object, query: '', headers: { ...(req.headers['x-auth-token'] !== undefined ? { 'x-auth-token': req.headers['x-auth-token'] } : {}) } };
    delete head.body;
    let res: ProxyResult;
    try {
      res = await this.follow({ ...head, source: SOURCE }, (r) => answer(this.app, r), { expectEtag: etag, followSoft: false });
    } catch (err) {
      if (err instanceof NuboError && err.status === 404) throw conflict('X-Symlink-Target does not exist', location);
      if (err instanceof NuboError) err.headers['content-location'] ??= location;
      throw err;
    }
    drain(res);
    if (res.status === 404) throw conflict('X-Symlink-Target does not exist', location);
    if (!isSuccess(res.status)) throw new NuboError(res.status, TITLES[res.status] ?? 'Error', `The symlink's target answered ${res.status}`);
    const sloEtag = res.headers['x-object-sysmeta-slo-etag'];
    return {
      bytes: res.headers['x-object-sysmeta-slo-size'] ?? res.headers['content-length'] ?? '0',
      contentType: res.headers['content-type'] ?? 'application/octet-stream',
      ...(sloEtag !== undefined ? { sloEtag } : {}),
    };
  }

  /** handle_post: applied to the link, which answers 307 to its target. */
  private async post(req: SwiftRequest, next: Handler): Promise<ProxyResult> {
    if (req.headers['x-symlink-target'] !== undefined) throw new BadRequest('A PUT request is required to set a symlink target');
    // the object server answers a POST with the object's sysmeta: a link's says so
    const res = await next(req);
    if (!isSuccess(res.status) || res.headers[SYMLINK_TARGET] === undefined) return res;
    drain(res);
    const target = linkTarget(res.headers, req.account);
    const headers: Record<string, string> = { location: target.path, 'content-type': 'text/plain; charset=UTF-8' };
    if (res.headers[TARGET_ETAG] !== undefined) headers['x-symlink-target-etag'] = res.headers[TARGET_ETAG];
    // object_versioning applies the POST to the version a versions link names
    if (res.headers[VERSIONS_SYMLINK] !== undefined) headers[VERSIONS_SYMLINK] = res.headers[VERSIONS_SYMLINK];
    return { status: 307, headers, body: 'The requested POST was applied to a symlink. POST directly to the target to apply requested metadata.' };
  }
}
