/**
 * Role grants on projects and domains (keystone/api/projects.py and domains.py grant
 * resources), their OS-INHERIT variants (keystone/api/os_inherit.py) and system grants
 * (keystone/api/system.py). The target (role, actor, project/domain) is loaded before the
 * policy check, so a missing one is a 404 as upstream; a revoke tolerates a missing actor.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { GrantTarget } from '../assignment/backends/base.js';
import { authorize, params, type ResourceDeps, wrapCollection } from './resource-common.js';

type Scope = 'projects' | 'domains';
type Actor = 'users' | 'groups';

export function registerGrantRoutes(app: FastifyInstance, deps: ResourceDeps): void {
  const m = deps.managers;

  const target = async (req: FastifyRequest, allowMissingActor = false): Promise<Record<string, unknown>> => {
    const p = params(req);
    const t: Record<string, unknown> = {};
    if (p.role_id) t.role = await m.roles.getRole(p.role_id);
    try {
      if (p.user_id) t.user = await m.identity.getUser(p.user_id);
      else if (p.group_id) t.group = await m.identity.getGroup(p.group_id);
    } catch (err) {
      if (!allowMissingActor || (err as { status?: number }).status !== 404) throw err;
    }
    if (p.domain_id) t.domain = await m.resource.getDomain(p.domain_id);
    else if (p.project_id) t.project = await m.resource.getProject(p.project_id);
    return t;
  };

  const grantOf = (req: FastifyRequest, inherited: boolean): GrantTarget => {
    const p = params(req);
    return {
      roleId: p.role_id!,
      ...(p.user_id ? { userId: p.user_id } : { groupId: p.group_id! }),
      ...(p.project_id ? { projectId: p.project_id } : { domainId: p.domain_id! }),
      inherited,
    };
  };

  const register = (scope: Scope, actor: Actor, inherited: boolean, withList: boolean): void => {
    const scopeParam = scope === 'projects' ? ':project_id' : ':domain_id';
    const actorParam = actor === 'users' ? ':user_id' : ':group_id';
    const base = `/v3${inherited ? '/OS-INHERIT' : ''}/${scope}/${scopeParam}/${actor}/${actorParam}/roles`;
    const suffix = inherited ? '/inherited_to_projects' : '';

    if (withList) {
      app.get(`${base}${suffix}`, async (req) => {
        authorize(deps, req, 'identity:list_grants', { target: await target(req) });
        const { roleId: _r, ...g } = grantOf(req, inherited);
        return wrapCollection(deps, req, 'roles', await m.assignments.listGrants(g));
      });
    }
    app.get(`${base}/:role_id${suffix}`, async (req, reply) => {
      authorize(deps, req, 'identity:check_grant', { target: await target(req) });
      await m.assignments.getGrant(grantOf(req, inherited));
      reply.code(204).send();
    });
    app.put(`${base}/:role_id${suffix}`, async (req, reply) => {
      authorize(deps, req, 'identity:create_grant', { target: await target(req) });
      await m.assignments.createGrant(grantOf(req, inherited));
      reply.code(204).send();
    });
    app.delete(`${base}/:role_id${suffix}`, async (req, reply) => {
      authorize(deps, req, 'identity:revoke_grant', { target: await target(req, true) });
      await m.assignments.deleteGrant(grantOf(req, inherited));
      reply.code(204).send();
    });
  };

  for (const scope of ['projects', 'domains'] as const) {
    for (const actor of ['users', 'groups'] as const) {
      register(scope, actor, false, true);
      register(scope, actor, true, scope === 'domains');
    }
  }

  // System grants.
  for (const actor of ['users', 'groups'] as const) {
    const kind = actor === 'users' ? 'user' : 'group';
    const actorParam = actor === 'users' ? 'user_id' : 'group_id';
    const who = (req: FastifyRequest): { userId?: string; groupId?: string } =>
      actor === 'users' ? { userId: params(req).user_id! } : { groupId: params(req).group_id! };
    app.get(`/v3/system/${actor}/:${actorParam}/roles`, async (req) => {
      authorize(deps, req, `identity:list_system_grants_for_${kind}`, { target: await target(req) });
      return wrapCollection(deps, req, 'roles', await m.assignments.listSystemGrants(who(req)));
    });
    app.get(`/v3/system/${actor}/:${actorParam}/roles/:role_id`, async (req, reply) => {
      authorize(deps, req, `identity:check_system_grant_for_${kind}`, { target: await target(req) });
      await m.assignments.checkSystemGrant(who(req), params(req).role_id!);
      reply.code(204).send();
    });
    app.put(`/v3/system/${actor}/:${actorParam}/roles/:role_id`, async (req, reply) => {
      authorize(deps, req, `identity:create_system_grant_for_${kind}`, { target: await target(req) });
      await m.assignments.createSystemGrant(who(req), params(req).role_id!);
      reply.code(204).send();
    });
    app.delete(`/v3/system/${actor}/:${actorParam}/roles/:role_id`, async (req, reply) => {
      authorize(deps, req, `identity:revoke_system_grant_for_${kind}`, { target: await target(req, true) });
      await m.assignments.deleteSystemGrant(who(req), params(req).role_id!);
      reply.code(204).send();
    });
  }
}
