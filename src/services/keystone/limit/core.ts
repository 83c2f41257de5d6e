/**
 * The unified limit Manager (keystone/limit/core.py): registered (default) limits per
 * service/region/resource, project and domain limits that override them, over a
 * UnifiedLimitDriver (backends/base.ts) chosen by `[unified_limit] driver`, and the
 * enforcement model (flat, or strict_two_level which keeps a project's limit under its
 * domain's). A deleted project or domain loses its limits (a callback).
 */
import type { CatalogManager } from '../catalog/core.js';
import type { UnifiedLimitOptions } from '../config.js';
import {
  checkLength, InvalidLimit, KeystoneConflict, LimitNotFound, MissingAttribute, NoLimitReference, RegisteredLimitError,
  RegisteredLimitNotFound,
} from '../errors.js';
import { newId } from '../db/rows.js';
import { Hints } from '../lib/hints.js';
import type { KeystoneEvents } from '../events.js';
import type { ResourceManager } from '../resource/core.js';
import type { IdentityAudit } from '../rpc/audit.js';
import type { LimitCreate, LimitRecord, RegisteredLimitRecord, UnifiedLimitDriver } from './backends/base.js';

export const ENFORCEMENT_MODELS = {
  flat: { name: 'flat', description: 'Limit enforcement and validation does not take project hierarchy into consideration.' },
  strict_two_level: { name: 'strict_two_level', description: 'This model requires project hierarchy never exceeds a depth of two' },
} as const;

/** A registered limit, or a project or domain limit, as the API creates or updates it. */
export interface LimitInput {
  id?: string;
  service_id?: unknown;
  region_id?: string | null;
  resource_name?: unknown;
  default_limit?: unknown;
  project_id?: string | null;
  domain_id?: string | null;
  resource_limit?: unknown;
  description?: string | null;
  [extra: string]: unknown;
}

export interface LimitManagerDeps {
  /** Services and regions limits refer to. */
  catalog: CatalogManager;
  /** Projects and domains limits apply to. */
  resource: ResourceManager;
  /** [unified_limit] enforcement_model. */
  config: Pick<UnifiedLimitOptions, 'enforcement_model'>;
  events: KeystoneEvents;
  audit: IdentityAudit;
}

export class LimitManager {
  constructor(private readonly driver: UnifiedLimitDriver, private readonly deps: LimitManagerDeps) {
    deps.events.on('project.deleted', ({ projectId }) => driver.deleteLimitsForProject(projectId));
  }

  getModel(): { name: string; description: string } {
    const model = ENFORCEMENT_MODELS[this.deps.config.enforcement_model];
    return { name: model.name, description: model.description };
  }

  /** _assert_resource_exist: references must exist (400 otherwise); a project id naming a domain becomes domain_id. */
  private async assertReferences(ref: Record<string, unknown>, target: 'registered_limit' | 'limit'): Promise<void> {
    if (ref.service_id !== undefined && ref.service_id !== null && !(await this.deps.catalog.serviceExists(String(ref.service_id)))) {
      throw new MissingAttribute('service_id', target);
    }
    if (ref.region_id !== undefined && ref.region_id !== null && !(await this.deps.catalog.findRegion(String(ref.region_id)))) {
      throw new MissingAttribute('region_id', target);
    }
    if (ref.project_id !== undefined && ref.project_id !== null) {
      const p = await this.deps.resource.findProject(String(ref.project_id));
      if (!p) throw new MissingAttribute('project_id', target);
      if (p.is_domain) {
        ref.domain_id = ref.project_id;
        delete ref.project_id;
      }
    }
    if (ref.domain_id !== undefined && ref.domain_id !== null && !(await this.deps.resource.findDomain(String(ref.domain_id)))) {
      throw new MissingAttribute('domain_id', target);
    }
  }

  // Registered limits

  async getRegisteredLimit(id: string): Promise<RegisteredLimitRecord> {
    const limit = await this.driver.getRegisteredLimit(id);
    if (!limit) throw new RegisteredLimitNotFound(id);
    return limit;
  }

  listRegisteredLimits(hints: Hints = new Hints()): Promise<RegisteredLimitRecord[]> {
    return this.driver.listRegisteredLimits(hints);
  }

  async createRegisteredLimits(inputs: LimitInput[]): Promise<RegisteredLimitRecord[]> {
    const rows: RegisteredLimitRecord[] = [];
    for (const input of inputs) {
      const ref = { ...input };
      checkLength(ref.region_id, 64);
      await this.assertReferences(ref, 'registered_limit');
      const row: RegisteredLimitRecord = {
        id: (ref.id as string | undefined) ?? newId(), service_id: String(ref.service_id), region_id: (ref.region_id as string | null | undefined) ?? null,
        resource_name: String(ref.resource_name), default_limit: Number(ref.default_limit), description: (ref.description as string | null | undefined) ?? null,
      };
      const dup = rows.some((r) => r.service_id === row.service_id && r.resource_name === row.resource_name && r.region_id === row.region_id);
      if (dup || (await this.driver.findRegisteredLimit(row.service_id, row.resource_name, row.region_id))) {
        throw new KeystoneConflict('registered_limit', 'Duplicate entry');
      }
      rows.push(row);
    }
    await this.driver.createRegisteredLimits(rows);
    for (const row of rows) this.deps.audit.created('registered_limit', row.id);
    return rows;
  }

