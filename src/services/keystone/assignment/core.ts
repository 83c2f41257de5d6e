/**
 * The assignment Manager (keystone/assignment/core.py): grants of a role to a user or group on
 * a project, a domain (optionally inherited to the projects below) or the system, over an
 * AssignmentDriver (backends/base.ts) chosen by `[assignment] driver`; the listing of
 * assignments, direct or effective (listing.ts); a user's effective roles. Removing a grant
 * emits `assignment.removed` (tokens carrying it lose it). Its callbacks drop the grants of a
 * deleted project, domain, user, group or role; when a deleted group had grants, its members'
 * tokens are revoked (`user.removed_from_group`, as upstream's delete_group).
 */
import { DomainSpecificRoleMismatch, RoleAssignmentNotFound, ValidationError } from '../errors.js';
import type { IdentityManager } from '../identity/core.js';
import type { KeystoneEvents } from '../events.js';
import type { ResourceManager } from '../resource/core.js';
import type { DomainRecord, ProjectRecord } from '../resource/backends/base.js';
import type { IdentityAudit } from '../rpc/audit.js';
import type { AssignmentDriver, AssignmentRef, GrantTarget, SystemActor } from './backends/base.js';
import { AssignmentListing, type ListAssignmentsParams } from './listing.js';
import type { RoleRecord } from './role_backends/base.js';
import type { RoleManager } from './roles.js';

export type { ListAssignmentsParams } from './listing.js';

/** How a system grant's target is named in errors. */
const SYSTEM_TARGET = 'system';

export interface AssignmentManagerDeps {
  identity: IdentityManager;
  resource: ResourceManager;
  roles: RoleManager;
  events: KeystoneEvents;
  audit: IdentityAudit;
}

export class AssignmentManager {
  private readonly listing: AssignmentListing;

  constructor(private readonly driver: AssignmentDriver, private readonly m: AssignmentManagerDeps) {
    this.listing = new AssignmentListing(driver, m);
    const on = m.events.on.bind(m.events);
    on('project.deleted', ({ projectId }) => driver.deleteProjectAssignments(projectId));
    on('domain.deleted', async ({ domainId }) => {
      await driver.deleteDomainAssignments(domainId);
      await driver.deleteProjectAssignments(domainId);
    });
    on('user.deleted', ({ userId }) => driver.deleteUserAssignments(userId));
    on('group.deleted', async ({ groupId, memberIds }) => {
      const hadRoles = await driver.hasAssignments(groupId);
      await driver.deleteGroupAssignments(groupId);
      if (hadRoles) {
        for (const userId of memberIds) await m.events.emit('user.removed_from_group', { userId, groupId });
      }
    });
    on('role.deleted', ({ roleId }) => driver.deleteRoleAssignments(roleId));
  }

  private async checkActor(g: { userId?: string; groupId?: string }): Promise<void> {
    if (g.userId) await this.m.identity.getUser(g.userId);
    else if (g.groupId) await this.m.identity.getGroup(g.groupId);
  }

  private async checkTarget(g: { domainId?: string; projectId?: string }): Promise<void> {
    if (g.domainId) await this.m.resource.getDomain(g.domainId);
    if (g.projectId) await this.m.resource.getProject(g.projectId);
  }

  private notFound(g: GrantTarget): RoleAssignmentNotFound {
    return new RoleAssignmentNotFound(g.roleId, (g.userId ?? g.groupId)!, (g.domainId ?? g.projectId)!);
  }

  /** PUT .../roles/{role_id}: silent when the grant exists. */
  async createGrant(g: GrantTarget): Promise<void> {
    const role = await this.m.roles.getRole(g.roleId);
    await this.checkActor(g);
    if (g.domainId) await this.m.resource.getDomain(g.domainId);
    if (g.projectId) {
      const project = await this.m.resource.getProject(g.projectId);
      if (role.domain_id && project.domain_id !== role.domain_id) throw new DomainSpecificRoleMismatch(g.roleId, g.projectId);
    }
    await this.driver.createGrant(g);
    this.m.audit.roleAssignment('created', { ...g, inherited: g.inherited ?? false });
  }

  /** HEAD/GET .../roles/{role_id}: the role, or RoleAssignmentNotFound. */
  async getGrant(g: GrantTarget): Promise<RoleRecord> {
    const role = await this.m.roles.getRole(g.roleId);
    await this.checkActor(g);
    await this.checkTarget(g);
    if (!(await this.driver.checkGrant(g))) throw this.notFound(g);
    return role;
  }

  /** GET .../roles: roles granted to the actor on the target. */
  async listGrants(g: Omit<GrantTarget, 'roleId'>): Promise<RoleRecord[]> {
    await this.checkActor(g);
    await this.checkTarget(g);
    return this.m.roles.listRolesFromIds(await this.driver.listGrantRoleIds(g));
  }

