/**
 * The policy Enforcer (oslo_policy.policy.Enforcer): rule defaults registered in code, operator
 * overrides from a policy file, scope-type enforcement and deprecated-rule fallbacks, then
 * evaluation of one rule against a target and credentials. Written by hand after oslo.policy's
 * semantics; there is no maintained npm implementation of it.
 */
import {
  FalseCheck,
  OrCheck,
  RuleCycleError,
  ruleContext,
  ruleReferences,
  type Check,
  type CredsRecord,
} from './checks.js';
import { policyOr } from './defaults.js';
import {
  DuplicatePolicyError,
  InvalidRuleDefault,
  InvalidScope,
  PolicyNotAuthorized,
  PolicyNotRegistered,
  type TokenScope,
} from './errors.js';
import { parseListRule, parseRule, type CheckFactory, type ParseOptions } from './parser.js';
import { readPolicyFile, type FileRuleValue } from './policy-file.js';
import type { Credentials, RuleDefault } from './types.js';

export interface EnforcerOptions {
  /** Every rule the service enforces, with its default check string. */
  defaults: readonly RuleDefault[];
  /** Operator overrides (YAML or JSON map of rule name to check string); a missing file means none. */
  policyFile?: string;
  /** Deny when the token's scope is not among a rule's scopeTypes (default true). */
  enforceScope?: boolean;
  /** Ignore deprecated check strings; when false a deprecated rule allows `new or old` (default true). */
  enforceNewDefaults?: boolean;
  /**
   * oslo's policy_default_rule: a `rule:` reference to an undefined rule evaluates this rule
   * instead, when it is defined (default `default`).
   */
  defaultRule?: string;
  /** Extra check kinds (oslo's `register()`), e.g. a service's `field:` checks. */
  checks?: ReadonlyMap<string, CheckFactory>;
  /**
   * Called for every warning as it is recorded (they are also kept in `warnings`), except the
   * fallbacks to deprecated defaults, which are reported in one line per load.
   */
  onWarning?: (message: string) => void;
  /** oslo's suppress_default_change_warnings: do not report the fallbacks to deprecated defaults. */
  suppressDefaultChangeWarnings?: boolean;
}

interface EffectiveRule {
  /** The check string in force, as written (a deprecated fallback shows as `(new) or (old)`). */
  checkStr: string;
  check: Check;
}

const SCOPE_TYPES: ReadonlySet<string> = new Set(['system', 'domain', 'project']);

/** The scope credentials act in: system, else domain (domain-scoped token), else project. */
export function tokenScope(creds: Credentials): TokenScope {
  if (creds.system_scope || creds['system']) return 'system';
  if (creds.domain_id && !creds.project_id) return 'domain';
  return 'project';
}

export class Enforcer {
  private readonly registered = new Map<string, RuleDefault>();
  private readonly policyFile: string | undefined;
  private readonly enforceScope: boolean;
  private readonly enforceNewDefaults: boolean;
  private readonly defaultRule: string;
  private readonly checks: ReadonlyMap<string, CheckFactory> | undefined;
  private readonly onWarning: ((message: string) => void) | undefined;
  private readonly suppressDefaultChangeWarnings: boolean;
  private effective = new Map<string, EffectiveRule>();
  private recorded: string[] = [];
  private readonly reportedCycles = new Set<string>();
  /** Rules that accept their deprecated default too (enforce_new_defaults off), per load. */
  private fallbacks: string[] = [];
  private loads = 0;

  constructor(opts: EnforcerOptions) {
    for (const def of opts.defaults) {
      validateDefault(def);
      if (this.registered.has(def.name)) throw new DuplicatePolicyError(def.name);
      this.registered.set(def.name, def);
    }
    this.policyFile = opts.policyFile;
    this.enforceScope = opts.enforceScope ?? true;
    this.enforceNewDefaults = opts.enforceNewDefaults ?? true;
    this.defaultRule = opts.defaultRule ?? 'default';
    this.checks = opts.checks;
    this.onWarning = opts.onWarning;
    this.suppressDefaultChangeWarnings = opts.suppressDefaultChangeWarnings ?? false;
    this.load();
  }

  /** Problems found while loading (malformed rules, cycles, deprecations) and evaluating. */
  get warnings(): readonly string[] {
    return this.recorded;
  }

  /** The registered defaults, in registration order (for sample files and docs). */
  get defaults(): readonly RuleDefault[] {
    return [...this.registered.values()];
  }

  /**
   * Re-reads the policy file and rebuilds the rules. If the file is broken this throws
   * PolicyFileError and the rules in force stay as they were.
   */
  reload(): void {
    this.load();
  }

  /**
   * Which load of the rules is in force: it changes whenever the rules may have (a reload), so
   * that decisions remembered by callers can be dropped.
   */
  get version(): number {
    return this.loads;
  }

