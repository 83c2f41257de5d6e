/**
 * Resource classes (placement/objects/resource_class.py): the standard classes of
 * os-resource-classes keep their index as id and cannot be changed; custom classes
 * (CUSTOM_*) get ids from 10000 up, may be renamed (microversions 1.2-1.6) and deleted while
 * no inventory uses them.
 */
import { isUniqueViolation, type Queryable } from '../../../common/db/index.js';
import { MIN_CUSTOM_RESOURCE_CLASS_ID, STANDARD_RESOURCE_CLASSES } from '../data/standard-resource-classes.js';
import type { PlacementDB } from '../db/schema.js';
import { now, type Tx } from '../db/store.js';
import {
  ObjectActionError, PlacementNotFound, ResourceClassCannotDeleteStandard, ResourceClassCannotUpdateStandard, ResourceClassExists,
  ResourceClassInUse,
} from '../errors.js';
import type { NamedRow } from './lookups.js';

export const CUSTOM_NAMESPACE = 'CUSTOM_';

/** How often a custom class creation retries after losing the race for the next id. */
const CREATE_ATTEMPTS = 100;

/**
 * Creates a custom resource class with the next free id.
 * @throws ResourceClassExists, ObjectActionError
 */
export async function createResourceClass(db: Queryable<PlacementDB>, name: string): Promise<void> {
  if (STANDARD_RESOURCE_CLASSES.includes(name)) throw new ResourceClassExists(name);
  if (!name.startsWith(CUSTOM_NAMESPACE)) throw new ObjectActionError('create', `name must start with ${CUSTOM_NAMESPACE}`);
  for (let attempt = 0; attempt < CREATE_ATTEMPTS; attempt++) {
    if (await db.selectFrom('resource_classes').select('id').where('name', '=', name).executeTakeFirst()) throw new ResourceClassExists(name);
    const max = await db.selectFrom('resource_classes').select((e) => e.fn.max<number>('id').as('max')).executeTakeFirst();
    const id = Math.max(MIN_CUSTOM_RESOURCE_CLASS_ID, Number(max?.max ?? 0) + 1);
    try {
      await db.insertInto('resource_classes').values({ id, name, created_at: now(), updated_at: null }).execute();
      return;
    } catch (err) {
      // Lost the race for this id (or for the name, which the next round reports).
      if (!isUniqueViolation(err)) throw err;
    }
  }
  throw new ObjectActionError('create', `Max retries of DB transaction exceeded attempting to perform creating resource class ${name}.`);
}

/**
 * Renames a custom class (microversions 1.2 to 1.6).
 * @throws ResourceClassCannotUpdateStandard, ResourceClassExists
 */
export async function renameResourceClass(tx: Tx, rc: NamedRow, name: string): Promise<void> {
  if (rc.id < MIN_CUSTOM_RESOURCE_CLASS_ID) throw new ResourceClassCannotUpdateStandard(rc.name);
  try {
    await tx.updateTable('resource_classes').set({ name, updated_at: now() }).where('id', '=', rc.id).execute();
  } catch (err) {
    if (isUniqueViolation(err)) throw new ResourceClassExists(name);
    throw err;
  }
}

/**
 * Deletes a custom class that no inventory uses.
 * @throws ResourceClassCannotDeleteStandard, ResourceClassInUse, PlacementNotFound
 */
export async function destroyResourceClass(tx: Tx, rc: NamedRow): Promise<void> {
  if (rc.id < MIN_CUSTOM_RESOURCE_CLASS_ID) throw new ResourceClassCannotDeleteStandard(rc.name);
  if (await tx.selectFrom('inventories').select('id').where('resource_class_id', '=', rc.id).limit(1).executeTakeFirst()) {
    throw new ResourceClassInUse(rc.name);
  }
  const res = await tx.deleteFrom('resource_classes').where('id', '=', rc.id).executeTakeFirst();
  if (res.numDeletedRows === 0n) throw new PlacementNotFound();
}
