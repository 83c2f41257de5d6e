/**
 * Keystone's default policy rules from keystone/common/policies/domain.py (deprecated rules
 * dropped). Generated from upstream's rule definitions; check strings are spelled out in full.
 */
import type { RuleDefault } from '../../../common/policy/index.js';

export const domainRules: RuleDefault[] = [
  {
    name: 'identity:get_domain',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all) or token.domain.id:%(target.domain.id)s or token.project.domain.id:%(target.domain.id)s',
    description: 'Show domain details.',
    scopeTypes: ['system', 'domain', 'project'],
    operations: [{ path: '/v3/domains/{domain_id}', method: 'GET' }],
  },
  {
    name: 'identity:list_domains',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all) or (role:reader and domain_id:%(target.domain.id)s)',
    description: 'List domains.',
    scopeTypes: ['system', 'domain', 'project'],
    operations: [{ path: '/v3/domains', method: 'GET' }],
  },
  {
    name: 'identity:create_domain',
    checkStr: 'rule:admin_required',
    description: 'Create domain.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/domains', method: 'POST' }],
  },
  {
    name: 'identity:update_domain',
    checkStr: 'rule:admin_required',
    description: 'Update domain.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/domains/{domain_id}', method: 'PATCH' }],
  },
  {
    name: 'identity:delete_domain',
    checkStr: 'rule:admin_required',
    description: 'Delete domain.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/domains/{domain_id}', method: 'DELETE' }],
  },
];
