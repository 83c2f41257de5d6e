/**
 * Keystone's default policy rules from keystone/common/policies/token_revocation.py (deprecated rules
 * dropped). Generated from upstream's rule definitions; check strings are spelled out in full.
 */
import type { RuleDefault } from '../../../common/policy/index.js';

export const tokenRevocationRules: RuleDefault[] = [
  {
    name: 'identity:revocation_list',
    checkStr: 'rule:service_or_admin',
    description: 'List revoked PKI tokens.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/auth/tokens/OS-PKI/revoked', method: 'GET' }],
  },
];
