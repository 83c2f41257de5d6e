/**
 * Keystone's default policy rules from keystone/common/policies/region.py (with the
 * deprecated rules Zed still falls back to). Generated from upstream's rule definitions; check strings are spelled out in full.
 */
import type { RuleDefault } from '../../../common/policy/index.js';

export const regionRules: RuleDefault[] = [
  {
    name: 'identity:get_region',
    checkStr: '',
    description: 'Show region details.',
    scopeTypes: ['system', 'domain', 'project'],
    operations: [{ path: '/v3/regions/{region_id}', method: 'GET' }, { path: '/v3/regions/{region_id}', method: 'HEAD' }],
  },
  {
    name: 'identity:list_regions',
    checkStr: '',
    description: 'List regions.',
    scopeTypes: ['system', 'domain', 'project'],
    operations: [{ path: '/v3/regions', method: 'GET' }, { path: '/v3/regions', method: 'HEAD' }],
  },
  {
    name: 'identity:create_region',
    checkStr: 'rule:admin_required',
    deprecatedRule: { name: 'identity:create_region', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The region API is now aware of system scope and default roles.',
    deprecatedSince: 'S',
    description: 'Create region.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/regions', method: 'POST' }, { path: '/v3/regions/{region_id}', method: 'PUT' }],
  },
  {
    name: 'identity:update_region',
    checkStr: 'rule:admin_required',
    deprecatedRule: { name: 'identity:update_region', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The region API is now aware of system scope and default roles.',
    deprecatedSince: 'S',
    description: 'Update region.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/regions/{region_id}', method: 'PATCH' }],
  },
  {
    name: 'identity:delete_region',
    checkStr: 'rule:admin_required',
    deprecatedRule: { name: 'identity:delete_region', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The region API is now aware of system scope and default roles.',
    deprecatedSince: 'S',
    description: 'Delete region.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/regions/{region_id}', method: 'DELETE' }],
  },
];
