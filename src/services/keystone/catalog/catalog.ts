/**
 * The service catalog (keystone/catalog/core.py, backends/sql.py): regions (a tree through
 * parent_region_id), services and their endpoints, and the catalog as tokens show it.
 */
import { isUniqueViolation } from '../../../common/db/index.js';
import {
  checkLength, CircularRegionHierarchyError, EndpointNotFound, KeystoneConflict, MissingAttribute, RegionDeletionError, RegionNotFound,
  ServiceNotFound, URLValidationError,
} from '../errors.js';
import { b01, type EndpointRow, type RegionRow, type ServiceRow } from '../db/schema.js';
import { bool, jsonText, newId, parseJsonObject } from '../db/rows.js';
import { applyHints, attrAsBoolean, Hints } from '../lib/hints.js';
import type { ManagerContext } from '../manager-context.js';
import type { CatalogServiceBody } from '../providers.js';
import { toBoolean } from '../resource/resource.js';

export interface RegionRecord {
  id: string;
  description: string;
  parent_region_id: string | null;
  [extra: string]: unknown;
}

export interface ServiceRecord {
  id: string;
  type: string;
  enabled: boolean;
  [extra: string]: unknown;
}

export interface EndpointRecord {
  id: string;
  interface: string;
  region_id: string | null;
  service_id: string;
  url: string;
  enabled: boolean;
  [extra: string]: unknown;
}

const REGION_ATTRS = new Set(['id', 'description', 'parent_region_id']);
const SERVICE_ATTRS = new Set(['id', 'type', 'enabled']);
const ENDPOINT_ATTRS = new Set(['id', 'interface', 'region_id', 'service_id', 'url', 'legacy_endpoint_id', 'enabled', 'region']);
/** Names an endpoint URL may substitute ($(project_id)s), as keystone/common/utils.py WHITELISTED_PROPERTIES. */
const URL_PROPERTIES = ['tenant_id', 'project_id', 'user_id', 'public_bind_host', 'admin_bind_host', 'compute_host', 'admin_port', 'public_port', 'public_endpoint', 'admin_endpoint'];

const extraOf = (obj: Record<string, unknown>, attrs: Set<string>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(obj).filter(([k]) => !attrs.has(k)));

function regionRecord(r: RegionRow): RegionRecord {
  return { ...parseJsonObject(r.extra), id: r.id, description: r.description, parent_region_id: r.parent_region_id };
}

function serviceRecord(r: ServiceRow): ServiceRecord {
  return { ...parseJsonObject(r.extra), id: r.id, type: r.type, enabled: bool(r.enabled) };
}

function endpointRecord(r: EndpointRow): EndpointRecord {
  return {
    ...parseJsonObject(r.extra), id: r.id, interface: r.interface, region_id: r.region_id, service_id: r.service_id, url: r.url,
    enabled: bool(r.enabled),
  };
}

/**
 * Python's `url.replace('$(', '%(') % values` for endpoint URLs. Returns undefined when a
 * name is missing from `values` (the endpoint is left out of the catalog); throws for a
 * malformed template. Written by hand: it is a small subset of Python's % formatting.
 */
export function formatEndpointUrl(url: string, values: Record<string, string>, silentMissing: string[] = []): string | undefined {
  const s = url.replaceAll('$(', '%(');
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '%') { out += c; continue; }
    if (s[i + 1] === '%') { out += '%'; i++; continue; }
    const m = /^%\(([^)]*)\)s/.exec(s.slice(i));
    if (!m) throw new URLValidationError(url);
    const name = m[1]!;
    if (!Object.hasOwn(values, name)) {
      if (silentMissing.includes(name)) return undefined;
      throw new URLValidationError(url);
    }
    out += values[name];
    i += m[0].length - 1;
  }
  return out;
}

/** check_endpoint_url: the URL may only substitute the whitelisted names. */
export function checkEndpointUrl(url: string): void {
  formatEndpointUrl(url, Object.fromEntries(URL_PROPERTIES.map((p) => [p, ''])));
}

export class CatalogManager {
  constructor(private readonly ctx: ManagerContext) {}

