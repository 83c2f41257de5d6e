/**
 * Wiring of the auth side's routes to the resource side: policy enforcement through the shared
 * Keystone enforcer, API views of projects, domains and roles from the resource managers, the
 * catalog, and the fault renderer (keystoneFault plus the `identity` member of auth errors).
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { keystoneFault, type FaultRenderer } from '../../../common/http/faults.js';
import type { Enforcer } from '../../../common/policy/index.js';
import type { AuthApiDeps, Authorize } from '../api/auth-deps.js';
import { registerAuthSideRoutes } from '../api/auth-routes.js';
import { registerResourceRoutes, type ResourceDeps } from '../api/resource-routes.js';
import type { AuthConfig } from '../auth-config.js';
import type { ResourceManagers } from '../managers.js';
import { enforceCall } from '../policies/enforcer.js';
import type { ResourceProviders } from '../resource-providers.js';
import type { AuthSide } from './auth-side.js';
import { AuthPluginError } from './errors.js';
import { registerCacheInvalidation } from './cache-invalidation.js';
import { CatalogCache } from './catalog-cache.js';

/** keystoneFault, plus the `identity` member upstream adds to auth plugin errors. */
export const identityFault: FaultRenderer = (err) => {
  if (!(err instanceof AuthPluginError)) return keystoneFault(err);
  return {
    contentType: 'application/json',
    body: JSON.stringify({ error: { code: err.status, identity: err.identity, message: err.message, title: err.title } }),
  };
};

/** API bodies of projects, domains and roles, from the resource managers. */
function resourceViews(m: ResourceManagers, baseUrl: string): AuthApiDeps['views'] {
  return {
    async project(p) {
      const ref = (await m.resource.findProject(p.id)) ?? { id: p.id, name: p.name, domain_id: p.domainId, enabled: p.enabled, parent_id: p.parentId, is_domain: p.isDomain };
      return { ...ref, links: { self: `${baseUrl}/v3/projects/${p.id}` } };
    },
    async domain(d) {
      const ref = (await m.resource.findDomain(d.id)) ?? { id: d.id, name: d.name, enabled: d.enabled };
      return { ...ref, links: { self: `${baseUrl}/v3/domains/${d.id}` } };
    },
    async role(roleId) {
      return m.roles.findRole(roleId);
    },
    async globalRoleByName(name) {
      const r = await m.roles.findGlobalRoleByName(name);
      return r ? { id: r.id, name: r.name, domainId: r.domain_id } : undefined;
    },
  };
}

export interface WiringOptions {
  managers: ResourceManagers;
  providers: ResourceProviders;
  side: AuthSide;
  enforcer: Enforcer;
  /** Public identity URL without the version. */
  baseUrl: string;
  config: AuthConfig;
  adminProject?: { name: string; domainName: string };
}

export function authApiDeps(o: WiringOptions): AuthApiDeps {
  const authorize: Authorize = (req: FastifyRequest, action, input = {}) =>
    enforceCall(o.enforcer, req.ctx, action, {
      params: input.params ?? (req.params as Record<string, unknown>),
      ...(input.target ? { target: input.target } : {}),
      body: req.body,
    });
  return {
    authenticator: o.side.authenticator,
    tokens: o.side.tokens,
    validator: o.side.validator,
    revoke: o.side.revoke,
    trusts: o.side.trusts,
    appCreds: o.side.appCreds,
    providers: o.providers,
    authorize,
    views: resourceViews(o.managers, o.baseUrl),
    baseUrl: o.baseUrl,
    render: o.adminProject ? { adminProject: o.adminProject } : {},
    allowExpiredWindow: o.config.token.allow_expired_window,
    allowRedelegation: o.config.trust.allow_redelegation,
    catalogCache: new CatalogCache((projectId, userId) => o.providers.catalog(projectId, userId)),
  };
}

/**
 * The identity service's routes: the hook first (the cache hook must see every write of the
 * scope), then the auth side's and the resource side's routes.
 */
export function identityRoutes(deps: AuthApiDeps, resource: ResourceDeps): FastifyPluginAsync {
  return async (scope) => {
    registerCacheInvalidation(scope, { validator: deps.validator, catalog: deps.catalogCache });
    registerAuthSideRoutes(scope, deps);
    await registerResourceRoutes(scope, resource);
  };
}
