/**
 * The check tree of the oslo.policy language (oslo_policy/_checks.py): `@`, `!`, and/or/not,
 * `role:`, `rule:` and generic `key:value` checks. Each node evaluates against a target (what
 * is acted on) and credentials (who acts). Written by hand: there is no maintained npm library
 * for the oslo.policy language.
 */
import { isRecord, literalString, pyFormat, pyStr } from './python-values.js';

/** What a check is evaluated against: the target of the operation. */
export type Target = Record<string, unknown>;
/** The credentials as a plain record (oslo.context's to_policy_values() shape). */
export type CredsRecord = Record<string, unknown>;

/** Resolves `rule:NAME` references while a rule is evaluated. */
export interface EvalContext {
  /** Evaluates the named rule; false when no such rule is defined. */
  evaluateRule(name: string, target: Target, creds: CredsRecord): boolean;
}

/** One node of a parsed rule. `toString()` renders it as oslo's `str(check)` does. */
export interface Check {
  evaluate(target: Target, creds: CredsRecord, ctx: EvalContext): boolean;
  toString(): string;
}

/** `@`: always allow (also what the empty rule `""` parses to). */
export class TrueCheck implements Check {
  evaluate(): boolean { return true; }
  toString(): string { return '@'; }
}

/** `!`: always deny (also what malformed rules parse to). */
export class FalseCheck implements Check {
  evaluate(): boolean { return false; }
  toString(): string { return '!'; }
}

export class NotCheck implements Check {
  constructor(readonly rule: Check) {}
  evaluate(target: Target, creds: CredsRecord, ctx: EvalContext): boolean {
    return !this.rule.evaluate(target, creds, ctx);
  }
  toString(): string { return `not ${this.rule}`; }
}

export class AndCheck implements Check {
  constructor(readonly rules: Check[]) {}
  evaluate(target: Target, creds: CredsRecord, ctx: EvalContext): boolean {
    return this.rules.every((r) => r.evaluate(target, creds, ctx));
  }
  toString(): string { return `(${this.rules.join(' and ')})`; }
}

export class OrCheck implements Check {
  constructor(readonly rules: Check[]) {}
  evaluate(target: Target, creds: CredsRecord, ctx: EvalContext): boolean {
    return this.rules.some((r) => r.evaluate(target, creds, ctx));
  }
  toString(): string { return `(${this.rules.join(' or ')})`; }
}

/** A `kind:match` check. */
export abstract class KindCheck implements Check {
  constructor(readonly kind: string, readonly match: string) {}
  abstract evaluate(target: Target, creds: CredsRecord, ctx: EvalContext): boolean;
  toString(): string { return `${this.kind}:${this.match}`; }
}

/** `rule:NAME`: evaluates another rule; an undefined rule fails closed. */
export class RuleCheck extends KindCheck {
  evaluate(target: Target, creds: CredsRecord, ctx: EvalContext): boolean {
    return ctx.evaluateRule(this.match, target, creds);
  }
}

/** `role:NAME`: the credentials hold the role (case-insensitive); `%(key)s` is substituted. */
export class RoleCheck extends KindCheck {
  evaluate(target: Target, creds: CredsRecord): boolean {
    const match = pyFormat(this.match, target);
    if (match === 'missing-key' || match === 'bad-format') return false;
    const roles = creds['roles'];
    if (!Array.isArray(roles)) return false;
    const wanted = match.toLowerCase();
    return roles.some((r) => pyStr(r).toLowerCase() === wanted);
  }
}

/**
 * Any other `kind:match`, as oslo's GenericCheck:
 * - the right side is Python %-formatted against the target (`%(project_id)s`); a missing key
 *   fails the check. Otherwise it is taken literally (quotes included: `user_id:'x'` compares
 *   against the four characters `'x'`, as in oslo);
 * - the left side is a Python literal (`'member'`, `True`, `20`) compared as `str(literal)`,
 *   or else a dotted key into the credentials (`token.project.domain.id`), where a list on
 *   the way matches when any element matches.
 */
export class GenericCheck extends KindCheck {
  private readonly literal: string | undefined;
  private readonly path: string[];

  constructor(kind: string, match: string) {
    super(kind, match);
    this.literal = literalString(kind);
    this.path = kind.split('.');
  }

  evaluate(target: Target, creds: CredsRecord): boolean {
    const match = pyFormat(this.match, target);
    if (match === 'missing-key' || match === 'bad-format') return false;
    if (this.literal !== undefined) return match === this.literal;
    return findInRecord(creds, this.path, 0, match);
  }
}

function findInRecord(value: unknown, path: string[], index: number, match: string): boolean {
  if (index === path.length) return match === pyStr(value);
  const key = path[index] as string;
  if (!isRecord(value) || !Object.hasOwn(value, key)) return false;
  const next = value[key];
  if (next === undefined) return false;
  if (Array.isArray(next)) return next.some((v) => findInRecord(v, path, index + 1, match));
  return findInRecord(next, path, index + 1, match);
}

/** Names referenced by `rule:` checks anywhere in the tree. */
export function ruleReferences(check: Check): string[] {
  if (check instanceof RuleCheck) return [check.match];
  if (check instanceof NotCheck) return ruleReferences(check.rule);
  if (check instanceof AndCheck || check instanceof OrCheck) return check.rules.flatMap(ruleReferences);
  return [];
}

/** Thrown (and turned into a denial by the enforcer) when a rule reaches itself while evaluated. */
export class RuleCycleError extends Error {
  constructor(readonly rule: string) {
    super(`Policy rule "${rule}" is part of a cyclical reference`);
    this.name = 'RuleCycleError';
  }
}

/**
 * An EvalContext over a rule lookup, guarding against reference cycles: re-entering a rule
 * that is being evaluated throws RuleCycleError instead of recursing forever. `lookup`
 * returns undefined for an undefined rule (which then evaluates to false).
 */
export function ruleContext(lookup: (name: string) => Check | undefined): EvalContext {
  const active = new Set<string>();
  return {
    evaluateRule(name, target, creds) {
      const check = lookup(name);
      if (!check) return false;
      if (active.has(name)) throw new RuleCycleError(name);
      active.add(name);
      try {
        return check.evaluate(target, creds, this);
      } finally {
        active.delete(name);
      }
    },
  };
}
