/**
 * The resource side's option groups, named and defaulted as keystone/conf/*.py. Options that
 * upstream leaves unset (None) use 0 or '' here to mean "not set" (said in each help text).
 */
import { defineGroup, opt, type GroupDef, type OptMap, type Values } from '../../common/config/index.js';
import { driverOption } from './lib/drivers.js';

export const identityGroup = defineGroup('identity', 'Identity backend (users, groups, passwords)', {
  driver: driverOption('identity (users and groups)'),
  default_domain_id: opt.str('default', 'The domain used by v2-style requests and when no domain is given; created by bootstrap.'),
  password_hash_algorithm: opt.enum(['bcrypt', 'bcrypt_sha256', 'scrypt', 'pbkdf2_sha512'], 'bcrypt',
    'The password hashing algorithm to use for passwords stored within keystone.'),
  password_hash_rounds: opt.int(0,
    'Rounds of the hash: bcrypt 4-31 (default 12), scrypt log2(N) 1-31 (default 16), pbkdf2_sha512 iterations (default 25000). 0: the algorithm default.',
    { min: 0 }),
  salt_bytesize: opt.int(0, 'Salt bytes for scrypt and pbkdf2_sha512 (0: 16).', { min: 0, max: 96 }),
  scrypt_block_size: opt.int(0, 'scrypt r parameter (0: 8).', { min: 0 }),
  scrypt_parallelism: opt.int(0, 'scrypt p parameter (0: 1).', { min: 0 }),
  max_password_length: opt.int(4096, 'Maximum allowed length for user passwords (bcrypt uses at most 72 bytes).', { min: 1 }),
  list_limit: opt.int(0, 'Maximum number of entities returned in an identity collection (0: no limit).', { min: 0 }),
});

export const securityComplianceGroup = defineGroup('security_compliance', 'Password and account security policies', {
  disable_user_account_days_inactive: opt.int(0, 'Days of inactivity after which a user is disabled (0: never).', { min: 0 }),
  lockout_failure_attempts: opt.int(0, 'Failed authentication attempts before the user is locked (0: no lockout).', { min: 0 }),
  lockout_duration: opt.int(1800, 'Seconds a user stays locked after lockout_failure_attempts failures (0: until an admin enables the user).', { min: 0 }),
  password_expires_days: opt.int(0, 'Days a password stays valid before it must be changed (0: never expires).', { min: 0 }),
  unique_last_password_count: opt.int(0, 'Number of previous passwords (including the new one) that must be unique (0 or 1: no history check).', { min: 0 }),
  minimum_password_age: opt.int(0, 'Days a password must be used before the user can change it again.', { min: 0 }),
  password_regex: opt.str('', 'Regular expression new passwords must match (empty: no check).'),
  password_regex_description: opt.str('', 'Human-readable description of password_regex, shown when a password does not match.'),
  change_password_upon_first_use: opt.bool(false, 'Users must change a password set by an administrator before using it.'),
});

export const resourceGroup = defineGroup('resource', 'Domains and projects', {
  driver: driverOption('resource (domains and projects)'),
  list_limit: opt.int(0, 'Maximum number of entities returned in a resource collection (0: no limit).', { min: 0 }),
  admin_project_domain_name: opt.str('', 'Domain of the cloud admin project (is_admin_project in tokens).'),
  admin_project_name: opt.str('', 'Name of the cloud admin project (is_admin_project in tokens).'),
  max_project_tree_depth: opt.int(5, 'Maximum depth of the project hierarchy, excluding the domain.', { min: 1 }),
  project_name_url_safe: opt.enum(['off', 'new', 'strict'], 'off', 'Reject project names with URL reserved characters (new: on create and rename).'),
  domain_name_url_safe: opt.enum(['off', 'new', 'strict'], 'off', 'Reject domain names with URL reserved characters (new: on create and rename).'),
});

export const assignmentGroup = defineGroup('assignment', 'Roles and role assignments', {
  driver: driverOption('role assignment'),
  prohibited_implied_role: opt.list(['admin'], 'Roles that may not be implied by another role.'),
  list_limit: opt.int(0, 'Maximum number of roles returned in a collection (0: no limit).', { min: 0 }),
});

export const roleGroup = defineGroup('role', 'Roles and implied roles', {
  driver: driverOption('role'),
});

export const catalogGroup = defineGroup('catalog', 'Service catalog', {
  driver: driverOption('catalog (regions, services, endpoints)'),
  list_limit: opt.int(0, 'Maximum number of entities returned in a catalog collection (0: no limit).', { min: 0 }),
});

export const endpointFilterGroup = defineGroup('endpoint_filter', 'Endpoint filtering (OS-EP-FILTER)', {
  driver: driverOption('endpoint filter (project endpoints and endpoint groups)'),
});

export const endpointPolicyGroup = defineGroup('endpoint_policy', 'Endpoint policies (OS-ENDPOINT-POLICY)', {
  driver: driverOption('endpoint policy (policies associated with endpoints, services and regions)'),
});

export const credentialGroup = defineGroup('credential', 'Credentials API', {
  driver: driverOption('credential'),
  encrypt: opt.bool(true, 'Encrypt credential blobs at rest (AES-256-GCM with a key kept in <data_dir>/keystone-credential-key).'),
  user_limit: opt.int(-1, 'Maximum number of credentials per user (-1: unlimited).', { min: -1 }),
  auth_ttl: opt.int(15, 'Minutes a signed EC2/S3 request stays valid after its timestamp (ec2tokens, s3tokens).', { min: 0 }),
});

