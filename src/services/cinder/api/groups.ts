/**
 * Generic volume groups (cinder/api/v3/groups.py, 3.13+): list and detail (filters, sorting,
 * paging), show, create (202), create from a group snapshot or a group (POST
 * /groups/action create-from-src, 3.14), update (name, description, add_volumes,
 * remove_volumes; 202), and the actions delete (with delete-volumes) and reset_status (admin,
 * 3.20). Views (cinder/api/v3/views/groups.py): group_snapshot_id and source_group_id from 3.14,
 * the volumes with list_volume=true from 3.25, replication_status from 3.38, project_id from 3.58.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BadRequest } from '../../../common/errors.js';
import type { GroupRecord } from '../db/groups.js';
import type { ApiDeps } from './deps.js';
import { since } from './group-types.js';
import { listOptions, page, param, type RawQuery } from './list-params.js';
import { bodyOf, boolParam, caller, optString, uuidOf, type Caller } from './request.js';
import { cinderTime } from './views.js';
import { argObject, onlyProperties, required } from './volume-action-registry.js';

type IdParams = { Params: { project_id?: string; id: string } };

const FILTERS = ['name', 'status', 'group_type', 'availability_zone', 'id'];
const SORT_KEYS: Record<string, (g: GroupRecord) => unknown> = {
  id: (g) => g.id, name: (g) => g.name, status: (g) => g.status, created_at: (g) => g.created_at, availability_zone: (g) => g.availability_zone,
};

/** "id1,id2" (the add_volumes / remove_volumes strings). */
function idList(field: string, v: unknown): string[] {
  if (v === undefined || v === null || v === '') return [];
  if (typeof v !== 'string') throw new BadRequest(`Invalid input for field/attribute ${field}. Value: ${JSON.stringify(v)}. ${JSON.stringify(v)} is not of type 'string', 'null'`);
  return v.split(',').map((s) => s.trim()).filter(Boolean);
}

