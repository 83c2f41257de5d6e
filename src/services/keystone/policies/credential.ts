/**
 * Keystone's default policy rules from keystone/common/policies/credential.py (with the
 * deprecated rules Zed still falls back to). Generated from upstream's rule definitions; check strings are spelled out in full.
 */
import type { RuleDefault } from '../../../common/policy/index.js';

export const credentialRules: RuleDefault[] = [
  {
    name: 'identity:get_credential',
    checkStr: '(rule:admin_required) or (role:reader and system_scope:all) or user_id:%(target.credential.user_id)s',
    deprecatedRule: { name: 'identity:get_credential', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The credential API is now aware of system scope and default roles.',
    deprecatedSince: 'S',
    description: 'Show credentials details.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/credentials/{credential_id}', method: 'GET' }],
  },
  {
    name: 'identity:list_credentials',
    checkStr: '(rule:admin_required) or (role:reader and system_scope:all) or user_id:%(target.credential.user_id)s',
    deprecatedRule: { name: 'identity:list_credentials', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The credential API is now aware of system scope and default roles.',
    deprecatedSince: 'S',
    description: 'List credentials.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/credentials', method: 'GET' }],
  },
  {
    name: 'identity:create_credential',
    checkStr: '(rule:admin_required) or user_id:%(target.credential.user_id)s',
    deprecatedRule: { name: 'identity:create_credential', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The credential API is now aware of system scope and default roles.',
    deprecatedSince: 'S',
    description: 'Create credential.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/credentials', method: 'POST' }],
  },
  {
    name: 'identity:update_credential',
    checkStr: '(rule:admin_required) or user_id:%(target.credential.user_id)s',
    deprecatedRule: { name: 'identity:update_credential', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The credential API is now aware of system scope and default roles.',
    deprecatedSince: 'S',
    description: 'Update credential.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/credentials/{credential_id}', method: 'PATCH' }],
  },
  {
    name: 'identity:delete_credential',
    checkStr: '(rule:admin_required) or user_id:%(target.credential.user_id)s',
    deprecatedRule: { name: 'identity:delete_credential', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The credential API is now aware of system scope and default roles.',
    deprecatedSince: 'S',
    description: 'Delete credential.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/credentials/{credential_id}', method: 'DELETE' }],
  },
];
