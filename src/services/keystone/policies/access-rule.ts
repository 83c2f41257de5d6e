/**
 * Keystone's default policy rules from keystone/common/policies/access_rule.py (deprecated rules
 * dropped). Generated from upstream's rule definitions; check strings are spelled out in full.
 */
import type { RuleDefault } from '../../../common/policy/index.js';

export const accessRuleRules: RuleDefault[] = [
  {
    name: 'identity:get_access_rule',
    checkStr: '(role:reader and system_scope:all) or user_id:%(target.user.id)s',
    description: 'Show access rule details.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/users/{user_id}/access_rules/{access_rule_id}', method: 'GET' }, { path: '/v3/users/{user_id}/access_rules/{access_rule_id}', method: 'HEAD' }],
  },
  {
    name: 'identity:list_access_rules',
    checkStr: '(role:reader and system_scope:all) or user_id:%(target.user.id)s',
    description: 'List access rules for a user.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/users/{user_id}/access_rules', method: 'GET' }, { path: '/v3/users/{user_id}/access_rules', method: 'HEAD' }],
  },
  {
    name: 'identity:delete_access_rule',
    checkStr: '(role:admin and system_scope:all) or user_id:%(target.user.id)s',
    description: 'Delete an access_rule.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/users/{user_id}/access_rules/{access_rule_id}', method: 'DELETE' }],
  },
];
