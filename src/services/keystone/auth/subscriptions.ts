/**
 * What the in-process token validator's cache drops when something changes (upstream's token
 * cache invalidation callbacks). Revocation events reach it by themselves (RevokeManager's
 * onRevoke); these are the changes that make validation refuse or recompute a token without a
 * revocation event. Each handler finishes before the API answers (KeystoneEvents.emit awaits),
 * so a change shows on the very next request:
 * - project or domain disabled: validation rejects its tokens by itself (disabled scope), so
 *   only the cached validations are dropped, as upstream (re-enabling brings the tokens back);
 * - a role assignment removed: the user's cached tokens, or for a group's assignment the tokens
 *   holding the role (validation recomputes the roles);
 * - role deleted: cached tokens holding the role;
 * - application credential deleted: the tokens it issued.
 */
import type { KeystoneEvents } from '../events.js';
import type { IdentityTokenValidator } from '../validator.js';

export function subscribeValidatorCache(events: KeystoneEvents, validator: IdentityTokenValidator): void {
  events.on('project.disabled', ({ projectId }) => validator.forgetProject(projectId));
  events.on('domain.disabled', ({ domainId }) => validator.forgetDomain(domainId));
  events.on('assignment.removed', ({ userId, groupId, roleId }) => {
    if (userId) validator.forgetUser(userId);
    else if (groupId) validator.forgetRole(roleId);
    else validator.forgetAll();
  });
  events.on('role.deleted', ({ roleId }) => validator.forgetRole(roleId));
  events.on('application_credential.deleted', ({ id }) => validator.forgetAppCred(id));
}
