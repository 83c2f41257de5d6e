/**
 * Schema migrations of the cinder database (upstream's history up to Zed folded into one, for
 * the tables of db/schema.ts). The unique keys keep concurrent writers honest: one metadata
 * row per key, one access row per type and project, one quota row per project and resource,
 * one service row per host and binary; a live type's name is checked by the repository.
 */
import type { Kysely } from 'kysely';
import { columnTypes, type Migrations } from '../../../common/db/index.js';

export const cinderMigrations: Migrations = {
  '0001_initial': {
    async up(db: Kysely<any>): Promise<void> {
      const t = columnTypes(db);
      const s = db.schema;
      const soft = <B extends { addColumn: (...a: any[]) => B }>(b: B): B => b
        .addColumn('created_at', t.timestamp, (c: any) => c.notNull())
        .addColumn('updated_at', t.timestamp)
        .addColumn('deleted_at', t.timestamp)
        .addColumn('deleted', t.boolean, (c: any) => c.notNull().defaultTo(0));

      await soft(s.createTable('volumes')
        .addColumn('id', t.string(36), (c) => c.primaryKey())
        .addColumn('project_id', t.string(255), (c) => c.notNull())
        .addColumn('user_id', t.string(255), (c) => c.notNull())
        .addColumn('host', t.string(255))
        .addColumn('size', t.integer, (c) => c.notNull())
        .addColumn('availability_zone', t.string(255), (c) => c.notNull())
        .addColumn('status', t.string(255), (c) => c.notNull())
        .addColumn('attach_status', t.string(255), (c) => c.notNull())
        .addColumn('migration_status', t.string(255))
        .addColumn('previous_status', t.string(255))
        .addColumn('display_name', t.string(255))
        .addColumn('display_description', t.string(255))
        .addColumn('volume_type_id', t.string(36), (c) => c.notNull())
        .addColumn('snapshot_id', t.string(36))
        .addColumn('source_volid', t.string(36))
        .addColumn('bootable', t.boolean, (c) => c.notNull().defaultTo(0))
        .addColumn('multiattach', t.boolean, (c) => c.notNull().defaultTo(0))
        .addColumn('encryption_key_id', t.string(36))
        .addColumn('provider_location', t.string(255))
        .addColumn('replication_status', t.string(255))
        .addColumn('service_uuid', t.string(36))
        .addColumn('shared_targets', t.boolean, (c) => c.notNull().defaultTo(1))
        .addColumn('use_quota', t.boolean, (c) => c.notNull().defaultTo(1))
        .addColumn('launched_at', t.timestamp)
        .addColumn('terminated_at', t.timestamp))
        .execute();
      await s.createIndex('volumes_project_deleted_idx').on('volumes').columns(['project_id', 'deleted']).execute();

      for (const [table, owner] of [['volume_metadata', 'volume_id'], ['volume_admin_metadata', 'volume_id'], ['snapshot_metadata', 'snapshot_id'], ['volume_type_extra_specs', 'volume_type_id']] as const) {
        await s.createTable(table)
          .addColumn('id', t.serial, t.serialPrimaryKey)
          .addColumn(owner, t.string(36), (c) => c.notNull())
          .addColumn('key', t.string(255), (c) => c.notNull())
          .addColumn('value', t.string(255), (c) => c.notNull())
          .addUniqueConstraint(`uniq_${table}0${owner}0key`, [owner, 'key'])
          .execute();
      }

      await soft(s.createTable('volume_types')
        .addColumn('id', t.string(36), (c) => c.primaryKey())
        .addColumn('name', t.string(255), (c) => c.notNull())
        .addColumn('description', t.string(255))
        .addColumn('is_public', t.boolean, (c) => c.notNull().defaultTo(1)))
        .execute();

      await s.createTable('volume_type_projects')
        .addColumn('id', t.serial, t.serialPrimaryKey)
        .addColumn('volume_type_id', t.string(36), (c) => c.notNull())
        .addColumn('project_id', t.string(255), (c) => c.notNull())
        .addUniqueConstraint('uniq_volume_type_projects0volume_type_id0project_id', ['volume_type_id', 'project_id'])
        .execute();

      await soft(s.createTable('snapshots')
        .addColumn('id', t.string(36), (c) => c.primaryKey())
        .addColumn('volume_id', t.string(36), (c) => c.notNull())
        .addColumn('project_id', t.string(255), (c) => c.notNull())
        .addColumn('user_id', t.string(255), (c) => c.notNull())
        .addColumn('status', t.string(255), (c) => c.notNull())
        .addColumn('progress', t.string(255))
        .addColumn('volume_size', t.integer, (c) => c.notNull())
        .addColumn('display_name', t.string(255))
        .addColumn('display_description', t.string(255))
        .addColumn('provider_location', t.string(255))
        .addColumn('use_quota', t.boolean, (c) => c.notNull().defaultTo(1)))
        .execute();
      await s.createIndex('snapshots_volume_id_idx').on('snapshots').column('volume_id').execute();

      await soft(s.createTable('volume_attachment')
        .addColumn('id', t.string(36), (c) => c.primaryKey())
        .addColumn('volume_id', t.string(36), (c) => c.notNull())
        .addColumn('instance_uuid', t.string(36))
        .addColumn('attached_host', t.string(255))
        .addColumn('mountpoint', t.string(255))
        .addColumn('attach_time', t.timestamp)
        .addColumn('detach_time', t.timestamp)
        .addColumn('attach_mode', t.string(36))
        .addColumn('attach_status', t.string(255), (c) => c.notNull())
        .addColumn('connector', t.jsonText)
        .addColumn('connection_info', t.jsonText))
        .execute();
      await s.createIndex('volume_attachment_volume_id_idx').on('volume_attachment').column('volume_id').execute();

      await s.createTable('quotas')
        .addColumn('id', t.serial, t.serialPrimaryKey)
        .addColumn('project_id', t.string(255), (c) => c.notNull())
        .addColumn('resource', t.string(255), (c) => c.notNull())
        .addColumn('hard_limit', t.integer, (c) => c.notNull())
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp)
        .addUniqueConstraint('uniq_quotas0project_id0resource', ['project_id', 'resource'])
        .execute();

      await s.createTable('services')
        .addColumn('id', t.serial, t.serialPrimaryKey)
        .addColumn('uuid', t.string(36), (c) => c.notNull())
        .addColumn('host', t.string(255), (c) => c.notNull())
        .addColumn('binary', t.string(255), (c) => c.notNull())
        .addColumn('topic', t.string(255), (c) => c.notNull())
        .addColumn('availability_zone', t.string(255), (c) => c.notNull())
        .addColumn('disabled', t.boolean, (c) => c.notNull().defaultTo(0))
        .addColumn('disabled_reason', t.string(255))
        .addColumn('report_count', t.integer, (c) => c.notNull().defaultTo(0))
        .addColumn('frozen', t.boolean, (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp)
        .addUniqueConstraint('uniq_services0host0binary', ['host', 'binary'])
        .execute();
    },
  },
  '0002_volume_glance_metadata': {
    async up(db: Kysely<any>): Promise<void> {
      const t = columnTypes(db);
      await db.schema.createTable('volume_glance_metadata')
        .addColumn('id', t.serial, t.serialPrimaryKey)
        .addColumn('volume_id', t.string(36), (c) => c.notNull())
        .addColumn('key', t.string(255), (c) => c.notNull())
        .addColumn('value', t.text, (c) => c.notNull())
        .addUniqueConstraint('uniq_volume_glance_metadata0volume_id0key', ['volume_id', 'key'])
        .execute();
    },
  },
  '0003_backups': {
    async up(db: Kysely<any>): Promise<void> {
      const t = columnTypes(db);
      await db.schema.createTable('backups')
        .addColumn('id', t.string(36), (c) => c.primaryKey())
        .addColumn('volume_id', t.string(36), (c) => c.notNull())
        .addColumn('user_id', t.string(255), (c) => c.notNull())
        .addColumn('project_id', t.string(255), (c) => c.notNull())
        .addColumn('host', t.string(255))
        .addColumn('availability_zone', t.string(255))
        .addColumn('display_name', t.string(255))
        .addColumn('display_description', t.string(255))
        .addColumn('container', t.string(255))
        .addColumn('status', t.string(255), (c) => c.notNull())
        .addColumn('fail_reason', t.string(255))
        .addColumn('service_metadata', t.text)
        .addColumn('service', t.string(255))
        .addColumn('size', t.integer, (c) => c.notNull())
        .addColumn('object_count', t.integer, (c) => c.notNull().defaultTo(0))
        .addColumn('parent_id', t.string(36))
        .addColumn('num_dependent_backups', t.integer, (c) => c.notNull().defaultTo(0))
        .addColumn('snapshot_id', t.string(36))
        .addColumn('data_timestamp', t.timestamp)
        .addColumn('restore_volume_id', t.string(36))
        .addColumn('encryption_key_id', t.string(36))
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp)
        .addColumn('deleted_at', t.timestamp)
        .addColumn('deleted', t.boolean, (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.createIndex('backups_project_deleted_idx').on('backups').columns(['project_id', 'deleted']).execute();
      await db.schema.createTable('backup_metadata')
        .addColumn('id', t.serial, t.serialPrimaryKey)
        .addColumn('backup_id', t.string(36), (c) => c.notNull())
        .addColumn('key', t.string(255), (c) => c.notNull())
        .addColumn('value', t.string(255), (c) => c.notNull())
        .addUniqueConstraint('uniq_backup_metadata0backup_id0key', ['backup_id', 'key'])
        .execute();
      // the backup a volume is being created from (3.47), read by the volume service
      await db.schema.alterTable('volumes').addColumn('backup_id', t.string(36)).execute();
    },
  },
};
