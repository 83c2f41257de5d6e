/**
 * Server groups (nova's InstanceGroup over the API database): a group with its policy, rules
 * and members, the hosts of its members (for the affinity filters and weighers), and members
 * added by a boot.
 */
import type { Kysely, Selectable } from 'kysely';
import { insertIgnore, insertReturningId, nowIso, transaction } from '../../../common/db/index.js';
import { InstanceGroupNotFound } from '../errors.js';
import { InstanceGroup, type GroupPolicy } from '../objects/index.js';
import type { InstanceGroupsTable, NovaDB } from './schema.js';

export class InstanceGroupRepo {
  constructor(private readonly db: Kysely<NovaDB>) {}

  private async build(row: Selectable<InstanceGroupsTable>): Promise<InstanceGroup> {
    const [policy, members] = await Promise.all([
      this.db.selectFrom('instance_group_policy').select(['policy', 'rules']).where('group_id', '=', row.id).executeTakeFirst(),
      this.db.selectFrom('instance_group_member').select('instance_uuid').where('group_id', '=', row.id).orderBy('id').execute(),
    ]);
    const uuids = members.map((m) => m.instance_uuid);
    const hosts = uuids.length === 0 ? [] : await this.db.selectFrom('instances').select('host')
      .where('uuid', 'in', uuids).where('deleted', '=', 0).where('host', 'is not', null).execute();
    return new InstanceGroup({
      id: row.id, uuid: row.uuid, name: row.name, user_id: row.user_id, project_id: row.project_id,
      policy: (policy?.policy ?? 'affinity') as GroupPolicy, rules: policy?.rules ? (JSON.parse(policy.rules) as Record<string, number>) : {},
      members: uuids, hosts: [...new Set(hosts.map((h) => h.host!))], created_at: row.created_at, updated_at: row.updated_at,
    });
  }

  /** @throws InstanceGroupNotFound */
  async get(uuid: string): Promise<InstanceGroup> {
    const row = await this.db.selectFrom('instance_groups').selectAll().where('uuid', '=', uuid).executeTakeFirst();
    if (!row) throw new InstanceGroupNotFound(uuid);
    return this.build(row);
  }

  /** The group an instance belongs to, if any. */
  async forInstance(instanceUuid: string): Promise<InstanceGroup | undefined> {
    const row = await this.db.selectFrom('instance_groups').selectAll()
      .where('id', 'in', (eb) => eb.selectFrom('instance_group_member').select('group_id').where('instance_uuid', '=', instanceUuid))
      .executeTakeFirst();
    return row ? this.build(row) : undefined;
  }

  /** InstanceGroupList.get_by_project_id, or get_all (every project) when `projectId` is null; oldest first. */
  async list(projectId: string | null): Promise<InstanceGroup[]> {
    let q = this.db.selectFrom('instance_groups').selectAll().orderBy('id');
    if (projectId !== null) q = q.where('project_id', '=', projectId);
    const rows = await q.execute();
    return Promise.all(rows.map((r) => this.build(r)));
  }

  /** InstanceGroup.create: the group and its policy (with its rules). */
  async create(values: { uuid: string; name: string | null; user_id: string; project_id: string; policy: GroupPolicy; rules: Record<string, number> }): Promise<InstanceGroup> {
    const now = nowIso();
    await transaction(this.db, async (t) => {
      const id = await insertReturningId(t, 'instance_groups', {
        uuid: values.uuid, name: values.name, user_id: values.user_id, project_id: values.project_id, created_at: now, updated_at: null,
      });
      await t.insertInto('instance_group_policy').values({
        group_id: id, policy: values.policy, rules: Object.keys(values.rules).length > 0 ? JSON.stringify(values.rules) : null, created_at: now, updated_at: null,
      }).execute();
    });
    return this.get(values.uuid);
  }

  /** InstanceGroup.destroy: the group with its policy and members. @throws InstanceGroupNotFound */
  async destroy(uuid: string): Promise<void> {
    await transaction(this.db, async (t) => {
      const row = await t.selectFrom('instance_groups').select('id').where('uuid', '=', uuid).executeTakeFirst();
      if (!row) throw new InstanceGroupNotFound(uuid);
      await t.deleteFrom('instance_group_member').where('group_id', '=', row.id).execute();
      await t.deleteFrom('instance_group_policy').where('group_id', '=', row.id).execute();
      await t.deleteFrom('instance_groups').where('id', '=', row.id).execute();
    });
  }

  /** The members that are live servers (nova's _get_not_deleted), in membership order. */
  async liveMembers(group: InstanceGroup): Promise<string[]> {
    if (group.data.members.length === 0) return [];
    const rows = await this.db.selectFrom('instances').select('uuid').where('uuid', 'in', group.data.members).where('deleted', '=', 0).execute();
    const live = new Set(rows.map((r) => r.uuid));
    return group.data.members.filter((m) => live.has(m));
  }

  async addMembers(groupUuid: string, instanceUuids: readonly string[]): Promise<void> {
    const row = await this.db.selectFrom('instance_groups').select('id').where('uuid', '=', groupUuid).executeTakeFirst();
    if (!row) throw new InstanceGroupNotFound(groupUuid);
    const now = nowIso();
    for (const uuid of instanceUuids) {
      await insertIgnore(this.db, 'instance_group_member', { group_id: row.id, instance_uuid: uuid, created_at: now, updated_at: null });
    }
  }
}
