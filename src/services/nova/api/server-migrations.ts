/**
 * The live migrations of a server (nova's server_migrations.py): list (2.23) and show (2.23)
 * of the ones in progress, force_complete (2.22: POST .../migrations/{id}/action) and abort
 * (2.24: DELETE .../migrations/{id}; queued or preparing ones too from 2.65). Fields by
 * microversion: uuid from 2.59, user_id and project_id from 2.80.
 */
import type { FastifyInstance } from 'fastify';
import { BadRequest, NotFound } from '../../../common/errors.js';
import type { APIVersion } from '../../../common/http/microversion.js';
import { InvalidMigrationState, MigrationNotFound } from '../errors.js';
import type { Migration } from '../objects/index.js';
import type { ApiDeps } from './deps.js';
import { caller, getInstance, type Caller } from './request.js';
import { invalidStateConflict } from './server-actions/index.js';
import { validateBody } from './validation.js';

const rule = (name: string) => `os_compute_api:servers:migrations:${name}`;

function output(m: Migration, v: APIVersion): Record<string, unknown> {
  const d = m.data;
  return {
    created_at: d.created_at, dest_compute: d.dest_compute, dest_host: d.dest_host, dest_node: d.dest_node,
    disk_processed_bytes: d.disk_processed, disk_remaining_bytes: d.disk_remaining, disk_total_bytes: d.disk_total, id: d.id,
    memory_processed_bytes: d.memory_processed, memory_remaining_bytes: d.memory_remaining, memory_total_bytes: d.memory_total,
    server_uuid: d.instance_uuid, source_compute: d.source_compute, source_node: d.source_node, status: d.status, updated_at: d.updated_at,
    ...(v.atLeast('2.59') ? { uuid: d.uuid } : {}),
    ...(v.atLeast('2.80') ? { user_id: d.user_id, project_id: d.project_id } : {}),
  };
}

/** nova's VersionNotFoundForAPIMethod (404) below a method's first microversion. */
function since(c: Caller, min: string): void {
  if (!c.version.atLeast(min)) throw new NotFound(`API version ${c.version.toString()} is not supported on this method.`);
}

/** The migration id of the path: nova's routes take any string; an id that is no integer matches no migration. */
function migrationId(raw: string): number {
  return /^[0-9]+$/.test(raw) ? Number(raw) : Number.NaN;
}

const FORCE_COMPLETE = { type: 'object', properties: { force_complete: { type: 'null' } }, required: ['force_complete'], additionalProperties: false };

type Params = { Params: { server_id: string; id: string } };

export function serverMigrationsRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get<{ Params: { server_id: string } }>('/servers/:server_id/migrations', async (req) => {
    const c = caller(req, deps);
    since(c, '2.23');
    const instance = await getInstance(deps, c, req.params.server_id);
    deps.policy.can(c.ctx, rule('index'), { project_id: instance.data.project_id });
    return { migrations: (await deps.moves.liveMigrationsInProgress(instance)).map((m) => output(m, c.version)) };
  });

  app.get<Params>('/servers/:server_id/migrations/:id', async (req) => {
    const c = caller(req, deps);
    since(c, '2.23');
    const { server_id: serverId, id } = req.params;
    const instance = await getInstance(deps, c, serverId);
    deps.policy.can(c.ctx, rule('show'), { project_id: instance.data.project_id });
    let migration: Migration;
    try {
      migration = await deps.moves.migrationOf(instance, migrationId(id));
    } catch (err) {
      if (err instanceof MigrationNotFound) throw new NotFound(`In-progress live migration ${id} is not found for server ${serverId}.`);
      throw err;
    }
    if (migration.data.migration_type !== 'live-migration') throw new NotFound(`Migration ${id} for server ${serverId} is not live-migration.`);
    if (!['queued', 'preparing', 'running', 'post-migrating'].includes(migration.data.status)) {
      throw new NotFound(`Live migration ${id} for server ${serverId} is not in progress.`);
    }
    return { migration: output(migration, c.version) };
  });

  app.post<Params>('/servers/:server_id/migrations/:id/action', async (req, reply) => {
    const c = caller(req, deps);
    since(c, '2.22');
    const instance = await getInstance(deps, c, req.params.server_id);
    deps.policy.can(c.ctx, rule('force_complete'), { project_id: instance.data.project_id });
    validateBody(FORCE_COMPLETE, req.body);
    try {
      await deps.moves.liveMigrateForceComplete(c.ctx, instance, migrationId(req.params.id), c.isAdmin);
    } catch (err) {
      if (err instanceof MigrationNotFound || err instanceof InvalidMigrationState) throw new BadRequest(err.message);
      throw invalidStateConflict(err, 'force_complete', instance.uuid);
    }
    return reply.code(202).send();
  });

  app.delete<Params>('/servers/:server_id/migrations/:id', async (req, reply) => {
    const c = caller(req, deps);
    since(c, '2.24');
    const instance = await getInstance(deps, c, req.params.server_id);
    deps.policy.can(c.ctx, rule('delete'), { project_id: instance.data.project_id });
    try {
      await deps.moves.liveMigrateAbort(c.ctx, instance, migrationId(req.params.id), { abortInQueue: c.version.atLeast('2.65'), isAdmin: c.isAdmin });
    } catch (err) {
      if (err instanceof MigrationNotFound) throw new NotFound(err.message);
      if (err instanceof InvalidMigrationState) throw new BadRequest(err.message);
      throw invalidStateConflict(err, 'abort live migration', instance.uuid);
    }
    return reply.code(202).send();
  });
}
