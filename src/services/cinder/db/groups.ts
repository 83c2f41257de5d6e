/**
 * Generic volume groups (cinder/db/sqlalchemy/api.py group_type_*, group_*, group_snapshot_*):
 * group types with their specs, groups with the volume types they allow, group snapshots.
 * Soft-deleted as upstream's.
 */
import type { Kysely, Selectable } from 'kysely';
import { nowIso, toBool } from '../../../common/db/index.js';
import { KeyValueRepo } from './metadata.js';
import type { GroupSnapshotsTable, GroupsTable, GroupTypesTable } from './schema-resources.js';
import type { CinderDB } from './schema.js';

export interface GroupTypeRecord {
  id: string;
  name: string;
  description: string | null;
  is_public: boolean;
  group_specs: Record<string, string>;
  created_at: string;
}

export type GroupRecord = Omit<Selectable<GroupsTable>, 'deleted' | 'deleted_at'> & { volume_types: string[] };
export type GroupSnapshotRecord = Omit<Selectable<GroupSnapshotsTable>, 'deleted' | 'deleted_at'>;

const GROUP_COLUMNS = ['id', 'project_id', 'user_id', 'host', 'availability_zone', 'name', 'description', 'status', 'group_type_id', 'group_snapshot_id',
  'source_group_id', 'replication_status', 'created_at', 'updated_at'] as const;
const GROUP_SNAPSHOT_COLUMNS = ['id', 'group_id', 'project_id', 'user_id', 'name', 'description', 'status', 'group_type_id', 'created_at', 'updated_at'] as const;

export class GroupTypeRepo {
  readonly specs: KeyValueRepo;

  constructor(private readonly db: Kysely<CinderDB>) {
    this.specs = new KeyValueRepo(db, 'group_type_specs');
  }

  private async records(rows: Selectable<GroupTypesTable>[]): Promise<GroupTypeRecord[]> {
    const specs = await this.specs.many(rows.map((r) => r.id));
    return rows.map((r) => ({ id: r.id, name: r.name, description: r.description, is_public: toBool(r.is_public), group_specs: specs.get(r.id) ?? {}, created_at: r.created_at }));
  }

  async find(id: string): Promise<GroupTypeRecord | undefined> {
    return (await this.records(await this.db.selectFrom('group_types').selectAll().where('id', '=', id).where('deleted', '=', 0).execute()))[0];
  }

  async findByName(name: string): Promise<GroupTypeRecord | undefined> {
    return (await this.records(await this.db.selectFrom('group_types').selectAll().where('name', '=', name).where('deleted', '=', 0).execute()))[0];
  }

  async list(): Promise<GroupTypeRecord[]> {
    return this.records(await this.db.selectFrom('group_types').selectAll().where('deleted', '=', 0).orderBy('created_at').orderBy('id').execute());
  }

  /** @returns false when a live group type has the name */
  async create(t: { id: string; name: string; description: string | null; is_public: boolean; group_specs: Record<string, string> }): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      if (await trx.selectFrom('group_types').select('id').where('name', '=', t.name).where('deleted', '=', 0).executeTakeFirst()) return false;
      await trx.insertInto('group_types').values({
        id: t.id, name: t.name, description: t.description, is_public: t.is_public ? 1 : 0, created_at: nowIso(), updated_at: null, deleted_at: null, deleted: 0,
      }).execute();
      await this.specs.set(t.id, t.group_specs, false, trx);
      return true;
    });
  }

  async update(id: string, fields: { name?: string; description?: string | null; is_public?: boolean }): Promise<void> {
    const { is_public: pub, ...rest } = fields;
    await this.db.updateTable('group_types').set({ ...rest, ...(pub !== undefined ? { is_public: pub ? 1 : 0 } : {}), updated_at: nowIso() }).where('id', '=', id).execute();
  }

  async softDelete(id: string): Promise<void> {
    const now = nowIso();
    await this.db.updateTable('group_types').set({ deleted: 1, deleted_at: now, updated_at: now }).where('id', '=', id).execute();
  }

  async inUse(id: string): Promise<boolean> {
    return (await this.db.selectFrom('groups').select('id').where('group_type_id', '=', id).where('deleted', '=', 0).limit(1).execute()).length > 0;
  }
}

export class GroupRepo {
  constructor(private readonly db: Kysely<CinderDB>) {}

  private async records(rows: Array<Omit<Selectable<GroupsTable>, 'deleted' | 'deleted_at'>>): Promise<GroupRecord[]> {
    if (rows.length === 0) return [];
    const maps = await this.db.selectFrom('group_volume_type_mapping').select(['group_id', 'volume_type_id']).where('group_id', 'in', rows.map((r) => r.id)).orderBy('id').execute();
    return rows.map((r) => ({ ...r, volume_types: maps.filter((m) => m.group_id === r.id).map((m) => m.volume_type_id) }));
  }

