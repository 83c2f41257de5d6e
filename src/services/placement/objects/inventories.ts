/**
 * Inventories of a provider (placement/objects/inventory.py and the inventory half of
 * resource_provider.py): one record per resource class with total, reserved, min_unit,
 * max_unit, step_size and allocation_ratio; capacity = int((total - reserved) * ratio). Every
 * change moves the provider's generation (compare-and-swap), so a writer that read an older
 * generation loses; inventory with allocations against it cannot be removed, and may be
 * shrunk below its usage only with a warning, as upstream.
 */
import { isUniqueViolation, type Queryable } from '../../../common/db/index.js';
import type { Logger } from '../../../common/log/logger.js';
import type { InventoriesTable, PlacementDB } from '../db/schema.js';
import { now, num, type Tx } from '../db/store.js';
import {
  DuplicateEntry, InvalidInventoryCapacity, InventoryInUse, InventoryWithResourceClassNotFound, PlacementNotFound,
} from '../errors.js';
import type { Lookups } from './lookups.js';
import { incrementGeneration } from './resource-providers.js';

/** The largest integer the inventory columns hold (db/constants.py MAX_INT). */
export const MAX_INT = 0x7fffffff;

export type InventoryValues = Pick<InventoriesTable, 'total' | 'reserved' | 'min_unit' | 'max_unit' | 'step_size' | 'allocation_ratio'>;

export interface Inventory extends InventoryValues {
  resource_class: string;
  created_at: string | null;
  updated_at: string | null;
}

/** Defaults of fields a request leaves out (handlers/inventory.py INVENTORY_DEFAULTS). */
export const INVENTORY_DEFAULTS: Omit<InventoryValues, 'total'> = { reserved: 0, min_unit: 1, max_unit: MAX_INT, step_size: 1, allocation_ratio: 1.0 };

export function capacity(inv: InventoryValues): number {
  return Math.trunc((inv.total - inv.reserved) * inv.allocation_ratio);
}

/**
 * Refuses inventories without room: capacity <= 0 before microversion 1.26, < 0 from it
 * (handlers/inventory.py _validate_inventory_capacity).
 * @throws InvalidInventoryCapacity
 */
export function validateCapacity(invs: readonly Inventory[], rpUuid: string, reservedCanBeTotal: boolean): void {
  for (const inv of invs) {
    const c = capacity(inv);
    if (reservedCanBeTotal ? c < 0 : c <= 0) throw new InvalidInventoryCapacity(inv.resource_class, rpUuid, reservedCanBeTotal);
  }
}

/** The provider's inventories, in resource class id order. */
export async function listInventories(db: Queryable<PlacementDB>, lookups: Lookups, rpId: number): Promise<Inventory[]> {
  const rows = await db.selectFrom('inventories')
    .select(['resource_class_id', 'total', 'reserved', 'min_unit', 'max_unit', 'step_size', 'allocation_ratio', 'created_at', 'updated_at'])
    .where('resource_provider_id', '=', rpId).orderBy('resource_class_id').execute();
  const out: Inventory[] = [];
  for (const r of rows) {
    out.push({
      resource_class: await lookups.rcName(Number(r.resource_class_id)), total: num(r.total), reserved: num(r.reserved), min_unit: num(r.min_unit),
      max_unit: num(r.max_unit), step_size: num(r.step_size), allocation_ratio: num(r.allocation_ratio), created_at: r.created_at, updated_at: r.updated_at,
    });
  }
  return out;
}

const values = (inv: InventoryValues): InventoryValues => ({
  total: inv.total, reserved: inv.reserved, min_unit: inv.min_unit, max_unit: inv.max_unit, step_size: inv.step_size, allocation_ratio: inv.allocation_ratio,
});

/** Resource classes (by id) with allocations on the provider, among `rcIds`. */
async function classesInUse(tx: Tx, rpId: number, rcIds: number[]): Promise<number[]> {
  if (rcIds.length === 0) return [];
  const rows = await tx.selectFrom('allocations').select('resource_class_id').where('resource_provider_id', '=', rpId)
    .where('resource_class_id', 'in', rcIds).groupBy('resource_class_id').execute();
  return rows.map((r) => Number(r.resource_class_id));
}

async function deleteClasses(tx: Tx, lookups: Lookups, rp: { id: number; uuid: string }, rcIds: number[]): Promise<number> {
  const used = await classesInUse(tx, rp.id, rcIds);
  if (used.length > 0) throw new InventoryInUse((await Promise.all(used.map((id) => lookups.rcName(id)))).join(', '), rp.uuid);
  return Number((await tx.deleteFrom('inventories').where('resource_provider_id', '=', rp.id).where('resource_class_id', 'in', rcIds).executeTakeFirst()).numDeletedRows);
}