  private get db() { return this.ctx.db; }

  // Regions

  async findRegion(regionId: string): Promise<RegionRecord | undefined> {
    const row = await this.db.selectFrom('region').selectAll().where('id', '=', regionId).executeTakeFirst();
    return row && row.id === regionId ? regionRecord(row) : undefined;
  }

  async getRegion(regionId: string): Promise<RegionRecord> {
    const r = await this.findRegion(regionId);
    if (!r) throw new RegionNotFound(regionId);
    return r;
  }

  async listRegions(hints: Hints = new Hints()): Promise<RegionRecord[]> {
    let q = this.db.selectFrom('region').selectAll();
    const parent = hints.take('parent_region_id');
    if (parent !== undefined) q = q.where('parent_region_id', '=', parent);
    return applyHints((await q.orderBy('id').execute()).map(regionRecord), hints);
  }

  async createRegion(input: Record<string, unknown>): Promise<RegionRecord> {
    const id = (input.id as string | undefined) || newId();
    if (await this.findRegion(id)) throw new KeystoneConflict('region', `Duplicate ID, ${id}.`);
    const parent = (input.parent_region_id as string | null | undefined) ?? null;
    checkLength(input.description, 255);
    if (parent !== null && !(await this.findRegion(parent))) throw new RegionNotFound(parent);
    try {
      await this.db.insertInto('region').values({
        id, description: (input.description as string | null | undefined) ?? '', parent_region_id: parent,
        extra: jsonText(extraOf(input, REGION_ATTRS)),
      }).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw new KeystoneConflict('region', `Duplicate ID, ${id}.`);
      throw err;
    }
    this.ctx.audit.created('region', id);
    return this.getRegion(id);
  }

  async updateRegion(regionId: string, changes: Record<string, unknown>): Promise<RegionRecord> {
    const original = await this.getRegion(regionId);
    const parent = 'parent_region_id' in changes ? ((changes.parent_region_id as string | null) ?? null) : original.parent_region_id;
    if ('parent_region_id' in changes && parent !== null) {
      await this.getRegion(parent);
      // Walk up from the new parent: meeting this region again would make a cycle.
      let cursor: string | null = parent;
      const seen = new Set<string>();
      while (cursor !== null && !seen.has(cursor)) {
        if (cursor === regionId) throw new CircularRegionHierarchyError(parent);
        seen.add(cursor);
        cursor = (await this.findRegion(cursor))?.parent_region_id ?? null;
      }
    }
    const description = 'description' in changes ? ((changes.description as string | null) ?? '') : original.description;
    checkLength(description, 255);
    await this.db.updateTable('region').set({
      description, parent_region_id: parent,
      extra: jsonText({ ...extraOf(original, REGION_ATTRS), ...extraOf(changes, REGION_ATTRS) }),
    }).where('id', '=', regionId).execute();
    this.ctx.audit.updated('region', regionId);
    return this.getRegion(regionId);
  }

  /** Deletes a region and its sub-regions, unless one of them has endpoints. */
  async deleteRegion(regionId: string): Promise<void> {
    await this.getRegion(regionId);
    const all = await this.db.selectFrom('region').select(['id', 'parent_region_id']).execute();
    const tree = [regionId];
    for (let i = 0; i < tree.length; i++) {
      for (const r of all) if (r.parent_region_id === tree[i] && !tree.includes(r.id)) tree.push(r.id);
    }
    const used = await this.db.selectFrom('endpoint').select('id').where('region_id', 'in', tree).executeTakeFirst();
    if (used) throw new RegionDeletionError(regionId);
    await this.db.deleteFrom('region').where('id', 'in', tree).execute();
    this.ctx.audit.deleted('region', regionId);
  }

  // Services

  async getService(serviceId: string): Promise<ServiceRecord> {
    const row = await this.db.selectFrom('service').selectAll().where('id', '=', serviceId).executeTakeFirst();
    if (!row || row.id !== serviceId) throw new ServiceNotFound(serviceId);
    return serviceRecord(row);
  }

