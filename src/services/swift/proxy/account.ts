/**
 * The account controller (swift/proxy/controllers/account.py): GET (the container listing) and
 * HEAD from the account ring, POST of metadata; an account that does not exist yet is shown
 * empty to its owner and created on its first write (account_autocreate). PUT and DELETE of
 * accounts, by the reseller admin, need allow_account_management (else 405); a deleted
 * account's containers and objects are removed by the account reaper.
 */
import { BadRequest, Forbidden, MethodNotAllowed, NotFound } from '../../../common/errors.js';
import { NoQuorum } from '../errors.js';
import { CONTENT_TYPES } from '../utils/listing.js';
import { checkMetadata, userMetadata } from '../utils/metadata.js';
import { bestStatus, clientHeaders, getOrHead, tailPath, writeToReplicas, type ProxyResult } from './base.js';
import { listingQuery, reservedHeader } from './listing.js';
import type { Clock, ProxyDeps, SwiftRequest } from './request.js';

const xmlAttr = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

export class AccountController {
  constructor(private readonly deps: ProxyDeps, private readonly clock: Clock) {}

  async handle(req: SwiftRequest): Promise<ProxyResult> {
    switch (req.method) {
      case 'GET':
      case 'HEAD': return this.getOrHead(req);
      case 'POST': return this.post(req);
      case 'PUT':
      case 'DELETE':
        if (this.deps.settings.allowAccountManagement) return this.manage(req);
        throw this.notAllowed();
      default: throw this.notAllowed();
    }
  }

  private notAllowed(): MethodNotAllowed {
    const err = new MethodNotAllowed();
    err.headers.allow = this.deps.settings.allowAccountManagement ? 'DELETE, GET, HEAD, POST, PUT' : 'GET, HEAD, POST';
    return err;
  }

  private async getOrHead(req: SwiftRequest): Promise<ProxyResult> {
    const ring = this.deps.rings.get('account');
    const part = ring.getPart(req.account);
    const { qs, format } = listingQuery(req, this.deps.settings.accountListingLimit);
    const { res, notFound } = await getOrHead(ring, part, req.method as 'GET' | 'HEAD', tailPath(part, req.account) + qs, reservedHeader(req), this.deps.timeouts, this.deps.log);
    if (res) {
      if (req.method === 'HEAD') res.body.resume();
      return { status: res.status, headers: clientHeaders(res.headers), ...(req.method === 'GET' ? { body: res.body } : {}) };
    }
    if (notFound && this.deps.settings.accountAutocreate) {
      const ts = this.clock.next();
      const headers = {
        'x-account-container-count': '0', 'x-account-object-count': '0', 'x-account-bytes-used': '0',
        'x-timestamp': ts, 'x-put-timestamp': ts, 'content-type': CONTENT_TYPES[format],
      };
      if (format === 'plain' || req.method === 'HEAD') return { status: 204, headers, body: '' };
      return { status: 200, headers, body: format === 'json' ? '[]' : `<?xml version="1.0" encoding="UTF-8"?>\n<account name="${xmlAttr(req.account)}"></account>` };
    }
    if (notFound) throw new NotFound();
    throw new NoQuorum();
  }

  private async post(req: SwiftRequest): Promise<ProxyResult> {
    const meta = userMetadata(req.headers, 'account');
    const problem = checkMetadata(meta, 'account', this.deps.settings.meta);
    if (problem) throw new BadRequest(problem);
    await this.ensureAccount(req.account);
    const ring = this.deps.rings.get('account');
    const part = ring.getPart(req.account);
    const ts = this.clock.next();
    const { statuses } = await writeToReplicas(ring, part, 'POST', tailPath(part, req.account), () => ({ ...meta, 'X-Timestamp': ts }), this.deps.timeouts, this.deps.log);
    const status = bestStatus(statuses, ring.replicaCount);
    if (status === 404) throw new NotFound();
    if (status >= 300) throw new NoQuorum();
    return { status: 204, headers: {}, body: '' };
  }

  /** PUT (create, with metadata) or DELETE (mark deleted) of an account on its replicas (allow_account_management). */
  private async manage(req: SwiftRequest): Promise<ProxyResult> {
    // a query on an account DELETE was surely meant for something else (upstream's safety)
    if (req.method === 'DELETE' && req.query !== '') throw new BadRequest('DELETE with a query string is not allowed on an account');
    const meta = req.method === 'PUT' ? userMetadata(req.headers, 'account') : {};
    const problem = checkMetadata(meta, 'account', this.deps.settings.meta);
    if (problem) throw new BadRequest(problem);
    const ring = this.deps.rings.get('account');
    const part = ring.getPart(req.account);
    const ts = this.clock.next();
    const { statuses } = await writeToReplicas(ring, part, req.method, tailPath(part, req.account), () => ({ ...meta, 'X-Timestamp': ts }), this.deps.timeouts, this.deps.log);
    const status = bestStatus(statuses, ring.replicaCount);
    if (status === 404) throw new NotFound();
    if (status === 403) throw new Forbidden('Recently deleted');
    if (status >= 300) throw new NoQuorum();
    return { status, headers: {}, body: '' };
  }

  /** Creates the account on every replica when it does not exist yet (account_autocreate). */
  async ensureAccount(account: string): Promise<void> {
    const ring = this.deps.rings.get('account');
    const part = ring.getPart(account);
    const { res, notFound } = await getOrHead(ring, part, 'HEAD', tailPath(part, account), {}, this.deps.timeouts, this.deps.log);
    if (res) {
      res.body.resume();
      if (res.status < 300) return;
    }
    if (!notFound) throw new NoQuorum();
    if (!this.deps.settings.accountAutocreate) throw new NotFound();
    const ts = this.clock.next();
    const { statuses } = await writeToReplicas(ring, part, 'PUT', tailPath(part, account), () => ({ 'X-Timestamp': ts }), this.deps.timeouts, this.deps.log);
    const status = bestStatus(statuses, ring.replicaCount);
    // an account deleted by the reseller admin is not created again until it is reaped and reclaimed
    if (status === 403) throw new Forbidden('Recently deleted');
    if (status >= 300) throw new NoQuorum();
  }
}
