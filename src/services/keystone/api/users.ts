/**
 * /v3/users (keystone/api/users.py): CRUD, self-service password change, a user's groups and
 * projects. Password hashes never appear; `password` in a body is write-only.
 */
import type { FastifyInstance } from 'fastify';
import { MethodNotAllowed, Unauthorized } from '../../../common/errors.js';
import { applyHints } from '../lib/hints.js';
import { userOptionsSchema } from '../lib/resource-options.js';
import {
  authorize, body, buildHints, filterValues, normalizeDomainId, orUndefined, params, type ResourceDeps, requireMatchingId, schemas,
  wrapCollection, wrapMember,
} from './resource-common.js';

const FILTERS = ['domain_id', 'enabled', 'idp_id', 'name', 'protocol_id', 'unique_id', 'password_expires_at'] as const;

const userProperties = {
  default_project_id: { type: ['string', 'null'] },
  description: schemas.description,
  domain_id: schemas.idString,
  enabled: schemas.boolean,
  federated: { type: 'array' },
  name: schemas.name,
  password: { type: ['string', 'null'] },
  options: userOptionsSchema,
};

const createSchema = schemas.wrap('user', { type: 'object', properties: userProperties, required: ['name'], additionalProperties: true });
const updateSchema = schemas.wrap('user', { type: 'object', properties: userProperties, minProperties: 1, additionalProperties: true });
const passwordSchema = schemas.wrap('user', {
  type: 'object',
  properties: { password: { type: 'string' }, original_password: { type: 'string' } },
  required: ['password', 'original_password'],
  additionalProperties: false,
});

export function registerUserRoutes(app: FastifyInstance, deps: ResourceDeps): void {
  const m = deps.managers;
  const userTarget = async (userId: string, groupId?: string): Promise<Record<string, unknown>> => {
    const target: Record<string, unknown> = {};
    const user = await orUndefined(() => m.identity.getUser(userId));
    if (user) target.user = user;
    if (groupId) {
      const group = await orUndefined(() => m.identity.getGroup(groupId));
      if (group) target.group = group;
    }
    return target;
  };

  app.get('/v3/users', async (req) => {
    const target = req.ctx.domainId ? { domain_id: req.ctx.domainId } : undefined;
    authorize(deps, req, 'identity:list_users', { filters: filterValues(req, FILTERS), ...(target ? { target } : {}) });
    const hints = buildHints(req, FILTERS, deps.config.identity.list_limit);
    let refs = await m.identity.listUsers(hints);
    if (req.ctx.domainId) refs = refs.filter((u) => u.domain_id === req.ctx.domainId);
    return wrapCollection(deps, req, 'users', refs, hints);
  });

  app.post('/v3/users', { schema: { body: createSchema } }, async (req, reply) => {
    const user = body(req).user as Record<string, unknown>;
    authorize(deps, req, 'identity:create_user', { target: { user } });
    const ref = await m.identity.createUser(normalizeDomainId(deps, req.ctx, user));
    reply.code(201);
    return wrapMember(deps, 'users', 'user', ref);
  });

  app.get('/v3/users/:user_id', async (req) => {
    const { user_id } = params(req);
    authorize(deps, req, 'identity:get_user', { target: await userTarget(user_id!) });
    return wrapMember(deps, 'users', 'user', await m.identity.getUser(user_id!));
  });

  app.patch('/v3/users/:user_id', {
    schema: { body: updateSchema },
    // Upstream enforces before it validates the body.
    preValidation: async (req) => { authorize(deps, req, 'identity:update_user', { target: await userTarget(params(req).user_id!) }); },
  }, async (req) => {
    const { user_id } = params(req);
    await m.identity.getUser(user_id!);
    const changes = body(req).user as Record<string, unknown>;
    requireMatchingId(changes, user_id);
    return wrapMember(deps, 'users', 'user', await m.identity.updateUser(user_id!, changes));
  });

  app.delete('/v3/users/:user_id', async (req, reply) => {
    const { user_id } = params(req);
    authorize(deps, req, 'identity:delete_user', { target: await userTarget(user_id!) });
    await m.identity.deleteUser(user_id!);
    reply.code(204).send();
  });

  // Self-service password change: no policy (upstream's unenforced_api); the original password authenticates.
  app.get('/v3/users/:user_id/password', async () => {
    throw new MethodNotAllowed();
  });
  app.post('/v3/users/:user_id/password', { schema: { body: passwordSchema } }, async (req, reply) => {
    const { user_id } = params(req);
    const u = body(req).user as { password: string; original_password: string };
    try {
      await m.identity.changePassword(user_id!, u.original_password, u.password);
    } catch (err) {
      // A wrong original password or a missing user is a plain 401, as upstream's AssertionError path.
      if ((err as { status?: number }).status === 404) throw new Unauthorized();
      throw err;
    }
    reply.code(204).send();
  });

  app.get('/v3/users/:user_id/groups', async (req) => {
    const { user_id } = params(req);
    authorize(deps, req, 'identity:list_groups_for_user', { target: await userTarget(user_id!), filters: filterValues(req, ['name']) });
    const hints = buildHints(req, ['name'], deps.config.identity.list_limit);
    let refs = await m.identity.listGroupsForUser(user_id!, hints);
    if (req.ctx.domainId) refs = refs.filter((g) => g.domain_id === req.ctx.domainId);
    return wrapCollection(deps, req, 'groups', refs, hints);
  });

  app.get('/v3/users/:user_id/projects', async (req) => {
    const { user_id } = params(req);
    const filters = ['domain_id', 'enabled', 'name'];
    authorize(deps, req, 'identity:list_user_projects', { target: await userTarget(user_id!), filters: filterValues(req, filters) });
    const hints = buildHints(req, filters);
    return wrapCollection(deps, req, 'projects', applyHints(await m.assignments.listProjectsForUser(user_id!), hints), hints);
  });
}
