/**
 * The generic resource controller (neutron/api/v2/base.py Controller): request bodies checked
 * against the attribute map and handed to the manager as its typed input, project ownership
 * of the parent network, policy (action and attribute rules; an object the caller may not
 * see is a 404), quota, bulk create (emulated, rolled back on failure), `fields`, filters,
 * sorting, pagination links, If-Match revision constraints, and the
 * `<resource>.<action>.start/end` notifications. Records come back from the manager typed and
 * leave as response bodies without what policy hides.
 */
import type { Notifier } from '../../../common/messaging/index.js';
import { NeutronContext } from '../common/context.js';
import { HTTPBadRequest, HTTPNotFound, NetworkNotFound, NeutronBadRequest } from '../errors.js';
import type { OwnerLookups, ResourceHandlers } from '../managers/types.js';
import type { WriteOptions } from '../types/common.js';
import type { NetworkOwner } from '../types/network.js';
import type { QuotaResource } from '../types/quota.js';
import { prepareResource, type AttrMap } from './attributes/spec.js';
import { type Fields, fieldsOf, isFields } from './fields.js';
import type { NeutronPolicy } from './policy.js';
import { paginationLinks, parseListQuery, type QueryParams } from './query.js';
import { view } from './views.js';

/** What the routes need to know about a resource. */
export interface ResourceInfo {
  /** JSON key of a list ('networks', 'rbac_policies'). */
  collection: string;
  /** JSON key of one item ('network', 'rbac_policy'). */
  member: string;
  /** URL segment ('networks', 'rbac-policies'). */
  path: string;
  parent?: { path: string; param: string };
}

export interface ResourceDef<R extends object, C, U> extends ResourceInfo {
  attrs: AttrMap;
  handlers: ResourceHandlers<R, C, U>;
  /** Policy names use this ('floatingip_port_forwarding'); default: member. */
  policyMember?: string;
  quota?: QuotaResource;
  taggable?: boolean;
  /** Ports and subnets: the network must be the caller's or shared with it. */
  checkNetworkOwnership?: boolean;
  extraFilters?: readonly string[];
  readOnly?: boolean;
}

export interface ControllerDeps {
  policy: NeutronPolicy;
  quotas: { check(projectId: string, resource: QuotaResource, delta: number): Promise<void> };
  notifier: Notifier | undefined;
  /** This service's public base URL (pagination links). */
  baseUrl: string;
  maxLimit: number;
  networkOwner(networkId: string, projectId: string | undefined): Promise<NetworkOwner | undefined>;
  visibleNetwork(ctx: NeutronContext, networkId: string): Promise<boolean>;
}

export interface RequestInfo {
  ctx: NeutronContext;
  query: QueryParams;
  ifMatch?: number;
  parentId?: string;
}

/** A member action's work: the item's id and the request body, to the answer. */
export type ActionRun = (ctx: NeutronContext, id: string, body: Fields) => Promise<object>;

/** A controller as the routes use it, whatever its resource. */
export interface ResourceEndpoint {
  readonly def: ResourceInfo;
  list(r: RequestInfo): Promise<Fields>;
  show(r: RequestInfo, id: string): Promise<Fields>;
  create(r: RequestInfo, body: unknown): Promise<Fields>;
  update(r: RequestInfo, id: string, body: unknown): Promise<Fields>;
  delete(r: RequestInfo, id: string, hasBody: boolean): Promise<void>;
  action(r: RequestInfo, id: string, name: string, body: unknown, run: ActionRun): Promise<object>;
  forTags(r: RequestInfo, id: string, action: 'get' | 'create' | 'update' | 'delete'): Promise<void>;
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

function writeOptions(r: RequestInfo): WriteOptions {
  return r.ifMatch !== undefined ? { ifMatch: r.ifMatch } : {};
}

export class Controller<R extends object, C, U> implements ResourceEndpoint {
  constructor(readonly def: ResourceDef<R, C, U>, private readonly d: ControllerDeps) {}

  private get pm(): string {
    return this.def.policyMember ?? this.def.member;
  }

  /**
   * The policy target: `attributes` (the item's, or the request's) with project_id and
   * tenant_id both set, plus what the manager adds about related objects of `item`.
   */
  private async target(ctx: NeutronContext, item: R | C, attributes: Fields, parentId: string | undefined, lookups: OwnerLookups): Promise<Fields> {
    const base: Fields = { ...attributes };
    if ('project_id' in base && !('tenant_id' in base)) base.tenant_id = base.project_id;
    if ('tenant_id' in base && !('project_id' in base)) base.project_id = base.tenant_id;
    const related = await this.def.handlers.policyAttributes?.(ctx, item, parentId, lookups);
    return related ? { ...base, ...related } : base;
  }

  private recordTarget(ctx: NeutronContext, item: R, parentId: string | undefined, lookups: OwnerLookups): Promise<Fields> {
    return this.target(ctx, item, fieldsOf(item), parentId, lookups);
  }

