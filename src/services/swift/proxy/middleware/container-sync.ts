/**
 * The container_sync middleware (swift/common/middleware/container_sync.py), before
 * keystoneauth: it lets in the requests another cluster's container-sync daemon sends (or this
 * cluster's, to itself), and checks the X-Container-Sync-To a container is given.
 *
 * - A request with `X-Container-Sync-Auth: <realm> <nonce> <sig>` is let into its container when
 *   `sig` is the HMAC of the request under the realm's key (or key2) and the container's
 *   X-Container-Sync-Key (utils/container-sync-realms.ts); otherwise 401. Its X-Timestamp is
 *   kept: the copy has the original's time, so an older copy never overwrites a newer object.
 * - The older way: `X-Container-Sync-Key` equal to the container's key, with an X-Timestamp
 *   (keystoneauth's and tempauth's check in Swift).
 * - A container PUT or POST with X-Container-Sync-To: a full URL only with allow_full_urls,
 *   never on a container with object versioning (400). Whether the realm, cluster or host is
 *   known is the container servers' check (validate_sync_to), their 400 passed on.
 *
 * /info lists the realms and their clusters, the current one marked.
 */
import { randomUUID } from 'node:crypto';
import { BadRequest } from '../../../../common/errors.js';
import { RequestContext } from '../../../../common/context.js';
import type { ProxyResult } from '../base.js';
import { headerOf, type SwiftRequest } from '../request.js';
import { normalizeTimestamp } from '../../utils/timestamp.js';
import { constantTimeEqual, syncSignature, type ContainerSyncRealms } from '../../utils/container-sync-realms.js';
import { answer, drain, isSuccess, pathInfo, type Handler, type Middleware } from './pipeline.js';
import { SYSMETA_CONTAINER } from './object-versioning-common.js';

export interface ContainerSyncSettings {
  realms: ContainerSyncRealms;
  /** allow_full_urls: X-Container-Sync-To may be a URL, not only //realm/cluster/... */
  allowFullUrls: boolean;
  /** current: this cluster's //REALM/CLUSTER, marked in /info. */
  current?: string;
}

const unauthorized = (req: SwiftRequest): ProxyResult => ({
  status: 401,
  headers: { 'content-type': 'text/plain', 'www-authenticate': `SwiftContainerSync realm="${encodeURIComponent(req.account)}"` },
  body: req.method === 'HEAD' ? '' : 'X-Container-Sync-Auth header not valid; contact cluster operator for support.',
});

export class ContainerSync implements Middleware {
  readonly name = 'container_sync';

  /** `app`: the whole proxy, to read a container's sync key as the proxy itself. */
  constructor(private readonly app: Handler, private readonly settings: ContainerSyncSettings) {}

  info(): Record<string, unknown> {
    const realms: Record<string, { clusters: Record<string, { current?: true }> }> = {};
    for (const realm of this.settings.realms.realms()) {
      const clusters = this.settings.realms.clusters(realm);
      if (clusters.length > 0) realms[realm] = { clusters: Object.fromEntries(clusters.map((c) => [c, {}])) };
    }
    const [realm, cluster] = (this.settings.current ?? '').replace(/^\/+|\/+$/g, '').toUpperCase().split('/');
    if (realm && cluster && realms[realm]?.clusters[cluster]) realms[realm]!.clusters[cluster] = { current: true };
    return { realms };
  }

  async handle(req: SwiftRequest, next: Handler): Promise<ProxyResult> {
    if (req.container === undefined || req.container === '') return next(req);
    const syncTo = headerOf(req.headers, 'x-container-sync-to');
    if (syncTo !== undefined && (req.method === 'PUT' || req.method === 'POST') && (req.object === undefined || req.object === '')) {
      await this.checkSyncTo(req, next, syncTo);
    }
    const auth = headerOf(req.headers, 'x-container-sync-auth');
    const legacyKey = headerOf(req.headers, 'x-container-sync-key');
    const isObject = req.object !== undefined && req.object !== '';
    const timestamp = headerOf(req.headers, 'x-timestamp');
    if (auth !== undefined) {
      if (!(await this.validAuth(req, auth, timestamp ?? '0'))) return unauthorized(req);
      return next(this.letIn(req, timestamp));
    }
    if (legacyKey !== undefined && isObject && timestamp !== undefined) {
      const key = await this.syncKey(req);
      if (key && constantTimeEqual(key, legacyKey)) return next(this.letIn(req, timestamp));
    }
    return next(req);
  }

