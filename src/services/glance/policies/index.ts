/**
 * Glance's policy: the default rules (rules.ts) with [oslo_policy] enforce_scope and
 * enforce_new_defaults on, and the image-specific enforcement on top of the common ServicePolicy
 * (image-policy.ts).
 */
import type { ServicePolicySpec } from '../../../common/policy/index.js';
import { glancePolicies } from './rules.js';

export { GlancePolicy, type PolicyTarget } from './image-policy.js';

export const glancePolicySpec: ServicePolicySpec = { defaults: glancePolicies, enforceScope: true, enforceNewDefaults: true };
