/**
 * Unified limits (keystone/limit/core.py, backends/sql.py, models/): registered (default)
 * limits per service/region/resource, project and domain limits that override them, and the
 * enforcement model (flat, or strict_two_level which keeps a project's limit under its
 * domain's).
 */
import {
  checkLength, InvalidLimit, KeystoneConflict, LimitNotFound, MissingAttribute, NoLimitReference, RegisteredLimitError,
  RegisteredLimitNotFound,
} from '../errors.js';
import type { ProjectLimitRow, ProjectLimitUpdate, RegisteredLimitRow } from '../db/schema.js';
import { newId, num } from '../db/rows.js';
import { applyHints, Hints } from '../lib/hints.js';
import type { ManagerContext } from '../manager-context.js';

export interface RegisteredLimitRecord {
  id: string;
  service_id: string;
  region_id: string | null;
  resource_name: string;
  default_limit: number;
  description: string | null;
}

export interface LimitRecord {
  id: string;
  project_id: string | null;
  domain_id: string | null;
  service_id: string;
  region_id: string | null;
  resource_name: string;
  resource_limit: number;
  description: string | null;
}

export const ENFORCEMENT_MODELS = {
  flat: { name: 'flat', description: 'Limit enforcement and validation does not take project hierarchy into consideration.' },
  strict_two_level: { name: 'strict_two_level', description: 'This model requires project hierarchy never exceeds a depth of two' },
} as const;

function registeredRecord(r: RegisteredLimitRow): RegisteredLimitRecord {
  return {
    id: r.id, service_id: r.service_id, region_id: r.region_id, resource_name: r.resource_name,
    default_limit: num(r.default_limit), description: r.description,
  };
}

export class LimitManager {
  constructor(private readonly ctx: ManagerContext) {}

  private get db() { return this.ctx.db; }
  private get m() { return this.ctx.managers; }

  getModel(): { name: string; description: string } {
    const model = ENFORCEMENT_MODELS[this.ctx.config.unifiedLimit.enforcement_model];
    return { name: model.name, description: model.description };
  }

  /** _assert_resource_exist: references must exist (400 otherwise); a project id naming a domain becomes domain_id. */
  private async assertReferences(ref: Record<string, unknown>, target: 'registered_limit' | 'limit'): Promise<void> {
    if (ref.service_id !== undefined && ref.service_id !== null) {
      const svc = await this.db.selectFrom('service').select('id').where('id', '=', String(ref.service_id)).executeTakeFirst();
      if (!svc) throw new MissingAttribute('service_id', target);
    }
    if (ref.region_id !== undefined && ref.region_id !== null && !(await this.m.catalog.findRegion(String(ref.region_id)))) {
      throw new MissingAttribute('region_id', target);
    }
    if (ref.project_id !== undefined && ref.project_id !== null) {
      const p = await this.m.resource.findProject(String(ref.project_id));
      if (!p) throw new MissingAttribute('project_id', target);
      if (p.is_domain) {
        ref.domain_id = ref.project_id;
        delete ref.project_id;
      }
    }
    if (ref.domain_id !== undefined && ref.domain_id !== null && !(await this.m.resource.findDomain(String(ref.domain_id)))) {
      throw new MissingAttribute('domain_id', target);
    }
  }

  private async findRegistered(serviceId: string, resourceName: string, regionId: string | null): Promise<RegisteredLimitRow | undefined> {
    let q = this.db.selectFrom('registered_limit').selectAll().where('service_id', '=', serviceId).where('resource_name', '=', resourceName);
    q = regionId === null ? q.where('region_id', 'is', null) : q.where('region_id', '=', regionId);
    return q.executeTakeFirst();
  }

  // Registered limits

  async getRegisteredLimit(id: string): Promise<RegisteredLimitRecord> {
    const row = await this.db.selectFrom('registered_limit').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new RegisteredLimitNotFound(id);
    return registeredRecord(row);
  }

  async listRegisteredLimits(hints: Hints = new Hints()): Promise<RegisteredLimitRecord[]> {
    let q = this.db.selectFrom('registered_limit').selectAll();
    for (const col of ['service_id', 'region_id', 'resource_name'] as const) {
      const v = hints.take(col);
      if (v !== undefined) q = q.where(col, '=', v);
    }
    return applyHints((await q.orderBy('id').execute()).map(registeredRecord), hints);
  }

