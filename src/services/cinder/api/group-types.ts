/**
 * Group types (cinder/api/v3/group_types.py, group_specs.py; 3.11+): list (admins choose with
 * is_public; sort), show (an id or `default`), create (202), update, delete (202), and the
 * group specs (create/update 202, list, show and update one, delete 202). Create, update,
 * delete and the specs are admin only.
 */
import type { FastifyInstance } from 'fastify';
import { BadRequest } from '../../../common/errors.js';
import type { GroupTypeRecord } from '../db/groups.js';
import { NotFound } from '../errors.js';
import type { ApiDeps } from './deps.js';
import { listOptions, page, param, type RawQuery } from './list-params.js';
import { bodyOf, boolParam, caller, metadataOf, optString, type Caller } from './request.js';

type IdParams = { Params: { project_id?: string; id: string; key?: string } };

const SORT_KEYS: Record<string, (t: GroupTypeRecord) => unknown> = {
  id: (t) => t.id, name: (t) => t.name, created_at: (t) => t.created_at, is_public: (t) => t.is_public, description: (t) => t.description,
};

export function since(c: Caller, version: string): void {
  if (!c.version.atLeast(version)) throw new NotFound('The resource could not be found.');
}

export function groupTypesRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const view = (c: Caller, t: GroupTypeRecord) => {
    const out: Record<string, unknown> = { id: t.id, name: t.name, description: t.description, is_public: t.is_public };
    if (deps.policy.check(c.ctx, 'group:access_group_types_specs')) out['group_specs'] = t.group_specs;
    return out;
  };

  app.get('/group_types', async (req) => {
    const c = caller(req, deps);
    since(c, '3.11');
    const q = req.query as RawQuery;
    const raw = param(q, 'is_public');
    const isPublic = raw === undefined ? true : raw.toLowerCase() === 'none' ? null : boolParam('is_public', raw);
    const o = listOptions(req, c.version, ['is_public', 'name', 'id'], deps.settings.maxLimit);
    const types = page(await deps.groupTypes.list(c.isAdmin, isPublic), o, (t, key) => SORT_KEYS[key]?.(t), [{ key: 'created_at', dir: 'asc' }]);
    return { group_types: types.map((t) => view(c, t)) };
  });

  app.get<IdParams>('/group_types/:id', async (req) => {
    const c = caller(req, deps);
    since(c, '3.11');
    const t = req.params.id === 'default' ? await deps.groupTypes.getDefault() : await deps.groupTypes.get(req.params.id);
    if (!t.is_public && !c.isAdmin) throw new NotFound(`Group type ${req.params.id} could not be found.`);
    return { group_type: view(c, t) };
  });

  app.post('/group_types', async (req, reply) => {
    const c = caller(req, deps);
    since(c, '3.11');
    deps.policy.authorize(c.ctx, 'group:group_types:create');
    const body = bodyOf(req.body, 'group_type');
    const name = optString(body, 'name', 255, false);
    if (name === undefined || name === null || name.trim() === '') throw new BadRequest("Invalid input for field/attribute group_type. 'name' is a required property");
    const description = optString(body, 'description') ?? null;
    const isPublic = body['is_public'] === undefined ? true : boolParam('is_public', body['is_public']);
    const specs = body['group_specs'] === undefined ? {} : metadataOf(body['group_specs'], 'group_specs');
    const t = await deps.groupTypes.create({ name: name.trim(), description, is_public: isPublic, group_specs: specs });
    return reply.code(202).send({ group_type: view(c, t) });
  });

  app.put<IdParams>('/group_types/:id', async (req) => {
    const c = caller(req, deps);
    since(c, '3.11');
    deps.policy.authorize(c.ctx, 'group:group_types:update');
    const body = bodyOf(req.body, 'group_type');
    const name = optString(body, 'name', 255, false);
    const description = optString(body, 'description');
    const pub = body['is_public'];
    if (name === undefined && description === undefined && pub === undefined) throw new BadRequest('Specify group type name, description or a combination thereof.');
    if (name !== undefined && (name === null || name.trim() === '')) throw new BadRequest('Group type name can not be empty.');
    const t = await deps.groupTypes.update(req.params.id, {
      ...(name ? { name: name.trim() } : {}), ...(description !== undefined ? { description } : {}), ...(pub !== undefined ? { is_public: boolParam('is_public', pub) } : {}),
    });
    return { group_type: view(c, t) };
  });

  app.delete<IdParams>('/group_types/:id', async (req, reply) => {
    const c = caller(req, deps);
    since(c, '3.11');
    deps.policy.authorize(c.ctx, 'group:group_types:delete');
    await deps.groupTypes.delete(req.params.id);
    return reply.code(202).send();
  });

  // --- group specs -----------------------------------------------------------------------------
  app.get<IdParams>('/group_types/:id/group_specs', async (req) => {
    const c = caller(req, deps);
    since(c, '3.11');
    deps.policy.authorize(c.ctx, 'group:group_types_specs:get_all');
    return { group_specs: (await deps.groupTypes.get(req.params.id)).group_specs };
  });

  app.post<IdParams>('/group_types/:id/group_specs', async (req, reply) => {
    const c = caller(req, deps);
    since(c, '3.11');
    deps.policy.authorize(c.ctx, 'group:group_types_specs:create');
    const body = req.body as Record<string, unknown> | null;
    if (!body || typeof body !== 'object' || !('group_specs' in body)) throw new BadRequest("Missing required element 'group_specs' in request body.");
    const specs = metadataOf(body['group_specs'], 'group_specs');
    return reply.code(202).send({ group_specs: await deps.groupTypes.setSpecs(req.params.id, specs) });
  });

  app.get<IdParams>('/group_types/:id/group_specs/:key', async (req) => {
    const c = caller(req, deps);
    since(c, '3.11');
    deps.policy.authorize(c.ctx, 'group:group_types_specs:get');
    const key = req.params.key!;
    return { [key]: await deps.groupTypes.spec(req.params.id, key) };
  });

  app.put<IdParams>('/group_types/:id/group_specs/:key', async (req) => {
    const c = caller(req, deps);
    since(c, '3.11');
    deps.policy.authorize(c.ctx, 'group:group_types_specs:update');
    const specs = metadataOf(req.body, 'group_specs');
    const key = req.params.key!;
    if (!(key in specs)) throw new BadRequest('Request body and URI mismatch');
    if (Object.keys(specs).length > 1) throw new BadRequest('Request body contains too many items');
    return deps.groupTypes.setSpecs(req.params.id, specs);
  });

  app.delete<IdParams>('/group_types/:id/group_specs/:key', async (req, reply) => {
    const c = caller(req, deps);
    since(c, '3.11');
    deps.policy.authorize(c.ctx, 'group:group_types_specs:delete');
    await deps.groupTypes.deleteSpec(req.params.id, req.params.key!);
    return reply.code(202).send();
  });
}
