/**
 * The revocation event driver interface (keystone/revoke/backends/base.py RevokeDriverBase):
 * where revocation events are stored, so that every Keystone process sharing the store sees
 * them. The RevokeManager (../core.ts) keeps them in memory and matches tokens.
 */
import type { RevokeEvent } from '../model.js';

export interface RevokeDriver {
  /** Events stored after the one with id `lastId` (all for 0), in id order. */
  listEventsAfter(lastId: number): Promise<RevokeEvent[]>;
  /** Events revoked after `sinceSeconds` (all without it), in revocation order. */
  listEvents(sinceSeconds?: number): Promise<RevokeEvent[]>;
  /** Stores an event; returns its id. */
  revoke(event: RevokeEvent): Promise<number>;
  /** Deletes the events revoked before `cutoffSeconds`. */
  prune(cutoffSeconds: number): Promise<void>;
}
