/**
 * The backups resource (cinder/api/contrib/backups.py, api/v3/backups.py,
 * contrib/admin_actions.py's backup actions): list (summary and detail; filters name, status,
 * volume_id; sorting, paging, count from 3.45), show (project attribute from 3.18, user_id
 * from 3.56 for admins), create (202; incremental, from a snapshot, force for in-use volumes,
 * metadata from 3.43, availability_zone from 3.51), update (3.9; metadata from 3.43),
 * delete (202), restore (202), export_record, import_record (201), and the actions
 * os-reset_status and os-force_delete (admin).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BadRequest } from '../../../common/errors.js';
import type { BackupRecord } from '../db/backups.js';
import { NotFound } from '../errors.js';
import type { ApiDeps } from './deps.js';
import { listOptions, nextLinks, page, param, type RawQuery } from './list-params.js';
import { bodyOf, boolParam, caller, metadataOf, optString, uuidOf, type Caller } from './request.js';
import { cinderTime, Links } from './views.js';

type IdParams = { Params: { project_id?: string; id: string } };

/** cinder's default resource_filters.json for backups. */
const BACKUP_FILTERS = ['name', 'status', 'volume_id'];

const SORT_KEYS: Record<string, (b: BackupRecord) => unknown> = {
  id: (b) => b.id, created_at: (b) => b.created_at, updated_at: (b) => b.updated_at, display_name: (b) => b.display_name, name: (b) => b.display_name,
  size: (b) => b.size, status: (b) => b.status, volume_id: (b) => b.volume_id, project_id: (b) => b.project_id, availability_zone: (b) => b.availability_zone,
  container: (b) => b.container, data_timestamp: (b) => b.data_timestamp, object_count: (b) => b.object_count, user_id: (b) => b.user_id,
};

function additional(field: string, body: Record<string, unknown>, allowed: readonly string[]): void {
  const extra = Object.keys(body).filter((k) => !allowed.includes(k));
  if (extra.length > 0) {
    throw new BadRequest(`Invalid input for field/attribute ${field}. Value: ${JSON.stringify(body)}. Additional properties are not allowed (${extra.map((k) => `'${k}'`).join(', ')} ${extra.length > 1 ? 'were' : 'was'} unexpected)`);
  }
}

export function backupSummary(b: BackupRecord, c: Caller, links: Links): Record<string, unknown> {
  return { id: b.id, name: b.display_name, links: links.of(c.urlProject, 'backups', b.id) };
}

export function backupDetail(b: BackupRecord, c: Caller, links: Links, hasDependents: boolean): Record<string, unknown> {
  const view: Record<string, unknown> = {
    id: b.id, status: b.status, size: b.size, object_count: b.object_count, availability_zone: b.availability_zone, container: b.container,
    created_at: cinderTime(b.created_at), updated_at: cinderTime(b.updated_at), name: b.display_name, description: b.display_description,
    fail_reason: b.fail_reason, volume_id: b.volume_id, links: links.of(c.urlProject, 'backups', b.id), is_incremental: b.parent_id !== null,
    has_dependent_backups: hasDependents, snapshot_id: b.snapshot_id, data_timestamp: cinderTime(b.data_timestamp),
  };
  if (c.version.atLeast('3.43')) view['metadata'] = b.metadata;
  if (c.version.atLeast('3.64') && b.encryption_key_id) view['encryption_key_id'] = b.encryption_key_id;
  return view;
}

