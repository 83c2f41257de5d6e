/**
 * Neutron's use of the policy engine (neutron/policy.py): the `field:` check
 * (`field:networks:shared=True`), attribute rules built for every attribute a request sets
 * (`create_network` AND `create_network:shared` AND `create_port:fixed_ips:ip_address` ...),
 * and the removal from responses of attributes the caller may not see
 * (`get_network:provider:network_type`).
 */
import type { Check, CheckFactory, CredsRecord, Target } from '../../../common/policy/index.js';
import { Enforcer, KindCheck } from '../../../common/policy/index.js';
import { Forbidden } from '../../../common/errors.js';
import type { NeutronContext } from '../common/context.js';
import { neutronPolicyDefaults } from '../policies.js';
import { NOT_SPECIFIED } from '../common/attributes.js';
import type { AttrMap } from './attributes/spec.js';

/** oslo.policy's PolicyNotAuthorized, as Neutron renders it. */
export class NeutronPolicyNotAuthorized extends Forbidden {
  constructor(readonly rule: string) {
    super(`(${rule}) is disallowed by policy`);
    this.name = 'PolicyNotAuthorized';
  }
}

function convertValue(value: string): unknown {
  if (value === 'True') return true;
  if (value === 'False') return false;
  return value;
}

/** `field:<resource>:<field>=<value>`; `~regex` values match with a regular expression. */
class FieldCheck extends KindCheck implements Check {
  private readonly field: string;
  private readonly resource: string;
  private readonly value: unknown;
  private readonly regex: RegExp | undefined;

  constructor(kind: string, match: string) {
    super(kind, match);
    const colon = match.indexOf(':');
    this.resource = match.slice(0, colon);
    const fv = match.slice(colon + 1);
    const eq = fv.indexOf('=');
    this.field = fv.slice(0, eq);
    this.value = convertValue(fv.slice(eq + 1));
    this.regex = typeof this.value === 'string' && this.value.startsWith('~') ? new RegExp(`^(?:${this.value.slice(1)})`) : undefined;
  }

  evaluate(target: Target): boolean {
    let v = target[this.field];
    if (v === undefined && this.resource === 'networks' && this.field === 'shared') v = target['network:shared'];
    if (v === undefined || v === null) return false;
    if (this.regex) return this.regex.test(String(v));
    return v === this.value;
  }
}

const FIELD_CHECKS: ReadonlyMap<string, CheckFactory> = new Map([['field', (kind: string, match: string) => new FieldCheck(kind, match)]]);

export class NeutronPolicy {
  readonly enforcer: Enforcer;
  private readonly names: Set<string>;

  constructor(policyFile?: string) {
    this.enforcer = new Enforcer({ defaults: neutronPolicyDefaults, checks: FIELD_CHECKS, ...(policyFile ? { policyFile } : {}) });
    this.names = new Set(neutronPolicyDefaults.map((r) => r.name));
  }

  private creds(ctx: NeutronContext): CredsRecord {
    return ctx.request.toPolicyCredentials() as CredsRecord;
  }

  /** One registered rule; unregistered rules allow (the attribute has no rule). */
  checkRule(ctx: NeutronContext, rule: string, target: Target): boolean {
    if (!this.names.has(rule)) return true;
    return this.enforcer.enforce(rule, target, this.creds(ctx) as never);
  }

  /**
   * The rules `action` needs for `target`: the action itself, then `action:attr` for each
   * enforce_policy attribute the request sets explicitly, and `action:attr:key` for the keys
   * of dict (or list of dict) values. `explicit` lists the attributes of an update body.
   */
  matchRules(action: string, target: Target, attrs: AttrMap | undefined, explicit?: readonly string[]): string[] {
    const rules = [action];
    if (!attrs) return rules;
    for (const [name, spec] of Object.entries(attrs)) {
      if (!spec.enforcePolicy) continue;
      if (!this.explicitlySet(name, spec.default, target, explicit)) continue;
      rules.push(`${action}:${name}`);
      const value = target[name];
      const subKeys = new Set<string>();
      if (Array.isArray(value)) {
        for (const item of value) if (item && typeof item === 'object' && !Array.isArray(item)) Object.keys(item).forEach((k) => subKeys.add(k));
      } else if (value && typeof value === 'object') {
        Object.keys(value).forEach((k) => subKeys.add(k));
      }
      for (const k of subKeys) rules.push(`${action}:${name}:${k}`);
    }
    return rules;
  }

  private explicitlySet(name: string, def: unknown, target: Target, explicit?: readonly string[]): boolean {
    if (explicit) return explicit.includes(name) && target[name] !== NOT_SPECIFIED;
    if (!(name in target) || target[name] === NOT_SPECIFIED) return false;
    if (def !== undefined && def !== NOT_SPECIFIED) return JSON.stringify(target[name]) !== JSON.stringify(def);
    return true;
  }

  /** Throws NeutronPolicyNotAuthorized naming the first rule that fails. */
  enforce(ctx: NeutronContext, action: string, target: Target, attrs?: AttrMap, explicit?: readonly string[]): void {
    for (const rule of this.matchRules(action, target, attrs, explicit)) {
      if (!this.checkRule(ctx, rule, target)) throw new NeutronPolicyNotAuthorized(rule);
    }
  }

  check(ctx: NeutronContext, action: string, target: Target, attrs?: AttrMap, explicit?: readonly string[]): boolean {
    return this.matchRules(action, target, attrs, explicit).every((rule) => this.checkRule(ctx, rule, target));
  }

  /** Attribute names of `item` the caller may not see (`get_x:attr` rules, invisible attributes). */
  hiddenAttributes(ctx: NeutronContext, showAction: string, item: Target, attrs: AttrMap): string[] {
    const hidden: string[] = [];
    for (const name of Object.keys(item)) {
      const spec = attrs[name] ?? (name === 'project_id' ? attrs.tenant_id : undefined);
      if (!spec || !spec.visible) {
        hidden.push(name);
        continue;
      }
      if (!this.checkRule(ctx, `${showAction}:${name}`, item)) hidden.push(name);
    }
    return hidden;
  }
}
