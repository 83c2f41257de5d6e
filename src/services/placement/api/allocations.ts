/**
 * /allocations/{consumer_uuid}, POST /allocations (1.13) and
 * /resource_providers/{uuid}/allocations (placement/handlers/allocation.py). The body of PUT
 * changes with the microversions: a list of providers (1.0), project and user required (1.8),
 * keyed by provider like GET (1.12), consumer generation required and empty allocations
 * allowed (1.28), mappings accepted and ignored (1.34), consumer type required (1.38).
 */
import {
  ConcurrentUpdateDetected, ErrorCode, HTTPBadRequest, HTTPConflict, InvalidInventory, PlacementNotFound,
} from '../errors.js';
import {
  type ConsumerAllocations, consumerAllocations, deleteConsumerAllocations, providerAllocations, writeAllocations, type WriteRules,
} from '../objects/allocations.js';
import { Lookups } from '../objects/lookups.js';
import { Rules } from '../policies/index.js';
import type { ApiDeps, PlacementSettings } from './deps.js';
import type { JsonSchema } from './jsonschema.js';
import { byVersion } from './microversion.js';
import { cacheHeaders, type Call, checkAccept, extractJson, lastModified, requireJson, requireVersion, sendEmpty, sendJson } from './request.js';
import type { Router } from './router.js';
import { providerOr404 } from './resource-providers.js';
import * as schemas from './schemas.js';
import { canonicalUuid, isUuidLike } from './uuids.js';

/** One consumer's part of a 1.12+ body (PUT, or a value of POST). */
export interface AllocationsBody {
  allocations: Record<string, { resources: Record<string, number>; generation?: number }>;
  project_id?: string;
  user_id?: string;
  consumer_generation?: number | null;
  consumer_type?: string;
}

/** The consumer's request with upstream's defaults (the incomplete-consumer ids before 1.8). */
export function consumerRequest(consumerUuid: string, body: AllocationsBody, settings: PlacementSettings): ConsumerAllocations {
  const known = body.project_id !== undefined && body.project_id !== null;
  return {
    consumerUuid,
    allocations: new Map(Object.entries(body.allocations).map(([rp, a]) => [rp, a.resources])),
    projectId: known ? body.project_id! : settings.incompleteConsumerProjectId,
    userId: known ? body.user_id! : settings.incompleteConsumerUserId,
    generation: body.consumer_generation,
    ...(body.consumer_type !== undefined ? { consumerType: body.consumer_type } : {}),
  };
}

export function writeRules(call: Call, settings: PlacementSettings): WriteRules {
  return { checkGenerations: call.version.atLeast('1.28'), withConsumerType: call.version.atLeast('1.38'), attempts: settings.allocationConflictRetryCount };
}

const PUT_SCHEMAS: Array<{ min: string; max?: string; value: JsonSchema }> = [
  { min: '1.0', max: '1.7', value: schemas.ALLOCATION_1_0 },
  { min: '1.8', max: '1.11', value: schemas.ALLOCATION_1_8 },
  { min: '1.12', max: '1.27', value: schemas.ALLOCATION_1_12 },
  { min: '1.28', max: '1.33', value: schemas.ALLOCATION_1_28 },
  { min: '1.34', max: '1.37', value: schemas.ALLOCATION_1_34 },
  { min: '1.38', value: schemas.ALLOCATION_1_38 },
];

const POST_SCHEMAS: Array<{ min: string; max?: string; value: JsonSchema }> = [
  { min: '1.13', max: '1.27', value: schemas.POST_ALLOCATIONS_1_13 },
  { min: '1.28', max: '1.33', value: schemas.POST_ALLOCATIONS_1_28 },
  { min: '1.34', max: '1.37', value: schemas.POST_ALLOCATIONS_1_34 },
  { min: '1.38', value: schemas.POST_ALLOCATIONS_1_38 },
];

/** The errors of a write as the handlers word them (`notFound` differs between PUT and POST). */
function writeError(err: unknown, notFound: (message: string) => string): unknown {
  if (err instanceof PlacementNotFound) return new HTTPBadRequest(notFound(err.message));
  if (err instanceof InvalidInventory) return new HTTPConflict(`Unable to allocate inventory: ${err.message}`);
  if (err instanceof ConcurrentUpdateDetected) {
    return new HTTPConflict(`Inventory and/or allocations changed while attempting to allocate: ${err.message}`, ErrorCode.CONCURRENT_UPDATE);
  }
  return err;
}

