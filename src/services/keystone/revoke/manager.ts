/**
 * Revocation events (keystone/revoke/core.py with its SQL backend): stored in the database,
 * held in memory as an index so checking a token costs no query, and announced to listeners
 * (the token validator drops matching cached tokens at once). Events written by other Keystone
 * processes sharing the database are read by `sync()` (called periodically by the service).
 * `onRecord` listeners hear only about the events this process stores (to tell other services
 * over the bus, once per event).
 * Old events are pruned when new ones are written, as upstream.
 */
import type { Kysely, Selectable } from 'kysely';
import { insertReturningId } from '../../../common/db/index.js';
import type { AuthDB, RevocationEventTable } from '../db/auth-schema.js';
import { isoTime } from '../token/time.js';
import { matches, newRevokeEvent, type RevokeEvent, type RevokeEventInit, type TokenValues } from './model.js';

export type RevokeListener = (event: RevokeEvent) => void;

export interface RevokeManagerOptions {
  /** [token] expiration + [revoke] expiration_buffer: events older than this are pruned. */
  retentionSeconds: number;
}

const toSeconds = (iso: string): number => Math.floor(Date.parse(iso) / 1000);
const fromSeconds = (s: number): string => isoTime(s, false);

function fromRow(r: Selectable<RevocationEventTable>): RevokeEvent {
  // As upstream, a stored domain_id with an expiry is the domain scope of the revoked token.
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

/** Events bucketed by the attribute they must match, so a check looks at few of them. */
class EventIndex {
  private readonly byAudit = new Map<string, RevokeEvent[]>();
  private readonly byUser = new Map<string, RevokeEvent[]>();
  private readonly byProject = new Map<string, RevokeEvent[]>();
  private rest: RevokeEvent[] = [];
  private readonly ids = new Set<number>();

  add(e: RevokeEvent): void {
    if (e.id !== 0) {
      if (this.ids.has(e.id)) return;
      this.ids.add(e.id);
    }
    const push = (m: Map<string, RevokeEvent[]>, k: string): void => { m.get(k)?.push(e) ?? m.set(k, [e]); };
    if (e.auditId !== null) push(this.byAudit, e.auditId);
    else if (e.userId !== null) push(this.byUser, e.userId);
    else if (e.projectId !== null) push(this.byProject, e.projectId);
    else this.rest.push(e);
  }

  isRevoked(t: TokenValues): boolean {
    const lists = [
      this.byAudit.get(t.auditId), this.byUser.get(t.userId),
      t.trustorId ? this.byUser.get(t.trustorId) : undefined, t.trusteeId ? this.byUser.get(t.trusteeId) : undefined,
      t.projectId ? this.byProject.get(t.projectId) : undefined, this.rest,
    ];
    return lists.some((l) => l !== undefined && l.some((e) => matches(e, t)));
  }

  /** Drop events revoked before `cutoff` (seconds). */
  prune(cutoff: number): void {
    const keep = (e: RevokeEvent): boolean => {
      if (e.revokedAt >= cutoff) return true;
      this.ids.delete(e.id);
      return false;
    };
    for (const m of [this.byAudit, this.byUser, this.byProject]) {
      for (const [k, list] of m) {
        const kept = list.filter(keep);
        if (kept.length === 0) m.delete(k);
        else m.set(k, kept);
      }
    }
    this.rest = this.rest.filter(keep);
  }
}

export class RevokeManager {
  private readonly index = new EventIndex();
  private readonly listeners: RevokeListener[] = [];
  private readonly recordListeners: RevokeListener[] = [];
  private lastId = 0;

  constructor(private readonly db: Kysely<AuthDB>, private readonly opts: RevokeManagerOptions) {}

  /** Load the stored events (at start). */
  async load(): Promise<void> {
    await this.sync();
  }

  /** Read events other processes stored since the last read; listeners hear about each. */
  async sync(): Promise<void> {
    const rows = await this.db.selectFrom('revocation_event').selectAll().where('id', '>', this.lastId).orderBy('id').execute();
    for (const row of rows) {
      const e = fromRow(row);
      this.lastId = Math.max(this.lastId, e.id);
      this.index.add(e);
      this.announce(e);
    }
  }

  onRevoke(listener: RevokeListener): void {
    this.listeners.push(listener);
  }

  /** Hear about the events this process stores (not those read from other processes). */
  onRecord(listener: RevokeListener): void {
    this.recordListeners.push(listener);
  }

  isRevoked(t: TokenValues): boolean {
    return this.index.isRevoked(t);
  }

  /** Store an event; it is in force (and announced) when this resolves. */
  async revoke(init: RevokeEventInit): Promise<RevokeEvent> {
    const event = newRevokeEvent(init);
    event.id = await insertReturningId(this.db, 'revocation_event', {
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
    this.index.add(event);
    this.announce(event);
    for (const l of this.recordListeners) l(event);
    await this.prune(event.revokedAt);
    return event;
  }

  revokeByAuditId(auditId: string): Promise<RevokeEvent> {
    return this.revoke({ auditId });
  }

  revokeByUser(userId: string): Promise<RevokeEvent> {
    return this.revoke({ userId });
  }

  revokeByProject(projectId: string): Promise<RevokeEvent> {
    return this.revoke({ projectId });
  }

  revokeByDomain(domainId: string): Promise<RevokeEvent> {
    return this.revoke({ domainId });
  }

  revokeByTrust(trustId: string): Promise<RevokeEvent> {
    return this.revoke({ trustId });
  }

  revokeByUserAndProject(userId: string, projectId: string): Promise<RevokeEvent> {
    return this.revoke({ userId, projectId });
  }

  revokeByRole(roleId: string): Promise<RevokeEvent> {
    return this.revoke({ roleId });
  }

  /** Events revoked after `since` (ms since the epoch), oldest first, for OS-REVOKE. */
  async listEvents(since?: number): Promise<RevokeEvent[]> {
    let q = this.db.selectFrom('revocation_event').selectAll().orderBy('revoked_at').orderBy('id');
    if (since !== undefined) q = q.where('revoked_at', '>', fromSeconds(Math.floor(since / 1000)));
    return (await q.execute()).map(fromRow);
  }

  private announce(e: RevokeEvent): void {
    for (const l of this.listeners) l(e);
  }

  private async prune(now: number): Promise<void> {
    const cutoff = now - this.opts.retentionSeconds;
    await this.db.deleteFrom('revocation_event').where('revoked_at', '<', fromSeconds(cutoff)).execute();
    this.index.prune(cutoff);
  }
}