export const unifiedLimitGroup = defineGroup('unified_limit', 'Unified limits', {
  driver: driverOption('unified limit'),
  enforcement_model: opt.enum(['flat', 'strict_two_level'], 'flat', 'The enforcement model for project limits.'),
  list_limit: opt.int(0, 'Maximum number of limits returned in a collection (0: no limit).', { min: 0 }),
});

export const domainConfigGroup = defineGroup('domain_config', 'Domain-specific configuration stored in the database', {
  driver: driverOption('domain configuration'),
});

export const policyGroup = defineGroup('policy', 'Policy blobs (/v3/policies)', {
  driver: driverOption('policy'),
});

export const oauth1Group = defineGroup('oauth1', 'OAuth1 consumers', {
  driver: driverOption('OAuth1'),
});

/** Every group of the resource side, for Config.load. */
export const resourceConfigGroups = [
  identityGroup, securityComplianceGroup, resourceGroup, assignmentGroup, roleGroup, catalogGroup, endpointFilterGroup, endpointPolicyGroup, credentialGroup,
  unifiedLimitGroup, domainConfigGroup, policyGroup, oauth1Group,
] as const;

export type IdentityOptions = Values<typeof identityGroup.opts>;
export type SecurityComplianceOptions = Values<typeof securityComplianceGroup.opts>;
export type ResourceOptions = Values<typeof resourceGroup.opts>;
export type AssignmentOptions = Values<typeof assignmentGroup.opts>;
export type RoleOptions = Values<typeof roleGroup.opts>;
export type CatalogOptions = Values<typeof catalogGroup.opts>;
export type EndpointFilterOptions = Values<typeof endpointFilterGroup.opts>;
export type EndpointPolicyOptions = Values<typeof endpointPolicyGroup.opts>;
export type CredentialOptions = Values<typeof credentialGroup.opts>;
export type UnifiedLimitOptions = Values<typeof unifiedLimitGroup.opts>;
export type DomainConfigOptions = Values<typeof domainConfigGroup.opts>;
export type PolicyOptions = Values<typeof policyGroup.opts>;
export type OAuth1Options = Values<typeof oauth1Group.opts>;

/** The resolved options the managers read (a plain object, so tests can build one). */
export interface ResourceConfig {
  identity: IdentityOptions;
  securityCompliance: SecurityComplianceOptions;
  resource: ResourceOptions;
  assignment: AssignmentOptions;
  role: RoleOptions;
  catalog: CatalogOptions;
  endpointFilter: EndpointFilterOptions;
  endpointPolicy: EndpointPolicyOptions;
  credential: CredentialOptions;
  unifiedLimit: UnifiedLimitOptions;
  domainConfig: DomainConfigOptions;
  policy: PolicyOptions;
  oauth1: OAuth1Options;
}

/** The managers' view of a loaded Config (every group above must have been loaded). */
export function resourceConfigFrom(config: { get: <S extends OptMap>(g: GroupDef<S>) => Values<S> }): ResourceConfig {
  return {
    identity: config.get(identityGroup),
    securityCompliance: config.get(securityComplianceGroup),
    resource: config.get(resourceGroup),
    assignment: config.get(assignmentGroup),
    role: config.get(roleGroup),
    catalog: config.get(catalogGroup),
    endpointFilter: config.get(endpointFilterGroup),
    endpointPolicy: config.get(endpointPolicyGroup),
    credential: config.get(credentialGroup),
    unifiedLimit: config.get(unifiedLimitGroup),
    domainConfig: config.get(domainConfigGroup),
    policy: config.get(policyGroup),
    oauth1: config.get(oauth1Group),
  };
}

function defaults<S extends OptMap>(group: GroupDef<S>): Values<S> {
  const out: Record<string, unknown> = {};
  for (const [key, o] of Object.entries(group.opts)) out[key] = o.parse(o.defaultRaw);
  return out as Values<S>;
}

type Overrides = { [K in keyof ResourceConfig]?: Partial<ResourceConfig[K]> };

/** Upstream defaults, with some options changed (tests and tools). */
export function defaultResourceConfig(overrides: Overrides = {}): ResourceConfig {
  return {
    identity: { ...defaults(identityGroup), ...overrides.identity },
    securityCompliance: { ...defaults(securityComplianceGroup), ...overrides.securityCompliance },
    resource: { ...defaults(resourceGroup), ...overrides.resource },
    assignment: { ...defaults(assignmentGroup), ...overrides.assignment },
    role: { ...defaults(roleGroup), ...overrides.role },
    catalog: { ...defaults(catalogGroup), ...overrides.catalog },
    endpointFilter: { ...defaults(endpointFilterGroup), ...overrides.endpointFilter },
    endpointPolicy: { ...defaults(endpointPolicyGroup), ...overrides.endpointPolicy },
    credential: { ...defaults(credentialGroup), ...overrides.credential },
    unifiedLimit: { ...defaults(unifiedLimitGroup), ...overrides.unifiedLimit },
    domainConfig: { ...defaults(domainConfigGroup), ...overrides.domainConfig },
    policy: { ...defaults(policyGroup), ...overrides.policy },
    oauth1: { ...defaults(oauth1Group), ...overrides.oauth1 },
  };
}