  async createRegisteredLimits(inputs: Array<Record<string, unknown>>): Promise<RegisteredLimitRecord[]> {
    const rows: RegisteredLimitRow[] = [];
    for (const input of inputs) {
      const ref = { ...input };
      checkLength(ref.region_id, 64);
      await this.assertReferences(ref, 'registered_limit');
      const row: RegisteredLimitRow = {
        id: (ref.id as string | undefined) ?? newId(), service_id: String(ref.service_id), region_id: (ref.region_id as string | null | undefined) ?? null,
        resource_name: String(ref.resource_name), default_limit: Number(ref.default_limit), description: (ref.description as string | null | undefined) ?? null,
      };
      const dup = rows.some((r) => r.service_id === row.service_id && r.resource_name === row.resource_name && r.region_id === row.region_id);
      if (dup || (await this.findRegistered(row.service_id, row.resource_name, row.region_id))) {
        throw new KeystoneConflict('registered_limit', 'Duplicate entry');
      }
      rows.push(row);
    }
    await this.db.transaction().execute(async (trx) => {
      for (const row of rows) await trx.insertInto('registered_limit').values(row).execute();
    });
    for (const row of rows) this.ctx.audit.created('registered_limit', row.id);
    return rows.map(registeredRecord);
  }

  private async assertUnreferenced(id: string): Promise<void> {
    const used = await this.db.selectFrom('project_limit').select('id').where('registered_limit_id', '=', id).executeTakeFirst();
    if (used) throw new RegisteredLimitError(id);
  }

  async updateRegisteredLimit(id: string, changes: Record<string, unknown>): Promise<RegisteredLimitRecord> {
    const current = await this.getRegisteredLimit(id);
    const ref = { ...changes };
    await this.assertReferences(ref, 'registered_limit');
    await this.assertUnreferenced(id);
    const next = { ...current, ...ref } as RegisteredLimitRecord;
    if (ref.service_id || 'region_id' in ref || ref.resource_name) {
      const other = await this.findRegistered(next.service_id, next.resource_name, next.region_id ?? null);
      if (other && other.id !== id) throw new KeystoneConflict('registered_limit', 'Duplicate entry');
    }
    await this.db.updateTable('registered_limit').set({
      service_id: next.service_id, region_id: next.region_id ?? null, resource_name: next.resource_name,
      default_limit: Number(next.default_limit), description: next.description ?? null,
    }).where('id', '=', id).execute();
    this.ctx.audit.updated('registered_limit', id);
    return this.getRegisteredLimit(id);
  }

  async deleteRegisteredLimit(id: string): Promise<void> {
    await this.getRegisteredLimit(id);
    await this.assertUnreferenced(id);
    await this.db.deleteFrom('registered_limit').where('id', '=', id).execute();
    this.ctx.audit.deleted('registered_limit', id);
  }

  // Project and domain limits

