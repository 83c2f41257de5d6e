/**
 * The generic resource controller (neutron/api/v2/base.py Controller): request bodies checked
 * against the attribute map, project ownership of the parent network, policy (action and
 * attribute rules; an object the caller may not see is a 404), quota, bulk create (emulated,
 * rolled back on failure), `fields`, filters, sorting, pagination links, If-Match revision
 * constraints, and the `<resource>.<action>.start/end` notifications.
 */
import type { Notifier } from '../../../common/messaging/index.js';
import { NeutronContext } from '../context.js';
import type { ListQuery } from '../db/listing.js';
import { HTTPBadRequest, HTTPNotFound, NetworkNotFound, NeutronBadRequest } from '../errors.js';
import type { QuotaManager } from '../managers/quotas.js';
import type { Dict, ResourceHandlers } from '../managers/types.js';
import { prepareResource, type AttrMap } from './attributes/spec.js';
import type { NeutronPolicy } from './policy.js';
import { paginationLinks, parseListQuery, type QueryParams } from './query.js';

export interface ResourceDef {
  /** JSON key of a list ('networks', 'rbac_policies'). */
  collection: string;
  /** JSON key of one item ('network', 'rbac_policy'). */
  member: string;
  /** URL segment ('networks', 'rbac-policies'). */
  path: string;
  attrs: AttrMap;
  handlers: ResourceHandlers;
  /** Policy names use this ('floatingip_port_forwarding'); default: member. */
  policyMember?: string;
  quota?: string;
  taggable?: boolean;
  /** Ports and subnets: the network must be the caller's or shared with it. */
  checkNetworkOwnership?: boolean;
  extraFilters?: readonly string[];
  parent?: { path: string; param: string };
  readOnly?: boolean;
}

export interface ControllerDeps {
  policy: NeutronPolicy;
  quotas: QuotaManager;
  notifier: Notifier | undefined;
  /** This service's public base URL (pagination links). */
  baseUrl: string;
  maxLimit: number;
  networkOwnerInfo(networkId: string, projectId: string | undefined): Promise<{ projectId: string; shared: boolean; external: boolean } | undefined>;
  visibleNetwork(ctx: NeutronContext, networkId: string): Promise<boolean>;
}

export interface RequestInfo {
  ctx: NeutronContext;
  query: QueryParams;
  ifMatch?: number;
  parentId?: string;
}

