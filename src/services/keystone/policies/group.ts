/**
 * Keystone's default policy rules from keystone/common/policies/group.py (deprecated rules
 * dropped). Generated from upstream's rule definitions; check strings are spelled out in full.
 */
import type { RuleDefault } from '../../../common/policy/index.js';

export const groupRules: RuleDefault[] = [
  {
    name: 'identity:get_group',
    checkStr: '(rule:admin_required) or (role:reader and system_scope:all) or (role:reader and domain_id:%(target.group.domain_id)s)',
    description: 'Show group details.',
    scopeTypes: ['system', 'domain', 'project'],
    operations: [{ path: '/v3/groups/{group_id}', method: 'GET' }, { path: '/v3/groups/{group_id}', method: 'HEAD' }],
  },
  {
    name: 'identity:list_groups',
    checkStr: '(rule:admin_required) or (role:reader and system_scope:all) or (role:reader and domain_id:%(target.group.domain_id)s)',
    description: 'List groups.',
    scopeTypes: ['system', 'domain', 'project'],
    operations: [{ path: '/v3/groups', method: 'GET' }, { path: '/v3/groups', method: 'HEAD' }],
  },
  {
    name: 'identity:list_groups_for_user',
    checkStr: '(rule:admin_required) or (role:reader and system_scope:all) or (role:reader and domain_id:%(target.user.domain_id)s) or user_id:%(user_id)s',
    description: 'List groups to which a user belongs.',
    scopeTypes: ['system', 'domain', 'project'],
    operations: [{ path: '/v3/users/{user_id}/groups', method: 'GET' }, { path: '/v3/users/{user_id}/groups', method: 'HEAD' }],
  },
  {
    name: 'identity:create_group',
    checkStr: '(rule:admin_required) or (role:manager and domain_id:%(target.group.domain_id)s)',
    description: 'Create group.',
    scopeTypes: ['system', 'domain', 'project'],
    operations: [{ path: '/v3/groups', method: 'POST' }],
  },
  {
    name: 'identity:update_group',
    checkStr: '(rule:admin_required) or (role:manager and domain_id:%(target.group.domain_id)s)',
    description: 'Update group.',
    scopeTypes: ['system', 'domain', 'project'],
    operations: [{ path: '/v3/groups/{group_id}', method: 'PATCH' }],
  },
  {
    name: 'identity:delete_group',
    checkStr: '(rule:admin_required) or (role:manager and domain_id:%(target.group.domain_id)s)',
    description: 'Delete group.',
    scopeTypes: ['system', 'domain', 'project'],
    operations: [{ path: '/v3/groups/{group_id}', method: 'DELETE' }],
  },
  {
    name: 'identity:list_users_in_group',
    checkStr: '(rule:admin_required) or (role:reader and system_scope:all) or (role:reader and domain_id:%(target.group.domain_id)s)',
    description: 'List members of a specific group.',
    scopeTypes: ['system', 'domain', 'project'],
    operations: [{ path: '/v3/groups/{group_id}/users', method: 'GET' }, { path: '/v3/groups/{group_id}/users', method: 'HEAD' }],
  },
  {
    name: 'identity:remove_user_from_group',
    checkStr: '(rule:admin_required) or (role:manager and domain_id:%(target.group.domain_id)s and domain_id:%(target.user.domain_id)s)',
    description: 'Remove user from group.',
    scopeTypes: ['system', 'domain', 'project'],
    operations: [{ path: '/v3/groups/{group_id}/users/{user_id}', method: 'DELETE' }],
  },
  {
    name: 'identity:check_user_in_group',
    checkStr: '(rule:admin_required) or (role:reader and system_scope:all) or (role:reader and domain_id:%(target.group.domain_id)s and domain_id:%(target.user.domain_id)s)',
    description: 'Check whether a user is a member of a group.',
    scopeTypes: ['system', 'domain', 'project'],
    operations: [{ path: '/v3/groups/{group_id}/users/{user_id}', method: 'HEAD' }, { path: '/v3/groups/{group_id}/users/{user_id}', method: 'GET' }],
  },
  {
    name: 'identity:add_user_to_group',
    checkStr: '(rule:admin_required) or (role:manager and domain_id:%(target.group.domain_id)s and domain_id:%(target.user.domain_id)s)',
    description: 'Add user to group.',
    scopeTypes: ['system', 'domain', 'project'],
    operations: [{ path: '/v3/groups/{group_id}/users/{user_id}', method: 'PUT' }],
  },
];
