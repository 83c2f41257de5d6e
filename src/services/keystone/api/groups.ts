/** /v3/groups (keystone/api/groups.py): CRUD and membership. */
import type { FastifyInstance } from 'fastify';
import {
  authorize, authorizeMember, body, buildHints, filterValues, normalizeDomainId, orUndefined, params, type ResourceDeps, requireMatchingId, schemas,
  wrapCollection, wrapMember,
} from './resource-common.js';

const groupProperties = { description: schemas.description, domain_id: schemas.idString, name: schemas.name };
const createSchema = schemas.wrap('group', { type: 'object', properties: groupProperties, required: ['name'], additionalProperties: true });
const updateSchema = schemas.wrap('group', { type: 'object', properties: groupProperties, minProperties: 1, additionalProperties: true });

export function registerGroupRoutes(app: FastifyInstance, deps: ResourceDeps): void {
  const m = deps.managers;
  const groupTarget = async (groupId: string, userId?: string): Promise<Record<string, unknown>> => {
    const target: Record<string, unknown> = {};
    const group = await orUndefined(() => m.identity.getGroup(groupId));
    if (group) target.group = group;
    if (userId) {
      const user = await orUndefined(() => m.identity.getUser(userId));
      if (user) target.user = user;
    }
    return target;
  };

  app.get('/v3/groups', async (req) => {
    const filters = ['domain_id', 'name'];
    const target = req.ctx.domainId ? { group: { domain_id: req.ctx.domainId } } : undefined;
    authorize(deps, req, 'identity:list_groups', { filters: filterValues(req, filters), ...(target ? { target } : {}) });
    const hints = buildHints(req, filters, deps.config.identity.list_limit);
    let refs = await m.identity.listGroups(hints);
    if (req.ctx.domainId) refs = refs.filter((g) => g.domain_id === req.ctx.domainId);
    return wrapCollection(deps, req, 'groups', refs, hints);
  });

  app.post('/v3/groups', { schema: { body: createSchema } }, async (req, reply) => {
    const group = body(req).group as Record<string, unknown>;
    authorize(deps, req, 'identity:create_group', { target: { group } });
    reply.code(201);
    return wrapMember(deps, 'groups', 'group', await m.identity.createGroup(normalizeDomainId(deps, req.ctx, group)));
  });

  app.get('/v3/groups/:group_id', async (req) => {
    const { group_id } = params(req);
    authorize(deps, req, 'identity:get_group', { target: await groupTarget(group_id!) });
    return wrapMember(deps, 'groups', 'group', await m.identity.getGroup(group_id!));
  });

  app.patch('/v3/groups/:group_id', {
    schema: { body: updateSchema },
    // Upstream enforces before it validates the body.
    preValidation: async (req) => { authorize(deps, req, 'identity:update_group', { target: await groupTarget(params(req).group_id!) }); },
  }, async (req) => {
    const { group_id } = params(req);
    const changes = body(req).group as Record<string, unknown>;
    requireMatchingId(changes, group_id);
    return wrapMember(deps, 'groups', 'group', await m.identity.updateGroup(group_id!, changes));
  });

  app.delete('/v3/groups/:group_id', async (req, reply) => {
    const { group_id } = params(req);
    await authorizeMember(deps, req, 'identity:delete_group', 'group', () => m.identity.getGroup(group_id!));
    await m.identity.deleteGroup(group_id!);
    reply.code(204).send();
  });

  app.get('/v3/groups/:group_id/users', async (req) => {
    const { group_id } = params(req);
    const filters = ['domain_id', 'enabled', 'name', 'password_expires_at'];
    authorize(deps, req, 'identity:list_users_in_group', { target: await groupTarget(group_id!), filters: filterValues(req, filters) });
    const hints = buildHints(req, filters, deps.config.identity.list_limit);
    let refs = await m.identity.listUsersInGroup(group_id!, hints);
    if (req.ctx.domainId) refs = refs.filter((u) => u.domain_id === req.ctx.domainId);
    return wrapCollection(deps, req, 'users', refs, hints);
  });

  app.put('/v3/groups/:group_id/users/:user_id', async (req, reply) => {
    const { group_id, user_id } = params(req);
    authorize(deps, req, 'identity:add_user_to_group', { target: await groupTarget(group_id!, user_id!) });
    await m.identity.addUserToGroup(user_id!, group_id!);
    reply.code(204).send();
  });

  app.get('/v3/groups/:group_id/users/:user_id', async (req, reply) => {
    const { group_id, user_id } = params(req);
    authorize(deps, req, 'identity:check_user_in_group', { target: await groupTarget(group_id!, user_id!) });
    await m.identity.checkUserInGroup(user_id!, group_id!);
    reply.code(204).send();
  });

  app.delete('/v3/groups/:group_id/users/:user_id', async (req, reply) => {
    const { group_id, user_id } = params(req);
    authorize(deps, req, 'identity:remove_user_from_group', { target: await groupTarget(group_id!, user_id!) });
    await m.identity.removeUserFromGroup(user_id!, group_id!);
    reply.code(204).send();
  });
}