  private present(ctx: NeutronContext, target: Fields, item: R, fields: string[]): Fields {
    return view(this.d.policy, ctx, `get_${this.pm}`, target, this.def.attrs, item, fields);
  }

  private notify(ctx: NeutronContext, event: string, payload: unknown): void {
    if (!this.d.notifier || this.def.parent) return;
    void this.d.notifier.info(ctx.toMessage(), `${this.def.member}.${event}`, payload);
  }

  async list(r: RequestInfo): Promise<Fields> {
    const q = parseListQuery(r.query, { attrs: this.def.attrs, taggable: this.def.taggable, maxLimit: this.d.maxLimit, ...(this.def.extraFilters ? { extraFilters: this.def.extraFilters } : {}) });
    const items = await this.def.handlers.list(r.ctx, q, r.parentId);
    const lookups: OwnerLookups = new Map();
    const shown: Fields[] = [];
    const allowed: Fields[] = [];
    for (const item of items) {
      const target = await this.recordTarget(r.ctx, item, r.parentId, lookups);
      if (!this.d.policy.check(r.ctx, `get_${this.pm}`, target)) continue;
      allowed.push(fieldsOf(item));
      shown.push(this.present(r.ctx, target, item, q.fields));
    }
    const out: Fields = { [this.def.collection]: shown };
    const links = paginationLinks(this.collectionUrl(r.parentId), r.query, allowed, q.limit, q.pageReverse ?? false);
    if (links.length) out[`${this.def.collection}_links`] = links;
    return out;
  }

  private collectionUrl(parentId?: string): string {
    const parent = this.def.parent ? `/${this.def.parent.path}/${parentId}` : '';
    return `${this.d.baseUrl}/v2.0${parent}/${this.def.path}`;
  }

  /** The item and its policy target, or a 404 when the caller may not see it. */
  private async visibleItem(r: RequestInfo, id: string, lookups: OwnerLookups): Promise<{ item: R; target: Fields }> {
    const item = await this.def.handlers.get(r.ctx, id, r.parentId);
    const target = await this.recordTarget(r.ctx, item, r.parentId, lookups);
    if (!this.d.policy.check(r.ctx, `get_${this.pm}`, target)) throw new HTTPNotFound('The resource could not be found.');
    return { item, target };
  }

  async show(r: RequestInfo, id: string): Promise<Fields> {
    const fields = [...(Array.isArray(r.query.fields) ? r.query.fields : r.query.fields ? [r.query.fields] : [])].filter((f) => f !== '');
    const { item, target } = await this.visibleItem(r, id, new Map());
    return { [this.def.member]: this.present(r.ctx, target, item, fields) };
  }

  /** Ports and subnets may only go on the caller's networks or networks shared with it. */
  private async checkNetworkOwnership(ctx: NeutronContext, item: Fields): Promise<void> {
    if (!this.def.checkNetworkOwnership || ctx.unscoped) return;
    const networkId = String(item.network_id);
    if (!(await this.d.visibleNetwork(ctx, networkId))) throw new NetworkNotFound(networkId);
    const info = await this.d.networkOwner(networkId, ctx.projectId);
    if (!info) throw new NetworkNotFound(networkId);
    if (info.shared) return;
    if (info.projectId !== item.project_id) throw new HTTPNotFound('The resource could not be found.');
  }

  private bodyItems(body: unknown, isCreate: boolean): { items: unknown[]; bulk: boolean } {
    if (!isFields(body)) throw new HTTPBadRequest('Resource body required');
    if (isCreate && this.def.collection in body) {
      const list = body[this.def.collection];
      if (!Array.isArray(list)) throw new HTTPBadRequest('Body contains invalid data');
      if (list.length === 0) throw new HTTPBadRequest('Resources required');
      return { items: list.map((x: unknown) => (isFields(x) && this.def.member in x ? x[this.def.member] : x)), bulk: true };
    }
    if (!(this.def.member in body)) throw new HTTPBadRequest(`Unable to find '${this.def.member}' in request body`);
    const item = body[this.def.member];
    if (!isFields(item)) throw new HTTPBadRequest(`Object '${this.def.member}' contains invalid data`);
    return { items: [item], bulk: false };
  }

  private info(ctx: NeutronContext) {
    return { projectId: ctx.projectId, canSetProjectId: ctx.isAdmin || ctx.isService };
  }

  /**
   * The manager's input for a request body checked by the attribute map. The attribute map
   * is the input type's schema: it refuses unknown attributes, fills defaults, converts and
   * validates values, so the checked body is the typed input.
   */
  private input<T>(fields: Fields): T {
    return fields as unknown as T;
  }

