/**
 * KeystoneProviders (providers.ts) on the identity, resource, assignment and catalog
 * managers: what the token side needs to authenticate users and build tokens. Password checks
 * send `identity.authenticate` (upstream's @notifications.emit_event('authenticate') on
 * identity_api.authenticate).
 */
import type { AssignmentManager } from './assignment/core.js';
import type { RoleRecord } from './assignment/role_backends/base.js';
import type { RoleManager } from './assignment/roles.js';
import type { CatalogManager } from './catalog/core.js';
import { AccountLocked, PasswordExpired } from './errors.js';
import type { UserRecord } from './identity/backends/base.js';
import type { IdentityManager } from './identity/core.js';
import type {
  CatalogServiceBody, DomainRef, KeystoneProviders, ProjectRef, RoleRef, UserRef,
} from './providers.js';
import type { DomainRecord, ProjectRecord } from './resource/backends/base.js';
import type { ResourceManager } from './resource/core.js';
import { silentAudit, type IdentityAudit } from './rpc/audit.js';

/** The managers the providers read. */
export interface ProviderManagers {
  identity: IdentityManager;
  resource: ResourceManager;
  assignments: AssignmentManager;
  roles: RoleManager;
  catalog: CatalogManager;
}

export function userRef(u: UserRecord): UserRef {
  return { id: u.id, name: u.name, domainId: u.domain_id, enabled: u.enabled, passwordExpiresAt: u.password_expires_at, options: u.options };
}

export function domainRef(d: DomainRecord): DomainRef {
  return { id: d.id, name: d.name, enabled: d.enabled };
}

export function projectRef(p: ProjectRecord): ProjectRef {
  return { id: p.id, name: p.name, domainId: p.domain_id ?? p.id, enabled: p.enabled, isDomain: p.is_domain, parentId: p.parent_id };
}

export function roleRef(r: RoleRecord): RoleRef {
  return { id: r.id, name: r.name, domainId: r.domain_id };
}

export class ResourceProviders implements KeystoneProviders {
  constructor(private readonly m: ProviderManagers, private readonly audit: IdentityAudit = silentAudit) {}

  async getUser(userId: string): Promise<UserRef | undefined> {
    const u = await this.m.identity.findUser(userId);
    return u ? userRef(u) : undefined;
  }

  async findUserByName(name: string, domainId: string): Promise<UserRef | undefined> {
    const u = await this.m.identity.findUserByName(name, domainId);
    return u ? userRef(u) : undefined;
  }

  async checkPassword(userId: string, password: string): Promise<void> {
    let user;
    try {
      user = await this.m.identity.authenticate(userId, password);
    } catch (err) {
      // A locked account or an expired password carries its reason (PCI-DSS events).
      const reason = err instanceof AccountLocked || err instanceof PasswordExpired
        ? { reasonType: err.message, reasonCode: String(err.status) } : undefined;
      this.audit.authenticate('failure', { id: userId, name: (await this.m.identity.findUser(userId).catch(() => undefined))?.name ?? '' }, reason);
      throw err;
    }
    this.audit.authenticate('success', { id: userId, name: user.name });
  }

  async getDomain(domainId: string): Promise<DomainRef | undefined> {
    const d = await this.m.resource.findDomain(domainId);
    return d ? domainRef(d) : undefined;
  }

  async findDomainByName(name: string): Promise<DomainRef | undefined> {
    const d = await this.m.resource.findDomainByName(name);
    return d ? domainRef(d) : undefined;
  }

  async getProject(projectId: string): Promise<ProjectRef | undefined> {
    const p = await this.m.resource.findProject(projectId);
    return p ? projectRef(p) : undefined;
  }

  async findProjectByName(name: string, domainId: string): Promise<ProjectRef | undefined> {
    const p = await this.m.resource.findProjectByName(name, domainId);
    return p ? projectRef(p) : undefined;
  }

  async listProjectsForUser(userId: string): Promise<ProjectRef[]> {
    return (await this.m.assignments.listProjectsForUser(userId)).map(projectRef);
  }

  async listDomainsForUser(userId: string): Promise<DomainRef[]> {
    return (await this.m.assignments.listDomainsForUser(userId)).map(domainRef);
  }

  async rolesOnProject(userId: string, projectId: string): Promise<RoleRef[]> {
    if (!(await this.m.resource.findProject(projectId))) return [];
    return (await this.m.roles.listRolesFromIds(await this.m.assignments.roleIdsForUserAndProject(userId, projectId))).map(roleRef);
  }

  async rolesOnDomain(userId: string, domainId: string): Promise<RoleRef[]> {
    if (!(await this.m.resource.findDomain(domainId))) return [];
    return (await this.m.roles.listRolesFromIds(await this.m.assignments.roleIdsForUserAndDomain(userId, domainId))).map(roleRef);
  }

  async rolesOnSystem(userId: string): Promise<RoleRef[]> {
    return (await this.m.roles.listRolesFromIds(await this.m.assignments.roleIdsForUserOnSystem(userId))).map(roleRef);
  }

  async getRole(roleId: string): Promise<RoleRef | undefined> {
    const r = await this.m.roles.findRole(roleId);
    return r ? roleRef(r) : undefined;
  }

  async expandImpliedRoles(roleIds: string[]): Promise<RoleRef[]> {
    return (await this.m.roles.expandImpliedRoles(roleIds)).map(roleRef);
  }

  /**
   * The catalog; with a project (and user) the $(project_id)s / $(user_id)s URL templates are
   * filled in, without one the endpoints that need a project are left out.
   */
  async catalog(projectId?: string, userId?: string): Promise<CatalogServiceBody[]> {
    return this.m.catalog.catalog({ ...(projectId ? { projectId } : {}), ...(userId ? { userId } : {}) });
  }
}
