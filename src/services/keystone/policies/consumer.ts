/**
 * Keystone's default policy rules from keystone/common/policies/consumer.py (deprecated rules
 * dropped). Generated from upstream's rule definitions; check strings are spelled out in full.
 */
import type { RuleDefault } from '../../../common/policy/index.js';

export const consumerRules: RuleDefault[] = [
  {
    name: 'identity:get_consumer',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all)',
    description: 'Show OAUTH1 consumer details.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-OAUTH1/consumers/{consumer_id}', method: 'GET' }],
  },
  {
    name: 'identity:list_consumers',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all)',
    description: 'List OAUTH1 consumers.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-OAUTH1/consumers', method: 'GET' }],
  },
  {
    name: 'identity:create_consumer',
    checkStr: 'rule:admin_required',
    description: 'Create OAUTH1 consumer.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-OAUTH1/consumers', method: 'POST' }],
  },
  {
    name: 'identity:update_consumer',
    checkStr: 'rule:admin_required',
    description: 'Update OAUTH1 consumer.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-OAUTH1/consumers/{consumer_id}', method: 'PATCH' }],
  },
  {
    name: 'identity:delete_consumer',
    checkStr: 'rule:admin_required',
    description: 'Delete OAUTH1 consumer.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-OAUTH1/consumers/{consumer_id}', method: 'DELETE' }],
  },
];
