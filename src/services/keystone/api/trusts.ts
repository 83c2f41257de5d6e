/** /v3/OS-TRUST/trusts (keystone/api/trusts.py): create, list, show and delete trusts. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ForbiddenAction, RoleNotFound, UserNotFound, ProjectNotFound } from '../errors.js';
import { parseExpirationDate } from '../token/time.js';
import type { TrustRef } from '../trust/backends/base.js';
import { trustToApi } from '../trust/core.js';
import type { AuthApiDeps } from './auth-deps.js';
import { requireUnrestricted, roleBodies, roleIdsOf } from './delegation.js';
import { query, qs } from './resource-common.js';

const idOrName = {
  type: 'object',
  properties: { id: { type: 'string', minLength: 1, maxLength: 64 }, name: { type: 'string', minLength: 1, maxLength: 255 } },
  minProperties: 1,
  maxProperties: 1,
  additionalProperties: false,
};

const createSchema = {
  type: 'object',
  required: ['trust'],
  additionalProperties: false,
  properties: {
    trust: {
      type: 'object',
      required: ['trustor_user_id', 'trustee_user_id', 'impersonation'],
      additionalProperties: true,
      properties: {
        trustor_user_id: { type: 'string' },
        trustee_user_id: { type: 'string' },
        impersonation: { type: 'boolean' },
        project_id: { type: ['string', 'null'] },
        remaining_uses: { type: ['integer', 'null'], minimum: 1 },
        expires_at: { type: ['string', 'null'] },
        allow_redelegation: { type: ['boolean', 'null'] },
        redelegation_count: { type: ['integer', 'null'], minimum: 0 },
        redelegated_trust_id: { type: ['string', 'null'] },
        roles: { type: 'array', items: idOrName },
      },
    },
  },
};

interface TrustBody {
  trustor_user_id: string;
  trustee_user_id: string;
  impersonation: boolean;
  project_id?: string | null;
  remaining_uses?: number | null;
  expires_at?: string | null;
  allow_redelegation?: boolean | null;
  redelegation_count?: number | null;
  roles?: Array<{ id?: string; name?: string }>;
  [extra: string]: unknown;
}

const KNOWN = new Set(['trustor_user_id', 'trustee_user_id', 'impersonation', 'project_id', 'remaining_uses', 'expires_at',
  'allow_redelegation', 'redelegation_count', 'redelegated_trust_id', 'roles', 'id', 'deleted_at', 'links', 'roles_links']);

export function registerTrustRoutes(app: FastifyInstance, deps: AuthApiDeps): void {
  const self = (id: string): string => `${deps.baseUrl}/v3/OS-TRUST/trusts/${id}`;
  const rolesLinks = (id: string): Record<string, unknown> => ({ self: `${deps.baseUrl}/v3/${id}/roles`, next: null, previous: null });

  async function full(t: TrustRef): Promise<Record<string, unknown>> {
    return { roles: await roleBodies(t.roleIds, deps, true), ...trustToApi(t), roles_links: rolesLinks(t.id), links: { self: self(t.id) } };
  }

  /** The trust named in the path (404 before any policy check, as upstream), then the policy. */
  async function enforceOnTrust(req: FastifyRequest, action: string): Promise<TrustRef> {
    const trust = await deps.trusts.get((req.params as { trust_id: string }).trust_id);
    deps.authorize(req, action, { target: { trust: trustToApi(trust) } });
    return trust;
  }

  app.post('/v3/OS-TRUST/trusts', { schema: { body: createSchema } }, async (req, reply) => {
    const body = (req.body as { trust: TrustBody }).trust;
    deps.authorize(req, 'identity:create_trust', { target: { trust: body } });
    await requireUnrestricted(req, deps, 'trusts.');
    const roles = body.roles ?? [];
    if (body.project_id && roles.length === 0) throw new ForbiddenAction('At least one role should be specified');
    if (req.ctx.auth?.userId !== body.trustor_user_id) throw new ForbiddenAction('The authenticated user should match the trustor');
    if (!(await deps.providers.getUser(body.trustee_user_id))) throw new UserNotFound(body.trustee_user_id);
    const roleIds = await roleIdsOf(roles, deps);

    const redelegatedFrom = req.ctx.auth?.trustId ? await deps.trusts.get(req.ctx.auth.trustId) : undefined;
    const originalTrustor = redelegatedFrom ? (await deps.trusts.pedigree(redelegatedFrom.id)).at(-1)?.trustorUserId ?? body.trustor_user_id : body.trustor_user_id;
    if (body.project_id) {
      const project = await deps.providers.getProject(body.project_id);
      if (!project) throw new ProjectNotFound(body.project_id);
      const projectId = redelegatedFrom?.projectId ?? body.project_id;
      const have = new Set((await deps.providers.rolesOnProject(originalTrustor, projectId)).map((r) => r.id));
      for (const id of roleIds) if (!have.has(id)) throw new RoleNotFound(id);
    }
    const expiresAt = body.expires_at ? Date.parse(parseExpirationDate(body.expires_at)) : null;
    const extra = Object.fromEntries(Object.entries(body).filter(([k]) => !KNOWN.has(k)));
    const trust = await deps.trusts.create({
      trustorUserId: body.trustor_user_id,
      trusteeUserId: body.trustee_user_id,
      projectId: body.project_id ?? null,
      impersonation: body.impersonation,
      expiresAt,
      remainingUses: body.remaining_uses ?? null,
      allowRedelegation: body.allow_redelegation ?? false,
      redelegationCount: body.redelegation_count ?? null,
      roleIds,
      extra,
    }, redelegatedFrom);
    return reply.code(201).type('application/json').send(JSON.stringify({ trust: await full(trust) }));
  });

  app.get('/v3/OS-TRUST/trusts', async (req, reply) => {
    const q = query(req);
    const trustor = qs(req, 'trustor_user_id');
    const trustee = qs(req, 'trustee_user_id');
    let trusts: TrustRef[] = [];
    if (trustor) {
      deps.authorize(req, 'identity:list_trusts_for_trustor', { target: { trust: { trustor_user_id: trustor } } });
      trusts = await deps.trusts.list({ trustorUserId: trustor });
    } else if (trustee) {
      deps.authorize(req, 'identity:list_trusts_for_trustee', { target: { trust: { trustee_user_id: trustee } } });
      trusts = await deps.trusts.list({ trusteeUserId: trustee });
    } else {
      deps.authorize(req, 'identity:list_trusts');
      if (Object.keys(q).length === 0) trusts = await deps.trusts.list();
    }
    const url = req.url.includes('?') ? `${deps.baseUrl}/v3/OS-TRUST/trusts?${req.url.split('?')[1]}` : `${deps.baseUrl}/v3/OS-TRUST/trusts`;
    const body = { trusts: trusts.map((t) => ({ ...trustToApi(t), links: { self: self(t.id) } })), links: { next: null, self: url, previous: null } };
    return reply.type('application/json').send(JSON.stringify(body));
  });

  app.get('/v3/OS-TRUST/trusts/:trust_id', async (req, reply) => {
    const trust = await enforceOnTrust(req, 'identity:get_trust');
    return reply.type('application/json').send(JSON.stringify({ trust: await full(trust) }));
  });

  app.delete('/v3/OS-TRUST/trusts/:trust_id', async (req, reply) => {
    const trust = await enforceOnTrust(req, 'identity:delete_trust');
    await requireUnrestricted(req, deps, 'trusts.');
    await deps.trusts.delete(trust.id);
    return reply.code(204).send();
  });

  app.get('/v3/OS-TRUST/trusts/:trust_id/roles', async (req, reply) => {
    const trust = await enforceOnTrust(req, 'identity:list_roles_for_trust');
    const body = { roles: await roleBodies(trust.roleIds, deps, true), links: rolesLinks(trust.id) };
    return reply.type('application/json').send(JSON.stringify(body));
  });

  app.get('/v3/OS-TRUST/trusts/:trust_id/roles/:role_id', async (req, reply) => {
    const trust = await enforceOnTrust(req, 'identity:get_role_for_trust');
    const roleId = (req.params as { role_id: string }).role_id;
    if (!trust.roleIds.includes(roleId)) throw new RoleNotFound(roleId);
    const [role] = await roleBodies([roleId], deps, true);
    if (!role) throw new RoleNotFound(roleId);
    return reply.type('application/json').send(JSON.stringify({ role }));
  });
}
