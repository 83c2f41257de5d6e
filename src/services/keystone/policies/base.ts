/**
 * Keystone's default policy rules from keystone/common/policies/base.py (deprecated rules
 * dropped). Generated from upstream's rule definitions; check strings are spelled out in full.
 */
import type { RuleDefault } from '../../../common/policy/index.js';

export const baseRules: RuleDefault[] = [
  {
    name: 'admin_required',
    checkStr: 'role:admin or is_admin:1',
  },
  {
    name: 'service_role',
    checkStr: 'role:service',
  },
  {
    name: 'service_or_admin',
    checkStr: 'rule:admin_required or rule:service_role',
  },
  {
    name: 'owner',
    checkStr: 'user_id:%(user_id)s',
  },
  {
    name: 'admin_or_owner',
    checkStr: 'rule:admin_required or rule:owner',
  },
  {
    name: 'token_subject',
    checkStr: 'user_id:%(target.token.user_id)s',
  },
  {
    name: 'admin_or_token_subject',
    checkStr: 'rule:admin_required or rule:token_subject',
  },
  {
    name: 'service_admin_or_token_subject',
    checkStr: 'rule:service_or_admin or rule:token_subject',
  },
];
