/**
 * What the auth side does when the resource side changes something (upstream's notification
 * callbacks in revoke/core.py, token/provider.py, trust/core.py and application_credential/
 * core.py). Each handler finishes before the resource API answers (KeystoneEvents.emit awaits),
 * so a revoked token fails on the very next request.
 *
 * - password changed, user disabled or deleted: a revocation event for the user;
 * - user disabled or deleted: the user's application credentials go (and, when deleted, its
 *   access rules and trusts);
 * - project or domain deleted: a revocation event for it (and the project's trusts);
 * - a user leaving a group: a revocation event for the user, as upstream;
 * - project or domain disabled, a role assignment removed: validation
 *   rejects such tokens by itself (disabled scope, no roles left), so only the cached
 *   validations are dropped, as upstream (re-enabling brings the tokens back);
 * - role deleted: cached tokens holding the role are dropped and the application credentials
 *   delegating it are deleted.
 */
import type { AppCredManager } from '../application_credential/manager.js';
import type { KeystoneEvents } from '../providers.js';
import type { RevokeManager } from '../revoke/manager.js';
import type { TrustManager } from '../trust/manager.js';
import type { IdentityTokenValidator } from '../validator.js';

export interface SubscriptionDeps {
  revoke: RevokeManager;
  validator: IdentityTokenValidator;
  trusts: TrustManager;
  appCreds: AppCredManager;
}

export function subscribeToResourceEvents(events: KeystoneEvents, d: SubscriptionDeps): void {
  events.on('user.password_changed', async ({ userId }) => {
    await d.revoke.revokeByUser(userId);
  });
  events.on('user.disabled', async ({ userId }) => {
    await d.revoke.revokeByUser(userId);
    for (const id of await d.appCreds.deleteForUser(userId)) d.validator.forgetAppCred(id);
  });
  events.on('user.deleted', async ({ userId }) => {
    await d.revoke.revokeByUser(userId);
    await d.appCreds.deleteForUser(userId);
    await d.appCreds.deleteAccessRulesForUser(userId);
    await d.trusts.deleteForUser(userId);
  });
  events.on('project.disabled', ({ projectId }) => d.validator.forgetProject(projectId));
  events.on('project.deleted', async ({ projectId }) => {
    await d.revoke.revokeByProject(projectId);
    await d.trusts.deleteForProject(projectId);
  });
  events.on('domain.disabled', ({ domainId }) => d.validator.forgetDomain(domainId));
  events.on('domain.deleted', async ({ domainId }) => {
    await d.revoke.revokeByDomain(domainId);
  });
  events.on('assignment.removed', ({ userId, groupId, roleId }) => {
    if (userId) d.validator.forgetUser(userId);
    else if (groupId) d.validator.forgetRole(roleId);
    else d.validator.forgetAll();
  });
  events.on('user.removed_from_group', async ({ userId }) => {
    await d.revoke.revokeByUser(userId);
  });
  events.on('role.deleted', async ({ roleId }) => {
    d.validator.forgetRole(roleId);
    for (const id of await d.appCreds.deleteWithRole(roleId)) d.validator.forgetAppCred(id);
  });
}
