/**
 * Roles, global or domain-specific, and role implications (keystone/assignment/core.py
 * RoleManager) over a RoleDriver (role_backends/base.ts), chosen by `[role] driver`. Deleting a
 * role emits `role.deleted`: the assignment manager drops its grants, the token side the tokens
 * and application credentials carrying it.
 */
import type { AssignmentOptions } from '../config.js';
import { ImpliedRoleNotFound, InvalidImpliedRole, RoleNotFound, ValidationError } from '../errors.js';
import { newId } from '../db/rows.js';
import { extraAttributes } from '../lib/extra-attributes.js';
import { Hints } from '../lib/hints.js';
import { checkImmutableDelete, checkImmutableUpdate, mergeOptions } from '../lib/resource-options.js';
import type { KeystoneEvents } from '../events.js';
import type { ResourceManager } from '../resource/core.js';
import type { IdentityAudit } from '../rpc/audit.js';
import type { ImpliedRoleRef, RoleDriver, RoleRecord } from './role_backends/base.js';

const ROLE_ATTRS = new Set(['id', 'name', 'domain_id', 'description', 'options']);

const extraOf = (ref: Record<string, unknown>): Record<string, unknown> => extraAttributes(ref, ROLE_ATTRS);

/** A role as the API creates or updates it. */
export interface RoleInput {
  name?: unknown;
  domain_id?: string | null;
  description?: string | null;
  options?: Record<string, unknown>;
  [extra: string]: unknown;
}

export interface RoleManagerDeps {
  /** The domains of domain-specific roles. */
  resource: ResourceManager;
  /** [assignment] prohibited_implied_role. */
  config: Pick<AssignmentOptions, 'prohibited_implied_role'>;
  events: KeystoneEvents;
  audit: IdentityAudit;
}

export class RoleManager {
  constructor(private readonly driver: RoleDriver, private readonly deps: RoleManagerDeps) {}

  findRole(roleId: string): Promise<RoleRecord | undefined> {
    return this.driver.getRole(roleId);
  }

  async getRole(roleId: string): Promise<RoleRecord> {
    const r = await this.findRole(roleId);
    if (!r) throw new RoleNotFound(roleId);
    return r;
  }

  /** Roles; a `domain_id` filter of 'None' or absent-by-caller means global roles. */
  listRoles(hints: Hints = new Hints(), opts: { globalOnly?: boolean } = {}): Promise<RoleRecord[]> {
    return this.driver.listRoles(hints, opts);
  }

  listRolesFromIds(ids: string[]): Promise<RoleRecord[]> {
    return this.driver.listRolesFromIds(ids);
  }

  /** A global role by name (bootstrap, trusts by role name). */
  findGlobalRoleByName(name: string): Promise<RoleRecord | undefined> {
    return this.driver.getRoleByName(name, null);
  }

  async createRole(input: RoleInput, roleId: string = newId()): Promise<RoleRecord> {
    const domainId = input.domain_id || null;
    if (domainId) await this.deps.resource.getDomain(domainId);
    await this.driver.createRole({
      id: roleId, name: String(input.name ?? ''), domain_id: domainId, description: input.description ?? null,
      extra: extraOf(input), options: mergeOptions({}, input.options),
    });
    this.deps.audit.created('role', roleId);
    return this.getRole(roleId);
  }

  async updateRole(roleId: string, changes: RoleInput): Promise<RoleRecord> {
    const original = await this.getRole(roleId);
    checkImmutableUpdate(original, changes, 'role', roleId);
    if ('domain_id' in changes && (changes.domain_id ?? null) !== original.domain_id) {
      throw new ValidationError('Update of `domain_id` is not allowed.');
    }
    if ('id' in changes && changes.id !== roleId) throw new ValidationError('Cannot change ID');
    await this.driver.updateRole(roleId, {
      name: 'name' in changes ? String(changes.name) : original.name,
      description: 'description' in changes ? (changes.description ?? null) : original.description,
      extra: { ...extraOf(original), ...extraOf(changes) },
      options: mergeOptions(original.options, changes.options),
    });
    this.deps.audit.updated('role', roleId);
    return this.getRole(roleId);
  }

  /** Deletes a role and its implications; `role.deleted` takes its assignments and tokens away. */
  async deleteRole(roleId: string): Promise<void> {
    const role = await this.getRole(roleId);
    checkImmutableDelete(role, 'role', roleId);
    await this.driver.deleteRole(roleId);
    this.deps.audit.deleted('role', roleId);
    await this.deps.events.emit('role.deleted', { roleId });
  }

  async createImpliedRole(priorRoleId: string, impliedRoleId: string): Promise<ImpliedRoleRef> {
    const implied = await this.getRole(impliedRoleId);
    const prior = await this.getRole(priorRoleId);
    if (this.deps.config.prohibited_implied_role.includes(implied.name)) throw new InvalidImpliedRole(impliedRoleId);
    if (prior.domain_id === null && implied.domain_id) {
      throw new InvalidImpliedRole(impliedRoleId, 'Global role cannot imply a domain-specific role');
    }
    await this.driver.createImpliedRole(priorRoleId, impliedRoleId);
    return { prior_role_id: priorRoleId, implied_role_id: impliedRoleId };
  }

  async getImpliedRole(priorRoleId: string, impliedRoleId: string): Promise<ImpliedRoleRef> {
    const rule = await this.driver.getImpliedRole(priorRoleId, impliedRoleId);
    if (!rule) throw new ImpliedRoleNotFound(priorRoleId, impliedRoleId);
    return rule;
  }

  async deleteImpliedRole(priorRoleId: string, impliedRoleId: string): Promise<void> {
    await this.getImpliedRole(priorRoleId, impliedRoleId);
    await this.driver.deleteImpliedRole(priorRoleId, impliedRoleId);
  }

  listImpliedRoles(priorRoleId: string): Promise<ImpliedRoleRef[]> {
    return this.driver.listImpliedRoles(priorRoleId);
  }

  listRoleInferenceRules(): Promise<ImpliedRoleRef[]> {
    return this.driver.listRoleInferenceRules();
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
