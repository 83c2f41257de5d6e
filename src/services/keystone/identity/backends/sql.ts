/**
 * The SQL identity driver (keystone/identity/backends/sql.py): users in `identity_user`, their
 * password history in `password` (hashed here, with password-hashing.ts), groups and
 * memberships. As upstream's SQL driver, it applies the [security_compliance] rules that live
 * on the stored password state (sql-compliance.ts). Password hashes never leave this module.
 */
import type { Kysely } from 'kysely';
import { Unauthorized } from '../../../../common/errors.js';
import { isUniqueViolation } from '../../../../common/db/index.js';
import { ownValue } from '../../../../common/own.js';
import type { Logger } from '../../../../common/log/logger.js';
import type { IdentityOptions, SecurityComplianceOptions } from '../../config.js';
import {
  AccountLocked, duplicateEntry, InvalidOperatorError, KeystoneConflict, PasswordAgeValidationError, PasswordExpired,
  PasswordHistoryValidationError, PasswordSelfServiceDisabled, UserDisabled, UserNotFound, ValidationTimeStampError,
} from '../../errors.js';
import type { GroupRow, KeystoneDB, PasswordRow, UserRow, UserUpdate as UserRowUpdate } from '../../db/schema.js';
import { bool, jsonText, keystoneTime, newId, nowIso, num, parseJsonObject } from '../../db/rows.js';
import { applyHints, type Hints } from '../../lib/hints.js';
import type { PasswordCheckCache } from '../password-check-cache.js';
import { checkPassword, hashOptionsFrom, hashPassword, machineSecretHashOptions, type HashOptions } from '../password-hashing.js';
import { validatePassword } from '../password-policy.js';
import type {
  GroupCreate, GroupMembership, GroupRecord, GroupUpdate, IdentityDriver, UserCreate, UserRecord, UserUpdate,
} from './base.js';
import { effectiveEnabled, expiryFor, isLocked, lockoutExpired, minimumAgeDaysLeft, passwordExpired } from './sql-compliance.js';

const OPERATORS: Record<string, (a: string, b: string) => boolean> = {
  lt: (a, b) => a < b, gt: (a, b) => a > b, eq: (a, b) => a === b, lte: (a, b) => a <= b, gte: (a, b) => a >= b, neq: (a, b) => a !== b,
};

interface Loaded {
  row: UserRow;
  password: PasswordRow | undefined;
}

function groupRecord(row: GroupRow): GroupRecord {
  return { ...parseJsonObject(row.extra), id: row.id, name: row.name, domain_id: row.domain_id, description: row.description ?? '' };
}

export interface SqlIdentityDriverOptions {
  identity: IdentityOptions;
  compliance: SecurityComplianceOptions;
  log: Logger;
  /** Remembers bootstrap passwords that matched (the data directory's keystone-password-check.json). */
  checkCache?: PasswordCheckCache | undefined;
}

export class SqlIdentityDriver implements IdentityDriver {
  private readonly hashOptions: HashOptions;

  constructor(private readonly db: Kysely<KeystoneDB>, private readonly opts: SqlIdentityDriverOptions) {
    this.hashOptions = hashOptionsFrom(opts.identity);
  }

  private get compliance() { return this.opts.compliance; }

  private async currentPasswords(userIds: string[]): Promise<Map<string, PasswordRow>> {
    const out = new Map<string, PasswordRow>();
    if (userIds.length === 0) return out;
    const rows = await this.db.selectFrom('password').selectAll().where('user_id', 'in', userIds).orderBy('seq').execute();
    for (const r of rows) out.set(r.user_id, r);
    return out;
  }

  private toRecord({ row, password }: Loaded): UserRecord {
    const options = parseJsonObject(row.options);
    const rec: UserRecord = {
      ...parseJsonObject(row.extra),
      id: row.id,
      name: row.name,
      domain_id: row.domain_id,
      enabled: effectiveEnabled(this.compliance, row, options),
      password_expires_at: keystoneTime(password?.expires_at ?? null),
      options,
    };
    if (row.default_project_id) rec.default_project_id = row.default_project_id;
    return rec;
  }

  private async load(userId: string): Promise<Loaded | undefined> {
    const row = await this.db.selectFrom('identity_user').selectAll().where('id', '=', userId).executeTakeFirst();
    // MariaDB compares ids case-insensitively.
    if (!row || row.id !== userId) return undefined;
    return { row, password: (await this.currentPasswords([userId])).get(userId) };
  }

  private async loadOrThrow(userId: string): Promise<Loaded> {
    const loaded = await this.load(userId);
    if (!loaded) throw new UserNotFound(userId);
    return loaded;
  }

  async getUser(userId: string): Promise<UserRecord | undefined> {
    const l = await this.load(userId);
    return l ? this.toRecord(l) : undefined;
  }

