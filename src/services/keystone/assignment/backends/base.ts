/**
 * The assignment driver interface (keystone/assignment/backends/base.py AssignmentDriverBase):
 * role grants to users and groups on projects and domains (optionally inherited down the
 * tree) and on the system. The AssignmentManager (../core.ts) checks the actors, targets and
 * roles exist and computes effective assignments; the driver stores and lists grants.
 */

/** One assignment, in upstream's internal dict form. */
export interface AssignmentRef {
  user_id?: string;
  group_id?: string;
  project_id?: string;
  domain_id?: string;
  system?: { all: true };
  role_id: string;
  inherited_to_projects?: 'projects';
  indirect?: { group_id?: string; project_id?: string; domain_id?: string; role_id?: string };
  [name: string]: unknown;
}

/** A grant of a role to a user or group on a project or domain. */
export interface GrantTarget {
  roleId: string;
  userId?: string;
  groupId?: string;
  domainId?: string;
  projectId?: string;
  inherited?: boolean;
}

/** The grantee of a system grant. */
export interface SystemActor {
  userId?: string;
  groupId?: string;
}

/** What list_role_assignments filters on (each given filter must match). */
export interface GrantQuery {
  roleId?: string;
  userId?: string;
  groupIds?: string[];
  domainId?: string;
  projectIds?: string[];
  /** true: only inherited grants; false: only direct ones. */
  inherited?: boolean;
}

export interface SystemGrantQuery {
  userId?: string;
  groupId?: string;
  /** Any of these users or groups. */
  actorIds?: string[];
  roleId?: string;
}

export interface AssignmentDriver {
  /** Granting an existing grant is not an error. */
  createGrant(g: GrantTarget): Promise<void>;
  checkGrant(g: GrantTarget): Promise<boolean>;
  /** The ids of the roles granted to the actor on the target. */
  listGrantRoleIds(g: Omit<GrantTarget, 'roleId'>): Promise<string[]>;
  /** Whether there was such a grant. */
  deleteGrant(g: GrantTarget): Promise<boolean>;
  /** Project and domain grants, ordered by actor, target and role. */
  listRoleAssignments(q: GrantQuery): Promise<AssignmentRef[]>;

  createSystemGrant(actor: SystemActor, roleId: string): Promise<void>;
  checkSystemGrant(actor: SystemActor, roleId: string): Promise<boolean>;
  listSystemGrantRoleIds(actor: SystemActor): Promise<string[]>;
  deleteSystemGrant(actor: SystemActor, roleId: string): Promise<boolean>;
  /** System grants as assignments ({user_id or group_id, role_id, system}), ordered by actor and role. */
  listSystemAssignments(q: SystemGrantQuery): Promise<AssignmentRef[]>;

  /** Whether a user or group has any grant. */
  hasAssignments(actorId: string): Promise<boolean>;
  deleteProjectAssignments(projectId: string): Promise<void>;
  deleteDomainAssignments(domainId: string): Promise<void>;
  deleteUserAssignments(userId: string): Promise<void>;
  deleteGroupAssignments(groupId: string): Promise<void>;
  deleteRoleAssignments(roleId: string): Promise<void>;
}
