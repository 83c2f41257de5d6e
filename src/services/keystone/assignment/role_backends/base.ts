/**
 * The role driver interface (keystone/assignment/role_backends/base.py RoleDriverBase): roles,
 * global or domain-specific, and the role inference rules (implied roles). The RoleManager
 * (../roles.ts) keeps the rules (immutable roles, prohibited implied roles, domains exist).
 */
import type { Hints } from '../../lib/hints.js';

export interface RoleRecord {
  id: string;
  name: string;
  /** null for a global role. */
  domain_id: string | null;
  description: string | null;
  options: Record<string, unknown>;
  [extra: string]: unknown;
}

export interface ImpliedRoleRef {
  prior_role_id: string;
  implied_role_id: string;
}

export interface RoleCreate {
  id: string;
  name: string;
  domain_id: string | null;
  description: string | null;
  options: Record<string, unknown>;
  extra: Record<string, unknown>;
}

export interface RoleUpdate {
  name: string;
  description: string | null;
  options: Record<string, unknown>;
  extra: Record<string, unknown>;
}

export interface RoleDriver {
  getRole(roleId: string): Promise<RoleRecord | undefined>;
  /** The role with this name in a domain (`domainId` null: among global roles). */
  getRoleByName(name: string, domainId: string | null): Promise<RoleRecord | undefined>;
  /**
   * Roles matching the hints (domain_id, name and the rest); without a domain_id filter,
   * `globalOnly` keeps the global roles only.
   */
  listRoles(hints: Hints, opts?: { globalOnly?: boolean }): Promise<RoleRecord[]>;
  listRolesFromIds(ids: string[]): Promise<RoleRecord[]>;
  /** Throws KeystoneConflict when the name is taken (in the domain, or among global roles). */
  createRole(role: RoleCreate): Promise<void>;
  /** Throws KeystoneConflict when the new name is taken. */
  updateRole(roleId: string, update: RoleUpdate): Promise<void>;
  /** The role and every inference rule naming it. */
  deleteRole(roleId: string): Promise<void>;
  /** Throws KeystoneConflict when the rule exists. */
  createImpliedRole(priorRoleId: string, impliedRoleId: string): Promise<void>;
  getImpliedRole(priorRoleId: string, impliedRoleId: string): Promise<ImpliedRoleRef | undefined>;
  deleteImpliedRole(priorRoleId: string, impliedRoleId: string): Promise<void>;
  listImpliedRoles(priorRoleId: string): Promise<ImpliedRoleRef[]>;
  listRoleInferenceRules(): Promise<ImpliedRoleRef[]>;
}
