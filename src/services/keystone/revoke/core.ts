/**
 * The revocation Manager (keystone/revoke/core.py): revocation events stored by a RevokeDriver
 * (backends/base.ts) chosen by `[revoke] driver`, held in memory (event-index.ts) so checking
 * a token costs no query, and announced to listeners (the token validator drops matching
 * cached tokens at once). Events written by other Keystone processes sharing the store are
 * read by `sync()` (called periodically by the service). `onRecord` listeners hear only about
 * the events this process stores (to tell other services over the bus, once per event). Old
 * events are pruned when new ones are written, as upstream.
 *
 * Its callbacks, as upstream's: a user whose password changed, who was disabled, deleted or
 * removed from a group, a deleted project, domain or trust get a revocation event.
 */
import type { KeystoneEvents } from '../events.js';
import type { RevokeDriver } from './backends/base.js';
import { EventIndex } from './event-index.js';
import { newRevokeEvent, type RevokeEvent, type RevokeEventInit, type TokenValues } from './model.js';

export type RevokeListener = (event: RevokeEvent) => void;

export interface RevokeManagerOptions {
  /** [token] expiration + [revoke] expiration_buffer: events older than this are pruned. */
  retentionSeconds: number;
  events: KeystoneEvents;
}

export class RevokeManager {
  private readonly index = new EventIndex();
  private readonly listeners: RevokeListener[] = [];
  private readonly recordListeners: RevokeListener[] = [];
  private lastId = 0;

  constructor(private readonly driver: RevokeDriver, private readonly opts: RevokeManagerOptions) {
    const { events } = opts;
    const byUser = async ({ userId }: { userId: string }): Promise<void> => { await this.revokeByUser(userId); };
    events.on('user.password_changed', byUser);
    events.on('user.disabled', byUser);
    events.on('user.deleted', byUser);
    events.on('user.removed_from_group', byUser);
    events.on('project.deleted', async ({ projectId }) => { await this.revokeByProject(projectId); });
    events.on('domain.deleted', async ({ domainId }) => { await this.revokeByDomain(domainId); });
    events.on('trust.deleted', async ({ trustId }) => { await this.revokeByTrust(trustId); });
  }

  /** Load the stored events (at start). */
  async load(): Promise<void> {
    await this.sync();
  }

  /** Read events other processes stored since the last read; listeners hear about each. */
  async sync(): Promise<void> {
    for (const e of await this.driver.listEventsAfter(this.lastId)) {
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
    event.id = await this.driver.revoke(event);
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
  listEvents(since?: number): Promise<RevokeEvent[]> {
    return this.driver.listEvents(since !== undefined ? Math.floor(since / 1000) : undefined);
  }

  private announce(e: RevokeEvent): void {
    for (const l of this.listeners) l(e);
  }

  private async prune(now: number): Promise<void> {
    const cutoff = now - this.opts.retentionSeconds;
    await this.driver.prune(cutoff);
    this.index.prune(cutoff);
  }
}
