/**
 * /v3/auth (keystone/api/auth.py): issue (POST, public), validate (GET/HEAD) and revoke
 * (DELETE) tokens named by X-Subject-Token, and the catalog, projects, domains and system
 * scope the caller's token can use.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Forbidden, NuboError } from '../../../common/errors.js';
import { SecurityForbidden, TokenNotFound } from '../auth/errors.js';
import { TokenBodies } from '../token/body-cache.js';
import { isScoped, type ResolvedToken } from '../token/model.js';
import type { ValidatedToken } from '../validator.js';
import type { AuthApiDeps, TokenBodyRenderer } from './auth-deps.js';

const JSON_UTF8 = 'application/json; charset=utf-8';

const TRUE = new Set(['1', 'true', 'yes', 'on', 'y', 't']);

/** oslo's bool_from_string. */
export function boolParam(v: unknown): boolean {
  return typeof v === 'string' && TRUE.has(v.trim().toLowerCase());
}

/** A header's value as the token routes read it: the first of several, trimmed, none when empty. */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s && s.trim() !== '' ? s.trim() : undefined;
}

const header = (req: FastifyRequest, name: string): string | undefined => headerValue(req.headers, name);

const hasQuery = (req: FastifyRequest, key: string): boolean => Object.hasOwn((req.query ?? {}) as object, key);

/**
 * The token body, with the catalog unless `nocatalog` or the token is unscoped, as bytes kept
 * with the token (token/body-cache.ts) and the catalog's text from the catalog cache.
 */
export function tokenBodyRenderer(deps: Pick<AuthApiDeps, 'render' | 'catalogCache'>): TokenBodyRenderer {
  const bodies = new TokenBodies(deps.render);
  return (token, nocatalog) => {
    if (nocatalog || !isScoped(token)) return bodies.bare(token);
    const catalog = deps.catalogCache.json(token.project?.id, token.trust ? token.trust.trustorUserId : token.user.id);
    return typeof catalog === 'string' ? bodies.withCatalog(token, catalog) : catalog.then((c) => bodies.withCatalog(token, c));
  };
}

/**
 * The policy target of validating, checking or revoking token `v`: the user the token acts as
 * (the trustor of an impersonating trust token), as the caller's credentials say. It is made of
 * the subject's TokenInfo alone, so the decision may be remembered by it.
 */
export function subjectTarget(v: ValidatedToken): { target: Record<string, unknown>; remember: object } {
  return { target: { token: { user_id: v.info.userId, user: { domain: { id: v.info.userDomainId } } } }, remember: v.info };
}

