/** Encryption types of volume types (cinder/db/sqlalchemy/api.py volume_type_encryption_*): one live row per type. */
import type { Kysely, Selectable } from 'kysely';
import { nowIso } from '../../../common/db/index.js';
import type { EncryptionTable } from './schema-resources.js';
import type { CinderDB } from './schema.js';

export type EncryptionRecord = Omit<Selectable<EncryptionTable>, 'deleted' | 'deleted_at'> & { deleted: boolean };
export type EncryptionFields = { provider?: string; cipher?: string | null; key_size?: number | null; control_location?: string };

export class EncryptionRepo {
  constructor(private readonly db: Kysely<CinderDB>) {}

  async ofType(typeId: string): Promise<EncryptionRecord | undefined> {
    const row = await this.db.selectFrom('encryption').selectAll().where('volume_type_id', '=', typeId).where('deleted', '=', 0).executeTakeFirst();
    if (!row) return undefined;
    const { deleted_at: _gone, ...rest } = row;
    return { ...rest, deleted: false };
  }

  /** @returns false when the type has one already */
  async create(e: { encryption_id: string; volume_type_id: string; provider: string; cipher: string | null; key_size: number | null; control_location: string }): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const had = await trx.selectFrom('encryption').select('encryption_id').where('volume_type_id', '=', e.volume_type_id).where('deleted', '=', 0).executeTakeFirst();
      if (had) return false;
      await trx.insertInto('encryption').values({ ...e, created_at: nowIso(), updated_at: null, deleted_at: null, deleted: 0 }).execute();
      return true;
    });
  }

  async update(typeId: string, fields: EncryptionFields): Promise<void> {
    await this.db.updateTable('encryption').set({ ...fields, updated_at: nowIso() }).where('volume_type_id', '=', typeId).where('deleted', '=', 0).execute();
  }

  async softDelete(typeId: string): Promise<void> {
    const now = nowIso();
    await this.db.updateTable('encryption').set({ deleted: 1, deleted_at: now, updated_at: now }).where('volume_type_id', '=', typeId).where('deleted', '=', 0).execute();
  }
}
