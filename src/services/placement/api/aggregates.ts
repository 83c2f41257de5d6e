/**
 * /resource_providers/{uuid}/aggregates (placement/handlers/aggregate.py, from 1.1): the
 * provider's aggregate uuids; from 1.19 the body and answer carry the provider generation,
 * which must match and moves on each change.
 */
import { ConcurrentUpdateDetected, ErrorCode, HTTPConflict } from '../errors.js';
import { ensureAggregates, getAggregates, setAggregates } from '../objects/aggregates.js';
import { changeProvider, getProvider, type ResourceProvider } from '../objects/resource-providers.js';
import { Rules } from '../policies/index.js';
import type { ApiDeps } from './deps.js';
import { cacheHeaders, type Call, checkAccept, extractJson, requireJson, requireVersion, sendJson } from './request.js';
import type { Router } from './router.js';
import * as schemas from './schemas.js';

function sendAggregates(call: Call, rp: ResourceProvider, uuids: readonly string[]): void {
  const body: Record<string, unknown> = { aggregates: uuids };
  if (call.version.atLeast('1.19')) body['resource_provider_generation'] = rp.generation;
  // The association time is not recorded: last-modified is now, as upstream.
  cacheHeaders(call);
  sendJson(call, body);
}

export function aggregateRoutes(router: Router, deps: ApiDeps): void {
  const { store, policy } = deps;
  const path = '/resource_providers/:uuid/aggregates';

  router.get(path, async (call) => {
    checkAccept(call);
    requireVersion(call, '1.1');
    policy.can(call.ctx, Rules.AGG_LIST);
    const rp = await getProvider(store.db, call.params['uuid']!);
    sendAggregates(call, rp, await getAggregates(store.db, rp.id));
  });

  router.put(path, async (call) => {
    requireJson(call);
    requireVersion(call, '1.1');
    policy.can(call.ctx, Rules.AGG_UPDATE);
    const withGeneration = call.version.atLeast('1.19');
    const rp = await getProvider(store.db, call.params['uuid']!);
    let uuids: string[];
    if (withGeneration) {
      const data = extractJson<{ aggregates: string[]; resource_provider_generation: number }>(call, schemas.PUT_AGGREGATES_1_19);
      if (data.resource_provider_generation !== rp.generation) {
        throw new HTTPConflict("Resource provider's generation already changed. Please update the generation and try again.", ErrorCode.CONCURRENT_UPDATE);
      }
      uuids = data.aggregates;
    } else {
      uuids = extractJson<string[]>(call, schemas.PUT_AGGREGATES_1_1);
    }
    try {
      await ensureAggregates(store.db, uuids);
      await changeProvider(store, rp, (tx, p) => setAggregates(tx, p, uuids, withGeneration));
    } catch (err) {
      if (err instanceof ConcurrentUpdateDetected) throw new HTTPConflict(`Update conflict: ${err.message}`, ErrorCode.CONCURRENT_UPDATE);
      throw err;
    }
    sendAggregates(call, rp, uuids);
  });
}
