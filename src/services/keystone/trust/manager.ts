/**
 * Trusts (keystone/trust/core.py with its SQL backend): a trustor delegates some of its roles
 * on a project to a trustee, optionally with impersonation, an expiry, a number of uses, and
 * redelegation down a chain of bounded depth. Deletion is soft (deleted_at) and cascades to
 * trusts redelegated from the deleted one; tokens of a deleted trust are revoked.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { compareAndSwap, isUniqueViolation, nowIso, toBool, transaction } from '../../../common/db/index.js';
import { BadRequest } from '../../../common/errors.js';
import { KeystoneConflict } from '../errors.js';
import type { AuthDB, TrustTable } from '../db/auth-schema.js';
import { SecurityForbidden, TrustNotFound, TrustUseLimitReached } from '../auth/errors.js';
import type { IdentityAudit } from '../notifications/audit.js';
import { isoTime } from '../token/time.js';

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

export type TrustCreate = Omit<TrustRef, 'id' | 'deletedAt' | 'redelegatedTrustId'> & { allowRedelegation: boolean };

export interface TrustManagerOptions {
  maxRedelegationCount: number;
  /** Is this user enabled (redelegation chains check every trustee)? */
  userEnabled(userId: string): Promise<boolean>;
  /** Called when trusts are deleted (revocation of their tokens). */
  onDeleted?(trustId: string): Promise<void>;
  /** Notifications (identity.OS-TRUST:trust.created|deleted). */
  audit?: IdentityAudit;
}

const MAX_CONSUME_ATTEMPTS = 10;

export class TrustManager {
  constructor(private readonly db: Kysely<AuthDB>, private readonly opts: TrustManagerOptions) {}

  /** A usable trust: not deleted, not expired, uses left, and a valid redelegation chain. */
  async get(trustId: string): Promise<TrustRef> {
    const trust = await this.load(trustId);
    if (trust.redelegatedTrustId) {
      const chain = await this.pedigree(trustId);
      for (let i = 1; i < chain.length; i++) {
        this.validateRedelegation(chain[i] as TrustRef, chain[i - 1] as TrustRef);
        if (!(await this.opts.userEnabled((chain[i] as TrustRef).trusteeUserId))) {
          throw new SecurityForbidden('One of the trust agents is disabled or deleted');
        }
      }
    }
    return trust;
  }

  /** The trust and its ancestors, newest first. */
  async pedigree(trustId: string): Promise<TrustRef[]> {
    const chain = [await this.load(trustId)];
    for (let t = chain[0] as TrustRef; t.redelegatedTrustId;) {
      t = await this.load(t.redelegatedTrustId);
      chain.push(t);
    }
    return chain;
  }

  async list(filter: { trustorUserId?: string; trusteeUserId?: string } = {}): Promise<TrustRef[]> {
    let q = this.db.selectFrom('trust').selectAll().where('deleted_at', 'is', null);
    if (filter.trustorUserId !== undefined) q = q.where('trustor_user_id', '=', filter.trustorUserId);
    if (filter.trusteeUserId !== undefined) q = q.where('trustee_user_id', '=', filter.trusteeUserId);
    const rows = await q.orderBy('id').execute();
    return rows.map((r) => fromRow(r, []));
  }

