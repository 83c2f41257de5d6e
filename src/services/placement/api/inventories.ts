/**
 * /resource_providers/{uuid}/inventories[/{resource_class}] (placement/handlers/inventory.py):
 * list, show, add one, replace all (the generation given must be the provider's), update one,
 * delete one, delete all (1.5). Capacity must be positive (from 1.26 it may be zero: reserved
 * equal to total). Inventory with allocations cannot be deleted (409 placement.inventory.inuse).
 */
import type { Logger } from '../../../common/log/logger.js';
import {
  ConcurrentUpdateDetected, DuplicateEntry, ErrorCode, HTTPBadRequest, HTTPConflict, HTTPNotFound, InvalidInventoryCapacity, InventoryInUse,
  InventoryWithResourceClassNotFound, PlacementNotFound, ResourceClassNotFound,
} from '../errors.js';
import {
  addInventory, deleteInventory, INVENTORY_DEFAULTS, type Inventory, type InventoryValues, listInventories, setInventory, updateInventory,
  validateCapacity,
} from '../objects/inventories.js';
import { Lookups } from '../objects/lookups.js';
import { changeProvider, getProvider, type ResourceProvider } from '../objects/resource-providers.js';
import { Rules } from '../policies/index.js';
import type { ApiDeps } from './deps.js';
import { cacheHeaders, type Call, checkAccept, extractJson, lastModified, PyFloat, requireJson, requireVersion, sendEmpty, sendJson, setLocation } from './request.js';
import { providerOr404, providerPath } from './resource-providers.js';
import type { Router } from './router.js';
import * as schemas from './schemas.js';

type InventoryInput = Partial<InventoryValues> & { total: number };

/** A request's inventory with upstream's defaults filled in. */
export function inventoryFrom(resourceClass: string, data: InventoryInput): Inventory {
  return { ...INVENTORY_DEFAULTS, ...data, resource_class: resourceClass, created_at: null, updated_at: null };
}

export function inventoryView(inv: InventoryValues): Record<string, unknown> {
  return {
    total: inv.total, reserved: inv.reserved, min_unit: inv.min_unit, max_unit: inv.max_unit, step_size: inv.step_size,
    allocation_ratio: new PyFloat(inv.allocation_ratio),
  };
}

function sendInventories(call: Call, rp: ResourceProvider, invs: readonly Inventory[]): void {
  cacheHeaders(call, lastModified(invs));
  sendJson(call, { resource_provider_generation: rp.generation, inventories: Object.fromEntries(invs.map((i) => [i.resource_class, inventoryView(i)])) }, 200, { floats: true });
}

function sendInventory(call: Call, rp: ResourceProvider, inv: Inventory, status = 200): void {
  cacheHeaders(call, lastModified([inv]));
  // As upstream, a generation of 0 is left out (`if generation:`).
  sendJson(call, { ...inventoryView(inv), ...(rp.generation ? { resource_provider_generation: rp.generation } : {}) }, status, { floats: true });
}

/** The provider, or 404 with the inventory handlers' wording. */
const providerFor = (deps: ApiDeps, uuid: string): Promise<ResourceProvider> =>
  providerOr404(deps.store.db, uuid, (m) => `No resource provider with uuid ${uuid} found : ${m}`);

const reservedCanBeTotal = (call: Call): boolean => call.version.atLeast('1.26');

