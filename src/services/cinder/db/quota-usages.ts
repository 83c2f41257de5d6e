/**
 * What a quota check reads and locks inside its transaction: the project's lock row in
 * quota_usages (SELECT ... FOR UPDATE on PostgreSQL and MariaDB; SQLite's BEGIN IMMEDIATE
 * already serialises writers), then the usage counted from the live volumes and snapshots,
 * per volume type too. Whatever the caller writes in the same transaction is seen by the next
 * check of the project, which waits for the lock.
 */
import type { Kysely } from 'kysely';
import { dialectOf, isUniqueViolation, nowIso } from '../../../common/db/index.js';
import type { CinderDB } from './schema.js';

const LOCK_RESOURCE = 'volumes';

export interface CountedUsage {
  volumes: number;
  snapshots: number;
  gigabytes: number;
  [resource: string]: number;
}

export class QuotaUsageRepo {
  constructor(private readonly db: Kysely<CinderDB>) {}

  /** The project's lock row exists (made outside the transaction that locks it; a racing insert is fine). */
  async ensureLockRow(projectId: string): Promise<void> {
    const had = await this.db.selectFrom('quota_usages').select('id').where('project_id', '=', projectId).where('resource', '=', LOCK_RESOURCE).executeTakeFirst();
    if (had) return;
    try {
      await this.db.insertInto('quota_usages').values({ project_id: projectId, resource: LOCK_RESOURCE, in_use: 0, reserved: 0, created_at: nowIso(), updated_at: null }).execute();
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
  }

  /** Lock the project's row for the rest of `trx` (the first statement of the transaction). */
  async lock(trx: Kysely<CinderDB>, projectId: string): Promise<void> {
    let q = trx.selectFrom('quota_usages').select('id').where('project_id', '=', projectId).where('resource', '=', LOCK_RESOURCE);
    if (dialectOf(trx) !== 'sqlite') q = q.forUpdate();
    await q.execute();
  }

  /** Usage of the project's live volumes and snapshots that count against its quota. */
  async count(trx: Kysely<CinderDB>, projectId: string): Promise<CountedUsage> {
    const vols = await trx.selectFrom('volumes').leftJoin('volume_types', 'volume_types.id', 'volumes.volume_type_id')
      .select(['volumes.size as size', 'volume_types.name as type']).where('volumes.project_id', '=', projectId).where('volumes.deleted', '=', 0)
      .where('volumes.use_quota', '=', 1).execute();
    const snaps = await trx.selectFrom('snapshots').leftJoin('volumes', 'volumes.id', 'snapshots.volume_id').leftJoin('volume_types', 'volume_types.id', 'volumes.volume_type_id')
      .select(['snapshots.volume_size as size', 'volume_types.name as type']).where('snapshots.project_id', '=', projectId).where('snapshots.deleted', '=', 0)
      .where('snapshots.use_quota', '=', 1).execute();
    const usage: CountedUsage = { volumes: vols.length, snapshots: snaps.length, gigabytes: 0 };
    const add = (k: string, n: number) => { usage[k] = (usage[k] ?? 0) + n; };
    for (const v of vols) {
      add('gigabytes', Number(v.size));
      if (v.type) { add(`volumes_${v.type}`, 1); add(`gigabytes_${v.type}`, Number(v.size)); }
    }
    for (const s of snaps) {
      add('gigabytes', Number(s.size));
      if (s.type) { add(`snapshots_${s.type}`, 1); add(`gigabytes_${s.type}`, Number(s.size)); }
    }
    return usage;
  }
}
