/**
 * Migrations of the tables of schema-resources.ts (transfers, QoS specs, encryption types,
 * quota classes and usages, messages) and the qos_specs_id of volume types.
 */
import type { Kysely } from 'kysely';
import { columnTypes, type Migrations } from '../../../common/db/index.js';
import { softDeleteColumns } from './migration-columns.js';

export const resourceMigrations: Migrations = {
  '0010_transfers_qos_encryption_quota_classes_messages': {
    async up(db: Kysely<any>): Promise<void> {
      const t = columnTypes(db);
      const s = db.schema;
      const soft = softDeleteColumns(t);

      await soft(s.createTable('transfers')
        .addColumn('id', t.string(36), (c) => c.primaryKey())
        .addColumn('volume_id', t.string(36), (c) => c.notNull())
        .addColumn('display_name', t.string(255))
        .addColumn('salt', t.string(255), (c) => c.notNull())
        .addColumn('crypt_hash', t.string(255), (c) => c.notNull())
        .addColumn('expires_at', t.timestamp)
        .addColumn('no_snapshots', t.boolean, (c) => c.notNull().defaultTo(0))
        .addColumn('source_project_id', t.string(255), (c) => c.notNull())
        .addColumn('destination_project_id', t.string(255))
        .addColumn('accepted', t.boolean, (c) => c.notNull().defaultTo(0)))
        .execute();
      await s.createIndex('transfers_volume_id_idx').on('transfers').column('volume_id').execute();

      await soft(s.createTable('quality_of_service_specs')
        .addColumn('id', t.string(36), (c) => c.primaryKey())
        .addColumn('name', t.string(255), (c) => c.notNull())
        .addColumn('consumer', t.string(255), (c) => c.notNull()))
        .execute();
      await s.createTable('qos_specs_values')
        .addColumn('id', t.serial, t.serialPrimaryKey)
        .addColumn('qos_specs_id', t.string(36), (c) => c.notNull())
        .addColumn('key', t.string(255), (c) => c.notNull())
        .addColumn('value', t.string(255), (c) => c.notNull())
        .addUniqueConstraint('uniq_qos_specs_values0qos_specs_id0key', ['qos_specs_id', 'key'])
        .execute();
      await s.alterTable('volume_types').addColumn('qos_specs_id', t.string(36)).execute();

      await soft(s.createTable('encryption')
        .addColumn('encryption_id', t.string(36), (c) => c.primaryKey())
        .addColumn('volume_type_id', t.string(36), (c) => c.notNull())
        .addColumn('provider', t.string(255), (c) => c.notNull())
        .addColumn('cipher', t.string(255))
        .addColumn('key_size', t.integer)
        .addColumn('control_location', t.string(255), (c) => c.notNull()))
        .execute();
      await s.createIndex('encryption_volume_type_id_idx').on('encryption').column('volume_type_id').execute();

      await s.createTable('quota_classes')
        .addColumn('id', t.serial, t.serialPrimaryKey)
        .addColumn('class_name', t.string(255), (c) => c.notNull())
        .addColumn('resource', t.string(255), (c) => c.notNull())
        .addColumn('hard_limit', t.integer, (c) => c.notNull())
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp)
        .addUniqueConstraint('uniq_quota_classes0class_name0resource', ['class_name', 'resource'])
        .execute();

      await s.createTable('quota_usages')
        .addColumn('id', t.serial, t.serialPrimaryKey)
        .addColumn('project_id', t.string(255), (c) => c.notNull())
        .addColumn('resource', t.string(255), (c) => c.notNull())
        .addColumn('in_use', t.integer, (c) => c.notNull().defaultTo(0))
        .addColumn('reserved', t.integer, (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp)
        .addUniqueConstraint('uniq_quota_usages0project_id0resource', ['project_id', 'resource'])
        .execute();

      await s.createTable('messages')
        .addColumn('id', t.string(36), (c) => c.primaryKey())
        .addColumn('project_id', t.string(255), (c) => c.notNull())
        .addColumn('request_id', t.string(255))
        .addColumn('resource_type', t.string(255))
        .addColumn('resource_uuid', t.string(36))
        .addColumn('event_id', t.string(255), (c) => c.notNull())
        .addColumn('message_level', t.string(255), (c) => c.notNull())
        .addColumn('detail_id', t.string(10))
        .addColumn('action_id', t.string(10))
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('expires_at', t.timestamp)
        .addColumn('deleted_at', t.timestamp)
        .addColumn('deleted', t.boolean, (c) => c.notNull().defaultTo(0))
        .execute();
      await s.createIndex('messages_project_id_idx').on('messages').column('project_id').execute();
    },
  },
  '0011_groups': {
    async up(db: Kysely<any>): Promise<void> {
      const t = columnTypes(db);
      const s = db.schema;
      const soft = softDeleteColumns(t);
      await soft(s.createTable('group_types')
        .addColumn('id', t.string(36), (c) => c.primaryKey())
        .addColumn('name', t.string(255), (c) => c.notNull())
        .addColumn('description', t.string(255))
        .addColumn('is_public', t.boolean, (c) => c.notNull().defaultTo(1)))
        .execute();
      await s.createTable('group_type_specs')
        .addColumn('id', t.serial, t.serialPrimaryKey)
        .addColumn('group_type_id', t.string(36), (c) => c.notNull())
        .addColumn('key', t.string(255), (c) => c.notNull())
        .addColumn('value', t.string(255), (c) => c.notNull())
        .addUniqueConstraint('uniq_group_type_specs0group_type_id0key', ['group_type_id', 'key'])
        .execute();
      await soft(s.createTable('groups')
        .addColumn('id', t.string(36), (c) => c.primaryKey())
        .addColumn('project_id', t.string(255), (c) => c.notNull())
        .addColumn('user_id', t.string(255), (c) => c.notNull())
        .addColumn('host', t.string(255))
        .addColumn('availability_zone', t.string(255), (c) => c.notNull())
        .addColumn('name', t.string(255))
        .addColumn('description', t.string(255))
        .addColumn('status', t.string(255), (c) => c.notNull())
        .addColumn('group_type_id', t.string(36), (c) => c.notNull())
        .addColumn('group_snapshot_id', t.string(36))
        .addColumn('source_group_id', t.string(36))
        .addColumn('replication_status', t.string(255)))
        .execute();
      await s.createIndex('groups_project_id_idx').on('groups').column('project_id').execute();
      await s.createTable('group_volume_type_mapping')
        .addColumn('id', t.serial, t.serialPrimaryKey)
        .addColumn('group_id', t.string(36), (c) => c.notNull())
        .addColumn('volume_type_id', t.string(36), (c) => c.notNull())
        .addUniqueConstraint('uniq_group_volume_type_mapping0group_id0volume_type_id', ['group_id', 'volume_type_id'])
        .execute();
      await soft(s.createTable('group_snapshots')
        .addColumn('id', t.string(36), (c) => c.primaryKey())
        .addColumn('group_id', t.string(36), (c) => c.notNull())
        .addColumn('project_id', t.string(255), (c) => c.notNull())
        .addColumn('user_id', t.string(255), (c) => c.notNull())
        .addColumn('name', t.string(255))
        .addColumn('description', t.string(255))
        .addColumn('status', t.string(255), (c) => c.notNull())
        .addColumn('group_type_id', t.string(36), (c) => c.notNull()))
        .execute();
      await s.alterTable('volumes').addColumn('group_id', t.string(36)).execute();
      await s.alterTable('snapshots').addColumn('group_snapshot_id', t.string(36)).execute();
    },
  },
  // the projects' own default volume types (3.62; cinder's default_volume_types, hard-deleted on unset)
  '0012_default_volume_types': {
    async up(db: Kysely<any>): Promise<void> {
      const t = columnTypes(db);
      await db.schema.createTable('default_volume_types')
        .addColumn('project_id', t.string(255), (c) => c.primaryKey())
        .addColumn('volume_type_id', t.string(36), (c) => c.notNull())
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp)
        .execute();
      await db.schema.createIndex('default_volume_types_volume_type_id_idx').on('default_volume_types').column('volume_type_id').execute();
    },
  },
};
