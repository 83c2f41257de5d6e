/**
 * Keystone's default policy rules from keystone/common/policies/s3tokens.py (deprecated rules
 * dropped). Generated from upstream's rule definitions; check strings are spelled out in full.
 */
import type { RuleDefault } from '../../../common/policy/index.js';

export const s3tokensRules: RuleDefault[] = [
  {
    name: 'identity:s3tokens_validate',
    checkStr: 'rule:service_or_admin',
    description: 'Validate S3 credentials and create a Keystone token. Restricted to service users or administrators to prevent exploitation via presigned URLs.',
    scopeTypes: ['system', 'domain', 'project'],
    operations: [{ path: '/v3/s3tokens', method: 'POST' }],
  },
];
