/**
 * The SQL revocation event driver (keystone/revoke/backends/sql.py): `revocation_event`, times
 * as ISO strings of whole seconds. As upstream, a stored domain_id with an expiry is the domain
 * scope of the revoked token.
 */
import type { Kysely, Selectable } from 'kysely';
import { insertReturningId } from '../../../../common/db/index.js';
import type { AuthDB, RevocationEventTable } from '../../db/auth-schema.js';
import { isoTime } from '../../token/time.js';
import type { RevokeEvent } from '../model.js';
import type { RevokeDriver } from './base.js';

const toSeconds = (iso: string): number => Math.floor(Date.parse(iso) / 1000);
const fromSeconds = (s: number): string => isoTime(s, false);

function fromRow(r: Selectable<RevocationEventTable>): RevokeEvent {
  const domainScoped = r.domain_id !== null && r.expires_at !== null;
  return {
    id: Number(r.id),
    domainId: domainScoped ? null : r.domain_id,
    domainScopeId: domainScoped ? r.domain_id : null,
    projectId: r.project_id,
    userId: r.user_id,
    roleId: r.role_id,
    trustId: r.trust_id,
    consumerId: r.consumer_id,
    accessTokenId: r.access_token_id,
    auditId: r.audit_id,
    auditChainId: r.audit_chain_id,
    expiresAt: r.expires_at ? toSeconds(r.expires_at) : null,
    issuedBefore: toSeconds(r.issued_before),
    revokedAt: toSeconds(r.revoked_at),
  };
}

export class SqlRevokeDriver implements RevokeDriver {
  constructor(private readonly db: Kysely<AuthDB>) {}

  async listEventsAfter(lastId: number): Promise<RevokeEvent[]> {
    return (await this.db.selectFrom('revocation_event').selectAll().where('id', '>', lastId).orderBy('id').execute()).map(fromRow);
  }

  async listEvents(sinceSeconds?: number): Promise<RevokeEvent[]> {
    let q = this.db.selectFrom('revocation_event').selectAll().orderBy('revoked_at').orderBy('id');
    if (sinceSeconds !== undefined) q = q.where('revoked_at', '>', fromSeconds(sinceSeconds));
    return (await q.execute()).map(fromRow);
  }

  revoke(event: RevokeEvent): Promise<number> {
    return insertReturningId(this.db, 'revocation_event', {
      domain_id: event.domainScopeId ?? event.domainId,
      project_id: event.projectId,
      user_id: event.userId,
      role_id: event.roleId,
      trust_id: event.trustId,
      consumer_id: event.consumerId,
      access_token_id: event.accessTokenId,
      issued_before: fromSeconds(event.issuedBefore),
      expires_at: event.expiresAt !== null ? fromSeconds(event.expiresAt) : null,
      revoked_at: fromSeconds(event.revokedAt),
      audit_id: event.auditId,
      audit_chain_id: event.auditChainId,
    });
  }

  async prune(cutoffSeconds: number): Promise<void> {
    await this.db.deleteFrom('revocation_event').where('revoked_at', '<', fromSeconds(cutoffSeconds)).execute();
  }
}
