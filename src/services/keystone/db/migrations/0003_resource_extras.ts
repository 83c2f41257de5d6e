/**
 * Tables for the rest of the resource side: policy blobs (/v3/policies), endpoint filtering
 * (OS-EP-FILTER: endpoint groups and project associations) and OAuth1 consumers.
 */
import type { Kysely } from 'kysely';
import { columnTypes } from '../../../../common/db/index.js';

export async function up(db: Kysely<any>): Promise<void> {
  const s = db.schema;
  const t = columnTypes(db);

  await s.createTable('policy')
    .addColumn('id', t.string(64), (c) => c.primaryKey())
    .addColumn('type', t.string(255), (c) => c.notNull())
    .addColumn('blob', t.text, (c) => c.notNull())
    .addColumn('extra', t.jsonText)
    .execute();

  await s.createTable('endpoint_group')
    .addColumn('id', t.string(64), (c) => c.primaryKey())
    .addColumn('name', t.string(255), (c) => c.notNull())
    .addColumn('description', t.text)
    .addColumn('filters', t.jsonText, (c) => c.notNull())
    .execute();

  await s.createTable('project_endpoint')
    .addColumn('endpoint_id', t.string(64), (c) => c.notNull())
    .addColumn('project_id', t.string(64), (c) => c.notNull())
    .addPrimaryKeyConstraint('pk_project_endpoint', ['endpoint_id', 'project_id'])
    .execute();

  await s.createTable('project_endpoint_group')
    .addColumn('endpoint_group_id', t.string(64), (c) => c.notNull())
    .addColumn('project_id', t.string(64), (c) => c.notNull())
    .addPrimaryKeyConstraint('pk_project_endpoint_group', ['endpoint_group_id', 'project_id'])
    .execute();

  await s.createTable('consumer')
    .addColumn('id', t.string(64), (c) => c.primaryKey())
    .addColumn('description', t.string(64))
    .addColumn('secret', t.string(64), (c) => c.notNull())
    .addColumn('extra', t.jsonText)
    .execute();
}
