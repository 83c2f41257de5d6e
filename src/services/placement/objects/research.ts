/**
 * The set-based queries provider searches are built from (placement/objects/research_context.py
 * and the tree helpers of allocation_candidate.py / trait.py): providers with capacity for an
 * amount of one resource class, providers in aggregates or with traits, sharing providers and
 * the trees they anchor, and the inventories, usages and traits of whole trees. Each is one
 * statement over all providers (id lists split in chunks), never a query per provider.
 */
import { type RawBuilder, sql } from 'kysely';
import type { Queryable } from '../../../common/db/index.js';
import type { PlacementDB } from '../db/schema.js';
import { chunks, num } from '../db/store.js';

type Q = Queryable<PlacementDB>;

/** Ids per statement in the id lists below. */
const ID_CHUNK = 5000;

/**
 * `column IN (1, 2, ...)` for internal ids, written as literals: ids come from our own rows and
 * are checked to be integers, and a literal list costs the query builder and the drivers far
 * less than thousands of bound parameters.
 */
function idIn(column: string, ids: readonly number[]): RawBuilder<boolean> {
  if (ids.length === 0) return sql<boolean>`1 = 0`;
  for (const id of ids) if (!Number.isSafeInteger(id)) throw new TypeError(`not an internal id: ${id}`);
  return sql<boolean>`${sql.ref(column)} in (${sql.raw(ids.join(', '))})`;
}

/** The used amount of an inventory row `inv`, summed through the allocations index. */
const usedOf = (inv: string): RawBuilder<number | null> =>
  sql<number | null>`(select sum(a.used) from allocations a where a.resource_provider_id = ${sql.ref(`${inv}.resource_provider_id`)} and a.resource_class_id = ${sql.ref(`${inv}.resource_class_id`)})`;

/** (provider id, root provider id). */
export type RpTuple = readonly [id: number, rootId: number];

export const SHARING_TRAIT = 'MISC_SHARES_VIA_AGGREGATE';

export interface ProviderIds {
  id: number;
  uuid: string;
  parent_id: number | null;
  parent_uuid: string | null;
  root_id: number;
  root_uuid: string;
}

/** research_context.provider_ids_from_uuid. */
export async function providerIdsFromUuid(db: Q, uuid: string): Promise<ProviderIds | undefined> {
  const row = await db.selectFrom('resource_providers as me')
    .innerJoin('resource_providers as root', 'root.id', 'me.root_provider_id')
    .leftJoin('resource_providers as parent', 'parent.id', 'me.parent_provider_id')
    .select(['me.id as id', 'me.uuid as uuid', 'parent.id as parent_id', 'parent.uuid as parent_uuid', 'root.id as root_id', 'root.uuid as root_uuid'])
    .where('me.uuid', '=', uuid)
    .executeTakeFirst();
  if (!row) return undefined;
  return { ...row, id: Number(row.id), parent_id: row.parent_id === null ? null : Number(row.parent_id), root_id: Number(row.root_id) };
}

/** Internal ids of aggregates by uuid (unknown uuids are absent). */
async function aggregateIds(db: Q, uuids: Iterable<string>): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const part of chunks([...new Set(uuids)])) {
    for (const r of await db.selectFrom('placement_aggregates').select(['id', 'uuid']).where('uuid', 'in', part).execute()) out.set(r.uuid, Number(r.id));
  }
  return out;
}

/**
 * Providers in every one of the `memberOf` groups of aggregates (a provider must be in at least
 * one aggregate of each group): research_context.provider_ids_matching_aggregates.
 */
