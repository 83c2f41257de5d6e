/**
 * Application credentials (keystone/application_credential/core.py with its SQL backend): a
 * user's named secret bound to one project and a subset of the user's roles there, with an
 * optional expiry and access rules. Only the secret's hash is stored. Access rules are shared
 * per user: an identical rule (service, path, method) is reused.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { insertReturningId, isForeignKeyViolation, isUniqueViolation, toBool, transaction } from '../../../common/db/index.js';
import { ForbiddenNotSecurity, KeystoneConflict, RoleAssignmentNotFound } from '../errors.js';
import type { ApplicationCredentialTable, AuthDB } from '../db/auth-schema.js';
import { AccessRuleNotFound, ApplicationCredentialLimitExceeded, ApplicationCredentialNotFound } from '../auth/errors.js';
import type { IdentityAudit } from '../notifications/audit.js';

export interface AccessRule {
  id: string;
  service: string;
  path: string;
  method: string;
}

export interface AppCredRef {
  id: string;
  name: string;
  description: string | null;
  userId: string;
  projectId: string | null;
  system: string | null;
  /** UTC with microseconds (`2026-01-02T03:04:05.123456Z`), as given at create. */
  expiresAt: string | null;
  unrestricted: boolean;
  roleIds: string[];
  /** Undefined when the credential has no access rules. */
  accessRules: AccessRule[] | undefined;
}

export type AppCredCreate = Omit<AppCredRef, 'id' | 'accessRules'> & {
  id?: string;
  /** Generated when absent. */
  secret?: string | null;
  accessRules?: Array<Partial<AccessRule> & Omit<AccessRule, 'id'>>;
};

export interface AppCredManagerOptions {
  /** [application_credential] user_limit (-1: unlimited). */
  userLimit: number;
  hashSecret(secret: string): Promise<string>;
  checkSecret(secret: string, hash: string): Promise<boolean>;
  /** The user's effective role ids on the project. */
  userRoleIds(userId: string, projectId: string): Promise<string[]>;
  /** Notifications (identity.application_credential.*, identity.access_rule.deleted). */
  audit?: IdentityAudit;
}

/** 64 random bytes, url-safe base64 without padding (upstream's _generate_secret). */
export function generateSecret(): string {
  return randomBytes(64).toString('base64url');
}

export class AppCredManager {
  constructor(private readonly db: Kysely<AuthDB>, private readonly opts: AppCredManagerOptions) {}

