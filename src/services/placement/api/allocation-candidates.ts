/**
 * GET /allocation_candidates (placement/handlers/allocation_candidate.py, from 1.10): the query
 * grammar of each microversion, and the answer's shape: allocation requests as lists (before
 * 1.12) or keyed by provider with `mappings` (1.34); provider summaries with only the requested
 * classes (all from 1.27), traits (1.17) and tree uuids (1.29).
 */
import { HTTPBadRequest, ResourceClassNotFound, TraitNotFound } from '../errors.js';
import { findCandidates } from '../objects/candidates/candidates.js';
import type { AllocationRequest, Candidates, ProviderSummary, RequestGroup } from '../objects/candidates/types.js';
import { Lookups } from '../objects/lookups.js';
import { Rules } from '../policies/index.js';
import type { ApiDeps } from './deps.js';
import type { JsonSchema } from './jsonschema.js';
import type { APIVersion } from './microversion.js';
import { parseRequestGroups, parseWideParams } from './query-params.js';
import { cacheHeaders, type Call, checkAccept, requireVersion, sendJson, validateQuery } from './request.js';
import type { Router } from './router.js';
import * as schemas from './schemas.js';

const QUERY_SCHEMAS: Array<[string, JsonSchema]> = [
  ['1.36', schemas.GET_AC_1_36], ['1.35', schemas.GET_AC_1_35], ['1.33', schemas.GET_AC_1_33], ['1.31', schemas.GET_AC_1_31],
  ['1.25', schemas.GET_AC_1_25], ['1.21', schemas.GET_AC_1_21], ['1.17', schemas.GET_AC_1_17], ['1.16', schemas.GET_AC_1_16],
];

function querySchema(v: APIVersion): JsonSchema {
  return QUERY_SCHEMAS.find(([min]) => v.atLeast(min))?.[1] ?? schemas.GET_AC_1_10;
}

/** Resources by provider of one request. */
function byProvider(a: AllocationRequest): Map<string, Record<string, number>> {
  const out = new Map<string, Record<string, number>>();
  for (const rr of a.resourceRequests) {
    const res = out.get(rr.provider.uuid) ?? {};
    res[rr.resourceClass] = rr.amount;
    out.set(rr.provider.uuid, res);
  }
  return out;
}

function requestView(a: AllocationRequest, v: APIVersion): Record<string, unknown> {
  const resources = byProvider(a);
  if (!v.atLeast('1.12')) {
    return { allocations: [...resources].map(([uuid, res]) => ({ resource_provider: { uuid }, resources: res })) };
  }
  const view: Record<string, unknown> = { allocations: Object.fromEntries([...resources].map(([uuid, res]) => [uuid, { resources: res }])) };
  if (v.atLeast('1.34')) view['mappings'] = Object.fromEntries([...a.mappings].map(([suffix, rps]) => [suffix, [...rps]]));
  return view;
}

function summaryView(s: ProviderSummary, v: APIVersion, requested: ReadonlySet<string>): Record<string, unknown> {
  const all = v.atLeast('1.27');
  const view: Record<string, unknown> = {
    resources: Object.fromEntries(s.resources.filter((r) => all || requested.has(r.resourceClass))
      .map((r) => [r.resourceClass, { capacity: r.capacity, used: r.used }])),
  };
  if (v.atLeast('1.17')) view['traits'] = s.traits;
  if (v.atLeast('1.29')) {
    view['parent_provider_uuid'] = s.provider.parentProviderUuid;
    view['root_provider_uuid'] = s.provider.rootProviderUuid;
  }
  return view;
}

function candidatesView(c: Candidates, groups: Map<string, RequestGroup>, v: APIVersion): Record<string, unknown> {
  const requested = new Set([...groups.values()].flatMap((g) => [...g.resources.keys()]));
  return {
    allocation_requests: c.allocationRequests.map((a) => requestView(a, v)),
    provider_summaries: Object.fromEntries(c.providerSummaries.map((s) => [s.provider.uuid, summaryView(s, v, requested)])),
  };
}

export function allocationCandidateRoutes(router: Router, deps: ApiDeps): void {
  const { store, policy, settings } = deps;

  router.get('/allocation_candidates', async (call: Call) => {
    requireVersion(call, '1.10');
    checkAccept(call);
    policy.can(call.ctx, Rules.AC_LIST);
    validateQuery(call, querySchema(call.version));
    const params = parseWideParams(call.query);
    const groups = parseRequestGroups(call.query, call.version, params);
    if (!params.groupPolicy && [...groups.values()].filter((g) => g.useSameProvider).length > 1) {
      throw new HTTPBadRequest('The "group_policy" parameter is required when specifying more than one "resources{N}" parameter.');
    }
    let candidates: Candidates;
    try {
      candidates = await findCandidates(store.db, new Lookups(store.db), groups, params, {
        nestedAware: call.version.atLeast('1.29'), randomize: settings.randomizeAllocationCandidates,
      });
    } catch (err) {
      if (err instanceof ResourceClassNotFound) throw new HTTPBadRequest(`Invalid resource class in resources parameter: ${err.message}`);
      if (err instanceof TraitNotFound) throw new HTTPBadRequest(err.message);
      throw err;
    }
    cacheHeaders(call);
    sendJson(call, candidatesView(candidates, groups, call.version));
  });
}
