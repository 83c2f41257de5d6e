/**
 * The application credential Manager (keystone/application_credential/core.py): a user's
 * named secret bound to one project and a subset of the user's roles there, with an optional
 * expiry and access rules, over an ApplicationCredentialDriver (backends/base.ts) chosen by
 * `[application_credential] driver`. Its callbacks, as upstream's: a user disabled or deleted
 * loses its credentials (and, when deleted, its access rules), and the credentials delegating a
 * deleted role go. Every deletion emits `application_credential.deleted` (cached tokens of the
 * credential are dropped).
 */
import { randomBytes } from 'node:crypto';
import { RoleAssignmentNotFound } from '../errors.js';
import { newId } from '../db/rows.js';
import { AccessRuleNotFound, ApplicationCredentialLimitExceeded, ApplicationCredentialNotFound } from '../auth/errors.js';
import type { KeystoneEvents } from '../events.js';
import type { KeystoneProviders } from '../providers.js';
import type { IdentityAudit } from '../rpc/audit.js';
import type { AccessRule, AccessRuleInput, AppCredRef, ApplicationCredentialDriver } from './backends/base.js';

export type AppCredCreate = Omit<AppCredRef, 'id' | 'accessRules'> & {
  id?: string;
  /** Generated when absent. */
  secret?: string | null;
  accessRules?: AccessRuleInput[];
};

export interface AppCredManagerDeps {
  /** [application_credential] user_limit (-1: unlimited). */
  userLimit: number;
  /** The user's effective roles on the credential's project. */
  roles: Pick<KeystoneProviders, 'rolesOnProject'>;
  events: KeystoneEvents;
  /** Notifications (identity.application_credential.*, identity.access_rule.deleted). */
  audit: IdentityAudit;
}

/** 64 random bytes, url-safe base64 without padding (upstream's _generate_secret). */
export function generateSecret(): string {
  return randomBytes(64).toString('base64url');
}

export class AppCredManager {
  constructor(private readonly driver: ApplicationCredentialDriver, private readonly opts: AppCredManagerDeps) {
    const { events } = opts;
    events.on('user.disabled', async ({ userId }) => { await this.deleteForUser(userId); });
    events.on('user.deleted', async ({ userId }) => {
      await this.deleteForUser(userId);
      await this.deleteAccessRulesForUser(userId);
    });
    events.on('role.deleted', async ({ roleId }) => { await this.deleteWithRole(roleId); });
  }

  /** Create; returns the credential and its secret (shown once). */
  async create(input: AppCredCreate): Promise<{ appCred: AppCredRef; secret: string }> {
    if (this.opts.userLimit >= 0 && (await this.driver.countApplicationCredentialsForUser(input.userId)) >= this.opts.userLimit) {
      throw new ApplicationCredentialLimitExceeded(this.opts.userLimit);
    }
    if (input.projectId !== null) {
      const have = new Set((await this.opts.roles.rolesOnProject(input.userId, input.projectId)).map((r) => r.id));
      for (const roleId of input.roleIds) {
        if (!have.has(roleId)) throw new RoleAssignmentNotFound(roleId, input.userId, input.projectId);
      }
    }
    const secret = input.secret ? input.secret : generateSecret();
    const { id: givenId, secret: _secret, accessRules, ...cred } = input;
    const id = givenId ?? newId();
    await this.driver.createApplicationCredential({ ...cred, id, secret, ...(accessRules ? { accessRules } : {}) });
    this.opts.audit.created('application_credential', id);
    return { appCred: await this.get(id), secret };
  }

  async get(id: string): Promise<AppCredRef> {
    const cred = await this.driver.getApplicationCredential(id);
    if (!cred) throw new ApplicationCredentialNotFound(id);
    return cred;
  }

  list(userId: string, filter: { name?: string } = {}): Promise<AppCredRef[]> {
    return this.driver.listApplicationCredentialsForUser(userId, filter);
  }

  /** Check an id and secret; false for unknown, wrong or expired. */
  authenticate(id: string, secret: string): Promise<boolean> {
    return this.driver.authenticate(id, secret);
  }

  async delete(id: string): Promise<void> {
    if (!(await this.driver.deleteApplicationCredential(id))) throw new ApplicationCredentialNotFound(id);
    this.opts.audit.deleted('application_credential', id);
    this.opts.audit.invalidateTokens('application_credential.deleted', { applicationCredentialId: id });
    await this.opts.events.emit('application_credential.deleted', { id });
  }

  /** Every credential of a user (the user was deleted or disabled); returns their ids. */
  async deleteForUser(userId: string, projectId?: string): Promise<string[]> {
    return this.notifyDeleted(await this.driver.deleteApplicationCredentialsForUser(userId, projectId));
  }

  /** Delete the credentials that delegate a role (the role was deleted); returns their ids. */
  async deleteWithRole(roleId: string): Promise<string[]> {
    return this.notifyDeleted(await this.driver.deleteApplicationCredentialsWithRole(roleId));
  }

  private async notifyDeleted(ids: string[]): Promise<string[]> {
    for (const id of ids) this.opts.audit.deleted('application_credential', id);
    for (const id of ids) await this.opts.events.emit('application_credential.deleted', { id });
    return ids;
  }

  async getAccessRule(userId: string, ruleId: string): Promise<AccessRule> {
    const rule = await this.driver.getAccessRule(userId, ruleId);
    if (!rule) throw new AccessRuleNotFound(ruleId);
    return rule;
  }

  listAccessRules(userId: string, filter: Partial<Omit<AccessRule, 'id'>> = {}): Promise<AccessRule[]> {
    return this.driver.listAccessRulesForUser(userId, filter);
  }

  /** Delete an access rule no credential uses (403 "May not delete access rule in use" otherwise). */
  async deleteAccessRule(userId: string, ruleId: string): Promise<void> {
    await this.driver.deleteAccessRule(userId, ruleId);
    this.opts.audit.deleted('access_rule', ruleId);
  }

  async deleteAccessRulesForUser(userId: string): Promise<void> {
    for (const id of await this.driver.deleteAccessRulesForUser(userId)) this.opts.audit.deleted('access_rule', id);
  }
}
