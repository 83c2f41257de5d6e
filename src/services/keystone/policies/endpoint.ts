/**
 * Keystone's default policy rules from keystone/common/policies/endpoint.py (with the
 * deprecated rules Zed still falls back to). Generated from upstream's rule definitions; check strings are spelled out in full.
 */
import type { RuleDefault } from '../../../common/policy/index.js';

export const endpointRules: RuleDefault[] = [
  {
    name: 'identity:get_endpoint',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all)',
    deprecatedRule: { name: 'identity:get_endpoint', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The endpoint API is now aware of system scope and default roles.',
    deprecatedSince: 'S',
    description: 'Show endpoint details.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/endpoints/{endpoint_id}', method: 'GET' }],
  },
  {
    name: 'identity:list_endpoints',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all)',
    deprecatedRule: { name: 'identity:list_endpoints', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The endpoint API is now aware of system scope and default roles.',
    deprecatedSince: 'S',
    description: 'List endpoints.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/endpoints', method: 'GET' }],
  },
  {
    name: 'identity:create_endpoint',
    checkStr: 'rule:admin_required',
    deprecatedRule: { name: 'identity:create_endpoint', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The endpoint API is now aware of system scope and default roles.',
    deprecatedSince: 'S',
    description: 'Create endpoint.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/endpoints', method: 'POST' }],
  },
  {
    name: 'identity:update_endpoint',
    checkStr: 'rule:admin_required',
    deprecatedRule: { name: 'identity:update_endpoint', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The endpoint API is now aware of system scope and default roles.',
    deprecatedSince: 'S',
    description: 'Update endpoint.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/endpoints/{endpoint_id}', method: 'PATCH' }],
  },
  {
    name: 'identity:delete_endpoint',
    checkStr: 'rule:admin_required',
    deprecatedRule: { name: 'identity:delete_endpoint', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The endpoint API is now aware of system scope and default roles.',
    deprecatedSince: 'S',
    description: 'Delete endpoint.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/endpoints/{endpoint_id}', method: 'DELETE' }],
  },
];
