/**
 * Quota limits as nova's DbQuotaDriver stores them: per-project rows (quotas), per-user rows
 * (project_user_quotas) and quota classes (quota_classes, where `default` holds the defaults
 * that win over [quota] in nova.conf). Usage is counted from the resources themselves, as nova
 * does since Pike (no reservations): the counts of key pairs, server groups and group members
 * live here; instances, cores and ram are InstanceRepo.usage.
 */
import { sql, type Kysely } from 'kysely';
import { nowIso, prepared } from '../../../common/db/index.js';
import type { NovaDB } from './schema.js';

/** nova/quota.py's QUOTAS resources, by their API names. */
export type QuotaResource = 'instances' | 'cores' | 'ram' | 'metadata_items' | 'injected_files' | 'injected_file_content_bytes'
  | 'injected_file_path_bytes' | 'key_pairs' | 'server_groups' | 'server_group_members'
  | 'fixed_ips' | 'floating_ips' | 'security_groups' | 'security_group_rules';

/** In nova's order (QUOTAS.resources). */
export const QUOTA_RESOURCES: readonly QuotaResource[] = [
  'instances', 'cores', 'ram', 'metadata_items', 'injected_files', 'injected_file_content_bytes', 'injected_file_path_bytes',
  'key_pairs', 'server_groups', 'server_group_members', 'fixed_ips', 'floating_ips', 'security_groups', 'security_group_rules',
];

/** Resources a row may name (nova keeps no user rows for its per-project resources). */
export type QuotaRows = Partial<Record<QuotaResource, number>>;

function rowsToMap(rows: ReadonlyArray<{ resource: string; hard_limit: number }>): QuotaRows {
  const out: QuotaRows = {};
  for (const r of rows) if ((QUOTA_RESOURCES as readonly string[]).includes(r.resource)) out[r.resource as QuotaResource] = r.hard_limit;
  return out;
}

/** The default class's and the project's quota rows (prepared: a boot checks limits several times). */
const projectRows = (db: Kysely<NovaDB>, projectId: string) => db.selectFrom('quota_classes')
  .select([sql<number>`0`.as('scope'), 'resource', 'hard_limit']).where('class_name', '=', 'default')
  .unionAll(db.selectFrom('quotas').select([sql<number>`1`.as('scope'), 'resource', 'hard_limit']).where('project_id', '=', projectId));
const projectScopeRows = prepared((db: Kysely<NovaDB>, p: { projectId: string }) => projectRows(db, p.projectId).orderBy('scope'));
/** ... and the user's rows over them. */
const userScopeRows = prepared((db: Kysely<NovaDB>, p: { projectId: string; userId: string }) => projectRows(db, p.projectId)
  .unionAll(db.selectFrom('project_user_quotas').select([sql<number>`2`.as('scope'), 'resource', 'hard_limit'])
    .where('project_id', '=', p.projectId).where('user_id', '=', p.userId))
  .orderBy('scope'));

export class QuotaRepo {
  constructor(private readonly db: Kysely<NovaDB>) {}

  /**
   * The limits in force for a project (and a user of it): user overrides win over project ones,
   * which win over the default class, which wins over `defaults` (nova.conf).
   */
  async limits(projectId: string, userId: string | undefined, defaults: Readonly<Record<QuotaResource, number>>): Promise<Record<QuotaResource, number>> {
    return { ...defaults, ...rowsToMap(await this.scopeRows(projectId, userId)) } as Record<QuotaResource, number>;
  }

  /**
   * In one query, what a server create checks: the project's limits, the user's (the project's
   * with the user's rows over them) and the user's own rows (whether usage is counted per user).
   */
  async projectAndUserLimits(projectId: string, userId: string, defaults: Readonly<Record<QuotaResource, number>>): Promise<{
    project: Record<QuotaResource, number>; user: Record<QuotaResource, number>; userRows: QuotaRows;
  }> {
    const rows = await this.scopeRows(projectId, userId);
    const project = { ...defaults, ...rowsToMap(rows.filter((r) => Number(r.scope) < 2)) } as Record<QuotaResource, number>;
    const userRows = rowsToMap(rows.filter((r) => Number(r.scope) === 2));
    return { project, user: { ...project, ...userRows }, userRows };
  }

