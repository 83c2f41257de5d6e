/**
 * Resource providers (placement/objects/resource_provider.py): trees by root and parent ids,
 * creation with a parent, renaming, re-parenting (1.37) without loops, deletion of leaves
 * without allocations, the filtered listing, and the generation every change to a provider's
 * inventory, traits, aggregates or allocations moves by compare-and-swap.
 */
import { compareAndSwap, isForeignKeyViolation, isUniqueViolation, type Queryable } from '../../../common/db/index.js';
import type { PlacementDB } from '../db/schema.js';
import { now, type Store, type Tx } from '../db/store.js';
import {
  CannotDeleteParentResourceProvider, DuplicateEntry, ObjectActionError, PlacementNotFound, ResourceProviderConcurrentUpdateDetected,
  ResourceProviderInUse,
} from '../errors.js';
import type { Lookups } from './lookups.js';
import {
  providerIdsFromUuid, providerIdsHavingAnyTrait, providerIdsMatchingAggregates, providerIdsMatchingRequiredTraits, providersWithResource,
} from './research.js';

type Q = Queryable<PlacementDB>;

export interface ResourceProvider {
  id: number;
  uuid: string;
  name: string | null;
  generation: number;
  root_provider_uuid: string;
  parent_provider_uuid: string | null;
  created_at: string | null;
  updated_at: string | null;
}

/** What the listing filters on (resource_provider.get_all_by_filters). */
export interface ProviderFilters {
  name?: string;
  uuid?: string;
  inTree?: string;
  /** Aggregate uuid groups, each needing one member. */
  memberOf?: ReadonlyArray<ReadonlySet<string>>;
  forbiddenAggs?: ReadonlySet<string>;
  /** Trait name groups, each needing one trait. */
  requiredTraits?: ReadonlyArray<ReadonlySet<string>>;
  forbiddenTraits?: ReadonlySet<string>;
  /** Amounts by resource class the provider must have room for. */
  resources?: ReadonlyMap<string, number>;
}

function selectProviders(db: Q) {
  return db.selectFrom('resource_providers as rp')
    .innerJoin('resource_providers as root', 'root.id', 'rp.root_provider_id')
    .leftJoin('resource_providers as parent', 'parent.id', 'rp.parent_provider_id')
    .select([
      'rp.id', 'rp.uuid', 'rp.name', 'rp.generation', 'root.uuid as root_provider_uuid', 'parent.uuid as parent_provider_uuid',
      'rp.created_at', 'rp.updated_at',
    ]);
}

function toProvider(r: { id: number; generation: number } & Omit<ResourceProvider, 'id' | 'generation'>): ResourceProvider {
  return { ...r, id: Number(r.id), generation: Number(r.generation) };
}

/** @throws PlacementNotFound 'No resource provider with uuid X found' */
export async function getProvider(db: Q, uuid: string): Promise<ResourceProvider> {
  const row = await selectProviders(db).where('rp.uuid', '=', uuid).executeTakeFirst();
  if (!row) throw new PlacementNotFound(`No resource provider with uuid ${uuid} found`);
  return toProvider(row);
}

/** Providers by uuid (unknown ones absent), in one statement. */
export async function getProviders(db: Q, uuids: readonly string[]): Promise<Map<string, ResourceProvider>> {
  const out = new Map<string, ResourceProvider>();
  if (uuids.length === 0) return out;
  for (const row of await selectProviders(db).where('rp.uuid', 'in', [...new Set(uuids)]).execute()) out.set(row.uuid, toProvider(row));
  return out;
}

/** The provider columns a unique-key error names (PostgreSQL constraint, MySQL key, SQLite column). */
function violatedColumns(err: unknown): string[] {
  const e = err as { constraint?: unknown; message?: unknown };
  const text = `${String(e.constraint ?? '')} ${String(e.message ?? '')}`;
  const cols = ['uuid', 'name'].filter((c) => text.includes(`uniq_resource_providers0${c}`) || text.includes(`resource_providers.${c}`));
  return cols.length > 0 ? cols : ['uuid'];
}

/** Which unique keys a row with this uuid and name would collide with. */
async function duplicateColumns(db: Q, uuid: string | undefined, name: string | null, exceptId?: number): Promise<string[]> {
  const cols: string[] = [];
  const others = (col: 'uuid' | 'name', value: string) => {
    let q = db.selectFrom('resource_providers').select('id').where(col, '=', value);
    if (exceptId !== undefined) q = q.where('id', '<>', exceptId);
    return q.executeTakeFirst();
  };
  if (uuid !== undefined && await others('uuid', uuid)) cols.push('uuid');
  if (name !== null && await others('name', name)) cols.push('name');
  return cols;
}

/**
 * Creates a provider, under `parentUuid` when given.
 * @throws ObjectActionError on a bad parent, DuplicateEntry on a taken uuid or name
 */
