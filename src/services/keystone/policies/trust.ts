/**
 * Keystone's default policy rules from keystone/common/policies/trust.py (with the
 * deprecated rules Zed still falls back to). Generated from upstream's rule definitions; check strings are spelled out in full.
 */
import type { RuleDefault } from '../../../common/policy/index.js';

export const trustRules: RuleDefault[] = [
  {
    name: 'identity:create_trust',
    checkStr: 'user_id:%(target.trust.trustor_user_id)s',
    description: 'Create trust.',
    scopeTypes: ['project'],
    operations: [{ path: '/v3/OS-TRUST/trusts', method: 'POST' }],
  },
  {
    name: 'identity:list_trusts',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all)',
    deprecatedRule: { name: 'identity:list_trusts', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The trust API is now aware of system scope and default roles.',
    deprecatedSince: 'T',
    description: 'List trusts.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-TRUST/trusts', method: 'GET' }, { path: '/v3/OS-TRUST/trusts', method: 'HEAD' }],
  },
  {
    name: 'identity:list_trusts_for_trustor',
    checkStr: '(rule:admin_required) or (role:reader and system_scope:all or user_id:%(target.trust.trustor_user_id)s)',
    description: 'List trusts for trustor.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-TRUST/trusts?trustor_user_id={trustor_user_id}', method: 'GET' }, { path: '/v3/OS-TRUST/trusts?trustor_user_id={trustor_user_id}', method: 'HEAD' }],
  },
  {
    name: 'identity:list_trusts_for_trustee',
    checkStr: '(rule:admin_required) or (role:reader and system_scope:all or user_id:%(target.trust.trustee_user_id)s)',
    description: 'List trusts for trustee.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-TRUST/trusts?trustee_user_id={trustee_user_id}', method: 'GET' }, { path: '/v3/OS-TRUST/trusts?trustee_user_id={trustee_user_id}', method: 'HEAD' }],
  },
  {
    name: 'identity:list_roles_for_trust',
    checkStr: '(rule:admin_required) or (role:reader and system_scope:all or user_id:%(target.trust.trustor_user_id)s or user_id:%(target.trust.trustee_user_id)s)',
    deprecatedRule: { name: 'identity:list_roles_for_trust', checkStr: 'user_id:%(target.trust.trustor_user_id)s or user_id:%(target.trust.trustee_user_id)s' },
    deprecatedReason: 'The trust API is now aware of system scope and default roles.',
    deprecatedSince: 'T',
    description: 'List roles delegated by a trust.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-TRUST/trusts/{trust_id}/roles', method: 'GET' }, { path: '/v3/OS-TRUST/trusts/{trust_id}/roles', method: 'HEAD' }],
  },
  {
    name: 'identity:get_role_for_trust',
    checkStr: '(rule:admin_required) or (role:reader and system_scope:all or user_id:%(target.trust.trustor_user_id)s or user_id:%(target.trust.trustee_user_id)s)',
    deprecatedRule: { name: 'identity:get_role_for_trust', checkStr: 'user_id:%(target.trust.trustor_user_id)s or user_id:%(target.trust.trustee_user_id)s' },
    deprecatedReason: 'The trust API is now aware of system scope and default roles.',
    deprecatedSince: 'T',
    description: 'Check if trust delegates a particular role.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-TRUST/trusts/{trust_id}/roles/{role_id}', method: 'GET' }, { path: '/v3/OS-TRUST/trusts/{trust_id}/roles/{role_id}', method: 'HEAD' }],
  },
  {
    name: 'identity:delete_trust',
    checkStr: 'rule:admin_required or user_id:%(target.trust.trustor_user_id)s',
    deprecatedRule: { name: 'identity:delete_trust', checkStr: 'user_id:%(target.trust.trustor_user_id)s' },
    deprecatedReason: 'The trust API is now aware of system scope and default roles.',
    deprecatedSince: 'T',
    description: 'Revoke trust.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-TRUST/trusts/{trust_id}', method: 'DELETE' }],
  },
  {
    name: 'identity:get_trust',
    checkStr: '(rule:admin_required) or (role:reader and system_scope:all or user_id:%(target.trust.trustor_user_id)s or user_id:%(target.trust.trustee_user_id)s)',
    deprecatedRule: { name: 'identity:get_trust', checkStr: 'user_id:%(target.trust.trustor_user_id)s or user_id:%(target.trust.trustee_user_id)s' },
    deprecatedReason: 'The trust API is now aware of system scope and default roles.',
    deprecatedSince: 'T',
    description: 'Get trust.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-TRUST/trusts/{trust_id}', method: 'GET' }, { path: '/v3/OS-TRUST/trusts/{trust_id}', method: 'HEAD' }],
  },
];