export function inventoryRoutes(router: Router, deps: ApiDeps): void {
  const { store, policy } = deps;
  const log: Logger = deps.log;
  const base = '/resource_providers/:uuid/inventories';

  router.get(base, async (call) => {
    checkAccept(call);
    policy.can(call.ctx, Rules.INV_LIST);
    const rp = await providerFor(deps, call.params['uuid']!);
    sendInventories(call, rp, await listInventories(store.db, new Lookups(store.db), rp.id));
  });

  router.get(`${base}/:resource_class`, async (call) => {
    checkAccept(call);
    policy.can(call.ctx, Rules.INV_SHOW);
    const uuid = call.params['uuid']!;
    const rc = call.params['resource_class']!;
    const rp = await providerFor(deps, uuid);
    const inv = (await listInventories(store.db, new Lookups(store.db), rp.id)).find((i) => i.resource_class === rc);
    if (!inv) throw new HTTPNotFound(`No inventory of class ${rc} for ${uuid}`);
    sendInventory(call, rp, inv);
  });

  router.post(base, async (call) => {
    requireJson(call);
    policy.can(call.ctx, Rules.INV_CREATE);
    const rp = await getProvider(store.db, call.params['uuid']!);
    const { resource_class: rc, ...data } = extractJson<InventoryInput & { resource_class: string }>(call, schemas.POST_INVENTORY);
    const inv = inventoryFrom(rc, data);
    try {
      validateCapacity([inv], rp.uuid, reservedCanBeTotal(call));
      await changeProvider(store, rp, (tx, p) => addInventory(tx, new Lookups(tx), p, inv));
    } catch (err) {
      if (err instanceof ConcurrentUpdateDetected || err instanceof DuplicateEntry) throw new HTTPConflict(`Update conflict: ${err.message}`, ErrorCode.CONCURRENT_UPDATE);
      if (err instanceof InvalidInventoryCapacity || err instanceof PlacementNotFound) {
        throw new HTTPBadRequest(`Unable to create inventory for resource provider ${rp.uuid}: ${err.message}`);
      }
      throw err;
    }
    setLocation(call, `${providerPath(rp.uuid)}/inventories/${rc}`);
    inv.created_at = new Date().toISOString();
    sendInventory(call, rp, inv, 201);
  });

  router.put(base, async (call) => {
    requireJson(call);
    policy.can(call.ctx, Rules.INV_UPDATE);
    const rp = await getProvider(store.db, call.params['uuid']!);
    const data = extractJson<{ resource_provider_generation: number; inventories: Record<string, InventoryInput> }>(call, schemas.PUT_INVENTORIES);
    if (data.resource_provider_generation !== rp.generation) throw new HTTPConflict('resource provider generation conflict', ErrorCode.CONCURRENT_UPDATE);
    const invs = Object.entries(data.inventories).map(([rc, i]) => inventoryFrom(rc, i));
    try {
      validateCapacity(invs, rp.uuid, reservedCanBeTotal(call));
      await changeProvider(store, rp, (tx, p) => setInventory(tx, new Lookups(tx), log, p, invs));
    } catch (err) {
      if (err instanceof ResourceClassNotFound) throw new HTTPBadRequest(`Unknown resource class in inventory for resource provider ${rp.uuid}: ${err.message}`);
      if (err instanceof InventoryWithResourceClassNotFound) {
        throw new HTTPConflict(`Race condition detected when setting inventory. No inventory record with resource class for resource provider ${rp.uuid}: ${err.message}`);
      }
      if (err instanceof ConcurrentUpdateDetected || err instanceof DuplicateEntry) throw new HTTPConflict(`update conflict: ${err.message}`, ErrorCode.CONCURRENT_UPDATE);
      if (err instanceof InventoryInUse) throw new HTTPConflict(`update conflict: ${err.message}`, ErrorCode.INVENTORY_INUSE);
      if (err instanceof InvalidInventoryCapacity) throw new HTTPBadRequest(`Unable to update inventory for resource provider ${rp.uuid}: ${err.message}`);
      throw err;
    }
    const now = new Date().toISOString();
    sendInventories(call, rp, invs.map((i) => ({ ...i, created_at: now })));
  });

  router.delete(base, async (call) => {
    requireVersion(call, '1.5', undefined, 405);
    policy.can(call.ctx, Rules.INV_DELETE);
    const rp = await getProvider(store.db, call.params['uuid']!);
    try {
      await changeProvider(store, rp, (tx, p) => setInventory(tx, new Lookups(tx), log, p, []));
    } catch (err) {
      if (err instanceof ConcurrentUpdateDetected) {
        throw new HTTPConflict(
          `Unable to delete inventory for resource provider ${rp.uuid} because the inventory was updated by another process. Please retry your request.`,
          ErrorCode.CONCURRENT_UPDATE,
        );
      }
      if (err instanceof InventoryInUse) throw new HTTPConflict(err.message, ErrorCode.INVENTORY_INUSE);
      throw err;
    }
    sendEmpty(call, 204);
  });

  router.put(`${base}/:resource_class`, async (call) => {
    requireJson(call);
    policy.can(call.ctx, Rules.INV_UPDATE);
    const rp = await getProvider(store.db, call.params['uuid']!);
    const rc = call.params['resource_class']!;
    const { resource_provider_generation: generation, ...data } = extractJson<InventoryInput & { resource_provider_generation: number }>(call, schemas.BASE_INVENTORY);
    if (generation !== rp.generation) throw new HTTPConflict('resource provider generation conflict', ErrorCode.CONCURRENT_UPDATE);
    const inv = inventoryFrom(rc, data);
    try {
      validateCapacity([inv], rp.uuid, reservedCanBeTotal(call));
      await changeProvider(store, rp, (tx, p) => updateInventory(tx, new Lookups(tx), log, p, inv));
    } catch (err) {
      if (err instanceof ConcurrentUpdateDetected || err instanceof DuplicateEntry) throw new HTTPConflict(`update conflict: ${err.message}`, ErrorCode.CONCURRENT_UPDATE);
      if (err instanceof InventoryWithResourceClassNotFound) {
        throw new HTTPBadRequest(`No inventory record with resource class for resource provider ${rp.uuid}: ${err.message}`);
      }
      if (err instanceof InvalidInventoryCapacity) throw new HTTPBadRequest(`Unable to update inventory for resource provider ${rp.uuid}: ${err.message}`);
      throw err;
    }
    inv.updated_at = new Date().toISOString();
    sendInventory(call, rp, inv);
  });

  router.delete(`${base}/:resource_class`, async (call) => {
    policy.can(call.ctx, Rules.INV_DELETE);
    const rp = await getProvider(store.db, call.params['uuid']!);
    const rc = call.params['resource_class']!;
    try {
      await changeProvider(store, rp, (tx, p) => deleteInventory(tx, new Lookups(tx), p, rc));
    } catch (err) {
      if (err instanceof ConcurrentUpdateDetected || err instanceof InventoryInUse) {
        throw new HTTPConflict(`Unable to delete inventory of class ${rc}: ${err.message}`, ErrorCode.CONCURRENT_UPDATE);
      }
      if (err instanceof PlacementNotFound) throw new HTTPNotFound(`No inventory of class ${rc} found for delete: ${err.message}`);
      throw err;
    }
    sendEmpty(call, 204);
  });
}
