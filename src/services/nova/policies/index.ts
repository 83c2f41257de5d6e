/**
 * Nova's policy: the Zed defaults (rules.ts) with [oslo_policy] enforce_scope and
 * enforce_new_defaults off, as nova 26 ships them (the deprecated admin_or_owner rules still
 * apply beside the new personas), and `can()` as nova's context.can: the target defaults to the
 * caller's project and user, credentials carry nova's `is_admin`, a denial is
 * PolicyNotAuthorized (403).
 */
import type { PeriodicTasks } from '../../../common/service/periodic.js';
import type { Config } from '../../../common/config/index.js';
import type { RequestContext } from '../../../common/context.js';
import { loadServicePolicy, type Credentials, type ServicePolicy, type ServicePolicySpec } from '../../../common/policy/index.js';
import { PolicyNotAuthorized } from '../errors.js';
import { novaPolicyDefaults } from './rules.js';

export const novaPolicySpec: ServicePolicySpec = { defaults: novaPolicyDefaults, enforceScope: false, enforceNewDefaults: false };

export type PolicyTarget = Record<string, unknown>;

export class NovaPolicy {
  constructor(readonly service: ServicePolicy) {}

  /** The default target of nova's context.can: the caller's own project and user. */
  static defaultTarget(ctx: RequestContext): PolicyTarget {
    return { project_id: ctx.projectId ?? null, user_id: ctx.userId ?? null };
  }

  /** @throws PolicyNotAuthorized */
  can(ctx: RequestContext, rule: string, target: PolicyTarget = NovaPolicy.defaultTarget(ctx)): void {
    if (!this.check(ctx, rule, target)) throw new PolicyNotAuthorized(rule);
  }

  /** Whether the caller may (nova's context.can(..., fatal=False)). */
  check(ctx: RequestContext, rule: string, target: PolicyTarget = NovaPolicy.defaultTarget(ctx)): boolean {
    return this.service.check(ctx, rule, target);
  }

  /** nova's context.is_admin: the context_is_admin rule. */
  isAdmin(ctx: RequestContext): boolean {
    return this.service.isAdmin(ctx);
  }
}

/** oslo.context's policy values plus nova's is_admin (context_is_admin on the same values). */
function novaCredentials(policy: () => ServicePolicy, ctx: RequestContext): Credentials {
  const creds = ctx.toPolicyCredentials();
  creds.is_admin = policy().enforcer.enforce('context_is_admin', {}, creds);
  return creds;
}

export function loadNovaPolicy(config: Config, dataDir: string, periodic: PeriodicTasks, onWarning: (msg: string) => void): NovaPolicy {
  let service: ServicePolicy | undefined;
  service = loadServicePolicy(novaPolicySpec, { config, dataDir, project: 'nova', periodic }, {
    credentials: (ctx) => novaCredentials(() => service!, ctx),
    denied: (rule) => new PolicyNotAuthorized(rule),
    onWarning,
  });
  return new NovaPolicy(service);
}