  async listServices(hints: Hints = new Hints()): Promise<ServiceRecord[]> {
    let q = this.db.selectFrom('service').selectAll();
    const type = hints.take('type');
    if (type !== undefined) q = q.where('type', '=', type);
    const enabled = hints.take('enabled');
    if (enabled !== undefined) q = q.where('enabled', '=', b01(attrAsBoolean(enabled)));
    return applyHints((await q.orderBy('id').execute()).map(serviceRecord), hints);
  }

  async createService(input: Record<string, unknown>, serviceId: string = newId()): Promise<ServiceRecord> {
    const extra = { name: '', ...extraOf(input, SERVICE_ATTRS) };
    await this.db.insertInto('service').values({
      id: serviceId, type: String(input.type), enabled: toBoolean(input.enabled, true), extra: jsonText(extra),
    }).execute();
    this.ctx.audit.created('service', serviceId);
    return this.getService(serviceId);
  }

  async updateService(serviceId: string, changes: Record<string, unknown>): Promise<ServiceRecord> {
    const original = await this.getService(serviceId);
    await this.db.updateTable('service').set({
      type: 'type' in changes ? String(changes.type) : original.type,
      enabled: 'enabled' in changes ? toBoolean(changes.enabled, true) : original.enabled,
      extra: jsonText({ ...extraOf(original, SERVICE_ATTRS), ...extraOf(changes, SERVICE_ATTRS) }),
    }).where('id', '=', serviceId).execute();
    this.ctx.audit.updated('service', serviceId);
    return this.getService(serviceId);
  }

