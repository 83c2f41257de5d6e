/**
 * GET /allocation_candidates (placement/objects/allocation_candidate.py and the tree matching
 * of research_context.py): every way to satisfy all request groups at once, with a summary of
 * each provider involved.
 *
 * Each group is answered on its own from set-based queries (providers with room for each class,
 * in the aggregates, with the traits): a granular group, or any group where no sharing or nested
 * providers exist, by single providers; an unsuffixed group over trees and sharing providers by
 * combining, per tree, one provider per class. The groups' answers are then merged per anchor
 * tree (group_policy, same_subtree, a final capacity check of amounts summed across groups),
 * nested results dropped for microversions before 1.29, and `limit` applied. The summaries
 * (inventories, usage, traits) of all trees involved are read once per tree.
 */
import type { Queryable } from '../../../../common/db/index.js';
import type { PlacementDB } from '../../db/schema.js';
import { NoCandidates } from '../../errors.js';
import type { Lookups } from '../lookups.js';
import {
  anchorsForSharingProviders, providerIdsHavingAnyTrait, providerIdsMatchingAggregates, providerIdsMatchingRequiredTraits, providersWithRoot, type RpTuple, SHARING_TRAIT, sharingProviders, traitsOfTrees, treesWithTraits, usagesByProviderTrees,
} from '../research.js';
import { RPCandidateList } from './rp-candidates.js';
import { GroupSearch, WideSearch } from './search-context.js';
import type {
  AllocationRequest, AllocationRequestResource, Candidates, ProviderSummary, RequestGroup, RequestWideParams,
} from './types.js';

type Q = Queryable<PlacementDB>;

export interface SearchOptions {
  /** Microversion 1.29+: candidates may use several providers of one tree. */
  nestedAware: boolean;
  /** [placement] randomize_allocation_candidates. */
  randomize: boolean;
}

/** A key equal for equal allocation requests (AllocationRequest.__eq__: resources and mappings). */
function requestKey(a: AllocationRequest): string {
  const rr = a.resourceRequests.map((r) => `${r.provider.id}|${r.resourceClass}|${r.amount}`).sort().join(',');
  const mappings = [...a.mappings].map(([s, ps]) => `${s}=${[...ps].sort().join('+')}`).sort().join(';');
  return `${rr}#${mappings}`;
}

/** Adds to a keyed set of allocation requests, keeping the first of equal ones. */
function addUnique(into: Map<string, AllocationRequest>, a: AllocationRequest): void {
  const key = requestKey(a);
  if (!into.has(key)) into.set(key, a);
}

function product<T>(lists: readonly T[][]): T[][] {
  let out: T[][] = [[]];
  for (const list of lists) out = out.flatMap((prefix) => list.map((item) => [...prefix, item]));
  return out;
}

/** Extends the search's summaries with the trees rooted at `rootIds` (_build_provider_summaries). */
async function buildSummaries(db: Q, lookups: Lookups, w: WideSearch, rootIds: ReadonlySet<number>, traits: Map<number, string[]>): Promise<void> {
  const newRoots = [...rootIds].filter((id) => !w.summariesById.has(id));
  if (newRoots.length === 0) return;
  const rows = await usagesByProviderTrees(db, newRoots);
  const uuidOf = new Map(rows.map((r) => [r.rpId, r.rpUuid]));
  const rcNames = await lookups.resourceClassNames();
  for (const u of rows) {
    let summary = w.summariesById.get(u.rpId);
    if (!summary) {
      const parentUuid = u.parentId !== null ? uuidOf.get(u.parentId) ?? null : null;
      w.parentUuidByRpUuid.set(u.rpUuid, parentUuid);
      summary = {
        provider: { id: u.rpId, uuid: u.rpUuid, rootProviderUuid: uuidOf.get(u.rootId)!, parentProviderUuid: parentUuid },
        resources: [],
        traits: traits.get(u.rpId) ?? [],
      };
      w.summariesById.set(u.rpId, summary);
    }
    if (u.rcId === null) continue;
    const resourceClass = rcNames.get(u.rcId)!;
    const res = { resourceClass, capacity: Math.trunc((u.total - u.reserved) * u.allocationRatio), used: u.used, maxUnit: u.maxUnit };
    w.psumRes.set(`${u.rpId}|${resourceClass}`, res);
    summary.resources.push(res);
  }
}

/**
 * Providers matching a group's traits and aggregates (get_provider_ids_for_traits_and_aggs):
 * [matching, forbidden]; matching is null when nothing can match, empty when not filtered.
 */
