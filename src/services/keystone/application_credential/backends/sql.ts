/**
 * The SQL application credential driver (keystone/application_credential/backends/sql.py):
 * `application_credential` with its roles and access rules. Secrets are hashed as passwords
 * are ([identity] password_hash_algorithm, password-hashing.ts). Access rules are shared per
 * user: an identical rule (service, path, method) is reused.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { insertReturningId, isForeignKeyViolation, isUniqueViolation, toBool, transaction } from '../../../../common/db/index.js';
import { AccessRuleNotFound } from '../../auth/errors.js';
import type { ApplicationCredentialTable, AuthDB } from '../../db/auth-schema.js';
import { ForbiddenNotSecurity, KeystoneConflict } from '../../errors.js';
import { checkPassword, hashPassword, type HashOptions } from '../../identity/password-hashing.js';
import type { AccessRule, AccessRuleInput, AppCredCreateRecord, AppCredRef, ApplicationCredentialDriver } from './base.js';

export class SqlApplicationCredentialDriver implements ApplicationCredentialDriver {
  constructor(private readonly db: Kysely<AuthDB>, private readonly hashOptions: HashOptions) {}

  async authenticate(id: string, secret: string): Promise<boolean> {
    const row = await this.db.selectFrom('application_credential').select(['secret_hash', 'expires_at']).where('id', '=', id).executeTakeFirst();
    if (!row) return false;
    if (!(await checkPassword(secret, row.secret_hash, this.hashOptions))) return false;
    return !(row.expires_at && Date.now() >= Date.parse(row.expires_at));
  }

  async createApplicationCredential(c: AppCredCreateRecord): Promise<void> {
    const secretHash = await hashPassword(c.secret, this.hashOptions);
    try {
      await transaction(this.db, async (trx) => {
        const internalId = await insertReturningId(trx, 'application_credential', {
          id: c.id,
          name: c.name,
          secret_hash: secretHash,
          description: c.description,
          user_id: c.userId,
          project_id: c.projectId,
          system: c.system,
          expires_at: c.expiresAt,
          unrestricted: c.unrestricted ? 1 : 0,
        }, 'internal_id');
        for (const roleId of new Set(c.roleIds)) {
          await trx.insertInto('application_credential_role').values({ application_credential_id: internalId, role_id: roleId }).execute();
        }
        for (const rule of c.accessRules ?? []) {
          const ruleId = await this.findOrCreateRule(trx, c.userId, rule);
          await trx.insertInto('application_credential_access_rule')
            .values({ application_credential_id: internalId, access_rule_id: ruleId }).execute();
        }
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new KeystoneConflict('application_credential', `Duplicate entry found with name ${c.name}`);
      throw err;
    }
  }

  async getApplicationCredential(id: string): Promise<AppCredRef | undefined> {
    const row = await this.db.selectFrom('application_credential').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? (await this.hydrate([row]))[0] : undefined;
  }

  async countApplicationCredentialsForUser(userId: string): Promise<number> {
    const count = await this.db.selectFrom('application_credential').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', userId).executeTakeFirstOrThrow();
    return Number(count.n);
  }

  async listApplicationCredentialsForUser(userId: string, filter: { name?: string } = {}): Promise<AppCredRef[]> {
    let q = this.db.selectFrom('application_credential').selectAll().where('user_id', '=', userId);
    if (filter.name !== undefined) q = q.where('name', '=', filter.name);
    return this.hydrate(await q.orderBy('internal_id').execute());
  }

  async deleteApplicationCredential(id: string): Promise<boolean> {
    return transaction(this.db, async (trx) => {
      const row = await trx.selectFrom('application_credential').select('internal_id').where('id', '=', id).executeTakeFirst();
      if (!row) return false;
      await this.deleteInternal(trx, [row.internal_id]);
      return true;
    });
  }

  deleteApplicationCredentialsForUser(userId: string, projectId?: string): Promise<string[]> {
    return transaction(this.db, async (trx) => {
      let q = trx.selectFrom('application_credential').select(['internal_id', 'id']).where('user_id', '=', userId);
      if (projectId !== undefined) q = q.where('project_id', '=', projectId);
      const rows = await q.execute();
      await this.deleteInternal(trx, rows.map((r) => r.internal_id));
      return rows.map((r) => r.id);
    });
  }

  deleteApplicationCredentialsWithRole(roleId: string): Promise<string[]> {
    return transaction(this.db, async (trx) => {
      const rows = await trx.selectFrom('application_credential as c').innerJoin('application_credential_role as r', 'r.application_credential_id', 'c.internal_id')
        .select(['c.internal_id', 'c.id']).where('r.role_id', '=', roleId).execute();
      await this.deleteInternal(trx, rows.map((r) => r.internal_id));
      return rows.map((r) => r.id);
    });
  }

  async getAccessRule(userId: string, ruleId: string): Promise<AccessRule | undefined> {
    const row = await this.db.selectFrom('access_rule').selectAll().where('external_id', '=', ruleId).where('user_id', '=', userId).executeTakeFirst();
    return row ? { id: row.external_id, service: row.service, path: row.path, method: row.method } : undefined;
  }

  async listAccessRulesForUser(userId: string, filter: Partial<Omit<AccessRule, 'id'>> = {}): Promise<AccessRule[]> {
    let q = this.db.selectFrom('access_rule').selectAll().where('user_id', '=', userId);
    if (filter.service !== undefined) q = q.where('service', '=', filter.service);
    if (filter.path !== undefined) q = q.where('path', '=', filter.path);
    if (filter.method !== undefined) q = q.where('method', '=', filter.method);
    return (await q.orderBy('id').execute()).map((r) => ({ id: r.external_id, service: r.service, path: r.path, method: r.method }));
  }

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
  }

  async deleteAccessRulesForUser(userId: string): Promise<string[]> {
    const rules = await this.db.selectFrom('access_rule').select('external_id').where('user_id', '=', userId).execute();
    await this.db.deleteFrom('access_rule').where('user_id', '=', userId).execute();
    return rules.map((r) => r.external_id);
  }

  private async findOrCreateRule(trx: Kysely<AuthDB>, userId: string, rule: AccessRuleInput): Promise<number> {
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
