/**
 * The identity Manager (keystone/identity/core.py): users and groups over an IdentityDriver
 * (backends/base.ts), chosen by `[identity] driver`. The Manager keeps the API's rules (a
 * user's or group's domain exists, a default project is not a domain, password_regex on create
 * and update, ids and names), sends the notifications and emits the events the rest of
 * Keystone reacts to: a user disabled, deleted or changing password, a user leaving a group,
 * a group deleted. Its own callbacks: a deleted project is nobody's default project any more,
 * and a domain being deleted loses its groups and users (upstream's DOMAIN_DELETED callback).
 */
import { NotFound } from '../../../common/errors.js';
import type { Logger } from '../../../common/log/logger.js';
import type { SecurityComplianceOptions } from '../config.js';
import { checkLength, GroupNotFound, UserNotFound, ValidationError } from '../errors.js';
import { newId } from '../db/rows.js';
import { extraAttributes } from '../lib/extra-attributes.js';
import { toBoolean } from '../lib/booleans.js';
import { Hints } from '../lib/hints.js';
import { mergeOptions } from '../lib/resource-options.js';
import type { KeystoneEvents } from '../events.js';
import type { ResourceManager } from '../resource/core.js';
import type { IdentityAudit } from '../rpc/audit.js';
import type { GroupMembership, GroupRecord, IdentityDriver, UserRecord, UserUpdate } from './backends/base.js';
import { validatePassword } from './password-policy.js';

/** Attributes the driver stores as such; anything else a client sends is kept as an extra attribute. */
const USER_ATTRS = new Set(['id', 'name', 'domain_id', 'enabled', 'default_project_id', 'password', 'options', 'password_expires_at', 'federated']);
const GROUP_ATTRS = new Set(['id', 'name', 'domain_id', 'description']);

/** A user as the API creates or updates it: the known attributes plus any extra ones. */
export interface UserInput {
  name?: unknown;
  domain_id?: unknown;
  enabled?: unknown;
  default_project_id?: string | null;
  password?: string | null;
  options?: Record<string, unknown>;
  [extra: string]: unknown;
}

/** A group as the API creates or updates it. */
export interface GroupInput {
  name?: unknown;
  domain_id?: unknown;
  description?: string | null;
  [extra: string]: unknown;
}

export interface IdentityManagerDeps {
  /** Domains and default projects are checked against it. */
  resource: ResourceManager;
  /** [security_compliance]: password_regex applies to passwords set on create and update. */
  compliance: SecurityComplianceOptions;
  events: KeystoneEvents;
  audit: IdentityAudit;
  log: Logger;
}

export class IdentityManager {
  constructor(private readonly driver: IdentityDriver, private readonly deps: IdentityManagerDeps) {
    deps.events.on('project.deleted', ({ projectId }) => driver.unsetDefaultProjectId(projectId));
    deps.events.on('domain.deleting', async ({ domainId }) => {
      await this.deleteGroupsInDomain(domainId);
      await this.deleteUsersInDomain(domainId);
    });
  }

  // Users

  findUser(userId: string): Promise<UserRecord | undefined> {
    return this.driver.getUser(userId);
  }

  async getUser(userId: string): Promise<UserRecord> {
    const u = await this.driver.getUser(userId);
    if (!u) throw new UserNotFound(userId);
    return u;
  }

  findUserByName(name: string, domainId: string): Promise<UserRecord | undefined> {
    return this.driver.getUserByName(name, domainId);
  }

  async getUserByName(name: string, domainId: string): Promise<UserRecord> {
    const u = await this.findUserByName(name, domainId);
    if (!u) throw new UserNotFound(name);
    return u;
  }

  /** Users matching the hints (domain_id, name, enabled, password_expires_at, and inexact filters). */
  listUsers(hints: Hints = new Hints()): Promise<UserRecord[]> {
    return this.driver.listUsers(hints);
  }

  async listUsersInGroup(groupId: string, hints: Hints = new Hints()): Promise<UserRecord[]> {
    await this.getGroup(groupId);
    return this.driver.listUsersInGroup(groupId, hints);
  }

  /** The ids of a group's members (no check that the group exists). */
  async listUserIdsInGroup(groupId: string): Promise<string[]> {
    return (await this.driver.listUsersInGroup(groupId, new Hints())).map((u) => u.id);
  }

  /** password_regex (re.match semantics: anchored at the start). */
  validatePassword(password: unknown): void {
    validatePassword(password, this.deps.compliance, this.deps.log);
  }

