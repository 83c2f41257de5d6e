/**
 * Neutron's use of the policy engine (neutron/policy.py) on the common ServicePolicy (whose
 * spec adds the `field:` check, policies/field-check.ts): attribute rules built for every
 * attribute a request sets
 * (`create_network` AND `create_network:shared` AND `create_port:fixed_ips:ip_address` ...),
 * and the removal from responses of attributes the caller may not see
 * (`get_network:provider:network_type`).
 */
import type { ServicePolicy, Target } from '../../../common/policy/index.js';
import { Forbidden } from '../../../common/errors.js';
import type { NeutronContext } from '../common/context.js';
import { NOT_SPECIFIED } from '../common/attributes.js';
import type { AttrMap } from './attributes/spec.js';

/** oslo.policy's PolicyNotAuthorized, as Neutron renders it. */
export class NeutronPolicyNotAuthorized extends Forbidden {
  constructor(readonly rule: string) {
    super(`(${rule}) is disallowed by policy`);
    this.name = 'PolicyNotAuthorized';
  }
}

export class NeutronPolicy {
  private readonly names: Set<string>;

  constructor(private readonly policy: ServicePolicy) {
    this.names = new Set(policy.enforcer.defaults.map((r) => r.name));
  }

  /** One registered rule; unregistered rules allow (the attribute has no rule). */
  checkRule(ctx: NeutronContext, rule: string, target: Target): boolean {
    if (!this.names.has(rule)) return true;
    return this.policy.check(ctx.request, rule, target);
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
