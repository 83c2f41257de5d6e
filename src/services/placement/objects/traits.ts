/**
 * Traits (placement/objects/trait.py): the standard ones of os-traits and custom ones
 * (CUSTOM_*); the listing filters (name in:/startswith:, associated), creation and deletion of
 * custom traits, and a provider's set of traits, whose change moves its generation.
 */
import { isUniqueViolation, type Queryable } from '../../../common/db/index.js';
import type { PlacementDB } from '../db/schema.js';
import { now, type Tx } from '../db/store.js';
import { TraitCannotDeleteStandard, TraitInUse, TraitNotFound } from '../errors.js';
import type { NamedRow } from './lookups.js';
import { incrementGeneration } from './resource-providers.js';

type Q = Queryable<PlacementDB>;

export const CUSTOM_NAMESPACE = 'CUSTOM_';

export interface TraitFilters {
  nameIn?: readonly string[];
  prefix?: string;
  associated?: boolean;
}

const toRow = (r: { id: number; name: string; created_at: string | null; updated_at: string | null }): NamedRow => ({ ...r, id: Number(r.id) });

/** Traits matching the filters, in creation order. */
export async function listTraits(db: Q, filters: TraitFilters): Promise<NamedRow[]> {
  let q = db.selectFrom('traits as t').select(['t.id', 't.name', 't.created_at', 't.updated_at']);
  if (filters.nameIn) q = q.where('t.name', 'in', filters.nameIn.length > 0 ? [...filters.nameIn] : ['']);
  // Not escaped, as upstream: '_' in a prefix matches any character.
  if (filters.prefix !== undefined) q = q.where('t.name', 'like', `${filters.prefix}%`);
  if (filters.associated === true) {
    q = q.where('t.id', 'in', (eb) => eb.selectFrom('resource_provider_traits').select('trait_id'));
  } else if (filters.associated === false) {
    q = q.where('t.id', 'not in', (eb) => eb.selectFrom('resource_provider_traits').select('trait_id'));
  }
  return (await q.orderBy('t.id').execute()).map(toRow);
}

/**
 * Creates a custom trait; false when it already exists (another request may have just made it).
 */
export async function createTrait(db: Q, name: string): Promise<boolean> {
  try {
    await db.insertInto('traits').values({ name, created_at: now(), updated_at: null }).execute();
    return true;
  } catch (err) {
    if (isUniqueViolation(err)) return false;
    throw err;
  }
}

/**
 * Deletes a custom trait no provider has.
 * @throws TraitCannotDeleteStandard, TraitInUse, TraitNotFound
 */
export async function destroyTrait(tx: Tx, trait: NamedRow): Promise<void> {
  if (!trait.name.startsWith(CUSTOM_NAMESPACE)) throw new TraitCannotDeleteStandard(trait.name);
  if (await tx.selectFrom('resource_provider_traits').select('trait_id').where('trait_id', '=', trait.id).limit(1).executeTakeFirst()) {
    throw new TraitInUse(trait.name);
  }
  const res = await tx.deleteFrom('traits').where('name', '=', trait.name).executeTakeFirst();
  if (res.numDeletedRows === 0n) throw new TraitNotFound(trait.name);
}

/** The traits of a provider. */
export async function providerTraits(db: Q, rpId: number): Promise<NamedRow[]> {
  const rows = await db.selectFrom('traits as t')
    .innerJoin('resource_provider_traits as rpt', 'rpt.trait_id', 't.id')
    .select(['t.id', 't.name', 't.created_at', 't.updated_at'])
    .where('rpt.resource_provider_id', '=', rpId).orderBy('t.id').execute();
  return rows.map(toRow);
}

/**
 * Replaces the provider's traits; moves its generation only when something changed
 * (resource_provider._set_traits).
 * @throws ResourceProviderConcurrentUpdateDetected
 */
export async function setProviderTraits(tx: Tx, rp: { id: number; generation: number }, traitIds: readonly number[]): Promise<void> {
  const existing = new Set((await tx.selectFrom('resource_provider_traits').select('trait_id').where('resource_provider_id', '=', rp.id).execute())
    .map((r) => Number(r.trait_id)));
  const wanted = new Set(traitIds);
  const toAdd = [...wanted].filter((id) => !existing.has(id));
  const toDelete = [...existing].filter((id) => !wanted.has(id));
  if (toAdd.length === 0 && toDelete.length === 0) return;
  if (toDelete.length > 0) {
    await tx.deleteFrom('resource_provider_traits').where('resource_provider_id', '=', rp.id).where('trait_id', 'in', toDelete).execute();
  }
  if (toAdd.length > 0) {
    const stamp = now();
    await tx.insertInto('resource_provider_traits').values(toAdd.map((id) => ({ trait_id: id, resource_provider_id: rp.id, created_at: stamp, updated_at: null }))).execute();
  }
  await incrementGeneration(tx, rp);
}