  private async assertDefaultProjectNotDomain(projectId: unknown): Promise<void> {
    checkLength(projectId, 64);
    if (typeof projectId !== 'string' || !projectId) return;
    const p = await this.deps.resource.findProject(projectId);
    if (p?.is_domain) throw new ValidationError(`User's default project ID cannot be a domain ID: ${projectId}`);
  }

  /** `machineSecret`: the password is a generated random secret (bootstrap's users). */
  async createUser(input: UserInput, opts: { machineSecret?: boolean } = {}): Promise<UserRecord> {
    if ('password' in input) this.validatePassword(input.password);
    const name = String(input.name ?? '').trim();
    const domainId = String(input.domain_id);
    await this.deps.resource.getDomain(domainId);
    await this.assertDefaultProjectNotDomain(input.default_project_id);
    const user = await this.driver.createUser({
      id: newId(),
      name,
      domain_id: domainId,
      enabled: toBoolean(input.enabled, true),
      default_project_id: input.default_project_id ?? null,
      options: mergeOptions({}, input.options),
      extra: extraAttributes(input, USER_ATTRS),
      ...('password' in input ? { password: input.password ?? null } : {}),
      ...(opts.machineSecret ? { passwordIsMachineSecret: true } : {}),
    });
    this.deps.audit.created('user', user.id);
    return user;
  }

  async updateUser(userId: string, changes: UserInput, opts: { machineSecret?: boolean } = {}): Promise<UserRecord> {
    const original = await this.getUser(userId);
    if ('domain_id' in changes && changes.domain_id !== original.domain_id) throw new ValidationError('Cannot change Domain ID');
    if ('id' in changes && changes.id !== userId) throw new ValidationError('Cannot change user ID');
    if ('password' in changes) this.validatePassword(changes.password);
    await this.assertDefaultProjectNotDomain(changes.default_project_id);
    const update: UserUpdate = {
      options: mergeOptions(original.options, changes.options),
      extra: extraAttributes(changes, USER_ATTRS),
    };
    if ('name' in changes) update.name = String(changes.name).trim();
    if ('enabled' in changes) update.enabled = toBoolean(changes.enabled, true);
    if ('default_project_id' in changes) update.default_project_id = changes.default_project_id ?? null;
    if ('password' in changes) update.password = changes.password ?? null;
    if (opts.machineSecret) update.passwordIsMachineSecret = true;
    const user = await this.driver.updateUser(userId, update);
    this.deps.audit.updated('user', userId);
    if (original.enabled && update.enabled === false) await this.deps.events.emit('user.disabled', { userId });
    if (changes.password !== undefined && changes.password !== null) await this.deps.events.emit('user.password_changed', { userId });
    return user;
  }

  /** Deletes a user; the callbacks of `user.deleted` remove its assignments, credentials, trusts... */
  async deleteUser(userId: string): Promise<void> {
    await this.getUser(userId);
    await this.driver.deleteUser(userId);
    this.deps.audit.deleted('user', userId);
    await this.deps.events.emit('user.deleted', { userId });
  }

  private async deleteUsersInDomain(domainId: string): Promise<void> {
    for (const u of await this.driver.listUsers(new Hints().add('domain_id', domainId))) await this.deleteUser(u.id);
  }

  /**
   * Password authentication by the driver: lockout, password, enabled, expiry. Throws
   * Unauthorized, AccountLocked, UserDisabled or PasswordExpired.
   */
  authenticate(userId: string, password: string, opts: { allowExpired?: boolean } = {}): Promise<UserRecord> {
    return this.driver.authenticate(userId, password, opts);
  }

  /**
   * Whether `password` is the user's current password (no lockout accounting). Used by
   * bootstrap, which remembers a match so the next start skips the hash verification.
   */
  passwordMatches(userId: string, password: string): Promise<boolean> {
    return this.driver.passwordMatches(userId, password);
  }

  /**
   * Record that `password` is the user's current password without verifying it (bootstrap just
   * set it), so the next start's passwordMatches() costs no hash verification.
   */
  async rememberPassword(userId: string, password: string): Promise<void> {
    await this.driver.rememberPassword?.(userId, password);
  }

  /**
   * Self-service password change (POST /v3/users/{id}/password): the original password must
   * authenticate (an expired one is accepted), then the driver's rules for a new password apply.
   */
  async changePassword(userId: string, originalPassword: string, newPassword: string): Promise<void> {
    await this.authenticate(userId, originalPassword, { allowExpired: true });
    await this.driver.changePassword(userId, newPassword);
    this.deps.audit.updated('user', userId);
    await this.deps.events.emit('user.password_changed', { userId });
  }

