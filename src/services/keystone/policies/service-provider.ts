/**
 * Keystone's default policy rules from keystone/common/policies/service_provider.py (with the
 * deprecated rules Zed still falls back to). Generated from upstream's rule definitions; check strings are spelled out in full.
 */
import type { RuleDefault } from '../../../common/policy/index.js';

export const serviceProviderRules: RuleDefault[] = [
  {
    name: 'identity:create_service_provider',
    checkStr: 'rule:admin_required',
    deprecatedRule: { name: 'identity:create_service_provider', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The service provider API is now aware of system scope and default roles.',
    deprecatedSince: 'S',
    description: 'Create federated service provider.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-FEDERATION/service_providers/{service_provider_id}', method: 'PUT' }],
  },
  {
    name: 'identity:list_service_providers',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all)',
    deprecatedRule: { name: 'identity:list_service_providers', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The service provider API is now aware of system scope and default roles.',
    deprecatedSince: 'S',
    description: 'List federated service providers.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-FEDERATION/service_providers', method: 'GET' }, { path: '/v3/OS-FEDERATION/service_providers', method: 'HEAD' }],
  },
  {
    name: 'identity:get_service_provider',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all)',
    deprecatedRule: { name: 'identity:get_service_provider', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The service provider API is now aware of system scope and default roles.',
    deprecatedSince: 'S',
    description: 'Get federated service provider.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-FEDERATION/service_providers/{service_provider_id}', method: 'GET' }, { path: '/v3/OS-FEDERATION/service_providers/{service_provider_id}', method: 'HEAD' }],
  },
  {
    name: 'identity:update_service_provider',
    checkStr: 'rule:admin_required',
    deprecatedRule: { name: 'identity:update_service_provider', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The service provider API is now aware of system scope and default roles.',
    deprecatedSince: 'S',
    description: 'Update federated service provider.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-FEDERATION/service_providers/{service_provider_id}', method: 'PATCH' }],
  },
  {
    name: 'identity:delete_service_provider',
    checkStr: 'rule:admin_required',
    deprecatedRule: { name: 'identity:delete_service_provider', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The service provider API is now aware of system scope and default roles.',
    deprecatedSince: 'S',
    description: 'Delete federated service provider.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-FEDERATION/service_providers/{service_provider_id}', method: 'DELETE' }],
  },
];
