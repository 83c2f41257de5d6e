/** The SQL role driver (keystone/assignment/role_backends/sql.py): `role` and `implied_role`. */
import type { Kysely } from 'kysely';
import { isUniqueViolation } from '../../../../common/db/index.js';
import { duplicateEntry, KeystoneConflict } from '../../errors.js';
import { GLOBAL_ROLE_DOMAIN, type KeystoneDB, type RoleRow } from '../../db/schema.js';
import { jsonText, parseJsonObject } from '../../db/rows.js';
import { applyHints, type Hints } from '../../lib/hints.js';
import type { ImpliedRoleRef, RoleCreate, RoleDriver, RoleRecord, RoleUpdate } from './base.js';

function toRecord(row: RoleRow): RoleRecord {
  return {
    ...parseJsonObject(row.extra),
    id: row.id,
    name: row.name,
    domain_id: row.domain_id === GLOBAL_ROLE_DOMAIN ? null : row.domain_id,
    description: row.description,
    options: parseJsonObject(row.options),
  };
}

export class SqlRoleDriver implements RoleDriver {
  constructor(private readonly db: Kysely<KeystoneDB>) {}

  async getRole(roleId: string): Promise<RoleRecord | undefined> {
    const row = await this.db.selectFrom('role').selectAll().where('id', '=', roleId).executeTakeFirst();
    // MariaDB compares ids case-insensitively.
    return row && row.id === roleId ? toRecord(row) : undefined;
  }

  async getRoleByName(name: string, domainId: string | null): Promise<RoleRecord | undefined> {
    const row = await this.db.selectFrom('role').selectAll().where('name', '=', name).where('domain_id', '=', domainId ?? GLOBAL_ROLE_DOMAIN).executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  async listRoles(hints: Hints, opts: { globalOnly?: boolean } = {}): Promise<RoleRecord[]> {
    let q = this.db.selectFrom('role').selectAll();
    const domainId = hints.take('domain_id');
    if (domainId !== undefined) q = q.where('domain_id', '=', domainId);
    else if (opts.globalOnly) q = q.where('domain_id', '=', GLOBAL_ROLE_DOMAIN);
    const name = hints.take('name');
    if (name !== undefined) q = q.where('name', '=', name);
    return applyHints((await q.orderBy('id').execute()).map(toRecord), hints);
  }

  async listRolesFromIds(ids: string[]): Promise<RoleRecord[]> {
    if (ids.length === 0) return [];
    return (await this.db.selectFrom('role').selectAll().where('id', 'in', [...new Set(ids)]).orderBy('id').execute()).map(toRecord);
  }

  async createRole(r: RoleCreate): Promise<void> {
    try {
      await this.db.insertInto('role').values({
        id: r.id, name: r.name, domain_id: r.domain_id ?? GLOBAL_ROLE_DOMAIN, description: r.description,
        extra: jsonText(r.extra), options: jsonText(r.options),
      }).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw new KeystoneConflict('role', duplicateEntry('name', r.name, r.domain_id ?? undefined));
      throw err;
    }
  }

  async updateRole(roleId: string, u: RoleUpdate): Promise<void> {
    try {
      await this.db.updateTable('role').set({
        name: u.name, description: u.description, extra: jsonText(u.extra), options: jsonText(u.options),
      }).where('id', '=', roleId).execute();
    } catch (err) {
      if (isUniqueViolation(err)) {
        const domainId = (await this.getRole(roleId))?.domain_id;
        throw new KeystoneConflict('role', duplicateEntry('name', u.name, domainId ?? undefined));
      }
      throw err;
    }
  }

  async deleteRole(roleId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('implied_role').where((eb) => eb.or([eb('prior_role_id', '=', roleId), eb('implied_role_id', '=', roleId)])).execute();
      await trx.deleteFrom('role').where('id', '=', roleId).execute();
    });
  }

  async createImpliedRole(priorRoleId: string, impliedRoleId: string): Promise<void> {
    try {
      await this.db.insertInto('implied_role').values({ prior_role_id: priorRoleId, implied_role_id: impliedRoleId }).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw new KeystoneConflict('implied_role', 'Duplicate entry');
      throw err;
    }
  }

  getImpliedRole(priorRoleId: string, impliedRoleId: string): Promise<ImpliedRoleRef | undefined> {
    return this.db.selectFrom('implied_role').selectAll()
      .where('prior_role_id', '=', priorRoleId).where('implied_role_id', '=', impliedRoleId).executeTakeFirst();
  }

  async deleteImpliedRole(priorRoleId: string, impliedRoleId: string): Promise<void> {
    await this.db.deleteFrom('implied_role').where('prior_role_id', '=', priorRoleId).where('implied_role_id', '=', impliedRoleId).execute();
  }

  listImpliedRoles(priorRoleId: string): Promise<ImpliedRoleRef[]> {
    return this.db.selectFrom('implied_role').selectAll().where('prior_role_id', '=', priorRoleId).orderBy('implied_role_id').execute();
  }

  listRoleInferenceRules(): Promise<ImpliedRoleRef[]> {
    return this.db.selectFrom('implied_role').selectAll().orderBy('prior_role_id').orderBy('implied_role_id').execute();
  }
}
