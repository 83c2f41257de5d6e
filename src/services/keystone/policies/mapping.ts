/**
 * Keystone's default policy rules from keystone/common/policies/mapping.py (with the
 * deprecated rules Zed still falls back to). Generated from upstream's rule definitions; check strings are spelled out in full.
 */
import type { RuleDefault } from '../../../common/policy/index.js';

export const mappingRules: RuleDefault[] = [
  {
    name: 'identity:create_mapping',
    checkStr: 'rule:admin_required',
    deprecatedRule: { name: 'identity:create_mapping', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The federated mapping API is now aware of system scope and default roles.',
    deprecatedSince: 'S',
    description: 'Create a new federated mapping containing one or more sets of rules.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-FEDERATION/mappings/{mapping_id}', method: 'PUT' }],
  },
  {
    name: 'identity:get_mapping',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all)',
    deprecatedRule: { name: 'identity:get_mapping', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The federated mapping API is now aware of system scope and default roles.',
    deprecatedSince: 'S',
    description: 'Get a federated mapping.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-FEDERATION/mappings/{mapping_id}', method: 'GET' }, { path: '/v3/OS-FEDERATION/mappings/{mapping_id}', method: 'HEAD' }],
  },
  {
    name: 'identity:list_mappings',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all)',
    deprecatedRule: { name: 'identity:list_mappings', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The federated mapping API is now aware of system scope and default roles.',
    deprecatedSince: 'S',
    description: 'List federated mappings.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-FEDERATION/mappings', method: 'GET' }, { path: '/v3/OS-FEDERATION/mappings', method: 'HEAD' }],
  },
  {
    name: 'identity:delete_mapping',
    checkStr: 'rule:admin_required',
    deprecatedRule: { name: 'identity:delete_mapping', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The federated mapping API is now aware of system scope and default roles.',
    deprecatedSince: 'S',
    description: 'Delete a federated mapping.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-FEDERATION/mappings/{mapping_id}', method: 'DELETE' }],
  },
  {
    name: 'identity:update_mapping',
    checkStr: 'rule:admin_required',
    deprecatedRule: { name: 'identity:update_mapping', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The federated mapping API is now aware of system scope and default roles.',
    deprecatedSince: 'S',
    description: 'Update a federated mapping.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-FEDERATION/mappings/{mapping_id}', method: 'PATCH' }],
  },
];
