/**
 * Placement's default policy rules (placement/policies/*.py at Zed). The base rules carry
 * upstream's deprecated fallback (`role:admin`), so with Zed's [oslo_policy] defaults
 * (enforce_new_defaults and enforce_scope off) an admin in any scope passes, as a project-scoped
 * admin service user (Nova's) does in a DevStack of that release; with the new defaults on,
 * the system-scoped personas of the secure-RBAC rules are required.
 */
import type { PolicyOperation, RuleDefault } from '../../../common/policy/index.js';

const DEPRECATED_REASON =
  '\nPlacement API policies are introducing new default roles with scope_type\ncapabilities. Old policies are deprecated and ' +
  'silently going to be ignored\nin the placement 6.0.0 (Xena) release.\n';
const DEPRECATED_SINCE = 'W';

/** base.DEPRECATED_ADMIN_POLICY (its name is upstream's literal 'rule:admin_api'). */
const DEPRECATED_ADMIN = { name: 'rule:admin_api', checkStr: 'role:admin', deprecatedReason: DEPRECATED_REASON, deprecatedSince: DEPRECATED_SINCE };

const SYSTEM_ADMIN = 'rule:system_admin_api';
const SYSTEM_READER = 'rule:system_reader_api';
const PROJECT_READER_OR_SYSTEM_READER = 'rule:system_or_project_reader';

const baseRules: RuleDefault[] = [
  {
    name: 'admin_api', checkStr: 'role:admin', description: 'Default rule for most placement APIs.', scopeTypes: ['system'],
    deprecatedForRemoval: true, deprecatedReason: DEPRECATED_REASON, deprecatedSince: DEPRECATED_SINCE,
  },
  { name: 'system_admin_api', checkStr: 'role:admin and system_scope:all', description: 'Default rule for System Admin APIs.', deprecatedRule: DEPRECATED_ADMIN },
  { name: 'system_reader_api', checkStr: 'role:reader and system_scope:all', description: 'Default rule for System level read only APIs.', deprecatedRule: DEPRECATED_ADMIN },
  { name: 'project_reader_api', checkStr: 'role:reader and project_id:%(project_id)s', description: 'Default rule for Project level read only APIs.', deprecatedRule: DEPRECATED_ADMIN },
  { name: 'system_or_project_reader', checkStr: 'rule:system_reader_api or rule:project_reader_api', description: 'Default rule for System+Project read only APIs.', deprecatedRule: DEPRECATED_ADMIN },
];

/** A DocumentedRuleDefault of the system scope. */
function system(name: string, checkStr: string, description: string, ...operations: Array<[method: string, path: string]>): RuleDefault {
  const ops: PolicyOperation[] = operations.map(([method, path]) => ({ method, path }));
  return { name, checkStr, description, scopeTypes: ['system'], operations: ops };
}

const RP = '/resource_providers/{uuid}';
const INV = `${RP}/inventories`;

/** The rule names the handlers enforce. */
export const Rules = {
  RP_LIST: 'placement:resource_providers:list',
  RP_CREATE: 'placement:resource_providers:create',
  RP_SHOW: 'placement:resource_providers:show',
  RP_UPDATE: 'placement:resource_providers:update',
  RP_DELETE: 'placement:resource_providers:delete',
  INV_LIST: 'placement:resource_providers:inventories:list',
  INV_CREATE: 'placement:resource_providers:inventories:create',
  INV_SHOW: 'placement:resource_providers:inventories:show',
  INV_UPDATE: 'placement:resource_providers:inventories:update',
  INV_DELETE: 'placement:resource_providers:inventories:delete',
  AGG_LIST: 'placement:resource_providers:aggregates:list',
  AGG_UPDATE: 'placement:resource_providers:aggregates:update',
  PROVIDER_USAGES: 'placement:resource_providers:usages',
  TOTAL_USAGES: 'placement:usages',
  RC_LIST: 'placement:resource_classes:list',
  RC_CREATE: 'placement:resource_classes:create',
  RC_SHOW: 'placement:resource_classes:show',
  RC_UPDATE: 'placement:resource_classes:update',
  RC_DELETE: 'placement:resource_classes:delete',
  TRAITS_LIST: 'placement:traits:list',
  TRAITS_SHOW: 'placement:traits:show',
  TRAITS_UPDATE: 'placement:traits:update',
  TRAITS_DELETE: 'placement:traits:delete',
  RP_TRAIT_LIST: 'placement:resource_providers:traits:list',
  RP_TRAIT_UPDATE: 'placement:resource_providers:traits:update',
  RP_TRAIT_DELETE: 'placement:resource_providers:traits:delete',
  ALLOC_MANAGE: 'placement:allocations:manage',
  ALLOC_LIST: 'placement:allocations:list',
  ALLOC_UPDATE: 'placement:allocations:update',
  ALLOC_DELETE: 'placement:allocations:delete',
  RP_ALLOC_LIST: 'placement:resource_providers:allocations:list',
  AC_LIST: 'placement:allocation_candidates:list',
  RESHAPE: 'placement:reshaper:reshape',
} as const;

