/**
 * Backups (cinder/db/sqlalchemy/api.py backup_*): rows with their metadata (3.43), status moves
 * as compare-and-swap, the usage a project's backups count against the backups and
 * backup_gigabytes quotas, the dependents of a parent (incremental backups), and the
 * soft-deleted rows an import may bring back.
 */
import type { Kysely, Selectable } from 'kysely';
import { nowIso, toBool } from '../../../common/db/index.js';
import { KeyValueRepo } from './metadata.js';
import type { BackupsTable, CinderDB } from './schema.js';

/** A row as the layers above see it: deleted as a boolean, with its metadata (3.43). */
export type BackupRecord = Omit<Selectable<BackupsTable>, 'deleted'> & {
  deleted: boolean;
  metadata: Record<string, string>;
};

export type NewBackup = Omit<BackupsTable, 'created_at' | 'updated_at' | 'deleted_at' | 'deleted' | 'object_count' | 'num_dependent_backups'> & { created_at?: string };
export type BackupFields = Partial<Omit<BackupsTable, 'id' | 'deleted'>>;

export class BackupRepo {
  readonly metadata: KeyValueRepo;

  constructor(private readonly db: Kysely<CinderDB>) {
    this.metadata = new KeyValueRepo(db, 'backup_metadata');
  }

  private async records(rows: Selectable<BackupsTable>[]): Promise<BackupRecord[]> {
    const meta = await this.metadata.many(rows.map((r) => r.id));
    return rows.map((r) => ({ ...r, deleted: toBool(r.deleted), metadata: meta.get(r.id) ?? {} }));
  }

  /** A new row (created_at given: an import keeps the original's); its parent counts one more dependent. */
  async create(b: NewBackup, metadata: Record<string, string>): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('backups').values({
        ...b, created_at: b.created_at ?? nowIso(), object_count: 0, num_dependent_backups: 0, updated_at: null, deleted_at: null, deleted: 0,
      }).execute();
      await this.metadata.set(b.id, metadata, false, trx);
      if (b.parent_id) {
        await trx.updateTable('backups').set((eb) => ({ num_dependent_backups: eb('num_dependent_backups', '+', 1) })).where('id', '=', b.parent_id).execute();
      }
    });
  }

  async find(id: string): Promise<BackupRecord | undefined> {
    return (await this.records(await this.db.selectFrom('backups').selectAll().where('id', '=', id).where('deleted', '=', 0).execute()))[0];
  }

  /** A row whether deleted or not (import_record reuses a deleted one). */
  async findAny(id: string): Promise<BackupRecord | undefined> {
    return (await this.records(await this.db.selectFrom('backups').selectAll().where('id', '=', id).execute()))[0];
  }

  /** Live backups, of one project or (null) of all. */
  async list(projectId: string | null): Promise<BackupRecord[]> {
    let q = this.db.selectFrom('backups').selectAll().where('deleted', '=', 0);
    if (projectId !== null) q = q.where('project_id', '=', projectId);
    return this.records(await q.execute());
  }

  async ofVolume(volumeId: string): Promise<BackupRecord[]> {
    return this.records(await this.db.selectFrom('backups').selectAll().where('volume_id', '=', volumeId).where('deleted', '=', 0).execute());
  }

  async children(parentId: string): Promise<BackupRecord[]> {
    return this.records(await this.db.selectFrom('backups').selectAll().where('parent_id', '=', parentId).where('deleted', '=', 0).execute());
  }

  /** Live backups a backup service host holds. */
  async onHost(host: string): Promise<BackupRecord[]> {
    return this.records(await this.db.selectFrom('backups').selectAll().where('host', '=', host).where('deleted', '=', 0).execute());
  }

  async update(id: string, fields: BackupFields): Promise<void> {
    await this.db.updateTable('backups').set({ ...fields, updated_at: nowIso() }).where('id', '=', id).execute();
  }

  /** Move a live backup when its status is one of `expected`; false when another request moved it first. */
  async conditionalUpdate(id: string, expected: readonly string[], fields: BackupFields): Promise<boolean> {
    const res = await this.db.updateTable('backups').set({ ...fields, updated_at: nowIso() })
      .where('id', '=', id).where('deleted', '=', 0).where('status', 'in', [...expected]).executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  /** Bring back a deleted row for an import, with the record's fields. */
  async revive(id: string, fields: BackupFields): Promise<void> {
    await this.db.updateTable('backups').set({ ...fields, deleted: 0, deleted_at: null, updated_at: nowIso() }).where('id', '=', id).execute();
  }

  async softDelete(id: string): Promise<void> {
    const now = nowIso();
    await this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('backups').select('parent_id').where('id', '=', id).where('deleted', '=', 0).executeTakeFirst();
      await trx.updateTable('backups').set({ deleted: 1, deleted_at: now, updated_at: now, status: 'deleted' }).where('id', '=', id).execute();
      await trx.deleteFrom('backup_metadata').where('backup_id', '=', id).execute();
      if (row?.parent_id) {
        await trx.updateTable('backups').set((eb) => ({ num_dependent_backups: eb('num_dependent_backups', '-', 1) }))
          .where('id', '=', row.parent_id).where('num_dependent_backups', '>', 0).execute();
      }
    });
  }

  /** Backups and GiB of a project's live backups (the backups and backup_gigabytes quotas). */
  async usage(projectId: string): Promise<{ backups: number; backup_gigabytes: number }> {
    const row = await this.db.selectFrom('backups')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('size').as('gb')])
      .where('project_id', '=', projectId).where('deleted', '=', 0).executeTakeFirst();
    return { backups: Number(row?.n ?? 0), backup_gigabytes: Number(row?.gb ?? 0) };
  }
}

/** Whether a backup is an incremental one (it has a parent). */
export function isIncremental(b: BackupRecord): boolean {
  return b.parent_id !== null;
}