/** `If-Match: revision_number=N` (check_request_for_revision_constraint). */
export function parseIfMatch(header: string | string[] | undefined): number | undefined {
  if (!header) return undefined;
  const etags = (Array.isArray(header) ? header.join(',') : header).split(',').map((e) => e.trim().replace(/^W\//, '').replace(/^"|"$/g, ''));
  let found: number | undefined;
  for (const e of etags) {
    if (!e.startsWith('revision_number=')) continue;
    if (found !== undefined) throw new NeutronBadRequest('if-match', 'Multiple revision_number etags are not supported.');
    const n = e.slice('revision_number='.length);
    if (!/^-?\d+$/.test(n)) throw new NeutronBadRequest('if-match', 'Revision number etag must be in the format of revision_number=<int>');
    found = Number(n);
  }
  return found;
}

function onlyFields(item: Dict, fields: string[]): Dict {
  if (fields.length === 0) return item;
  const out: Dict = {};
  for (const f of fields) if (Object.hasOwn(item, f)) out[f] = item[f];
  return out;
}

export class Controller {
  constructor(readonly def: ResourceDef, private readonly d: ControllerDeps) {}

  private get pm(): string {
    return this.def.policyMember ?? this.def.member;
  }

  private async target(ctx: NeutronContext, item: Dict, parentId: string | undefined, memo: Map<string, Promise<unknown>>): Promise<Dict> {
    const base = { ...item };
    if ('project_id' in base && !('tenant_id' in base)) base.tenant_id = base.project_id;
    if ('tenant_id' in base && !('project_id' in base)) base.project_id = base.tenant_id;
    return this.def.handlers.policyTarget ? this.def.handlers.policyTarget(ctx, base, parentId, memo) : base;
  }

  /** Strips what policy hides, then keeps `fields` when given. */
  private present(ctx: NeutronContext, target: Dict, item: Dict, fields: string[]): Dict {
    const hidden = new Set(this.d.policy.hiddenAttributes(ctx, `get_${this.pm}`, target, this.def.attrs));
    const visible: Dict = {};
    for (const [k, v] of Object.entries(item)) if (!hidden.has(k)) visible[k] = v;
    return onlyFields(visible, fields);
  }

  private notify(ctx: NeutronContext, event: string, payload: unknown): void {
    if (!this.d.notifier || this.def.parent) return;
    void this.d.notifier.info(ctx.toMessage(), `${this.def.member}.${event}`, payload);
  }

  async list(r: RequestInfo): Promise<Dict> {
    const q = parseListQuery(r.query, { attrs: this.def.attrs, taggable: this.def.taggable, maxLimit: this.d.maxLimit, ...(this.def.extraFilters ? { extraFilters: this.def.extraFilters } : {}) });
    const items = await this.def.handlers.list(r.ctx, q as ListQuery, r.parentId);
    const memo = new Map<string, Promise<unknown>>();
    const shown: Dict[] = [];
    const allowed: Dict[] = [];
    for (const item of items) {
      const target = await this.target(r.ctx, item, r.parentId, memo);
      if (!this.d.policy.check(r.ctx, `get_${this.pm}`, target)) continue;
      allowed.push(item);
      shown.push(this.present(r.ctx, target, item, q.fields));
    }
    const out: Dict = { [this.def.collection]: shown };
    const links = paginationLinks(this.collectionUrl(r.parentId), r.query, allowed, q.limit, q.pageReverse ?? false);
    if (links.length) out[`${this.def.collection}_links`] = links;
    return out;
  }

  private collectionUrl(parentId?: string): string {
    const parent = this.def.parent ? `/${this.def.parent.path}/${parentId}` : '';
    return `${this.d.baseUrl}/v2.0${parent}/${this.def.path}`;
  }

  /** The item and its policy target, or a 404 when the caller may not see it. */
  private async visibleItem(r: RequestInfo, id: string, memo: Map<string, Promise<unknown>>): Promise<{ item: Dict; target: Dict }> {
    const item = await this.def.handlers.get(r.ctx, id, r.parentId);
    const target = await this.target(r.ctx, item, r.parentId, memo);
    if (!this.d.policy.check(r.ctx, `get_${this.pm}`, target)) throw new HTTPNotFound('The resource could not be found.');
    return { item, target };
  }

  async show(r: RequestInfo, id: string): Promise<Dict> {
    const fields = [...(Array.isArray(r.query.fields) ? r.query.fields : r.query.fields ? [r.query.fields] : [])].filter((f) => f !== '');
    const { item, target } = await this.visibleItem(r, id, new Map());
    return { [this.def.member]: this.present(r.ctx, target, item, fields) };
  }

  /** Ports and subnets may only go on the caller's networks or networks shared with it. */
  private async checkNetworkOwnership(ctx: NeutronContext, item: Dict): Promise<void> {
    if (!this.def.checkNetworkOwnership || ctx.unscoped) return;
    const networkId = String(item.network_id);
    if (!(await this.d.visibleNetwork(ctx, networkId))) throw new NetworkNotFound(networkId);
    const info = await this.d.networkOwnerInfo(networkId, ctx.projectId);
    if (!info) throw new NetworkNotFound(networkId);
    if (info.shared) return;
    if (info.projectId !== item.project_id) throw new HTTPNotFound('The resource could not be found.');
  }

  private bodyItems(body: unknown, isCreate: boolean): { items: unknown[]; bulk: boolean } {
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new HTTPBadRequest('Resource body required');
    const b = body as Dict;
    if (isCreate && this.def.collection in b) {
      const list = b[this.def.collection];
      if (!Array.isArray(list)) throw new HTTPBadRequest('Body contains invalid data');
      if (list.length === 0) throw new HTTPBadRequest('Resources required');
      return { items: list.map((x) => (x && typeof x === 'object' && this.def.member in x ? (x as Dict)[this.def.member] : x)), bulk: true };
    }
    if (!(this.def.member in b)) throw new HTTPBadRequest(`Unable to find '${this.def.member}' in request body`);
    const item = b[this.def.member];
    if (!item || typeof item !== 'object' || Array.isArray(item)) throw new HTTPBadRequest(`Object '${this.def.member}' contains invalid data`);
    return { items: [item], bulk: false };
  }

  private info(ctx: NeutronContext) {
    return { projectId: ctx.projectId, canSetProjectId: ctx.isAdmin || ctx.isService };
  }

  async create(r: RequestInfo, body: unknown): Promise<Dict> {
    const create = this.def.handlers.create;
    if (!create || this.def.readOnly) throw new HTTPBadRequest('POST requests are not supported on this resource.');
    const { items, bulk } = this.bodyItems(body, true);
    this.notify(r.ctx, 'create.start', body);
    const prepared = items.map((i) => prepareResource(this.info(r.ctx), i, true, this.def.attrs));
    const memo = new Map<string, Promise<unknown>>();
    const perProject = new Map<string, number>();
    for (const item of prepared) {
      await this.checkNetworkOwnership(r.ctx, item);
      const target = await this.target(r.ctx, item, r.parentId, memo);
      this.d.policy.enforce(r.ctx, `create_${this.pm}`, target, this.def.attrs);
      if (this.def.quota && typeof item.project_id === 'string') perProject.set(item.project_id, (perProject.get(item.project_id) ?? 0) + 1);
    }
    for (const [project, delta] of perProject) await this.d.quotas.check(project, this.def.quota!, delta);
    const created: Dict[] = [];
    try {
      for (const item of prepared) created.push(await create.call(this.def.handlers, r.ctx, item, r.parentId));
    } catch (err) {
      for (const c of created) await this.def.handlers.delete?.call(this.def.handlers, NeutronContext.admin(), String(c.id), {}, r.parentId).catch(() => {});
      throw err;
    }
    const shown: Dict[] = [];
    for (const c of created) shown.push(this.present(r.ctx, await this.target(r.ctx, c, r.parentId, memo), c, []));
    const result = bulk ? { [this.def.collection]: shown } : { [this.def.member]: shown[0] };
    this.notify(r.ctx, 'create.end', result);
    return result;
  }

  async update(r: RequestInfo, id: string, body: unknown): Promise<Dict> {
    const update = this.def.handlers.update;
    if (!update || this.def.readOnly) throw new HTTPBadRequest('PUT requests are not supported on this resource.');
    const { items } = this.bodyItems(body, false);
    this.notify(r.ctx, 'update.start', { ...(body as Dict), id });
    const changes = prepareResource(this.info(r.ctx), items[0], false, this.def.attrs);
    const memo = new Map<string, Promise<unknown>>();
    const item = await this.def.handlers.get(r.ctx, id, r.parentId);
    const target = await this.target(r.ctx, { ...item, ...changes }, r.parentId, memo);
    const explicit = Object.keys(changes);
    if (!this.d.policy.check(r.ctx, `update_${this.pm}`, target, this.def.attrs, explicit)) {
      const visible = this.d.policy.check(r.ctx, `get_${this.pm}`, await this.target(r.ctx, item, r.parentId, memo));
      if (!visible) throw new HTTPNotFound('The resource could not be found.');
      this.d.policy.enforce(r.ctx, `update_${this.pm}`, target, this.def.attrs, explicit);
    }
    const updated = await update.call(this.def.handlers, r.ctx, id, changes, { ...(r.ifMatch !== undefined ? { ifMatch: r.ifMatch } : {}) }, r.parentId);
    const result = { [this.def.member]: this.present(r.ctx, await this.target(r.ctx, updated, r.parentId, memo), updated, []) };
    this.notify(r.ctx, 'update.end', result);
    return result;
  }

  async delete(r: RequestInfo, id: string, hasBody: boolean): Promise<void> {
    const del = this.def.handlers.delete;
    if (!del || this.def.readOnly) throw new HTTPBadRequest('DELETE requests are not supported on this resource.');
    if (hasBody) throw new HTTPBadRequest('Request body is not supported in DELETE.');
    this.notify(r.ctx, 'delete.start', { [`${this.def.member}_id`]: id });
    const memo = new Map<string, Promise<unknown>>();
    const { item, target } = await this.visibleItem(r, id, memo);
    this.d.policy.enforce(r.ctx, `delete_${this.pm}`, target);
    await del.call(this.def.handlers, r.ctx, id, { ...(r.ifMatch !== undefined ? { ifMatch: r.ifMatch } : {}) }, r.parentId);
    this.notify(r.ctx, 'delete.end', { [`${this.def.member}_id`]: id, [this.def.member]: this.present(r.ctx, target, item, []) });
  }

  /** A member action (PUT /routers/{id}/add_router_interface): policy on the item, then the handler. */
  async action(r: RequestInfo, id: string, name: string, body: unknown, run: (ctx: NeutronContext, id: string, body: Dict) => Promise<Dict>): Promise<Dict> {
    const memo = new Map<string, Promise<unknown>>();
    const { target } = await this.visibleItem(r, id, memo);
    const b = body && typeof body === 'object' && !Array.isArray(body) ? (body as Dict) : {};
    this.d.policy.enforce(r.ctx, name, { ...target, ...b });
    return run(r.ctx, id, b);
  }

  /** Loads the item for the tags API with the `<action>_<member>:tags` rule. */
  async forTags(r: RequestInfo, id: string, action: 'get' | 'create' | 'update' | 'delete'): Promise<void> {
    const memo = new Map<string, Promise<unknown>>();
    const { target } = await this.visibleItem(r, id, memo);
    this.d.policy.enforce(r.ctx, `${action}_${this.pm}:tags`, target);
  }
}
