/**
 * What Keystone's subsystems share:
 *  - `KeystoneProviders`: what the token side (token provider, authentication) needs from the
 *    identity, resource, assignment and catalog managers (resource-providers.ts implements it);
 *  - `KeystoneEvents`: the internal event callbacks (upstream's
 *    notifications.register_event_callback). Managers depend on the few managers below them
 *    (identity on resource, assignment on identity, ...); effects in the other direction go
 *    through these events: a manager emits what happened, and the managers that keep
 *    something about it register a callback (deleting a project removes its assignments,
 *    credentials, limits and trusts; deleting a user its credentials, application credentials
 *    and trusts; changes that invalidate tokens revoke them).
 */
export interface DomainRef { id: string; name: string; enabled: boolean }
export interface ProjectRef { id: string; name: string; domainId: string; enabled: boolean; isDomain: boolean; parentId: string | null }
export interface UserRef {
  id: string;
  name: string;
  domainId: string;
  enabled: boolean;
  /** ISO time the password expires, or null. */
  passwordExpiresAt: string | null;
  options: Record<string, unknown>;
}
export interface RoleRef { id: string; name: string; domainId: string | null }

/** One service of the catalog as it appears in a token body. */
export interface CatalogServiceBody {
  id: string;
  type: string;
  name: string;
  endpoints: Array<{ id: string; interface: string; region: string | null; region_id: string | null; url: string }>;
}

export interface KeystoneProviders {
  /** Users. */
  getUser(userId: string): Promise<UserRef | undefined>;
  findUserByName(name: string, domainId: string): Promise<UserRef | undefined>;
  /**
   * Check a password, applying [security_compliance] (lockout after N failures, password
   * expiry, must-change-on-first-use). Throws Unauthorized with Keystone's messages on failure.
   */
  checkPassword(userId: string, password: string): Promise<void>;

  /** Domains and projects. */
  getDomain(domainId: string): Promise<DomainRef | undefined>;
  findDomainByName(name: string): Promise<DomainRef | undefined>;
  getProject(projectId: string): Promise<ProjectRef | undefined>;
  findProjectByName(name: string, domainId: string): Promise<ProjectRef | undefined>;
  /** Projects (and domains) the user has any effective role on, for /v3/auth/projects. */
  listProjectsForUser(userId: string): Promise<ProjectRef[]>;
  listDomainsForUser(userId: string): Promise<DomainRef[]>;

  /** Effective roles (groups, inheritance and implied roles expanded). */
  rolesOnProject(userId: string, projectId: string): Promise<RoleRef[]>;
  rolesOnDomain(userId: string, domainId: string): Promise<RoleRef[]>;
  rolesOnSystem(userId: string): Promise<RoleRef[]>;
  getRole(roleId: string): Promise<RoleRef | undefined>;
  /** Expand a set of role ids with the roles they imply. */
  expandImpliedRoles(roleIds: string[]): Promise<RoleRef[]>;

  /** The catalog as shown in tokens and GET /v3/auth/catalog. */
  catalog(): Promise<CatalogServiceBody[]>;
}

export type KeystoneEventMap = {
  /** Password changed or reset: every token of the user issued before now is revoked. */
  'user.password_changed': [{ userId: string }];
  'user.disabled': [{ userId: string }];
  'user.deleted': [{ userId: string }];
  'project.disabled': [{ projectId: string }];
  'project.deleted': [{ projectId: string }];
  'domain.disabled': [{ domainId: string }];
  'domain.deleted': [{ domainId: string }];
  /** A role assignment went away (user on project/domain/system, or a whole group's). */
  'assignment.removed': [{ userId?: string; groupId?: string; projectId?: string; domainId?: string; system?: boolean; roleId: string }];
  'user.removed_from_group': [{ userId: string; groupId: string }];
  'role.deleted': [{ roleId: string }];
  /** Internal, before a domain is deleted: its groups and users are deleted (upstream's DOMAIN_DELETED). */
  'domain.deleting': [{ domainId: string }];
  /** A group was deleted; `memberIds` were its members. */
  'group.deleted': [{ groupId: string; memberIds: string[] }];
  'trust.deleted': [{ trustId: string }];
  'application_credential.deleted': [{ id: string }];
};

type Handler<K extends keyof KeystoneEventMap> = (...args: KeystoneEventMap[K]) => Promise<void> | void;

/**
 * Keystone's internal event callbacks. `emit` awaits every handler, so a change that revokes
 * tokens (password change, role removal, disable) has taken effect before the API answers.
 */
export class KeystoneEvents {
  private readonly handlers = new Map<keyof KeystoneEventMap, Array<Handler<any>>>();

  on<K extends keyof KeystoneEventMap>(event: K, handler: Handler<K>): void {
    const list = this.handlers.get(event) ?? [];
    list.push(handler);
    this.handlers.set(event, list);
  }

  async emit<K extends keyof KeystoneEventMap>(event: K, ...args: KeystoneEventMap[K]): Promise<void> {
    for (const h of this.handlers.get(event) ?? []) await h(...args);
  }
}
