/**
 * meteringlabels and meteringlabelrules (neutron/db/models/metering.py): a label belongs to a
 * project and may be shared (it then applies to every router); its rules go with it (ON DELETE
 * CASCADE). Prefixes are kept as given (netaddr's text of the network).
 */
import type { Kysely } from 'kysely';
import { columnTypes } from '../../../../common/db/index.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db);
  await db.schema.createTable('meteringlabels')
    .addColumn('id', t.string(36), (c) => c.primaryKey())
    .addColumn('project_id', t.string(255), (c) => c.notNull())
    .addColumn('name', t.string(255), (c) => c.notNull().defaultTo(''))
    .addColumn('description', t.string(1024), (c) => c.notNull().defaultTo(''))
    .addColumn('shared', t.boolean, (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('ix_meteringlabels_project_id').on('meteringlabels').column('project_id').execute();
  await db.schema.createTable('meteringlabelrules')
    .addColumn('id', t.string(36), (c) => c.primaryKey())
    .addColumn('metering_label_id', t.string(36), (c) => c.notNull().references('meteringlabels.id').onDelete('cascade'))
    .addColumn('direction', t.string(16), (c) => c.notNull())
    .addColumn('remote_ip_prefix', t.string(64))
    .addColumn('source_ip_prefix', t.string(64))
    .addColumn('destination_ip_prefix', t.string(64))
    .addColumn('excluded', t.boolean, (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('ix_meteringlabelrules_metering_label_id').on('meteringlabelrules').column('metering_label_id').execute();
}
