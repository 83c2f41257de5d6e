/**
 * Snapshots (cinder/api/v3/snapshots.py, contrib/snapshot_actions.py, admin_actions.py): list
 * (summary and detail; filters name, status, volume_id, metadata; sorting, paging, count from
 * 3.45), create (202; in-use volumes need force until 3.66), show, update, delete (202), and
 * the actions os-reset_status and os-force_delete (admin).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BadRequest } from '../../../common/errors.js';
import type { SnapshotRecord } from '../db/records.js';
import { SnapshotNotFound } from '../errors.js';
import type { ApiDeps } from './deps.js';
import { snapshotActions } from './snapshot-actions.js';
import { listOptions, nextLinks, page, param, parseDictFilter, type RawQuery } from './list-params.js';
import { bodyOf, boolParam, caller, metadataOf, optString, uuidOf, type Caller } from './request.js';
import { Links, snapshotView } from './views.js';

type IdParams = { Params: { project_id?: string; id: string } };

const SNAPSHOT_FILTERS = ['name', 'status', 'volume_id', 'metadata', 'availability_zone', 'user_id', 'group_snapshot_id', 'consumes_quota'];
const SORT_KEYS: Record<string, (s: SnapshotRecord) => unknown> = {
  id: (s) => s.id, created_at: (s) => s.created_at, updated_at: (s) => s.updated_at, name: (s) => s.display_name, display_name: (s) => s.display_name,
  description: (s) => s.display_description, display_description: (s) => s.display_description, status: (s) => s.status,
  size: (s) => s.volume_size, volume_id: (s) => s.volume_id, project_id: (s) => s.project_id,
};

function matches(s: SnapshotRecord, filters: Record<string, string>): boolean {
  for (const [key, value] of Object.entries(filters)) {
    switch (key) {
      case 'name': if (s.display_name !== value) return false; break;
      case 'name~': if (!(s.display_name ?? '').toLowerCase().includes(value.toLowerCase())) return false; break;
      case 'status': if (s.status !== value) return false; break;
      case 'volume_id': if (s.volume_id !== value) return false; break;
      case 'user_id': if (s.user_id !== value) return false; break;
      case 'group_snapshot_id': return false;
      case 'consumes_quota': if (s.use_quota !== boolParam('consumes_quota', value)) return false; break;
      case 'metadata': {
        const want = parseDictFilter('metadata', value);
        if (!Object.entries(want).every(([k, x]) => s.metadata[k] === x)) return false;
        break;
      }
      default: break;
    }
  }
  return true;
}

export function snapshotsRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const links = new Links(deps.baseUrl);
  const view = (c: Caller, s: SnapshotRecord, detailed = true) =>
    snapshotView(s, c, detailed && deps.policy.check(c.ctx, 'volume_extension:extended_snapshot_attributes', { project_id: s.project_id }));

  async function list(req: FastifyRequest, detailed: boolean): Promise<Record<string, unknown>> {
    const c = caller(req, deps);
    if (req.url.split('?')[0]!.endsWith('/')) throw new SnapshotNotFound('');
    deps.policy.authorize(c.ctx, 'volume:get_all_snapshots');
    const o = listOptions(req, c.version, SNAPSHOT_FILTERS, deps.settings.maxLimit);
    const q = req.query as RawQuery;
    const all = c.isAdmin && o.allTenants;
    const project = all ? (param(q, 'project_id') ?? null) : (c.ctx.projectId ?? '');
    const matching = (await deps.repos.snapshots.list(project)).filter((s) => matches(s, o.filters));
    for (const s of o.sort) if (!(s.key in SORT_KEYS)) throw new BadRequest(`Invalid input received: Invalid sort key ${s.key}`);
    const items = page(matching, o, (s, key) => SORT_KEYS[key]?.(s));
    const body: Record<string, unknown> = { snapshots: items.map((s) => view(c, s, detailed)) };
    const next = nextLinks(links.collection(c.urlProject, detailed ? 'snapshots/detail' : 'snapshots'), q, items, o.limit, deps.settings.maxLimit);
    if (next.length > 0) body['snapshots_links'] = next;
    if (o.withCount) body['count'] = matching.length;
    return body;
  }

  app.get('/snapshots', async (req) => list(req, false));
  app.get('/snapshots/detail', async (req) => list(req, true));

  app.post('/snapshots', async (req, reply) => {
    const c = caller(req, deps);
    const body = bodyOf(req.body, 'snapshot');
    if (body['volume_id'] === undefined) throw new BadRequest("Invalid input for field/attribute snapshot. 'volume_id' is a required property");
    const volumeId = body['volume_id'] === null ? 'None' : uuidOf('volume_id', body['volume_id'], false)!;
    const name = optString(body, 'name') ?? optString(body, 'display_name') ?? null;
    const description = optString(body, 'description') ?? optString(body, 'display_description') ?? null;
    const force = body['force'] === undefined || body['force'] === null ? false : boolParam('force', body['force']);
    const metadata = body['metadata'] === undefined || body['metadata'] === null ? {} : metadataOf(body['metadata']);
    const v = await deps.volumes.get(c.ctx, volumeId, c.isAdmin);
    deps.policy.authorize(c.ctx, 'volume:create_snapshot', { project_id: v.project_id });
    const s = await deps.snapshots.create(c.ctx, v, { name, description, metadata, force, allowInUse: c.version.atLeast('3.66') });
    return reply.code(202).send({ snapshot: view(c, s, false) });
  });

  app.get<IdParams>('/snapshots/:id', async (req) => {
    const c = caller(req, deps);
    const s = await deps.snapshots.get(c.ctx, req.params.id, c.isAdmin);
    deps.policy.authorize(c.ctx, 'volume:get_snapshot', { project_id: s.project_id });
    return { snapshot: view(c, s) };
  });

  app.put<IdParams>('/snapshots/:id', async (req) => {
    const c = caller(req, deps);
    const body = bodyOf(req.body, 'snapshot');
    const allowed = ['name', 'description', 'display_name', 'display_description'];
    const extra = Object.keys(body).filter((k) => !allowed.includes(k));
    if (extra.length > 0 || Object.keys(body).length === 0) throw new BadRequest('Invalid input for field/attribute snapshot.');
    const s = await deps.snapshots.get(c.ctx, req.params.id, c.isAdmin);
    deps.policy.authorize(c.ctx, 'volume:update_snapshot', { project_id: s.project_id });
    const fields: { display_name?: string | null; display_description?: string | null } = {};
    if (body['name'] !== undefined || body['display_name'] !== undefined) fields.display_name = optString(body, 'name') ?? optString(body, 'display_name') ?? null;
    if (body['description'] !== undefined || body['display_description'] !== undefined) fields.display_description = optString(body, 'description') ?? optString(body, 'display_description') ?? null;
    return { snapshot: view(c, await deps.snapshots.update(s, fields), false) };
  });

  app.delete<IdParams>('/snapshots/:id', async (req, reply) => {
    const c = caller(req, deps);
    const s = await deps.snapshots.get(c.ctx, req.params.id, c.isAdmin);
    deps.policy.authorize(c.ctx, 'volume:delete_snapshot', { project_id: s.project_id });
    await deps.snapshots.delete(c.ctx, s);
    return reply.code(202).send();
  });

  app.post<IdParams>('/snapshots/:id/action', async (req, reply) => {
    const c = caller(req, deps);
    const body = req.body as Record<string, unknown> | null;
    const action = body && typeof body === 'object' && !Array.isArray(body) ? Object.keys(body)[0] : undefined;
    const s = await deps.snapshots.get(c.ctx, req.params.id, c.isAdmin);
    if (action === 'os-reset_status') {
      deps.policy.authorize(c.ctx, 'volume_extension:snapshot_admin_actions:reset_status', { project_id: s.project_id });
      const status = bodyOf(body, action)['status'];
      if (typeof status !== 'string') throw new BadRequest("Invalid input for field/attribute os-reset_status. 'status' is a required property");
      await deps.snapshots.resetStatus(s, status.toLowerCase());
      return reply.code(202).send();
    }
    if (action === 'os-force_delete') {
      deps.policy.authorize(c.ctx, 'volume_extension:snapshot_admin_actions:force_delete', { project_id: s.project_id });
      await deps.snapshots.delete(c.ctx, s, true);
      return reply.code(202).send();
    }
    const handler = action !== undefined && Object.hasOwn(snapshotActions, action) ? snapshotActions[action] : undefined;
    if (handler) return handler({ deps, c, s, arg: body![action!], reply });
    throw new BadRequest(`There is no such action: ${action ?? ''}`);
  });
}
