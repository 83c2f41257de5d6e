/**
 * Cinder's policy: Zed's default rules (rules.ts) with [oslo_policy] enforce_scope and
 * enforce_new_defaults off, as cinder 21 ships them, and `authorize()` as cinder's
 * context.authorize: the target defaults to the caller's project and user (a resource's own
 * project_id when given), credentials carry `is_admin` (context_is_admin), a denial is
 * PolicyNotAuthorized (403 "Policy doesn't allow ... to be performed.").
 */
import type { Config } from '../../../common/config/index.js';
import type { RequestContext } from '../../../common/context.js';
import { loadServicePolicy, type Credentials, type ServicePolicy, type ServicePolicySpec } from '../../../common/policy/index.js';
import type { PeriodicTasks } from '../../../common/service/periodic.js';
import { PolicyNotAuthorized } from '../errors.js';
import { cinderPolicyDefaults } from './rules.js';

export const cinderPolicySpec: ServicePolicySpec = { defaults: cinderPolicyDefaults, enforceScope: false, enforceNewDefaults: false };

export type PolicyTarget = Record<string, unknown>;

export class CinderPolicy {
  constructor(readonly service: ServicePolicy) {}

  /** @throws PolicyNotAuthorized */
  authorize(ctx: RequestContext, rule: string, target?: PolicyTarget): void {
    if (!this.check(ctx, rule, target)) throw new PolicyNotAuthorized(rule);
  }

  check(ctx: RequestContext, rule: string, target?: PolicyTarget): boolean {
    return this.service.check(ctx, rule, { project_id: ctx.projectId ?? null, user_id: ctx.userId ?? null, ...target });
  }

  /** cinder's context.is_admin. */
  isAdmin(ctx: RequestContext): boolean {
    return this.service.isAdmin(ctx);
  }
}

function cinderCredentials(policy: () => ServicePolicy, ctx: RequestContext): Credentials {
  const creds = ctx.toPolicyCredentials();
  creds.is_admin = policy().enforcer.enforce('context_is_admin', {}, creds);
  return creds;
}

export function loadCinderPolicy(config: Config, dataDir: string, periodic: PeriodicTasks, onWarning: (msg: string) => void): CinderPolicy {
  let service: ServicePolicy | undefined;
  service = loadServicePolicy(cinderPolicySpec, { config, dataDir, project: 'cinder', periodic }, {
    credentials: (ctx) => cinderCredentials(() => service!, ctx),
    denied: (rule) => new PolicyNotAuthorized(rule),
    onWarning,
  });
  return new CinderPolicy(service);
}
