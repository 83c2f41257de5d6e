/**
 * Quotas (neutron/quota and neutron/extensions/quotasv2.py, DbQuotaNoLockDriver): per-project
 * limits with defaults from [quotas], usage counted from the resource tables, a check on
 * every create (OverQuota), and the quota API's list/show/default/details/update/delete.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Config } from '../../../common/config/index.js';
import { ownValue } from '../../../common/own.js';
import { displayValue } from '../../../common/display.js';
import { quotasGroup } from '../config.js';
import type { Db, Store } from '../db/store.js';
import { HTTPBadRequest, OverQuota } from '../errors.js';
import type { Dict } from './types.js';

/** Quota resource -> table counted for usage. */
/** neutron_lib.db.constants.DB_INTEGER_MAX_VALUE */
const DB_INTEGER_MAX = 2 ** 31 - 1;

export const QUOTA_RESOURCES: Readonly<Record<string, string>> = {
  network: 'networks',
  subnet: 'subnets',
  subnetpool: 'subnetpools',
  port: 'ports',
  router: 'routers',
  floatingip: 'floatingips',
  security_group: 'securitygroups',
  security_group_rule: 'securitygrouprules',
  rbac_policy: 'rbac_policies',
};

export class QuotaManager {
  private readonly defaults: Record<string, number>;

  constructor(private readonly store: Store, config: Config) {
    const q = config.get(quotasGroup) as Record<string, number>;
    this.defaults = Object.fromEntries(Object.keys(QUOTA_RESOURCES).map((r) => [r, q[`quota_${r}`] ?? q.default_quota ?? -1]));
  }

  get resources(): string[] {
    return Object.keys(QUOTA_RESOURCES);
  }

  defaultQuotas(): Dict {
    return { ...this.defaults };
  }

  async limits(projectId: string, db: Db = this.store.db): Promise<Record<string, number>> {
    const rows = await db.selectFrom('quotas').select(['resource', 'hard_limit']).where('project_id', '=', projectId).execute();
    const out = { ...this.defaults };
    for (const r of rows) if (Object.hasOwn(out, r.resource)) out[r.resource] = Number(r.hard_limit);
    return out;
  }

  async usage(projectId: string, resource: string, db: Db = this.store.db): Promise<number> {
    const table = ownValue(QUOTA_RESOURCES, resource);
    if (!table) return 0;
    const row = await (db as Kysely<any>).selectFrom(table).select((eb: any) => eb.fn.countAll().as('n')).where('project_id', '=', projectId).executeTakeFirst();
    return Number((row as { n?: unknown } | undefined)?.n ?? 0);
  }

  /** Raises OverQuota when creating `delta` more of `resource` would exceed the project's limit. */
  async check(projectId: string, resource: string, delta = 1): Promise<void> {
    if (!Object.hasOwn(QUOTA_RESOURCES, resource) || projectId === '') return;
    const limit = (await this.limits(projectId))[resource]!;
    if (limit < 0) return;
    const used = await this.usage(projectId, resource);
    if (used + delta > limit) throw new OverQuota([resource]);
  }

  /**
   * Neutron's quota_limit_check: `delta` alone may not exceed the limit (current usage is not
   * counted). Used for the rules a new security group brings along.
   */
  async limitCheck(projectId: string, resource: string, delta: number): Promise<void> {
    if (!Object.hasOwn(QUOTA_RESOURCES, resource) || projectId === '') return;
    const limit = (await this.limits(projectId))[resource]!;
    if (limit >= 0 && limit < delta) throw new OverQuota([resource]);
  }

  async show(projectId: string): Promise<Dict> {
    return this.limits(projectId);
  }

  async details(projectId: string): Promise<Dict> {
    const limits = await this.limits(projectId);
    const out: Dict = {};
    for (const r of this.resources) out[r] = { limit: limits[r], used: await this.usage(projectId, r), reserved: 0 };
    return out;
  }

  /** Projects with explicit limits (GET /v2.0/quotas). */
  async all(): Promise<Dict[]> {
    const rows = await this.store.db.selectFrom('quotas').select('project_id').distinct().execute();
    const out: Dict[] = [];
    for (const r of rows) out.push({ ...(await this.limits(r.project_id)), project_id: r.project_id, tenant_id: r.project_id });
    return out;
  }

  async update(projectId: string, body: Dict): Promise<Dict> {
    const force = body.force === true || body.force === 'True' || body.force === 'true';
    const changes: Record<string, number> = {};
    for (const [k, v] of Object.entries(body)) {
      if (k === 'force' || k === 'check_limit') continue;
      if (!Object.hasOwn(QUOTA_RESOURCES, k)) throw new HTTPBadRequest(`Unrecognized attribute(s) '${k}'`);
      const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : NaN;
      if (!Number.isInteger(n)) throw new HTTPBadRequest(`Invalid input for ${k}. Reason: '${displayValue(v)}' is not an integer.`);
      if (n < -1) throw new HTTPBadRequest(`Invalid input for ${k}. Reason: '${n}' is too small - must be at least '-1'.`);
      if (n > DB_INTEGER_MAX) throw new HTTPBadRequest(`Invalid input for ${k}. Reason: '${n}' is too large - must be no larger than '${DB_INTEGER_MAX}'.`);
      changes[k] = n;
    }
    if (!force) {
      for (const [k, limit] of Object.entries(changes)) {
        if (limit === -1) continue;
        const used = await this.usage(projectId, k);
        if (used > limit) throw new HTTPBadRequest(`Quota limit ${limit} for ${k} must be greater than or equal to already used ${used}`);
      }
    }
    await this.store.write(async (tx) => {
      for (const [k, v] of Object.entries(changes)) {
        const existing = await tx.selectFrom('quotas').select('id').where('project_id', '=', projectId).where('resource', '=', k).executeTakeFirst();
        if (existing) await tx.updateTable('quotas').set({ hard_limit: v }).where('id', '=', existing.id).execute();
        else await tx.insertInto('quotas').values({ id: randomUUID(), project_id: projectId, resource: k, hard_limit: v }).execute();
      }
    });
    return this.limits(projectId);
  }

  async reset(projectId: string): Promise<void> {
    await this.store.db.deleteFrom('quotas').where('project_id', '=', projectId).execute();
  }
}