  async create(input: TrustCreate, redelegatedFrom?: TrustRef): Promise<TrustRef> {
    const max = this.opts.maxRedelegationCount;
    let requested = input.redelegationCount;
    const redelegatable = input.allowRedelegation && requested !== 0;
    let count: number | null;
    if (!redelegatable) {
      count = requested = 0;
      if (input.remainingUses !== null && input.remainingUses <= 0) throw new BadRequest('remaining_uses must be a positive integer or null.');
    } else {
      if (requested !== null && requested > max) {
        throw new SecurityForbidden(`Requested redelegation depth of ${requested} is greater than allowed ${max}`);
      }
      if (input.remainingUses !== null) throw new BadRequest('remaining_uses must not be set if redelegation is allowed');
      count = requested;
    }
    let trust: TrustRef = {
      id: randomUUID().replaceAll('-', ''),
      trustorUserId: input.trustorUserId,
      trusteeUserId: input.trusteeUserId,
      projectId: input.projectId,
      impersonation: input.impersonation,
      expiresAt: input.expiresAt,
      remainingUses: input.remainingUses,
      redelegatedTrustId: null,
      redelegationCount: count,
      deletedAt: null,
      roleIds: [...new Set(input.roleIds)],
      extra: input.extra,
    };
    if (redelegatedFrom) {
      trust.redelegatedTrustId = redelegatedFrom.id;
      const remaining = (redelegatedFrom.redelegationCount ?? 0) - 1;
      if (redelegatable && requested && requested !== remaining) {
        throw new SecurityForbidden('Modifying "redelegation_count" upon redelegation is forbidden. Omitting this parameter is advised.');
      }
      if (trust.redelegationCount === null) trust.redelegationCount = remaining;
      for (const ancestor of await this.pedigree(redelegatedFrom.id)) trust = this.validateRedelegation(ancestor, trust);
    }
    if (trust.redelegationCount === null) trust.redelegationCount = max;
    await this.insert(trust);
    this.opts.audit?.created('OS-TRUST:trust', trust.id);
    return trust;
  }

  /** Delete a trust and, recursively, the trusts redelegated from it. */
  async delete(trustId: string): Promise<void> {
    const trust = await this.load(trustId);
    const children = await this.db.selectFrom('trust').select('id')
      .where('deleted_at', 'is', null).where('trustor_user_id', '=', trust.trustorUserId).where('redelegated_trust_id', '=', trustId).execute();
    for (const c of children) {
      try {
        await this.delete(c.id);
      } catch (err) {
        if (!(err instanceof TrustNotFound)) throw err;
      }
    }
    const done = await compareAndSwap(this.db, 'trust', { where: { id: trustId }, expect: { deleted_at: null }, set: { deleted_at: nowIso() } });
    if (!done) throw new TrustNotFound(trustId);
    this.opts.audit?.deleted('OS-TRUST:trust', trustId);
    await this.opts.onDeleted?.(trustId);
  }

  /** Delete every trust where the user is trustor or trustee (the user was deleted). */
  async deleteForUser(userId: string): Promise<void> {
    const rows = await this.db.selectFrom('trust').select('id').where('deleted_at', 'is', null)
      .where((eb) => eb.or([eb('trustor_user_id', '=', userId), eb('trustee_user_id', '=', userId)])).execute();
    await this.softDelete(rows.map((r) => r.id));
  }

  private async softDelete(ids: string[]): Promise<void> {
    for (const id of ids) {
      if (await compareAndSwap(this.db, 'trust', { where: { id }, expect: { deleted_at: null }, set: { deleted_at: nowIso() } })) {
        this.opts.audit?.deleted('OS-TRUST:trust', id);
      }
      await this.opts.onDeleted?.(id);
    }
  }

  /** Delete the trusts on a project (the project was deleted). */
  async deleteForProject(projectId: string): Promise<void> {
    const rows = await this.db.selectFrom('trust').select('id').where('deleted_at', 'is', null).where('project_id', '=', projectId).execute();
    await this.softDelete(rows.map((r) => r.id));
  }

  /** Use up one of a limited trust's uses (optimistic locking, as upstream). */
  async consumeUse(trustId: string): Promise<void> {
    for (let attempt = 0; attempt < MAX_CONSUME_ATTEMPTS; attempt++) {
      const row = await this.db.selectFrom('trust').select('remaining_uses').where('id', '=', trustId).where('deleted_at', 'is', null).executeTakeFirst();
      if (!row) throw new TrustNotFound(trustId);
      if (row.remaining_uses === null) return;
      if (row.remaining_uses <= 0) throw new TrustUseLimitReached(trustId);
      const swapped = await compareAndSwap(this.db, 'trust', {
        where: { id: trustId }, expect: { deleted_at: null, remaining_uses: row.remaining_uses }, set: { remaining_uses: row.remaining_uses - 1 },
      });
      if (swapped) return;
    }
    throw new Error(`Unable to consume trust ${trustId}: too many concurrent updates`);
  }

