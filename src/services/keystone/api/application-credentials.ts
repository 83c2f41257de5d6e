/**
 * /v3/users/{user_id}/application_credentials and /v3/users/{user_id}/access_rules
 * (keystone/api/users.py): a user's application credentials, created from a project-scoped
 * token with a subset of that token's roles.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ForbiddenAction } from '../errors.js';
import { ApplicationCredentialNotFound, ApplicationCredentialValidationError } from '../auth/errors.js';
import type { AccessRule, AppCredRef } from '../application_credential/backends/base.js';
import { RoleAssignmentNotFound } from '../errors.js';
import { parseExpirationDate, strtime } from '../token/time.js';
import type { AuthApiDeps } from './auth-deps.js';
import { blockTrustToken, currentTokenRoles, requireUnrestricted, roleBodies, roleIdsOf } from './delegation.js';

const ruleProps = {
  path: { type: 'string', minLength: 0, maxLength: 225, pattern: '^/.*' },
  service: { type: 'string', minLength: 1, maxLength: 64 },
  method: { type: 'string', enum: ['DELETE', 'GET', 'HEAD', 'PATCH', 'POST', 'PUT'] },
};

const createSchema = {
  type: 'object',
  required: ['application_credential'],
  additionalProperties: false,
  properties: {
    application_credential: {
      type: 'object',
      required: ['name'],
      additionalProperties: false,
      properties: {
        id: { type: 'string' },
        name: { type: 'string', minLength: 1, maxLength: 255 },
        secret: { type: ['string', 'null'] },
        description: { type: ['string', 'null'] },
        expires_at: { type: ['string', 'null'] },
        project_id: { type: 'string' },
        unrestricted: { type: ['boolean', 'null'] },
        system: { type: ['string', 'null'] },
        roles: {
          type: 'array',
          items: {
            type: 'object',
            properties: { id: { type: 'string', minLength: 1, maxLength: 64 }, name: { type: 'string', minLength: 1, maxLength: 255 } },
            minProperties: 1, maxProperties: 1, additionalProperties: false,
          },
        },
        access_rules: {
          type: 'array',
          items: { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 64 }, ...ruleProps } },
        },
      },
    },
  },
};

interface CreateBody {
  id?: string;
  name: string;
  secret?: string | null;
  description?: string | null;
  expires_at?: string | null;
  unrestricted?: boolean | null;
  roles?: Array<{ id?: string; name?: string }>;
  access_rules?: Array<{ id?: string; service?: string; path?: string; method?: string }>;
}

type Params = { user_id: string; application_credential_id?: string; access_rule_id?: string };

export function registerAppCredRoutes(app: FastifyInstance, deps: AuthApiDeps): void {
  const base = `${deps.baseUrl}/v3`;

  async function toApi(c: AppCredRef): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {
      id: c.id,
      name: c.name,
      description: c.description,
      user_id: c.userId,
      project_id: c.projectId,
      system: c.system,
      expires_at: c.expiresAt !== null ? strtime(c.expiresAt) : null,
      unrestricted: c.unrestricted,
      roles: await roleBodies(c.roleIds, deps, false),
    };
    if (c.accessRules) out['access_rules'] = c.accessRules;
    out['links'] = { self: `${base}/application_credentials/${c.id}` };
    return out;
  }

  const ruleApi = (r: AccessRule): Record<string, unknown> => ({ ...r, links: { self: `${base}/access_rules/${r.id}` } });
  const json = (reply: import('fastify').FastifyReply, body: unknown, code = 200) => reply.code(code).type('application/json').send(JSON.stringify(body));

  /**
   * The path's user id is replaced by the credential's owner for the policy check, so a user
   * cannot pass `rule:owner` by naming themselves in the path (_update_request_user_id_attribute).
   */
  async function enforceOnAppCred(req: FastifyRequest, action: string): Promise<Params> {
    const params = { ...(req.params as Params) };
    const id = params.application_credential_id as string;
    let owner: string | undefined;
    try {
      owner = (await deps.appCreds.get(id)).userId;
      params.user_id = owner;
    } catch (err) {
      if (!(err instanceof ApplicationCredentialNotFound)) throw err;
    }
    deps.authorize(req, action, { params, target: owner ? { user_id: owner } : {} });
    blockTrustToken(req);
    return params;
  }

  async function userTarget(userId: string): Promise<Record<string, unknown>> {
    const user = await deps.providers.getUser(userId);
    return user ? { user: { id: user.id, domain_id: user.domainId, name: user.name, enabled: user.enabled } } : {};
  }

  app.get('/v3/users/:user_id/application_credentials', async (req, reply) => {
    const params = req.params as Params;
    deps.authorize(req, 'identity:list_application_credentials');
    blockTrustToken(req);
    const name = (req.query as Record<string, unknown>)['name'];
    const creds = await deps.appCreds.list(params.user_id, typeof name === 'string' ? { name } : {});
    const self = `${base}/users/${params.user_id}/application_credentials${req.url.includes('?') ? `?${req.url.split('?')[1]}` : ''}`;
    return json(reply, { application_credentials: await Promise.all(creds.map(toApi)), links: { next: null, self, previous: null } });
  });

  app.post('/v3/users/:user_id/application_credentials', { schema: { body: createSchema } }, async (req, reply) => {
    const params = req.params as Params;
    deps.authorize(req, 'identity:create_application_credential');
    blockTrustToken(req);
    await requireUnrestricted(req, deps, 'additional application credentials.');
    const auth = req.ctx.auth;
    if (!auth || auth.userId !== params.user_id) throw new ForbiddenAction('Cannot create an application credential for another user.');
    const body = (req.body as { application_credential: CreateBody }).application_credential;
    const projectId = auth.projectId ?? null;
    const tokenRoles = await currentTokenRoles(req, deps);
    let roleIds: string[];
    if (body.roles && body.roles.length > 0) {
      const requested = await roleIdsOf(body.roles, deps);
      // Implied roles come along, as when the token's roles are used.
      roleIds = [...new Set([...requested, ...(await deps.providers.expandImpliedRoles(requested)).map((r) => r.id)])];
      for (const id of roleIds) {
        if (!tokenRoles.includes(id)) throw new ApplicationCredentialValidationError('Cannot create an application credential with unassigned role');
      }
    } else {
      roleIds = tokenRoles;
    }
    const expiresAt = body.expires_at ? parseExpirationDate(body.expires_at) : null;
    const accessRules = body.access_rules?.map((r) => ({
      ...(r.id ? { id: r.id } : {}), service: r.service ?? '', path: r.path ?? '', method: r.method ?? '',
    }));
    try {
      const { appCred, secret } = await deps.appCreds.create({
        ...(body.id ? { id: body.id } : {}),
        name: body.name,
        description: body.description ?? null,
        secret: body.secret ?? null,
        userId: params.user_id,
        projectId,
        system: null,
        expiresAt,
        unrestricted: body.unrestricted ?? false,
        roleIds,
        ...(accessRules ? { accessRules } : {}),
      });
      const out = await toApi(appCred);
      const links = out['links'];
      delete out['links'];
      return json(reply, { application_credential: { ...out, secret, links } }, 201);
    } catch (err) {
      if (err instanceof RoleAssignmentNotFound) throw new ApplicationCredentialValidationError(err.message);
      throw err;
    }
  });

  app.get('/v3/users/:user_id/application_credentials/:application_credential_id', async (req, reply) => {
    const params = await enforceOnAppCred(req, 'identity:get_application_credential');
    return json(reply, { application_credential: await toApi(await deps.appCreds.get(params.application_credential_id as string)) });
  });

  app.delete('/v3/users/:user_id/application_credentials/:application_credential_id', async (req, reply) => {
    const params = await enforceOnAppCred(req, 'identity:delete_application_credential');
    await requireUnrestricted(req, deps, 'additional application credentials.');
    // The validator drops the credential's cached tokens on application_credential.deleted.
    await deps.appCreds.delete(params.application_credential_id as string);
    return reply.code(204).send();
  });

  app.get('/v3/users/:user_id/access_rules', async (req, reply) => {
    const params = req.params as Params;
    deps.authorize(req, 'identity:list_access_rules', { target: await userTarget(params.user_id) });
    blockTrustToken(req);
    const q = req.query as Record<string, unknown>;
    const filter: Partial<Omit<AccessRule, 'id'>> = {};
    for (const k of ['service', 'path', 'method'] as const) if (typeof q[k] === 'string') filter[k] = q[k] as string;
    const rules = await deps.appCreds.listAccessRules(params.user_id, filter);
    return json(reply, { access_rules: rules.map(ruleApi), links: { next: null, self: `${base}/users/${params.user_id}/access_rules`, previous: null } });
  });

  app.get('/v3/users/:user_id/access_rules/:access_rule_id', async (req, reply) => {
    const params = req.params as Params;
    deps.authorize(req, 'identity:get_access_rule', { target: await userTarget(params.user_id) });
    blockTrustToken(req);
    return json(reply, { access_rule: ruleApi(await deps.appCreds.getAccessRule(params.user_id, params.access_rule_id as string)) });
  });

  app.delete('/v3/users/:user_id/access_rules/:access_rule_id', async (req, reply) => {
    const params = req.params as Params;
    deps.authorize(req, 'identity:delete_access_rule', { target: await userTarget(params.user_id) });
    blockTrustToken(req);
    await deps.appCreds.deleteAccessRule(params.user_id, params.access_rule_id as string);
    return reply.code(204).send();
  });
}
