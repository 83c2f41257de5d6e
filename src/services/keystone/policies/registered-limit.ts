/**
 * Keystone's default policy rules from keystone/common/policies/registered_limit.py (deprecated rules
 * dropped). Generated from upstream's rule definitions; check strings are spelled out in full.
 */
import type { RuleDefault } from '../../../common/policy/index.js';

export const registeredLimitRules: RuleDefault[] = [
  {
    name: 'identity:get_registered_limit',
    checkStr: '',
    description: 'Show registered limit details.',
    scopeTypes: ['system', 'domain', 'project'],
    operations: [{ path: '/v3/registered_limits/{registered_limit_id}', method: 'GET' }, { path: '/v3/registered_limits/{registered_limit_id}', method: 'HEAD' }],
  },
  {
    name: 'identity:list_registered_limits',
    checkStr: '',
    description: 'List registered limits.',
    scopeTypes: ['system', 'domain', 'project'],
    operations: [{ path: '/v3/registered_limits', method: 'GET' }, { path: '/v3/registered_limits', method: 'HEAD' }],
  },
  {
    name: 'identity:create_registered_limits',
    checkStr: 'rule:admin_required',
    description: 'Create registered limits.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/registered_limits', method: 'POST' }],
  },
  {
    name: 'identity:update_registered_limit',
    checkStr: 'rule:admin_required',
    description: 'Update registered limit.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/registered_limits/{registered_limit_id}', method: 'PATCH' }],
  },
  {
    name: 'identity:delete_registered_limit',
    checkStr: 'rule:admin_required',
    description: 'Delete registered limit.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/registered_limits/{registered_limit_id}', method: 'DELETE' }],
  },
];
