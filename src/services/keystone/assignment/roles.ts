/**
 * Roles, global or domain-specific, and role implications (keystone/assignment/core.py
 * RoleManager, role_backends/sql.py).
 */
import { isUniqueViolation } from '../../../common/db/index.js';
import {
  duplicateEntry, ImpliedRoleNotFound, InvalidImpliedRole, KeystoneConflict, RoleNotFound, ValidationError,
} from '../errors.js';
import { GLOBAL_ROLE_DOMAIN, type RoleRow } from '../db/schema.js';
import { jsonText, newId, parseJsonObject } from '../db/rows.js';
import { applyHints, Hints } from '../lib/hints.js';
import { checkImmutableDelete, checkImmutableUpdate, mergeOptions } from '../lib/resource-options.js';
import type { ManagerContext } from '../manager-context.js';

export interface RoleRecord {
  id: string;
  name: string;
  domain_id: string | null;
  description: string | null;
  options: Record<string, unknown>;
  [extra: string]: unknown;
}

export interface ImpliedRoleRef {
  prior_role_id: string;
  implied_role_id: string;
}

const ROLE_ATTRS = new Set(['id', 'name', 'domain_id', 'description', 'options']);

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

export class RoleManager {
  constructor(private readonly ctx: ManagerContext) {}

  private get db() { return this.ctx.db; }

  async findRole(roleId: string): Promise<RoleRecord | undefined> {
    const row = await this.db.selectFrom('role').selectAll().where('id', '=', roleId).executeTakeFirst();
    return row && row.id === roleId ? toRecord(row) : undefined;
  }

  async getRole(roleId: string): Promise<RoleRecord> {
    const r = await this.findRole(roleId);
    if (!r) throw new RoleNotFound(roleId);
    return r;
  }

  /** Roles; a `domain_id` filter of 'None' or absent-by-caller means global roles. */
  async listRoles(hints: Hints = new Hints(), opts: { globalOnly?: boolean } = {}): Promise<RoleRecord[]> {
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

  /** A global role by name (bootstrap, trusts by role name). */
  async findGlobalRoleByName(name: string): Promise<RoleRecord | undefined> {
    const row = await this.db.selectFrom('role').selectAll().where('name', '=', name).where('domain_id', '=', GLOBAL_ROLE_DOMAIN).executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  async createRole(input: Record<string, unknown>, roleId: string = newId()): Promise<RoleRecord> {
    const domainId = (input.domain_id as string | null | undefined) || null;
    if (domainId) await this.ctx.managers.resource.getDomain(domainId);
    const name = String(input.name ?? '');
    const extra = Object.fromEntries(Object.entries(input).filter(([k]) => !ROLE_ATTRS.has(k)));
    try {
      await this.db.insertInto('role').values({
        id: roleId, name, domain_id: domainId ?? GLOBAL_ROLE_DOMAIN,
        description: (input.description as string | null | undefined) ?? null,
        extra: jsonText(extra), options: jsonText(mergeOptions({}, input.options as Record<string, unknown> | undefined)),
      }).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw new KeystoneConflict('role', duplicateEntry('name', name, domainId ?? undefined));
      throw err;
    }
    this.ctx.audit.created('role', roleId);
    return this.getRole(roleId);
  }

  async updateRole(roleId: string, changes: Record<string, unknown>): Promise<RoleRecord> {
    const original = await this.getRole(roleId);
    checkImmutableUpdate(original, changes, 'role', roleId);
    if ('domain_id' in changes && (changes.domain_id ?? null) !== original.domain_id) {
      throw new ValidationError('Update of `domain_id` is not allowed.');
    }
    if ('id' in changes && changes.id !== roleId) throw new ValidationError('Cannot change ID');
    const name = 'name' in changes ? String(changes.name) : original.name;
    const extra = { ...Object.fromEntries(Object.entries(original).filter(([k]) => !ROLE_ATTRS.has(k))),
      ...Object.fromEntries(Object.entries(changes).filter(([k]) => !ROLE_ATTRS.has(k))) };
    try {
      await this.db.updateTable('role').set({
        name,
        description: 'description' in changes ? ((changes.description as string | null) ?? null) : original.description,
        extra: jsonText(extra),
        options: jsonText(mergeOptions(original.options, changes.options as Record<string, unknown> | undefined)),
      }).where('id', '=', roleId).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw new KeystoneConflict('role', duplicateEntry('name', name, original.domain_id ?? undefined));
      throw err;
    }
    this.ctx.audit.updated('role', roleId);
    return this.getRole(roleId);
  }

  /** Deletes a role, its assignments and implications (role.deleted revokes tokens carrying it). */
  async deleteRole(roleId: string): Promise<void> {
    const role = await this.getRole(roleId);
    checkImmutableDelete(role, 'role', roleId);
    await this.ctx.managers.assignments.deleteRoleAssignments(roleId);
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('implied_role').where((eb) => eb.or([eb('prior_role_id', '=', roleId), eb('implied_role_id', '=', roleId)])).execute();
      await trx.deleteFrom('role').where('id', '=', roleId).execute();
    });
    this.ctx.audit.deleted('role', roleId);
    await this.ctx.events.emit('role.deleted', { roleId });
  }

