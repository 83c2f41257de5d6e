/**
 * Keystone's default policy rules from keystone/common/policies/service_provider.py (deprecated rules
 * dropped). Generated from upstream's rule definitions; check strings are spelled out in full.
 */
import type { RuleDefault } from '../../../common/policy/index.js';

export const serviceProviderRules: RuleDefault[] = [
  {
    name: 'identity:create_service_provider',
    checkStr: 'rule:admin_required',
    description: 'Create federated service provider.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-FEDERATION/service_providers/{service_provider_id}', method: 'PUT' }],
  },
  {
    name: 'identity:list_service_providers',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all)',
    description: 'List federated service providers.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-FEDERATION/service_providers', method: 'GET' }, { path: '/v3/OS-FEDERATION/service_providers', method: 'HEAD' }],
  },
  {
    name: 'identity:get_service_provider',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all)',
    description: 'Get federated service provider.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-FEDERATION/service_providers/{service_provider_id}', method: 'GET' }, { path: '/v3/OS-FEDERATION/service_providers/{service_provider_id}', method: 'HEAD' }],
  },
  {
    name: 'identity:update_service_provider',
    checkStr: 'rule:admin_required',
    description: 'Update federated service provider.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-FEDERATION/service_providers/{service_provider_id}', method: 'PATCH' }],
  },
  {
    name: 'identity:delete_service_provider',
    checkStr: 'rule:admin_required',
    description: 'Delete federated service provider.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-FEDERATION/service_providers/{service_provider_id}', method: 'DELETE' }],
  },
];
