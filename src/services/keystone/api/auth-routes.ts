/** Every route of Keystone's auth side, registered in the identity service's scope. */
import type { FastifyInstance } from 'fastify';
import { registerAppCredRoutes } from './application-credentials.js';
import { registerAuthRoutes } from './auth.js';
import type { AuthApiDeps } from './auth-deps.js';
import { registerEc2TokenRoutes } from './ec2tokens.js';
import { registerRevokeRoutes } from './os-revoke.js';
import { registerTrustRoutes } from './trusts.js';
import { registerVersionRoutes } from './versions.js';

export function registerAuthSideRoutes(app: FastifyInstance, deps: AuthApiDeps): void {
  registerVersionRoutes(app, deps.baseUrl);
  registerAuthRoutes(app, deps);
  registerRevokeRoutes(app, deps);
  registerTrustRoutes(app, deps);
  registerAppCredRoutes(app, deps);
  registerEc2TokenRoutes(app, deps);
}
