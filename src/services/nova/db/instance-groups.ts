/**
 * Server groups (nova's InstanceGroup over the API database): a group with its policy, rules
 * and members, the hosts of its members (for the affinity filters and weighers), and members
 * added by a boot.
 */
import type { Kysely, Selectable } from 'kysely';
import { insertIgnore, nowIso } from '../../../common/db/index.js';
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

  async addMembers(groupUuid: string, instanceUuids: readonly string[]): Promise<void> {
    const row = await this.db.selectFrom('instance_groups').select('id').where('uuid', '=', groupUuid).executeTakeFirst();
    if (!row) throw new InstanceGroupNotFound(groupUuid);
    const now = nowIso();
    for (const uuid of instanceUuids) {
      await insertIgnore(this.db, 'instance_group_member', { group_id: row.id, instance_uuid: uuid, created_at: now, updated_at: null });
    }
  }
}
