/**
 * The policy engine: the oslo.policy rule language, an Enforcer over rule defaults and policy
 * file overrides, persona check strings and the sample policy file.
 */
export {
  AndCheck,
  FalseCheck,
  GenericCheck,
  KindCheck,
  NotCheck,
  OrCheck,
  RoleCheck,
  RuleCheck,
  RuleCycleError,
  TrueCheck,
  ruleContext,
  ruleReferences,
} from './checks.js';
export type { Check, CredsRecord, EvalContext, Target } from './checks.js';
export { parseListRule, parseRule } from './parser.js';
export type { CheckFactory, ParseOptions } from './parser.js';
export { Enforcer, tokenScope } from './enforcer.js';
export type { EnforcerOptions } from './enforcer.js';
export {
  DuplicatePolicyError,
  InvalidRuleDefault,
  InvalidScope,
  PolicyFileError,
  PolicyNotAuthorized,
  PolicyNotRegistered,
} from './errors.js';
export type { TokenScope } from './errors.js';
export type { Credentials, DeprecatedRule, PolicyOperation, RuleDefault, ScopeType } from './types.js';
export { parsePolicyFile, readPolicyFile } from './policy-file.js';
export type { FileRuleValue, PolicyFileContents } from './policy-file.js';
export * from './defaults.js';
export { renderPolicySample } from './policy-cli.js';
export { loadServicePolicy, osloPolicyGroup, policyFilePath, ServicePolicy } from './service-policy.js';
export type { ServicePolicyOptions, ServicePolicySpec } from './service-policy.js';
