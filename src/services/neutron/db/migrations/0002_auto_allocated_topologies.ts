/**
 * auto_allocated_topologies (neutron/db/models/.../auto_allocate): the network and router that
 * GET /v2.0/auto-allocated-topology/{project_id} made for a project, one per project; the row
 * goes with its network or router.
 */
import type { Kysely } from 'kysely';
import { columnTypes } from '../../../../common/db/index.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db);
  await db.schema.createTable('auto_allocated_topologies')
    .addColumn('project_id', t.string(255), (c) => c.primaryKey())
    .addColumn('network_id', t.string(36), (c) => c.notNull().references('networks.id').onDelete('cascade'))
    .addColumn('router_id', t.string(36), (c) => c.references('routers.id').onDelete('set null'))
    .execute();
}
