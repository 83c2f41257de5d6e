/** The SQL unified limit driver (keystone/limit/backends/sql.py): `registered_limit` and `project_limit`. */
import type { Kysely } from 'kysely';
import type { KeystoneDB, ProjectLimitRow, ProjectLimitUpdate, RegisteredLimitRow } from '../../db/schema.js';
import { num } from '../../db/rows.js';
import { applyHints, type Hints } from '../../lib/hints.js';
import type { LimitCreate, LimitRecord, RegisteredLimitRecord, UnifiedLimitDriver } from './base.js';

function registeredRecord(r: RegisteredLimitRow): RegisteredLimitRecord {
  return {
    id: r.id, service_id: r.service_id, region_id: r.region_id, resource_name: r.resource_name,
    default_limit: num(r.default_limit), description: r.description,
  };
}

export class SqlUnifiedLimitDriver implements UnifiedLimitDriver {
  constructor(private readonly db: Kysely<KeystoneDB>) {}

  async getRegisteredLimit(id: string): Promise<RegisteredLimitRecord | undefined> {
    const row = await this.db.selectFrom('registered_limit').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? registeredRecord(row) : undefined;
  }

  async findRegisteredLimit(serviceId: string, resourceName: string, regionId: string | null): Promise<RegisteredLimitRecord | undefined> {
    let q = this.db.selectFrom('registered_limit').selectAll().where('service_id', '=', serviceId).where('resource_name', '=', resourceName);
    q = regionId === null ? q.where('region_id', 'is', null) : q.where('region_id', '=', regionId);
    const row = await q.executeTakeFirst();
    return row ? registeredRecord(row) : undefined;
  }

  async listRegisteredLimits(hints: Hints): Promise<RegisteredLimitRecord[]> {
    let q = this.db.selectFrom('registered_limit').selectAll();
    for (const col of ['service_id', 'region_id', 'resource_name'] as const) {
      const v = hints.take(col);
      if (v !== undefined) q = q.where(col, '=', v);
    }
    return applyHints((await q.orderBy('id').execute()).map(registeredRecord), hints);
  }

  async createRegisteredLimits(limits: RegisteredLimitRecord[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      for (const row of limits) await trx.insertInto('registered_limit').values(row).execute();
    });
  }

  async updateRegisteredLimit(id: string, l: Omit<RegisteredLimitRecord, 'id'>): Promise<void> {
    await this.db.updateTable('registered_limit').set({
      service_id: l.service_id, region_id: l.region_id, resource_name: l.resource_name, default_limit: l.default_limit, description: l.description,
    }).where('id', '=', id).execute();
  }

  async deleteRegisteredLimit(id: string): Promise<void> {
    await this.db.deleteFrom('registered_limit').where('id', '=', id).execute();
  }

  async isRegisteredLimitReferenced(id: string): Promise<boolean> {
    return (await this.db.selectFrom('project_limit').select('id').where('registered_limit_id', '=', id).executeTakeFirst()) !== undefined;
  }

  /** Project limits with the service, region and resource of their registered limit. */
  private async limitRecords(rows: Array<ProjectLimitRow | LimitCreate>): Promise<LimitRecord[]> {
    const regIds = [...new Set(rows.map((r) => r.registered_limit_id))];
    const regs = regIds.length === 0 ? [] : await this.db.selectFrom('registered_limit').selectAll().where('id', 'in', regIds).execute();
    const byId = new Map(regs.map((r) => [r.id, r]));
    return rows.map((r) => {
      const reg = byId.get(r.registered_limit_id);
      return {
        id: r.id, project_id: r.project_id, domain_id: r.domain_id,
        service_id: reg?.service_id ?? '', region_id: reg?.region_id ?? null, resource_name: reg?.resource_name ?? '',
        resource_limit: num(r.resource_limit), description: r.description,
      };
    });
  }

  async getLimit(id: string): Promise<LimitRecord | undefined> {
    const row = await this.db.selectFrom('project_limit').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? (await this.limitRecords([row]))[0] : undefined;
  }

  async listLimits(hints: Hints): Promise<LimitRecord[]> {
    let q = this.db.selectFrom('project_limit').selectAll();
    for (const col of ['project_id', 'domain_id'] as const) {
      const v = hints.take(col);
      if (v !== undefined) q = q.where(col, '=', v);
    }
    return applyHints(await this.limitRecords(await q.orderBy('id').execute()), hints);
  }

  async limitExists(registeredLimitId: string, target: { projectId: string | null; domainId: string | null }): Promise<boolean> {
    let q = this.db.selectFrom('project_limit').select('id').where('registered_limit_id', '=', registeredLimitId);
    q = target.projectId ? q.where('project_id', '=', target.projectId) : q.where('domain_id', '=', target.domainId!);
    return (await q.executeTakeFirst()) !== undefined;
  }

  async createLimits(limits: LimitCreate[]): Promise<LimitRecord[]> {
    await this.db.transaction().execute(async (trx) => {
      for (const row of limits) await trx.insertInto('project_limit').values(row).execute();
    });
    return this.limitRecords(limits);
  }

  async updateLimit(id: string, changes: { resource_limit?: number; description?: string }): Promise<void> {
    const set: ProjectLimitUpdate = {};
    if (changes.resource_limit !== undefined) set.resource_limit = changes.resource_limit;
    if (changes.description !== undefined) set.description = changes.description;
    if (Object.keys(set).length > 0) await this.db.updateTable('project_limit').set(set).where('id', '=', id).execute();
  }

  async deleteLimit(id: string): Promise<void> {
    await this.db.deleteFrom('project_limit').where('id', '=', id).execute();
  }

  async deleteLimitsForProject(projectId: string): Promise<void> {
    await this.db.deleteFrom('project_limit').where((eb) => eb.or([eb('project_id', '=', projectId), eb('domain_id', '=', projectId)])).execute();
  }
}
