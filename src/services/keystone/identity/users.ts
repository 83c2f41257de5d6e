/**
 * Users and their passwords (keystone/identity/core.py and backends/sql.py), with the
 * [security_compliance] rules: password regex, history, minimum age, expiry,
 * change-on-first-use, lockout after failed attempts, and disabling inactive users.
 * Password hashes never leave this module.
 */
import { Unauthorized } from '../../../common/errors.js';
import { isUniqueViolation } from '../../../common/db/index.js';
import { ownValue } from '../../../common/own.js';
import {
  AccountLocked, checkLength, duplicateEntry, InvalidOperatorError, KeystoneConflict, PasswordAgeValidationError, PasswordExpired,
  PasswordHistoryValidationError, PasswordRequirementsValidationError, PasswordSelfServiceDisabled, PasswordValidationError,
  UserDisabled, UserNotFound, ValidationError, ValidationTimeStampError,
} from '../errors.js';
import type { PasswordRow, UserRow, UserUpdate } from '../db/schema.js';
import { addSeconds, bool, jsonText, keystoneTime, newId, nowIso, num, parseJsonObject } from '../db/rows.js';
import { applyHints, Hints } from '../lib/hints.js';
import { mergeOptions } from '../lib/resource-options.js';
import type { ManagerContext } from '../manager-context.js';
import type { PasswordCheckCache } from './password-check-cache.js';
import { checkPassword, hashPassword, type HashOptions } from './password-hashing.js';
import { toBoolean } from '../resource/resource.js';

export interface UserRecord {
  id: string;
  name: string;
  domain_id: string;
  enabled: boolean;
  /** Keystone time format, or null. */
  password_expires_at: string | null;
  options: Record<string, unknown>;
  default_project_id?: string;
  [extra: string]: unknown;
}

const USER_ATTRS = new Set(['id', 'name', 'domain_id', 'enabled', 'default_project_id', 'password', 'options', 'password_expires_at', 'federated']);
const DAY = 86400;
const OPERATORS: Record<string, (a: string, b: string) => boolean> = {
  lt: (a, b) => a < b, gt: (a, b) => a > b, eq: (a, b) => a === b, lte: (a, b) => a <= b, gte: (a, b) => a >= b, neq: (a, b) => a !== b,
};

interface Loaded {
  row: UserRow;
  password: PasswordRow | undefined;
}

export class UserManager {
  constructor(private readonly ctx: ManagerContext, private readonly checkCache?: PasswordCheckCache) {}

  private get db() { return this.ctx.db; }
  private get compliance() { return this.ctx.config.securityCompliance; }

  hashOptions(): HashOptions {
    const i = this.ctx.config.identity;
    return {
      algorithm: i.password_hash_algorithm,
      rounds: i.password_hash_rounds,
      saltBytes: i.salt_bytesize,
      scryptBlockSize: i.scrypt_block_size,
      scryptParallelism: i.scrypt_parallelism,
      maxPasswordLength: i.max_password_length,
    };
  }

  private async currentPasswords(userIds: string[]): Promise<Map<string, PasswordRow>> {
    const out = new Map<string, PasswordRow>();
    if (userIds.length === 0) return out;
    const rows = await this.db.selectFrom('password').selectAll().where('user_id', 'in', userIds).orderBy('seq').execute();
    for (const r of rows) out.set(r.user_id, r);
    return out;
  }

  /** Upstream's User.enabled: disabled after disable_user_account_days_inactive days without use. */
  private effectiveEnabled(row: UserRow, options: Record<string, unknown>): boolean {
    if (!bool(row.enabled)) return false;
    const maxDays = this.compliance.disable_user_account_days_inactive;
    if (!maxDays || options.ignore_user_inactivity === true) return true;
    const last = row.last_active_at ?? row.created_at;
    const days = Math.floor((Date.now() - Date.parse(last.slice(0, 10))) / (DAY * 1000));
    return days < maxDays;
  }

  private toRecord({ row, password }: Loaded): UserRecord {
    const options = parseJsonObject(row.options);
    const rec: UserRecord = {
      ...parseJsonObject(row.extra),
      id: row.id,
      name: row.name,
      domain_id: row.domain_id,
      enabled: this.effectiveEnabled(row, options),
      password_expires_at: keystoneTime(password?.expires_at ?? null),
      options,
    };
    if (row.default_project_id) rec.default_project_id = row.default_project_id;
    return rec;
  }

