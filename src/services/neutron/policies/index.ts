/**
 * Neutron's policy: the default rules (rules.ts) and the `field:` check kind, with
 * [oslo_policy] enforce_scope and enforce_new_defaults on. The attribute rules neutron builds
 * for each request (`create_network:shared`) are applied by api/policy.ts.
 */
import type { ServicePolicySpec } from '../../../common/policy/index.js';
import { neutronChecks } from './field-check.js';
import { neutronPolicyDefaults } from './rules.js';

export { neutronPolicyDefaults };

export const neutronPolicySpec: ServicePolicySpec = { defaults: neutronPolicyDefaults, checks: neutronChecks, enforceScope: true, enforceNewDefaults: true };
