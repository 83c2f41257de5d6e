/**
 * Volume transfers (cinder/db/sqlalchemy/api.py transfer_*): a live transfer per offered
 * volume; creating one moves the volume available → awaiting-transfer in the same
 * transaction, destroying it moves it back, accepting it (within the recipient's quota
 * transaction) gives the volume, and its snapshots unless no_snapshots, to the recipient.
 */
import type { Kysely, Selectable } from 'kysely';
import { nowIso, toBool } from '../../../common/db/index.js';
import type { TransfersTable } from './schema-resources.js';
import type { CinderDB } from './schema.js';

export interface TransferRecord {
  id: string;
  volume_id: string;
  display_name: string | null;
  salt: string;
  crypt_hash: string;
  no_snapshots: boolean;
  source_project_id: string;
  destination_project_id: string | null;
  accepted: boolean;
  created_at: string;
  deleted: boolean;
}

const record = (r: Selectable<TransfersTable>): TransferRecord => ({
  id: r.id, volume_id: r.volume_id, display_name: r.display_name, salt: r.salt, crypt_hash: r.crypt_hash, no_snapshots: toBool(r.no_snapshots),
  source_project_id: r.source_project_id, destination_project_id: r.destination_project_id, accepted: toBool(r.accepted), created_at: r.created_at,
  deleted: toBool(r.deleted),
});

export class TransferRepo {
  constructor(private readonly db: Kysely<CinderDB>) {}

  /** @returns false when the volume was not available (another request moved it first) */
  async create(t: Omit<TransferRecord, 'created_at' | 'deleted' | 'accepted' | 'destination_project_id'>): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const moved = await trx.updateTable('volumes').set({ status: 'awaiting-transfer', updated_at: nowIso() })
        .where('id', '=', t.volume_id).where('deleted', '=', 0).where('status', '=', 'available').executeTakeFirst();
      if (Number(moved.numUpdatedRows) === 0) return false;
      await trx.insertInto('transfers').values({
        ...t, no_snapshots: t.no_snapshots ? 1 : 0, expires_at: null, destination_project_id: null, accepted: 0,
        created_at: nowIso(), updated_at: null, deleted_at: null, deleted: 0,
      }).execute();
      return true;
    });
  }

  async find(id: string): Promise<TransferRecord | undefined> {
    const row = await this.db.selectFrom('transfers').selectAll().where('id', '=', id).where('deleted', '=', 0).executeTakeFirst();
    return row ? record(row) : undefined;
  }

  /** Live transfers of volumes of one project, or (null) of all. */
  async list(projectId: string | null): Promise<TransferRecord[]> {
    let q = this.db.selectFrom('transfers').selectAll('transfers').innerJoin('volumes', 'volumes.id', 'transfers.volume_id').where('transfers.deleted', '=', 0);
    if (projectId !== null) q = q.where('volumes.project_id', '=', projectId);
    return (await q.orderBy('transfers.created_at').orderBy('transfers.id').execute()).map(record);
  }

  async ofVolume(volumeId: string): Promise<TransferRecord[]> {
    return (await this.db.selectFrom('transfers').selectAll().where('volume_id', '=', volumeId).where('deleted', '=', 0).execute()).map(record);
  }

  /** transfer_destroy: the transfer goes, its volume back to available. */
  async destroy(t: TransferRecord): Promise<void> {
    const now = nowIso();
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('transfers').set({ deleted: 1, deleted_at: now, updated_at: now }).where('id', '=', t.id).execute();
      await trx.updateTable('volumes').set({ status: 'available', updated_at: now })
        .where('id', '=', t.volume_id).where('status', '=', 'awaiting-transfer').execute();
    });
  }

  /**
   * transfer_accept, inside the caller's transaction: the volume (still awaiting-transfer) and,
   * unless no_snapshots, its snapshots go to the recipient. @returns false when the volume had
   * left awaiting-transfer or the transfer was gone
   */
  async accept(trx: Kysely<CinderDB>, t: TransferRecord, userId: string, projectId: string): Promise<boolean> {
    const now = nowIso();
    const gone = await trx.updateTable('transfers').set({ deleted: 1, deleted_at: now, updated_at: now, accepted: 1, destination_project_id: projectId })
      .where('id', '=', t.id).where('deleted', '=', 0).executeTakeFirst();
    if (Number(gone.numUpdatedRows) === 0) return false;
    const moved = await trx.updateTable('volumes').set({ status: 'available', user_id: userId, project_id: projectId, updated_at: now })
      .where('id', '=', t.volume_id).where('deleted', '=', 0).where('status', '=', 'awaiting-transfer').executeTakeFirst();
    if (Number(moved.numUpdatedRows) === 0) return false;
    if (!t.no_snapshots) {
      await trx.updateTable('snapshots').set({ user_id: userId, project_id: projectId, updated_at: now })
        .where('volume_id', '=', t.volume_id).where('deleted', '=', 0).execute();
    }
    return true;
  }
}
