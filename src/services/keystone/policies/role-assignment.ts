/**
 * Keystone's default policy rules from keystone/common/policies/role_assignment.py (with the
 * deprecated rules Zed still falls back to). Generated from upstream's rule definitions; check strings are spelled out in full.
 */
import type { RuleDefault } from '../../../common/policy/index.js';

export const roleAssignmentRules: RuleDefault[] = [
  {
    name: 'identity:list_role_assignments',
    checkStr: '(rule:admin_required) or (role:reader and system_scope:all) or (role:reader and domain_id:%(target.domain_id)s and not None:%(target.domain_id)s)',
    deprecatedRule: { name: 'identity:list_role_assignments', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The assignment API is now aware of system scope and default roles.',
    deprecatedSince: 'S',
    description: 'List role assignments.',
    scopeTypes: ['system', 'domain', 'project'],
    operations: [{ path: '/v3/role_assignments', method: 'GET' }, { path: '/v3/role_assignments', method: 'HEAD' }],
  },
  {
    name: 'identity:list_role_assignments_for_tree',
    checkStr: '(rule:admin_required) or (role:reader and system_scope:all) or (role:reader and domain_id:%(target.domain_id)s and not None:%(target.domain_id)s)',
    deprecatedRule: { name: 'identity:list_role_assignments_for_tree', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The assignment API is now aware of system scope and default roles.',
    deprecatedSince: 'T',
    description: 'List all role assignments for a given tree of hierarchical projects.',
    scopeTypes: ['system', 'domain', 'project'],
    operations: [{ path: '/v3/role_assignments?include_subtree', method: 'GET' }, { path: '/v3/role_assignments?include_subtree', method: 'HEAD' }],
  },
];
