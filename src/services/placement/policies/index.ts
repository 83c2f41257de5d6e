/**
 * Placement's policy: its default rules with Zed's [oslo_policy] defaults (placement 8.0 ran
 * with oslo.policy's enforce_scope and enforce_new_defaults off), and `can()` as
 * placement/context.py has it: the target defaults to the caller's own project and user, a
 * denial is PolicyNotAuthorized (403 "Policy does not allow <rule> to be performed.").
 */
import type { RequestContext } from '../../../common/context.js';
import type { ServicePolicy, ServicePolicySpec } from '../../../common/policy/index.js';
import { PolicyNotAuthorized } from '../errors.js';
import { placementPolicies, type RuleName } from './rules.js';

export { Rules, type RuleName } from './rules.js';

export const placementPolicySpec: ServicePolicySpec = { defaults: placementPolicies, enforceScope: false, enforceNewDefaults: false, suppressDefaultChangeWarnings: true };

/** Denials of the policy file loader. */
export const policyDenied = (rule: string): Error => new PolicyNotAuthorized(rule);

export class PlacementPolicy {
  constructor(private readonly policy: ServicePolicy) {}

  /** @throws PolicyNotAuthorized */
  can(ctx: RequestContext, rule: RuleName, target?: Record<string, unknown>): void {
    this.policy.authorize(ctx, rule, target ?? { project_id: ctx.projectId ?? null, user_id: ctx.userId ?? null });
  }
}
