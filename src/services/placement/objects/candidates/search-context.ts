/**
 * The state of an allocation-candidates search (placement/objects/research_context.py): for
 * each request group, the providers with room for each requested class and those in the
 * requested aggregates, found up front (a group nothing can satisfy ends the search); for the
 * whole request, the anchors allowed by root_required, the provider summaries built so far and
 * the final filters (nested providers for old microversions, limit and order).
 */
import { randomInt } from 'node:crypto';
import type { Queryable } from '../../../../common/db/index.js';
import type { PlacementDB } from '../../db/schema.js';
import { NoCandidates } from '../../errors.js';
import type { Lookups } from '../lookups.js';
import {
  hasProviderTrees, providerIdsFromUuid, providerIdsMatchingAggregates, providersWithResource, rootsWithTraits, type RpTuple,
} from '../research.js';
import type { AllocationRequest, ProviderSummary, ProviderSummaryResource, RequestGroup, RequestWideParams } from './types.js';

type Q = Queryable<PlacementDB>;

/** One request group's search (RequestGroupSearchContext). */
export class GroupSearch {
  /** Amounts by resource class id, in request order. */
  readonly resources = new Map<number, number>();
  readonly rcNames = new Map<number, string>();
  rpsInAggs = new Set<number>();
  /** Required trait id sets, and the same by name. */
  readonly requiredTraits: Array<Set<number>> = [];
  forbiddenTraits = new Map<string, number>();
  treeRootId: number | undefined;
  private readonly rpsWithResource = new Map<number, RpTuple[]>();

  private constructor(
    readonly db: Q,
    readonly group: RequestGroup,
    readonly suffix: string,
    readonly hasTrees: boolean,
    private readonly sharing: ReadonlySet<number>,
  ) {}

  get useSameProvider(): boolean {
    return this.group.useSameProvider;
  }

  get memberOf(): Array<Set<string>> {
    return this.group.memberOf;
  }

  get forbiddenAggs(): Set<string> {
    return this.group.forbiddenAggs;
  }

  get requiredTraitNames(): Array<Set<string>> {
    return this.group.requiredTraits;
  }

  get existsSharing(): boolean {
    return this.sharing.size > 0;
  }

  /**
   * @throws ResourceClassNotFound, TraitNotFound, NoCandidates (in upstream's order: classes,
   *   aggregates, traits, in_tree, capacity)
   */
  static async create(db: Q, lookups: Lookups, group: RequestGroup, hasTrees: boolean, sharing: ReadonlySet<number>, suffix: string): Promise<GroupSearch> {
    const s = new GroupSearch(db, group, suffix, hasTrees, sharing);
    for (const [rc, amount] of group.resources) {
      const id = await lookups.rcId(rc);
      s.resources.set(id, amount);
      s.rcNames.set(id, rc);
    }
    if (group.memberOf.length > 0) {
      s.rpsInAggs = await providerIdsMatchingAggregates(db, group.memberOf);
      if (s.rpsInAggs.size === 0) throw new NoCandidates();
    }
    for (const any of group.requiredTraits) s.requiredTraits.push(new Set((await lookups.traitIds(any)).values()));
    if (group.forbiddenTraits.size > 0) s.forbiddenTraits = await lookups.traitIds(group.forbiddenTraits);
    if (group.inTree !== undefined) {
      const tree = await providerIdsFromUuid(db, group.inTree);
      if (!tree) throw new NoCandidates();
      s.treeRootId = tree.root_id;
    }
    for (const [rcId, amount] of s.resources) {
      const found = await providersWithResource(db, rcId, amount, s.treeRootId);
      if (found.length === 0) throw new NoCandidates();
      s.rpsWithResource.set(rcId, found);
    }
    return s;
  }

  rpsWith(rcId: number): RpTuple[] {
    return this.rpsWithResource.get(rcId) ?? [];
  }

