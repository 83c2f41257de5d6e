/**
 * Keystone's default policy rules from keystone/common/policies/ec2_credential.py (deprecated rules
 * dropped). Generated from upstream's rule definitions; check strings are spelled out in full.
 */
import type { RuleDefault } from '../../../common/policy/index.js';

export const ec2CredentialRules: RuleDefault[] = [
  {
    name: 'identity:ec2_get_credential',
    checkStr: '(rule:admin_required) or (role:reader and system_scope:all) or user_id:%(target.credential.user_id)s',
    description: 'Show ec2 credential details.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/users/{user_id}/credentials/OS-EC2/{credential_id}', method: 'GET' }],
  },
  {
    name: 'identity:ec2_list_credentials',
    checkStr: '(rule:admin_required) or (role:reader and system_scope:all) or rule:owner',
    description: 'List ec2 credentials.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/users/{user_id}/credentials/OS-EC2', method: 'GET' }],
  },
  {
    name: 'identity:ec2_create_credential',
    checkStr: '(rule:admin_required) or (role:member and user_id:%(target.credential.user_id)s)',
    description: 'Create ec2 credential.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/users/{user_id}/credentials/OS-EC2', method: 'POST' }],
  },
  {
    name: 'identity:ec2_delete_credential',
    checkStr: '(rule:admin_required) or (role:member and user_id:%(target.credential.user_id)s)',
    description: 'Delete ec2 credential.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/users/{user_id}/credentials/OS-EC2/{credential_id}', method: 'DELETE' }],
  },
];
