/**
 * Keystone's default policy rules from keystone/common/policies/domain.py (with the
 * deprecated rules Zed still falls back to). Generated from upstream's rule definitions; check strings are spelled out in full.
 */
import type { RuleDefault } from '../../../common/policy/index.js';

export const domainRules: RuleDefault[] = [
  {
    name: 'identity:get_domain',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all) or token.domain.id:%(target.domain.id)s or token.project.domain.id:%(target.domain.id)s',
    deprecatedRule: { name: 'identity:get_domain', checkStr: 'rule:admin_required or token.project.domain.id:%(target.domain.id)s' },
    deprecatedReason: 'The domain API is now aware of system scope and default roles.',
    deprecatedSince: 'S',
    description: 'Show domain details.',
    scopeTypes: ['system', 'domain', 'project'],
    operations: [{ path: '/v3/domains/{domain_id}', method: 'GET' }],
  },
  {
    name: 'identity:list_domains',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all)',
    deprecatedRule: { name: 'identity:list_domains', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The domain API is now aware of system scope and default roles.',
    deprecatedSince: 'S',
    description: 'List domains.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/domains', method: 'GET' }],
  },
  {
    name: 'identity:create_domain',
    checkStr: 'rule:admin_required',
    deprecatedRule: { name: 'identity:create_domain', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The domain API is now aware of system scope and default roles.',
    deprecatedSince: 'S',
    description: 'Create domain.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/domains', method: 'POST' }],
  },
  {
    name: 'identity:update_domain',
    checkStr: 'rule:admin_required',
    deprecatedRule: { name: 'identity:update_domain', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The domain API is now aware of system scope and default roles.',
    deprecatedSince: 'S',
    description: 'Update domain.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/domains/{domain_id}', method: 'PATCH' }],
  },
  {
    name: 'identity:delete_domain',
    checkStr: 'rule:admin_required',
    deprecatedRule: { name: 'identity:delete_domain', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The domain API is now aware of system scope and default roles.',
    deprecatedSince: 'S',
    description: 'Delete domain.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/domains/{domain_id}', method: 'DELETE' }],
  },
];