export function allocationRoutes(router: Router, deps: ApiDeps): void {
  const { store, policy, settings } = deps;

  router.get('/allocations/:consumer_uuid', async (call) => {
    checkAccept(call);
    policy.can(call.ctx, Rules.ALLOC_LIST);
    const lookups = new Lookups(store.db);
    const { consumer, rows } = await consumerAllocations(store.db, lookups, call.params['consumer_uuid']!);
    const allocations: Record<string, { resources: Record<string, number>; generation: number }> = {};
    for (const r of rows) {
      const entry = allocations[r.rpUuid] ?? { resources: {}, generation: r.rpGeneration };
      entry.resources[r.resourceClass] = r.used;
      allocations[r.rpUuid] = entry;
    }
    const body: Record<string, unknown> = { allocations };
    if (consumer && rows.length > 0 && call.version.atLeast('1.12')) {
      body['project_id'] = consumer.projectExternalId;
      body['user_id'] = consumer.userExternalId;
      if (call.version.atLeast('1.28')) body['consumer_generation'] = consumer.generation;
      if (call.version.atLeast('1.38')) body['consumer_type'] = await lookups.consumerTypeName(consumer.consumerTypeId);
    }
    cacheHeaders(call, lastModified(rows));
    sendJson(call, body);
  });

  router.get('/resource_providers/:uuid/allocations', async (call) => {
    checkAccept(call);
    policy.can(call.ctx, Rules.RP_ALLOC_LIST);
    const uuid = call.params['uuid']!;
    const rp = await providerOr404(store.db, uuid, (m) => `Resource provider '${uuid}' not found: ${m}`);
    const rows = await providerAllocations(store.db, new Lookups(store.db), rp.id);
    const allocations: Record<string, { resources: Record<string, number>; consumer_generation?: number }> = {};
    for (const r of rows) {
      const entry = allocations[r.consumerUuid] ?? { resources: {} };
      entry.resources[r.resourceClass] = r.used;
      if (call.version.atLeast('1.28')) entry.consumer_generation = r.consumerGeneration;
      allocations[r.consumerUuid] = entry;
    }
    cacheHeaders(call, lastModified(rows));
    sendJson(call, { allocations, resource_provider_generation: rp.generation });
  });

  router.put('/allocations/:consumer_uuid', async (call) => {
    const schema = byVersion(call.version, PUT_SCHEMAS)!;
    requireJson(call);
    policy.can(call.ctx, Rules.ALLOC_UPDATE);
    const raw = call.params['consumer_uuid']!;
    if (!isUuidLike(raw)) throw new HTTPBadRequest(`Malformed consumer_uuid: ${raw}`);
    const consumerUuid = canonicalUuid(raw);
    const data = extractJson<AllocationsBody | { allocations: Array<{ resource_provider: { uuid: string }; resources: Record<string, number> }> }>(call, schema);
    let body: AllocationsBody;
    if (Array.isArray(data.allocations)) {
      // Before 1.12 allocations are a list of providers.
      const { allocations: list, ...rest } = data as { allocations: Array<{ resource_provider: { uuid: string }; resources: Record<string, number> }> };
      body = { ...rest, allocations: Object.fromEntries(list.map((a) => [a.resource_provider.uuid, { resources: a.resources }])) };
    } else {
      body = data as AllocationsBody;
    }
    try {
      await writeAllocations(store, [consumerRequest(consumerUuid, body, settings)], writeRules(call, settings));
    } catch (err) {
      throw writeError(err, (m) => `Unable to allocate inventory for consumer ${consumerUuid}: ${m}`);
    }
    sendEmpty(call, 204);
  });

  router.post('/allocations', async (call) => {
    requireVersion(call, '1.13');
    requireJson(call);
    policy.can(call.ctx, Rules.ALLOC_MANAGE);
    const data = extractJson<Record<string, AllocationsBody>>(call, byVersion(call.version, POST_SCHEMAS)!);
    const requests = Object.entries(data).map(([uuid, body]) => consumerRequest(uuid, body, settings));
    try {
      await writeAllocations(store, requests, writeRules(call, settings));
    } catch (err) {
      throw writeError(err, (m) => `Unable to allocate inventory ${m}`);
    }
    sendEmpty(call, 204);
  });

  router.delete('/allocations/:consumer_uuid', async (call) => {
    policy.can(call.ctx, Rules.ALLOC_DELETE);
    await deleteConsumerAllocations(store, call.params['consumer_uuid']!);
    sendEmpty(call, 204);
  });
}
