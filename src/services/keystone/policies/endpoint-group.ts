/**
 * Keystone's default policy rules from keystone/common/policies/endpoint_group.py (deprecated rules
 * dropped). Generated from upstream's rule definitions; check strings are spelled out in full.
 */
import type { RuleDefault } from '../../../common/policy/index.js';

export const endpointGroupRules: RuleDefault[] = [
  {
    name: 'identity:create_endpoint_group',
    checkStr: 'rule:admin_required',
    description: 'Create endpoint group.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-EP-FILTER/endpoint_groups', method: 'POST' }],
  },
  {
    name: 'identity:list_endpoint_groups',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all)',
    description: 'List endpoint groups.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-EP-FILTER/endpoint_groups', method: 'GET' }],
  },
  {
    name: 'identity:get_endpoint_group',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all)',
    description: 'Get endpoint group.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}', method: 'GET' }, { path: '/v3/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}', method: 'HEAD' }],
  },
  {
    name: 'identity:update_endpoint_group',
    checkStr: 'rule:admin_required',
    description: 'Update endpoint group.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}', method: 'PATCH' }],
  },
  {
    name: 'identity:delete_endpoint_group',
    checkStr: 'rule:admin_required',
    description: 'Delete endpoint group.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}', method: 'DELETE' }],
  },
  {
    name: 'identity:list_projects_associated_with_endpoint_group',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all)',
    description: 'List all projects associated with a specific endpoint group.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}/projects', method: 'GET' }],
  },
  {
    name: 'identity:list_endpoints_associated_with_endpoint_group',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all)',
    description: 'List all endpoints associated with an endpoint group.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}/endpoints', method: 'GET' }],
  },
  {
    name: 'identity:get_endpoint_group_in_project',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all)',
    description: 'Check if an endpoint group is associated with a project.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}/projects/{project_id}', method: 'GET' }, { path: '/v3/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}/projects/{project_id}', method: 'HEAD' }],
  },
  {
    name: 'identity:list_endpoint_groups_for_project',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all)',
    description: 'List endpoint groups associated with a specific project.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-EP-FILTER/projects/{project_id}/endpoint_groups', method: 'GET' }],
  },
  {
    name: 'identity:add_endpoint_group_to_project',
    checkStr: 'rule:admin_required',
    description: 'Allow a project to access an endpoint group.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}/projects/{project_id}', method: 'PUT' }],
  },
  {
    name: 'identity:remove_endpoint_group_from_project',
    checkStr: 'rule:admin_required',
    description: 'Remove endpoint group from project.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}/projects/{project_id}', method: 'DELETE' }],
  },
];