export async function createProvider(tx: Tx, uuid: string, name: string, parentUuid: string | null): Promise<ResourceProvider> {
  let parentId: number | null = null;
  let rootId: number | null = null;
  if (parentUuid !== null) {
    if (parentUuid === uuid) {
      throw new ObjectActionError('create', 'parent provider UUID cannot be same as UUID. Please set parent provider UUID to None if there is no parent.');
    }
    const parent = await providerIdsFromUuid(tx, parentUuid);
    if (!parent) throw new ObjectActionError('create', 'parent provider UUID does not exist.');
    parentId = parent.id;
    rootId = parent.root_id;
  }
  const dup = await duplicateColumns(tx, uuid, name);
  if (dup.length > 0) throw new DuplicateEntry(dup);
  try {
    await tx.insertInto('resource_providers').values({
      uuid, name, generation: 0, root_provider_id: rootId, parent_provider_id: parentId, created_at: now(), updated_at: null,
    }).execute();
  } catch (err) {
    if (isUniqueViolation(err)) throw new DuplicateEntry(violatedColumns(err));
    throw err;
  }
  if (rootId === null) {
    const row = await tx.selectFrom('resource_providers').select('id').where('uuid', '=', uuid).executeTakeFirstOrThrow();
    await tx.updateTable('resource_providers').set({ root_provider_id: Number(row.id) }).where('id', '=', Number(row.id)).execute();
  }
  return getProvider(tx, uuid);
}

/**
 * Renames and/or re-parents a provider (ResourceProvider.save): a new parent must exist and
 * not be in the provider's own subtree; changing an existing parent or un-parenting needs
 * `allowReparenting` (1.37). The subtree moves to the new root.
 * @throws ObjectActionError, DuplicateEntry
 */
export async function updateProvider(tx: Tx, rp: ResourceProvider, name: string, parentUuid: string | null, allowReparenting: boolean): Promise<ResourceProvider> {
  const me = await providerIdsFromUuid(tx, rp.uuid);
  if (!me) throw new PlacementNotFound(`No resource provider with uuid ${rp.uuid} found`);
  let parentId = me.parent_id;
  let newRootId: number | undefined;
  let subtree: number[] = [];
  if (parentUuid !== null) {
    const parent = await providerIdsFromUuid(tx, parentUuid);
    if (!parent) throw new ObjectActionError('create', 'parent provider UUID does not exist.');
    if (me.parent_id !== null && me.parent_id !== parent.id && !allowReparenting) {
      throw new ObjectActionError('update', 're-parenting a provider is not currently allowed.');
    }
    subtree = await subtreeIds(tx, me.id, me.root_id);
    if (subtree.includes(parent.id)) throw new ObjectActionError('update', 'creating loop in the provider tree is not allowed.');
    parentId = parent.id;
    newRootId = parent.root_id;
  } else if (me.parent_id !== null) {
    if (!allowReparenting) throw new ObjectActionError('update', 'un-parenting a provider is not currently allowed.');
    subtree = await subtreeIds(tx, me.id, me.root_id);
    parentId = null;
    newRootId = me.id;
  }
  const dup = await duplicateColumns(tx, undefined, name, me.id);
  if (dup.length > 0) throw new DuplicateEntry(dup);
  const stamp = now();
  try {
    await tx.updateTable('resource_providers').set({
      name, parent_provider_id: parentId, ...(newRootId !== undefined ? { root_provider_id: newRootId } : {}), updated_at: stamp,
    }).where('id', '=', me.id).execute();
    if (newRootId !== undefined && subtree.length > 0) {
      await tx.updateTable('resource_providers').set({ root_provider_id: newRootId, updated_at: stamp }).where('id', 'in', subtree).execute();
    }
  } catch (err) {
    if (isUniqueViolation(err)) throw new DuplicateEntry(['name']);
    if (isForeignKeyViolation(err)) throw new ObjectActionError('update', 'parent provider UUID does not exist.');
    throw err;
  }
  return getProvider(tx, rp.uuid);
}

/** Ids of the provider and every provider below it (ResourceProvider.get_subtree). */
async function subtreeIds(db: Q, id: number, rootId: number): Promise<number[]> {
  const tree = await db.selectFrom('resource_providers').select(['id', 'parent_provider_id']).where('root_provider_id', '=', rootId).execute();
  const children = new Map<number, number[]>();
  for (const r of tree) {
    if (r.parent_provider_id === null) continue;
    const p = Number(r.parent_provider_id);
    children.set(p, [...(children.get(p) ?? []), Number(r.id)]);
  }
  const out: number[] = [];
  const walk = (n: number): void => {
    out.push(n);
    for (const c of children.get(n) ?? []) walk(c);
  };
  walk(id);
  return out;
}

