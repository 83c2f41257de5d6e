/**
 * POST /reshaper (placement/handlers/reshaper.py, from 1.30): new inventories of providers
 * and the allocations of consumers, applied in one transaction; `mappings` accepted from 1.34
 * and consumer types required from 1.38, as for POST /allocations.
 */
import {
  ConcurrentUpdateDetected, ErrorCode, HTTPBadRequest, HTTPConflict, InvalidInventory, InventoryInUse, PlacementNotFound,
} from '../errors.js';
import { reshape, type ReshapeInventories } from '../objects/reshaper.js';
import { Rules } from '../policies/index.js';
import { type AllocationsBody, consumerRequest, writeRules } from './allocations.js';
import type { ApiDeps } from './deps.js';
import { inventoryFrom } from './inventories.js';
import { extractJson, requireJson, requireVersion, sendEmpty } from './request.js';
import type { Router } from './router.js';
import * as schemas from './schemas.js';

interface ReshaperBody {
  inventories: Record<string, { resource_provider_generation: number; inventories: Record<string, { total: number }> }>;
  allocations: Record<string, AllocationsBody>;
}

export function reshaperRoutes(router: Router, deps: ApiDeps): void {
  const { store, policy, settings, log } = deps;

  router.post('/reshaper', async (call) => {
    requireVersion(call, '1.30');
    requireJson(call);
    policy.can(call.ctx, Rules.RESHAPE);
    const v = call.version;
    const data = extractJson<ReshaperBody>(call, v.atLeast('1.38') ? schemas.POST_RESHAPER_1_38 : v.atLeast('1.34') ? schemas.POST_RESHAPER_1_34 : schemas.POST_RESHAPER_1_30);
    const inventories: ReshapeInventories[] = Object.entries(data.inventories).map(([rpUuid, inv]) => ({
      rpUuid, generation: inv.resource_provider_generation, inventories: Object.entries(inv.inventories).map(([rc, i]) => inventoryFrom(rc, i)),
    }));
    const requests = Object.entries(data.allocations).map(([uuid, body]) => consumerRequest(uuid, body, settings));
    try {
      await reshape(store, log, inventories, requests, writeRules(call, settings));
    } catch (err) {
      if (err instanceof ConcurrentUpdateDetected) throw new HTTPConflict(`update conflict: ${err.message}`, ErrorCode.CONCURRENT_UPDATE);
      if (err instanceof PlacementNotFound) throw new HTTPBadRequest(`malformed reshaper data: ${err.message}`);
      if (err instanceof InventoryInUse) throw new HTTPConflict(`update conflict: ${err.message}`, ErrorCode.INVENTORY_INUSE);
      if (err instanceof InvalidInventory) throw new HTTPConflict(`Unable to allocate inventory: ${err.message}`);
      throw err;
    }
    sendEmpty(call, 204);
  });
}
