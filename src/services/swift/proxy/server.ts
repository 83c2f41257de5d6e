/**
 * The proxy server (swift/proxy/server.py) with its pipeline (proxy-server.conf's): the
 * middlewares before keystoneauth (bulk, formpost, tempurl), keystoneauth, those after it
 * (staticweb, quotas, object_versioning, symlink, slo, versioned_writes, expiry), then the controller of the request's
 * path (account, container or object). /info lists exactly the middlewares that are there.
 */
import { BadRequest, NotFound, PreconditionFailed, ServiceUnavailable, Unauthorized } from '../../../common/errors.js';
import type { Access, AclOperation } from '../policies/keystoneauth.js';
import { RingNotFound } from '../ring/ring.js';
import { AccountController } from './account.js';
import type { ProxyResult } from './base.js';
import { ContainerController } from './container.js';
import { ObjectController } from './obj.js';
import { Clock, type ProxyDeps, type SwiftRequest } from './request.js';
import { compose, InfoCache, type Handler } from './middleware/pipeline.js';
import { proxyMiddlewares, type ProxyPipeline } from './middleware/index.js';
import type { ExpirerStats } from './middleware/expiring-queue.js';

export const SWIFT_VERSION = '2.30.0';

export class ProxyServer {
  private readonly clock = new Clock();
  readonly accounts: AccountController;
  readonly containers: ContainerController;
  readonly objects: ObjectController;
  private readonly middlewares: ProxyPipeline;
  private readonly pipeline: Handler;
  private readonly authorized: Handler;
  /** Account and container infos the middlewares asked for, kept recheck_container_existence. */
  private readonly infoCache: InfoCache;

  constructor(private readonly deps: ProxyDeps) {
    this.infoCache = new InfoCache(deps.settings.recheckContainerMs);
    this.accounts = new AccountController(deps, this.clock);
    this.containers = new ContainerController(deps, this.clock, this.accounts);
    this.objects = new ObjectController(deps, this.clock, this.containers);
    this.middlewares = proxyMiddlewares(deps, (req) => this.handle(req), this.clock);
    // copy.py sits before slo and dlo: a copy's source is read through the pipeline
    this.objects.assembled = (req) => this.handle(req);
    this.authorized = compose(this.middlewares.afterAuth, (req) => this.dispatch(req));
    this.pipeline = compose(this.middlewares.beforeAuth, (req) => this.checkAndAuthorize(req));
  }

  /** One pass of the object expirer over the `.expiring_objects` queue. */
  expireObjects(now?: number): Promise<ExpirerStats> {
    return this.middlewares.expiring.runOnce(now);
  }

  /** A request through the whole pipeline (also the middlewares' subrequests). */
  handle(req: SwiftRequest): Promise<ProxyResult> {
    return this.pipeline(req);
  }

  private async checkAndAuthorize(req: SwiftRequest): Promise<ProxyResult> {
    const s = this.deps.settings;
    if (Buffer.byteLength(req.account) > s.maxAccountNameLength) throw new BadRequest(`Account name length of ${Buffer.byteLength(req.account)} longer than ${s.maxAccountNameLength}`);
    // check_utf8: names are valid UTF-8 without NUL (a lone surrogate came from invalid UTF-8)
    for (const name of [req.account, req.container, req.object]) {
      if (name !== undefined && ((name.includes('\0') && !req.allowReserved) || /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(name))) throw new PreconditionFailed('Invalid UTF8 or contains NULL');
    }
    if (req.container !== undefined) {
      if (req.container === '' || req.container.includes('/')) throw new NotFound();
      if (Buffer.byteLength(req.container) > s.maxContainerNameLength) throw new BadRequest(`Container name length of ${Buffer.byteLength(req.container)} longer than ${s.maxContainerNameLength}`);
    }
    try {
      const access = req.preauthorized ? this.signed(req, req.preauthorized) : await this.access(req);
      if (access === 'acl' || access === 'public') {
        // what the owner set on the container is not shown to those its ACLs let in
        const result = await this.authorized({ ...req, access, infos: new Map(), infoCache: this.infoCache });
        if (req.object === undefined || req.object === '') for (const h of ['x-container-read', 'x-container-write', 'x-container-sync-key', 'x-container-sync-to']) delete result.headers[h];
        return result;
      }
      return await this.authorized({ ...req, access, infos: new Map(), infoCache: this.infoCache });
    } catch (err) {
      if (err instanceof RingNotFound) throw new ServiceUnavailable(`No ring: ${err.message}`);
      throw err;
    }
  }

