/**
 * The container controller (swift/proxy/controllers/container.py): GET (the object listing)
 * and HEAD from the container ring; PUT (creating the account first when needed), POST and
 * DELETE to every replica, each container node told which account node to update
 * (X-Account-Host/-Device/-Partition); an answer on a quorum. Object writes ask it whether
 * their container exists (remembered for recheck_container_existence seconds).
 */
import { BadRequest, Conflict, MethodNotAllowed, NotFound } from '../../../common/errors.js';
import { NoQuorum } from '../errors.js';
import type { ContainerAcls } from '../policies/keystoneauth.js';
import type { RingNode } from '../ring/ring.js';
import { checkMetadata, userMetadata } from '../utils/metadata.js';
import type { AccountController } from './account.js';
import { bestStatus, clientHeaders, getOrHead, tailPath, writeToReplicas, type ProxyResult } from './base.js';
import { listingQuery, reservedHeader } from './listing.js';
import { headerOf, type Clock, type ProxyDeps, type SwiftRequest } from './request.js';

const ACL_HEADERS = ['x-container-read', 'x-container-write', 'x-versions-location', 'x-history-location', 'x-container-sync-to', 'x-container-sync-key'];

const CONTAINER_SYSMETA = 'x-container-sysmeta-';

export interface ContainerInfo {
  partition: number;
  nodes: RingNode[];
  /** The container's storage policy (X-Backend-Storage-Policy-Index). */
  policyIndex: number;
}

const policyIndexOf = (h: Record<string, string | string[] | undefined>): number => {
  const v = h['x-backend-storage-policy-index'];
  return typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : 0;
};

export class ContainerController {
  private readonly known = new Map<string, number>();
  /** The storage policy of the containers in `known`. */
  private readonly policyIndexes = new Map<string, number>();
  private readonly aclCache = new Map<string, { at: number; acls: ContainerAcls }>();

  constructor(private readonly deps: ProxyDeps, private readonly clock: Clock, private readonly accounts: AccountController) {}

  async handle(req: SwiftRequest): Promise<ProxyResult> {
    const container = req.container!;
    switch (req.method) {
      case 'GET':
      case 'HEAD': return this.getOrHead(req, container);
      case 'PUT': return this.put(req, container);
      case 'POST': return this.post(req, container);
      case 'DELETE': return this.delete(req, container);
      default: {
        const err = new MethodNotAllowed();
        err.headers.allow = 'GET, HEAD, PUT, POST, DELETE';
        throw err;
      }
    }
  }

  private async getOrHead(req: SwiftRequest, container: string): Promise<ProxyResult> {
    const ring = this.deps.rings.get('container');
    const part = ring.getPart(req.account, container);
    const { qs } = listingQuery(req, this.deps.settings.containerListingLimit);
    const { res, notFound } = await getOrHead(ring, part, req.method as 'GET' | 'HEAD', tailPath(part, req.account, container) + qs, reservedHeader(req), this.deps.timeouts, this.deps.log);
    if (!res) {
      if (notFound) throw new NotFound();
      throw new NoQuorum();
    }
    if (req.method === 'HEAD') res.body.resume();
    const index = policyIndexOf(res.headers);
    const headers = { ...clientHeaders(res.headers), 'x-storage-policy': this.deps.policies?.byIndex(index)?.name ?? 'Policy-0' };
    if (res.status < 300) {
      this.known.set(`${req.account}/${container}`, Date.now());
      this.policyIndexes.set(`${req.account}/${container}`, index);
    }
    return { status: res.status, headers, ...(req.method === 'GET' ? { body: res.body } : {}) };
  }

  private metadata(req: SwiftRequest): Record<string, string> {
    const meta = userMetadata(req.headers, 'container');
    const problem = checkMetadata(meta, 'container', this.deps.settings.meta);
    if (problem) throw new BadRequest(problem);
    // the middlewares' system metadata (a client's never gets here: the API drops it, as gatekeeper)
    for (const [k, v] of Object.entries(req.headers)) if (k.startsWith(CONTAINER_SYSMETA) && typeof v === 'string') meta[k] = v;
    for (const h of ACL_HEADERS) {
      const v = headerOf(req.headers, h);
      if (v !== undefined) meta[h] = v;
      if (headerOf(req.headers, `x-remove-${h.slice(2)}`) !== undefined) meta[h] = '';
    }
    return meta;
  }

  /** Each container node's account node (X-Account-Host/-Device/-Partition). */
  private accountHeaders(account: string): (i: number) => Record<string, string> {
    const ring = this.deps.rings.get('account');
    const { part, nodes } = ring.getNodes(account);
    return (i) => {
      const n = nodes[i % nodes.length]!;
      return { 'X-Account-Host': `${n.ip}:${n.port}`, 'X-Account-Device': n.device, 'X-Account-Partition': String(part) };
    };
  }

