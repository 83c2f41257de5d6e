/**
 * Keystone's default policy rules from keystone/common/policies/service.py (deprecated rules
 * dropped). Generated from upstream's rule definitions; check strings are spelled out in full.
 */
import type { RuleDefault } from '../../../common/policy/index.js';

export const serviceRules: RuleDefault[] = [
  {
    name: 'identity:get_service',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all)',
    description: 'Show service details.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/services/{service_id}', method: 'GET' }],
  },
  {
    name: 'identity:list_services',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all)',
    description: 'List services.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/services', method: 'GET' }],
  },
  {
    name: 'identity:create_service',
    checkStr: 'rule:admin_required',
    description: 'Create service.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/services', method: 'POST' }],
  },
  {
    name: 'identity:update_service',
    checkStr: 'rule:admin_required',
    description: 'Update service.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/services/{service_id}', method: 'PATCH' }],
  },
  {
    name: 'identity:delete_service',
    checkStr: 'rule:admin_required',
    description: 'Delete service.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/services/{service_id}', method: 'DELETE' }],
  },
];
