/**
 * Errors of the policy engine. Denials are HTTP 403s (Forbidden); the rest are programming or
 * configuration errors (a rule that was never registered, a broken policy file).
 */
import { Forbidden, OperatorError } from '../errors.js';

/**
 * The policy denied the operation. The message is the one nova shows
 * (`Policy doesn't allow %(action)s to be performed.`).
 */
export class PolicyNotAuthorized extends Forbidden {
  constructor(readonly rule: string, message = `Policy doesn't allow ${rule} to be performed.`) {
    super(message);
  }
}

/**
 * The token's scope is not one of the rule's scope types (oslo's InvalidScope). Services show
 * it as the ordinary policy denial (nova and keystone both turn InvalidScope into their 403),
 * so the HTTP message is PolicyNotAuthorized's; oslo's own text is kept in `detail` for logs.
 */
export class InvalidScope extends PolicyNotAuthorized {
  /** oslo's message: `"name": "check" requires a scope of ['system'], request was made with project scope.` */
  readonly detail: string;

  constructor(
    rule: string,
    checkStr: string,
    readonly scopeTypes: readonly string[],
    readonly tokenScope: TokenScope,
  ) {
    super(rule);
    const scopes = `[${scopeTypes.map((s) => `'${s}'`).join(', ')}]`;
    this.detail = `"${rule}": "${checkStr}" requires a scope of ${scopes}, request was made with ${tokenScope} scope.`;
  }
}

/** The scope a set of credentials acts in. */
export type TokenScope = 'system' | 'domain' | 'project';

/** enforce()/authorize() was called with a rule no default registered: a bug in the caller. */
export class PolicyNotRegistered extends Error {
  constructor(readonly rule: string) {
    super(`Policy ${rule} has not been registered`);
    this.name = 'PolicyNotRegistered';
  }
}

/** Two defaults share a name. */
export class DuplicatePolicyError extends Error {
  constructor(readonly rule: string) {
    super(`Policy ${rule} is already registered`);
    this.name = 'DuplicatePolicyError';
  }
}

/** A RuleDefault that cannot be registered as written. */
export class InvalidRuleDefault extends Error {
  constructor(error: string) {
    super(`Invalid policy rule default: ${error}.`);
    this.name = 'InvalidRuleDefault';
  }
}

/** The policy file exists but cannot be read or is not a map of rule name to check string. */
export class PolicyFileError extends OperatorError {}
