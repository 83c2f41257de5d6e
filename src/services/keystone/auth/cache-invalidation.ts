/**
 * Keeps the token side's caches honest about changes made through the resource API, which
 * the managers' events (events.ts) do not report: just before the API answers a
 * successful write,
 * - a role granted (`.../users/{user_id}/roles/{role_id}`, system and OS-INHERIT forms) or a
 *   user joining a group (`/groups/{group_id}/users/{user_id}`) drops that user's cached token
 *   validations; a group's role or a new role inference drops all of them (upstream computes a
 *   token's roles when it validates it, so new roles show in existing tokens at once);
 * - any write to services, endpoints or regions empties the catalog cache.
 */
import type { FastifyInstance, FastifyRequest, onSendHookHandler } from 'fastify';
import type { IdentityTokenValidator } from '../validator.js';
import type { CatalogCache } from './catalog-cache.js';

/** Which cached tokens a successful PUT may have changed the roles of. */
export function grantTarget(req: FastifyRequest): { userId: string } | 'all' | undefined {
  const url = req.routeOptions.url ?? '';
  const params = (req.params ?? {}) as Record<string, string | undefined>;
  if (url.includes('/implies/')) return 'all';
  if (!url.includes('/roles/') && !/\/groups\/:group_id\/users\/:user_id$/.test(url)) return undefined;
  if (params['user_id']) return { userId: params['user_id'] };
  if (params['group_id']) return 'all';
  return undefined;
}

const CATALOG_PATHS = /^\/v3\/(services|endpoints|regions)(\/|$)/;

/** Whether a route path (below the service prefix) writes the catalog. */
export function writesCatalog(routeUrl: string): boolean {
  return CATALOG_PATHS.test(routeUrl.replace(/^\/[^/]+(?=\/v3\/)/, ''));
}

export function registerCacheInvalidation(app: FastifyInstance, caches: { validator: IdentityTokenValidator; catalog: CatalogCache }): void {
  // A callback hook, not an async one, and only on routes that can write: reads (every token
  // validation) do not pay for an onSend hook at all.
  const invalidate: onSendHookHandler = (req, reply, payload, done) => {
    if (req.method === 'GET' || req.method === 'HEAD' || reply.statusCode >= 300) return done(null, payload);
    if (writesCatalog(req.routeOptions.url ?? '')) caches.catalog.clear();
    if (req.method === 'PUT') {
      const target = grantTarget(req);
      if (target === 'all') caches.validator.forgetAll();
      else if (target) caches.validator.forgetUser(target.userId);
    }
    return done(null, payload);
  };
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (methods.every((m) => m === 'GET' || m === 'HEAD')) return;
    const own = route.onSend;
    route.onSend = own === undefined ? [invalidate] : [...(Array.isArray(own) ? own : [own]), invalidate];
  });
}