  /** DELETE .../roles/{role_id}; revokes the tokens that carried the role. */
  async deleteGrant(g: GrantTarget): Promise<void> {
    await this.m.roles.getRole(g.roleId);
    await this.checkTarget(g);
    if (!(await this.driver.deleteGrant(g))) throw this.notFound(g);
    this.m.audit.roleAssignment('deleted', { ...g, inherited: g.inherited ?? false });
    await this.m.events.emit('assignment.removed', {
      ...(g.userId ? { userId: g.userId } : { groupId: g.groupId! }),
      ...(g.projectId ? { projectId: g.projectId } : { domainId: g.domainId! }),
      roleId: g.roleId,
    });
  }

  /** System grants (/v3/system/users|groups/{id}/roles/{role_id}). */
  async createSystemGrant(actor: SystemActor, roleId: string): Promise<void> {
    const role = await this.m.roles.getRole(roleId);
    if (actor.userId) await this.m.identity.getUser(actor.userId);
    else await this.m.identity.getGroup(actor.groupId!);
    if (role.domain_id) {
      throw new ValidationError(`Role ${roleId} is a domain-specific role. Unable to use a domain-specific role in a system assignment.`);
    }
    await this.driver.createSystemGrant(actor, roleId);
  }

  async checkSystemGrant(actor: SystemActor, roleId: string): Promise<RoleRecord> {
    const role = await this.m.roles.getRole(roleId);
    if (!(await this.driver.checkSystemGrant(actor, roleId))) throw new RoleAssignmentNotFound(roleId, (actor.userId ?? actor.groupId)!, SYSTEM_TARGET);
    return role;
  }

  async listSystemGrants(actor: SystemActor): Promise<RoleRecord[]> {
    return this.m.roles.listRolesFromIds(await this.driver.listSystemGrantRoleIds(actor));
  }

  async deleteSystemGrant(actor: SystemActor, roleId: string): Promise<void> {
    await this.m.roles.getRole(roleId);
    if (!(await this.driver.deleteSystemGrant(actor, roleId))) throw new RoleAssignmentNotFound(roleId, (actor.userId ?? actor.groupId)!, SYSTEM_TARGET);
    await this.m.events.emit('assignment.removed', {
      ...(actor.userId ? { userId: actor.userId } : { groupId: actor.groupId! }), system: true, roleId,
    });
  }

  /** list_role_assignments with upstream's semantics (listing.ts). */
  listRoleAssignments(p: ListAssignmentsParams = {}): Promise<AssignmentRef[]> {
    return this.listing.list(p);
  }

  /** add_implied_roles: a copy of each assignment for every role its role implies. */
  addImpliedRoles(refs: AssignmentRef[]): Promise<AssignmentRef[]> {
    return this.listing.addImpliedRoles(refs);
  }

  /** Effective role ids of a user on a project (get_roles_for_user_and_project). */
  async roleIdsForUserAndProject(userId: string, projectId: string, opts: { stripDomainRoles?: boolean } = {}): Promise<string[]> {
    await this.m.resource.getProject(projectId);
    const refs = await this.listRoleAssignments({ userId, projectId, effective: true, ...(opts.stripDomainRoles === false ? { stripDomainRoles: false } : {}) });
    return [...new Set(refs.map((r) => r.role_id))];
  }

  async roleIdsForUserAndDomain(userId: string, domainId: string): Promise<string[]> {
    await this.m.resource.getDomain(domainId);
    const refs = await this.listRoleAssignments({ userId, domainId, effective: true });
    return [...new Set(refs.map((r) => r.role_id))];
  }

  /** System roles of a user: direct, through groups, plus implied roles. */
  async roleIdsForUserOnSystem(userId: string): Promise<string[]> {
    const groupIds = await this.m.identity.groupIdsForUser(userId);
    const grants = await this.driver.listSystemAssignments({ actorIds: [userId, ...groupIds] });
    const refs = await this.addImpliedRoles(grants.map((r) => ({ role_id: r.role_id })));
    return [...new Set(refs.map((r) => r.role_id))];
  }

  async listProjectsForUser(userId: string): Promise<ProjectRecord[]> {
    const refs = await this.listRoleAssignments({ userId, effective: true });
    return this.m.resource.listProjectsFromIds([...new Set(refs.flatMap((r) => (r.project_id ? [r.project_id] : [])))]);
  }

  async listDomainsForUser(userId: string): Promise<DomainRecord[]> {
    const refs = await this.listRoleAssignments({ userId, effective: true });
    return this.m.resource.listDomainsFromIds([...new Set(refs.flatMap((r) => (r.domain_id ? [r.domain_id] : [])))]);
  }
}
