/**
 * Keystone's default policy rules from keystone/common/policies/token.py (deprecated rules
 * dropped). Generated from upstream's rule definitions; check strings are spelled out in full.
 */
import type { RuleDefault } from '../../../common/policy/index.js';

export const tokenRules: RuleDefault[] = [
  {
    name: 'identity:check_token',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all) or rule:token_subject',
    description: 'Check a token.',
    scopeTypes: ['system', 'domain', 'project'],
    operations: [{ path: '/v3/auth/tokens', method: 'HEAD' }],
  },
  {
    name: 'identity:validate_token',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all) or rule:service_role or rule:token_subject',
    description: 'Validate a token.',
    scopeTypes: ['system', 'domain', 'project'],
    operations: [{ path: '/v3/auth/tokens', method: 'GET' }],
  },
  {
    name: 'identity:revoke_token',
    checkStr: 'rule:admin_required or rule:token_subject',
    description: 'Revoke a token.',
    scopeTypes: ['system', 'domain', 'project'],
    operations: [{ path: '/v3/auth/tokens', method: 'DELETE' }],
  },
];
