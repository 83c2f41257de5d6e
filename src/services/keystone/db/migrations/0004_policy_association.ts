/**
 * OS-ENDPOINT-POLICY's table (keystone/endpoint_policy/backends/sql.py): a policy associated
 * with an endpoint, a service, or a service in a region. The id only gives the row a key; an
 * association is found by its endpoint, service and region (any of which may be null). The
 * unique constraint is upstream's (with a target's nulls it does not make rows unique).
 */
import type { Kysely } from 'kysely';
import { columnTypes } from '../../../../common/db/index.js';

export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(db);
  await db.schema.createTable('policy_association')
    .addColumn('id', t.string(64), (c) => c.primaryKey())
    .addColumn('policy_id', t.string(64), (c) => c.notNull())
    .addColumn('endpoint_id', t.string(64))
    .addColumn('service_id', t.string(64))
    .addColumn('region_id', t.string(64))
    .addUniqueConstraint('uq_policy_association_target', ['endpoint_id', 'service_id', 'region_id'])
    .execute();
}
