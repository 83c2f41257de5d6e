/**
 * Upstream Keystone computes a token's roles when it validates it, so a role granted a moment
 * ago shows in an existing token at once. The validator caches validated tokens, and the
 * resource side's event bus (providers.ts) only reports removals; this hook drops the cached
 * validations a grant can change, just before the API answers a successful PUT that adds one:
 * a user's role (`.../users/{user_id}/roles/{role_id}`, system and OS-INHERIT forms), a user
 * joining a group (`/groups/{group_id}/users/{user_id}`): that user's tokens; a group's role
 * or a new role inference: every cached token.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IdentityTokenValidator } from '../validator.js';

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

export function registerGrantInvalidation(app: FastifyInstance, validator: IdentityTokenValidator): void {
  app.addHook('onSend', async (req, reply, payload) => {
    if (req.method !== 'PUT' || reply.statusCode >= 300) return payload;
    const target = grantTarget(req);
    if (target === 'all') validator.forgetAll();
    else if (target) validator.forgetUser(target.userId);
    return payload;
  });
}
