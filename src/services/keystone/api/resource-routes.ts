/**
 * Every resource-side /v3 route. Registration is synchronous (the returned promise is already
 * settled), so callers may await it or not.
 */
import type { FastifyInstance } from 'fastify';
import { registerCredentialRoutes } from './credentials.js';
import { registerDomainConfigRoutes } from './domain-configs.js';
import { registerDomainRoutes } from './domains.js';
import { registerEndpointRoutes } from './endpoints.js';
import { registerGrantRoutes } from './grants.js';
import { registerGroupRoutes } from './groups.js';
import { registerImpliedRoleRoutes } from './implied-roles.js';
import { registerLimitRoutes } from './limits.js';
import { registerConsumerRoutes } from './os-oauth1-consumers.js';
import { registerEndpointFilterRoutes } from './os-ep-filter.js';
import { registerEndpointPolicyRoutes } from './os-ep-policy.js';
import { registerPolicyRoutes } from './policy.js';
import { registerProjectRoutes } from './projects.js';
import { registerRegionRoutes } from './regions.js';
import type { ResourceDeps } from './resource-common.js';
import { registerRoleAssignmentRoutes } from './role-assignments.js';
import { registerRoleRoutes } from './roles.js';
import { registerServiceRoutes } from './services.js';
import { registerUserRoutes } from './users.js';

export type { ResourceDeps } from './resource-common.js';

export async function registerResourceRoutes(scope: FastifyInstance, deps: ResourceDeps): Promise<void> {
  registerUserRoutes(scope, deps);
  registerGroupRoutes(scope, deps);
  registerProjectRoutes(scope, deps);
  registerDomainRoutes(scope, deps);
  registerDomainConfigRoutes(scope, deps);
  registerGrantRoutes(scope, deps);
  registerRoleRoutes(scope, deps);
  registerImpliedRoleRoutes(scope, deps);
  registerRoleAssignmentRoutes(scope, deps);
  registerServiceRoutes(scope, deps);
  registerEndpointRoutes(scope, deps);
  registerRegionRoutes(scope, deps);
  registerCredentialRoutes(scope, deps);
  registerLimitRoutes(scope, deps);
  registerPolicyRoutes(scope, deps);
  registerEndpointFilterRoutes(scope, deps);
  registerEndpointPolicyRoutes(scope, deps);
  registerConsumerRoutes(scope, deps);
}
