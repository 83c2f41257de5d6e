/**
 * Keystone's default policy rules from keystone/common/policies/policy_association.py (deprecated rules
 * dropped). Generated from upstream's rule definitions; check strings are spelled out in full.
 */
import type { RuleDefault } from '../../../common/policy/index.js';

export const policyAssociationRules: RuleDefault[] = [
  {
    name: 'identity:create_policy_association_for_endpoint',
    checkStr: 'rule:admin_required',
    description: 'Associate a policy to a specific endpoint.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/policies/{policy_id}/OS-ENDPOINT-POLICY/endpoints/{endpoint_id}', method: 'PUT' }],
  },
  {
    name: 'identity:check_policy_association_for_endpoint',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all)',
    description: 'Check policy association for endpoint.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/policies/{policy_id}/OS-ENDPOINT-POLICY/endpoints/{endpoint_id}', method: 'GET' }, { path: '/v3/policies/{policy_id}/OS-ENDPOINT-POLICY/endpoints/{endpoint_id}', method: 'HEAD' }],
  },
  {
    name: 'identity:delete_policy_association_for_endpoint',
    checkStr: 'rule:admin_required',
    description: 'Delete policy association for endpoint.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/policies/{policy_id}/OS-ENDPOINT-POLICY/endpoints/{endpoint_id}', method: 'DELETE' }],
  },
  {
    name: 'identity:create_policy_association_for_service',
    checkStr: 'rule:admin_required',
    description: 'Associate a policy to a specific service.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/policies/{policy_id}/OS-ENDPOINT-POLICY/services/{service_id}', method: 'PUT' }],
  },
  {
    name: 'identity:check_policy_association_for_service',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all)',
    description: 'Check policy association for service.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/policies/{policy_id}/OS-ENDPOINT-POLICY/services/{service_id}', method: 'GET' }, { path: '/v3/policies/{policy_id}/OS-ENDPOINT-POLICY/services/{service_id}', method: 'HEAD' }],
  },
  {
    name: 'identity:delete_policy_association_for_service',
    checkStr: 'rule:admin_required',
    description: 'Delete policy association for service.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/policies/{policy_id}/OS-ENDPOINT-POLICY/services/{service_id}', method: 'DELETE' }],
  },
  {
    name: 'identity:create_policy_association_for_region_and_service',
    checkStr: 'rule:admin_required',
    description: 'Associate a policy to a specific region and service combination.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/policies/{policy_id}/OS-ENDPOINT-POLICY/services/{service_id}/regions/{region_id}', method: 'PUT' }],
  },
  {
    name: 'identity:check_policy_association_for_region_and_service',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all)',
    description: 'Check policy association for region and service.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/policies/{policy_id}/OS-ENDPOINT-POLICY/services/{service_id}/regions/{region_id}', method: 'GET' }, { path: '/v3/policies/{policy_id}/OS-ENDPOINT-POLICY/services/{service_id}/regions/{region_id}', method: 'HEAD' }],
  },
  {
    name: 'identity:delete_policy_association_for_region_and_service',
    checkStr: 'rule:admin_required',
    description: 'Delete policy association for region and service.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/policies/{policy_id}/OS-ENDPOINT-POLICY/services/{service_id}/regions/{region_id}', method: 'DELETE' }],
  },
  {
    name: 'identity:get_policy_for_endpoint',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all)',
    description: 'Get policy for endpoint.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/endpoints/{endpoint_id}/OS-ENDPOINT-POLICY/policy', method: 'GET' }, { path: '/v3/endpoints/{endpoint_id}/OS-ENDPOINT-POLICY/policy', method: 'HEAD' }],
  },
  {
    name: 'identity:list_endpoints_for_policy',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all)',
    description: 'List endpoints for policy.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/policies/{policy_id}/OS-ENDPOINT-POLICY/endpoints', method: 'GET' }],
  },
];
