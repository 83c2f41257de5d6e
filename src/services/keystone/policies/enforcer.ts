/**
 * Keystone's RBAC enforcement (keystone/common/rbac_enforcer/enforcer.py) on the shared policy
 * Enforcer: credentials are oslo.context's policy values plus the rendered token (`token.*`,
 * which the defaults check as token.domain.id / token.project.domain.id), the target is
 * flattened with dotted keys (`target.user.domain_id`), and a denial is Keystone's
 * ForbiddenAction ("You are not authorized to perform the requested action: identity:...").
 */
import type { RequestContext } from '../../../common/context.js';
import { Enforcer, type Credentials } from '../../../common/policy/index.js';
import { setOwnValue } from '../../../common/own.js';
import { ForbiddenAction } from '../errors.js';
import { keystoneDefaultRules } from './index.js';

export interface KeystoneEnforcerOptions {
  /** Operator overrides (policy.yaml). */
  policyFile?: string;
  enforceScope?: boolean;
  enforceNewDefaults?: boolean;
  onWarning?: (message: string) => void;
}

export function createKeystoneEnforcer(opts: KeystoneEnforcerOptions = {}): Enforcer {
  return new Enforcer({
    defaults: keystoneDefaultRules,
    ...(opts.policyFile ? { policyFile: opts.policyFile } : {}),
    enforceScope: opts.enforceScope ?? true,
    enforceNewDefaults: opts.enforceNewDefaults ?? true,
    ...(opts.onWarning ? { onWarning: opts.onWarning } : {}),
  });
}

/** keystone.common.utils.flatten_dict: nested dicts become dotted keys. */
export function flattenDict(d: Record<string, unknown>, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(d)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v)) for (const [k2, v2] of Object.entries(flattenDict(v as Record<string, unknown>, key))) setOwnValue(out, k2, v2);
    else setOwnValue(out, key, v);
  }
  return out;
}

/** The policy credentials of a request: to_policy_values() plus `token` (the token body's view). */
export function keystoneCredentials(ctx: RequestContext): Credentials {
  const creds = ctx.toPolicyCredentials();
  const a = ctx.auth;
  if (!a) return { ...creds, token: null };
  const token: Record<string, unknown> = {
    user: { id: a.userId, name: a.userName, domain: { id: a.userDomainId, name: a.userDomainName } },
    roles: a.roles.map((name, i) => ({ id: a.roleIds[i], name })),
    methods: a.methods,
  };
  if (a.projectId) token.project = { id: a.projectId, name: a.projectName, domain: { id: a.projectDomainId, name: a.projectDomainName } };
  if (a.domainId) token.domain = { id: a.domainId, name: a.domainName };
  if (a.system) token.system = { all: true };
  return { ...creds, domain_id: a.domainId ?? null, token };
}

export interface EnforceInput {
  /** Path parameters (flask view_args). */
  params?: Record<string, unknown>;
  /** The target (`target.*` keys). */
  target?: Record<string, unknown>;
  /** Query filters the rule may look at (`filter_attr.*`). */
  filters?: Record<string, unknown>;
  /** The request body (`request_body.*`). */
  body?: unknown;
}

/** enforce_call: throws ForbiddenAction unless `action` is allowed. */
export function enforceCall(enforcer: Enforcer, ctx: RequestContext, action: string, input: EnforceInput = {}): void {
  const policy: Record<string, unknown> = { ...(input.params ?? {}) };
  if (input.target) policy.target = input.target;
  if (input.body && typeof input.body === 'object' && Object.keys(input.body).length > 0) policy.request_body = input.body;
  if (input.filters && Object.keys(input.filters).length > 0) policy.filter_attr = input.filters;
  if (!enforcer.enforce(action, flattenDict(policy), keystoneCredentials(ctx))) throw new ForbiddenAction(action);
}
