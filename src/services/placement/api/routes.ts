/**
 * The placement API as one Fastify plugin: bodies kept raw (handlers parse them as upstream,
 * after their content-type and policy checks), the microversion negotiated for every request
 * (placement/deploy.py's middleware order: auth, then microversion, then the handler's
 * content-length check), the response headers that follow from it, and every resource's routes.
 */
import type { FastifyPluginAsync } from 'fastify';
import { HTTPBadRequest } from '../errors.js';
import { aggregateRoutes } from './aggregates.js';
import { allocationCandidateRoutes } from './allocation-candidates.js';
import { allocationRoutes } from './allocations.js';
import type { ApiDeps } from './deps.js';
import { inventoryRoutes } from './inventories.js';
import { negotiate, SERVICE_TYPE } from './microversion.js';
import { reshaperRoutes } from './reshaper.js';
import { resourceClassRoutes } from './resource-classes.js';
import { resourceProviderRoutes } from './resource-providers.js';
import { rootRoutes } from './root.js';
import { Router } from './router.js';
import { traitRoutes } from './traits.js';
import { usageRoutes } from './usages.js';

/** placement/handler.py: a body needs a content type. */
function checkContentLength(header: string | undefined, contentType: string | undefined): void {
  if (header === undefined) return;
  if (!/^\s*\d+\s*$/.test(header)) throw new HTTPBadRequest('content-length header must be an integer');
  if (Number(header) > 0 && (contentType === undefined || contentType.trim() === '')) {
    throw new HTTPBadRequest('content-type header required when content-length > 0');
  }
}

export function placementRoutes(deps: ApiDeps, prefix: string): FastifyPluginAsync {
  return async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    scope.decorateRequest('placementVersion', null);
    scope.addHook('onRequest', async (req, reply) => {
      const version = negotiate(req.headers['openstack-api-version']);
      req.placementVersion = version;
      reply.header('openstack-api-version', `${SERVICE_TYPE} ${version}`);
      checkContentLength(req.headers['content-length'], req.headers['content-type']);
    });
    scope.addHook('onSend', async (req, reply, payload) => {
      if (req.placementVersion && reply.statusCode < 400) reply.header('vary', 'openstack-api-version');
      return payload;
    });
    const router = new Router(prefix);
    rootRoutes(router);
    resourceProviderRoutes(router, deps);
    inventoryRoutes(router, deps);
    usageRoutes(router, deps);
    aggregateRoutes(router, deps);
    traitRoutes(router, deps);
    resourceClassRoutes(router, deps);
    allocationRoutes(router, deps);
    allocationCandidateRoutes(router, deps);
    reshaperRoutes(router, deps);
    router.install(scope);
  };
}