  private async assertUnreferenced(id: string): Promise<void> {
    if (await this.driver.isRegisteredLimitReferenced(id)) throw new RegisteredLimitError(id);
  }

  async updateRegisteredLimit(id: string, changes: LimitInput): Promise<RegisteredLimitRecord> {
    const current = await this.getRegisteredLimit(id);
    const ref = { ...changes };
    await this.assertReferences(ref, 'registered_limit');
    await this.assertUnreferenced(id);
    const next = { ...current, ...ref } as RegisteredLimitRecord;
    if (ref.service_id || 'region_id' in ref || ref.resource_name) {
      const other = await this.driver.findRegisteredLimit(next.service_id, next.resource_name, next.region_id ?? null);
      if (other && other.id !== id) throw new KeystoneConflict('registered_limit', 'Duplicate entry');
    }
    await this.driver.updateRegisteredLimit(id, {
      service_id: next.service_id, region_id: next.region_id ?? null, resource_name: next.resource_name,
      default_limit: Number(next.default_limit), description: next.description ?? null,
    });
    this.deps.audit.updated('registered_limit', id);
    return this.getRegisteredLimit(id);
  }

  async deleteRegisteredLimit(id: string): Promise<void> {
    await this.getRegisteredLimit(id);
    await this.assertUnreferenced(id);
    await this.driver.deleteRegisteredLimit(id);
    this.deps.audit.deleted('registered_limit', id);
  }

  // Project and domain limits

  async getLimit(id: string): Promise<LimitRecord> {
    const limit = await this.driver.getLimit(id);
    if (!limit) throw new LimitNotFound(id);
    return limit;
  }

  listLimits(hints: Hints = new Hints()): Promise<LimitRecord[]> {
    return this.driver.listLimits(hints);
  }

  async createLimits(inputs: LimitInput[]): Promise<LimitRecord[]> {
    const refs: Array<Record<string, unknown>> = [];
    for (const input of inputs) {
      const ref = { ...input };
      await this.assertReferences(ref, 'limit');
      refs.push(ref);
    }
    await this.checkModel(refs as unknown as LimitRecord[]);
    const rows: LimitCreate[] = [];
    for (const ref of refs) {
      const reg = await this.driver.findRegisteredLimit(String(ref.service_id), String(ref.resource_name), (ref.region_id as string | null | undefined) ?? null);
      if (!reg) throw new NoLimitReference();
      const row: LimitCreate = {
        id: (ref.id as string | undefined) ?? newId(), project_id: (ref.project_id as string | undefined) ?? null,
        domain_id: (ref.domain_id as string | undefined) ?? null, resource_limit: Number(ref.resource_limit),
        description: (ref.description as string | null | undefined) ?? null, registered_limit_id: reg.id,
      };
      const dupInBatch = rows.some((r) => r.registered_limit_id === reg.id && r.project_id === row.project_id && r.domain_id === row.domain_id);
      if (dupInBatch || (await this.driver.limitExists(reg.id, { projectId: row.project_id, domainId: row.domain_id }))) {
        throw new KeystoneConflict('limit', 'Duplicate entry');
      }
      rows.push(row);
    }
    const created = await this.driver.createLimits(rows);
    for (const row of rows) this.deps.audit.created('limit', row.id);
    return created;
  }

  async updateLimit(id: string, changes: LimitInput): Promise<LimitRecord> {
    const current = await this.getLimit(id);
    await this.checkModel([{ ...current, ...changes } as LimitRecord]);
    await this.driver.updateLimit(id, {
      ...(changes.resource_limit !== undefined && changes.resource_limit !== null ? { resource_limit: Number(changes.resource_limit) } : {}),
      ...(changes.description ? { description: String(changes.description) } : {}),
    });
    this.deps.audit.updated('limit', id);
    return this.getLimit(id);
  }

  async deleteLimit(id: string): Promise<void> {
    await this.getLimit(id);
    await this.driver.deleteLimit(id);
    this.deps.audit.deleted('limit', id);
  }

  /** The limit value of a project or domain, falling back to the registered default for a domain. */
  private async specifiedValue(l: { service_id: string; region_id: string | null; resource_name: string }, target: { projectId?: string; domainId?: string }): Promise<number | undefined> {
    const hints = new Hints();
    if (target.projectId) hints.add('project_id', target.projectId);
    if (target.domainId) hints.add('domain_id', target.domainId);
    const found = (await this.listLimits(hints)).find((x) => x.service_id === l.service_id && x.resource_name === l.resource_name && x.region_id === (l.region_id ?? null));
    if (found) return found.resource_limit;
    if (target.domainId) {
      const reg = await this.driver.findRegisteredLimit(l.service_id, l.resource_name, l.region_id ?? null);
      return reg ? reg.default_limit : undefined;
    }
    return undefined;
  }

  /** strict_two_level's check_limit; flat accepts anything. */
  private async checkModel(limits: LimitRecord[]): Promise<void> {
    if (this.deps.config.enforcement_model !== 'strict_two_level') return;
    for (const l of limits) {
      const regionId = l.region_id ?? null;
      try {
        let parentId: string | null = null;
        if (l.project_id) {
          parentId = (await this.deps.resource.getProject(l.project_id)).parent_id;
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
          for (const sub of await this.deps.resource.listProjectsInSubtree(l.domain_id)) {
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