async function filterByTraitsAndAggs(g: GroupSearch): Promise<[Set<number> | null, Set<number>]> {
  let filtered = new Set<number>();
  if (g.requiredTraits.length > 0) {
    filtered = await providerIdsMatchingRequiredTraits(g.db, g.requiredTraits);
    if (filtered.size === 0) return [null, new Set()];
  }
  if (g.memberOf.length > 0) {
    filtered = filtered.size > 0 ? new Set([...filtered].filter((id) => g.rpsInAggs.has(id))) : new Set(g.rpsInAggs);
    if (filtered.size === 0) return [null, new Set()];
  }
  const forbidden = new Set<number>();
  const drop = (bad: Set<number>): boolean => {
    for (const id of bad) forbidden.add(id);
    if (filtered.size > 0) {
      for (const id of bad) filtered.delete(id);
      if (filtered.size === 0) return true;
    }
    return false;
  };
  if (g.forbiddenAggs.size > 0 && drop(await providerIdsMatchingAggregates(g.db, [g.forbiddenAggs]))) return [null, new Set()];
  if (g.forbiddenTraits.size > 0 && drop(await providerIdsHavingAnyTrait(g.db, g.forbiddenTraits.values()))) return [null, new Set()];
  return [filtered, forbidden];
}

/** Single providers that have everything the group asks (get_provider_ids_matching). */
async function providersMatchingGroup(g: GroupSearch): Promise<RpTuple[]> {
  const [initial, forbidden] = await filterByTraitsAndAggs(g);
  if (initial === null) return [];
  let filtered = initial;
  let provs: RpTuple[] = [];
  let first = true;
  for (const rcId of g.resources.keys()) {
    provs = g.rpsWith(rcId);
    if (provs.length === 0) return [];
    const ids = new Set(provs.map(([id]) => id));
    if (first) {
      first = false;
      if (filtered.size > 0) filtered = new Set([...filtered].filter((id) => ids.has(id)));
      else filtered = new Set([...ids].filter((id) => !forbidden.has(id)));
    } else {
      filtered = new Set([...filtered].filter((id) => ids.has(id)));
    }
    if (filtered.size === 0) return [];
  }
  if (g.resources.size === 0) provs = await providersWithRoot(g.db, filtered, forbidden);
  return provs.filter(([id]) => filtered.has(id));
}

/**
 * Trees (and sharing providers anchored to them) that together have room for every class of an
 * unsuffixed group, in its aggregates and with its traits (get_trees_matching_all).
 */
async function treesMatchingGroup(g: GroupSearch, w: WideSearch): Promise<RPCandidateList> {
  const badAggs = g.forbiddenAggs.size > 0 ? await providerIdsMatchingAggregates(g.db, [g.forbiddenAggs]) : new Set<number>();
  const all = new RPCandidateList();
  for (const rcId of g.resources.keys()) {
    const forRc = new RPCandidateList();
    forRc.addRps(g.rpsWith(rcId), rcId);
    if (forRc.size === 0) return new RPCandidateList();
    const sharing = g.sharingWith(rcId);
    if (sharing.size > 0 && g.treeRootId === undefined) {
      forRc.addRps((await anchorsForSharingProviders(g.db, sharing)).map((a) => [a.rpId, a.anchorId] as const), rcId);
    }
    if (w.anchorRootIds) {
      forRc.filterByTree(w.anchorRootIds);
      if (forRc.size === 0) return new RPCandidateList();
    }
    if (g.memberOf.length > 0) {
      // An aggregate on the root spans the whole tree.
      forRc.filterByRpOrTree(g.rpsInAggs);
      if (forRc.size === 0) return new RPCandidateList();
    }
    if (g.forbiddenAggs.size > 0) {
      forRc.filterByRpNorTree(badAggs);
      if (forRc.size === 0) return new RPCandidateList();
    }
    all.mergeCommonTrees(forRc);
    if (all.size === 0) return new RPCandidateList();
  }
  if ((g.requiredTraits.length === 0 && g.forbiddenTraits.size === 0) || g.existsSharing) return all;
  all.filterByRp(await treesWithTraits(g.db, all.rps, g.requiredTraits, g.forbiddenTraits.values()));
  return all;
}

/** Whether the providers of a combination together have the traits (_check_traits_for_alloc_request). */
function traitsSatisfied(rrs: readonly AllocationRequestResource[], w: WideSearch, required: ReadonlyArray<ReadonlySet<string>>, forbidden: ReadonlySet<string>): boolean {
  const have = new Set<string>();
  for (const rr of rrs) {
    const traits = w.summariesById.get(rr.provider.id)!.traits;
    if (traits.some((t) => forbidden.has(t))) return false;
    for (const t of traits) have.add(t);
  }
  return required.every((any) => [...any].some((t) => have.has(t)));
}

