/**
 * Keystone's default policy rules from keystone/common/policies/ec2_credential.py (with the
 * deprecated rules Zed still falls back to). Generated from upstream's rule definitions; check strings are spelled out in full.
 */
import type { RuleDefault } from '../../../common/policy/index.js';

export const ec2CredentialRules: RuleDefault[] = [
  {
    name: 'identity:ec2_get_credential',
    checkStr: '(rule:admin_required) or (role:reader and system_scope:all) or user_id:%(target.credential.user_id)s',
    deprecatedRule: { name: 'identity:ec2_get_credential', checkStr: 'rule:admin_required or (rule:owner and user_id:%(target.credential.user_id)s)' },
    deprecatedReason: 'The EC2 credential API is now aware of system scope and default roles.',
    deprecatedSince: 'T',
    description: 'Show ec2 credential details.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/users/{user_id}/credentials/OS-EC2/{credential_id}', method: 'GET' }],
  },
  {
    name: 'identity:ec2_list_credentials',
    checkStr: '(rule:admin_required) or (role:member and user_id:%(target.credential.user_id)s)',
    deprecatedRule: { name: 'identity:ec2_list_credentials', checkStr: 'rule:admin_or_owner' },
    deprecatedReason: 'The EC2 credential API is now aware of system scope and default roles.',
    deprecatedSince: 'T',
    description: 'List ec2 credentials.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/users/{user_id}/credentials/OS-EC2', method: 'GET' }],
  },
  {
    name: 'identity:ec2_create_credential',
    checkStr: '(rule:admin_required) or (role:member and user_id:%(target.credential.user_id)s)',
    deprecatedRule: { name: 'identity:ec2_create_credential', checkStr: 'rule:admin_or_owner' },
    deprecatedReason: 'The EC2 credential API is now aware of system scope and default roles.',
    deprecatedSince: 'T',
    description: 'Create ec2 credential.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/users/{user_id}/credentials/OS-EC2', method: 'POST' }],
  },
  {
    name: 'identity:ec2_delete_credential',
    checkStr: '(rule:admin_required) or user_id:%(target.credential.user_id)s',
    deprecatedRule: { name: 'identity:ec2_delete_credential', checkStr: 'rule:admin_required or (rule:owner and user_id:%(target.credential.user_id)s)' },
    deprecatedReason: 'The EC2 credential API is now aware of system scope and default roles.',
    deprecatedSince: 'T',
    description: 'Delete ec2 credential.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/users/{user_id}/credentials/OS-EC2/{credential_id}', method: 'DELETE' }],
  },
];
