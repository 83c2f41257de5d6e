/**
 * The trust driver interface (keystone/trust/backends/base.py TrustDriverBase): trusts and
 * their delegated roles, deleted softly (deleted_at). The TrustManager (../core.ts) keeps the
 * rules: redelegation chains, expiry, uses.
 */

export interface TrustRef {
  id: string;
  trustorUserId: string;
  trusteeUserId: string;
  projectId: string | null;
  impersonation: boolean;
  /** Milliseconds since the epoch. */
  expiresAt: number | null;
  remainingUses: number | null;
  redelegatedTrustId: string | null;
  redelegationCount: number | null;
  deletedAt: string | null;
  roleIds: string[];
  /** Attributes given at create that are not columns (returned as given). */
  extra: Record<string, unknown>;
}

export interface TrustDriver {
  /** A trust not deleted, with its roles (expired or used-up ones too). */
  getTrust(trustId: string): Promise<TrustRef | undefined>;
  /** Trusts not deleted, by trustor and/or trustee, without their roles (roleIds empty). */
  listTrusts(filter: { trustorUserId?: string; trusteeUserId?: string }): Promise<TrustRef[]>;
  /** The ids of the trusts (not deleted) redelegated from a trust by its trustor. */
  listRedelegatedTrustIds(trustorUserId: string, trustId: string): Promise<string[]>;
  /** The ids of the trusts (not deleted) where the user is trustor or trustee. */
  listTrustIdsForUser(userId: string): Promise<string[]>;
  /** The ids of the trusts (not deleted) on a project. */
  listTrustIdsForProject(projectId: string): Promise<string[]>;
  /** Throws KeystoneConflict for a duplicate id. */
  createTrust(trust: TrustRef): Promise<void>;
  /** Marks the trust deleted; false when it was deleted already (or never existed). */
  deleteTrust(trustId: string): Promise<boolean>;
  /**
   * Uses up one use of a limited trust, safely under concurrency: TrustNotFound when deleted,
   * TrustUseLimitReached when none are left.
   */
  consumeUse(trustId: string): Promise<void>;
}