export async function providerIdsMatchingAggregates(db: Q, memberOf: ReadonlyArray<ReadonlySet<string> | readonly string[]>): Promise<Set<number>> {
  const ids = await aggregateIds(db, memberOf.flatMap((m) => [...m]));
  const groups = memberOf.map((m) => [...m].map((u) => ids.get(u)).filter((x): x is number => x !== undefined));
  if (groups.length === 0 || groups.some((g) => g.length === 0)) return new Set();
  let q = db.selectFrom('resource_providers as rp').select('rp.id');
  for (const g of groups) {
    q = q.where('rp.id', 'in', (eb) => eb.selectFrom('resource_provider_aggregates').select('resource_provider_id').where('aggregate_id', 'in', g));
  }
  return new Set((await q.execute()).map((r) => Number(r.id)));
}

/**
 * Providers that each have, for every set of `required`, at least one of its traits:
 * research_context.provider_ids_matching_required_traits.
 */
export async function providerIdsMatchingRequiredTraits(db: Q, required: ReadonlyArray<ReadonlySet<number>>): Promise<Set<number>> {
  let q = db.selectFrom('resource_providers as rp').select('rp.id');
  for (const any of required) {
    q = q.where('rp.id', 'in', (eb) => eb.selectFrom('resource_provider_traits').select('resource_provider_id').where('trait_id', 'in', [...any]));
  }
  return new Set((await q.execute()).map((r) => Number(r.id)));
}

/** Providers having any of the traits (research_context.get_provider_ids_having_any_trait). */
export async function providerIdsHavingAnyTrait(db: Q, traitIds: Iterable<number>): Promise<Set<number>> {
  const ids = [...new Set(traitIds)];
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('resource_provider_traits').select('resource_provider_id').where('trait_id', 'in', ids).groupBy('resource_provider_id').execute();
  return new Set(rows.map((r) => Number(r.resource_provider_id)));
}

/**
 * Providers whose inventory of `rcId` can take `amount` more (capacity, min/max unit, step
 * size), optionally within one tree: research_context.get_providers_with_resource.
 */
export async function providersWithResource(db: Q, rcId: number, amount: number, treeRootId?: number): Promise<RpTuple[]> {
  const a = sql.lit(amount);
  let q = db.selectFrom('resource_providers as rp')
    .innerJoin('inventories as inv', (j) => j.onRef('inv.resource_provider_id', '=', 'rp.id').on('inv.resource_class_id', '=', rcId))
    .select(['rp.id', 'rp.root_provider_id'])
    .where(sql<boolean>`coalesce(${usedOf('inv')}, 0) + ${a} <= (inv.total - inv.reserved) * inv.allocation_ratio`)
    .where('inv.min_unit', '<=', amount)
    .where('inv.max_unit', '>=', amount)
    .where(sql<boolean>`${a} % inv.step_size = 0`);
  if (treeRootId !== undefined) q = q.where('rp.root_provider_id', '=', treeRootId);
  return (await q.execute()).map((r) => [Number(r.id), Number(r.root_provider_id)] as const);
}

/** Providers among `allowed` (all when empty) and not `forbidden` (get_providers_with_root). */
export async function providersWithRoot(db: Q, allowed: ReadonlySet<number>, forbidden: ReadonlySet<number>): Promise<RpTuple[]> {
  let q = db.selectFrom('resource_providers').select(['id', 'root_provider_id']);
  if (allowed.size > 0) q = q.where(idIn('id', [...allowed]));
  if (forbidden.size > 0) q = q.where((eb) => eb.not(idIn('id', [...forbidden])));
  return (await q.execute()).map((r) => [Number(r.id), Number(r.root_provider_id)] as const);
}

/** Providers that share their inventory through aggregates (research_context.get_sharing_providers). */
export async function sharingProviders(db: Q): Promise<Set<number>> {
  const rows = await db.selectFrom('resource_provider_traits as rpt')
    .innerJoin('traits as t', 't.id', 'rpt.trait_id')
    .select('rpt.resource_provider_id')
    .where('t.name', '=', SHARING_TRAIT)
    .execute();
  return new Set(rows.map((r) => Number(r.resource_provider_id)));
}

