/**
 * Keystone's default policy rules from keystone/common/policies/token.py (with the
 * deprecated rules Zed still falls back to). Generated from upstream's rule definitions; check strings are spelled out in full.
 */
import type { RuleDefault } from '../../../common/policy/index.js';

export const tokenRules: RuleDefault[] = [
  {
    name: 'identity:check_token',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all) or rule:token_subject',
    deprecatedRule: { name: 'identity:check_token', checkStr: 'rule:admin_or_token_subject' },
    deprecatedReason: 'The token API is now aware of system scope and default roles.',
    deprecatedSince: 'T',
    description: 'Check a token.',
    scopeTypes: ['system', 'domain', 'project'],
    operations: [{ path: '/v3/auth/tokens', method: 'HEAD' }],
  },
  {
    name: 'identity:validate_token',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all) or rule:service_role or rule:token_subject',
    deprecatedRule: { name: 'identity:validate_token', checkStr: 'rule:service_admin_or_token_subject' },
    deprecatedReason: 'The token API is now aware of system scope and default roles.',
    deprecatedSince: 'T',
    description: 'Validate a token.',
    scopeTypes: ['system', 'domain', 'project'],
    operations: [{ path: '/v3/auth/tokens', method: 'GET' }],
  },
  {
    name: 'identity:revoke_token',
    checkStr: 'rule:admin_required or rule:token_subject',
    deprecatedRule: { name: 'identity:revoke_token', checkStr: 'rule:admin_or_token_subject' },
    deprecatedReason: 'The token API is now aware of system scope and default roles.',
    deprecatedSince: 'T',
    description: 'Revoke a token.',
    scopeTypes: ['system', 'domain', 'project'],
    operations: [{ path: '/v3/auth/tokens', method: 'DELETE' }],
  },
];