  private async load(userId: string): Promise<Loaded | undefined> {
    const row = await this.db.selectFrom('identity_user').selectAll().where('id', '=', userId).executeTakeFirst();
    if (!row || row.id !== userId) return undefined;
    return { row, password: (await this.currentPasswords([userId])).get(userId) };
  }

  private async loadOrThrow(userId: string): Promise<Loaded> {
    const loaded = await this.load(userId);
    if (!loaded) throw new UserNotFound(userId);
    return loaded;
  }

  async findUser(userId: string): Promise<UserRecord | undefined> {
    const l = await this.load(userId);
    return l ? this.toRecord(l) : undefined;
  }

  async getUser(userId: string): Promise<UserRecord> {
    return this.toRecord(await this.loadOrThrow(userId));
  }

  async findUserByName(name: string, domainId: string): Promise<UserRecord | undefined> {
    const row = await this.db.selectFrom('identity_user').selectAll().where('name', '=', name).where('domain_id', '=', domainId).executeTakeFirst();
    if (!row) return undefined;
    return this.toRecord({ row, password: (await this.currentPasswords([row.id])).get(row.id) });
  }

  async getUserByName(name: string, domainId: string): Promise<UserRecord> {
    const u = await this.findUserByName(name, domainId);
    if (!u) throw new UserNotFound(name);
    return u;
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

  /** Users matching the hints (domain_id, name, enabled, password_expires_at, and inexact filters). */
  async listUsers(hints: Hints = new Hints()): Promise<UserRecord[]> {
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

  async listUsersInGroup(groupId: string, hints: Hints = new Hints()): Promise<UserRecord[]> {
    await this.ctx.managers.groups.getGroup(groupId);
    const rows = await this.db.selectFrom('identity_user').innerJoin('user_group_membership', 'user_group_membership.user_id', 'identity_user.id')
      .selectAll('identity_user').where('user_group_membership.group_id', '=', groupId).orderBy('identity_user.id').execute();
    return applyHints(await this.recordsFor(rows, hints), hints);
  }

  /** password_regex (re.match semantics: anchored at the start). */
  validatePassword(password: unknown): void {
    const pattern = this.compliance.password_regex;
    if (!pattern) return;
    if (typeof password !== 'string') throw new PasswordValidationError('Password must be a string type');
    let re: RegExp;
    try {
      re = new RegExp(`^(?:${pattern})`, 'u');
    } catch {
      this.ctx.log.error({ pattern }, 'Unable to validate password due to invalid regular expression - password_regex');
      throw new PasswordValidationError('Unable to validate password due to invalid configuration');
    }
    if (!re.test(password)) throw new PasswordRequirementsValidationError(this.compliance.password_regex_description);
  }

  private async assertDefaultProjectNotDomain(projectId: unknown): Promise<void> {
    checkLength(projectId, 64);
    if (typeof projectId !== 'string' || !projectId) return;
    const p = await this.ctx.managers.resource.findProject(projectId);
    if (p?.is_domain) throw new ValidationError(`User's default project ID cannot be a domain ID: ${projectId}`);
  }

  /** When a new password expires: now if it must be changed first, or after password_expires_days. */
  private expiryFor(now: string, options: Record<string, unknown>, adminSet: boolean): string | null {
    if (adminSet && this.compliance.change_password_upon_first_use && options.ignore_change_password_upon_first_use !== true) return now;
    if (options.ignore_password_expiry === true || !this.compliance.password_expires_days) return null;
    return addSeconds(now, this.compliance.password_expires_days * DAY).replace(/\.\d{3}Z$/, '.000Z');
  }

  /**
   * Adds a password as the user's current one, expiring the older ones and keeping
   * unique_last_password_count of history.
   */
  private async setPassword(userId: string, password: string | null, expiresAt: string | null, selfService: boolean, now: string): Promise<void> {
    const hash = password === null ? null : await hashPassword(password, this.hashOptions());
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

  async createUser(input: Record<string, unknown>): Promise<UserRecord> {
    if ('password' in input) this.validatePassword(input.password);
    const name = String(input.name ?? '').trim();
    const domainId = String(input.domain_id);
    await this.ctx.managers.resource.getDomain(domainId);
    await this.assertDefaultProjectNotDomain(input.default_project_id);
    const id = newId();
    const now = nowIso();
    const options = mergeOptions({}, input.options as Record<string, unknown> | undefined);
    const extra = Object.fromEntries(Object.entries(input).filter(([k]) => !USER_ATTRS.has(k)));
    try {
      await this.db.insertInto('identity_user').values({
        id, domain_id: domainId, name, enabled: toBoolean(input.enabled, true),
        default_project_id: (input.default_project_id as string | null | undefined) ?? null,
        extra: jsonText(extra), options: jsonText(options), created_at: now,
        last_active_at: this.compliance.disable_user_account_days_inactive ? now : null,
        failed_auth_count: 0, failed_auth_at: null,
      }).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw new KeystoneConflict('user', duplicateEntry('name', name, domainId));
      throw err;
    }
    if ('password' in input) {
      await this.setPassword(id, (input.password as string | null) ?? null, this.expiryFor(now, options, true), false, now);
    }
    this.ctx.audit.created('user', id);
    return this.getUser(id);
  }

  async updateUser(userId: string, changes: Record<string, unknown>): Promise<UserRecord> {
    const { row } = await this.loadOrThrow(userId);
    if ('domain_id' in changes && changes.domain_id !== row.domain_id) throw new ValidationError('Cannot change Domain ID');
    if ('id' in changes && changes.id !== userId) throw new ValidationError('Cannot change user ID');
    if ('password' in changes) this.validatePassword(changes.password);
    await this.assertDefaultProjectNotDomain(changes.default_project_id);
    const wasEnabled = bool(row.enabled);
    const enabled = 'enabled' in changes ? toBoolean(changes.enabled, true) : wasEnabled;
    const options = mergeOptions(parseJsonObject(row.options), changes.options as Record<string, unknown> | undefined);
    const extraChanges = Object.fromEntries(Object.entries(changes).filter(([k]) => !USER_ATTRS.has(k)));
    const name = 'name' in changes ? String(changes.name).trim() : row.name;
    const now = nowIso();
    const set: UserUpdate = {
      name,
      enabled,
      options: jsonText(options),
      extra: jsonText({ ...parseJsonObject(row.extra), ...extraChanges }),
    };
    if ('default_project_id' in changes) set.default_project_id = (changes.default_project_id as string | null) ?? null;
    if (enabled && this.compliance.disable_user_account_days_inactive) set.last_active_at = now;
    if (enabled) { set.failed_auth_count = 0; set.failed_auth_at = null; }
    try {
      await this.db.updateTable('identity_user').set(set).where('id', '=', userId).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw new KeystoneConflict('user', duplicateEntry('name', name, row.domain_id));
      throw err;
    }
    if ('password' in changes) {
      await this.setPassword(userId, (changes.password as string | null) ?? null, this.expiryFor(now, options, true), false, now);
    }
    this.ctx.audit.updated('user', userId);
    if (wasEnabled && !enabled) await this.ctx.events.emit('user.disabled', { userId });
    if (changes.password !== undefined && changes.password !== null) await this.ctx.events.emit('user.password_changed', { userId });
    return this.getUser(userId);
  }

  async deleteUser(userId: string): Promise<void> {
    await this.loadOrThrow(userId);
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('user_group_membership').where('user_id', '=', userId).execute();
      await trx.deleteFrom('password').where('user_id', '=', userId).execute();
      await trx.deleteFrom('identity_user').where('id', '=', userId).execute();
    });
    await this.ctx.managers.assignments.deleteUserAssignments(userId);
    await this.ctx.managers.credentials.deleteCredentialsForUser(userId);
    this.ctx.audit.deleted('user', userId);
    await this.ctx.events.emit('user.deleted', { userId });
  }

  async deleteUsersInDomain(domainId: string): Promise<void> {
    const rows = await this.db.selectFrom('identity_user').select('id').where('domain_id', '=', domainId).execute();
    for (const r of rows) await this.deleteUser(r.id);
  }

  /** A deleted project is nobody's default project any more. */
  async unsetDefaultProject(projectId: string): Promise<void> {
    await this.db.updateTable('identity_user').set({ default_project_id: null }).where('default_project_id', '=', projectId).execute();
  }

  private isLocked(row: UserRow, options: Record<string, unknown>): boolean {
    if (options.ignore_lockout_failure_attempts === true) return false;
    const max = this.compliance.lockout_failure_attempts;
    if (!max || num(row.failed_auth_count) < max) return false;
    const duration = this.compliance.lockout_duration;
    if (!duration) return true;
    return row.failed_auth_at !== null && Date.parse(row.failed_auth_at) + duration * 1000 > Date.now();
  }

  private passwordExpired(password: PasswordRow | undefined, options: Record<string, unknown>): boolean {
    if (!password?.expires_at || options.ignore_password_expiry === true) return false;
    return Date.now() >= Date.parse(password.expires_at);
  }

  /**
   * Password authentication (upstream's driver.authenticate): lockout, password, enabled,
   * expiry, in that order. A failure counts towards the lockout; success resets the count.
   * Throws Unauthorized ("Invalid user / password" is not shown, as upstream hides it).
   */
  async authenticate(userId: string, password: string, opts: { allowExpired?: boolean } = {}): Promise<UserRecord> {
    const loaded = await this.load(userId);
    if (!loaded) throw new Unauthorized();
    const { row, password: current } = loaded;
    const options = parseJsonObject(row.options);
    if (this.isLocked(row, options)) throw new AccountLocked(userId);
    if (num(row.failed_auth_count) > 0 && this.compliance.lockout_failure_attempts && this.compliance.lockout_duration &&
        num(row.failed_auth_count) >= this.compliance.lockout_failure_attempts) {
      // The lockout expired: start counting again (upstream's _reset_failed_auth).
      await this.db.updateTable('identity_user').set({ failed_auth_count: 0, failed_auth_at: null }).where('id', '=', userId).execute();
      row.failed_auth_count = 0;
    }
    if (!(await checkPassword(password, current?.password_hash ?? null, this.hashOptions()))) {
      await this.db.updateTable('identity_user').set((eb) => ({ failed_auth_count: eb('failed_auth_count', '+', 1), failed_auth_at: nowIso() }))
        .where('id', '=', userId).execute();
      throw new Unauthorized();
    }
    if (!bool(row.enabled) || !this.effectiveEnabled(row, options)) throw new UserDisabled(userId);
    if (!opts.allowExpired && this.passwordExpired(current, options)) throw new PasswordExpired(userId);
    const set: UserUpdate = {};
    if (num(row.failed_auth_count) > 0) { set.failed_auth_count = 0; set.failed_auth_at = null; }
    if (this.compliance.disable_user_account_days_inactive) set.last_active_at = nowIso();
    if (Object.keys(set).length > 0) await this.db.updateTable('identity_user').set(set).where('id', '=', userId).execute();
    return this.toRecord(loaded);
  }

  /**
   * Whether `password` is the user's current password (no lockout accounting). Used by
   * bootstrap, which remembers a match so the next start skips the hash verification.
   */
  async passwordMatches(userId: string, password: string): Promise<boolean> {
    const hash = (await this.load(userId))?.password?.password_hash;
    if (!hash) return false;
    if (this.checkCache?.matches(userId, hash, password)) return true;
    const ok = await checkPassword(password, hash, this.hashOptions());
    if (ok) this.checkCache?.remember(userId, hash, password);
    return ok;
  }

  /**
   * Record that `password` is the user's current password without verifying it (bootstrap just
   * set it), so the next start's passwordMatches() costs no hash verification.
   */
  async rememberPassword(userId: string, password: string): Promise<void> {
    const hash = (await this.load(userId))?.password?.password_hash;
    if (hash) this.checkCache?.remember(userId, hash, password);
  }

  /**
   * Self-service password change (POST /v3/users/{id}/password): the original password must
   * authenticate (an expired one is accepted), then lock_password, minimum age, the regex and
   * the history rules apply.
   */
  async changePassword(userId: string, originalPassword: string, newPassword: string): Promise<void> {
    await this.authenticate(userId, originalPassword, { allowExpired: true });
    const { row, password: current } = await this.loadOrThrow(userId);
    const options = parseJsonObject(row.options);
    if (options.lock_password === true) throw new PasswordSelfServiceDisabled();
    if (current && bool(current.self_service)) {
      const minDays = this.compliance.minimum_password_age;
      const allowedAt = Date.parse(current.created_at) + minDays * DAY * 1000;
      if (Date.now() < allowedAt) throw new PasswordAgeValidationError(minDays, Math.floor((allowedAt - Date.now()) / (DAY * 1000)));
    }
    this.validatePassword(newPassword);
    const unique = this.compliance.unique_last_password_count;
    if (unique > 0) {
      const history = await this.db.selectFrom('password').selectAll().where('user_id', '=', userId).orderBy('seq', 'desc').limit(unique).execute();
      for (const p of history) {
        if (await checkPassword(newPassword, p.password_hash, this.hashOptions())) throw new PasswordHistoryValidationError(unique);
      }
    }
    const now = nowIso();
    await this.setPassword(userId, newPassword, this.expiryFor(now, options, false), true, now);
    this.ctx.audit.updated('user', userId);
    await this.ctx.events.emit('user.password_changed', { userId });
  }
}
