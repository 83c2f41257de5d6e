/**
 * The auth side of Keystone's database (keystone/revoke, application_credential and trust SQL
 * backends): revocation events, application credentials with their roles and access rules,
 * and trusts with their roles. Times are ISO-8601 UTC strings (whole seconds, `...Z`), which
 * sort as text; booleans are 0/1.
 */
import type { ColumnType, Generated } from 'kysely';
import type { Bool } from './schema.js';

export interface RevocationEventTable {
  id: Generated<number>;
  domain_id: string | null;
  project_id: string | null;
  user_id: string | null;
  role_id: string | null;
  trust_id: string | null;
  consumer_id: string | null;
  access_token_id: string | null;
  /** Tokens issued at or before this second are revoked. */
  issued_before: string;
  expires_at: string | null;
  revoked_at: string;
  audit_id: string | null;
  audit_chain_id: string | null;
}

export interface ApplicationCredentialTable {
  internal_id: Generated<number>;
  id: string;
  name: string;
  secret_hash: string;
  description: string | null;
  user_id: string;
  project_id: string | null;
  system: string | null;
  expires_at: string | null;
  unrestricted: Bool;
}

export interface ApplicationCredentialRoleTable {
  application_credential_id: number;
  role_id: string;
}

export interface AccessRuleTable {
  id: Generated<number>;
  external_id: string;
  user_id: string;
  service: string;
  path: string;
  method: string;
}

export interface ApplicationCredentialAccessRuleTable {
  application_credential_id: number;
  access_rule_id: number;
}

export interface TrustTable {
  id: string;
  trustor_user_id: string;
  trustee_user_id: string;
  project_id: string | null;
  impersonation: Bool;
  deleted_at: string | null;
  expires_at: string | null;
  remaining_uses: number | null;
  redelegated_trust_id: string | null;
  redelegation_count: number | null;
  /** JSON object of extra attributes given at create. */
  extra: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface TrustRoleTable {
  trust_id: string;
  role_id: string;
}

export interface AuthDB {
  revocation_event: RevocationEventTable;
  application_credential: ApplicationCredentialTable;
  application_credential_role: ApplicationCredentialRoleTable;
  access_rule: AccessRuleTable;
  application_credential_access_rule: ApplicationCredentialAccessRuleTable;
  trust: TrustTable;
  trust_role: TrustRoleTable;
}
