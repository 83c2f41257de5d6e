/**
 * Tells the services that cache token validations (HttpTokenValidator in scale-out) what this
 * Keystone just invalidated, as token cache invalidation notifications
 * (common/auth/token-invalidation.ts). In-process, the same changes drop the in-process
 * validator's entries (auth/subscriptions.ts); this is their counterpart for other processes:
 *  - every revocation event this process records (token revoked, password changed, user
 *    disabled or deleted or removed from a group, project or domain deleted, trust deleted):
 *    the event's attributes;
 *  - a project or a domain disabled: its id (validation refuses its tokens from now on);
 *  - a role assignment removed: the user's tokens, or for a group's assignment the tokens
 *    holding the role (the members are not known to the caches);
 *  - a role deleted: the tokens holding it.
 * (An application credential deleted is announced by its manager.)
 */
import type { TokenCacheMatch } from '../../../common/auth/token-invalidation.js';
import type { KeystoneEvents } from '../events.js';
import type { RevokeManager } from '../revoke/core.js';
import type { RevokeEvent } from '../revoke/model.js';
import type { IdentityAudit } from './audit.js';

/**
 * What a revocation event revokes, as a cache match: undefined when it revokes no token
 * (OAuth1 consumers and access tokens are not implemented), 'all' when it names no attribute.
 */
export function revocationMatch(e: RevokeEvent): TokenCacheMatch | 'all' | undefined {
  if (e.consumerId !== null || e.accessTokenId !== null) return undefined;
  const m: TokenCacheMatch = {};
  if (e.auditId !== null) m.auditId = e.auditId;
  if (e.auditChainId !== null) m.auditChainId = e.auditChainId;
  if (e.userId !== null) m.userId = e.userId;
  if (e.projectId !== null) m.projectId = e.projectId;
  const domainId = e.domainId ?? e.domainScopeId;
  if (domainId !== null) m.domainId = domainId;
  if (e.roleId !== null) m.roleId = e.roleId;
  if (e.trustId !== null) m.trustId = e.trustId;
  return Object.keys(m).length > 0 ? m : 'all';
}

export function fanOutTokenInvalidations(events: KeystoneEvents, revoke: RevokeManager, audit: IdentityAudit): void {
  revoke.onRecord((e) => {
    const match = revocationMatch(e);
    if (match) audit.invalidateTokens('revocation_event', match);
  });
  events.on('project.disabled', ({ projectId }) => audit.invalidateTokens('project.disabled', { projectId }));
  events.on('domain.disabled', ({ domainId }) => audit.invalidateTokens('domain.disabled', { domainId }));
  events.on('assignment.removed', ({ userId, groupId, roleId }) => {
    audit.invalidateTokens('role_assignment.deleted', userId ? { userId } : groupId ? { roleId } : 'all');
  });
  events.on('role.deleted', ({ roleId }) => audit.invalidateTokens('role.deleted', { roleId }));
}
