/**
 * `KeystoneProviders`: what the token side (token provider, authentication) needs from the
 * identity, resource, assignment and catalog managers (resource-providers.ts implements it),
 * with the views of users, projects, domains and roles it works on.
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
