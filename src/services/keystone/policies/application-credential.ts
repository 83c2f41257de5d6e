/**
 * Keystone's default policy rules from keystone/common/policies/application_credential.py (with the
 * deprecated rules Zed still falls back to). Generated from upstream's rule definitions; check strings are spelled out in full.
 */
import type { RuleDefault } from '../../../common/policy/index.js';

export const applicationCredentialRules: RuleDefault[] = [
  {
    name: 'identity:get_application_credential',
    checkStr: '(rule:admin_required) or (role:reader and system_scope:all) or rule:owner',
    deprecatedRule: { name: 'identity:get_application_credential', checkStr: 'rule:admin_or_owner' },
    deprecatedReason: 'The application credential API is now aware of system scope and default roles.',
    deprecatedSince: 'T',
    description: 'Show application credential details.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/users/{user_id}/application_credentials/{application_credential_id}', method: 'GET' }, { path: '/v3/users/{user_id}/application_credentials/{application_credential_id}', method: 'HEAD' }],
  },
  {
    name: 'identity:list_application_credentials',
    checkStr: '(rule:admin_required) or (role:reader and system_scope:all) or rule:owner',
    deprecatedRule: { name: 'identity:list_application_credentials', checkStr: 'rule:admin_or_owner' },
    deprecatedReason: 'The application credential API is now aware of system scope and default roles.',
    deprecatedSince: 'T',
    description: 'List application credentials for a user.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/users/{user_id}/application_credentials', method: 'GET' }, { path: '/v3/users/{user_id}/application_credentials', method: 'HEAD' }],
  },
  {
    name: 'identity:create_application_credential',
    checkStr: 'user_id:%(user_id)s',
    description: 'Create an application credential.',
    scopeTypes: ['project'],
    operations: [{ path: '/v3/users/{user_id}/application_credentials', method: 'POST' }],
  },
  {
    name: 'identity:delete_application_credential',
    checkStr: 'rule:admin_or_owner',
    deprecatedRule: { name: 'identity:delete_application_credential', checkStr: 'rule:admin_or_owner' },
    deprecatedReason: 'The application credential API is now aware of system scope and default roles.',
    deprecatedSince: 'T',
    description: 'Delete an application credential.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/users/{user_id}/application_credentials/{application_credential_id}', method: 'DELETE' }],
  },
];
