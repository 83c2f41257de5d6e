/**
 * The live migrations of a server under way (nova/api/openstack/compute/server_migrations.py,
 * from 2.23): GET /servers/{id}/migrations and GET /servers/{id}/migrations/{migration_id}.
 */
import type { FastifyInstance } from 'fastify';
import { inProgressLiveMigrations, LIVE_MIGRATION_IN_PROGRESS, migrationOfInstance } from '../db/migration-list.js';
import { NotFound } from '../errors.js';
import type { ApiDeps } from './deps.js';
import { caller, getInstance, type Caller } from './request.js';
import { serverMigrationView } from './views/migrations.js';

const rule = (name: string): string => `os_compute_api:servers:migrations:${name}`;

function from223(c: Caller): void {
  if (!c.version.atLeast('2.23')) throw new NotFound('The resource could not be found.');
}

export function serverMigrationsRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get<{ Params: { id: string } }>('/servers/:id/migrations', async (req) => {
    const c = caller(req, deps);
    from223(c);
    const instance = await getInstance(deps, c, req.params.id);
    deps.policy.can(c.ctx, rule('index'), { project_id: instance.data.project_id });
    const migrations = await inProgressLiveMigrations(deps.db, instance.uuid);
    return { migrations: migrations.map((m) => serverMigrationView(m, c.version)) };
  });

  app.get<{ Params: { id: string; migrationId: string } }>('/servers/:id/migrations/:migrationId', async (req) => {
    const c = caller(req, deps);
    from223(c);
    const instance = await getInstance(deps, c, req.params.id);
    deps.policy.can(c.ctx, rule('show'), { project_id: instance.data.project_id });
    const raw = req.params.migrationId;
    const id = /^\d+$/.test(raw) && Number(raw) <= 2 ** 31 - 1 ? Number(raw) : null;
    const m = id === null ? undefined : await migrationOfInstance(deps.db, id, instance.uuid);
    if (!m) throw new NotFound(`In-progress live migration ${raw} is not found for server ${instance.uuid}.`);
    if (m.migration_type !== 'live-migration') throw new NotFound(`Migration ${raw} for server ${instance.uuid} is not live-migration.`);
    if (!LIVE_MIGRATION_IN_PROGRESS.includes(m.status)) throw new NotFound(`Live migration ${raw} for server ${instance.uuid} is not in progress.`);
    return { migration: serverMigrationView(m, c.version) };
  });
}
