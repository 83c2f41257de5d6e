/**
 * Check strings for the personas every service's policy defaults are written with, named as
 * upstream names them (keystone/common/policies/base.py, nova/policies/base.py,
 * neutron/conf/policies/base.py). Keystone's and each service's own rules live in the
 * service's folder and are built from these.
 *
 * Targets are the service's: the project personas compare the token's project with the
 * target's `project_id`, as nova, cinder and neutron do.
 */

/** Anyone (nova's RULE_ANY). */
export const RULE_ANY = '@';
/** Nobody (nova's RULE_NOBODY). */
export const RULE_NOBODY = '!';

/** The admin role in any scope (what nova's `context_is_admin` rule checks). */
export const ADMIN = 'role:admin';
/** The service role: other services calling with a service user (keystone's `service_role`). */
export const SERVICE = 'role:service';

/** Highest authority over the deployment: admin on a system-scoped token. */
export const SYSTEM_ADMIN = 'role:admin and system_scope:all';
/** A system user who is not an administrator. */
export const SYSTEM_MEMBER = 'role:member and system_scope:all';
/** Read-only access to system-level resources (auditing, support). */
export const SYSTEM_READER = 'role:reader and system_scope:all';

/** Admin of the target's project. */
export const PROJECT_ADMIN = 'role:admin and project_id:%(project_id)s';
/** Manager of the target's project (nova's `project_manager_api`). */
export const PROJECT_MANAGER = 'role:manager and project_id:%(project_id)s';
/** A typical end user working in the target's project (nova's `project_member_api`). */
export const PROJECT_MEMBER = 'role:member and project_id:%(project_id)s';
/** Read-only access to the target's project (nova's `project_reader_api`). */
export const PROJECT_READER = 'role:reader and project_id:%(project_id)s';

/** The user the target belongs to (keystone's RULE_OWNER / `owner`). */
export const OWNER = 'user_id:%(user_id)s';

/**
 * nova's legacy `admin_or_owner`: the admin context or anyone in the target's project. Kept
 * for deprecated rules (nova deprecated it in 21.0.0 for the role-based personas below).
 */
export const ADMIN_OR_OWNER = 'is_admin:True or project_id:%(project_id)s';
/** nova's legacy `admin_api`: the admin context. Kept for deprecated rules. */
export const ADMIN_API = 'is_admin:True';

/** Combines check strings with `or`, parenthesising each (neutron's policy_or). */
export function policyOr(...checks: string[]): string {
  return checks.map(groupCheckStr).join(' or ');
}

/** Combines check strings with `and`, parenthesising each (neutron's policy_and). */
export function policyAnd(...checks: string[]): string {
  return checks.map(groupCheckStr).join(' and ');
}

/** A check string made safe to combine: parenthesised when compound, `@` when empty. */
export function groupCheckStr(check: string): string {
  const trimmed = check.trim();
  if (trimmed === '') return '@';
  return /\s/.test(trimmed) ? `(${trimmed})` : trimmed;
}

/** nova's `project_manager_or_admin`. */
export const PROJECT_MANAGER_OR_ADMIN = policyOr(PROJECT_MANAGER, ADMIN);
/** nova's `project_member_or_admin`: project resources, writes. */
export const PROJECT_MEMBER_OR_ADMIN = policyOr(PROJECT_MEMBER, ADMIN);
/** nova's `project_reader_or_admin`: project resources, reads. */
export const PROJECT_READER_OR_ADMIN = policyOr(PROJECT_READER, ADMIN);
/** neutron's SYSTEM_ADMIN_OR_PROJECT_MEMBER. */
export const SYSTEM_ADMIN_OR_PROJECT_MEMBER = policyOr(SYSTEM_ADMIN, PROJECT_MEMBER);
/** neutron's SYSTEM_OR_PROJECT_READER. */
export const SYSTEM_OR_PROJECT_READER = policyOr(SYSTEM_READER, PROJECT_READER);
/** keystone's RULE_ADMIN_OR_SYSTEM_READER with the admin rule spelled out. */
export const ADMIN_OR_SYSTEM_READER = policyOr(ADMIN, SYSTEM_READER);
/** keystone's RULE_SYSTEM_ADMIN_OR_OWNER. */
export const SYSTEM_ADMIN_OR_OWNER = policyOr(SYSTEM_ADMIN, OWNER);
/** Other services or an admin (keystone's `service_or_admin` spelled out). */
export const SERVICE_OR_ADMIN = policyOr(ADMIN, SERVICE);