  async getUserByName(name: string, domainId: string): Promise<UserRecord | undefined> {
    const row = await this.db.selectFrom('identity_user').selectAll().where('name', '=', name).where('domain_id', '=', domainId).executeTakeFirst();
    if (!row) return undefined;
    return this.toRecord({ row, password: (await this.currentPasswords([row.id])).get(row.id) });
  }

  /** Turns rows into records, applying a password_expires_at filter ("lt:2016-12-08T22:02:00Z"). */
  private async recordsFor(rows: UserRow[], hints: Hints): Promise<UserRecord[]> {
    const passwords = await this.currentPasswords(rows.map((r) => r.id));
    const expiry = hints.take('password_expires_at');
    let filtered = rows;
    if (expiry !== undefined) {
      const [op, stamp] = expiry.slice(2, 4).includes(':') ? [expiry.slice(0, expiry.indexOf(':')), expiry.slice(expiry.indexOf(':') + 1)] : ['eq', expiry];
      const when = Date.parse(stamp!.endsWith('Z') || /[+-]\d\d:?\d\d$/.test(stamp!) ? stamp! : `${stamp}Z`);
      if (Number.isNaN(when)) throw new ValidationTimeStampError();
      const cmp = ownValue(OPERATORS, op!);
      if (!cmp) throw new InvalidOperatorError(op!);
      const at = new Date(when).toISOString();
      filtered = rows.filter((r) => {
        const exp = passwords.get(r.id)?.expires_at;
        return exp ? cmp(new Date(exp).toISOString(), at) : false;
      });
    }
    return filtered.map((row) => this.toRecord({ row, password: passwords.get(row.id) }));
  }

  /** domain_id and name in SQL, password_expires_at and the inexact filters in memory. */
  async listUsers(hints: Hints): Promise<UserRecord[]> {
    let q = this.db.selectFrom('identity_user').selectAll();
    const domainId = hints.take('domain_id');
    if (domainId !== undefined) q = q.where('domain_id', '=', domainId);
    const name = hints.take('name');
    if (name !== undefined) q = q.where('name', '=', name);
    for (const fed of ['idp_id', 'protocol_id', 'unique_id']) {
      // No federated users exist here: a filter on federation attributes matches nothing.
      if (hints.take(fed) !== undefined) return [];
    }
    const refs = await this.recordsFor(await q.orderBy('id').execute(), hints);
    return applyHints(refs, hints);
  }

  async listUsersInGroup(groupId: string, hints: Hints): Promise<UserRecord[]> {
    const rows = await this.db.selectFrom('identity_user').innerJoin('user_group_membership', 'user_group_membership.user_id', 'identity_user.id')
      .selectAll('identity_user').where('user_group_membership.group_id', '=', groupId).orderBy('identity_user.id').execute();
    return applyHints(await this.recordsFor(rows, hints), hints);
  }

