/**
 * Snapshots (cinder/db/sqlalchemy/api.py snapshot_*): rows with their metadata, status moves
 * as compare-and-swap, the usage a project's snapshots count against its quota.
 */
import type { Kysely, Selectable } from 'kysely';
import { nowIso, toBool } from '../../../common/db/index.js';
import { KeyValueRepo } from './metadata.js';
import type { SnapshotRecord } from './records.js';
import type { RowState } from './volumes.js';
import type { CinderDB, SnapshotsTable } from './schema.js';

export type NewSnapshot = Omit<SnapshotsTable, 'created_at' | 'updated_at' | 'deleted_at' | 'deleted' | 'use_quota'>;
export type SnapshotFields = Partial<Omit<SnapshotsTable, 'id' | 'deleted'>>;

export class SnapshotRepo {
  readonly metadata: KeyValueRepo;

  constructor(private readonly db: Kysely<CinderDB>) {
    this.metadata = new KeyValueRepo(db, 'snapshot_metadata');
  }

  private async records(rows: Selectable<SnapshotsTable>[]): Promise<SnapshotRecord[]> {
    const meta = await this.metadata.many(rows.map((r) => r.id));
    return rows.map((r) => ({ ...r, use_quota: toBool(r.use_quota), deleted: toBool(r.deleted), metadata: meta.get(r.id) ?? {} }));
  }

  async create(s: NewSnapshot, metadata: Record<string, string>): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('snapshots').values({ ...s, use_quota: 1, created_at: nowIso(), updated_at: null, deleted_at: null, deleted: 0 }).execute();
      await this.metadata.set(s.id, metadata, false, trx);
    });
  }

  async find(id: string): Promise<SnapshotRecord | undefined> {
    return (await this.records(await this.db.selectFrom('snapshots').selectAll().where('id', '=', id).where('deleted', '=', 0).execute()))[0];
  }

  /** Rows of these ids, deleted ones too, with their volume's host. */
  async rowStates(ids: readonly string[]): Promise<Map<string, RowState>> {
    const out = new Map<string, RowState>();
    for (let at = 0; at < ids.length; at += 500) {
      const rows = await this.db.selectFrom('snapshots').leftJoin('volumes', 'volumes.id', 'snapshots.volume_id')
        .select(['snapshots.id as id', 'snapshots.deleted as deleted', 'snapshots.status as status', 'volumes.host as host'])
        .where('snapshots.id', 'in', ids.slice(at, at + 500)).execute();
      for (const r of rows) out.set(r.id, { deleted: toBool(r.deleted), status: r.status, host: r.host ?? null });
    }
    return out;
  }

  async list(projectId: string | null): Promise<SnapshotRecord[]> {
    let q = this.db.selectFrom('snapshots').selectAll().where('deleted', '=', 0);
    if (projectId !== null) q = q.where('project_id', '=', projectId);
    return this.records(await q.execute());
  }

  async ofVolume(volumeId: string): Promise<SnapshotRecord[]> {
    return this.records(await this.db.selectFrom('snapshots').selectAll().where('volume_id', '=', volumeId).where('deleted', '=', 0).execute());
  }

  async update(id: string, fields: SnapshotFields): Promise<void> {
    await this.db.updateTable('snapshots').set({ ...fields, updated_at: nowIso() }).where('id', '=', id).execute();
  }

  async conditionalUpdate(id: string, expected: readonly string[], fields: SnapshotFields): Promise<boolean> {
    const res = await this.db.updateTable('snapshots').set({ ...fields, updated_at: nowIso() })
      .where('id', '=', id).where('deleted', '=', 0).where('status', 'in', [...expected]).executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  async softDelete(id: string): Promise<void> {
    const now = nowIso();
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('snapshots').set({ deleted: 1, deleted_at: now, updated_at: now, status: 'deleted' }).where('id', '=', id).execute();
      await trx.deleteFrom('snapshot_metadata').where('snapshot_id', '=', id).execute();
    });
  }

  async usage(projectId: string): Promise<{ snapshots: number; gigabytes: number }> {
    const row = await this.db.selectFrom('snapshots')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('volume_size').as('gb')])
      .where('project_id', '=', projectId).where('deleted', '=', 0).where('use_quota', '=', 1).executeTakeFirst();
    return { snapshots: Number(row?.n ?? 0), gigabytes: Number(row?.gb ?? 0) };
  }
}
