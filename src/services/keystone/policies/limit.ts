/**
 * Keystone's default policy rules from keystone/common/policies/limit.py (deprecated rules
 * dropped). Generated from upstream's rule definitions; check strings are spelled out in full.
 */
import type { RuleDefault } from '../../../common/policy/index.js';

export const limitRules: RuleDefault[] = [
  {
    name: 'identity:get_limit_model',
    checkStr: '',
    description: 'Get limit enforcement model.',
    scopeTypes: ['system', 'domain', 'project'],
    operations: [{ path: '/v3/limits/model', method: 'GET' }, { path: '/v3/limits/model', method: 'HEAD' }],
  },
  {
    name: 'identity:get_limit',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all) or (domain_id:%(target.limit.domain.id)s or domain_id:%(target.limit.project.domain_id)s) or (project_id:%(target.limit.project_id)s and not None:%(target.limit.project_id)s)',
    description: 'Show limit details.',
    scopeTypes: ['system', 'domain', 'project'],
    operations: [{ path: '/v3/limits/{limit_id}', method: 'GET' }, { path: '/v3/limits/{limit_id}', method: 'HEAD' }],
  },
  {
    name: 'identity:list_limits',
    checkStr: '',
    description: 'List limits.',
    scopeTypes: ['system', 'domain', 'project'],
    operations: [{ path: '/v3/limits', method: 'GET' }, { path: '/v3/limits', method: 'HEAD' }],
  },
  {
    name: 'identity:create_limits',
    checkStr: 'rule:admin_required',
    description: 'Create limits.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/limits', method: 'POST' }],
  },
  {
    name: 'identity:update_limit',
    checkStr: 'rule:admin_required',
    description: 'Update limit.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/limits/{limit_id}', method: 'PATCH' }],
  },
  {
    name: 'identity:delete_limit',
    checkStr: 'rule:admin_required',
    description: 'Delete limit.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/limits/{limit_id}', method: 'DELETE' }],
  },
];