  /**
   * Adds a password as the user's current one, expiring the older ones and keeping
   * unique_last_password_count of history.
   */
  private async setPassword(userId: string, password: string | null, expiresAt: string | null, selfService: boolean, now: string, machineSecret = false): Promise<void> {
    const hash = password === null ? null : await hashPassword(password, machineSecret ? machineSecretHashOptions(this.hashOptions) : this.hashOptions);
    await this.db.transaction().execute(async (trx) => {
      const old = await trx.selectFrom('password').selectAll().where('user_id', '=', userId).orderBy('seq').execute();
      const keep = Math.max(this.compliance.unique_last_password_count, 1);
      const drop = old.slice(0, Math.max(0, old.length - keep));
      if (drop.length > 0) await trx.deleteFrom('password').where('id', 'in', drop.map((p) => p.id)).execute();
      await trx.updateTable('password').set({ expires_at: now }).where('user_id', '=', userId)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)])).execute();
      const seq = old.length > 0 ? num(old[old.length - 1]!.seq) + 1 : 1;
      await trx.insertInto('password').values({
        id: newId(), user_id: userId, seq, password_hash: hash, created_at: now, expires_at: expiresAt, self_service: selfService,
      }).execute();
    });
  }

  async createUser(user: UserCreate): Promise<UserRecord> {
    const now = nowIso();
    try {
      await this.db.insertInto('identity_user').values({
        id: user.id, domain_id: user.domain_id, name: user.name, enabled: user.enabled,
        default_project_id: user.default_project_id,
        extra: jsonText(user.extra), options: jsonText(user.options), created_at: now,
        last_active_at: this.compliance.disable_user_account_days_inactive ? now : null,
        failed_auth_count: 0, failed_auth_at: null,
      }).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw new KeystoneConflict('user', duplicateEntry('name', user.name, user.domain_id));
      throw err;
    }
    if (user.password !== undefined) {
      await this.setPassword(user.id, user.password, expiryFor(this.compliance, now, user.options, true), false, now, user.passwordIsMachineSecret);
    }
    return this.toRecord(await this.loadOrThrow(user.id));
  }

  async updateUser(userId: string, update: UserUpdate): Promise<UserRecord> {
    const { row } = await this.loadOrThrow(userId);
    const enabled = update.enabled ?? bool(row.enabled);
    const options = update.options ?? parseJsonObject(row.options);
    const name = update.name ?? row.name;
    const now = nowIso();
    const set: UserRowUpdate = {
      name,
      enabled,
      options: jsonText(options),
      extra: jsonText({ ...parseJsonObject(row.extra), ...update.extra }),
    };
    if (update.default_project_id !== undefined) set.default_project_id = update.default_project_id;
    // Enabling a user forgives its failed attempts and its inactivity.
    if (enabled && this.compliance.disable_user_account_days_inactive) set.last_active_at = now;
    if (enabled) { set.failed_auth_count = 0; set.failed_auth_at = null; }
    try {
      await this.db.updateTable('identity_user').set(set).where('id', '=', userId).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw new KeystoneConflict('user', duplicateEntry('name', name, row.domain_id));
      throw err;
    }
    if (update.password !== undefined) {
      await this.setPassword(userId, update.password, expiryFor(this.compliance, now, options, true), false, now, update.passwordIsMachineSecret);
    }
    return this.toRecord(await this.loadOrThrow(userId));
  }

  async deleteUser(userId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('user_group_membership').where('user_id', '=', userId).execute();
      await trx.deleteFrom('password').where('user_id', '=', userId).execute();
      await trx.deleteFrom('identity_user').where('id', '=', userId).execute();
    });
  }

  async unsetDefaultProjectId(projectId: string): Promise<void> {
    await this.db.updateTable('identity_user').set({ default_project_id: null }).where('default_project_id', '=', projectId).execute();
  }

  /**
   * Password authentication: lockout, password, enabled, expiry, in that order. A failure
   * counts towards the lockout; success resets the count (and marks the user active).
   */
  async authenticate(userId: string, password: string, opts: { allowExpired?: boolean } = {}): Promise<UserRecord> {
    const loaded = await this.load(userId);
    if (!loaded) throw new Unauthorized();
    const { row, password: current } = loaded;
    const options = parseJsonObject(row.options);
    if (isLocked(this.compliance, row, options)) throw new AccountLocked(userId);
    if (lockoutExpired(this.compliance, row)) {
      // The lockout expired: start counting again (upstream's _reset_failed_auth).
      await this.db.updateTable('identity_user').set({ failed_auth_count: 0, failed_auth_at: null }).where('id', '=', userId).execute();
      row.failed_auth_count = 0;
    }
    if (!(await this.checkCurrentPassword(userId, password, current?.password_hash ?? null))) {
      await this.db.updateTable('identity_user').set((eb) => ({ failed_auth_count: eb('failed_auth_count', '+', 1), failed_auth_at: nowIso() }))
        .where('id', '=', userId).execute();
      throw new Unauthorized();
    }
    if (!bool(row.enabled) || !effectiveEnabled(this.compliance, row, options)) throw new UserDisabled(userId);
    if (!opts.allowExpired && passwordExpired(current, options)) throw new PasswordExpired(userId);
    const set: UserRowUpdate = {};
    if (num(row.failed_auth_count) > 0) { set.failed_auth_count = 0; set.failed_auth_at = null; }
    if (this.compliance.disable_user_account_days_inactive) set.last_active_at = nowIso();
    if (Object.keys(set).length > 0) await this.db.updateTable('identity_user').set(set).where('id', '=', userId).execute();
    return this.toRecord(loaded);
  }

  /**
   * The password against the user's current hash. The check cache only holds the bootstrap
   * users (admin and service users, whose passwords secrets.conf keeps in clear beside it), so
   * their token requests (every service session, every CLI command of the admin) skip bcrypt;
   * any other user, or a changed hash or password, pays the full verification.
   */
  private async checkCurrentPassword(userId: string, password: string, hash: string | null): Promise<boolean> {
    if (hash && this.opts.checkCache?.matches(userId, hash, password)) return true;
    return checkPassword(password, hash, this.hashOptions);
  }

  async passwordMatches(userId: string, password: string): Promise<boolean> {
    const hash = (await this.load(userId))?.password?.password_hash;
    if (!hash) return false;
    if (this.opts.checkCache?.matches(userId, hash, password)) return true;
    const ok = await checkPassword(password, hash, this.hashOptions);
    if (ok) this.opts.checkCache?.remember(userId, hash, password);
    return ok;
  }

  async rememberPassword(userId: string, password: string): Promise<void> {
    const hash = (await this.load(userId))?.password?.password_hash;
    if (hash) this.opts.checkCache?.remember(userId, hash, password);
  }

  /** lock_password, minimum age, password_regex and history, in that order, then the new password. */
  async changePassword(userId: string, newPassword: string): Promise<void> {
    const { row, password: current } = await this.loadOrThrow(userId);
    const options = parseJsonObject(row.options);
    if (options.lock_password === true) throw new PasswordSelfServiceDisabled();
    const daysLeft = minimumAgeDaysLeft(this.compliance, current);
    if (daysLeft !== undefined) throw new PasswordAgeValidationError(this.compliance.minimum_password_age, daysLeft);
    validatePassword(newPassword, this.compliance, this.opts.log);
    const unique = this.compliance.unique_last_password_count;
    if (unique > 0) {
      const history = await this.db.selectFrom('password').selectAll().where('user_id', '=', userId).orderBy('seq', 'desc').limit(unique).execute();
      for (const p of history) {
        if (await checkPassword(newPassword, p.password_hash, this.hashOptions)) throw new PasswordHistoryValidationError(unique);
      }
    }
    const now = nowIso();
    await this.setPassword(userId, newPassword, expiryFor(this.compliance, now, options, false), true, now);
  }

  // Groups

  async getGroup(groupId: string): Promise<GroupRecord | undefined> {
    const row = await this.db.selectFrom('identity_group').selectAll().where('id', '=', groupId).executeTakeFirst();
    return row && row.id === groupId ? groupRecord(row) : undefined;
  }

  async getGroupByName(name: string, domainId: string): Promise<GroupRecord | undefined> {
    const row = await this.db.selectFrom('identity_group').selectAll().where('name', '=', name).where('domain_id', '=', domainId).executeTakeFirst();
    return row ? groupRecord(row) : undefined;
  }

  async listGroups(hints: Hints): Promise<GroupRecord[]> {
    let q = this.db.selectFrom('identity_group').selectAll();
    const domainId = hints.take('domain_id');
    if (domainId !== undefined) q = q.where('domain_id', '=', domainId);
    const name = hints.take('name');
    if (name !== undefined) q = q.where('name', '=', name);
    return applyHints((await q.orderBy('id').execute()).map(groupRecord), hints);
  }

  /** Memberships here never expire (no federated group memberships). */
  async listGroupsForUser(userId: string, hints: Hints): Promise<GroupMembership[]> {
    const rows = await this.db.selectFrom('identity_group').innerJoin('user_group_membership', 'user_group_membership.group_id', 'identity_group.id')
      .selectAll('identity_group').where('user_group_membership.user_id', '=', userId).orderBy('identity_group.id').execute();
    return applyHints(rows.map((r) => ({ ...groupRecord(r), membership_expires_at: null })), hints);
  }

  async createGroup(g: GroupCreate): Promise<GroupRecord> {
    try {
      await this.db.insertInto('identity_group').values({
        id: g.id, domain_id: g.domain_id, name: g.name, description: g.description, extra: jsonText(g.extra),
      }).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw new KeystoneConflict('group', duplicateEntry('name', g.name, g.domain_id));
      throw err;
    }
    return (await this.getGroup(g.id))!;
  }

  async updateGroup(groupId: string, u: GroupUpdate): Promise<GroupRecord> {
    try {
      await this.db.updateTable('identity_group').set({ name: u.name, description: u.description, extra: jsonText(u.extra) })
        .where('id', '=', groupId).execute();
    } catch (err) {
      if (isUniqueViolation(err)) {
        const domainId = (await this.getGroup(groupId))?.domain_id;
        throw new KeystoneConflict('group', duplicateEntry('name', u.name, domainId));
      }
      throw err;
    }
    return (await this.getGroup(groupId))!;
  }

  async deleteGroup(groupId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('user_group_membership').where('group_id', '=', groupId).execute();
      await trx.deleteFrom('identity_group').where('id', '=', groupId).execute();
    });
  }

  async addUserToGroup(userId: string, groupId: string): Promise<void> {
    try {
      await this.db.insertInto('user_group_membership').values({ user_id: userId, group_id: groupId }).execute();
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
  }

  async checkUserInGroup(userId: string, groupId: string): Promise<boolean> {
    const row = await this.db.selectFrom('user_group_membership').select('user_id')
      .where('user_id', '=', userId).where('group_id', '=', groupId).executeTakeFirst();
    return row !== undefined;
  }

  async removeUserFromGroup(userId: string, groupId: string): Promise<boolean> {
    const res = await this.db.deleteFrom('user_group_membership').where('user_id', '=', userId).where('group_id', '=', groupId).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }
}
