/**
 * Keystone's default policy rules from keystone/common/policies/ec2tokens.py (deprecated rules
 * dropped). Generated from upstream's rule definitions; check strings are spelled out in full.
 */
import type { RuleDefault } from '../../../common/policy/index.js';

export const ec2tokensRules: RuleDefault[] = [
  {
    name: 'identity:ec2tokens_validate',
    checkStr: 'rule:service_or_admin',
    description: 'Validate EC2 credentials and create a Keystone token. Restricted to service users or administrators.',
    scopeTypes: ['system', 'domain', 'project'],
    operations: [{ path: '/v3/ec2tokens', method: 'POST' }],
  },
];
