/**
 * Changes to an instance's system metadata and metadata (nova's instance.system_metadata /
 * instance.metadata updates saved with the instance): keys set or replaced, keys removed
 * (soft-deleted as nova does), in one transaction. Used where an action keeps its state there:
 * locked_reason, old_vm_state of a suspend, the image_* properties a rebuild replaces.
 */
import type { Kysely } from 'kysely';
import { nowIso, transaction } from '../../../common/db/index.js';
import type { NovaDB } from './schema.js';

export type MetadataTable = 'instance_system_metadata' | 'instance_metadata';

/** Set `set` (replacing existing values) and remove `remove` (a removed key that is also set is set). */
export async function updateInstanceMetadata(
  db: Kysely<NovaDB>, table: MetadataTable, instanceUuid: string, set: Readonly<Record<string, string>>, remove: readonly string[] = [],
): Promise<void> {
  const now = nowIso();
  const keys = [...new Set([...Object.keys(set), ...remove])];
  if (keys.length === 0) return;
  await transaction(db, async (t) => {
    await t.updateTable(table).set((eb) => ({ deleted: eb.ref('id'), deleted_at: now }))
      .where('instance_uuid', '=', instanceUuid).where('key', 'in', keys).where('deleted', '=', 0).execute();
    const rows = Object.entries(set).map(([key, value]) => ({ instance_uuid: instanceUuid, key, value, created_at: now, updated_at: null, deleted_at: null }));
    if (rows.length > 0) await t.insertInto(table).values(rows).execute();
  });
}

/** Replace every key starting with `prefix` by `set` (a rebuild's image_* properties). */
export async function replaceSystemMetadataPrefix(db: Kysely<NovaDB>, instanceUuid: string, prefix: string, set: Readonly<Record<string, string>>): Promise<void> {
  const existing = await db.selectFrom('instance_system_metadata').select('key')
    .where('instance_uuid', '=', instanceUuid).where('deleted', '=', 0).execute();
  await updateInstanceMetadata(db, 'instance_system_metadata', instanceUuid, set, existing.map((r) => r.key).filter((k) => k.startsWith(prefix)));
}
