/**
 * Keystone's default policy rules from keystone/common/policies/user.py (with the
 * deprecated rules Zed still falls back to). Generated from upstream's rule definitions; check strings are spelled out in full.
 */
import type { RuleDefault } from '../../../common/policy/index.js';

export const userRules: RuleDefault[] = [
  {
    name: 'identity:get_user',
    checkStr: '(rule:admin_required) or (role:reader and system_scope:all) or (role:reader and token.domain.id:%(target.user.domain_id)s) or user_id:%(target.user.id)s',
    deprecatedRule: { name: 'identity:get_user', checkStr: 'rule:admin_or_owner' },
    deprecatedReason: 'The user API is now aware of system scope and default roles.',
    deprecatedSince: 'S',
    description: 'Show user details.',
    scopeTypes: ['system', 'domain', 'project'],
    operations: [{ path: '/v3/users/{user_id}', method: 'GET' }, { path: '/v3/users/{user_id}', method: 'HEAD' }],
  },
  {
    name: 'identity:list_users',
    checkStr: '(rule:admin_required) or (role:reader and system_scope:all) or (role:reader and domain_id:%(target.domain_id)s)',
    deprecatedRule: { name: 'identity:list_users', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The user API is now aware of system scope and default roles.',
    deprecatedSince: 'S',
    description: 'List users.',
    scopeTypes: ['system', 'domain', 'project'],
    operations: [{ path: '/v3/users', method: 'GET' }, { path: '/v3/users', method: 'HEAD' }],
  },
  {
    name: 'identity:list_projects_for_user',
    checkStr: '',
    description: 'List all projects a user has access to via role assignments.',
    operations: [{ path: '/v3/auth/projects', method: 'GET' }],
  },
  {
    name: 'identity:list_domains_for_user',
    checkStr: '',
    description: 'List all domains a user has access to via role assignments.',
    operations: [{ path: '/v3/auth/domains', method: 'GET' }],
  },
  {
    name: 'identity:create_user',
    checkStr: 'rule:admin_required',
    deprecatedRule: { name: 'identity:create_user', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The user API is now aware of system scope and default roles.',
    deprecatedSince: 'S',
    description: 'Create a user.',
    scopeTypes: ['system', 'domain', 'project'],
    operations: [{ path: '/v3/users', method: 'POST' }],
  },
  {
    name: 'identity:update_user',
    checkStr: 'rule:admin_required',
    deprecatedRule: { name: 'identity:update_user', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The user API is now aware of system scope and default roles.',
    deprecatedSince: 'S',
    description: 'Update a user, including administrative password resets.',
    scopeTypes: ['system', 'domain', 'project'],
    operations: [{ path: '/v3/users/{user_id}', method: 'PATCH' }],
  },
  {
    name: 'identity:delete_user',
    checkStr: 'rule:admin_required',
    deprecatedRule: { name: 'identity:delete_user', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The user API is now aware of system scope and default roles.',
    deprecatedSince: 'S',
    description: 'Delete a user.',
    scopeTypes: ['system', 'domain', 'project'],
    operations: [{ path: '/v3/users/{user_id}', method: 'DELETE' }],
  },
];
