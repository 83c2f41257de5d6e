/** Schema migrations of the image service's database. */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { columnTypes, type Migrations } from '../../../common/db/index.js';

export const glanceMigrations: Migrations = {
  '0001_initial': {
    async up(db: Kysely<any>): Promise<void> {
      const t = columnTypes(db);
      await db.schema.createTable('images')
        .addColumn('id', t.string(36), (c) => c.primaryKey())
        .addColumn('name', t.string(255))
        .addColumn('disk_format', t.string(20))
        .addColumn('container_format', t.string(20))
        .addColumn('size', t.bigint)
        .addColumn('virtual_size', t.bigint)
        .addColumn('status', t.string(30), (c) => c.notNull())
        .addColumn('visibility', t.string(20), (c) => c.notNull())
        .addColumn('checksum', t.string(32))
        .addColumn('os_hash_algo', t.string(64))
        .addColumn('os_hash_value', t.string(128))
        .addColumn('min_disk', t.integer, (c) => c.notNull().defaultTo(0))
        .addColumn('min_ram', t.integer, (c) => c.notNull().defaultTo(0))
        .addColumn('protected', t.boolean, (c) => c.notNull().defaultTo(0))
        .addColumn('os_hidden', t.boolean, (c) => c.notNull().defaultTo(0))
        .addColumn('owner', t.string(255))
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .addColumn('deleted_at', t.timestamp)
        .addColumn('deleted', t.boolean, (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.createIndex('ix_images_owner').on('images').columns(['owner', 'deleted']).execute();
      await db.schema.createIndex('ix_images_visibility').on('images').columns(['visibility', 'deleted']).execute();
      await db.schema.createIndex('ix_images_created').on('images').columns(['created_at', 'id']).execute();

      await db.schema.createTable('image_properties')
        .addColumn('image_id', t.string(36), (c) => c.notNull().references('images.id').onDelete('cascade'))
        .addColumn('name', t.string(255), (c) => c.notNull())
        .addColumn('value', t.text)
        .addPrimaryKeyConstraint('pk_image_properties', ['image_id', 'name'])
        .execute();
      await db.schema.createIndex('ix_image_properties_name').on('image_properties').columns(['name']).execute();

      await db.schema.createTable('image_tags')
        .addColumn('image_id', t.string(36), (c) => c.notNull().references('images.id').onDelete('cascade'))
        .addColumn('value', t.string(255), (c) => c.notNull())
        .addPrimaryKeyConstraint('pk_image_tags', ['image_id', 'value'])
        .execute();
      await db.schema.createIndex('ix_image_tags_value').on('image_tags').columns(['value']).execute();

      await db.schema.createTable('image_locations')
        .addColumn('id', t.string(36), (c) => c.primaryKey())
        .addColumn('image_id', t.string(36), (c) => c.notNull().references('images.id').onDelete('cascade'))
        .addColumn('position', t.integer, (c) => c.notNull())
        .addColumn('url', t.text, (c) => c.notNull())
        .addColumn('metadata', t.jsonText, (c) => c.notNull())
        .addColumn('status', t.string(30), (c) => c.notNull())
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('ix_image_locations_image').on('image_locations').columns(['image_id', 'position']).execute();

      await db.schema.createTable('image_members')
        .addColumn('id', t.string(36), (c) => c.primaryKey())
        .addColumn('image_id', t.string(36), (c) => c.notNull().references('images.id').onDelete('cascade'))
        .addColumn('member', t.string(255), (c) => c.notNull())
        .addColumn('status', t.string(20), (c) => c.notNull())
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .addUniqueConstraint('uq_image_members', ['image_id', 'member'])
        .execute();
      await db.schema.createIndex('ix_image_members_member').on('image_members').columns(['member', 'status']).execute();

      await db.schema.createTable('tasks')
        .addColumn('id', t.string(36), (c) => c.primaryKey())
        .addColumn('type', t.string(30), (c) => c.notNull())
        .addColumn('status', t.string(30), (c) => c.notNull())
        .addColumn('owner', t.string(255))
        .addColumn('image_id', t.string(36))
        .addColumn('user_id', t.string(64))
        .addColumn('request_id', t.string(64))
        .addColumn('input', t.jsonText)
        .addColumn('result', t.jsonText)
        .addColumn('message', t.text, (c) => c.notNull())
        .addColumn('expires_at', t.timestamp)
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .addColumn('deleted', t.boolean, (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.createIndex('ix_tasks_image').on('tasks').columns(['image_id']).execute();
      await db.schema.createIndex('ix_tasks_owner').on('tasks').columns(['owner', 'created_at']).execute();
    },
  },
  '0002_metadefs': {
    async up(db: Kysely<any>): Promise<void> {
      const t = columnTypes(db);
      await db.schema.createTable('metadef_namespaces')
        .addColumn('id', t.string(36), (c) => c.primaryKey())
        .addColumn('namespace', t.string(80), (c) => c.notNull().unique())
        .addColumn('display_name', t.string(80))
        .addColumn('description', t.text)
        .addColumn('visibility', t.string(32), (c) => c.notNull())
        .addColumn('protected', t.boolean, (c) => c.notNull().defaultTo(0))
        .addColumn('owner', t.string(255))
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .execute();
      for (const table of ['metadef_objects', 'metadef_properties']) {
        await db.schema.createTable(table)
          .addColumn('id', t.string(36), (c) => c.primaryKey())
          .addColumn('namespace_id', t.string(36), (c) => c.notNull().references('metadef_namespaces.id').onDelete('cascade'))
          .addColumn('name', t.string(255), (c) => c.notNull())
          .addColumn('body', t.jsonText, (c) => c.notNull())
          .addColumn('created_at', t.timestamp, (c) => c.notNull())
          .addColumn('updated_at', t.timestamp, (c) => c.notNull())
          .addUniqueConstraint(`uq_${table}_name`, ['namespace_id', 'name'])
          .execute();
      }
      await db.schema.createTable('metadef_tags')
        .addColumn('id', t.string(36), (c) => c.primaryKey())
        .addColumn('namespace_id', t.string(36), (c) => c.notNull().references('metadef_namespaces.id').onDelete('cascade'))
        .addColumn('name', t.string(255), (c) => c.notNull())
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .addUniqueConstraint('uq_metadef_tags_name', ['namespace_id', 'name'])
        .execute();
      await db.schema.createTable('metadef_resource_types')
        .addColumn('id', t.string(36), (c) => c.primaryKey())
        .addColumn('name', t.string(80), (c) => c.notNull().unique())
        .addColumn('protected', t.boolean, (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .execute();
      await db.schema.createTable('metadef_namespace_resource_types')
        .addColumn('namespace_id', t.string(36), (c) => c.notNull().references('metadef_namespaces.id').onDelete('cascade'))
        .addColumn('resource_type_id', t.string(36), (c) => c.notNull().references('metadef_resource_types.id'))
        .addColumn('prefix', t.string(80))
        .addColumn('properties_target', t.string(80))
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .addPrimaryKeyConstraint('pk_metadef_ns_rt', ['namespace_id', 'resource_type_id'])
        .execute();
      // The resource types of the metadata definitions Glance ships (etc/metadefs), which
      // `glance-manage db load_metadefs` registers in a DevStack.
      const now = new Date().toISOString();
      const names = ['OS::Glance::Image', 'OS::Cinder::Volume', 'OS::Nova::Flavor', 'OS::Nova::Aggregate', 'OS::Nova::Server', 'OS::Trove::Instance'];
      await db.insertInto('metadef_resource_types')
        .values(names.map((name) => ({ id: randomUUID(), name, protected: 1, created_at: now, updated_at: now })))
        .execute();
    },
  },
};
