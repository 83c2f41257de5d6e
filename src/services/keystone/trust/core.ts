/**
 * The trust Manager (keystone/trust/core.py): a trustor delegates some of its roles on a
 * project to a trustee, optionally with impersonation, an expiry, a number of uses, and
 * redelegation down a chain of bounded depth; over a TrustDriver (backends/base.ts) chosen by
 * `[trust] driver`. Deletion is soft and cascades to trusts redelegated from the deleted one;
 * `trust.deleted` revokes the trust's tokens. A deleted user or project loses its trusts
 * (callbacks).
 */
import { randomUUID } from 'node:crypto';
import { BadRequest } from '../../../common/errors.js';
import { SecurityForbidden, TrustNotFound } from '../auth/errors.js';
import type { IdentityManager } from '../identity/core.js';
import type { KeystoneEvents } from '../events.js';
import type { IdentityAudit } from '../rpc/audit.js';
import { isoTime } from '../token/time.js';
import type { TrustDriver, TrustRef } from './backends/base.js';

export type TrustCreate = Omit<TrustRef, 'id' | 'deletedAt' | 'redelegatedTrustId'> & { allowRedelegation: boolean };

export interface TrustManagerDeps {
  /** [trust] max_redelegation_count. */
  maxRedelegationCount: number;
  /** Whether the trustees of a redelegation chain are still enabled. */
  identity: Pick<IdentityManager, 'findUser'>;
  events: KeystoneEvents;
  /** Notifications (identity.OS-TRUST:trust.created|deleted). */
  audit: IdentityAudit;
}

export class TrustManager {
  constructor(private readonly driver: TrustDriver, private readonly opts: TrustManagerDeps) {
    opts.events.on('user.deleted', ({ userId }) => this.deleteForUser(userId));
    opts.events.on('project.deleted', ({ projectId }) => this.deleteForProject(projectId));
  }

  private async userEnabled(userId: string): Promise<boolean> {
    return (await this.opts.identity.findUser(userId))?.enabled ?? false;
  }

  /** A usable trust: not deleted, not expired, uses left, and a valid redelegation chain. */
  async get(trustId: string): Promise<TrustRef> {
    const trust = await this.load(trustId);
    if (trust.redelegatedTrustId) {
      const chain = await this.pedigree(trustId);
      for (let i = 1; i < chain.length; i++) {
        this.validateRedelegation(chain[i] as TrustRef, chain[i - 1] as TrustRef);
        if (!(await this.userEnabled((chain[i] as TrustRef).trusteeUserId))) {
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

  list(filter: { trustorUserId?: string; trusteeUserId?: string } = {}): Promise<TrustRef[]> {
    return this.driver.listTrusts(filter);
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
    await this.driver.createTrust(trust);
    this.opts.audit.created('OS-TRUST:trust', trust.id);
    return trust;
  }

  /** Delete a trust and, recursively, the trusts redelegated from it. */
  async delete(trustId: string): Promise<void> {
    const trust = await this.load(trustId);
    for (const childId of await this.driver.listRedelegatedTrustIds(trust.trustorUserId, trustId)) {
      try {
        await this.delete(childId);
      } catch (err) {
        if (!(err instanceof TrustNotFound)) throw err;
      }
    }
    if (!(await this.driver.deleteTrust(trustId))) throw new TrustNotFound(trustId);
    this.opts.audit.deleted('OS-TRUST:trust', trustId);
    await this.opts.events.emit('trust.deleted', { trustId });
  }

  /** Delete every trust where the user is trustor or trustee (the user was deleted). */
  async deleteForUser(userId: string): Promise<void> {
    await this.softDelete(await this.driver.listTrustIdsForUser(userId));
  }

  /** Delete the trusts on a project (the project was deleted). */
  async deleteForProject(projectId: string): Promise<void> {
    await this.softDelete(await this.driver.listTrustIdsForProject(projectId));
  }

  private async softDelete(ids: string[]): Promise<void> {
    for (const id of ids) {
      if (await this.driver.deleteTrust(id)) this.opts.audit.deleted('OS-TRUST:trust', id);
      await this.opts.events.emit('trust.deleted', { trustId: id });
    }
  }

  /** Use up one of a limited trust's uses. */
  consumeUse(trustId: string): Promise<void> {
    return this.driver.consumeUse(trustId);
  }

  /** A stored trust that is not deleted, expired or used up (upstream's get_trust). */
  private async load(trustId: string): Promise<TrustRef> {
    const trust = await this.driver.getTrust(trustId);
    if (!trust) throw new TrustNotFound(trustId);
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
