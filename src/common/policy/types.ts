/** The shapes services hand to the policy engine: credentials and rule defaults. */

/**
 * What a caller is: oslo.context's `to_policy_values()` (nova adds `is_admin`). Extra keys
 * are allowed and reachable from generic checks (`token.project.domain.id:...`).
 */
export interface Credentials {
  user_id?: string | null;
  user_domain_id?: string | null;
  project_id?: string | null;
  project_domain_id?: string | null;
  /** Set for domain-scoped tokens. */
  domain_id?: string | null;
  roles: string[];
  /** `'all'` for system-scoped tokens. */
  system_scope?: 'all' | null;
  is_admin?: boolean;
  is_admin_project?: boolean;
  service_user_id?: string | null;
  service_user_domain_id?: string | null;
  service_project_id?: string | null;
  service_project_domain_id?: string | null;
  service_roles?: string[];
  [key: string]: unknown;
}

export type ScopeType = 'system' | 'domain' | 'project';

/** One API operation a rule protects (DocumentedRuleDefault's `operations`). */
export interface PolicyOperation {
  path: string;
  method: string;
}

/** An older name and/or check string a rule replaces (oslo's DeprecatedRule). */
export interface DeprecatedRule {
  name: string;
  checkStr: string;
  /** Falls back to the RuleDefault's deprecatedReason. */
  deprecatedReason?: string;
  /** Falls back to the RuleDefault's deprecatedSince. */
  deprecatedSince?: string;
}

/** A policy rule registered in code (oslo's RuleDefault / DocumentedRuleDefault). */
export interface RuleDefault {
  name: string;
  checkStr: string;
  description?: string;
  /** Token scopes the operation is meant for; enforced when the enforcer enforces scope. */
  scopeTypes?: ScopeType[];
  operations?: PolicyOperation[];
  deprecatedRule?: DeprecatedRule;
  deprecatedReason?: string;
  deprecatedSince?: string;
  /** The rule will go away; operators overriding it are warned (needs reason and since). */
  deprecatedForRemoval?: boolean;
}