export function registerAuthRoutes(app: FastifyInstance, deps: AuthApiDeps): void {
  const link = (path: string): string => `${deps.baseUrl}/v3/${path}`;

  const body = (token: ResolvedToken, req: FastifyRequest): Buffer | Promise<Buffer> => deps.tokenBody(token, hasQuery(req, 'nocatalog'));

  /** Enforce `action` against the validated X-Subject-Token. */
  function admit(req: FastifyRequest, action: string, v: ValidatedToken): ValidatedToken {
    // A credential limited by access rules is only usable through middleware that enforces them.
    if (v.token.appCred?.accessRules && !(Number(header(req, 'openstack-identity-access-rules')) >= 1)) {
      throw new TokenNotFound('Failed to validate token');
    }
    deps.authorize(req, action, subjectTarget(v));
    return v;
  }

  /** Validate X-Subject-Token (404s as upstream) and enforce `action` against it. */
  async function subject(req: FastifyRequest, action: string, windowSeconds = 0): Promise<ValidatedToken> {
    const token = header(req, 'x-subject-token') ?? '';
    return admit(req, action, deps.validator.cached(token) ?? await deps.validator.resolve(token, windowSeconds));
  }

  /** The validate/check answer; sent at once when the token body is at hand. */
  function answer(req: FastifyRequest, reply: FastifyReply, v: ValidatedToken): undefined | Promise<FastifyReply> {
    reply.header('x-subject-token', v.token.id);
    if (req.method === 'HEAD') {
      reply.type('application/json').send();
      return undefined;
    }
    // The charset Fastify would add to a JSON text: a Buffer is sent with the type as given.
    reply.type(JSON_UTF8);
    const bytes = body(v.token, req);
    if (!Buffer.isBuffer(bytes)) return bytes.then((b) => reply.send(b));
    reply.send(bytes);
    return undefined;
  }

  app.post('/v3/auth/tokens', { config: { public: true } }, async (req, reply) => {
    const payload = req.body as Record<string, unknown> | undefined;
    const auth = payload && typeof payload === 'object' && !Array.isArray(payload) ? payload['auth'] : undefined;
    let token: ResolvedToken;
    try {
      token = await deps.authenticator.authenticate(auth);
    } catch (err) {
      // Every 401 carries Keystone's challenge (application._handle_keystone_exception).
      if (err instanceof NuboError && err.status === 401) err.headers['www-authenticate'] = `Keystone uri="${deps.baseUrl}/v3"`;
      throw err;
    }
    reply.code(201).header('x-subject-token', token.id).type(JSON_UTF8);
    return reply.send(await body(token, req));
  });

  // Not an async handler: a cached subject token (the common case) is answered without a promise.
  app.get('/v3/auth/tokens', (req, reply) => {
    const action = req.method === 'HEAD' ? 'identity:check_token' : 'identity:validate_token';
    const hit = deps.validator.cached(header(req, 'x-subject-token') ?? '');
    if (hit) return answer(req, reply, admit(req, action, hit));
    const window = boolParam((req.query as Record<string, unknown>)['allow_expired']) ? deps.allowExpiredWindow : 0;
    return subject(req, action, window).then((v) => answer(req, reply, v));
  });

  app.delete('/v3/auth/tokens', async (req, reply) => {
    const v = await subject(req, 'identity:revoke_token');
    await deps.tokens.revoke(v.token.id);
    return reply.code(204).send();
  });

  app.get('/v3/auth/tokens/OS-PKI/revoked', async () => {
    // Upstream keeps the deprecated PKI revocation list answering 403.
    throw new Forbidden();
  });

  app.get('/v3/auth/catalog', async (req, reply) => {
    deps.authorize(req, 'identity:get_auth_catalog');
    const auth = req.ctx.auth;
    if (!auth?.projectId) throw new SecurityForbidden('A project-scoped token is required to produce a service catalog.');
    const catalog = await deps.catalogCache.get(auth.projectId, auth.userId);
    return send(reply, { catalog, links: { self: link('auth/catalog') } });
  });

  app.get('/v3/auth/projects', async (req, reply) => {
    deps.authorize(req, 'identity:get_auth_projects');
    const userId = req.ctx.auth?.userId;
    const projects = userId ? await deps.providers.listProjectsForUser(userId) : [];
    const bodies = await Promise.all(projects.filter((p) => !p.isDomain).map((p) => deps.views.project(p)));
    return send(reply, { projects: bodies, links: { next: null, self: link('auth/projects'), previous: null } });
  });

  app.get('/v3/auth/domains', async (req, reply) => {
    deps.authorize(req, 'identity:get_auth_domains');
    const userId = req.ctx.auth?.userId;
    const domains = userId ? await deps.providers.listDomainsForUser(userId) : [];
    const bodies = await Promise.all(domains.map((d) => deps.views.domain(d)));
    return send(reply, { domains: bodies, links: { next: null, self: link('auth/domains'), previous: null } });
  });

  app.get('/v3/auth/system', async (req, reply) => {
    deps.authorize(req, 'identity:get_auth_system');
    const userId = req.ctx.auth?.userId;
    const roles = userId ? await deps.providers.rolesOnSystem(userId) : [];
    return send(reply, { system: roles.length > 0 ? [{ all: true }] : [], links: { self: link('auth/system') } });
  });
}

function send(reply: FastifyReply, body: unknown): FastifyReply {
  return reply.type('application/json').send(JSON.stringify(body));
}
