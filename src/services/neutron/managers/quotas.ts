/**
 * Quotas (neutron/quota and neutron/extensions/quotasv2.py, DbQuotaNoLockDriver): per-project
 * limits with defaults from [quotas], usage counted from the resource tables, a check on
 * every create (OverQuota), and the quota API's list/show/default/details/update/delete.
 */
import { randomUUID } from 'node:crypto';
import type { Config } from '../../../common/config/index.js';
import { ownValue } from '../../../common/own.js';
import { displayValue } from '../../../common/display.js';
import { quotasGroup } from '../config.js';
import type { Db, Store } from '../db/store.js';
import { HTTPBadRequest, OverQuota } from '../errors.js';
import {
  isQuotaResource, perQuotaResource, type ProjectQuota, QUOTA_RESOURCE_NAMES, type QuotaDetails, type QuotaLimits, type QuotaResource, type QuotaUpdate,
} from '../types/quota.js';

/** Quota resource -> table counted for usage. */
const QUOTA_TABLES = {
  network: 'networks',
  subnet: 'subnets',
  subnetpool: 'subnetpools',
  port: 'ports',
  router: 'routers',
  floatingip: 'floatingips',
  security_group: 'securitygroups',
  security_group_rule: 'securitygrouprules',
  rbac_policy: 'rbac_policies',
} as const satisfies Record<QuotaResource, string>;

export class QuotaManager {
  private readonly defaults: QuotaLimits;

  constructor(private readonly store: Store, config: Config) {
    const q = config.get(quotasGroup);
    this.defaults = perQuotaResource((r) => q[`quota_${r}`]);
  }

  defaultQuotas(): QuotaLimits {
    return { ...this.defaults };
  }

  async limits(projectId: string, db: Db = this.store.db): Promise<QuotaLimits> {
    const rows = await db.selectFrom('quotas').select(['resource', 'hard_limit']).where('project_id', '=', projectId).execute();
    const out = { ...this.defaults };
    for (const r of rows) if (isQuotaResource(r.resource)) out[r.resource] = Number(r.hard_limit);
    return out;
  }

  async usage(projectId: string, resource: QuotaResource, db: Db = this.store.db): Promise<number> {
    const row = await db.selectFrom(QUOTA_TABLES[resource]).select((eb) => eb.fn.countAll().as('n')).where('project_id', '=', projectId).executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** Raises OverQuota when creating `delta` more of `resource` would exceed the project's limit. */
  async check(projectId: string, resource: QuotaResource, delta = 1): Promise<void> {
    if (projectId === '') return;
    const limit = (await this.limits(projectId))[resource];
    if (limit < 0) return;
    const used = await this.usage(projectId, resource);
    if (used + delta > limit) throw new OverQuota([resource]);
  }

  /**
   * Neutron's quota_limit_check: `delta` alone may not exceed the limit (current usage is not
   * counted). Used for the rules a new security group brings along.
   */
  async limitCheck(projectId: string, resource: QuotaResource, delta: number): Promise<void> {
    if (projectId === '') return;
    const limit = (await this.limits(projectId))[resource];
    if (limit >= 0 && limit < delta) throw new OverQuota([resource]);
  }

  async show(projectId: string): Promise<QuotaLimits> {
    return this.limits(projectId);
  }

  async details(projectId: string): Promise<QuotaDetails> {
    const limits = await this.limits(projectId);
    const used = new Map<QuotaResource, number>();
    for (const r of QUOTA_RESOURCE_NAMES) used.set(r, await this.usage(projectId, r));
    return perQuotaResource((r) => ({ limit: limits[r], used: used.get(r) ?? 0, reserved: 0 }));
  }

  /** Projects with explicit limits (GET /v2.0/quotas). */
  async all(): Promise<ProjectQuota[]> {
    const rows = await this.store.db.selectFrom('quotas').select('project_id').distinct().execute();
    const out: ProjectQuota[] = [];
    for (const r of rows) out.push({ ...(await this.limits(r.project_id)), project_id: r.project_id, tenant_id: r.project_id });
    return out;
  }

  async update(projectId: string, { limits: changes, checkLimit }: QuotaUpdate): Promise<QuotaLimits> {
    if (checkLimit) {
      for (const [r, limit] of Object.entries(changes)) {
        if (!isQuotaResource(r) || limit === undefined || limit === -1) continue;
        const used = await this.usage(projectId, r);
        if (used > limit) throw new HTTPBadRequest(`Quota limit ${limit} for ${r} must be greater than or equal to already used ${used}`);
      }
    }
    await this.store.write(async (tx) => {
      for (const r of QUOTA_RESOURCE_NAMES) {
        const v = changes[r];
        if (v === undefined) continue;
        const existing = await tx.selectFrom('quotas').select('id').where('project_id', '=', projectId).where('resource', '=', r).executeTakeFirst();
        if (existing) await tx.updateTable('quotas').set({ hard_limit: v }).where('id', '=', existing.id).execute();
        else await tx.insertInto('quotas').values({ id: randomUUID(), project_id: projectId, resource: r, hard_limit: v }).execute();
      }
    });
    return this.limits(projectId);
  }

  async reset(projectId: string): Promise<void> {
    await this.store.db.deleteFrom('quotas').where('project_id', '=', projectId).execute();
  }
}
