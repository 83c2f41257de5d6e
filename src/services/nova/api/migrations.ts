/**
 * GET /os-migrations (nova/api/openstack/compute/migrations.py): every migration, filtered by
 * host, source_compute, status, migration_type, instance_uuid and hidden; from 2.59 paged
 * newest first with changes-since (2.66 changes-before) and unknown parameters refused; from
 * 2.80 user_id and project_id. Hidden migrations are never shown.
 */
import type { FastifyInstance } from 'fastify';
import { BadRequest } from '../../../common/errors.js';
import { listMigrations, type MigrationListQuery, type MigrationRow } from '../db/migration-list.js';
import { MarkerNotFound } from '../errors.js';
import { lastOf, pageLimit, queryTime, rejectUnknown, strictBoolean, type RawQuery } from './admin-query.js';
import type { ApiDeps } from './deps.js';
import { caller } from './request.js';
import { migrationView } from './views/migrations.js';

const FILTERS = ['hidden', 'host', 'instance_uuid', 'source_compute', 'status', 'migration_type'];

export function migrationsRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/os-migrations', async (req) => {
    const c = caller(req, deps);
    const q = req.query as RawQuery;
    const v = c.version;
    if (v.atLeast('2.59')) {
      rejectUnknown(q, [...FILTERS, 'limit', 'marker', 'changes-since', ...(v.atLeast('2.66') ? ['changes-before'] : []),
        ...(v.atLeast('2.80') ? ['user_id', 'project_id'] : [])]);
    }
    const query: MigrationListQuery = {};
    const str = (k: string): string | undefined => lastOf(q, k);
    if (str('status') !== undefined) query.status = str('status')!;
    if (str('host') !== undefined) query.host = str('host')!;
    if (str('source_compute') !== undefined) query.sourceCompute = str('source_compute')!;
    if (str('migration_type') !== undefined) query.migrationType = str('migration_type')!;
    if (str('instance_uuid') !== undefined) query.instanceUuid = str('instance_uuid')!;
    // Hidden migrations are never shown; leaving them out in the query keeps pages full.
    query.hidden = str('hidden') !== undefined ? strictBoolean('hidden', str('hidden')!) : false;
    // Before 2.59 every parameter reaches the filters (user_id and project_id too); from 2.59 only the known ones.
    if (!v.atLeast('2.59') || v.atLeast('2.80')) {
      if (str('user_id') !== undefined) query.userId = str('user_id')!;
      if (str('project_id') !== undefined) query.projectId = str('project_id')!;
    }
    if (v.atLeast('2.59')) {
      const since = str('changes-since');
      const before = v.atLeast('2.66') ? str('changes-before') : undefined;
      if (since !== undefined) query.changesSince = queryTime('changes-since', since);
      if (before !== undefined) query.changesBefore = queryTime('changes-before', before);
      if (query.changesSince && query.changesBefore && query.changesBefore < query.changesSince) {
        throw new BadRequest('The value of changes-since must be less than or equal to changes-before.');
      }
      const marker = str('marker');
      query.paged = { limit: pageLimit(q, deps.settings.maxLimit), ...(marker !== undefined ? { marker } : {}) };
    }
    deps.policy.can(c.ctx, 'os_compute_api:os-migrations:index');
    let rows: MigrationRow[];
    try {
      rows = await listMigrations(deps.db, query);
    } catch (err) {
      if (err instanceof MarkerNotFound) throw new BadRequest(err.message);
      throw err;
    }
    const migrations = rows.filter((m) => !m.hidden).map((m) => migrationView(m, v, deps.links));
    const body: Record<string, unknown> = { migrations };
    if (query.paged && migrations.length > 0 && migrations.length === query.paged.limit) {
      body['migrations_links'] = [deps.links.next('os-migrations', q, String(migrations.at(-1)!['uuid']))];
    }
    return body;
  });
}
