/**
 * Writes to an instance's system metadata (Instance.system_metadata.update + save): existing
 * live keys get their new value, missing ones are added.
 */
import type { Kysely } from 'kysely';
import { nowIso, transaction } from '../../../common/db/index.js';
import type { NovaDB } from './schema.js';

export class SystemMetadataRepo {
  constructor(private readonly db: Kysely<NovaDB>) {}

  async update(instanceUuid: string, values: Readonly<Record<string, string>>): Promise<void> {
    await transaction(this.db, async (tx) => {
      const now = nowIso();
      for (const [key, value] of Object.entries(values)) {
        const res = await tx.updateTable('instance_system_metadata').set({ value, updated_at: now })
          .where('instance_uuid', '=', instanceUuid).where('key', '=', key).where('deleted', '=', 0).executeTakeFirst();
        if (Number(res.numUpdatedRows) === 0) {
          await tx.insertInto('instance_system_metadata').values({ instance_uuid: instanceUuid, key, value, created_at: now, updated_at: null, deleted_at: null }).execute();
        }
      }
    });
  }
}
