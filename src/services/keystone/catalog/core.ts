/**
 * The catalog Manager (keystone/catalog/core.py): regions (a tree through parent_region_id),
 * services and their endpoints over a CatalogDriver (backends/base.ts) chosen by
 * `[catalog] driver`, and the catalog as tokens show it, filtered by the project's endpoint
 * associations (the EndpointFilterManager's, OS-EP-FILTER).
 */
import {
  checkLength, CircularRegionHierarchyError, EndpointNotFound, KeystoneConflict, MissingAttribute, RegionNotFound, ServiceNotFound,
} from '../errors.js';
import { newId } from '../db/rows.js';
import type { EndpointFilterManager } from '../endpoint_filter/core.js';
import type { KeystoneEvents } from '../events.js';
import { extraAttributes } from '../lib/extra-attributes.js';
import { toBoolean } from '../lib/booleans.js';
import { Hints } from '../lib/hints.js';
import type { CatalogServiceBody } from '../providers.js';
import type { IdentityAudit } from '../rpc/audit.js';
import type { CatalogDriver, EndpointRecord, RegionRecord, ServiceRecord } from './backends/base.js';
import { checkEndpointUrl, formatEndpointUrl } from './endpoint-url.js';

const REGION_ATTRS = new Set(['id', 'description', 'parent_region_id']);
const SERVICE_ATTRS = new Set(['id', 'type', 'enabled']);
const ENDPOINT_ATTRS = new Set(['id', 'interface', 'region_id', 'service_id', 'url', 'legacy_endpoint_id', 'enabled', 'region']);

/** Whether an endpoint's attributes equal every filter of an endpoint group. */
const inGroup = (e: EndpointRecord, filters: Record<string, unknown>): boolean => Object.entries(filters).every(([k, v]) => e[k] === v);

/** A region, service or endpoint as the API creates or updates it: known attributes plus any extra ones. */
export type CatalogInput = Record<string, unknown>;

export interface CatalogManagerDeps {
  /** Project endpoint associations and endpoint groups (they filter a project's catalog). */
  endpointFilter: EndpointFilterManager;
  audit: IdentityAudit;
  events: KeystoneEvents;
}

export class CatalogManager {
  constructor(private readonly driver: CatalogDriver, private readonly deps: CatalogManagerDeps) {}

  // Regions

  findRegion(regionId: string): Promise<RegionRecord | undefined> {
    return this.driver.getRegion(regionId);
  }

  async getRegion(regionId: string): Promise<RegionRecord> {
    const r = await this.findRegion(regionId);
    if (!r) throw new RegionNotFound(regionId);
    return r;
  }

  listRegions(hints: Hints = new Hints()): Promise<RegionRecord[]> {
    return this.driver.listRegions(hints);
  }

  async createRegion(input: CatalogInput): Promise<RegionRecord> {
    const id = (input.id as string | undefined) || newId();
    if (await this.findRegion(id)) throw new KeystoneConflict('region', `Duplicate ID, ${id}.`);
    const parent = (input.parent_region_id as string | null | undefined) ?? null;
    checkLength(input.description, 255);
    if (parent !== null && !(await this.findRegion(parent))) throw new RegionNotFound(parent);
    await this.driver.createRegion({
      id, description: (input.description as string | null | undefined) ?? '', parent_region_id: parent, extra: extraAttributes(input, REGION_ATTRS),
    });
    this.deps.audit.created('region', id);
    return this.getRegion(id);
  }

  async updateRegion(regionId: string, changes: CatalogInput): Promise<RegionRecord> {
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
    await this.driver.updateRegion(regionId, {
      description, parent_region_id: parent, extra: { ...extraAttributes(original, REGION_ATTRS), ...extraAttributes(changes, REGION_ATTRS) },
    });
    this.deps.audit.updated('region', regionId);
    return this.getRegion(regionId);
  }

  /** Deletes a region and its sub-regions, unless one of them has endpoints. */
  async deleteRegion(regionId: string): Promise<void> {
    await this.getRegion(regionId);
    await this.driver.deleteRegion(regionId);
    await this.deps.events.emit('region.deleted', { regionId });
    this.deps.audit.deleted('region', regionId);
  }

  // Services

  async getService(serviceId: string): Promise<ServiceRecord> {
    const s = await this.driver.getService(serviceId);
    if (!s) throw new ServiceNotFound(serviceId);
    return s;
  }

  /** Whether the service exists (references from endpoints and limits). */
  async serviceExists(serviceId: string): Promise<boolean> {
    return (await this.driver.getService(serviceId)) !== undefined;
  }

  listServices(hints: Hints = new Hints()): Promise<ServiceRecord[]> {
    return this.driver.listServices(hints);
  }

  async createService(input: CatalogInput, serviceId: string = newId()): Promise<ServiceRecord> {
    await this.driver.createService({
      id: serviceId, type: String(input.type), enabled: toBoolean(input.enabled, true), extra: { name: '', ...extraAttributes(input, SERVICE_ATTRS) },
    });
    this.deps.audit.created('service', serviceId);
    return this.getService(serviceId);
  }

  async updateService(serviceId: string, changes: CatalogInput): Promise<ServiceRecord> {
    const original = await this.getService(serviceId);
    await this.driver.updateService(serviceId, {
      type: 'type' in changes ? String(changes.type) : original.type,
      enabled: 'enabled' in changes ? toBoolean(changes.enabled, true) : original.enabled,
      extra: { ...extraAttributes(original, SERVICE_ATTRS), ...extraAttributes(changes, SERVICE_ATTRS) },
    });
    this.deps.audit.updated('service', serviceId);
    return this.getService(serviceId);
  }

