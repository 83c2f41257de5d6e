/**
 * The application credential driver interface (keystone/application_credential/backends/
 * base.py ApplicationCredentialDriverBase): credentials with their roles and access rules,
 * the secret kept only as a hash (the driver hashes and checks it). The AppCredManager
 * (../core.ts) keeps the rules: the per-user limit, roles the user has, notifications.
 */

export interface AccessRule {
  id: string;
  service: string;
  path: string;
  method: string;
}

export interface AppCredRef {
  id: string;
  name: string;
  description: string | null;
  userId: string;
  projectId: string | null;
  system: string | null;
  /** UTC with microseconds (`2026-01-02T03:04:05.123456Z`), as given at create. */
  expiresAt: string | null;
  unrestricted: boolean;
  roleIds: string[];
  /** Undefined when the credential has no access rules. */
  accessRules: AccessRule[] | undefined;
}

/** An access rule of a new credential: an existing rule of the user by id, or a rule to find or add. */
export type AccessRuleInput = Partial<AccessRule> & Omit<AccessRule, 'id'>;

/** A new credential as the driver stores it. */
export type AppCredCreateRecord = Omit<AppCredRef, 'accessRules'> & { secret: string; accessRules?: AccessRuleInput[] };

export interface ApplicationCredentialDriver {
  /** Checks an id and secret: false for an unknown credential, a wrong secret or an expired credential. */
  authenticate(id: string, secret: string): Promise<boolean>;
  /** Stores the credential with the secret hashed; KeystoneConflict when the user has one by that name. */
  createApplicationCredential(cred: AppCredCreateRecord): Promise<void>;
  getApplicationCredential(id: string): Promise<AppCredRef | undefined>;
  countApplicationCredentialsForUser(userId: string): Promise<number>;
  /** A user's credentials in creation order, optionally by name. */
  listApplicationCredentialsForUser(userId: string, filter?: { name?: string }): Promise<AppCredRef[]>;
  /** Whether there was such a credential. */
  deleteApplicationCredential(id: string): Promise<boolean>;
  /** Deletes a user's credentials (on one project); returns their ids. */
  deleteApplicationCredentialsForUser(userId: string, projectId?: string): Promise<string[]>;
  /** Deletes the credentials that delegate a role; returns their ids. */
  deleteApplicationCredentialsWithRole(roleId: string): Promise<string[]>;
  getAccessRule(userId: string, ruleId: string): Promise<AccessRule | undefined>;
  listAccessRulesForUser(userId: string, filter?: Partial<Omit<AccessRule, 'id'>>): Promise<AccessRule[]>;
  /** AccessRuleNotFound, or ForbiddenNotSecurity while a credential uses the rule. */
  deleteAccessRule(userId: string, ruleId: string): Promise<void>;
  /** Deletes a user's access rules; returns their ids. */
  deleteAccessRulesForUser(userId: string): Promise<string[]>;
}
