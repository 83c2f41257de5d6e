/**
 * The queries of the build recovery (conductor/recovery.ts): the servers BUILDING on no host
 * (their build request is with the conductor or the scheduler, or was lost with the bus), and
 * the claim a conductor takes on one of them before it drives its build again: a compare-and-swap
 * on updated_at, so that two conductors (or two runs of the periodic check) never both do it.
 */
import type { Kysely } from 'kysely';
import { compareAndSwap, nowIso } from '../../../common/db/index.js';
import type { NovaDB } from './schema.js';

/** What the recovery needs to know of a host-less build before it claims it. */
export interface HostlessBuild {
  uuid: string;
  reservation_id: string | null;
  task_state: string | null;
  created_at: string;
  updated_at: string | null;
}

export class BuildRecoveryRepo {
  constructor(private readonly db: Kysely<NovaDB>) {}

  /**
   * Live servers in vm_state BUILDING with no host, oldest first; with `unchangedSince`, only the
   * ones not written since then (updated_at, or created_at when never updated).
   */
  async hostlessBuilds(unchangedSince?: string): Promise<HostlessBuild[]> {
    let q = this.hostless();
    if (unchangedSince) {
      const cutoff = unchangedSince;
      q = q.where((eb) => eb.or([
        eb('updated_at', '<', cutoff),
        eb.and([eb('updated_at', 'is', null), eb('created_at', '<', cutoff)]),
      ]));
    }
    return q.orderBy('id').execute();
  }

  /**
   * Host-less builds a compute host's init_host took back from itself (launched_on still names
   * the host; compute/manager.ts rescheduleInterruptedBuild), for the conductor to schedule.
   */
  async interruptedBuilds(): Promise<HostlessBuild[]> {
    return this.hostless().where('launched_on', 'is not', null).orderBy('id').execute();
  }

  private hostless() {
    return this.db.selectFrom('instances').select(['uuid', 'reservation_id', 'task_state', 'created_at', 'updated_at'])
      .where('deleted', '=', 0).where('vm_state', '=', 'building').where('host', 'is', null);
  }

  /**
   * Take the build of a host-less server over: true when it was still BUILDING on no host and
   * unchanged since `seen` was read (its updated_at is then set to now, which is the claim).
   */
  async claim(seen: HostlessBuild): Promise<boolean> {
    return compareAndSwap(this.db, 'instances', {
      where: { uuid: seen.uuid },
      expect: { deleted: 0, vm_state: 'building', host: null, updated_at: seen.updated_at },
      set: { updated_at: nowIso() },
    });
  }
}