  private async put(req: SwiftRequest, container: string): Promise<ProxyResult> {
    const meta = this.metadata(req);
    // X-Storage-Policy: the container's policy by name (or alias), chosen once
    const policyName = headerOf(req.headers, 'x-storage-policy');
    const policy = policyName === undefined ? undefined : this.deps.policies?.byName(policyName) ?? (policyName.trim().toLowerCase() === 'policy-0' ? { index: 0 } : undefined);
    if (policyName !== undefined && !policy) throw new BadRequest(`Invalid X-Storage-Policy '${policyName}'`);
    if (policy) meta['X-Backend-Storage-Policy-Index'] = String(policy.index);
    await this.accounts.ensureAccount(req.account);
    const ring = this.deps.rings.get('container');
    const part = ring.getPart(req.account, container);
    const ts = this.clock.next();
    const acct = this.accountHeaders(req.account);
    const { statuses, responses } = await writeToReplicas(ring, part, 'PUT', tailPath(part, req.account, container), (i) => ({ ...meta, ...acct(i), 'X-Timestamp': ts }), this.deps.timeouts, this.deps.log);
    const status = bestStatus(statuses, ring.replicaCount);
    if (status === 400) throw new BadRequest(responses.find((r) => r.status === 400)!.text);
    if (status === 409) throw new Conflict('There was a conflict when trying to complete your request.');
    if (status >= 300) throw new NoQuorum();
    this.known.set(`${req.account}/${container}`, Date.now());
    // a container that was there keeps its policy: without X-Storage-Policy it is learnt from its next HEAD
    if (policy || !this.deps.policies?.hasEC) this.policyIndexes.set(`${req.account}/${container}`, policy?.index ?? 0);
    else this.policyIndexes.delete(`${req.account}/${container}`);
    this.aclCache.delete(`${req.account}/${container}`);
    return { status, headers: {}, body: '' };
  }

  private async post(req: SwiftRequest, container: string): Promise<ProxyResult> {
    const meta = this.metadata(req);
    const ring = this.deps.rings.get('container');
    const part = ring.getPart(req.account, container);
    const ts = this.clock.next();
    const { statuses, responses } = await writeToReplicas(ring, part, 'POST', tailPath(part, req.account, container), () => ({ ...meta, 'X-Timestamp': ts }), this.deps.timeouts, this.deps.log);
    this.aclCache.delete(`${req.account}/${container}`);
    const status = bestStatus(statuses, ring.replicaCount);
    // what the container servers refuse (an X-Container-Sync-To they do not accept) is the client's error, with their reason
    if (status === 400) throw new BadRequest(responses.find((r) => r.status === 400)!.text);
    if (status === 404) throw new NotFound();
    if (status >= 300) throw new NoQuorum();
    return { status: 204, headers: {}, body: '' };
  }

  private async delete(req: SwiftRequest, container: string): Promise<ProxyResult> {
    const ring = this.deps.rings.get('container');
    const part = ring.getPart(req.account, container);
    const ts = this.clock.next();
    const acct = this.accountHeaders(req.account);
    const { statuses } = await writeToReplicas(ring, part, 'DELETE', tailPath(part, req.account, container), (i) => ({ ...acct(i), 'X-Timestamp': ts }), this.deps.timeouts, this.deps.log);
    this.known.delete(`${req.account}/${container}`);
    this.aclCache.delete(`${req.account}/${container}`);
    const status = bestStatus(statuses, ring.replicaCount);
    if (status === 404) throw new NotFound();
    if (status === 409) throw new Conflict('There was a conflict when trying to complete your request.');
    if (status >= 300) throw new NoQuorum();
    return { status: 204, headers: {}, body: '' };
  }

  /** The container's ACLs (X-Container-Read/-Write), remembered for recheck_container_existence seconds; none when it does not exist. */
  async acls(account: string, container: string): Promise<ContainerAcls> {
    const key = `${account}/${container}`;
    const cached = this.aclCache.get(key);
    if (cached && Date.now() - cached.at <= this.deps.settings.recheckContainerMs) return cached.acls;
    const ring = this.deps.rings.get('container');
    const part = ring.getPart(account, container);
    const { res } = await getOrHead(ring, part, 'HEAD', tailPath(part, account, container), {}, this.deps.timeouts, this.deps.log);
    res?.body.resume();
    const acls: ContainerAcls = {};
    if (res && res.status < 300) {
      if (typeof res.headers['x-container-read'] === 'string') acls.read = res.headers['x-container-read'];
      if (typeof res.headers['x-container-write'] === 'string') acls.write = res.headers['x-container-write'];
    }
    this.aclCache.set(key, { at: Date.now(), acls });
    return acls;
  }

  /** container_info for object writes: the container's nodes, or NotFound. */
  async info(account: string, container: string): Promise<ContainerInfo> {
    const ring = this.deps.rings.get('container');
    const { part, nodes } = ring.getNodes(account, container);
    const key = `${account}/${container}`;
    const seen = this.known.get(key);
    if (seen === undefined || Date.now() - seen > this.deps.settings.recheckContainerMs || !this.policyIndexes.has(key)) {
      const { res, notFound } = await getOrHead(ring, part, 'HEAD', tailPath(part, account, container), {}, this.deps.timeouts, this.deps.log);
      if (res) res.body.resume();
      if (!res || res.status >= 300) {
        this.known.delete(key);
        if (notFound || (res && res.status === 404)) throw new NotFound();
        throw new NoQuorum();
      }
      this.known.set(key, Date.now());
      this.policyIndexes.set(key, policyIndexOf(res.headers));
    }
    return { partition: part, nodes, policyIndex: this.policyIndexes.get(key) ?? 0 };
  }
}
