/**
 * Keystone's default policy rules from keystone/common/policies/consumer.py (with the
 * deprecated rules Zed still falls back to). Generated from upstream's rule definitions; check strings are spelled out in full.
 */
import type { RuleDefault } from '../../../common/policy/index.js';

export const consumerRules: RuleDefault[] = [
  {
    name: 'identity:get_consumer',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all)',
    deprecatedRule: { name: 'identity:get_consumer', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The OAUTH1 consumer API is now aware of system scope and default roles.',
    deprecatedSince: 'T',
    description: 'Show OAUTH1 consumer details.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-OAUTH1/consumers/{consumer_id}', method: 'GET' }],
  },
  {
    name: 'identity:list_consumers',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all)',
    deprecatedRule: { name: 'identity:list_consumers', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The OAUTH1 consumer API is now aware of system scope and default roles.',
    deprecatedSince: 'T',
    description: 'List OAUTH1 consumers.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-OAUTH1/consumers', method: 'GET' }],
  },
  {
    name: 'identity:create_consumer',
    checkStr: 'rule:admin_required',
    deprecatedRule: { name: 'identity:create_consumer', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The OAUTH1 consumer API is now aware of system scope and default roles.',
    deprecatedSince: 'T',
    description: 'Create OAUTH1 consumer.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-OAUTH1/consumers', method: 'POST' }],
  },
  {
    name: 'identity:update_consumer',
    checkStr: 'rule:admin_required',
    deprecatedRule: { name: 'identity:update_consumer', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The OAUTH1 consumer API is now aware of system scope and default roles.',
    deprecatedSince: 'T',
    description: 'Update OAUTH1 consumer.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-OAUTH1/consumers/{consumer_id}', method: 'PATCH' }],
  },
  {
    name: 'identity:delete_consumer',
    checkStr: 'rule:admin_required',
    deprecatedRule: { name: 'identity:delete_consumer', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The OAUTH1 consumer API is now aware of system scope and default roles.',
    deprecatedSince: 'T',
    description: 'Delete OAUTH1 consumer.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-OAUTH1/consumers/{consumer_id}', method: 'DELETE' }],
  },
];
