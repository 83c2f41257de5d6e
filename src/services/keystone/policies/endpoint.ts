/**
 * Keystone's default policy rules from keystone/common/policies/endpoint.py (deprecated rules
 * dropped). Generated from upstream's rule definitions; check strings are spelled out in full.
 */
import type { RuleDefault } from '../../../common/policy/index.js';

export const endpointRules: RuleDefault[] = [
  {
    name: 'identity:get_endpoint',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all)',
    description: 'Show endpoint details.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/endpoints/{endpoint_id}', method: 'GET' }],
  },
  {
    name: 'identity:list_endpoints',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all)',
    description: 'List endpoints.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/endpoints', method: 'GET' }],
  },
  {
    name: 'identity:create_endpoint',
    checkStr: 'rule:admin_required',
    description: 'Create endpoint.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/endpoints', method: 'POST' }],
  },
  {
    name: 'identity:update_endpoint',
    checkStr: 'rule:admin_required',
    description: 'Update endpoint.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/endpoints/{endpoint_id}', method: 'PATCH' }],
  },
  {
    name: 'identity:delete_endpoint',
    checkStr: 'rule:admin_required',
    description: 'Delete endpoint.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/endpoints/{endpoint_id}', method: 'DELETE' }],
  },
];
