/**
 * Puts the standard traits and resource classes in the database at start (placement's
 * deploy.update_database: trait._trait_sync and resource_class._resource_classes_sync): the
 * missing ones are inserted, existing rows are left alone, and several processes starting at
 * once on one database all succeed.
 */
import { insertIgnore } from '../../../common/db/index.js';
import { STANDARD_RESOURCE_CLASSES } from '../data/standard-resource-classes.js';
import { STANDARD_TRAITS } from '../data/standard-traits.js';
import { chunks, now, type Store } from '../db/store.js';

export async function syncStandards(store: Store): Promise<void> {
  const stamp = now();
  await store.write(async (tx) => {
    const traits = new Set((await tx.selectFrom('traits').select('name').execute()).map((r) => r.name));
    const missing = STANDARD_TRAITS.filter((t) => !traits.has(t));
    for (const part of chunks(missing, 500)) {
      if (store.dialect === 'mysql') {
        for (const name of part) await insertIgnore(tx, 'traits', { name, created_at: stamp, updated_at: null });
      } else {
        await tx.insertInto('traits').values(part.map((name) => ({ name, created_at: stamp, updated_at: null }))).onConflict((oc) => oc.doNothing()).execute();
      }
    }
    const classes = new Set((await tx.selectFrom('resource_classes').select('name').execute()).map((r) => r.name));
    for (const [id, name] of STANDARD_RESOURCE_CLASSES.entries()) {
      if (!classes.has(name)) await insertIgnore(tx, 'resource_classes', { id, name, created_at: stamp, updated_at: null });
    }
  });
}