  /** A request a signature let in (tempurl's authorize_same_account / _container, container sync): within its scope only. */
  private signed(req: SwiftRequest, scope: NonNullable<SwiftRequest['preauthorized']>): Access {
    // the proxy's own requests (the expirer, a middleware reading keys: Swift's internal client) are the owner's
    if (scope.account === undefined && scope.container === undefined) return 'owner';
    if ((scope.account !== undefined && scope.account !== req.account) || (scope.container !== undefined && scope.container !== req.container)) throw new Unauthorized();
    return 'public';
  }

  /** keystoneauth: the owner and the reseller admin; others by the container's ACLs (object copies are the owner's). */
  private async access(req: SwiftRequest): Promise<Access> {
    const auth = this.deps.auth;
    // keystoneauth lets OPTIONS through: the CORS preflight answers it (middleware/cors.ts)
    if (req.method === 'OPTIONS') return 'public';
    const owner = auth.ownerAccess(req.ctx, req.account);
    // creating and deleting accounts (allow_account_management) is the reseller admin's alone
    if (owner === 'owner' && this.deps.settings.allowAccountManagement && req.container === undefined && (req.method === 'PUT' || req.method === 'DELETE')) throw auth.denied(req.ctx);
    if (owner) return owner;
    if (req.container === undefined || req.container === '') throw auth.denied(req.ctx);
    const isObject = req.object !== undefined && req.object !== '';
    const reads = req.method === 'GET' || req.method === 'HEAD';
    let op: AclOperation;
    if (isObject && reads) op = 'read';
    else if (isObject && ['PUT', 'POST', 'DELETE'].includes(req.method) && !req.headers['x-copy-from']) op = 'write';
    else if (!isObject && reads) op = 'listing';
    else throw auth.denied(req.ctx);
    return auth.authorizeAcl(req.ctx, op, await this.containers.acls(req.account, req.container));
  }

  private dispatch(req: SwiftRequest): Promise<ProxyResult> {
    if (req.object !== undefined && req.object !== '') return this.objects.handle(req);
    if (req.method === 'GET' || req.method === 'HEAD') return req.container !== undefined ? this.containers.handle(req) : this.accounts.handle(req);
    return this.written(req);
  }

  /** A write of an account or container: the infos kept of it are forgotten before and after it. */
  private async written(req: SwiftRequest): Promise<ProxyResult> {
    this.infoCache.forget(req.account, req.container);
    try {
      return await (req.container !== undefined ? this.containers.handle(req) : this.accounts.handle(req));
    } finally {
      this.infoCache.forget(req.account, req.container);
    }
  }

  /** GET /info: the core capabilities and limits, and each middleware of the pipeline that registers itself (keystoneauth does not). */
  info(): Record<string, unknown> {
    const s = this.deps.settings;
    const middlewares: Record<string, unknown> = {};
    for (const mw of [...this.middlewares.beforeAuth, ...this.middlewares.afterAuth]) if (mw.name) middlewares[mw.name] = mw.info?.() ?? {};
    return {
      swift: {
        version: SWIFT_VERSION,
        max_file_size: s.maxFileSize,
        max_meta_name_length: s.meta.maxMetaNameLength,
        max_meta_value_length: s.meta.maxMetaValueLength,
        max_meta_count: s.meta.maxMetaCount,
        max_meta_overall_size: s.meta.maxMetaOverallSize,
        max_object_name_length: s.maxObjectNameLength,
        max_container_name_length: s.maxContainerNameLength,
        max_account_name_length: s.maxAccountNameLength,
        container_listing_limit: s.containerListingLimit,
        account_listing_limit: s.accountListingLimit,
        valid_api_versions: ['v1', 'v1.0'],
        allow_account_management: s.allowAccountManagement === true,
        account_autocreate: s.accountAutocreate,
        strict_cors_mode: s.cors?.strictMode ?? true,
        policies: this.deps.policies?.info() ?? [{ name: 'Policy-0', aliases: 'Policy-0', default: true }],
      },
      crossdomain: {}, // served by the routes (api/routes.ts)
      ...middlewares,
    };
  }
}