async function insertClasses(tx: Tx, rpId: number, rows: Array<{ rcId: number; inv: InventoryValues }>): Promise<void> {
  if (rows.length === 0) return;
  const stamp = now();
  try {
    await tx.insertInto('inventories').values(rows.map(({ rcId, inv }) => ({
      resource_provider_id: rpId, resource_class_id: rcId, ...values(inv), created_at: stamp, updated_at: null,
    }))).execute();
  } catch (err) {
    if (isUniqueViolation(err)) throw new DuplicateEntry(['resource_provider_id', 'resource_class_id']);
    throw err;
  }
}

/** Updates existing records; returns the classes now over capacity. */
async function updateClasses(tx: Tx, rp: { id: number; uuid: string }, rows: Array<{ rcId: number; inv: Inventory }>): Promise<string[]> {
  const exceeded: string[] = [];
  const stamp = now();
  for (const { rcId, inv } of rows) {
    const usage = await tx.selectFrom('allocations').select((e) => e.fn.sum<number>('used').as('used'))
      .where('resource_provider_id', '=', rp.id).where('resource_class_id', '=', rcId).executeTakeFirst();
    if (usage?.used !== null && usage?.used !== undefined && num(usage.used) > capacity(inv)) exceeded.push(inv.resource_class);
    const res = await tx.updateTable('inventories').set({ ...values(inv), updated_at: stamp })
      .where('resource_provider_id', '=', rp.id).where('resource_class_id', '=', rcId).executeTakeFirst();
    if (res.numUpdatedRows === 0n) throw new InventoryWithResourceClassNotFound(inv.resource_class);
  }
  return exceeded;
}

function warnExceeded(log: Logger, rpUuid: string, classes: string[]): void {
  for (const rc of classes) log.warn(`Resource provider ${rpUuid} is now over-capacity for ${rc}`);
}

/**
 * Adds one inventory the provider does not have yet.
 * @throws ResourceClassNotFound, DuplicateEntry, ResourceProviderConcurrentUpdateDetected
 */
export async function addInventory(tx: Tx, lookups: Lookups, rp: { id: number; uuid: string; generation: number }, inv: Inventory): Promise<void> {
  const rcId = await lookups.rcId(inv.resource_class);
  await insertClasses(tx, rp.id, [{ rcId, inv }]);
  await incrementGeneration(tx, rp);
}

/**
 * Updates one existing inventory.
 * @throws ResourceClassNotFound, InventoryWithResourceClassNotFound, ResourceProviderConcurrentUpdateDetected
 */
export async function updateInventory(tx: Tx, lookups: Lookups, log: Logger, rp: { id: number; uuid: string; generation: number }, inv: Inventory): Promise<void> {
  const rcId = await lookups.rcId(inv.resource_class);
  warnExceeded(log, rp.uuid, await updateClasses(tx, rp, [{ rcId, inv }]));
  await incrementGeneration(tx, rp);
}

/**
 * Deletes the inventory of one class.
 * @throws ResourceClassNotFound, InventoryInUse, PlacementNotFound, ResourceProviderConcurrentUpdateDetected
 */
export async function deleteInventory(tx: Tx, lookups: Lookups, rp: { id: number; uuid: string; generation: number }, resourceClass: string): Promise<void> {
  const rcId = await lookups.rcId(resourceClass);
  if (await deleteClasses(tx, lookups, rp, [rcId]) === 0) throw new PlacementNotFound(`No inventory of class ${resourceClass} found for delete`);
  await incrementGeneration(tx, rp);
}

/**
 * Replaces all the provider's inventories with `invs` (adding, updating, deleting), moving its
 * generation once (resource_provider._set_inventory).
 * @throws ResourceClassNotFound, InventoryInUse, InventoryWithResourceClassNotFound, ResourceProviderConcurrentUpdateDetected
 */
export async function setInventory(tx: Tx, lookups: Lookups, log: Logger, rp: { id: number; uuid: string; generation: number }, invs: readonly Inventory[]): Promise<void> {
  const existing = new Set((await tx.selectFrom('inventories').select('resource_class_id').where('resource_provider_id', '=', rp.id).execute())
    .map((r) => Number(r.resource_class_id)));
  const wanted = new Map<number, Inventory>();
  for (const inv of invs) wanted.set(await lookups.rcId(inv.resource_class), inv);
  const toDelete = [...existing].filter((id) => !wanted.has(id));
  const toAdd = [...wanted].filter(([id]) => !existing.has(id)).map(([rcId, inv]) => ({ rcId, inv }));
  const toUpdate = [...wanted].filter(([id]) => existing.has(id)).map(([rcId, inv]) => ({ rcId, inv }));
  if (toDelete.length > 0) await deleteClasses(tx, lookups, rp, toDelete);
  await insertClasses(tx, rp.id, toAdd);
  warnExceeded(log, rp.uuid, await updateClasses(tx, rp, toUpdate));
  await incrementGeneration(tx, rp);
}