  async create(r: RequestInfo, body: unknown): Promise<Fields> {
    const handlers = this.def.handlers;
    if (!handlers.create || this.def.readOnly) throw new HTTPBadRequest('POST requests are not supported on this resource.');
    const { items, bulk } = this.bodyItems(body, true);
    this.notify(r.ctx, 'create.start', body);
    const prepared = items.map((i) => prepareResource(this.info(r.ctx), i, true, this.def.attrs));
    const lookups: OwnerLookups = new Map();
    const perProject = new Map<string, number>();
    for (const fields of prepared) {
      await this.checkNetworkOwnership(r.ctx, fields);
      const target = await this.target(r.ctx, this.input<C>(fields), fields, r.parentId, lookups);
      this.d.policy.enforce(r.ctx, `create_${this.pm}`, target, this.def.attrs);
      if (this.def.quota && typeof fields.project_id === 'string') perProject.set(fields.project_id, (perProject.get(fields.project_id) ?? 0) + 1);
    }
    const quota = this.def.quota;
    if (quota) for (const [project, delta] of perProject) await this.d.quotas.check(project, quota, delta);
    const created: R[] = [];
    try {
      for (const fields of prepared) created.push(await handlers.create(r.ctx, this.input<C>(fields), r.parentId));
    } catch (err) {
      for (const c of created) await handlers.delete?.(NeutronContext.admin(), String(fieldsOf(c).id), {}, r.parentId).catch(() => {});
      throw err;
    }
    const shown: Fields[] = [];
    for (const c of created) shown.push(this.present(r.ctx, await this.recordTarget(r.ctx, c, r.parentId, lookups), c, []));
    const result = bulk ? { [this.def.collection]: shown } : { [this.def.member]: shown[0] };
    this.notify(r.ctx, 'create.end', result);
    return result;
  }

  async update(r: RequestInfo, id: string, body: unknown): Promise<Fields> {
    const handlers = this.def.handlers;
    if (!handlers.update || this.def.readOnly) throw new HTTPBadRequest('PUT requests are not supported on this resource.');
    const { items } = this.bodyItems(body, false);
    this.notify(r.ctx, 'update.start', { ...(isFields(body) ? body : {}), id });
    const changes = prepareResource(this.info(r.ctx), items[0], false, this.def.attrs);
    const lookups: OwnerLookups = new Map();
    const item = await handlers.get(r.ctx, id, r.parentId);
    const target = await this.target(r.ctx, item, { ...fieldsOf(item), ...changes }, r.parentId, lookups);
    const explicit = Object.keys(changes);
    if (!this.d.policy.check(r.ctx, `update_${this.pm}`, target, this.def.attrs, explicit)) {
      const visible = this.d.policy.check(r.ctx, `get_${this.pm}`, this.updateFieldsOnly(await this.recordTarget(r.ctx, item, r.parentId, lookups)));
      if (!visible) throw new HTTPNotFound('The resource could not be found.');
      this.d.policy.enforce(r.ctx, `update_${this.pm}`, target, this.def.attrs, explicit);
    }
    const updated = await handlers.update(r.ctx, id, this.input<U>(changes), writeOptions(r), r.parentId);
    const result = { [this.def.member]: this.present(r.ctx, await this.recordTarget(r.ctx, updated, r.parentId, lookups), updated, []) };
    this.notify(r.ctx, 'update.end', result);
    return result;
  }

  /**
   * The item as _update loads it for its "may the caller see it" check: only the attributes
   * required by policy, primary keys and those without a default (a hidden `shared` is not
   * among them, so an item shared with the caller that it may not update is a 404).
   */
  private updateFieldsOnly(target: Fields): Fields {
    return Object.fromEntries(Object.entries(target).filter(([k]) => {
      const spec = this.def.attrs[k];
      return !spec || spec.requiredByPolicy || spec.primaryKey || !('default' in spec);
    }));
  }

  async delete(r: RequestInfo, id: string, hasBody: boolean): Promise<void> {
    const handlers = this.def.handlers;
    if (!handlers.delete || this.def.readOnly) throw new HTTPBadRequest('DELETE requests are not supported on this resource.');
    if (hasBody) throw new HTTPBadRequest('Request body is not supported in DELETE.');
    this.notify(r.ctx, 'delete.start', { [`${this.def.member}_id`]: id });
    const { item, target } = await this.visibleItem(r, id, new Map());
    this.d.policy.enforce(r.ctx, `delete_${this.pm}`, target);
    await handlers.delete(r.ctx, id, writeOptions(r), r.parentId);
    this.notify(r.ctx, 'delete.end', { [`${this.def.member}_id`]: id, [this.def.member]: this.present(r.ctx, target, item, []) });
  }

  /** A member action (PUT /routers/{id}/add_router_interface): policy on the item, then the work. */
  async action(r: RequestInfo, id: string, name: string, body: unknown, run: ActionRun): Promise<object> {
    const { target } = await this.visibleItem(r, id, new Map());
    const b = isFields(body) ? body : {};
    this.d.policy.enforce(r.ctx, name, { ...target, ...b });
    return run(r.ctx, id, b);
  }

  /** Loads the item for the tags API with the `<action>_<member>:tags` rule. */
  async forTags(r: RequestInfo, id: string, action: 'get' | 'create' | 'update' | 'delete'): Promise<void> {
    const { target } = await this.visibleItem(r, id, new Map());
    this.d.policy.enforce(r.ctx, `${action}_${this.pm}:tags`, target);
  }
}