export function groupsRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const detail = async (c: Caller, g: GroupRecord, listVolumes: boolean): Promise<Record<string, unknown>> => {
    const view: Record<string, unknown> = {
      id: g.id, status: g.status, availability_zone: g.availability_zone, created_at: cinderTime(g.created_at), name: g.name, description: g.description,
      group_type: g.group_type_id, volume_types: g.volume_types,
    };
    if (c.version.atLeast('3.14')) {
      view['group_snapshot_id'] = g.group_snapshot_id;
      view['source_group_id'] = g.source_group_id;
    }
    if (c.version.atLeast('3.25') && listVolumes) {
      const ids = await deps.repos.groups.volumeIds(g.id);
      if (ids.length > 0) view['volumes'] = ids;
    }
    if (c.version.atLeast('3.38')) view['replication_status'] = g.replication_status;
    if (c.version.atLeast('3.58') && deps.policy.check(c.ctx, 'group:group_project_attribute')) view['project_id'] = g.project_id;
    return view;
  };

  const list = async (req: FastifyRequest, detailed: boolean): Promise<Record<string, unknown>> => {
    const c = caller(req, deps);
    since(c, '3.13');
    deps.policy.authorize(c.ctx, 'group:get_all');
    const o = listOptions(req, c.version, [...FILTERS, 'list_volume'], deps.settings.maxLimit);
    const q = req.query as RawQuery;
    const lv = param(q, 'list_volume');
    const listVolumes = lv !== undefined && boolParam('list_volume', lv);
    const groups = (await deps.groups.list(c.ctx, c.isAdmin && o.allTenants)).filter((g) => Object.entries(o.filters).every(([k, v]) => {
      if (k === 'group_type') return g.group_type_id === v;
      if (k === 'list_volume') return true;
      return !FILTERS.includes(k) || String((g as unknown as Record<string, unknown>)[k]) === v;
    }));
    const items = page(groups, o, (g, key) => SORT_KEYS[key]?.(g));
    return { groups: detailed ? await Promise.all(items.map((g) => detail(c, g, listVolumes))) : items.map((g) => ({ id: g.id, name: g.name })) };
  };

  app.get('/groups', async (req) => list(req, false));
  app.get('/groups/detail', async (req) => list(req, true));

  app.get<IdParams>('/groups/:id', async (req) => {
    const c = caller(req, deps);
    since(c, '3.13');
    const g = await deps.groups.get(c.ctx, req.params.id, c.isAdmin);
    deps.policy.authorize(c.ctx, 'group:get', { project_id: g.project_id });
    const lv = param(req.query as RawQuery, 'list_volume');
    return { group: await detail(c, g, lv !== undefined && boolParam('list_volume', lv)) };
  });

  app.post('/groups', async (req, reply) => {
    const c = caller(req, deps);
    since(c, '3.13');
    deps.policy.authorize(c.ctx, 'group:create');
    const body = bodyOf(req.body, 'group');
    onlyProperties('group', body, ['name', 'description', 'group_type', 'volume_types', 'availability_zone']);
    const groupType = required('group', body, 'group_type');
    if (typeof groupType !== 'string' || groupType === '') throw new BadRequest(`Invalid input for field/attribute group_type. Value: ${JSON.stringify(groupType)}.`);
    const types = required('group', body, 'volume_types');
    if (!Array.isArray(types) || types.length === 0 || types.some((t) => typeof t !== 'string' || t === '')) {
      throw new BadRequest(`Invalid input for field/attribute volume_types. Value: ${JSON.stringify(types)}. ${JSON.stringify(types)} is not a non-empty list of names or ids`);
    }
    const g = await deps.groups.create(c.ctx, c.isAdmin, {
      name: optString(body, 'name') ?? null, description: optString(body, 'description') ?? null, groupType, volumeTypes: types as string[],
      zone: optString(body, 'availability_zone') ?? null,
    });
    return reply.code(202).send({ group: { id: g.id, name: g.name } });
  });

  app.post('/groups/action', async (req, reply) => {
    const c = caller(req, deps);
    since(c, '3.14');
    deps.policy.authorize(c.ctx, 'group:create');
    const body = bodyOf(req.body, 'create-from-src');
    onlyProperties('create-from-src', body, ['name', 'description', 'group_snapshot_id', 'source_group_id']);
    const gsId = body['group_snapshot_id'] === undefined || body['group_snapshot_id'] === null ? null : uuidOf('group_snapshot_id', body['group_snapshot_id']);
    const srcId = body['source_group_id'] === undefined || body['source_group_id'] === null ? null : uuidOf('source_group_id', body['source_group_id']);
    const g = await deps.groups.createFromSource(c.ctx, c.isAdmin, {
      name: optString(body, 'name') ?? null, description: optString(body, 'description') ?? null, groupSnapshotId: gsId, sourceGroupId: srcId,
    });
    return reply.code(202).send({ group: { id: g.id, name: g.name } });
  });

  app.put<IdParams>('/groups/:id', async (req, reply) => {
    const c = caller(req, deps);
    since(c, '3.13');
    const body = bodyOf(req.body, 'group');
    onlyProperties('group', body, ['name', 'description', 'add_volumes', 'remove_volumes']);
    const name = optString(body, 'name');
    const description = optString(body, 'description');
    const addVolumes = idList('add_volumes', body['add_volumes']);
    const removeVolumes = idList('remove_volumes', body['remove_volumes']);
    if (name === undefined && description === undefined && addVolumes.length === 0 && removeVolumes.length === 0) {
      throw new BadRequest('Name, description, add_volumes, and remove_volumes can not be all empty in the request body.');
    }
    const g = await deps.groups.get(c.ctx, req.params.id, c.isAdmin);
    deps.policy.authorize(c.ctx, 'group:update', { project_id: g.project_id });
    await deps.groups.update(c.ctx, g, {
      ...(name !== undefined ? { name } : {}), ...(description !== undefined ? { description } : {}), addVolumes, removeVolumes,
    });
    return reply.code(202).send();
  });

  app.post<IdParams>('/groups/:id/action', async (req, reply) => {
    const c = caller(req, deps);
    since(c, '3.13');
    const body = req.body;
    if (body === null || typeof body !== 'object' || Array.isArray(body) || Object.keys(body).length !== 1) throw new BadRequest('Malformed request body');
    const [action, raw] = Object.entries(body as Record<string, unknown>)[0]!;
    const g = await deps.groups.get(c.ctx, req.params.id, c.isAdmin);
    if (action === 'delete') {
      deps.policy.authorize(c.ctx, 'group:delete', { project_id: g.project_id });
      const o = argObject('delete', raw, true);
      onlyProperties('delete', o, ['delete-volumes']);
      const deleteVolumes = o['delete-volumes'] === undefined ? false : boolParam('delete-volumes', o['delete-volumes']);
      await deps.groups.delete(c.ctx, g, deleteVolumes);
      return reply.code(202).send();
    }
    if (action === 'reset_status' && c.version.atLeast('3.20')) {
      deps.policy.authorize(c.ctx, 'group:reset_status', { project_id: g.project_id });
      const o = argObject('reset_status', raw);
      onlyProperties('reset_status', o, ['status']);
      const status = required('reset_status', o, 'status');
      if (typeof status !== 'string') throw new BadRequest(`Invalid input for field/attribute status. Value: ${JSON.stringify(status)}.`);
      await deps.groups.resetStatus(g, status.toLowerCase());
      return reply.code(202).send();
    }
    throw new BadRequest(`There is no such action: ${action}`);
  });
}
