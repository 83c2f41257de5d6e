/**
 * Keystone's RBAC enforcement (keystone/common/rbac_enforcer/enforcer.py) on the common
 * ServicePolicy: credentials are oslo.context's policy values plus the rendered token (`token.*`,
 * which the defaults check as token.domain.id / token.project.domain.id), the target is
 * flattened with dotted keys (`target.user.domain_id`), and a denial is Keystone's
 * ForbiddenAction ("You are not authorized to perform the requested action: identity:...").
 */
import type { TokenInfo } from '../../../common/auth/token-info.js';
import type { RequestContext } from '../../../common/context.js';
import { Enforcer, ServicePolicy, type Credentials, type ServicePolicyOptions } from '../../../common/policy/index.js';
import { setOwnValue } from '../../../common/own.js';
import { ForbiddenAction } from '../errors.js';
import { keystoneDefaultRules } from './index.js';

/** How Keystone's ServicePolicy turns a request into credentials and a denial into an error. */
export const keystonePolicyOptions: ServicePolicyOptions = {
  credentials: (ctx) => keystoneCredentials(ctx),
  denied: (rule) => new ForbiddenAction(rule),
};

/** Keystone's default rules without a policy file (test fixtures; the role loads its policy from [oslo_policy]). */
export function defaultKeystonePolicy(opts: { enforceScope?: boolean; enforceNewDefaults?: boolean } = {}): ServicePolicy {
  const enforcer = new Enforcer({
    defaults: keystoneDefaultRules,
    enforceScope: opts.enforceScope ?? true,
    enforceNewDefaults: opts.enforceNewDefaults ?? true,
  });
  return new ServicePolicy(enforcer, keystonePolicyOptions);
}

/** keystone.common.utils.flatten_dict: nested dicts become dotted keys. */
export function flattenDict(d: Record<string, unknown>, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  for (const k of Object.keys(d)) {
    const v = d[k];
    const key = prefix ? dottedKey(prefix, k) : k;
    if (v && typeof v === 'object' && !Array.isArray(v)) flattenDict(v as Record<string, unknown>, key, out);
    else setOwnValue(out, key, v);
  }
  return out;
}

/**
 * `prefix.key`, the same string object each time for the keys policy targets keep using
 * ('target.token.user_id'...): a new string as a property key must be hashed and interned
 * again on every call. Bounded: keys from request bodies are the caller's.
 */
const dottedKeys = new Map<string, Map<string, string>>();
const DOTTED_KEYS_BOUND = 256;
function dottedKey(prefix: string, key: string): string {
  let byKey = dottedKeys.get(prefix);
  if (!byKey && dottedKeys.size < DOTTED_KEYS_BOUND) dottedKeys.set(prefix, (byKey = new Map()));
  let dotted = byKey?.get(key);
  if (dotted === undefined) {
    dotted = `${prefix}.${key}`;
    if (byKey && byKey.size < DOTTED_KEYS_BOUND) byKey.set(key, dotted);
  }
  return dotted;
}

/**
 * Credentials of the tokens seen, by TokenInfo: validation hands out the same TokenInfo object
 * for a token as long as it is cached, so they are built once per token, not per request.
 * The enforcer only reads them.
 */
const credentialsByToken = new WeakMap<TokenInfo, Credentials>();

/** The policy credentials of a request: to_policy_values() plus `token` (the token body's view). */
export function keystoneCredentials(ctx: RequestContext): Credentials {
  const a = ctx.auth;
  // A service token adds service_* values: those requests build their own.
  const memo = a && !ctx.serviceAuth;
  if (memo) {
    const hit = credentialsByToken.get(a);
    if (hit) return hit;
  }
  const creds = buildCredentials(ctx);
  if (memo) credentialsByToken.set(a, creds);
  return creds;
}

function buildCredentials(ctx: RequestContext): Credentials {
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
export function enforceCall(policy: ServicePolicy, ctx: RequestContext, action: string, input: EnforceInput = {}): void {
  const target: Record<string, unknown> = { ...(input.params ?? {}) };
  if (input.target) target.target = input.target;
  if (input.body && typeof input.body === 'object' && Object.keys(input.body).length > 0) target.request_body = input.body;
  if (input.filters && Object.keys(input.filters).length > 0) target.filter_attr = input.filters;
  policy.authorize(ctx, action, flattenDict(target));
}

/**
 * Allowances remembered per caller: by the credentials object (one per cached token, see
 * keystoneCredentials) and the rules' version (a policy file reload forgets them all), then by
 * an object that stands for the target (the same object is always the same target) and the
 * action. Keystone registers no custom checks, so a decision depends on nothing else. Denials
 * are not remembered: they go through enforceCall and its error.
 */
interface Allowances {
  version: number;
  byCreds: WeakMap<Credentials, WeakMap<object, Set<string>>>;
}
const allowances = new WeakMap<ServicePolicy, Allowances>();

/**
 * enforceCall for a request without path parameters or body whose target is entirely given by
 * `key`, an object that always stands for the same target (token validation: the subject
 * token's TokenInfo, whose user and domain make the target): an allowed decision is remembered
 * for the caller's token as long as both objects live. A request with a service token is
 * decided every time.
 */
export function enforceCallRemembered(policy: ServicePolicy, ctx: RequestContext, action: string, target: Record<string, unknown>, key: object): void {
  if (!ctx.auth || ctx.serviceAuth) return enforceCall(policy, ctx, action, { target });
  const creds = keystoneCredentials(ctx);
  const version = policy.enforcer.version;
  let memo = allowances.get(policy);
  if (!memo || memo.version !== version) allowances.set(policy, (memo = { version, byCreds: new WeakMap() }));
  let byKey = memo.byCreds.get(creds);
  const actions = byKey?.get(key);
  if (actions?.has(action)) return;
  enforceCall(policy, ctx, action, { target });
  if (!byKey) memo.byCreds.set(creds, (byKey = new WeakMap()));
  if (actions) actions.add(action);
  else byKey.set(key, new Set([action]));
}
