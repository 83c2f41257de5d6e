/**
 * Keystone's default policy rules from keystone/common/policies/service.py (with the
 * deprecated rules Zed still falls back to). Generated from upstream's rule definitions; check strings are spelled out in full.
 */
import type { RuleDefault } from '../../../common/policy/index.js';

export const serviceRules: RuleDefault[] = [
  {
    name: 'identity:get_service',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all)',
    deprecatedRule: { name: 'identity:get_service', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The service API is now aware of system scope and default roles.',
    deprecatedSince: 'S',
    description: 'Show service details.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/services/{service_id}', method: 'GET' }],
  },
  {
    name: 'identity:list_services',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all)',
    deprecatedRule: { name: 'identity:list_services', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The service API is now aware of system scope and default roles.',
    deprecatedSince: 'S',
    description: 'List services.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/services', method: 'GET' }],
  },
  {
    name: 'identity:create_service',
    checkStr: 'rule:admin_required',
    deprecatedRule: { name: 'identity:create_service', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The service API is now aware of system scope and default roles.',
    deprecatedSince: 'S',
    description: 'Create service.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/services', method: 'POST' }],
  },
  {
    name: 'identity:update_service',
    checkStr: 'rule:admin_required',
    deprecatedRule: { name: 'identity:update_service', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The service API is now aware of system scope and default roles.',
    deprecatedSince: 'S',
    description: 'Update service.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/services/{service_id}', method: 'PATCH' }],
  },
  {
    name: 'identity:delete_service',
    checkStr: 'rule:admin_required',
    deprecatedRule: { name: 'identity:delete_service', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The service API is now aware of system scope and default roles.',
    deprecatedSince: 'S',
    description: 'Delete service.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/services/{service_id}', method: 'DELETE' }],
  },
];
