/**
 * Keystone's default policy rules from keystone/common/policies/role.py (deprecated rules
 * dropped). Generated from upstream's rule definitions; check strings are spelled out in full.
 */
import type { RuleDefault } from '../../../common/policy/index.js';

export const roleRules: RuleDefault[] = [
  {
    name: 'identity:get_role',
    checkStr: '(rule:admin_required or (role:reader and system_scope:all)) or (role:manager and rule:domain_managed_target_role)',
    description: 'Show role details.',
    scopeTypes: ['system', 'domain', 'project'],
    operations: [{ path: '/v3/roles/{role_id}', method: 'GET' }, { path: '/v3/roles/{role_id}', method: 'HEAD' }],
  },
  {
    name: 'identity:list_roles',
    checkStr: '(rule:admin_required or (role:reader and system_scope:all)) or (role:manager and not domain_id:None)',
    description: 'List roles.',
    scopeTypes: ['system', 'domain', 'project'],
    operations: [{ path: '/v3/roles', method: 'GET' }, { path: '/v3/roles', method: 'HEAD' }],
  },
  {
    name: 'identity:create_role',
    checkStr: 'rule:admin_required',
    description: 'Create role.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/roles', method: 'POST' }],
  },
  {
    name: 'identity:update_role',
    checkStr: 'rule:admin_required',
    description: 'Update role.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/roles/{role_id}', method: 'PATCH' }],
  },
  {
    name: 'identity:delete_role',
    checkStr: 'rule:admin_required',
    description: 'Delete role.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/roles/{role_id}', method: 'DELETE' }],
  },
  {
    name: 'identity:get_domain_role',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all)',
    description: 'Show domain role.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/roles/{role_id}', method: 'GET' }, { path: '/v3/roles/{role_id}', method: 'HEAD' }],
  },
  {
    name: 'identity:list_domain_roles',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all)',
    description: 'List domain roles.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/roles?domain_id={domain_id}', method: 'GET' }, { path: '/v3/roles?domain_id={domain_id}', method: 'HEAD' }],
  },
  {
    name: 'identity:create_domain_role',
    checkStr: 'rule:admin_required',
    description: 'Create domain role.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/roles', method: 'POST' }],
  },
  {
    name: 'identity:update_domain_role',
    checkStr: 'rule:admin_required',
    description: 'Update domain role.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/roles/{role_id}', method: 'PATCH' }],
  },
  {
    name: 'identity:delete_domain_role',
    checkStr: 'rule:admin_required',
    description: 'Delete domain role.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/roles/{role_id}', method: 'DELETE' }],
  },
];
