/**
 * address_groups and address_associations (neutron/db/models/address_group.py): an address
 * group is a standard-attribute resource of one project; its addresses are CIDRs (primary key
 * with the group), removed with it (ON DELETE CASCADE).
 */
import type { Kysely } from 'kysely';
import { columnTypes } from '../../../../common/db/index.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db);
  await db.schema.createTable('address_groups')
    .addColumn('id', t.string(36), (c) => c.primaryKey())
    .addColumn('project_id', t.string(255), (c) => c.notNull())
    .addColumn('name', t.string(255), (c) => c.notNull().defaultTo(''))
    .addColumn('description', t.string(255), (c) => c.notNull().defaultTo(''))
    .addColumn('revision_number', t.bigint, (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ix_address_groups_project_id').on('address_groups').column('project_id').execute();
  await db.schema.createTable('address_associations')
    .addColumn('address', t.string(64), (c) => c.notNull())
    .addColumn('address_group_id', t.string(36), (c) => c.notNull().references('address_groups.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('pk_address_associations', ['address', 'address_group_id'])
    .execute();
}
