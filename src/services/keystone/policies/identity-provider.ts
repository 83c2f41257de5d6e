/**
 * Keystone's default policy rules from keystone/common/policies/identity_provider.py (with the
 * deprecated rules Zed still falls back to). Generated from upstream's rule definitions; check strings are spelled out in full.
 */
import type { RuleDefault } from '../../../common/policy/index.js';

export const identityProviderRules: RuleDefault[] = [
  {
    name: 'identity:create_identity_provider',
    checkStr: 'rule:admin_required',
    deprecatedRule: { name: 'identity:create_identity_provider', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The identity provider API is now aware of system scope and default roles.',
    deprecatedSince: 'S',
    description: 'Create identity provider.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-FEDERATION/identity_providers/{idp_id}', method: 'PUT' }],
  },
  {
    name: 'identity:list_identity_providers',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all)',
    deprecatedRule: { name: 'identity:list_identity_providers', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The identity provider API is now aware of system scope and default roles.',
    deprecatedSince: 'S',
    description: 'List identity providers.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-FEDERATION/identity_providers', method: 'GET' }, { path: '/v3/OS-FEDERATION/identity_providers', method: 'HEAD' }],
  },
  {
    name: 'identity:get_identity_provider',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all)',
    deprecatedRule: { name: 'identity:get_identity_provider', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The identity provider API is now aware of system scope and default roles.',
    deprecatedSince: 'S',
    description: 'Get identity provider.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-FEDERATION/identity_providers/{idp_id}', method: 'GET' }, { path: '/v3/OS-FEDERATION/identity_providers/{idp_id}', method: 'HEAD' }],
  },
  {
    name: 'identity:update_identity_provider',
    checkStr: 'rule:admin_required',
    deprecatedRule: { name: 'identity:update_identity_provider', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The identity provider API is now aware of system scope and default roles.',
    deprecatedSince: 'S',
    description: 'Update identity provider.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-FEDERATION/identity_providers/{idp_id}', method: 'PATCH' }],
  },
  {
    name: 'identity:delete_identity_provider',
    checkStr: 'rule:admin_required',
    deprecatedRule: { name: 'identity:delete_identity_provider', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The identity provider API is now aware of system scope and default roles.',
    deprecatedSince: 'S',
    description: 'Delete identity provider.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-FEDERATION/identity_providers/{idp_id}', method: 'DELETE' }],
  },
];