export interface Anchor {
  rpId: number;
  rpUuid: string;
  anchorId: number;
  anchorUuid: string;
}

/**
 * For sharing providers, the roots of the trees in an aggregate with them, which can anchor an
 * allocation request using them (research_context.anchors_for_sharing_providers), for many
 * sharing providers in one statement.
 */
export async function anchorsForSharingProviders(db: Q, rpIds: Iterable<number>): Promise<Anchor[]> {
  const out: Anchor[] = [];
  for (const part of chunks([...new Set(rpIds)], ID_CHUNK)) {
    const rows = await db.selectFrom('resource_providers as sps')
      .innerJoin('resource_provider_aggregates as shr_aggs', 'shr_aggs.resource_provider_id', 'sps.id')
      .innerJoin('resource_provider_aggregates as shr_with_sps_aggs', 'shr_with_sps_aggs.aggregate_id', 'shr_aggs.aggregate_id')
      .innerJoin('resource_providers as shr_with_sps', 'shr_with_sps.id', 'shr_with_sps_aggs.resource_provider_id')
      .innerJoin('resource_providers as rps', 'rps.id', 'shr_with_sps.root_provider_id')
      .select(['sps.id as rp_id', 'sps.uuid as rp_uuid', 'rps.id as anchor_id', 'rps.uuid as anchor_uuid'])
      .distinct()
      .where(idIn('sps.id', part))
      .execute();
    for (const r of rows) out.push({ rpId: Number(r.rp_id), rpUuid: r.rp_uuid, anchorId: Number(r.anchor_id), anchorUuid: r.anchor_uuid });
  }
  return out;
}

/** Whether any provider has a parent (research_context._has_provider_trees). */
export async function hasProviderTrees(db: Q): Promise<boolean> {
  const row = await db.selectFrom('resource_providers').select('id').where('parent_provider_id', 'is not', null).limit(1).executeTakeFirst();
  return row !== undefined;
}

export interface TreeUsageRow {
  rpId: number;
  rpUuid: string;
  parentId: number | null;
  rootId: number;
  rcId: number | null;
  total: number;
  reserved: number;
  allocationRatio: number;
  maxUnit: number;
  used: number;
}

/**
 * Every provider of the trees rooted at `rootIds` with its place in the tree, each of its
 * inventories and the amount allocated from it; providers without inventory come once with rcId
 * null (research_context.get_usages_by_provider_trees and allocation_candidate.
 * _provider_ids_from_root_ids in one statement).
 */
export async function usagesByProviderTrees(db: Q, rootIds: Iterable<number>): Promise<TreeUsageRow[]> {
  const out: TreeUsageRow[] = [];
  for (const part of chunks([...new Set(rootIds)], ID_CHUNK)) {
    const rows = await db.selectFrom('resource_providers as rp')
      .leftJoin('inventories as inv', 'inv.resource_provider_id', 'rp.id')
      .select(['rp.id', 'rp.uuid', 'rp.parent_provider_id', 'rp.root_provider_id', 'inv.resource_class_id', 'inv.total', 'inv.reserved',
        'inv.allocation_ratio', 'inv.max_unit', usedOf('inv').as('used')])
      .where(idIn('rp.root_provider_id', part))
      .orderBy('rp.id')
      .orderBy('inv.resource_class_id')
      .execute();
    for (const r of rows) {
      out.push({
        rpId: Number(r.id), rpUuid: r.uuid, parentId: r.parent_provider_id === null ? null : Number(r.parent_provider_id), rootId: Number(r.root_provider_id),
        rcId: r.resource_class_id === null ? null : Number(r.resource_class_id), total: num(r.total), reserved: num(r.reserved),
        allocationRatio: num(r.allocation_ratio), maxUnit: num(r.max_unit), used: num(r.used),
      });
    }
  }
  return out;
}

