/**
 * Keystone's default policy rules from keystone/common/policies/revoke_event.py (deprecated rules
 * dropped). Generated from upstream's rule definitions; check strings are spelled out in full.
 */
import type { RuleDefault } from '../../../common/policy/index.js';

export const revokeEventRules: RuleDefault[] = [
  {
    name: 'identity:list_revoke_events',
    checkStr: 'rule:service_or_admin',
    description: 'List revocation events.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-REVOKE/events', method: 'GET' }],
  },
];