  async createImpliedRole(priorRoleId: string, impliedRoleId: string): Promise<ImpliedRoleRef> {
    const implied = await this.getRole(impliedRoleId);
    const prior = await this.getRole(priorRoleId);
    if (this.ctx.config.assignment.prohibited_implied_role.includes(implied.name)) throw new InvalidImpliedRole(impliedRoleId);
    if (prior.domain_id === null && implied.domain_id) {
      throw new InvalidImpliedRole(impliedRoleId, 'Global role cannot imply a domain-specific role');
    }
    try {
      await this.db.insertInto('implied_role').values({ prior_role_id: priorRoleId, implied_role_id: impliedRoleId }).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw new KeystoneConflict('implied_role', 'Duplicate entry');
      throw err;
    }
    return { prior_role_id: priorRoleId, implied_role_id: impliedRoleId };
  }

  async getImpliedRole(priorRoleId: string, impliedRoleId: string): Promise<ImpliedRoleRef> {
    const row = await this.db.selectFrom('implied_role').selectAll()
      .where('prior_role_id', '=', priorRoleId).where('implied_role_id', '=', impliedRoleId).executeTakeFirst();
    if (!row) throw new ImpliedRoleNotFound(priorRoleId, impliedRoleId);
    return row;
  }

  async deleteImpliedRole(priorRoleId: string, impliedRoleId: string): Promise<void> {
    await this.getImpliedRole(priorRoleId, impliedRoleId);
    await this.db.deleteFrom('implied_role').where('prior_role_id', '=', priorRoleId).where('implied_role_id', '=', impliedRoleId).execute();
  }

  async listImpliedRoles(priorRoleId: string): Promise<ImpliedRoleRef[]> {
    return this.db.selectFrom('implied_role').selectAll().where('prior_role_id', '=', priorRoleId).orderBy('implied_role_id').execute();
  }

  async listRoleInferenceRules(): Promise<ImpliedRoleRef[]> {
    return this.db.selectFrom('implied_role').selectAll().orderBy('prior_role_id').orderBy('implied_role_id').execute();
  }

  /** The roles and every role they imply, transitively (cycles are tolerated). */
  async expandImpliedRoles(roleIds: string[]): Promise<RoleRecord[]> {
    const rules = await this.listRoleInferenceRules();
    const implies = new Map<string, string[]>();
    for (const r of rules) implies.set(r.prior_role_id, [...(implies.get(r.prior_role_id) ?? []), r.implied_role_id]);
    const seen = new Set<string>();
    const stack = [...roleIds];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      stack.push(...(implies.get(id) ?? []));
    }
    return this.listRolesFromIds([...seen]);
  }
}
