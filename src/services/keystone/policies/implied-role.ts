/**
 * Keystone's default policy rules from keystone/common/policies/implied_role.py (with the
 * deprecated rules Zed still falls back to). Generated from upstream's rule definitions; check strings are spelled out in full.
 */
import type { RuleDefault } from '../../../common/policy/index.js';

export const impliedRoleRules: RuleDefault[] = [
  {
    name: 'identity:get_implied_role',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all)',
    deprecatedRule: { name: 'identity:get_implied_role', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The implied role API is now aware of system scope and default roles.',
    deprecatedSince: 'T',
    description: 'Get information about an association between two roles. When a relationship exists between a prior role and an implied role and the prior role is assigned to a user, the user also assumes the implied role.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/roles/{prior_role_id}/implies/{implied_role_id}', method: 'GET' }],
  },
  {
    name: 'identity:list_implied_roles',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all)',
    deprecatedRule: { name: 'identity:list_implied_roles', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The implied role API is now aware of system scope and default roles.',
    deprecatedSince: 'T',
    description: 'List associations between two roles. When a relationship exists between a prior role and an implied role and the prior role is assigned to a user, the user also assumes the implied role. This will return all the implied roles that would be assumed by the user who gets the specified prior role.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/roles/{prior_role_id}/implies', method: 'GET' }, { path: '/v3/roles/{prior_role_id}/implies', method: 'HEAD' }],
  },
  {
    name: 'identity:create_implied_role',
    checkStr: 'rule:admin_required',
    deprecatedRule: { name: 'identity:create_implied_role', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The implied role API is now aware of system scope and default roles.',
    deprecatedSince: 'T',
    description: 'Create an association between two roles. When a relationship exists between a prior role and an implied role and the prior role is assigned to a user, the user also assumes the implied role.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/roles/{prior_role_id}/implies/{implied_role_id}', method: 'PUT' }],
  },
  {
    name: 'identity:delete_implied_role',
    checkStr: 'rule:admin_required',
    deprecatedRule: { name: 'identity:delete_implied_role', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The implied role API is now aware of system scope and default roles.',
    deprecatedSince: 'T',
    description: 'Delete the association between two roles. When a relationship exists between a prior role and an implied role and the prior role is assigned to a user, the user also assumes the implied role. Removing the association will cause that effect to be eliminated.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/roles/{prior_role_id}/implies/{implied_role_id}', method: 'DELETE' }],
  },
  {
    name: 'identity:list_role_inference_rules',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all)',
    deprecatedRule: { name: 'identity:list_role_inference_rules', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The implied role API is now aware of system scope and default roles.',
    deprecatedSince: 'T',
    description: 'List all associations between two roles in the system. When a relationship exists between a prior role and an implied role and the prior role is assigned to a user, the user also assumes the implied role.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/role_inferences', method: 'GET' }, { path: '/v3/role_inferences', method: 'HEAD' }],
  },
  {
    name: 'identity:check_implied_role',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all)',
    deprecatedRule: { name: 'identity:check_implied_role', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The implied role API is now aware of system scope and default roles.',
    deprecatedSince: 'T',
    description: 'Check an association between two roles. When a relationship exists between a prior role and an implied role and the prior role is assigned to a user, the user also assumes the implied role.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/roles/{prior_role_id}/implies/{implied_role_id}', method: 'HEAD' }],
  },
];
