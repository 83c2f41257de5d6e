/**
 * A server's user metadata and system metadata rows (nova's Instance.save of `metadata` and
 * `system_metadata`, delete_metadata_key): keys no longer wanted are soft-deleted, changed
 * values updated, new keys inserted, in one transaction.
 */
import type { Kysely, Transaction } from 'kysely';
import { nowIso, transaction } from '../../../common/db/index.js';
import type { NovaDB } from './schema.js';

type MetadataTable = 'instance_metadata' | 'instance_system_metadata';

export class InstanceMetadataRepo {
  constructor(private readonly db: Kysely<NovaDB>) {}

  /** Live key/value pairs of one server. */
  async get(instanceUuid: string, table: MetadataTable = 'instance_metadata'): Promise<Record<string, string>> {
    const rows = await this.db.selectFrom(table).select(['key', 'value']).where('instance_uuid', '=', instanceUuid).where('deleted', '=', 0).orderBy('id').execute();
    return Object.fromEntries(rows.map((r) => [r.key, r.value ?? '']));
  }

  /** The server's metadata becomes exactly `items`. */
  replace(instanceUuid: string, items: Readonly<Record<string, string>>): Promise<void> {
    return transaction(this.db, (t) => this.write(t, 'instance_metadata', instanceUuid, items, true));
  }

  /** Set these system metadata keys, leaving the others as they are. */
  updateSystem(instanceUuid: string, items: Readonly<Record<string, string>>): Promise<void> {
    return transaction(this.db, (t) => this.write(t, 'instance_system_metadata', instanceUuid, items, false));
  }

  /** Soft-delete one metadata key; false when it was not there. */
  async deleteKey(instanceUuid: string, key: string): Promise<boolean> {
    const now = nowIso();
    const res = await this.db.updateTable('instance_metadata').set((eb) => ({ deleted: eb.ref('id'), deleted_at: now, updated_at: now }))
      .where('instance_uuid', '=', instanceUuid).where('key', '=', key).where('deleted', '=', 0).executeTakeFirst();
    return res.numUpdatedRows > 0n;
  }

  private async write(t: Transaction<NovaDB>, table: MetadataTable, instanceUuid: string, items: Readonly<Record<string, string>>, prune: boolean): Promise<void> {
    const now = nowIso();
    const rows = await t.selectFrom(table).select(['id', 'key', 'value']).where('instance_uuid', '=', instanceUuid).where('deleted', '=', 0).execute();
    const current = new Map(rows.map((r) => [r.key, r]));
    for (const row of rows) {
      const wanted = items[row.key];
      if (wanted === undefined || !Object.hasOwn(items, row.key)) {
        if (prune) await t.updateTable(table).set({ deleted: row.id, deleted_at: now, updated_at: now }).where('id', '=', row.id).execute();
      } else if (wanted !== row.value) {
        await t.updateTable(table).set({ value: wanted, updated_at: now }).where('id', '=', row.id).execute();
      }
    }
    const added = Object.entries(items).filter(([key]) => !current.has(key))
      .map(([key, value]) => ({ instance_uuid: instanceUuid, key, value, created_at: now, updated_at: null, deleted_at: null }));
    if (added.length > 0) await t.insertInto(table).values(added).execute();
  }
}
