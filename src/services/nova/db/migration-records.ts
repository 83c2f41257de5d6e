/**
 * The migrations table (nova.objects.Migration over nova.db.main.api): one row per move of a
 * server, read by uuid or id, by instance (and status, as Migration.get_by_instance_and_status),
 * by source host and status (the evacuations a restarted host cleans up), and saved with a
 * compare-and-swap on the status when the caller expects one.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable, Updateable } from 'kysely';
import { compareAndSwap, nowIso, toBool } from '../../../common/db/index.js';
import { MigrationNotFound, MigrationNotFoundByStatus } from '../errors.js';
import { Migration, type MigrationFields, type MigrationType } from '../objects/index.js';
import type { MigrationsTable, NovaDB } from './schema.js';

export type NewMigration = Pick<MigrationFields, 'instance_uuid' | 'migration_type' | 'status'> & Partial<Omit<MigrationFields, 'id' | 'uuid' | 'hidden' | 'created_at' | 'updated_at'>>;

export type MigrationChanges = Partial<Omit<MigrationFields, 'id' | 'uuid' | 'instance_uuid' | 'created_at' | 'updated_at' | 'hidden'>>;

function toObject(row: Selectable<MigrationsTable>): Migration {
  return new Migration({
    id: row.id, uuid: row.uuid, instance_uuid: row.instance_uuid, source_compute: row.source_compute, dest_compute: row.dest_compute,
    source_node: row.source_node, dest_node: row.dest_node, dest_host: row.dest_host, old_instance_type_id: row.old_instance_type_id,
    new_instance_type_id: row.new_instance_type_id, status: row.status, migration_type: row.migration_type as MigrationType,
    hidden: toBool(row.hidden), memory_total: row.memory_total, memory_processed: row.memory_processed, memory_remaining: row.memory_remaining,
    disk_total: row.disk_total, disk_processed: row.disk_processed, disk_remaining: row.disk_remaining, user_id: row.user_id,
    project_id: row.project_id, created_at: row.created_at, updated_at: row.updated_at,
  });
}

export class MigrationRepo {
  constructor(private readonly db: Kysely<NovaDB>) {}

  async create(values: NewMigration): Promise<Migration> {
    const uuid = randomUUID();
    await this.db.insertInto('migrations').values({
      uuid, instance_uuid: values.instance_uuid, source_compute: values.source_compute ?? null, dest_compute: values.dest_compute ?? null,
      source_node: values.source_node ?? null, dest_node: values.dest_node ?? null, dest_host: values.dest_host ?? null,
      old_instance_type_id: values.old_instance_type_id ?? null, new_instance_type_id: values.new_instance_type_id ?? null,
      status: values.status, migration_type: values.migration_type, hidden: 0, memory_total: null, memory_processed: null,
      memory_remaining: null, disk_total: null, disk_processed: null, disk_remaining: null, cross_cell_move: 0,
      user_id: values.user_id ?? null, project_id: values.project_id ?? null, created_at: nowIso(), updated_at: null, deleted_at: null,
    }).execute();
    return this.get(uuid);
  }

  /** @throws MigrationNotFound */
  async get(uuid: string): Promise<Migration> {
    const row = await this.db.selectFrom('migrations').selectAll().where('uuid', '=', uuid).where('deleted', '=', 0).executeTakeFirst();
    if (!row) throw new MigrationNotFound(uuid);
    return toObject(row);
  }

  async findById(id: number): Promise<Migration | undefined> {
    const row = await this.db.selectFrom('migrations').selectAll().where('id', '=', id).where('deleted', '=', 0).executeTakeFirst();
    return row ? toObject(row) : undefined;
  }

  /** Migration.get_by_instance_and_status: the latest of the instance's migrations in that status. @throws MigrationNotFoundByStatus */
  async byInstanceAndStatus(instanceUuid: string, status: string): Promise<Migration> {
    const row = await this.db.selectFrom('migrations').selectAll().where('instance_uuid', '=', instanceUuid).where('status', '=', status)
      .where('deleted', '=', 0).orderBy('id', 'desc').executeTakeFirst();
    if (!row) throw new MigrationNotFoundByStatus(instanceUuid, status);
    return toObject(row);
  }

  /** The instance's migrations, oldest first. */
  async forInstance(instanceUuid: string): Promise<Migration[]> {
    const rows = await this.db.selectFrom('migrations').selectAll().where('instance_uuid', '=', instanceUuid).where('deleted', '=', 0).orderBy('id').execute();
    return rows.map(toObject);
  }

  /** Migrations of a type from a source host in one of these statuses. */
  async fromSource(sourceCompute: string, type: MigrationType, statuses: readonly string[]): Promise<Migration[]> {
    const rows = await this.db.selectFrom('migrations').selectAll().where('source_compute', '=', sourceCompute).where('migration_type', '=', type)
      .where('status', 'in', [...statuses]).where('deleted', '=', 0).orderBy('id').execute();
    return rows.map(toObject);
  }

  /** Migrations from or to a host in one of these statuses (the resource tracker's in-progress moves). */
  async inProgressOnHost(host: string, statuses: readonly string[]): Promise<Migration[]> {
    const rows = await this.db.selectFrom('migrations').selectAll()
      .where((eb) => eb.or([eb('source_compute', '=', host), eb('dest_compute', '=', host)]))
      .where('status', 'in', [...statuses]).where('deleted', '=', 0).orderBy('id').execute();
    return rows.map(toObject);
  }

  /**
   * Migration.save(); with `expectedStatus`, only while the row is still in one of them.
   * @throws MigrationNotFound, or MigrationNotFoundByStatus when the status moved on
   */
  async save(uuid: string, changes: MigrationChanges, expectedStatus?: readonly string[]): Promise<Migration> {
    const set: Updateable<MigrationsTable> = { ...changes, updated_at: nowIso() } as Updateable<MigrationsTable>;
    const expect: Record<string, unknown> = { deleted: 0 };
    if (expectedStatus) expect['status'] = [...expectedStatus];
    const ok = await compareAndSwap(this.db, 'migrations', { where: { uuid }, expect, set });
    if (!ok) {
      const current = await this.get(uuid);
      throw new MigrationNotFoundByStatus(current.data.instance_uuid, expectedStatus?.join('/') ?? '');
    }
    return this.get(uuid);
  }
}
