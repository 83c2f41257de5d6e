/**
 * Role implications: /v3/roles/{prior}/implies[/{implied}] and /v3/role_inferences
 * (keystone/api/roles.py, role_inferences.py, _shared/implied_roles.py).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RoleRecord } from '../assignment/role_backends/base.js';
import { authorize, params, type ResourceDeps, v3Url } from './resource-common.js';

export function registerImpliedRoleRoutes(app: FastifyInstance, deps: ResourceDeps): void {
  const m = deps.managers;
  const brief = (r: Pick<RoleRecord, 'id' | 'name'>) => ({ id: r.id, links: { self: v3Url(deps, `roles/${r.id}`) }, name: r.name });

  const target = async (req: FastifyRequest): Promise<Record<string, unknown>> => {
    const p = params(req);
    const t: Record<string, unknown> = { prior_role: await m.roles.getRole(p.prior_role_id!) };
    if (p.implied_role_id) t.implied_role = await m.roles.getRole(p.implied_role_id);
    return t;
  };

  const inference = async (priorId: string, impliedId: string) => {
    await m.roles.getImpliedRole(priorId, impliedId);
    const prior = await m.roles.getRole(priorId);
    const implied = await m.roles.getRole(impliedId);
    return {
      role_inference: { prior_role: brief(prior), implies: brief(implied) },
      links: { self: v3Url(deps, `roles/${priorId}/implies/${impliedId}`) },
    };
  };

  app.get('/v3/roles/:prior_role_id/implies', async (req) => {
    authorize(deps, req, 'identity:list_implied_roles', { target: await target(req) });
    const priorId = params(req).prior_role_id!;
    const prior = await m.roles.getRole(priorId);
    const implied = await m.roles.listRolesFromIds((await m.roles.listImpliedRoles(priorId)).map((r) => r.implied_role_id));
    return { role_inference: { prior_role: brief(prior), implies: implied.map(brief) }, links: { self: v3Url(deps, `roles/${priorId}/implies`) } };
  });

  // HEAD is its own route upstream (identity:check_implied_role, 204); registered before GET so Fastify does not add one.
  app.head('/v3/roles/:prior_role_id/implies/:implied_role_id', async (req, reply) => {
    authorize(deps, req, 'identity:check_implied_role', { target: await target(req) });
    await m.roles.getImpliedRole(params(req).prior_role_id!, params(req).implied_role_id!);
    reply.code(204).send();
  });

  app.get('/v3/roles/:prior_role_id/implies/:implied_role_id', { exposeHeadRoute: false }, async (req) => {
    authorize(deps, req, 'identity:get_implied_role', { target: await target(req) });
    return inference(params(req).prior_role_id!, params(req).implied_role_id!);
  });

  app.put('/v3/roles/:prior_role_id/implies/:implied_role_id', async (req, reply) => {
    authorize(deps, req, 'identity:create_implied_role', { target: await target(req) });
    const { prior_role_id, implied_role_id } = params(req);
    await m.roles.createImpliedRole(prior_role_id!, implied_role_id!);
    reply.code(201);
    return inference(prior_role_id!, implied_role_id!);
  });

  app.delete('/v3/roles/:prior_role_id/implies/:implied_role_id', async (req, reply) => {
    authorize(deps, req, 'identity:delete_implied_role', { target: await target(req) });
    await m.roles.deleteImpliedRole(params(req).prior_role_id!, params(req).implied_role_id!);
    reply.code(204).send();
  });

  app.get('/v3/role_inferences', async (req) => {
    authorize(deps, req, 'identity:list_role_inference_rules');
    const rules = await m.roles.listRoleInferenceRules();
    const roles = new Map((await m.roles.listRolesFromIds(rules.flatMap((r) => [r.prior_role_id, r.implied_role_id]))).map((r) => [r.id, r]));
    const byPrior = new Map<string, Array<ReturnType<typeof brief>>>();
    for (const r of rules) {
      const implied = roles.get(r.implied_role_id);
      if (implied && roles.has(r.prior_role_id)) byPrior.set(r.prior_role_id, [...(byPrior.get(r.prior_role_id) ?? []), brief(implied)]);
    }
    return {
      role_inferences: [...byPrior].map(([priorId, implies]) => ({ prior_role: brief(roles.get(priorId)!), implies })),
    };
  });
}