  /** The rows of the default class (scope 0), the project (1) and the user (2), weakest first: one query, as a boot checks limits several times. */
  private scopeRows(projectId: string, userId: string | undefined): Promise<Array<{ scope: number; resource: string; hard_limit: number }>> {
    return userId ? userScopeRows.all(this.db, { projectId, userId }) : projectScopeRows.all(this.db, { projectId });
  }

  /** Quotas.get_all_class_by_name. */
  async classRows(className: string): Promise<QuotaRows> {
    return rowsToMap(await this.db.selectFrom('quota_classes').select(['resource', 'hard_limit']).where('class_name', '=', className).execute());
  }

  /** Quotas.get_all_by_project. */
  async projectRows(projectId: string): Promise<QuotaRows> {
    return rowsToMap(await this.db.selectFrom('quotas').select(['resource', 'hard_limit']).where('project_id', '=', projectId).execute());
  }

  /** Quotas.get_all_by_project_and_user (the user's own rows only). */
  async userRows(projectId: string, userId: string): Promise<QuotaRows> {
    return rowsToMap(await this.db.selectFrom('project_user_quotas').select(['resource', 'hard_limit'])
      .where('project_id', '=', projectId).where('user_id', '=', userId).execute());
  }

  /** Every user row of a project (Quotas.get_all: what per-user limits have given out). */
  async allUserRows(projectId: string): Promise<Array<{ resource: string; hard_limit: number }>> {
    return this.db.selectFrom('project_user_quotas').select(['resource', 'hard_limit']).where('project_id', '=', projectId).execute();
  }

  /** Quotas.create_limit / update_limit: a project row, or a user row when `userId`. */
  async setLimit(projectId: string, userId: string | null, resource: QuotaResource, limit: number): Promise<void> {
    const now = nowIso();
    if (userId) {
      const updated = await this.db.updateTable('project_user_quotas').set({ hard_limit: limit, updated_at: now })
        .where('project_id', '=', projectId).where('user_id', '=', userId).where('resource', '=', resource).executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) {
        await this.db.insertInto('project_user_quotas').values({ project_id: projectId, user_id: userId, resource, hard_limit: limit, created_at: now, updated_at: null }).execute();
      }
      return;
    }
    const updated = await this.db.updateTable('quotas').set({ hard_limit: limit, updated_at: now })
      .where('project_id', '=', projectId).where('resource', '=', resource).executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) {
      await this.db.insertInto('quotas').values({ project_id: projectId, resource, hard_limit: limit, created_at: now, updated_at: null }).execute();
    }
  }

  /** Quotas.update_class / create_class. */
  async setClassLimit(className: string, resource: QuotaResource, limit: number): Promise<void> {
    const now = nowIso();
    const updated = await this.db.updateTable('quota_classes').set({ hard_limit: limit, updated_at: now })
      .where('class_name', '=', className).where('resource', '=', resource).executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) {
      await this.db.insertInto('quota_classes').values({ class_name: className, resource, hard_limit: limit, created_at: now, updated_at: null }).execute();
    }
  }

  /** destroy_all_by_project (with its users' rows) or destroy_all_by_project_and_user. */
  async destroy(projectId: string, userId: string | null): Promise<void> {
    let users = this.db.deleteFrom('project_user_quotas').where('project_id', '=', projectId);
    if (userId) users = users.where('user_id', '=', userId);
    await users.execute();
    if (!userId) await this.db.deleteFrom('quotas').where('project_id', '=', projectId).execute();
  }

  /** InstanceGroupList.get_counts: the project's groups, and the user's among them. */
  async countServerGroups(projectId: string, userId?: string): Promise<{ project: number; user: number }> {
    const rows = await this.db.selectFrom('instance_groups').select(['user_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('project_id', '=', projectId).groupBy('user_id').execute();
    let project = 0;
    let user = 0;
    for (const r of rows) {
      project += Number(r.n);
      if (r.user_id === userId) user += Number(r.n);
    }
    return { project, user };
  }

  /** _server_group_count_members_by_user: the group's live members the user created. */
  async countGroupMembersByUser(groupId: number, userId: string): Promise<number> {
    const row = await this.db.selectFrom('instance_group_member as m')
      .innerJoin('instances as i', 'i.uuid', 'm.instance_uuid')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('m.group_id', '=', groupId).where('i.user_id', '=', userId).where('i.deleted', '=', 0)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
