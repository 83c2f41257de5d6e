/**
 * The proxy APIs (os-networks, os-tenant-networks, os-security-groups, os-floating-ips,
 * os-floating-ip-pools...) exist up to MAX_PROXY_API_SUPPORT_VERSION, 2.35; from 2.36 they
 * answer 404 as an unknown path does.
 */
import type { ApiDeps } from './deps.js';
import type { Caller } from './request.js';
import { NotFound } from '../errors.js';

export const MAX_PROXY_API_SUPPORT_VERSION = '2.35';

/** @throws NotFound from 2.36 */
export function requireProxyVersion(c: Caller): void {
  if (!c.version.inRange('2.1', MAX_PROXY_API_SUPPORT_VERSION)) throw new NotFound('The resource could not be found.');
}

/** The microversion gate, then `policy` on the caller's project (nova's context.can with target project_id). */
export function authorizeProxy(deps: ApiDeps, c: Caller, policy: string): void {
  requireProxyVersion(c);
  deps.policy.can(c.ctx, policy, { project_id: c.ctx.projectId });
}
