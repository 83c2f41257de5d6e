/**
 * The SQL trust driver (keystone/trust/backends/sql.py): `trust` and `trust_role`, soft
 * deletion and use counting by compare-and-swap (optimistic locking, as upstream).
 */
import type { Kysely, Selectable } from 'kysely';
import { compareAndSwap, isUniqueViolation, nowIso, toBool, transaction } from '../../../../common/db/index.js';
import { TrustNotFound, TrustUseLimitReached } from '../../auth/errors.js';
import type { AuthDB, TrustTable } from '../../db/auth-schema.js';
import { KeystoneConflict } from '../../errors.js';
import type { TrustDriver, TrustRef } from './base.js';

const MAX_CONSUME_ATTEMPTS = 10;

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

export class SqlTrustDriver implements TrustDriver {
  constructor(private readonly db: Kysely<AuthDB>) {}

  async getTrust(trustId: string): Promise<TrustRef | undefined> {
    const row = await this.db.selectFrom('trust').selectAll().where('id', '=', trustId).where('deleted_at', 'is', null).executeTakeFirst();
    if (!row) return undefined;
    const roles = await this.db.selectFrom('trust_role').select('role_id').where('trust_id', '=', trustId).execute();
    return fromRow(row, roles.map((r) => r.role_id));
  }

  async listTrusts(filter: { trustorUserId?: string; trusteeUserId?: string }): Promise<TrustRef[]> {
    let q = this.db.selectFrom('trust').selectAll().where('deleted_at', 'is', null);
    if (filter.trustorUserId !== undefined) q = q.where('trustor_user_id', '=', filter.trustorUserId);
    if (filter.trusteeUserId !== undefined) q = q.where('trustee_user_id', '=', filter.trusteeUserId);
    return (await q.orderBy('id').execute()).map((r) => fromRow(r, []));
  }

  async listRedelegatedTrustIds(trustorUserId: string, trustId: string): Promise<string[]> {
    const rows = await this.db.selectFrom('trust').select('id')
      .where('deleted_at', 'is', null).where('trustor_user_id', '=', trustorUserId).where('redelegated_trust_id', '=', trustId).execute();
    return rows.map((r) => r.id);
  }

  async listTrustIdsForUser(userId: string): Promise<string[]> {
    const rows = await this.db.selectFrom('trust').select('id').where('deleted_at', 'is', null)
      .where((eb) => eb.or([eb('trustor_user_id', '=', userId), eb('trustee_user_id', '=', userId)])).execute();
    return rows.map((r) => r.id);
  }

  async listTrustIdsForProject(projectId: string): Promise<string[]> {
    const rows = await this.db.selectFrom('trust').select('id').where('deleted_at', 'is', null).where('project_id', '=', projectId).execute();
    return rows.map((r) => r.id);
  }

  async createTrust(t: TrustRef): Promise<void> {
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

  deleteTrust(trustId: string): Promise<boolean> {
    return compareAndSwap(this.db, 'trust', { where: { id: trustId }, expect: { deleted_at: null }, set: { deleted_at: nowIso() } });
  }

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
}
