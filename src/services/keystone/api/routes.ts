/**
 * Every route of the identity service: the hooks first (the cache hook must see every write of
 * the scope; notifications name the client of the request), then the token side's routes
 * (/v3/auth, trusts, application credentials, revocation events) and the resource routes.
 */
import type { FastifyPluginAsync } from 'fastify';
import { registerCacheInvalidation } from '../auth/cache-invalidation.js';
import { recordRequestOrigin } from '../rpc/initiator.js';
import type { AuthApiDeps } from './auth-deps.js';
import { registerAuthSideRoutes } from './auth-routes.js';
import { registerResourceRoutes, type ResourceDeps } from './resource-routes.js';

export function identityRoutes(deps: AuthApiDeps, resource: ResourceDeps): FastifyPluginAsync {
  return async (scope) => {
    scope.addHook('onRequest', (req, _reply, done) => {
      recordRequestOrigin(req);
      done();
    });
    registerCacheInvalidation(scope, { validator: deps.validator, catalog: deps.catalogCache });
    registerAuthSideRoutes(scope, deps);
    await registerResourceRoutes(scope, resource);
  };
}
