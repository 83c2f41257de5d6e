/**
 * virtual_interfaces (nova's VirtualInterface): one row per port a server has, keyed by the
 * port id, with the device tag asked for when the interface was attached (shown from 2.70).
 */
import type { Kysely } from 'kysely';
import { columnTypes, type Migration } from '../../../../common/db/index.js';

export const virtualInterfaces: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    const t = columnTypes(db);
    const s = (n = 255) => t.string(n);
    await db.schema.createTable('virtual_interfaces')
      .addColumn('id', t.serial, t.serialPrimaryKey)
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp)
      .addColumn('deleted_at', t.timestamp)
      .addColumn('deleted', t.integer, (c) => c.notNull().defaultTo(0))
      .addColumn('uuid', s(36), (c) => c.notNull())
      .addColumn('instance_uuid', s(36), (c) => c.notNull().references('instances.uuid'))
      .addColumn('network_id', s(36))
      .addColumn('address', s())
      .addColumn('tag', s())
      .addUniqueConstraint('uniq_virtual_interfaces0uuid0deleted', ['uuid', 'deleted'])
      .execute();
    await db.schema.createIndex('virtual_interfaces_instance_uuid_idx').on('virtual_interfaces').columns(['instance_uuid', 'deleted']).execute();
  },
};