/** Trait names of every provider in the trees rooted at `rootIds` (trait.get_traits_by_provider_tree). */
export async function traitsOfTrees(db: Q, rootIds: Iterable<number>): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  for (const part of chunks([...new Set(rootIds)], ID_CHUNK)) {
    const rows = await db.selectFrom('resource_providers as rp')
      .innerJoin('resource_provider_traits as rpt', 'rpt.resource_provider_id', 'rp.id')
      .innerJoin('traits as t', 't.id', 'rpt.trait_id')
      .select(['rpt.resource_provider_id', 't.name'])
      .where(idIn('rp.root_provider_id', part))
      .orderBy('rpt.resource_provider_id')
      .orderBy('t.id')
      .execute();
    for (const r of rows) {
      const id = Number(r.resource_provider_id);
      const list = out.get(id);
      if (list) list.push(r.name);
      else out.set(id, [r.name]);
    }
  }
  return out;
}

/**
 * Of providers `rpIds`, those in trees that could satisfy the traits: the tree's providers
 * without forbidden traits have, together, one trait of every required set
 * (research_context._get_trees_with_traits). Returns `id:rootId` keys.
 */
export async function treesWithTraits(
  db: Q, rpIds: ReadonlySet<number>, required: ReadonlyArray<ReadonlySet<number>>, forbidden: Iterable<number>,
): Promise<Set<string>> {
  const ids = [...rpIds];
  const rootOf = new Map<number, number>();
  for (const part of chunks(ids, ID_CHUNK)) {
    for (const r of await db.selectFrom('resource_providers').select(['id', 'root_provider_id']).where(idIn('id', part)).execute()) {
      rootOf.set(Number(r.id), Number(r.root_provider_id));
    }
  }
  const bad = await providerIdsHavingAnyTrait(db, forbidden);
  const good = ids.filter((id) => rootOf.has(id) && !bad.has(id));
  const goodRoots = new Set(good.map((id) => rootOf.get(id)!));
  const key = (id: number): string => `${id}:${rootOf.get(id)}`;
  if (required.length === 0) return new Set([...rootOf.keys()].filter((id) => goodRoots.has(rootOf.get(id)!)).map(key));

  const traitsByRoot = new Map<number, Set<number>>();
  for (const part of chunks(good, ID_CHUNK)) {
    const rows = await db.selectFrom('resource_providers as rp')
      .innerJoin('resource_provider_traits as rptt', 'rptt.resource_provider_id', 'rp.id')
      .select(['rp.root_provider_id', 'rptt.trait_id'])
      .where(idIn('rp.id', part))
      .execute();
    for (const r of rows) {
      const root = Number(r.root_provider_id);
      const set = traitsByRoot.get(root) ?? new Set<number>();
      set.add(Number(r.trait_id));
      traitsByRoot.set(root, set);
    }
  }
  const result = new Set<string>();
  for (const [root, provided] of traitsByRoot) {
    if (!required.every((any) => [...any].some((t) => provided.has(t)))) continue;
    for (const [id, r] of rootOf) if (r === root) result.add(key(id));
  }
  return result;
}

/**
 * Root providers having all of `required` and none of `forbidden`
 * (research_context._get_roots_with_traits).
 */
export async function rootsWithTraits(db: Q, required: ReadonlySet<number> | undefined, forbidden: ReadonlySet<number> | undefined): Promise<Set<number>> {
  let q = db.selectFrom('resource_providers as rp').select('rp.id').where('rp.parent_provider_id', 'is', null);
  for (const t of required ?? []) {
    q = q.where('rp.id', 'in', (eb) => eb.selectFrom('resource_provider_traits').select('resource_provider_id').where('trait_id', '=', t));
  }
  if (forbidden && forbidden.size > 0) {
    q = q.where('rp.id', 'not in', (eb) => eb.selectFrom('resource_provider_traits').select('resource_provider_id').where('trait_id', 'in', [...forbidden]));
  }
  return new Set((await q.execute()).map((r) => Number(r.id)));
}