export function backupsRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const links = new Links(deps.baseUrl);
  const api = deps.backups;

  /** The detail with the admin attributes of 3.18 (project) and 3.56 (user). */
  const detail = (c: Caller, b: BackupRecord): Record<string, unknown> => {
    const view = backupDetail(b, c, links, b.num_dependent_backups > 0);
    const attrs = deps.policy.check(c.ctx, 'backup:backup_project_attribute', { project_id: b.project_id });
    if (attrs && c.version.atLeast('3.18')) view['os-backup-project-attr:project_id'] = b.project_id;
    if (attrs && c.version.atLeast('3.56')) view['user_id'] = b.user_id;
    return view;
  };

  async function list(req: FastifyRequest, detailed: boolean): Promise<Record<string, unknown>> {
    const c = caller(req, deps);
    deps.policy.authorize(c.ctx, 'backup:get_all', { project_id: c.ctx.projectId ?? null });
    const o = listOptions(req, c.version, BACKUP_FILTERS, deps.settings.maxLimit);
    delete o.filters['project_id'];
    const all = c.isAdmin && o.allTenants;
    const q = req.query as RawQuery;
    const filterProject = param(q, 'project_id');
    const backups = await deps.repos.backups.list(all ? (filterProject ?? null) : (c.ctx.projectId ?? ''));
    const matching = backups.filter((b) => Object.entries(o.filters).every(([rawKey, value]) => {
      const like = rawKey.endsWith('~') && c.version.atLeast('3.34');
      const key = like ? rawKey.slice(0, -1) : rawKey;
      const field = key === 'name' ? b.display_name : key === 'status' ? b.status : key === 'volume_id' ? b.volume_id : undefined;
      if (field === undefined) return true; // unknown filters are ignored before 3.31 (a 400 after, in listOptions)
      return like ? (field ?? '').toLowerCase().includes(value.toLowerCase()) : field === value;
    }));
    for (const s of o.sort) if (!(s.key in SORT_KEYS)) throw new BadRequest(`Invalid input received: Invalid sort key ${s.key}`);
    const items = page(matching, o, (b, key) => SORT_KEYS[key]?.(b));
    const body: Record<string, unknown> = { backups: items.map((b) => (detailed ? detail(c, b) : backupSummary(b, c, links))) };
    const next = nextLinks(links.collection(c.urlProject, detailed ? 'backups/detail' : 'backups'), q, items, o.limit, deps.settings.maxLimit);
    if (next.length > 0) body['backups_links'] = next;
    if (o.withCount) body['count'] = matching.length;
    return body;
  }

  app.get('/backups', async (req) => list(req, false));
  app.get('/backups/detail', async (req) => list(req, true));

  app.post('/backups', async (req, reply) => {
    const c = caller(req, deps);
    const body = bodyOf(req.body, 'backup');
    const allowed = ['volume_id', 'container', 'description', 'incremental', 'force', 'name', 'snapshot_id'];
    if (c.version.atLeast('3.43')) allowed.push('metadata');
    if (c.version.atLeast('3.51')) allowed.push('availability_zone');
    additional('backup', body, allowed);
    if (body['volume_id'] === undefined) throw new BadRequest(`Invalid input for field/attribute backup. Value: ${JSON.stringify(body)}. 'volume_id' is a required property`);
    const volumeId = uuidOf('volume_id', body['volume_id'], false)!;
    const bool = (k: string): boolean => (body[k] === undefined || body[k] === null ? false : boolParam(k, body[k]));
    const input = {
      volume_id: volumeId, container: optString(body, 'container') ?? null, name: optString(body, 'name') ?? null,
      description: optString(body, 'description') ?? null, incremental: bool('incremental'), force: bool('force'),
      snapshot_id: body['snapshot_id'] === undefined ? null : uuidOf('snapshot_id', body['snapshot_id']),
      metadata: body['metadata'] === undefined || body['metadata'] === null ? {} : metadataOf(body['metadata']),
      availability_zone: optString(body, 'availability_zone') ?? null,
    };
    const v = await deps.volumes.get(c.ctx, volumeId, c.isAdmin);
    deps.policy.authorize(c.ctx, 'backup:create', { project_id: v.project_id });
    const b = await api.create(c.ctx, v, input, c.isAdmin);
    return reply.code(202).send({ backup: backupSummary(b, c, links) });
  });

  app.post('/backups/import_record', async (req, reply) => {
    const c = caller(req, deps);
    deps.policy.authorize(c.ctx, 'backup:backup-import', { project_id: c.ctx.projectId ?? null });
    const body = bodyOf(req.body, 'backup-record');
    additional('backup-record', body, ['backup_service', 'backup_url']);
    for (const k of ['backup_service', 'backup_url']) {
      if (typeof body[k] !== 'string' || body[k] === '') throw new BadRequest(`Invalid input for field/attribute backup-record. Value: ${JSON.stringify(body)}. '${k}' is a required property`);
    }
    const b = await api.importRecord(c.ctx, body['backup_service'] as string, body['backup_url'] as string);
    return reply.code(201).send({ backup: backupSummary(b, c, links) });
  });

  app.get<IdParams>('/backups/:id', async (req) => {
    const c = caller(req, deps);
    const b = await api.get(c.ctx, req.params.id, c.isAdmin);
    deps.policy.authorize(c.ctx, 'backup:get', { project_id: b.project_id });
    return { backup: detail(c, b) };
  });

  app.put<IdParams>('/backups/:id', async (req) => {
    const c = caller(req, deps);
    if (!c.version.atLeast('3.9')) throw new NotFound(`API version ${c.version.toString()} is not supported on this method.`);
    const raw = (req.body as Record<string, unknown> | null)?.['backup'];
    const body = raw === null ? {} : bodyOf(req.body, 'backup');
    additional('backup', body, c.version.atLeast('3.43') ? ['name', 'description', 'metadata'] : ['name', 'description']);
    const b = await api.get(c.ctx, req.params.id, c.isAdmin);
    deps.policy.authorize(c.ctx, 'backup:update', { project_id: b.project_id });
    const fields: { display_name?: string | null; display_description?: string | null; metadata?: Record<string, string> } = {};
    if (body['name'] !== undefined) fields.display_name = optString(body, 'name') ?? null;
    if (body['description'] !== undefined) fields.display_description = optString(body, 'description') ?? null;
    if (body['metadata'] !== undefined) fields.metadata = metadataOf(body['metadata']);
    return { backup: backupSummary(await api.update(b, fields), c, links) };
  });

  app.delete<IdParams>('/backups/:id', async (req, reply) => {
    const c = caller(req, deps);
    const b = await api.get(c.ctx, req.params.id, c.isAdmin);
    deps.policy.authorize(c.ctx, 'backup:delete', { project_id: b.project_id });
    await api.delete(c.ctx, b, false);
    return reply.code(202).send();
  });

  app.post<IdParams>('/backups/:id/restore', async (req, reply) => {
    const c = caller(req, deps);
    const raw = (req.body as Record<string, unknown> | null)?.['restore'];
    const body = raw === null ? {} : bodyOf(req.body, 'restore');
    additional('restore', body, ['name', 'volume_id']);
    const volumeId = body['volume_id'] === undefined ? null : uuidOf('volume_id', body['volume_id']);
    const name = optString(body, 'name') ?? null;
    const b = await api.get(c.ctx, req.params.id, c.isAdmin);
    deps.policy.authorize(c.ctx, 'backup:restore', { project_id: b.project_id });
    const restore = await api.restore(c.ctx, c.isAdmin, b, volumeId, name);
    return reply.code(202).send({ restore });
  });

  app.get<IdParams>('/backups/:id/export_record', async (req) => {
    const c = caller(req, deps);
    const b = await api.get(c.ctx, req.params.id, c.isAdmin);
    deps.policy.authorize(c.ctx, 'backup:export-import', { project_id: b.project_id });
    return { 'backup-record': api.exportRecord(b) };
  });

  app.post<IdParams>('/backups/:id/action', async (req, reply) => {
    const c = caller(req, deps);
    const body = req.body as Record<string, unknown> | null;
    const action = body && typeof body === 'object' && !Array.isArray(body) ? Object.keys(body)[0] : undefined;
    const b = await api.get(c.ctx, req.params.id, c.isAdmin);
    if (action === 'os-reset_status') {
      deps.policy.authorize(c.ctx, 'volume_extension:backup_admin_actions:reset_status', { project_id: b.project_id });
      const status = bodyOf(body, action)['status'];
      if (typeof status !== 'string') throw new BadRequest("Invalid input for field/attribute os-reset_status. 'status' is a required property");
      await api.resetStatus(b, status.toLowerCase());
      return reply.code(202).send();
    }
    if (action === 'os-force_delete') {
      deps.policy.authorize(c.ctx, 'volume_extension:backup_admin_actions:force_delete', { project_id: b.project_id });
      await api.delete(c.ctx, b, true);
      return reply.code(202).send();
    }
    throw new BadRequest(`There is no such action: ${action ?? ''}`);
  });
}