/**
 * Deletes a provider with its inventories, aggregate and trait associations.
 * @throws CannotDeleteParentResourceProvider, ResourceProviderInUse, PlacementNotFound
 */
export async function destroyProvider(tx: Tx, rp: ResourceProvider): Promise<void> {
  if (await tx.selectFrom('resource_providers').select('id').where('parent_provider_id', '=', rp.id).limit(1).executeTakeFirst()) {
    throw new CannotDeleteParentResourceProvider();
  }
  if (await tx.selectFrom('allocations').select('id').where('resource_provider_id', '=', rp.id).limit(1).executeTakeFirst()) {
    throw new ResourceProviderInUse();
  }
  await tx.deleteFrom('inventories').where('resource_provider_id', '=', rp.id).execute();
  await tx.deleteFrom('resource_provider_aggregates').where('resource_provider_id', '=', rp.id).execute();
  await tx.deleteFrom('resource_provider_traits').where('resource_provider_id', '=', rp.id).execute();
  let deleted: bigint;
  try {
    deleted = (await tx.deleteFrom('resource_providers').where('id', '=', rp.id).executeTakeFirst()).numDeletedRows;
  } catch (err) {
    // Another request gave it a child between the check above and here.
    if (isForeignKeyViolation(err)) throw new CannotDeleteParentResourceProvider();
    throw err;
  }
  if (deleted === 0n) throw new PlacementNotFound();
}

/**
 * Moves the generation on by one if nobody else did since `rp` was read
 * (ResourceProvider.increment_generation).
 * @throws ResourceProviderConcurrentUpdateDetected
 */
export async function incrementGeneration(tx: Tx, rp: { id: number; generation: number }): Promise<void> {
  const swapped = await compareAndSwap(tx, 'resource_providers', {
    where: { id: rp.id }, expect: { generation: rp.generation }, set: { generation: rp.generation + 1, updated_at: now() },
  });
  if (!swapped) throw new ResourceProviderConcurrentUpdateDetected();
  rp.generation += 1;
}

/**
 * Runs a change that moves the provider's generation in a transaction, on a copy of `rp`, so
 * that a replayed attempt starts again from the generation the caller read; `rp` takes the new
 * generation once committed.
 */
export async function changeProvider<T>(store: Store, rp: ResourceProvider, fn: (tx: Tx, rp: ResourceProvider) => Promise<T>): Promise<T> {
  const { result, generation } = await store.write(async (tx) => {
    const copy = { ...rp };
    return { result: await fn(tx, copy), generation: copy.generation };
  });
  rp.generation = generation;
  return result;
}

/**
 * Providers matching the filters, in creation order (get_all_by_filters).
 * @throws ResourceClassNotFound, TraitNotFound
 */
export async function listProviders(db: Q, lookups: Lookups, filters: ProviderFilters): Promise<ResourceProvider[]> {
  let q = selectProviders(db);
  if (filters.name) q = q.where('rp.name', '=', filters.name);
  if (filters.uuid) q = q.where('rp.uuid', '=', filters.uuid);
  if (filters.inTree) {
    const tree = await providerIdsFromUuid(db, filters.inTree);
    if (!tree) return [];
    q = q.where('rp.root_provider_id', '=', tree.root_id);
  }
  if (filters.requiredTraits && filters.requiredTraits.length > 0) {
    const ids: Array<Set<number>> = [];
    for (const any of filters.requiredTraits) ids.push(new Set((await lookups.traitIds(any)).values()));
    const matching = await providerIdsMatchingRequiredTraits(db, ids);
    if (matching.size === 0) return [];
    q = q.where('rp.id', 'in', [...matching]);
  }
  if (filters.forbiddenTraits && filters.forbiddenTraits.size > 0) {
    const bad = await providerIdsHavingAnyTrait(db, (await lookups.traitIds(filters.forbiddenTraits)).values());
    if (bad.size > 0) q = q.where('rp.id', 'not in', [...bad]);
  }
  if (filters.memberOf && filters.memberOf.length > 0) {
    const inAggs = await providerIdsMatchingAggregates(db, filters.memberOf);
    if (inAggs.size === 0) return [];
    q = q.where('rp.id', 'in', [...inAggs]);
  }
  if (filters.forbiddenAggs && filters.forbiddenAggs.size > 0) {
    const bad = await providerIdsMatchingAggregates(db, [filters.forbiddenAggs]);
    if (bad.size > 0) q = q.where('rp.id', 'not in', [...bad]);
  }
  for (const [rc, amount] of filters.resources ?? []) {
    const withResource = await providersWithResource(db, await lookups.rcId(rc), amount);
    q = q.where('rp.id', 'in', withResource.length > 0 ? withResource.map(([id]) => id) : [-1]);
  }
  return (await q.orderBy('rp.id').execute()).map(toProvider);
}