  /** Sharing providers (in the group's aggregates, if any) with room for the class. */
  sharingWith(rcId: number): Set<number> {
    let sharing = new Set(this.sharing);
    if (this.rpsInAggs.size > 0) sharing = new Set([...sharing].filter((id) => this.rpsInAggs.has(id)));
    if (sharing.size === 0) return sharing;
    const withRoom = new Set(this.rpsWith(rcId).map(([id]) => id));
    return new Set([...sharing].filter((id) => withRoom.has(id)));
  }
}

/** The whole request's search (RequestWideSearchContext). */
export class WideSearch {
  /** Roots allowed by root_required; undefined when it was not given. */
  anchorRootIds: Set<number> | undefined;
  readonly summariesById = new Map<number, ProviderSummary>();
  readonly parentUuidByRpUuid = new Map<string, string | null>();
  /** `${rpId}|${rc}` -> summary resource, for the capacity check of merged candidates. */
  readonly psumRes = new Map<string, ProviderSummaryResource>();

  private constructor(
    readonly params: RequestWideParams,
    readonly nestedAware: boolean,
    readonly hasTrees: boolean,
    private readonly randomize: boolean,
  ) {}

  get groupPolicy(): RequestWideParams['groupPolicy'] {
    return this.params.groupPolicy;
  }

  get sameSubtrees(): Array<Set<string>> {
    return this.params.sameSubtrees;
  }

  /** @throws TraitNotFound, NoCandidates */
  static async create(db: Q, lookups: Lookups, params: RequestWideParams, nestedAware: boolean, randomize: boolean): Promise<WideSearch> {
    const w = new WideSearch(params, nestedAware, await hasProviderTrees(db), randomize);
    const required = params.anchorRequiredTraits;
    const forbidden = params.anchorForbiddenTraits;
    if ((required && required.size > 0) || (forbidden && forbidden.size > 0)) {
      const req = required && required.size > 0 ? new Set((await lookups.traitIds(required)).values()) : undefined;
      const forb = forbidden && forbidden.size > 0 ? new Set((await lookups.traitIds(forbidden)).values()) : undefined;
      w.anchorRootIds = await rootsWithTraits(db, req, forb);
      if (w.anchorRootIds.size === 0) throw new NoCandidates();
    }
    return w;
  }

  inFilteredAnchors(rootId: number): boolean {
    return this.anchorRootIds === undefined || this.anchorRootIds.has(rootId);
  }

  /** Before 1.29, candidates using two providers of one tree are dropped. */
  excludeNestedProviders(areqs: AllocationRequest[], summaries: ProviderSummary[]): [AllocationRequest[], ProviderSummary[]] {
    if (this.nestedAware || !this.hasTrees) return [areqs, summaries];
    const kept: AllocationRequest[] = [];
    const used = new Set<string>();
    for (const a of areqs) {
      const rootByRp = new Map(a.resourceRequests.map((r) => [r.provider.uuid, r.provider.rootProviderUuid]));
      if (rootByRp.size === new Set(rootByRp.values()).size) {
        kept.push(a);
        for (const u of rootByRp.keys()) used.add(u);
      }
    }
    return [kept, summaries.filter((s) => used.has(s.provider.uuid))];
  }

  /** `limit` (random sample when [placement] randomize_allocation_candidates), or a shuffle. */
  limitResults(areqs: AllocationRequest[], summaries: ProviderSummary[]): [AllocationRequest[], ProviderSummary[]] {
    const limit = this.params.limit;
    if (limit !== undefined && limit < areqs.length) {
      const chosen = this.randomize ? shuffle([...areqs]).slice(0, limit) : areqs.slice(0, limit);
      const roots = new Set(chosen.flatMap((a) => a.resourceRequests.map((r) => r.provider.rootProviderUuid)));
      return [chosen, summaries.filter((s) => roots.has(s.provider.rootProviderUuid))];
    }
    if (this.randomize) shuffle(areqs);
    return [areqs, summaries];
  }
}

/** Fisher-Yates, in place. */
function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