  // Groups

  findGroup(groupId: string): Promise<GroupRecord | undefined> {
    return this.driver.getGroup(groupId);
  }

  async getGroup(groupId: string): Promise<GroupRecord> {
    const g = await this.driver.getGroup(groupId);
    if (!g) throw new GroupNotFound(groupId);
    return g;
  }

  async getGroupByName(name: string, domainId: string): Promise<GroupRecord> {
    const g = await this.driver.getGroupByName(name, domainId);
    if (!g) throw new GroupNotFound(name);
    return g;
  }

  listGroups(hints: Hints = new Hints()): Promise<GroupRecord[]> {
    return this.driver.listGroups(hints);
  }

  /** The groups of a user, each with when the membership expires. */
  async listGroupsForUser(userId: string, hints: Hints = new Hints()): Promise<GroupMembership[]> {
    await this.getUser(userId);
    return this.driver.listGroupsForUser(userId, hints);
  }

  /** Ids of the groups a user belongs to (for effective role assignments). */
  async groupIdsForUser(userId: string): Promise<string[]> {
    return (await this.driver.listGroupsForUser(userId, new Hints())).map((g) => g.id);
  }

  async createGroup(input: GroupInput): Promise<GroupRecord> {
    const domainId = String(input.domain_id);
    await this.deps.resource.getDomain(domainId);
    const name = String(input.name ?? '').trim();
    checkLength(name, 64);
    const group = await this.driver.createGroup({
      id: newId(), domain_id: domainId, name, description: input.description ?? '', extra: extraAttributes(input, GROUP_ATTRS),
    });
    this.deps.audit.created('group', group.id);
    return group;
  }

  async updateGroup(groupId: string, changes: GroupInput): Promise<GroupRecord> {
    const original = await this.getGroup(groupId);
    if ('domain_id' in changes && changes.domain_id !== original.domain_id) throw new ValidationError('Cannot change Domain ID');
    if ('id' in changes && changes.id !== groupId) throw new ValidationError('Cannot change ID');
    const name = 'name' in changes ? String(changes.name).trim() : original.name;
    checkLength(name, 64);
    const group = await this.driver.updateGroup(groupId, {
      name,
      description: 'description' in changes ? (changes.description ?? null) : original.description,
      extra: { ...extraAttributes(original, GROUP_ATTRS), ...extraAttributes(changes, GROUP_ATTRS) },
    });
    this.deps.audit.updated('group', groupId);
    return group;
  }

  /**
   * Deletes a group with its memberships; the callbacks of `group.deleted` remove its role
   * assignments (and revoke its members' tokens when it had any).
   */
  async deleteGroup(groupId: string): Promise<void> {
    await this.getGroup(groupId);
    const memberIds = await this.listUserIdsInGroup(groupId);
    await this.driver.deleteGroup(groupId);
    this.deps.audit.deleted('group', groupId);
    await this.deps.events.emit('group.deleted', { groupId, memberIds });
  }

  private async deleteGroupsInDomain(domainId: string): Promise<void> {
    for (const g of await this.driver.listGroups(new Hints().add('domain_id', domainId))) await this.deleteGroup(g.id);
  }

  async addUserToGroup(userId: string, groupId: string): Promise<void> {
    await this.getGroup(groupId);
    await this.getUser(userId);
    await this.driver.addUserToGroup(userId, groupId);
    this.deps.audit.addedTo('group', groupId, 'user', userId);
  }

  private notInGroup(userId: string, groupId: string): NotFound {
    return new NotFound(`User '${userId}' not found in group '${groupId}'`);
  }

  async checkUserInGroup(userId: string, groupId: string): Promise<void> {
    await this.getGroup(groupId);
    await this.getUser(userId);
    if (!(await this.driver.checkUserInGroup(userId, groupId))) throw this.notInGroup(userId, groupId);
  }

  async removeUserFromGroup(userId: string, groupId: string): Promise<void> {
    if (!(await this.driver.removeUserFromGroup(userId, groupId))) {
      await this.getGroup(groupId);
      await this.getUser(userId);
      throw this.notInGroup(userId, groupId);
    }
    this.deps.audit.removedFrom('group', groupId, 'user', userId);
    await this.deps.events.emit('user.removed_from_group', { userId, groupId });
  }
}