export type RuleName = (typeof Rules)[keyof typeof Rules];

export const placementPolicies: RuleDefault[] = [
  ...baseRules,
  system(Rules.RP_LIST, SYSTEM_READER, 'List resource providers.', ['GET', '/resource_providers']),
  system(Rules.RP_CREATE, SYSTEM_ADMIN, 'Create resource provider.', ['POST', '/resource_providers']),
  system(Rules.RP_SHOW, SYSTEM_READER, 'Show resource provider.', ['GET', RP]),
  system(Rules.RP_UPDATE, SYSTEM_ADMIN, 'Update resource provider.', ['PUT', RP]),
  system(Rules.RP_DELETE, SYSTEM_ADMIN, 'Delete resource provider.', ['DELETE', RP]),
  system(Rules.INV_LIST, SYSTEM_READER, 'List resource provider inventories.', ['GET', INV]),
  system(Rules.INV_CREATE, SYSTEM_ADMIN, 'Create one resource provider inventory.', ['POST', INV]),
  system(Rules.INV_SHOW, SYSTEM_READER, 'Show resource provider inventory.', ['GET', `${INV}/{resource_class}`]),
  system(Rules.INV_UPDATE, SYSTEM_ADMIN, 'Update resource provider inventory.', ['PUT', INV], ['PUT', `${INV}/{resource_class}`]),
  system(Rules.INV_DELETE, SYSTEM_ADMIN, 'Delete resource provider inventory.', ['DELETE', INV], ['DELETE', `${INV}/{resource_class}`]),
  system(Rules.AGG_LIST, SYSTEM_READER, 'List resource provider aggregates.', ['GET', `${RP}/aggregates`]),
  system(Rules.AGG_UPDATE, SYSTEM_ADMIN, 'Update resource provider aggregates.', ['PUT', `${RP}/aggregates`]),
  system(Rules.PROVIDER_USAGES, SYSTEM_READER, 'List resource provider usages.', ['GET', `${RP}/usages`]),
  {
    name: Rules.TOTAL_USAGES, checkStr: PROJECT_READER_OR_SYSTEM_READER, description: 'List total resource usages for a given project.',
    scopeTypes: ['system', 'project'], operations: [{ method: 'GET', path: '/usages' }],
  },
  system(Rules.RC_LIST, SYSTEM_READER, 'List resource classes.', ['GET', '/resource_classes']),
  system(Rules.RC_CREATE, SYSTEM_ADMIN, 'Create resource class.', ['POST', '/resource_classes']),
  system(Rules.RC_SHOW, SYSTEM_READER, 'Show resource class.', ['GET', '/resource_classes/{name}']),
  system(Rules.RC_UPDATE, SYSTEM_ADMIN, 'Update resource class.', ['PUT', '/resource_classes/{name}']),
  system(Rules.RC_DELETE, SYSTEM_ADMIN, 'Delete resource class.', ['DELETE', '/resource_classes/{name}']),
  system(Rules.TRAITS_LIST, SYSTEM_READER, 'List traits.', ['GET', '/traits']),
  system(Rules.TRAITS_SHOW, SYSTEM_READER, 'Show trait.', ['GET', '/traits/{name}']),
  system(Rules.TRAITS_UPDATE, SYSTEM_ADMIN, 'Update trait.', ['PUT', '/traits/{name}']),
  system(Rules.TRAITS_DELETE, SYSTEM_ADMIN, 'Delete trait.', ['DELETE', '/traits/{name}']),
  system(Rules.RP_TRAIT_LIST, SYSTEM_READER, 'List resource provider traits.', ['GET', `${RP}/traits`]),
  system(Rules.RP_TRAIT_UPDATE, SYSTEM_ADMIN, 'Update resource provider traits.', ['PUT', `${RP}/traits`]),
  system(Rules.RP_TRAIT_DELETE, SYSTEM_ADMIN, 'Delete resource provider traits.', ['DELETE', `${RP}/traits`]),
  system(Rules.ALLOC_MANAGE, SYSTEM_ADMIN, 'Manage allocations.', ['POST', '/allocations']),
  system(Rules.ALLOC_LIST, SYSTEM_READER, 'List allocations.', ['GET', '/allocations/{consumer_uuid}']),
  system(Rules.ALLOC_UPDATE, SYSTEM_ADMIN, 'Update allocations.', ['PUT', '/allocations/{consumer_uuid}']),
  system(Rules.ALLOC_DELETE, SYSTEM_ADMIN, 'Delete allocations.', ['DELETE', '/allocations/{consumer_uuid}']),
  system(Rules.RP_ALLOC_LIST, SYSTEM_READER, 'List resource provider allocations.', ['GET', `${RP}/allocations`]),
  system(Rules.AC_LIST, SYSTEM_READER, 'List allocation candidates.', ['GET', '/allocation_candidates']),
  system(Rules.RESHAPE, SYSTEM_ADMIN, 'Reshape Inventory and Allocations.', ['POST', '/reshaper']),
];