/** Requests combining providers of a tree for an unsuffixed group (_alloc_candidates_multiple_providers). */
async function multipleProviderRequests(g: GroupSearch, w: WideSearch, lookups: Lookups, cands: RPCandidateList): Promise<AllocationRequest[]> {
  if (cands.size === 0) return [];
  const rootIds = cands.allRps;
  const traits = await traitsOfTrees(g.db, rootIds);
  await buildSummaries(g.db, lookups, w, rootIds, traits);
  const trees = new Map<number, Map<number, AllocationRequestResource[]>>();
  for (const c of cands.all) {
    const byRc = trees.get(c.rootId) ?? new Map<number, AllocationRequestResource[]>();
    trees.set(c.rootId, byRc);
    const list = byRc.get(c.rcId) ?? [];
    byRc.set(c.rcId, list);
    list.push({ provider: w.summariesById.get(c.id)!.provider, resourceClass: g.rcNames.get(c.rcId)!, amount: g.resources.get(c.rcId)! });
  }
  const out = new Map<string, AllocationRequest>();
  const forbidden = new Set(g.forbiddenTraits.keys());
  for (const [rootId, byRc] of trees) {
    const rootUuid = w.summariesById.get(rootId)!.provider.uuid;
    const lists = [...byRc.entries()].sort(([a], [b]) => a - b).map(([, l]) => l);
    for (const rrs of product(lists)) {
      if (!traitsSatisfied(rrs, w, g.requiredTraitNames, forbidden)) continue;
      addUnique(out, {
        anchorRootUuid: rootUuid, useSameProvider: g.useSameProvider, resourceRequests: rrs,
        mappings: new Map([[g.suffix, new Set(rrs.map((r) => r.provider.uuid))]]),
      });
    }
  }
  return [...out.values()];
}

/** One request per provider having everything (_alloc_candidates_single_provider). */
async function singleProviderRequests(g: GroupSearch, w: WideSearch, lookups: Lookups, tuples: readonly RpTuple[]): Promise<AllocationRequest[]> {
  if (tuples.length === 0) return [];
  const rootIds = new Set(tuples.map(([, root]) => root));
  const traits = await traitsOfTrees(g.db, rootIds);
  await buildSummaries(g.db, lookups, w, rootIds, traits);
  const sharing = tuples.filter(([id]) => w.summariesById.get(id)!.traits.includes(SHARING_TRAIT)).map(([id]) => id);
  const anchors = sharing.length > 0 ? await anchorsForSharingProviders(g.db, sharing) : [];
  const out: AllocationRequest[] = [];
  for (const [rpId, rootId] of tuples) {
    const provider = w.summariesById.get(rpId)!.provider;
    const req: AllocationRequest = {
      anchorRootUuid: provider.rootProviderUuid, useSameProvider: g.useSameProvider,
      resourceRequests: [...g.resources].map(([rcId, amount]) => ({ provider, resourceClass: g.rcNames.get(rcId)!, amount })),
      mappings: new Map([[g.suffix, new Set([provider.uuid])]]),
    };
    if (w.inFilteredAnchors(rootId)) out.push(req);
    for (const a of anchors) {
      if (a.rpId !== rpId || a.anchorId === rootId || !w.inFilteredAnchors(a.anchorId)) continue;
      out.push({ ...req, anchorRootUuid: a.anchorUuid });
    }
  }
  return out;
}

/** AllocationCandidates._get_by_one_request. */
async function requestsForGroup(g: GroupSearch, w: WideSearch, lookups: Lookups): Promise<AllocationRequest[]> {
  if (!g.useSameProvider && (g.existsSharing || g.hasTrees)) {
    if (g.requiredTraits.length > 0) {
      const any = await providerIdsHavingAnyTrait(g.db, g.requiredTraits.flatMap((s) => [...s]));
      if (any.size === 0) return [];
    }
    return multipleProviderRequests(g, w, lookups, await treesMatchingGroup(g, w));
  }
  return singleProviderRequests(g, w, lookups, await providersMatchingGroup(g));
}

/** Ancestors of a provider, itself included. */
function ancestors(uuid: string, parents: ReadonlyMap<string, string | null>): Set<string> {
  const out = new Set<string>([uuid]);
  for (let p = parents.get(uuid) ?? null; p !== null; p = parents.get(p) ?? null) out.add(p);
  return out;
}

/** Whether one of the providers is an ancestor of (or is) all the others (_check_same_subtree). */
function inSameSubtree(uuids: ReadonlySet<string>, parents: ReadonlyMap<string, string | null>): boolean {
  if (uuids.size <= 1) return true;
  const sets = [...uuids].map((u) => ancestors(u, parents));
  const common = sets.reduce((acc, s) => new Set([...acc].filter((x) => s.has(x))));
  return [...uuids].some((u) => common.has(u));
}

function satisfiesGroupPolicy(areqs: readonly AllocationRequest[], policy: string | undefined, granularGroups: number): boolean {
  if (policy !== 'isolate') return true;
  const providers = new Set<string>();
  for (const a of areqs) {
    if (!a.useSameProvider) continue;
    for (const p of [...a.mappings.values()][0] ?? []) providers.add(p);
  }
  return providers.size === granularGroups;
}

