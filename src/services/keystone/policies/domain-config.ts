/**
 * Keystone's default policy rules from keystone/common/policies/domain_config.py (with the
 * deprecated rules Zed still falls back to). Generated from upstream's rule definitions; check strings are spelled out in full.
 */
import type { RuleDefault } from '../../../common/policy/index.js';

export const domainConfigRules: RuleDefault[] = [
  {
    name: 'identity:create_domain_config',
    checkStr: 'rule:admin_required',
    deprecatedRule: { name: 'identity:create_domain_config', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The domain config API is now aware of system scope and default roles.',
    deprecatedSince: 'T',
    description: 'Create domain configuration.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/domains/{domain_id}/config', method: 'PUT' }],
  },
  {
    name: 'identity:get_domain_config',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all)',
    deprecatedRule: { name: 'identity:get_domain_config', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The domain config API is now aware of system scope and default roles.',
    deprecatedSince: 'T',
    description: 'Get the entire domain configuration for a domain, an option group within a domain, or a specific configuration option within a group for a domain.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/domains/{domain_id}/config', method: 'GET' }, { path: '/v3/domains/{domain_id}/config', method: 'HEAD' }, { path: '/v3/domains/{domain_id}/config/{group}', method: 'GET' }, { path: '/v3/domains/{domain_id}/config/{group}', method: 'HEAD' }, { path: '/v3/domains/{domain_id}/config/{group}/{option}', method: 'GET' }, { path: '/v3/domains/{domain_id}/config/{group}/{option}', method: 'HEAD' }],
  },
  {
    name: 'identity:get_security_compliance_domain_config',
    checkStr: '',
    description: 'Get security compliance domain configuration for either a domain or a specific option in a domain.',
    scopeTypes: ['system', 'domain', 'project'],
    operations: [{ path: '/v3/domains/{domain_id}/config/security_compliance', method: 'GET' }, { path: '/v3/domains/{domain_id}/config/security_compliance', method: 'HEAD' }, { path: '/v3/domains/{domain_id}/config/security_compliance/{option}', method: 'GET' }, { path: '/v3/domains/{domain_id}/config/security_compliance/{option}', method: 'HEAD' }],
  },
  {
    name: 'identity:update_domain_config',
    checkStr: 'rule:admin_required',
    deprecatedRule: { name: 'identity:update_domain_config', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The domain config API is now aware of system scope and default roles.',
    deprecatedSince: 'T',
    description: 'Update domain configuration for either a domain, specific group or a specific option in a group.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/domains/{domain_id}/config', method: 'PATCH' }, { path: '/v3/domains/{domain_id}/config/{group}', method: 'PATCH' }, { path: '/v3/domains/{domain_id}/config/{group}/{option}', method: 'PATCH' }],
  },
  {
    name: 'identity:delete_domain_config',
    checkStr: 'rule:admin_required',
    deprecatedRule: { name: 'identity:delete_domain_config', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The domain config API is now aware of system scope and default roles.',
    deprecatedSince: 'T',
    description: 'Delete domain configuration for either a domain, specific group or a specific option in a group.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/domains/{domain_id}/config', method: 'DELETE' }, { path: '/v3/domains/{domain_id}/config/{group}', method: 'DELETE' }, { path: '/v3/domains/{domain_id}/config/{group}/{option}', method: 'DELETE' }],
  },
  {
    name: 'identity:get_domain_config_default',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all)',
    deprecatedRule: { name: 'identity:get_domain_config_default', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The domain config API is now aware of system scope and default roles.',
    deprecatedSince: 'T',
    description: 'Get domain configuration default for either a domain, specific group or a specific option in a group.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/domains/config/default', method: 'GET' }, { path: '/v3/domains/config/default', method: 'HEAD' }, { path: '/v3/domains/config/{group}/default', method: 'GET' }, { path: '/v3/domains/config/{group}/default', method: 'HEAD' }, { path: '/v3/domains/config/{group}/{option}/default', method: 'GET' }, { path: '/v3/domains/config/{group}/{option}/default', method: 'HEAD' }],
  },
];
