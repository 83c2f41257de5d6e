/** Keystone's policy as the launcher loads it: the default rules, [oslo_policy] enforce_scope and
 * enforce_new_defaults off as in Zed (a changed default accepts its deprecated check string too). */
import type { ServicePolicySpec } from '../../../common/policy/index.js';
import { keystoneDefaultRules } from './index.js';

export const keystonePolicySpec: ServicePolicySpec = { defaults: keystoneDefaultRules, enforceScope: false, enforceNewDefaults: false };