function satisfiesSameSubtree(areqs: readonly AllocationRequest[], w: WideSearch): boolean {
  for (const suffixes of w.sameSubtrees) {
    const uuids = new Set<string>();
    for (const a of areqs) for (const s of suffixes) for (const u of a.mappings.get(s) ?? []) uuids.add(u);
    if (!inSameSubtree(uuids, w.parentUuidByRpUuid)) return false;
  }
  return true;
}

/**
 * One request with summed amounts per provider and class (_consolidate_allocation_requests).
 * The parts are always copied, so a sum never changes a part other combinations share.
 */
function consolidate(areqs: readonly AllocationRequest[]): AllocationRequest {
  const byRpRc = new Map<string, AllocationRequestResource>();
  const mappings = new Map<string, Set<string>>();
  for (const a of areqs) {
    for (const rr of a.resourceRequests) {
      const key = `${rr.provider.id}|${rr.resourceClass}`;
      const seen = byRpRc.get(key);
      if (seen) seen.amount += rr.amount;
      else byRpRc.set(key, { ...rr });
    }
    for (const [suffix, providers] of a.mappings) {
      const set = mappings.get(suffix) ?? new Set<string>();
      for (const p of providers) set.add(p);
      mappings.set(suffix, set);
    }
  }
  return { anchorRootUuid: areqs[0]!.anchorRootUuid, useSameProvider: false, resourceRequests: [...byRpRc.values()], mappings };
}

function exceedsCapacity(a: AllocationRequest, w: WideSearch): boolean {
  return a.resourceRequests.some((rr) => {
    const res = w.psumRes.get(`${rr.provider.id}|${rr.resourceClass}`)!;
    return res.used + rr.amount > res.capacity || rr.amount > res.maxUnit;
  });
}

/** Combines the groups' requests per anchor tree (_merge_candidates). */
function mergeCandidates(candidates: Map<string, AllocationRequest[]>, w: WideSearch): [AllocationRequest[], ProviderSummary[]] {
  const byAnchor = new Map<string, Map<string, AllocationRequest[]>>();
  for (const [suffix, areqs] of candidates) {
    for (const a of areqs) {
      const bySuffix = byAnchor.get(a.anchorRootUuid) ?? new Map<string, AllocationRequest[]>();
      byAnchor.set(a.anchorRootUuid, bySuffix);
      bySuffix.set(suffix, [...(bySuffix.get(suffix) ?? []), a]);
    }
  }
  const suffixes = [...candidates.keys()];
  const granular = suffixes.filter((s) => s !== '').length;
  const merged = new Map<string, AllocationRequest>();
  for (const bySuffix of byAnchor.values()) {
    if (bySuffix.size !== suffixes.length) continue;
    for (const combo of product(suffixes.map((s) => bySuffix.get(s)!))) {
      if (!satisfiesGroupPolicy(combo, w.groupPolicy, granular) || !satisfiesSameSubtree(combo, w)) continue;
      const a = consolidate(combo);
      if (exceedsCapacity(a, w)) continue;
      addUnique(merged, a);
    }
  }
  if (merged.size === 0) return [[], []];
  const trees = new Set([...merged.values()].flatMap((a) => a.resourceRequests.map((r) => r.provider.rootProviderUuid)));
  return [[...merged.values()], [...w.summariesById.values()].filter((s) => trees.has(s.provider.rootProviderUuid))];
}

/**
 * The allocation candidates of a request (AllocationCandidates.get_by_requests).
 * @throws ResourceClassNotFound, TraitNotFound
 */
export async function findCandidates(
  db: Q, lookups: Lookups, groups: Map<string, RequestGroup>, params: RequestWideParams, opts: SearchOptions,
): Promise<Candidates> {
  try {
    const w = await WideSearch.create(db, lookups, params, opts.nestedAware, opts.randomize);
    const sharing = await sharingProviders(db);
    const candidates = new Map<string, AllocationRequest[]>();
    for (const [suffix, group] of groups) {
      const g = await GroupSearch.create(db, lookups, group, w.hasTrees, sharing, suffix);
      const areqs = await requestsForGroup(g, w, lookups);
      if (areqs.length === 0) return { allocationRequests: [], providerSummaries: [] };
      candidates.set(suffix, areqs);
    }
    let [areqs, summaries] = mergeCandidates(candidates, w);
    [areqs, summaries] = w.excludeNestedProviders(areqs, summaries);
    [areqs, summaries] = w.limitResults(areqs, summaries);
    return { allocationRequests: areqs, providerSummaries: summaries };
  } catch (err) {
    if (err instanceof NoCandidates) return { allocationRequests: [], providerSummaries: [] };
    throw err;
  }
}