  /** The X-Container-Sync-To of a container PUT or POST, as far as the proxy checks it (the container servers check the target). */
  private async checkSyncTo(req: SwiftRequest, next: Handler, syncTo: string): Promise<void> {
    if (!this.settings.allowFullUrls && syncTo !== '' && !syncTo.startsWith('//')) {
      throw new BadRequest('Full URLs are not allowed for X-Container-Sync-To values. Only realm values of the format //realm/cluster/account/container are allowed.\n');
    }
    if (syncTo !== '') {
      const info = await pathInfo(req, next, 'CS', req.container);
      if (isSuccess(info.status) && info.headers[SYSMETA_CONTAINER]) {
        throw new BadRequest('Cannot configure container sync on a container with object versioning configured.');
      }
    }
  }

  /** X-Container-Sync-Auth: "<realm> <nonce> <sig>", signed with the realm's key (or key2) and the container's key. */
  private async validAuth(req: SwiftRequest, auth: string, timestamp: string): Promise<boolean> {
    const parts = auth.trim().split(/\s+/);
    if (parts.length !== 3) return false;
    const [realm, nonce, sig] = parts as [string, string, string];
    const realmKey = this.settings.realms.key(realm);
    if (!realmKey) return false;
    const userKey = await this.syncKey(req);
    if (!userKey) return false;
    const path = this.signedPath(req);
    const expected = syncSignature(req.method, path, timestamp, nonce, realmKey, userKey);
    const realmKey2 = this.settings.realms.key2(realm);
    return constantTimeEqual(sig, expected) || (realmKey2 !== undefined && constantTimeEqual(sig, syncSignature(req.method, path, timestamp, nonce, realmKey2, userKey)));
  }

  /** The path the sender signed: the request's URL path as sent (quoted), the endpoint's mount included. */
  private signedPath(req: SwiftRequest): string {
    if (req.rawPath !== undefined) return req.rawPath;
    const quote = (s: string) => s.split('/').map(encodeURIComponent).join('/');
    return `${req.mount ?? ''}/v1/${quote(req.account)}/${quote(req.container!)}${req.object !== undefined ? `/${quote(req.object)}` : ''}`;
  }

  /** The container's X-Container-Sync-Key, read as the proxy itself (a synced request carries no token). */
  private async syncKey(req: SwiftRequest): Promise<string | undefined> {
    const res = await answer(this.app, {
      ctx: new RequestContext({ requestId: `req-${randomUUID()}` }), method: 'HEAD', account: req.account, container: req.container!,
      query: '', headers: {}, preauthorized: {}, source: 'CS',
    });
    drain(res);
    if (!isSuccess(res.status)) return undefined;
    return res.headers['x-container-sync-key'] || undefined;
  }

  /** The request let into its container, with the sender's X-Timestamp as its own. */
  private letIn(req: SwiftRequest, timestamp: string | undefined): SwiftRequest {
    const headers = { ...req.headers };
    for (const h of ['x-container-sync-auth', 'x-container-sync-key', 'x-auth-token', 'x-timestamp']) delete headers[h];
    let ts: string | undefined;
    try {
      ts = timestamp === undefined ? undefined : normalizeTimestamp(timestamp);
    } catch {
      throw new BadRequest(`X-Timestamp should be a UNIX timestamp float value; was '${timestamp}'`);
    }
    return { ...req, headers, preauthorized: { account: req.account, container: req.container! }, ...(ts !== undefined ? { timestamp: ts } : {}) };
  }
}
