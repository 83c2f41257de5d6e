/**
 * Keystone's default policy rules from keystone/common/policies/project.py (deprecated rules
 * dropped). Generated from upstream's rule definitions; check strings are spelled out in full.
 */
import type { RuleDefault } from '../../../common/policy/index.js';

export const projectRules: RuleDefault[] = [
  {
    name: 'identity:get_project',
    checkStr: '(rule:admin_required) or (role:reader and system_scope:all) or (role:reader and domain_id:%(target.project.domain_id)s and not None:%(target.project.domain_id)s) or project_id:%(target.project.id)s',
    description: 'Show project details.',
    scopeTypes: ['system', 'domain', 'project'],
    operations: [{ path: '/v3/projects/{project_id}', method: 'GET' }],
  },
  {
    name: 'identity:list_projects',
    checkStr: '(rule:admin_required) or (role:reader and system_scope:all) or (role:reader and domain_id:%(target.domain_id)s)',
    description: 'List projects.',
    scopeTypes: ['system', 'domain', 'project'],
    operations: [{ path: '/v3/projects', method: 'GET' }],
  },
  {
    name: 'identity:list_user_projects',
    checkStr: '(rule:admin_required) or (role:reader and system_scope:all) or (role:reader and domain_id:%(target.user.domain_id)s) or user_id:%(target.user.id)s',
    description: 'List projects for user.',
    scopeTypes: ['system', 'domain', 'project'],
    operations: [{ path: '/v3/users/{user_id}/projects', method: 'GET' }],
  },
  {
    name: 'identity:create_project',
    checkStr: '(rule:admin_required) or (role:manager and domain_id:%(target.project.domain_id)s and not None:%(target.project.domain_id)s)',
    description: 'Create project.',
    scopeTypes: ['system', 'domain', 'project'],
    operations: [{ path: '/v3/projects', method: 'POST' }],
  },
  {
    name: 'identity:update_project',
    checkStr: '(rule:admin_required) or (role:manager and domain_id:%(target.project.domain_id)s and not None:%(target.project.domain_id)s)',
    description: 'Update project.',
    scopeTypes: ['system', 'domain', 'project'],
    operations: [{ path: '/v3/projects/{project_id}', method: 'PATCH' }],
  },
  {
    name: 'identity:delete_project',
    checkStr: '(rule:admin_required) or (role:manager and domain_id:%(target.project.domain_id)s and not None:%(target.project.domain_id)s)',
    description: 'Delete project.',
    scopeTypes: ['system', 'domain', 'project'],
    operations: [{ path: '/v3/projects/{project_id}', method: 'DELETE' }],
  },
  {
    name: 'identity:list_project_tags',
    checkStr: '(rule:admin_required) or (role:reader and system_scope:all) or (role:reader and domain_id:%(target.project.domain_id)s and not None:%(target.project.domain_id)s) or project_id:%(target.project.id)s',
    description: 'List tags for a project.',
    scopeTypes: ['system', 'domain', 'project'],
    operations: [{ path: '/v3/projects/{project_id}/tags', method: 'GET' }, { path: '/v3/projects/{project_id}/tags', method: 'HEAD' }],
  },
  {
    name: 'identity:get_project_tag',
    checkStr: '(rule:admin_required) or (role:reader and system_scope:all) or (role:reader and domain_id:%(target.project.domain_id)s and not None:%(target.project.domain_id)s) or project_id:%(target.project.id)s',
    description: 'Check if project contains a tag.',
    scopeTypes: ['system', 'domain', 'project'],
    operations: [{ path: '/v3/projects/{project_id}/tags/{value}', method: 'GET' }, { path: '/v3/projects/{project_id}/tags/{value}', method: 'HEAD' }],
  },
  {
    name: 'identity:update_project_tags',
    checkStr: '(rule:admin_required) or (role:manager and domain_id:%(target.project.domain_id)s and not None:%(target.project.domain_id)s)',
    description: 'Replace all tags on a project with the new set of tags.',
    scopeTypes: ['system', 'domain', 'project'],
    operations: [{ path: '/v3/projects/{project_id}/tags', method: 'PUT' }],
  },
  {
    name: 'identity:create_project_tag',
    checkStr: '(rule:admin_required) or (role:manager and domain_id:%(target.project.domain_id)s and not None:%(target.project.domain_id)s)',
    description: 'Add a single tag to a project.',
    scopeTypes: ['system', 'domain', 'project'],
    operations: [{ path: '/v3/projects/{project_id}/tags/{value}', method: 'PUT' }],
  },
  {
    name: 'identity:delete_project_tags',
    checkStr: '(rule:admin_required) or (role:manager and domain_id:%(target.project.domain_id)s and not None:%(target.project.domain_id)s)',
    description: 'Remove all tags from a project.',
    scopeTypes: ['system', 'domain', 'project'],
    operations: [{ path: '/v3/projects/{project_id}/tags', method: 'DELETE' }],
  },
  {
    name: 'identity:delete_project_tag',
    checkStr: '(rule:admin_required) or (role:manager and domain_id:%(target.project.domain_id)s and not None:%(target.project.domain_id)s)',
    description: 'Delete a specified tag from project.',
    scopeTypes: ['system', 'domain', 'project'],
    operations: [{ path: '/v3/projects/{project_id}/tags/{value}', method: 'DELETE' }],
  },
];
