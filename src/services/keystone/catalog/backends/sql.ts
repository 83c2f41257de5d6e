/** The SQL catalog driver (keystone/catalog/backends/sql.py): `region`, `service` and `endpoint`. */
import type { Kysely } from 'kysely';
import { isUniqueViolation } from '../../../../common/db/index.js';
import { KeystoneConflict, RegionDeletionError } from '../../errors.js';
import { b01, type EndpointRow, type KeystoneDB, type RegionRow, type ServiceRow } from '../../db/schema.js';
import { bool, jsonText, parseJsonObject } from '../../db/rows.js';
import { applyHints, attrAsBoolean, type Hints } from '../../lib/hints.js';
import type {
  CatalogDriver, EndpointCreate, EndpointRecord, EndpointUpdate, RegionCreate, RegionRecord, RegionUpdate, ServiceCreate, ServiceRecord,
  ServiceUpdate,
} from './base.js';

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

export class SqlCatalogDriver implements CatalogDriver {
  constructor(private readonly db: Kysely<KeystoneDB>) {}

  // Regions

  async getRegion(regionId: string): Promise<RegionRecord | undefined> {
    const row = await this.db.selectFrom('region').selectAll().where('id', '=', regionId).executeTakeFirst();
    // MariaDB compares ids case-insensitively.
    return row && row.id === regionId ? regionRecord(row) : undefined;
  }

  async listRegions(hints: Hints): Promise<RegionRecord[]> {
    let q = this.db.selectFrom('region').selectAll();
    const parent = hints.take('parent_region_id');
    if (parent !== undefined) q = q.where('parent_region_id', '=', parent);
    return applyHints((await q.orderBy('id').execute()).map(regionRecord), hints);
  }

  async createRegion(r: RegionCreate): Promise<void> {
    try {
      await this.db.insertInto('region').values({
        id: r.id, description: r.description, parent_region_id: r.parent_region_id, extra: jsonText(r.extra),
      }).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw new KeystoneConflict('region', `Duplicate ID, ${r.id}.`);
      throw err;
    }
  }

  async updateRegion(regionId: string, u: RegionUpdate): Promise<void> {
    await this.db.updateTable('region').set({
      description: u.description, parent_region_id: u.parent_region_id, extra: jsonText(u.extra),
    }).where('id', '=', regionId).execute();
  }

  async deleteRegion(regionId: string): Promise<void> {
    const all = await this.db.selectFrom('region').select(['id', 'parent_region_id']).execute();
    const tree = [regionId];
    for (let i = 0; i < tree.length; i++) {
      for (const r of all) if (r.parent_region_id === tree[i] && !tree.includes(r.id)) tree.push(r.id);
    }
    const used = await this.db.selectFrom('endpoint').select('id').where('region_id', 'in', tree).executeTakeFirst();
    if (used) throw new RegionDeletionError(regionId);
    await this.db.deleteFrom('region').where('id', 'in', tree).execute();
  }

  // Services

  async getService(serviceId: string): Promise<ServiceRecord | undefined> {
    const row = await this.db.selectFrom('service').selectAll().where('id', '=', serviceId).executeTakeFirst();
    return row && row.id === serviceId ? serviceRecord(row) : undefined;
  }

  async listServices(hints: Hints): Promise<ServiceRecord[]> {
    let q = this.db.selectFrom('service').selectAll();
    const type = hints.take('type');
    if (type !== undefined) q = q.where('type', '=', type);
    const enabled = hints.take('enabled');
    if (enabled !== undefined) q = q.where('enabled', '=', b01(attrAsBoolean(enabled)));
    return applyHints((await q.orderBy('id').execute()).map(serviceRecord), hints);
  }

  async createService(s: ServiceCreate): Promise<void> {
    await this.db.insertInto('service').values({ id: s.id, type: s.type, enabled: s.enabled, extra: jsonText(s.extra) }).execute();
  }

  async updateService(serviceId: string, u: ServiceUpdate): Promise<void> {
    await this.db.updateTable('service').set({ type: u.type, enabled: u.enabled, extra: jsonText(u.extra) }).where('id', '=', serviceId).execute();
  }

  async deleteService(serviceId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('endpoint').where('service_id', '=', serviceId).execute();
      await trx.deleteFrom('service').where('id', '=', serviceId).execute();
    });
  }

  // Endpoints

  async getEndpoint(endpointId: string): Promise<EndpointRecord | undefined> {
    const row = await this.db.selectFrom('endpoint').selectAll().where('id', '=', endpointId).executeTakeFirst();
    return row && row.id === endpointId ? endpointRecord(row) : undefined;
  }

  async listEndpoints(hints: Hints): Promise<EndpointRecord[]> {
    let q = this.db.selectFrom('endpoint').selectAll();
    for (const col of ['interface', 'service_id', 'region_id'] as const) {
      const v = hints.take(col);
      if (v !== undefined) q = q.where(col, '=', v);
    }
    const enabled = hints.take('enabled');
    if (enabled !== undefined) q = q.where('enabled', '=', b01(attrAsBoolean(enabled)));
    return applyHints((await q.orderBy('id').execute()).map(endpointRecord), hints);
  }

  async createEndpoint(e: EndpointCreate): Promise<void> {
    await this.db.insertInto('endpoint').values({
      id: e.id, legacy_endpoint_id: null, interface: e.interface, service_id: e.service_id, url: e.url,
      extra: jsonText(e.extra), enabled: e.enabled, region_id: e.region_id,
    }).execute();
  }

  async updateEndpoint(endpointId: string, u: EndpointUpdate): Promise<void> {
    await this.db.updateTable('endpoint').set({
      interface: u.interface, service_id: u.service_id, url: u.url, region_id: u.region_id, enabled: u.enabled, extra: jsonText(u.extra),
    }).where('id', '=', endpointId).execute();
  }

  async deleteEndpoint(endpointId: string): Promise<void> {
    await this.db.deleteFrom('endpoint').where('id', '=', endpointId).execute();
  }
}
