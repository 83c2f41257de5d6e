/**
 * The reshaper (placement/objects/reshaper.py with handlers/reshaper.py's checks): moves
 * inventory and the allocations against it between providers of a tree in one transaction.
 * Each named provider's generation must be the one given; then, as upstream, the union of old
 * and new inventory is written first (so allocations can move onto new inventory while old
 * allocations still fit), the allocations are replaced, and the final inventories written.
 */
import type { Logger } from '../../../common/log/logger.js';
import type { Store } from '../db/store.js';
import { ErrorCode, HTTPBadRequest, HTTPConflict, ResourceProviderConcurrentUpdateDetected } from '../errors.js';
import {
  type ConsumerAllocations, lockProviders, prepareAllocations, replaceAll, resolveOwners, type WriteRules,
} from './allocations.js';
import { type Inventory, listInventories, setInventory } from './inventories.js';
import { Lookups } from './lookups.js';
import { getProviders } from './resource-providers.js';

export interface ReshapeInventories {
  rpUuid: string;
  /** The generation the caller last saw. */
  generation: number;
  inventories: Inventory[];
}

/**
 * @throws HTTPBadRequest/HTTPConflict (unknown provider, generation), ResourceClassNotFound,
 *   InventoryInUse, InvalidInventory..., ConcurrentUpdateDetected
 */
export async function reshape(store: Store, log: Logger, inventories: readonly ReshapeInventories[], requests: readonly ConsumerAllocations[], rules: WriteRules): Promise<void> {
  const owners = await resolveOwners(store, requests, rules.withConsumerType);
  await store.write(async (tx) => {
    const lookups = new Lookups(tx);
    await lockProviders(tx, store, requests, inventories.map((i) => i.rpUuid));
    const providers = await getProviders(tx, inventories.map((i) => i.rpUuid));
    for (const inv of inventories) {
      const rp = providers.get(inv.rpUuid);
      if (!rp) {
        throw new HTTPBadRequest(
          `Resource provider ${inv.rpUuid} in inventories not found: No resource provider with uuid ${inv.rpUuid} found`, ErrorCode.RESOURCE_PROVIDER_NOT_FOUND,
        );
      }
      if (rp.generation !== inv.generation) {
        throw new HTTPConflict(
          `resource provider generation conflict for provider ${inv.rpUuid}: actual: ${rp.generation}, given: ${inv.generation}`, ErrorCode.CONCURRENT_UPDATE,
        );
      }
    }
    const allocs = await prepareAllocations(tx, lookups, requests, owners, rules);
    for (const inv of inventories) {
      if (inv.inventories.length === 0) continue;
      const rp = providers.get(inv.rpUuid)!;
      const byClass = new Map((await listInventories(tx, lookups, rp.id)).map((i) => [i.resource_class, i]));
      for (const i of inv.inventories) byClass.set(i.resource_class, i);
      await setInventory(tx, lookups, log, rp, [...byClass.values()]);
    }
    await replaceAll(tx, lookups, allocs, providers);
    for (const inv of inventories) await setInventory(tx, lookups, log, providers.get(inv.rpUuid)!, inv.inventories);
  }, { attempts: rules.attempts, retryOn: (err) => err instanceof ResourceProviderConcurrentUpdateDetected, retryUniqueViolations: true });
}
