/**
 * Volume types (cinder/api/v3/types.py, types_manage.py, types_extra_specs.py,
 * contrib/volume_type_access.py): list (admins choose with is_public), show (an id, or
 * `default`), create, update, delete (202), extra specs, and the projects of a private type.
 */
import type { FastifyInstance } from 'fastify';
import { BadRequest } from '../../../common/errors.js';
import type { VolumeTypeRecord } from '../db/records.js';
import { VolumeTypeExtraSpecsNotFound, VolumeTypeNotFound } from '../errors.js';
import type { ApiDeps } from './deps.js';
import { param, type RawQuery } from './list-params.js';
import { bodyOf, boolParam, caller, metadataOf, optString, type Caller } from './request.js';
import { visibleExtraSpecs, volumeTypeView } from './views.js';

type IdParams = { Params: { project_id?: string; id: string; key?: string } };

export function typesRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const sensitive = (c: Caller) => deps.policy.check(c.ctx, 'volume_extension:types_extra_specs:read_sensitive');
  const view = (c: Caller, t: VolumeTypeRecord, accessExtension = true) => volumeTypeView(t, { sensitiveSpecs: sensitive(c), accessExtension });
  const visibleType = async (c: Caller, id: string): Promise<VolumeTypeRecord> => {
    const t = id === 'default' ? await deps.types.getDefault(c.ctx.projectId) : await deps.types.get(id);
    if (!(await deps.types.visible(t, c.ctx.projectId, c.isAdmin))) throw new VolumeTypeNotFound(id);
    return t;
  };

  app.get('/types', async (req) => {
    const c = caller(req, deps);
    deps.policy.authorize(c.ctx, 'volume_extension:type_get_all');
    const raw = param(req.query as RawQuery, 'is_public');
    const isPublic = raw === undefined ? true : raw.toLowerCase() === 'none' ? null : boolParam('is_public', raw);
    const types = await deps.types.list(c.ctx.projectId, c.isAdmin, isPublic);
    return { volume_types: types.map((t) => view(c, t)) };
  });

  app.get<IdParams>('/types/:id', async (req) => {
    const c = caller(req, deps);
    deps.policy.authorize(c.ctx, 'volume_extension:type_get');
    return { volume_type: view(c, await visibleType(c, req.params.id)) };
  });

  app.post('/types', async (req) => {
    const c = caller(req, deps);
    deps.policy.authorize(c.ctx, 'volume_extension:type_create');
    const body = bodyOf(req.body, 'volume_type');
    const name = optString(body, 'name', 255, false);
    if (name === undefined || name === null || name.trim() === '') throw new BadRequest("Invalid input for field/attribute name. 'name' is a required property");
    const description = optString(body, 'description') ?? null;
    const pub = body['os-volume-type-access:is_public'];
    const extra = body['extra_specs'] === undefined ? {} : metadataOf(body['extra_specs'], 'extra_specs');
    const t = await deps.types.create({ name: name.trim(), description, is_public: pub === undefined ? true : boolParam('is_public', pub), extra_specs: extra });
    return { volume_type: view(c, t) };
  });

  app.put<IdParams>('/types/:id', async (req) => {
    const c = caller(req, deps);
    deps.policy.authorize(c.ctx, 'volume_extension:type_update');
    const body = bodyOf(req.body, 'volume_type');
    const name = optString(body, 'name', 255, false);
    const description = optString(body, 'description');
    const pub = body['is_public'];
    if (name === undefined && description === undefined && pub === undefined) {
      throw new BadRequest('Specify volume type name, description, is_public or a combination thereof.');
    }
    if (name !== undefined && (name === null || name.trim() === '')) throw new BadRequest('Volume type name can not be empty.');
    const t = await deps.types.update(req.params.id, {
      ...(name ? { name: name.trim() } : {}), ...(description !== undefined ? { description } : {}),
      ...(pub !== undefined ? { is_public: boolParam('is_public', pub) } : {}),
    });
    return { volume_type: view(c, t, false) };
  });

  app.delete<IdParams>('/types/:id', async (req, reply) => {
    const c = caller(req, deps);
    deps.policy.authorize(c.ctx, 'volume_extension:type_delete');
    await deps.types.delete(req.params.id);
    return reply.code(202).send();
  });

  // --- extra specs -------------------------------------------------------------------------
  app.get<IdParams>('/types/:id/extra_specs', async (req) => {
    const c = caller(req, deps);
    deps.policy.authorize(c.ctx, 'volume_extension:types_extra_specs:index');
    return { extra_specs: visibleExtraSpecs((await visibleType(c, req.params.id)).extra_specs, sensitive(c)) };
  });
  app.post<IdParams>('/types/:id/extra_specs', async (req) => {
    const c = caller(req, deps);
    deps.policy.authorize(c.ctx, 'volume_extension:types_extra_specs:create');
    const body = req.body as Record<string, unknown> | null;
    if (!body || typeof body !== 'object' || !('extra_specs' in body)) throw new BadRequest("Missing required element 'extra_specs' in request body.");
    const specs = metadataOf(body['extra_specs'], 'extra_specs');
    return { extra_specs: await deps.types.setExtraSpecs(req.params.id, specs) };
  });
  app.get<IdParams>('/types/:id/extra_specs/:key', async (req) => {
    const c = caller(req, deps);
    deps.policy.authorize(c.ctx, 'volume_extension:types_extra_specs:show');
    await visibleType(c, req.params.id);
    const key = req.params.key!;
    if (!sensitive(c) && !(key in visibleExtraSpecs({ [key]: '' }, false))) throw new VolumeTypeExtraSpecsNotFound(req.params.id, key);
    return { [key]: await deps.types.extraSpec(req.params.id, key) };
  });
  app.put<IdParams>('/types/:id/extra_specs/:key', async (req) => {
    const c = caller(req, deps);
    deps.policy.authorize(c.ctx, 'volume_extension:types_extra_specs:update');
    const specs = metadataOf(req.body, 'extra_specs');
    const key = req.params.key!;
    if (!(key in specs)) throw new BadRequest('Request body and URI mismatch');
    if (Object.keys(specs).length > 1) throw new BadRequest('Request body contains too many items');
    return await deps.types.setExtraSpecs(req.params.id, specs);
  });
  app.delete<IdParams>('/types/:id/extra_specs/:key', async (req, reply) => {
    const c = caller(req, deps);
    deps.policy.authorize(c.ctx, 'volume_extension:types_extra_specs:delete');
    await deps.types.deleteExtraSpec(req.params.id, req.params.key!);
    return reply.code(202).send();
  });

  // --- access ------------------------------------------------------------------------------
  app.get<IdParams>('/types/:id/os-volume-type-access', async (req) => {
    const c = caller(req, deps);
    deps.policy.authorize(c.ctx, 'volume_extension:volume_type_access:get_all_for_type');
    return { volume_type_access: await deps.types.accessList(req.params.id) };
  });
  app.post<IdParams>('/types/:id/action', async (req, reply) => {
    const c = caller(req, deps);
    const body = req.body as Record<string, unknown> | null;
    const action = body && typeof body === 'object' && !Array.isArray(body) ? Object.keys(body)[0] : undefined;
    if (action !== 'addProjectAccess' && action !== 'removeProjectAccess') throw new BadRequest(`There is no such action: ${action ?? ''}`);
    deps.policy.authorize(c.ctx, `volume_extension:volume_type_access:${action}`);
    const arg = bodyOf(body, action);
    const project = arg['project'];
    if (typeof project !== 'string' || project === '') throw new BadRequest("Missing required element 'project' in request body.");
    if (action === 'addProjectAccess') await deps.types.addAccess(req.params.id, project);
    else await deps.types.removeAccess(req.params.id, project);
    return reply.code(202).send();
  });
}