  async create(g: Omit<GroupRecord, 'created_at' | 'updated_at'>): Promise<void> {
    const { volume_types: types, ...row } = g;
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('groups').values({ ...row, created_at: nowIso(), updated_at: null, deleted_at: null, deleted: 0 }).execute();
      for (const volume_type_id of types) await trx.insertInto('group_volume_type_mapping').values({ group_id: g.id, volume_type_id }).execute();
    });
  }

  async find(id: string): Promise<GroupRecord | undefined> {
    return (await this.records(await this.db.selectFrom('groups').select([...GROUP_COLUMNS]).where('id', '=', id).where('deleted', '=', 0).execute()))[0];
  }

  async list(projectId: string | null): Promise<GroupRecord[]> {
    let q = this.db.selectFrom('groups').select([...GROUP_COLUMNS]).where('deleted', '=', 0);
    if (projectId !== null) q = q.where('project_id', '=', projectId);
    return this.records(await q.orderBy('created_at').orderBy('id').execute());
  }

  async update(id: string, fields: Partial<Pick<GroupRecord, 'name' | 'description' | 'status' | 'host'>>): Promise<void> {
    await this.db.updateTable('groups').set({ ...fields, updated_at: nowIso() }).where('id', '=', id).execute();
  }

  async conditionalUpdate(id: string, expected: readonly string[], fields: Partial<Pick<GroupRecord, 'status'>>): Promise<boolean> {
    const res = await this.db.updateTable('groups').set({ ...fields, updated_at: nowIso() }).where('id', '=', id).where('deleted', '=', 0)
      .where('status', 'in', [...expected]).executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  async softDelete(id: string): Promise<void> {
    const now = nowIso();
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('groups').set({ deleted: 1, deleted_at: now, updated_at: now, status: 'deleted' }).where('id', '=', id).execute();
      await trx.deleteFrom('group_volume_type_mapping').where('group_id', '=', id).execute();
    });
  }

  /** Live volumes of the group. */
  async volumeIds(id: string): Promise<string[]> {
    return (await this.db.selectFrom('volumes').select('id').where('group_id', '=', id).where('deleted', '=', 0).orderBy('created_at').execute()).map((r) => r.id);
  }

  async setVolumesGroup(volumeIds: readonly string[], groupId: string | null): Promise<void> {
    if (volumeIds.length === 0) return;
    await this.db.updateTable('volumes').set({ group_id: groupId, updated_at: nowIso() }).where('id', 'in', [...volumeIds]).execute();
  }

  async count(projectId: string): Promise<number> {
    const row = await this.db.selectFrom('groups').select((eb) => eb.fn.countAll<number>().as('n')).where('project_id', '=', projectId).where('deleted', '=', 0).executeTakeFirst();
    return Number(row?.n ?? 0);
  }
}

export class GroupSnapshotRepo {
  constructor(private readonly db: Kysely<CinderDB>) {}

  async create(g: Omit<GroupSnapshotRecord, 'created_at' | 'updated_at'>): Promise<void> {
    await this.db.insertInto('group_snapshots').values({ ...g, created_at: nowIso(), updated_at: null, deleted_at: null, deleted: 0 }).execute();
  }

  async find(id: string): Promise<GroupSnapshotRecord | undefined> {
    return this.db.selectFrom('group_snapshots').select([...GROUP_SNAPSHOT_COLUMNS]).where('id', '=', id).where('deleted', '=', 0).executeTakeFirst();
  }

  async list(projectId: string | null): Promise<GroupSnapshotRecord[]> {
    let q = this.db.selectFrom('group_snapshots').select([...GROUP_SNAPSHOT_COLUMNS]).where('deleted', '=', 0);
    if (projectId !== null) q = q.where('project_id', '=', projectId);
    return q.orderBy('created_at').orderBy('id').execute();
  }

  async ofGroup(groupId: string): Promise<GroupSnapshotRecord[]> {
    return this.db.selectFrom('group_snapshots').select([...GROUP_SNAPSHOT_COLUMNS]).where('group_id', '=', groupId).where('deleted', '=', 0).execute();
  }

  async update(id: string, fields: Partial<Pick<GroupSnapshotRecord, 'name' | 'description' | 'status'>>): Promise<void> {
    await this.db.updateTable('group_snapshots').set({ ...fields, updated_at: nowIso() }).where('id', '=', id).execute();
  }

  async conditionalUpdate(id: string, expected: readonly string[], fields: Partial<Pick<GroupSnapshotRecord, 'status'>>): Promise<boolean> {
    const res = await this.db.updateTable('group_snapshots').set({ ...fields, updated_at: nowIso() }).where('id', '=', id).where('deleted', '=', 0)
      .where('status', 'in', [...expected]).executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  async softDelete(id: string): Promise<void> {
    const now = nowIso();
    await this.db.updateTable('group_snapshots').set({ deleted: 1, deleted_at: now, updated_at: now, status: 'deleted' }).where('id', '=', id).execute();
  }

  /** Live snapshots taken for the group snapshot. */
  async snapshotIds(id: string): Promise<string[]> {
    return (await this.db.selectFrom('snapshots').select('id').where('group_snapshot_id', '=', id).where('deleted', '=', 0).execute()).map((r) => r.id);
  }
}
