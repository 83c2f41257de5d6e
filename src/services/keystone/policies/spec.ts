/** Keystone's policy as the launcher loads it: the default rules, [oslo_policy] enforce_scope off as in Zed. */
import type { ServicePolicySpec } from '../../../common/policy/index.js';
import { keystoneDefaultRules } from './index.js';

export const keystonePolicySpec: ServicePolicySpec = { defaults: keystoneDefaultRules, enforceScope: false, enforceNewDefaults: true };