  /** Create; returns the credential and its secret (shown once). */
  async create(input: AppCredCreate): Promise<{ appCred: AppCredRef; secret: string }> {
    if (this.opts.userLimit >= 0) {
      const count = await this.db.selectFrom('application_credential').select((eb) => eb.fn.countAll<number>().as('n'))
        .where('user_id', '=', input.userId).executeTakeFirstOrThrow();
      if (Number(count.n) >= this.opts.userLimit) throw new ApplicationCredentialLimitExceeded(this.opts.userLimit);
    }
    if (input.projectId !== null) {
      const have = new Set(await this.opts.userRoleIds(input.userId, input.projectId));
      for (const roleId of input.roleIds) {
        if (!have.has(roleId)) throw new RoleAssignmentNotFound(roleId, input.userId, input.projectId);
      }
    }
    const secret = input.secret ? input.secret : generateSecret();
    const secretHash = await this.opts.hashSecret(secret);
    const id = input.id ?? randomUUID().replaceAll('-', '');
    try {
      await transaction(this.db, async (trx) => {
        const internalId = await insertReturningId(trx, 'application_credential', {
          id,
          name: input.name,
          secret_hash: secretHash,
          description: input.description,
          user_id: input.userId,
          project_id: input.projectId,
          system: input.system,
          expires_at: input.expiresAt,
          unrestricted: input.unrestricted ? 1 : 0,
        }, 'internal_id');
        for (const roleId of new Set(input.roleIds)) {
          await trx.insertInto('application_credential_role').values({ application_credential_id: internalId, role_id: roleId }).execute();
        }
        for (const rule of input.accessRules ?? []) {
          const ruleId = await this.findOrCreateRule(trx, input.userId, rule);
          await trx.insertInto('application_credential_access_rule')
            .values({ application_credential_id: internalId, access_rule_id: ruleId }).execute();
        }
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new KeystoneConflict('application_credential', `Duplicate entry found with name ${input.name}`);
      }
      throw err;
    }
    this.opts.audit?.created('application_credential', id);
    return { appCred: await this.get(id), secret };
  }

  async get(id: string): Promise<AppCredRef> {
    const row = await this.db.selectFrom('application_credential').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new ApplicationCredentialNotFound(id);
    return (await this.hydrate([row]))[0] as AppCredRef;
  }

  async list(userId: string, filter: { name?: string } = {}): Promise<AppCredRef[]> {
    let q = this.db.selectFrom('application_credential').selectAll().where('user_id', '=', userId);
    if (filter.name !== undefined) q = q.where('name', '=', filter.name);
    return this.hydrate(await q.orderBy('internal_id').execute());
  }

  /** Check an id and secret; false for unknown, wrong or expired. */
  async authenticate(id: string, secret: string): Promise<boolean> {
    const row = await this.db.selectFrom('application_credential').select(['secret_hash', 'expires_at']).where('id', '=', id).executeTakeFirst();
    if (!row) return false;
    if (!(await this.opts.checkSecret(secret, row.secret_hash))) return false;
    return !(row.expires_at && Date.now() >= Date.parse(row.expires_at));
  }

  async delete(id: string): Promise<void> {
    await transaction(this.db, async (trx) => {
      const row = await trx.selectFrom('application_credential').select('internal_id').where('id', '=', id).executeTakeFirst();
      if (!row) throw new ApplicationCredentialNotFound(id);
      await this.deleteInternal(trx, [row.internal_id]);
    });
    this.opts.audit?.deleted('application_credential', id);
    this.opts.audit?.invalidateTokens('application_credential.deleted', { applicationCredentialId: id });
  }

  /** Every credential of a user (the user was deleted or disabled); returns their ids. */
  async deleteForUser(userId: string, projectId?: string): Promise<string[]> {
    return this.notifyDeleted(await transaction(this.db, async (trx) => {
      let q = trx.selectFrom('application_credential').select(['internal_id', 'id']).where('user_id', '=', userId);
      if (projectId !== undefined) q = q.where('project_id', '=', projectId);
      const rows = await q.execute();
      await this.deleteInternal(trx, rows.map((r) => r.internal_id));
      return rows.map((r) => r.id);
    }));
  }

  /** Delete the credentials that delegate a role (the role was deleted); returns their ids. */
  async deleteWithRole(roleId: string): Promise<string[]> {
    return this.notifyDeleted(await transaction(this.db, async (trx) => {
      const rows = await trx.selectFrom('application_credential as c').innerJoin('application_credential_role as r', 'r.application_credential_id', 'c.internal_id')
        .select(['c.internal_id', 'c.id']).where('r.role_id', '=', roleId).execute();
      await this.deleteInternal(trx, rows.map((r) => r.internal_id));
      return rows.map((r) => r.id);
    }));
  }

  private notifyDeleted(ids: string[]): string[] {
    for (const id of ids) this.opts.audit?.deleted('application_credential', id);
    return ids;
  }

  async getAccessRule(userId: string, ruleId: string): Promise<AccessRule> {
    const row = await this.db.selectFrom('access_rule').selectAll().where('external_id', '=', ruleId).where('user_id', '=', userId).executeTakeFirst();
    if (!row) throw new AccessRuleNotFound(ruleId);
    return { id: row.external_id, service: row.service, path: row.path, method: row.method };
  }

  async listAccessRules(userId: string, filter: Partial<Omit<AccessRule, 'id'>> = {}): Promise<AccessRule[]> {
    let q = this.db.selectFrom('access_rule').selectAll().where('user_id', '=', userId);
    if (filter.service !== undefined) q = q.where('service', '=', filter.service);
    if (filter.path !== undefined) q = q.where('path', '=', filter.path);
    if (filter.method !== undefined) q = q.where('method', '=', filter.method);
    return (await q.orderBy('id').execute()).map((r) => ({ id: r.external_id, service: r.service, path: r.path, method: r.method }));
  }

  /** Delete an access rule no credential uses (403 "May not delete access rule in use" otherwise). */
  async deleteAccessRule(userId: string, ruleId: string): Promise<void> {
    await transaction(this.db, async (trx) => {
      const row = await trx.selectFrom('access_rule').select('id').where('external_id', '=', ruleId).where('user_id', '=', userId).executeTakeFirst();
      if (!row) throw new AccessRuleNotFound(ruleId);
      const used = await trx.selectFrom('application_credential_access_rule').select('access_rule_id').where('access_rule_id', '=', row.id).executeTakeFirst();
      if (used) throw new ForbiddenNotSecurity('May not delete access rule in use');
      try {
        await trx.deleteFrom('access_rule').where('id', '=', row.id).execute();
      } catch (err) {
        if (isForeignKeyViolation(err)) throw new ForbiddenNotSecurity('May not delete access rule in use');
        throw err;
      }
    });
    this.opts.audit?.deleted('access_rule', ruleId);
  }

  async deleteAccessRulesForUser(userId: string): Promise<void> {
    const rules = await this.db.selectFrom('access_rule').select('external_id').where('user_id', '=', userId).execute();
    await this.db.deleteFrom('access_rule').where('user_id', '=', userId).execute();
    for (const r of rules) this.opts.audit?.deleted('access_rule', r.external_id);
  }

  private async findOrCreateRule(trx: Kysely<AuthDB>, userId: string, rule: Partial<AccessRule> & Omit<AccessRule, 'id'>): Promise<number> {
    if (rule.id) {
      const byId = await trx.selectFrom('access_rule').select('id').where('external_id', '=', rule.id).executeTakeFirst();
      if (byId) return byId.id;
    }
    const same = await trx.selectFrom('access_rule').select('id').where('user_id', '=', userId)
      .where('service', '=', rule.service).where('path', '=', rule.path).where('method', '=', rule.method).executeTakeFirst();
    if (same) return same.id;
    return insertReturningId(trx, 'access_rule', {
      external_id: rule.id ?? randomUUID().replaceAll('-', ''), user_id: userId, service: rule.service, path: rule.path, method: rule.method,
    });
  }

  private async deleteInternal(trx: Kysely<AuthDB>, internalIds: number[]): Promise<void> {
    if (internalIds.length === 0) return;
    await trx.deleteFrom('application_credential_role').where('application_credential_id', 'in', internalIds).execute();
    await trx.deleteFrom('application_credential_access_rule').where('application_credential_id', 'in', internalIds).execute();
    await trx.deleteFrom('application_credential').where('internal_id', 'in', internalIds).execute();
  }

  private async hydrate(rows: Array<Selectable<ApplicationCredentialTable>>): Promise<AppCredRef[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.internal_id);
    const roles = await this.db.selectFrom('application_credential_role').selectAll().where('application_credential_id', 'in', ids).execute();
    const rules = await this.db.selectFrom('application_credential_access_rule as l').innerJoin('access_rule as r', 'r.id', 'l.access_rule_id')
      .select(['l.application_credential_id', 'r.external_id', 'r.service', 'r.path', 'r.method']).where('l.application_credential_id', 'in', ids)
      .orderBy('r.id').execute();
    return rows.map((r) => {
      const ruleList = rules.filter((x) => x.application_credential_id === r.internal_id)
        .map((x) => ({ id: x.external_id, service: x.service, path: x.path, method: x.method }));
      return {
        id: r.id,
        name: r.name,
        description: r.description,
        userId: r.user_id,
        projectId: r.project_id,
        system: r.system,
        expiresAt: r.expires_at,
        unrestricted: toBool(r.unrestricted),
        roleIds: roles.filter((x) => x.application_credential_id === r.internal_id).map((x) => x.role_id),
        accessRules: ruleList.length > 0 ? ruleList : undefined,
      };
    });
  }
}
