/**
 * Default volume types of projects (cinder/api/v3/default_types.py, 3.62): PUT
 * /default-types/{project_id} (200), GET one, GET all (admin), DELETE (204). Below 3.62 the
 * resource does not exist (404). The project is checked in Identity and the policy target is
 * that project, as validate_project_and_authorize does.
 */
import type { FastifyInstance } from 'fastify';
import { BadRequest, Forbidden } from '../../../common/errors.js';
import type { DefaultTypeRecord } from '../db/default-types.js';
import type { ApiDeps } from './deps.js';
import { since } from './group-types.js';
import { bodyOf, caller, type Caller } from './request.js';

type Params = { Params: { project_id?: string; id: string } };

const view = (d: DefaultTypeRecord) => ({ project_id: d.project_id, volume_type_id: d.volume_type_id });

/** The JSON schema of create_or_update: default_type.volume_type, a name (1–255 characters, no surrounding blanks). */
function volumeTypeRef(body: unknown): string {
  const d = bodyOf(body, 'default_type');
  const extra = Object.keys(d).filter((k) => k !== 'volume_type');
  if (extra.length > 0) throw new BadRequest(`Additional properties are not allowed (${extra.map((k) => `'${k}'`).join(', ')} ${extra.length > 1 ? 'were' : 'was'} unexpected)`);
  const v = d['volume_type'];
  if (v === undefined) throw new BadRequest("Invalid input for field/attribute default_type. 'volume_type' is a required property");
  if (typeof v !== 'string') throw new BadRequest(`Invalid input for field/attribute volume_type. Value: ${JSON.stringify(v)}. ${JSON.stringify(v)} is not of type 'string'`);
  if (v.length < 1 || v.length > 255 || v.trim() !== v) throw new BadRequest(`Invalid input for field/attribute volume_type. Value: ${v}. ${JSON.stringify(v)} is not a 'name'`);
  return v;
}

export function defaultTypesRoutes(app: FastifyInstance, deps: ApiDeps): void {
  /** validate_project_and_authorize: the project exists (404), the caller may act on it (403). */
  async function authorizeFor(c: Caller, projectId: string, rule: string): Promise<void> {
    await deps.defaultTypes.checkProject(projectId);
    if (!deps.policy.check(c.ctx, rule, { project_id: projectId })) throw new Forbidden('You are not authorized to perform this operation.');
  }

  app.put<Params>('/default-types/:id', async (req) => {
    const c = caller(req, deps);
    since(c, '3.62');
    const ref = volumeTypeRef(req.body);
    await authorizeFor(c, req.params.id, 'volume_extension:default_set_or_update');
    return { default_type: view(await deps.defaultTypes.set(req.params.id, ref)) };
  });

  app.get<Params>('/default-types/:id', async (req) => {
    const c = caller(req, deps);
    since(c, '3.62');
    await authorizeFor(c, req.params.id, 'volume_extension:default_get');
    return { default_type: view(await deps.defaultTypes.get(req.params.id)) };
  });

  app.get('/default-types', async (req) => {
    const c = caller(req, deps);
    since(c, '3.62');
    if (!deps.policy.check(c.ctx, 'volume_extension:default_get_all')) throw new Forbidden('You are not authorized to perform this operation.');
    return { default_types: (await deps.defaultTypes.list()).map(view) };
  });

  app.delete<Params>('/default-types/:id', async (req, reply) => {
    const c = caller(req, deps);
    since(c, '3.62');
    // no Identity check: a project Keystone no longer knows still has its default unset, as upstream's
    if (!deps.policy.check(c.ctx, 'volume_extension:default_unset', { project_id: req.params.id })) throw new Forbidden('You are not authorized to perform this operation.');
    await deps.defaultTypes.unset(req.params.id);
    return reply.code(204).send();
  });
}