  /** A stored trust that is not deleted, expired or used up (the driver's get_trust). */
  private async load(trustId: string): Promise<TrustRef> {
    const row = await this.db.selectFrom('trust').selectAll().where('id', '=', trustId).where('deleted_at', 'is', null).executeTakeFirst();
    if (!row) throw new TrustNotFound(trustId);
    const roles = await this.db.selectFrom('trust_role').select('role_id').where('trust_id', '=', trustId).execute();
    const trust = fromRow(row, roles.map((r) => r.role_id));
    if (trust.expiresAt !== null && Date.now() > trust.expiresAt) throw new TrustNotFound(trustId);
    if (trust.remainingUses !== null && trust.remainingUses <= 0) throw new TrustNotFound(trustId);
    return trust;
  }

  /** Checks a (new or chained) trust against the trust it was redelegated from (upstream's rules). */
  private validateRedelegation(parent: TrustRef, trust: TrustRef): TrustRef {
    const depth = parent.redelegationCount ?? 0;
    const max = this.opts.maxRedelegationCount;
    if (!(depth > 0 && depth <= max)) {
      throw new SecurityForbidden(`Remaining redelegation depth of ${depth} out of allowed range of [0..${max}]`);
    }
    if (trust.remainingUses !== null) {
      throw new SecurityForbidden(`Field "remaining_uses" is set to ${trust.remainingUses} while it must not be set in order to redelegate a trust`);
    }
    let out = trust;
    if (trust.expiresAt !== null) {
      if (parent.expiresAt !== null && parent.expiresAt < trust.expiresAt) {
        throw new SecurityForbidden('Requested expiration time is more than redelegated trust can provide');
      }
    } else {
      out = { ...trust, expiresAt: parent.expiresAt };
    }
    const parentRoles = new Set(parent.roleIds);
    if (!trust.roleIds.every((r) => parentRoles.has(r))) throw new SecurityForbidden('Some of requested roles are not in redelegated trust');
    if (!parent.impersonation && trust.impersonation) {
      throw new SecurityForbidden(`Impersonation is not allowed because redelegated trust does not specify impersonation. Redelegated trust id: ${parent.id}`);
    }
    return out;
  }

  private async insert(t: TrustRef): Promise<void> {
    try {
      await transaction(this.db, async (trx) => {
        await trx.insertInto('trust').values({
          id: t.id,
          trustor_user_id: t.trustorUserId,
          trustee_user_id: t.trusteeUserId,
          project_id: t.projectId,
          impersonation: t.impersonation ? 1 : 0,
          deleted_at: null,
          expires_at: t.expiresAt !== null ? new Date(t.expiresAt).toISOString() : null,
          remaining_uses: t.remainingUses,
          redelegated_trust_id: t.redelegatedTrustId,
          redelegation_count: t.redelegationCount,
          extra: JSON.stringify(t.extra),
        }).execute();
        for (const roleId of t.roleIds) await trx.insertInto('trust_role').values({ trust_id: t.id, role_id: roleId }).execute();
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new KeystoneConflict('trust', `Duplicate entry found with ID ${t.id}`);
      throw err;
    }
  }
}

function fromRow(r: Selectable<TrustTable>, roleIds: string[]): TrustRef {
  return {
    id: r.id,
    trustorUserId: r.trustor_user_id,
    trusteeUserId: r.trustee_user_id,
    projectId: r.project_id,
    impersonation: toBool(r.impersonation),
    expiresAt: r.expires_at ? Date.parse(r.expires_at) : null,
    remainingUses: r.remaining_uses,
    redelegatedTrustId: r.redelegated_trust_id,
    redelegationCount: r.redelegation_count,
    deletedAt: r.deleted_at,
    roleIds,
    extra: r.extra ? (JSON.parse(r.extra) as Record<string, unknown>) : {},
  };
}

/** The trust as the API shows it (without roles; the routes add them). */
export function trustToApi(t: TrustRef): Record<string, unknown> {
  return {
    ...t.extra,
    id: t.id,
    trustor_user_id: t.trustorUserId,
    trustee_user_id: t.trusteeUserId,
    project_id: t.projectId,
    impersonation: t.impersonation,
    expires_at: t.expiresAt !== null ? isoTime(new Date(t.expiresAt)) : null,
    remaining_uses: t.remainingUses,
    deleted_at: t.deletedAt,
    redelegated_trust_id: t.redelegatedTrustId,
    redelegation_count: t.redelegationCount,
  };
}
