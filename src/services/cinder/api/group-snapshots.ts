/**
 * Group snapshots (cinder/api/v3/group_snapshots.py, 3.14+): list and detail, show, create
 * (202, a snapshot of each volume of the group), delete (202), and reset_status (admin, 3.19).
 * Views (cinder/api/v3/views/group_snapshots.py): project_id from 3.58 for admins.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BadRequest } from '../../../common/errors.js';
import type { GroupSnapshotRecord } from '../db/groups.js';
import type { ApiDeps } from './deps.js';
import { since } from './group-types.js';
import { listOptions, page } from './list-params.js';
import { bodyOf, caller, optString, uuidOf, type Caller } from './request.js';
import { cinderTime } from './views.js';
import { argObject, onlyProperties, required } from './volume-action-registry.js';

type IdParams = { Params: { project_id?: string; id: string } };

const FILTERS = ['name', 'status', 'group_id', 'id'];
const SORT_KEYS: Record<string, (g: GroupSnapshotRecord) => unknown> = {
  id: (g) => g.id, name: (g) => g.name, status: (g) => g.status, created_at: (g) => g.created_at, group_id: (g) => g.group_id,
};

export function groupSnapshotsRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const summary = (gs: GroupSnapshotRecord) => ({ id: gs.id, name: gs.name, group_type_id: gs.group_type_id });
  const detail = (c: Caller, gs: GroupSnapshotRecord) => {
    const view: Record<string, unknown> = {
      id: gs.id, group_id: gs.group_id, group_type_id: gs.group_type_id, status: gs.status, created_at: cinderTime(gs.created_at), name: gs.name,
      description: gs.description,
    };
    if (c.version.atLeast('3.58') && deps.policy.check(c.ctx, 'group:group_snapshot_project_attribute')) view['project_id'] = gs.project_id;
    return view;
  };

  const list = async (req: FastifyRequest, detailed: boolean): Promise<Record<string, unknown>> => {
    const c = caller(req, deps);
    since(c, '3.14');
    deps.policy.authorize(c.ctx, 'group:get_all_group_snapshots');
    const o = listOptions(req, c.version, FILTERS, deps.settings.maxLimit);
    const all = (await deps.groups.listSnapshots(c.ctx, c.isAdmin && o.allTenants))
      .filter((gs) => Object.entries(o.filters).every(([k, v]) => !FILTERS.includes(k) || String((gs as unknown as Record<string, unknown>)[k]) === v));
    const items = page(all, o, (gs, key) => SORT_KEYS[key]?.(gs));
    return { group_snapshots: items.map((gs) => (detailed ? detail(c, gs) : summary(gs))) };
  };

  app.get('/group_snapshots', async (req) => list(req, false));
  app.get('/group_snapshots/detail', async (req) => list(req, true));

  app.get<IdParams>('/group_snapshots/:id', async (req) => {
    const c = caller(req, deps);
    since(c, '3.14');
    const gs = await deps.groups.getSnapshot(c.ctx, req.params.id, c.isAdmin);
    deps.policy.authorize(c.ctx, 'group:get_group_snapshot', { project_id: gs.project_id });
    return { group_snapshot: detail(c, gs) };
  });

  app.post('/group_snapshots', async (req, reply) => {
    const c = caller(req, deps);
    since(c, '3.14');
    const body = bodyOf(req.body, 'group_snapshot');
    onlyProperties('group_snapshot', body, ['name', 'description', 'group_id']);
    const groupId = uuidOf('group_id', required('group_snapshot', body, 'group_id'), false)!;
    const g = await deps.groups.get(c.ctx, groupId, c.isAdmin);
    deps.policy.authorize(c.ctx, 'group:create_group_snapshot', { project_id: g.project_id });
    const gs = await deps.groups.createSnapshot(c.ctx, g, optString(body, 'name') ?? null, optString(body, 'description') ?? null);
    return reply.code(202).send({ group_snapshot: summary(gs) });
  });

  app.delete<IdParams>('/group_snapshots/:id', async (req, reply) => {
    const c = caller(req, deps);
    since(c, '3.14');
    const gs = await deps.groups.getSnapshot(c.ctx, req.params.id, c.isAdmin);
    deps.policy.authorize(c.ctx, 'group:delete_group_snapshot', { project_id: gs.project_id });
    await deps.groups.deleteSnapshot(c.ctx, gs);
    return reply.code(202).send();
  });

  app.post<IdParams>('/group_snapshots/:id/action', async (req, reply) => {
    const c = caller(req, deps);
    since(c, '3.19');
    const body = req.body;
    if (body === null || typeof body !== 'object' || Array.isArray(body) || Object.keys(body).length !== 1) throw new BadRequest('Malformed request body');
    const [action, raw] = Object.entries(body as Record<string, unknown>)[0]!;
    if (action !== 'reset_status') throw new BadRequest(`There is no such action: ${action}`);
    const gs = await deps.groups.getSnapshot(c.ctx, req.params.id, c.isAdmin);
    deps.policy.authorize(c.ctx, 'group:reset_group_snapshot_status', { project_id: gs.project_id });
    const o = argObject('reset_status', raw);
    onlyProperties('reset_status', o, ['status']);
    const status = required('reset_status', o, 'status');
    if (typeof status !== 'string') throw new BadRequest(`Invalid input for field/attribute status. Value: ${JSON.stringify(status)}.`);
    await deps.groups.resetSnapshotStatus(gs, status.toLowerCase());
    return reply.code(202).send();
  });
}
