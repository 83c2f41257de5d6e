/**
 * Schema migrations of the placement database (upstream's alembic history up to Zed folded
 * into one: the initial schema, consumer types, root_provider_id filled in). The unique keys
 * are what keeps concurrent requests honest: one provider per uuid and per name, one inventory
 * per (provider, class), one consumer per uuid, one row per project/user/type/aggregate/trait
 * name. Standard traits and resource classes are written at start (objects/standard-sync.ts).
 */
import { type Kysely, sql } from 'kysely';
import { columnTypes, type Migrations } from '../../../common/db/index.js';

export const placementMigrations: Migrations = {
  '0001_initial': {
    async up(db: Kysely<any>): Promise<void> {
      const t = columnTypes(db);
      const s = db.schema;
      const stamps = <B extends { addColumn: (...a: any[]) => B }>(b: B): B =>
        b.addColumn('created_at', t.timestamp).addColumn('updated_at', t.timestamp);

      await stamps(s.createTable('resource_classes')
        .addColumn('id', t.integer, (c) => c.primaryKey())
        .addColumn('name', t.string(255), (c) => c.notNull())
        .addUniqueConstraint('uniq_resource_classes0name', ['name']))
        .execute();

      await stamps(s.createTable('resource_providers')
        .addColumn('id', t.serial, t.serialPrimaryKey)
        .addColumn('uuid', t.string(36), (c) => c.notNull())
        .addColumn('name', t.string(200))
        .addColumn('generation', t.integer, (c) => c.notNull().defaultTo(0))
        .addColumn('root_provider_id', t.integer)
        .addColumn('parent_provider_id', t.integer, (c) => c.references('resource_providers.id'))
        .addUniqueConstraint('uniq_resource_providers0uuid', ['uuid'])
        .addUniqueConstraint('uniq_resource_providers0name', ['name']))
        .execute();
      await s.createIndex('resource_providers_root_provider_id_idx').on('resource_providers').column('root_provider_id').execute();
      await s.createIndex('resource_providers_parent_provider_id_idx').on('resource_providers').column('parent_provider_id').execute();

      await stamps(s.createTable('inventories')
        .addColumn('id', t.serial, t.serialPrimaryKey)
        .addColumn('resource_provider_id', t.integer, (c) => c.notNull())
        .addColumn('resource_class_id', t.integer, (c) => c.notNull())
        .addColumn('total', t.integer, (c) => c.notNull())
        .addColumn('reserved', t.integer, (c) => c.notNull())
        .addColumn('min_unit', t.integer, (c) => c.notNull())
        .addColumn('max_unit', t.integer, (c) => c.notNull())
        .addColumn('step_size', t.integer, (c) => c.notNull())
        .addColumn('allocation_ratio', sql`double precision`, (c) => c.notNull())
        .addUniqueConstraint('uniq_inventories0resource_provider_resource_class', ['resource_provider_id', 'resource_class_id']))
        .execute();
      await s.createIndex('inventories_resource_class_id_idx').on('inventories').column('resource_class_id').execute();

      await stamps(s.createTable('allocations')
        .addColumn('id', t.serial, t.serialPrimaryKey)
        .addColumn('resource_provider_id', t.integer, (c) => c.notNull())
        .addColumn('consumer_id', t.string(36), (c) => c.notNull())
        .addColumn('resource_class_id', t.integer, (c) => c.notNull())
        .addColumn('used', t.integer, (c) => c.notNull()))
        .execute();
      await s.createIndex('allocations_resource_provider_class_used_idx').on('allocations')
        .columns(['resource_provider_id', 'resource_class_id', 'used']).execute();
      await s.createIndex('allocations_resource_class_id_idx').on('allocations').column('resource_class_id').execute();
      await s.createIndex('allocations_consumer_id_idx').on('allocations').column('consumer_id').execute();

      await stamps(s.createTable('placement_aggregates')
        .addColumn('id', t.serial, t.serialPrimaryKey)
        .addColumn('uuid', t.string(36), (c) => c.notNull())
        .addUniqueConstraint('uniq_placement_aggregates0uuid', ['uuid']))
        .execute();

      await stamps(s.createTable('resource_provider_aggregates')
        .addColumn('resource_provider_id', t.integer, (c) => c.notNull())
        .addColumn('aggregate_id', t.integer, (c) => c.notNull())
        .addPrimaryKeyConstraint('pk_resource_provider_aggregates', ['resource_provider_id', 'aggregate_id']))
        .execute();
      await s.createIndex('resource_provider_aggregates_aggregate_id_idx').on('resource_provider_aggregates').column('aggregate_id').execute();

      await stamps(s.createTable('traits')
        .addColumn('id', t.serial, t.serialPrimaryKey)
        .addColumn('name', t.string(255), (c) => c.notNull())
        .addUniqueConstraint('uniq_traits0name', ['name']))
        .execute();

      await stamps(s.createTable('resource_provider_traits')
        .addColumn('trait_id', t.integer, (c) => c.notNull().references('traits.id'))
        .addColumn('resource_provider_id', t.integer, (c) => c.notNull().references('resource_providers.id'))
        .addPrimaryKeyConstraint('pk_resource_provider_traits', ['trait_id', 'resource_provider_id']))
        .execute();
      await s.createIndex('resource_provider_traits_resource_provider_trait_idx').on('resource_provider_traits')
        .columns(['resource_provider_id', 'trait_id']).execute();

      for (const table of ['projects', 'users']) {
        await stamps(s.createTable(table)
          .addColumn('id', t.serial, t.serialPrimaryKey)
          .addColumn('external_id', t.string(255), (c) => c.notNull())
          .addUniqueConstraint(`uniq_${table}0external_id`, ['external_id']))
          .execute();
      }

      await stamps(s.createTable('consumer_types')
        .addColumn('id', t.serial, t.serialPrimaryKey)
        .addColumn('name', t.string(255), (c) => c.notNull())
        .addUniqueConstraint('uniq_consumer_types0name', ['name']))
        .execute();

      await stamps(s.createTable('consumers')
        .addColumn('id', t.serial, t.serialPrimaryKey)
        .addColumn('uuid', t.string(36), (c) => c.notNull())
        .addColumn('project_id', t.integer, (c) => c.notNull())
        .addColumn('user_id', t.integer, (c) => c.notNull())
        .addColumn('generation', t.integer, (c) => c.notNull().defaultTo(0))
        .addColumn('consumer_type_id', t.integer, (c) => c.references('consumer_types.id'))
        .addUniqueConstraint('uniq_consumers0uuid', ['uuid']))
        .execute();
      await s.createIndex('consumers_project_id_user_id_uuid_idx').on('consumers').columns(['project_id', 'user_id', 'uuid']).execute();
      await s.createIndex('consumers_consumer_type_id_idx').on('consumers').column('consumer_type_id').execute();
    },
  },
};
