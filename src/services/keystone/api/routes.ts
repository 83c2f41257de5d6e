/**
 * Every route of the identity service: the cache hook first (it must see every write of the
 * scope), then the token side's routes (/v3/auth, trusts, application credentials, revocation
 * events) and the resource routes. Notifications find the client of the request in the request
 * scope.
 */
import type { FastifyPluginAsync } from 'fastify';
import { registerCacheInvalidation } from '../auth/cache-invalidation.js';
import type { AuthApiDeps } from './auth-deps.js';
import { registerAuthSideRoutes } from './auth-routes.js';
import { registerResourceRoutes, type ResourceDeps } from './resource-routes.js';

export function identityRoutes(deps: AuthApiDeps, resource: ResourceDeps): FastifyPluginAsync {
  return async (scope) => {
    registerCacheInvalidation(scope, { validator: deps.validator, catalog: deps.catalogCache });
    registerAuthSideRoutes(scope, deps);
    await registerResourceRoutes(scope, resource);
  };
}
