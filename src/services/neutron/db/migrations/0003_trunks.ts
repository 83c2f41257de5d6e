/**
 * trunks and subports (neutron/services/trunk/models.py): a trunk is a standard-attribute
 * resource on one parent port (unique); a subport is a port (primary key) on one trunk with its
 * segmentation type and id, unique per trunk. Both go with their ports and trunk (ON DELETE
 * CASCADE); the API refuses to delete a port in use by a trunk first. `position` keeps the
 * subports in the order they were added.
 */
import type { Kysely } from 'kysely';
import { columnTypes } from '../../../../common/db/index.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db);
  await db.schema.createTable('trunks')
    .addColumn('id', t.string(36), (c) => c.primaryKey())
    .addColumn('project_id', t.string(255), (c) => c.notNull())
    .addColumn('name', t.string(255), (c) => c.notNull().defaultTo(''))
    .addColumn('admin_state_up', t.boolean, (c) => c.notNull().defaultTo(1))
    .addColumn('status', t.string(16), (c) => c.notNull())
    .addColumn('port_id', t.string(36), (c) => c.notNull().unique().references('ports.id').onDelete('cascade'))
    .addColumn('description', t.string(255), (c) => c.notNull().defaultTo(''))
    .addColumn('revision_number', t.bigint, (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ix_trunks_project_id').on('trunks').column('project_id').execute();
  await db.schema.createTable('subports')
    .addColumn('port_id', t.string(36), (c) => c.primaryKey().references('ports.id').onDelete('cascade'))
    .addColumn('trunk_id', t.string(36), (c) => c.notNull().references('trunks.id').onDelete('cascade'))
    .addColumn('segmentation_type', t.string(32), (c) => c.notNull())
    .addColumn('segmentation_id', t.integer, (c) => c.notNull())
    .addColumn('position', t.integer, (c) => c.notNull())
    .addUniqueConstraint('uniq_subport0trunk_id0segmentation_type0segmentation_id', ['trunk_id', 'segmentation_type', 'segmentation_id'])
    .execute();
}