  private async limitRecords(rows: ProjectLimitRow[]): Promise<LimitRecord[]> {
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

  async getLimit(id: string): Promise<LimitRecord> {
    const row = await this.db.selectFrom('project_limit').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new LimitNotFound(id);
    return (await this.limitRecords([row]))[0]!;
  }

  async listLimits(hints: Hints = new Hints()): Promise<LimitRecord[]> {
    let q = this.db.selectFrom('project_limit').selectAll();
    for (const col of ['project_id', 'domain_id'] as const) {
      const v = hints.take(col);
      if (v !== undefined) q = q.where(col, '=', v);
    }
    return applyHints(await this.limitRecords(await q.orderBy('id').execute()), hints);
  }

  async createLimits(inputs: Array<Record<string, unknown>>): Promise<LimitRecord[]> {
    const refs: Array<Record<string, unknown>> = [];
    for (const input of inputs) {
      const ref = { ...input };
      await this.assertReferences(ref, 'limit');
      refs.push(ref);
    }
    await this.checkModel(refs as unknown as LimitRecord[]);
    const rows: ProjectLimitRow[] = [];
    for (const ref of refs) {
      const reg = await this.findRegistered(String(ref.service_id), String(ref.resource_name), (ref.region_id as string | null | undefined) ?? null);
      if (!reg) throw new NoLimitReference();
      const row: ProjectLimitRow = {
        id: (ref.id as string | undefined) ?? newId(), project_id: (ref.project_id as string | undefined) ?? null,
        domain_id: (ref.domain_id as string | undefined) ?? null, resource_limit: Number(ref.resource_limit),
        description: (ref.description as string | null | undefined) ?? null, registered_limit_id: reg.id,
      };
      let dupQ = this.db.selectFrom('project_limit').select('id').where('registered_limit_id', '=', reg.id);
      dupQ = row.project_id ? dupQ.where('project_id', '=', row.project_id) : dupQ.where('domain_id', '=', row.domain_id!);
      const dupInBatch = rows.some((r) => r.registered_limit_id === reg.id && r.project_id === row.project_id && r.domain_id === row.domain_id);
      if (dupInBatch || (await dupQ.executeTakeFirst())) throw new KeystoneConflict('limit', 'Duplicate entry');
      rows.push(row);
    }
    await this.db.transaction().execute(async (trx) => {
      for (const row of rows) await trx.insertInto('project_limit').values(row).execute();
    });
    for (const row of rows) this.ctx.audit.created('limit', row.id);
    return this.limitRecords(rows);
  }

  async updateLimit(id: string, changes: Record<string, unknown>): Promise<LimitRecord> {
    const current = await this.getLimit(id);
    await this.checkModel([{ ...current, ...changes } as LimitRecord]);
    const set: ProjectLimitUpdate = {};
    if (changes.resource_limit !== undefined && changes.resource_limit !== null) set.resource_limit = Number(changes.resource_limit);
    if (changes.description) set.description = String(changes.description);
    if (Object.keys(set).length > 0) await this.db.updateTable('project_limit').set(set).where('id', '=', id).execute();
    this.ctx.audit.updated('limit', id);
    return this.getLimit(id);
  }

  async deleteLimit(id: string): Promise<void> {
    await this.getLimit(id);
    await this.db.deleteFrom('project_limit').where('id', '=', id).execute();
    this.ctx.audit.deleted('limit', id);
  }

  async deleteLimitsForProject(projectId: string): Promise<void> {
    await this.db.deleteFrom('project_limit').where((eb) => eb.or([eb('project_id', '=', projectId), eb('domain_id', '=', projectId)])).execute();
  }

  /** The limit value of a project or domain, falling back to the registered default for a domain. */
  private async specifiedValue(l: { service_id: string; region_id: string | null; resource_name: string }, target: { projectId?: string; domainId?: string }): Promise<number | undefined> {
    const hints = new Hints();
    if (target.projectId) hints.add('project_id', target.projectId);
    if (target.domainId) hints.add('domain_id', target.domainId);
    const found = (await this.listLimits(hints)).find((x) => x.service_id === l.service_id && x.resource_name === l.resource_name && x.region_id === (l.region_id ?? null));
    if (found) return found.resource_limit;
    if (target.domainId) {
      const reg = await this.findRegistered(l.service_id, l.resource_name, l.region_id ?? null);
      return reg ? num(reg.default_limit) : undefined;
    }
    return undefined;
  }

  /** strict_two_level's check_limit; flat accepts anything. */
  private async checkModel(limits: LimitRecord[]): Promise<void> {
    if (this.ctx.config.unifiedLimit.enforcement_model !== 'strict_two_level') return;
    for (const l of limits) {
      const regionId = l.region_id ?? null;
      try {
        let parentId: string | null = null;
        if (l.project_id) {
          parentId = (await this.m.resource.getProject(l.project_id)).parent_id;
          const parentLimit = limits.find((x) => x.domain_id === parentId && x.service_id === l.service_id && (x.region_id ?? null) === regionId && x.resource_name === l.resource_name);
          if (parentLimit) {
            if (l.resource_limit > parentLimit.resource_limit) {
              throw new InvalidLimit(`The value of the limit which project is ${l.project_id} should not bigger than its parent domain ${parentLimit.domain_id}.`);
            }
            continue;
          }
        }
        if (parentId) {
          const parentValue = await this.specifiedValue(l, { domainId: parentId });
          if (parentValue && l.resource_limit > parentValue) throw new InvalidLimit('Limit is bigger than parent.');
        } else if (l.domain_id) {
          for (const sub of await this.m.resource.listProjectsInSubtree(l.domain_id)) {
            const subValue = await this.specifiedValue(l, { projectId: sub.id });
            if (subValue && l.resource_limit < subValue) throw new InvalidLimit('Limit is smaller than child.');
          }
        }
      } catch (err) {
        if (!(err instanceof InvalidLimit)) throw err;
        const level = l.project_id ? 'project_id' : 'domain_id';
        throw new InvalidLimit(`The resource limit (${level}: ${l.project_id ?? l.domain_id}, resource_name: ${l.resource_name}, resource_limit: ${l.resource_limit}, service_id: ${l.service_id}, region_id: ${regionId ?? 'None'}) doesn't satisfy current hierarchy model.`);
      }
    }
  }
}