  /** Deletes a service and its endpoints (with their project associations). */
  async deleteService(serviceId: string): Promise<void> {
    await this.getService(serviceId);
    const endpoints = await this.driver.listEndpoints(new Hints().add('service_id', serviceId));
    await this.driver.deleteService(serviceId);
    for (const e of endpoints) await this.deps.events.emit('endpoint.deleted', { endpointId: e.id });
    await this.deps.events.emit('service.deleted', { serviceId });
    this.deps.audit.deleted('service', serviceId);
  }

  // Endpoints

  async getEndpoint(endpointId: string): Promise<EndpointRecord> {
    const e = await this.driver.getEndpoint(endpointId);
    if (!e) throw new EndpointNotFound(endpointId);
    return e;
  }

  listEndpoints(hints: Hints = new Hints()): Promise<EndpointRecord[]> {
    return this.driver.listEndpoints(hints);
  }

  /**
   * `region` (the old attribute) names a region that is created when missing, as upstream's
   * _validate_endpoint_region does; `region_id` must name an existing region.
   */
  private async normalizeRegion(input: CatalogInput): Promise<CatalogInput> {
    const out = { ...input };
    if ((out.region_id === undefined || out.region_id === null) && out.region !== undefined && out.region !== null) {
      out.region_id = out.region;
      delete out.region;
      if (!(await this.findRegion(String(out.region_id)))) await this.createRegion({ id: out.region_id });
    }
    delete out.region;
    return out;
  }

  private async assertRefs(e: CatalogInput): Promise<void> {
    if (e.region_id !== undefined && e.region_id !== null && !(await this.findRegion(String(e.region_id)))) {
      throw new MissingAttribute('endpoint region_id', 'region table');
    }
    if (e.service_id !== undefined && e.service_id !== null && !(await this.serviceExists(String(e.service_id)))) {
      throw new MissingAttribute('endpoint service_id', 'service table');
    }
  }

  async createEndpoint(input: CatalogInput, endpointId: string = newId()): Promise<EndpointRecord> {
    checkEndpointUrl(String(input.url));
    const e = await this.normalizeRegion(input);
    await this.assertRefs(e);
    await this.driver.createEndpoint({
      id: endpointId, interface: String(e.interface), service_id: String(e.service_id), url: String(e.url),
      extra: extraAttributes(e, ENDPOINT_ATTRS), enabled: toBoolean(e.enabled, true), region_id: (e.region_id as string | null | undefined) ?? null,
    });
    this.deps.audit.created('endpoint', endpointId);
    return this.getEndpoint(endpointId);
  }

  async updateEndpoint(endpointId: string, changes: CatalogInput): Promise<EndpointRecord> {
    const original = await this.getEndpoint(endpointId);
    const e = await this.normalizeRegion(changes);
    await this.assertRefs(e);
    if (e.url !== undefined) checkEndpointUrl(String(e.url));
    await this.driver.updateEndpoint(endpointId, {
      interface: 'interface' in e ? String(e.interface) : original.interface,
      service_id: 'service_id' in e ? String(e.service_id) : original.service_id,
      url: 'url' in e ? String(e.url) : original.url,
      region_id: 'region_id' in e ? ((e.region_id as string | null) ?? null) : original.region_id,
      enabled: 'enabled' in e ? toBoolean(e.enabled, true) : original.enabled,
      extra: { ...extraAttributes(original, ENDPOINT_ATTRS), ...extraAttributes(e, ENDPOINT_ATTRS) },
    });
    this.deps.audit.updated('endpoint', endpointId);
    return this.getEndpoint(endpointId);
  }

  async deleteEndpoint(endpointId: string): Promise<void> {
    await this.getEndpoint(endpointId);
    await this.driver.deleteEndpoint(endpointId);
    await this.deps.events.emit('endpoint.deleted', { endpointId });
    this.deps.audit.deleted('endpoint', endpointId);
  }

  // Endpoint filtering (OS-EP-FILTER)

  /** The endpoints whose attributes equal every filter of the endpoint group. */
  async listEndpointsInGroup(groupId: string): Promise<EndpointRecord[]> {
    const { filters } = await this.deps.endpointFilter.getEndpointGroup(groupId);
    return (await this.listEndpoints()).filter((e) => inGroup(e, filters));
  }

  /** The endpoints of a project: direct associations plus its endpoint groups' (list_endpoints_for_project). */
  async listEndpointsForProject(projectId: string): Promise<Map<string, EndpointRecord>> {
    const out = new Map<string, EndpointRecord>();
    const direct = await this.deps.endpointFilter.listEndpointIdsForProject(projectId);
    const all = await this.listEndpoints();
    for (const e of all) if (direct.includes(e.id)) out.set(e.id, e);
    for (const group of await this.deps.endpointFilter.endpointGroupsOfProject(projectId)) {
      for (const e of all) if (!out.has(e.id) && inGroup(e, group.filters)) out.set(e.id, e);
    }
    return out;
  }

  /**
   * The catalog of enabled services and endpoints (get_v3_catalog). URLs substitute
   * $(project_id)s / $(tenant_id)s / $(user_id)s; without a project, endpoints that need one
   * are left out. A project with OS-EP-FILTER associations only sees its endpoints, and
   * services left without endpoints are dropped then.
   */
  async catalog(opts: { userId?: string; projectId?: string } = {}): Promise<CatalogServiceBody[]> {
    const services = await this.listServices(new Hints().add('enabled', '1'));
    let endpoints = await this.listEndpoints(new Hints().add('enabled', '1'));
    const filtered = opts.projectId ? await this.listEndpointsForProject(opts.projectId) : new Map();
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
      return { id: svc.id, type: svc.type, name: String(svc.name ?? ''), endpoints: eps };
    }).filter((svc) => filtered.size === 0 || svc.endpoints.length > 0);
  }
}