  /** Rule name -> check string in force: registered rules, then rules only the file defines. */
  rules(): Map<string, string> {
    return new Map([...this.effective].map(([name, rule]) => [name, rule.checkStr]));
  }

  /**
   * Whether `creds` may perform `rule` on `target`. False on a scope mismatch too.
   * Throws PolicyNotRegistered for a rule no default registered.
   */
  enforce(rule: string, target: Record<string, unknown>, creds: Credentials): boolean {
    return this.decide(rule, target, creds) === undefined;
  }

  /**
   * Like enforce(), but throws: InvalidScope on a scope mismatch, PolicyNotAuthorized on a
   * denial (both 403 Forbidden), PolicyNotRegistered for an unregistered rule.
   */
  authorize(rule: string, target: Record<string, unknown>, creds: Credentials): void {
    const denial = this.decide(rule, target, creds);
    if (denial) throw denial;
  }

  /** undefined when allowed, else the error authorize() throws. */
  private decide(rule: string, target: Record<string, unknown>, creds: Credentials): PolicyNotAuthorized | undefined {
    const def = this.registered.get(rule);
    if (!def) throw new PolicyNotRegistered(rule);
    const effective = this.effective.get(rule) as EffectiveRule; // every registered rule is loaded
    if (this.enforceScope && def.scopeTypes && def.scopeTypes.length > 0) {
      const scope = tokenScope(creds);
      if (!def.scopeTypes.includes(scope)) return new InvalidScope(rule, effective.checkStr, def.scopeTypes, scope);
    }
    // oslo maps system_scope into creds['system'] for the checks written against that key.
    const evalCreds: CredsRecord = creds.system_scope ? { ...creds, system: creds.system_scope } : creds;
    const ctx = ruleContext((name) => this.lookup(name));
    try {
      return effective.check.evaluate(target, evalCreds, ctx) ? undefined : new PolicyNotAuthorized(rule);
    } catch (err) {
      if (!(err instanceof RuleCycleError)) throw err;
      if (!this.reportedCycles.has(err.rule)) {
        this.reportedCycles.add(err.rule);
        this.warn(`${err.message}; evaluating "${rule}" denies`);
      }
      return new PolicyNotAuthorized(rule);
    }
  }

  private lookup(name: string): Check | undefined {
    return (this.effective.get(name) ?? this.effective.get(this.defaultRule))?.check;
  }

  private warn(message: string): void {
    this.recorded.push(message);
    this.onWarning?.(message);
  }

  private load(): void {
    const file = this.policyFile ? readPolicyFile(this.policyFile) : undefined;
    this.recorded = [];
    this.fallbacks = [];
    this.reportedCycles.clear();
    for (const w of file?.warnings ?? []) this.warn(w);

    const fileRules = new Map<string, EffectiveRule>();
    for (const [name, value] of file?.rules ?? []) {
      const rule = this.compileFileRule(name, value);
      fileRules.set(name, rule);
      const def = this.registered.get(name);
      if (def && String(rule.check) === String(this.parse(def.checkStr))) {
        this.warn(`Policy rule "${name}" in the policy file is the same as the default; it can be removed from the file`);
      }
    }

    const effective = new Map<string, EffectiveRule>();
    for (const def of this.registered.values()) {
      if (def.deprecatedForRemoval && fileRules.has(def.name)) {
        this.warn(
          `Policy "${def.name}":"${def.checkStr}" was deprecated for removal in ${def.deprecatedSince}. ` +
            `Reason: ${def.deprecatedReason}. Its value may be silently ignored in the future.`,
        );
      }
      effective.set(def.name, fileRules.get(def.name) ?? this.resolveDefault(def, fileRules));
    }
    for (const [name, rule] of fileRules) if (!effective.has(name)) effective.set(name, rule);

    this.checkReferences(effective);
    this.effective = effective;
    this.loads++;
    this.reportFallbacks();
  }

  /** One line for all the rules that still accept their deprecated defaults. */
  private reportFallbacks(): void {
    const n = this.fallbacks.length;
    if (n === 0 || !this.onWarning || this.suppressDefaultChangeWarnings) return;
    const shown = this.fallbacks.slice(0, 3).map((name) => `"${name}"`).join(', ');
    this.onWarning(
      `${n} policy rule${n === 1 ? '' : 's'} (${shown}${n > 3 ? ', ...' : ''}) also accept${n === 1 ? 's' : ''} ` +
        'their deprecated default, as [oslo_policy] enforce_new_defaults is off. Either ensure your deployment is ' +
        'ready for the new defaults (enforce_new_defaults = true) or copy the deprecated rules into your policy file.',
    );
  }

  private parse(checkStr: string, label?: string): Check {
    const opts: ParseOptions = { checks: this.checks };
    if (label) opts.warn = (m) => this.warn(`${label}: ${m}`);
    return parseRule(checkStr, opts);
  }

