/**
 * Keystone's default policy rules from keystone/common/policies/policy.py (with the
 * deprecated rules Zed still falls back to). Generated from upstream's rule definitions; check strings are spelled out in full.
 */
import type { RuleDefault } from '../../../common/policy/index.js';

export const policyRules: RuleDefault[] = [
  {
    name: 'identity:get_policy',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all)',
    deprecatedRule: { name: 'identity:get_policy', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The policy API is now aware of system scope and default roles.',
    deprecatedSince: 'T',
    description: 'Show policy details.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/policies/{policy_id}', method: 'GET' }],
  },
  {
    name: 'identity:list_policies',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all)',
    deprecatedRule: { name: 'identity:list_policies', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The policy API is now aware of system scope and default roles.',
    deprecatedSince: 'T',
    description: 'List policies.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/policies', method: 'GET' }],
  },
  {
    name: 'identity:create_policy',
    checkStr: 'rule:admin_required',
    deprecatedRule: { name: 'identity:create_policy', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The policy API is now aware of system scope and default roles.',
    deprecatedSince: 'T',
    description: 'Create policy.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/policies', method: 'POST' }],
  },
  {
    name: 'identity:update_policy',
    checkStr: 'rule:admin_required',
    deprecatedRule: { name: 'identity:update_policy', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The policy API is now aware of system scope and default roles.',
    deprecatedSince: 'T',
    description: 'Update policy.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/policies/{policy_id}', method: 'PATCH' }],
  },
  {
    name: 'identity:delete_policy',
    checkStr: 'rule:admin_required',
    deprecatedRule: { name: 'identity:delete_policy', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The policy API is now aware of system scope and default roles.',
    deprecatedSince: 'T',
    description: 'Delete policy.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/policies/{policy_id}', method: 'DELETE' }],
  },
];