  /** Deletes a service and its endpoints. */
  async deleteService(serviceId: string): Promise<void> {
    await this.getService(serviceId);
    const endpoints = await this.db.selectFrom('endpoint').select('id').where('service_id', '=', serviceId).execute();
    for (const e of endpoints) await this.ctx.managers.endpointFilter.deleteAssociationsForEndpoint(e.id);
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('endpoint').where('service_id', '=', serviceId).execute();
      await trx.deleteFrom('service').where('id', '=', serviceId).execute();
    });
    this.ctx.audit.deleted('service', serviceId);
  }

  // Endpoints

  async getEndpoint(endpointId: string): Promise<EndpointRecord> {
    const row = await this.db.selectFrom('endpoint').selectAll().where('id', '=', endpointId).executeTakeFirst();
    if (!row || row.id !== endpointId) throw new EndpointNotFound(endpointId);
    return endpointRecord(row);
  }

  async listEndpoints(hints: Hints = new Hints()): Promise<EndpointRecord[]> {
    let q = this.db.selectFrom('endpoint').selectAll();
    for (const col of ['interface', 'service_id', 'region_id'] as const) {
      const v = hints.take(col);
      if (v !== undefined) q = q.where(col, '=', v);
    }
    const enabled = hints.take('enabled');
    if (enabled !== undefined) q = q.where('enabled', '=', b01(attrAsBoolean(enabled)));
    return applyHints((await q.orderBy('id').execute()).map(endpointRecord), hints);
  }

  /**
   * `region` (the old attribute) names a region that is created when missing, as upstream's
   * _validate_endpoint_region does; `region_id` must name an existing region.
   */
  private async normalizeRegion(input: Record<string, unknown>): Promise<Record<string, unknown>> {
    const out = { ...input };
    if ((out.region_id === undefined || out.region_id === null) && out.region !== undefined && out.region !== null) {
      out.region_id = out.region;
      delete out.region;
      if (!(await this.findRegion(String(out.region_id)))) await this.createRegion({ id: out.region_id });
    }
    delete out.region;
    return out;
  }

  private async assertRefs(e: Record<string, unknown>): Promise<void> {
    if (e.region_id !== undefined && e.region_id !== null && !(await this.findRegion(String(e.region_id)))) {
      throw new MissingAttribute('endpoint region_id', 'region table');
    }
    if (e.service_id !== undefined && e.service_id !== null) {
      const svc = await this.db.selectFrom('service').select('id').where('id', '=', String(e.service_id)).executeTakeFirst();
      if (!svc) throw new MissingAttribute('endpoint service_id', 'service table');
    }
  }

  async createEndpoint(input: Record<string, unknown>, endpointId: string = newId()): Promise<EndpointRecord> {
    checkEndpointUrl(String(input.url));
    const e = await this.normalizeRegion(input);
    await this.assertRefs(e);
    await this.db.insertInto('endpoint').values({
      id: endpointId, legacy_endpoint_id: null, interface: String(e.interface), service_id: String(e.service_id), url: String(e.url),
      extra: jsonText(extraOf(e, ENDPOINT_ATTRS)), enabled: toBoolean(e.enabled, true),
      region_id: (e.region_id as string | null | undefined) ?? null,
    }).execute();
    this.ctx.audit.created('endpoint', endpointId);
    return this.getEndpoint(endpointId);
  }

  async updateEndpoint(endpointId: string, changes: Record<string, unknown>): Promise<EndpointRecord> {
    const original = await this.getEndpoint(endpointId);
    const e = await this.normalizeRegion(changes);
    await this.assertRefs(e);
    if (e.url !== undefined) checkEndpointUrl(String(e.url));
    await this.db.updateTable('endpoint').set({
      interface: 'interface' in e ? String(e.interface) : original.interface,
      service_id: 'service_id' in e ? String(e.service_id) : original.service_id,
      url: 'url' in e ? String(e.url) : original.url,
      region_id: 'region_id' in e ? ((e.region_id as string | null) ?? null) : original.region_id,
      enabled: 'enabled' in e ? toBoolean(e.enabled, true) : original.enabled,
      extra: jsonText({ ...extraOf(original, ENDPOINT_ATTRS), ...extraOf(e, ENDPOINT_ATTRS) }),
    }).where('id', '=', endpointId).execute();
    this.ctx.audit.updated('endpoint', endpointId);
    return this.getEndpoint(endpointId);
  }

  async deleteEndpoint(endpointId: string): Promise<void> {
    await this.getEndpoint(endpointId);
    await this.db.deleteFrom('endpoint').where('id', '=', endpointId).execute();
    await this.ctx.managers.endpointFilter.deleteAssociationsForEndpoint(endpointId);
    this.ctx.audit.deleted('endpoint', endpointId);
  }

  /**
   * The catalog of enabled services and endpoints (get_v3_catalog). URLs substitute
   * $(project_id)s / $(tenant_id)s / $(user_id)s; without a project, endpoints that need one
   * are left out. A project with OS-EP-FILTER associations only sees its endpoints, and
   * services left without endpoints are dropped then.
   */
  async catalog(opts: { userId?: string; projectId?: string } = {}): Promise<CatalogServiceBody[]> {
    const services = await this.db.selectFrom('service').selectAll().where('enabled', '=', 1).orderBy('id').execute();
    let endpoints = await this.db.selectFrom('endpoint').selectAll().where('enabled', '=', 1).orderBy('id').execute();
    const filtered = opts.projectId ? await this.ctx.managers.endpointFilter.listEndpointsForProject(opts.projectId) : new Map();
    if (filtered.size > 0) endpoints = endpoints.filter((e) => filtered.has(e.id));
    const values: Record<string, string> = {};
    if (opts.userId) values.user_id = opts.userId;
    if (opts.projectId) { values.tenant_id = opts.projectId; values.project_id = opts.projectId; }
    const silent = opts.projectId ? [] : ['tenant_id', 'project_id'];
    return services.map((svc) => {
      const eps: CatalogServiceBody['endpoints'] = [];
      for (const ep of endpoints.filter((e) => e.service_id === svc.id)) {
        let url: string | undefined;
        try {
          url = formatEndpointUrl(ep.url, values, silent);
        } catch {
          continue;
        }
        if (!url) continue;
        eps.push({ id: ep.id, interface: ep.interface, region: ep.region_id, region_id: ep.region_id, url });
      }
      return { id: svc.id, type: svc.type, name: String(parseJsonObject(svc.extra).name ?? ''), endpoints: eps };
    }).filter((svc) => filtered.size === 0 || svc.endpoints.length > 0);
  }
}
