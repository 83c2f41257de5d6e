/**
 * Keystone's default policy rules from keystone/common/policies/project_endpoint.py (with the
 * deprecated rules Zed still falls back to). Generated from upstream's rule definitions; check strings are spelled out in full.
 */
import type { RuleDefault } from '../../../common/policy/index.js';

export const projectEndpointRules: RuleDefault[] = [
  {
    name: 'identity:list_projects_for_endpoint',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all)',
    deprecatedRule: { name: 'identity:list_projects_for_endpoint', checkStr: 'rule:admin_required' },
    deprecatedReason: 'As of the Train release, the project endpoint API now understands default\nroles and system-scoped tokens, making the API more granular by default without\ncompromising security. The new policy defaults account for these changes\nautomatically. Be sure to take these new defaults into consideration if you are\nrelying on overrides in your deployment for the project endpoint API.',
    deprecatedSince: 'T',
    description: 'List projects allowed to access an endpoint.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-EP-FILTER/endpoints/{endpoint_id}/projects', method: 'GET' }],
  },
  {
    name: 'identity:add_endpoint_to_project',
    checkStr: 'rule:admin_required',
    deprecatedRule: { name: 'identity:add_endpoint_to_project', checkStr: 'rule:admin_required' },
    deprecatedReason: 'As of the Train release, the project endpoint API now understands default\nroles and system-scoped tokens, making the API more granular by default without\ncompromising security. The new policy defaults account for these changes\nautomatically. Be sure to take these new defaults into consideration if you are\nrelying on overrides in your deployment for the project endpoint API.',
    deprecatedSince: 'T',
    description: 'Allow project to access an endpoint.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-EP-FILTER/projects/{project_id}/endpoints/{endpoint_id}', method: 'PUT' }],
  },
  {
    name: 'identity:check_endpoint_in_project',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all)',
    deprecatedRule: { name: 'identity:check_endpoint_in_project', checkStr: 'rule:admin_required' },
    deprecatedReason: 'As of the Train release, the project endpoint API now understands default\nroles and system-scoped tokens, making the API more granular by default without\ncompromising security. The new policy defaults account for these changes\nautomatically. Be sure to take these new defaults into consideration if you are\nrelying on overrides in your deployment for the project endpoint API.',
    deprecatedSince: 'T',
    description: 'Check if a project is allowed to access an endpoint.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-EP-FILTER/projects/{project_id}/endpoints/{endpoint_id}', method: 'GET' }, { path: '/v3/OS-EP-FILTER/projects/{project_id}/endpoints/{endpoint_id}', method: 'HEAD' }],
  },
  {
    name: 'identity:list_endpoints_for_project',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all)',
    deprecatedRule: { name: 'identity:list_endpoints_for_project', checkStr: 'rule:admin_required' },
    deprecatedReason: 'As of the Train release, the project endpoint API now understands default\nroles and system-scoped tokens, making the API more granular by default without\ncompromising security. The new policy defaults account for these changes\nautomatically. Be sure to take these new defaults into consideration if you are\nrelying on overrides in your deployment for the project endpoint API.',
    deprecatedSince: 'T',
    description: 'List the endpoints a project is allowed to access.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-EP-FILTER/projects/{project_id}/endpoints', method: 'GET' }],
  },
  {
    name: 'identity:remove_endpoint_from_project',
    checkStr: 'rule:admin_required',
    deprecatedRule: { name: 'identity:remove_endpoint_from_project', checkStr: 'rule:admin_required' },
    deprecatedReason: 'As of the Train release, the project endpoint API now understands default\nroles and system-scoped tokens, making the API more granular by default without\ncompromising security. The new policy defaults account for these changes\nautomatically. Be sure to take these new defaults into consideration if you are\nrelying on overrides in your deployment for the project endpoint API.',
    deprecatedSince: 'T',
    description: 'Remove access to an endpoint from a project that has previously been given explicit access.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-EP-FILTER/projects/{project_id}/endpoints/{endpoint_id}', method: 'DELETE' }],
  },
];
