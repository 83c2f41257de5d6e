/**
 * Reading the migrations table for GET /os-migrations (nova's migration_get_all_by_filters): filters by status, host (source or destination),
 * source compute, node, type, hidden, instance, user and project, changes-since/-before on
 * updated_at, and paging by created_at and id, newest first, after a marker migration (uuid).
 */
import type { Kysely, Selectable } from 'kysely';
import { MarkerNotFound } from '../errors.js';
import type { MigrationsTable, NovaDB } from './schema.js';

export type MigrationRow = Selectable<MigrationsTable>;

/** The statuses of a live migration still under way. */
export const LIVE_MIGRATION_IN_PROGRESS = ['queued', 'preparing', 'running', 'post-migrating'];

export interface MigrationListQuery {
  status?: string;
  /** Source or destination compute. */
  host?: string;
  /** Only when no host is given. */
  sourceCompute?: string;
  migrationType?: string;
  hidden?: boolean;
  instanceUuid?: string;
  userId?: string;
  projectId?: string;
  changesSince?: string;
  changesBefore?: string;
  /** Newest first by created_at then id, with limit and marker (a migration uuid); otherwise by id. */
  paged?: { limit: number; marker?: string };
}

/** @throws MarkerNotFound when the marker names no migration */
export async function listMigrations(db: Kysely<NovaDB>, q: MigrationListQuery): Promise<MigrationRow[]> {
  let query = db.selectFrom('migrations').selectAll().where('deleted', '=', 0);
  if (q.changesSince) query = query.where('updated_at', '>=', q.changesSince);
  if (q.changesBefore) query = query.where('updated_at', '<=', q.changesBefore);
  if (q.status !== undefined) query = query.where('status', '=', q.status);
  if (q.host !== undefined) {
    const host = q.host;
    query = query.where((eb) => eb.or([eb('source_compute', '=', host), eb('dest_compute', '=', host)]));
  } else if (q.sourceCompute !== undefined) {
    query = query.where('source_compute', '=', q.sourceCompute);
  }
  if (q.migrationType !== undefined) query = query.where('migration_type', '=', q.migrationType);
  if (q.hidden !== undefined) query = query.where('hidden', '=', q.hidden ? 1 : 0);
  if (q.instanceUuid !== undefined) query = query.where('instance_uuid', '=', q.instanceUuid);
  if (q.userId !== undefined) query = query.where('user_id', '=', q.userId);
  if (q.projectId !== undefined) query = query.where('project_id', '=', q.projectId);
  if (!q.paged) return query.orderBy('id').execute();
  if (q.paged.limit === 0) return [];
  if (q.paged.marker !== undefined) {
    const marker = await db.selectFrom('migrations').select(['id', 'created_at']).where('uuid', '=', q.paged.marker).where('deleted', '=', 0).executeTakeFirst();
    if (!marker) throw new MarkerNotFound(q.paged.marker);
    query = query.where((eb) => eb.or([
      eb('created_at', '<', marker.created_at),
      eb.and([eb('created_at', '=', marker.created_at), eb('id', '<', marker.id)]),
    ]));
  }
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.paged.limit).execute();
}