  private compileFileRule(name: string, value: FileRuleValue): EffectiveRule {
    const label = `Policy "${name}" in ${this.policyFile}`;
    // A null value (`name:` with nothing after it) is the empty rule, as in oslo: allow.
    if (value === null) return { checkStr: '', check: this.parse('') };
    if (typeof value === 'string') return { checkStr: value, check: this.parse(value, label) };
    const check = parseListRule(value, { checks: this.checks, warn: (m) => this.warn(`${label}: ${m}`) });
    return { checkStr: String(check), check };
  }

  /** The check of a registered rule the file does not override (oslo's _handle_deprecated_rule). */
  private resolveDefault(def: RuleDefault, fileRules: Map<string, EffectiveRule>): EffectiveRule {
    const check = this.parse(def.checkStr, `Default of policy "${def.name}"`);
    const dep = def.deprecatedRule;
    if (!dep) return { checkStr: def.checkStr, check };
    const depCheck = this.parse(dep.checkStr, `Deprecated default of policy "${def.name}"`);
    const message =
      `Policy "${dep.name}":"${dep.checkStr}" was deprecated in ${dep.deprecatedSince ?? def.deprecatedSince} ` +
      `in favor of "${def.name}":"${def.checkStr}". Reason: ${dep.deprecatedReason ?? def.deprecatedReason}. ` +
      'Either ensure your deployment is ready for the new default or copy/paste the deprecated policy ' +
      'into your policy file and maintain it manually.';

    // Renamed rule whose old name the operator overrode: keep honouring that override.
    const oldOverride = dep.name !== def.name ? fileRules.get(dep.name) : undefined;
    if (oldOverride) {
      this.warn(message);
      const overrideStr = String(oldOverride.check);
      if (overrideStr !== String(depCheck) && overrideStr !== `rule:${def.name}`) return oldOverride;
    }
    // Changed default during an upgrade window: accept either the new or the old check string.
    // oslo.policy warns once per rule; these are recorded one by one and logged as one line.
    if (!this.enforceNewDefaults && dep.checkStr !== def.checkStr) {
      this.recorded.push(message);
      this.fallbacks.push(def.name);
      return { checkStr: policyOr(def.checkStr, dep.checkStr), check: new OrCheck([check, depCheck]) };
    }
    return { checkStr: def.checkStr, check };
  }

  /**
   * oslo's check_rules: warn about references to undefined rules and about reference cycles.
   * Unlike oslo (which recurses until Python's recursion limit), every rule that can reach a
   * cycle is replaced by `!` so it denies deterministically.
   */
  private checkReferences(effective: Map<string, EffectiveRule>): void {
    const undefinedRefs: string[] = [];
    const refs = new Map<string, string[]>();
    for (const [name, rule] of effective) {
      const names = ruleReferences(rule.check);
      if (names.some((n) => !effective.has(n))) undefinedRefs.push(name);
      refs.set(name, names.filter((n) => effective.has(n)));
    }
    if (undefinedRefs.length > 0) {
      this.warn(`Policies ${undefinedRefs.join(', ')} reference a rule that is not defined`);
    }

    const state = new Map<string, 'visiting' | 'ok' | 'cyclic'>();
    const reachesCycle = (name: string): boolean => {
      const seen = state.get(name);
      if (seen) return seen !== 'ok';
      state.set(name, 'visiting');
      let cyclic = false;
      for (const ref of refs.get(name) ?? []) if (reachesCycle(ref)) cyclic = true;
      state.set(name, cyclic ? 'cyclic' : 'ok');
      return cyclic;
    };
    const cyclic = [...effective.keys()].filter(reachesCycle);
    if (cyclic.length > 0) {
      this.warn(`Policies ${cyclic.join(', ')} are part of a cyclical reference; they deny every request`);
      for (const name of cyclic) {
        const rule = effective.get(name) as EffectiveRule;
        effective.set(name, { checkStr: rule.checkStr, check: new FalseCheck() });
      }
    }
  }
}

function validateDefault(def: RuleDefault): void {
  const scopes = def.scopeTypes ?? [];
  for (const s of scopes) {
    if (!SCOPE_TYPES.has(s)) throw new InvalidRuleDefault(`${def.name} has an unknown scope type ${s}`);
  }
  if (new Set(scopes).size !== scopes.length) {
    throw new InvalidRuleDefault(`${def.name}: scope_types must be a list of unique strings`);
  }
  if (def.deprecatedForRemoval && (!def.deprecatedReason || !def.deprecatedSince)) {
    throw new InvalidRuleDefault(
      `${def.name} deprecated without deprecated_reason or deprecated_since. Both must be supplied if deprecating a policy`,
    );
  }
}
