/**
 * /resource_providers and /resource_providers/{uuid} (placement/handlers/resource_provider.py):
 * create (201 without body before 1.20, 200 with the provider from it), show, list with the
 * filters of each microversion, rename and re-parent, delete. Provider views gain links with
 * the microversions (aggregates 1.1, traits 1.6, allocations 1.11) and the tree uuids (1.14).
 */
import { randomUUID } from 'node:crypto';
import { ErrorCode, DuplicateEntry, HTTPBadRequest, HTTPConflict, HTTPNotFound, ObjectActionError, PlacementNotFound, ResourceClassNotFound, TraitNotFound, ResourceProviderInUse, CannotDeleteParentResourceProvider } from '../errors.js';
import type { Queryable } from '../../../common/db/index.js';
import type { PlacementDB } from '../db/schema.js';
import { Lookups } from '../objects/lookups.js';
import {
  createProvider, destroyProvider, getProvider, listProviders, type ProviderFilters, type ResourceProvider, updateProvider,
} from '../objects/resource-providers.js';
import { Rules } from '../policies/index.js';
import type { ApiDeps } from './deps.js';
import { parseMemberOfParams, parseResources, parseTraitsParams } from './query-params.js';
import {
  apiPath, cacheHeaders, type Call, checkAccept, extractJson, lastModified, requireJson, sendEmpty, sendJson, setLocation, validateQuery,
} from './request.js';
import type { Router } from './router.js';
import * as schemas from './schemas.js';
import { canonicalUuid } from './uuids.js';

export function providerPath(uuid: string): string {
  return `/resource_providers/${uuid}`;
}

function links(call: Call, rp: ResourceProvider): Array<{ rel: string; href: string }> {
  const url = apiPath(call, providerPath(rp.uuid));
  const rels = ['inventories', 'usages'];
  if (call.version.atLeast('1.1')) rels.push('aggregates');
  if (call.version.atLeast('1.6')) rels.push('traits');
  if (call.version.atLeast('1.11')) rels.push('allocations');
  return [{ rel: 'self', href: url }, ...rels.map((rel) => ({ rel, href: `${url}/${rel}` }))];
}

/** The provider, or 404 in the words of the handler asking (`No resource provider with uuid X found` is appended). */
export async function providerOr404(db: Queryable<PlacementDB>, uuid: string, words: (found: string) => string): Promise<ResourceProvider> {
  try {
    return await getProvider(db, uuid);
  } catch (err) {
    if (err instanceof PlacementNotFound) throw new HTTPNotFound(words(err.message));
    throw err;
  }
}

export function providerView(call: Call, rp: ResourceProvider): Record<string, unknown> {
  const view: Record<string, unknown> = { uuid: rp.uuid, name: rp.name, generation: rp.generation, links: links(call, rp) };
  if (call.version.atLeast('1.14')) {
    view['parent_provider_uuid'] = rp.parent_provider_uuid;
    view['root_provider_uuid'] = rp.root_provider_uuid;
  }
  return view;
}

export function resourceProviderRoutes(router: Router, deps: ApiDeps): void {
  const { store, policy } = deps;

  router.post('/resource_providers', async (call) => {
    requireJson(call);
    policy.can(call.ctx, Rules.RP_CREATE);
    const data = extractJson<{ name: string; uuid?: string; parent_provider_uuid?: string | null }>(
      call, call.version.atLeast('1.14') ? schemas.POST_RP_1_14 : schemas.POST_RESOURCE_PROVIDER,
    );
    const uuid = data.uuid ? canonicalUuid(data.uuid) : randomUUID();
    let rp: ResourceProvider;
    try {
      rp = await store.write((tx) => createProvider(tx, uuid, data.name, data.parent_provider_uuid ?? null));
    } catch (err) {
      if (err instanceof DuplicateEntry) {
        const dups = err.columns.map((c) => (c === 'name' ? `name: ${data.name}` : `uuid: ${uuid}`)).join(', ');
        throw new HTTPConflict(`Conflicting resource provider ${dups} already exists.`, ErrorCode.DUPLICATE_NAME);
      }
      if (err instanceof ObjectActionError) throw new HTTPBadRequest(`Unable to create resource provider "${data.name}", ${uuid}: ${err.message}`);
      throw err;
    }
    setLocation(call, providerPath(uuid));
    if (!call.version.atLeast('1.20')) return sendEmpty(call, 201);
    call.reply.header('cache-control', 'no-cache').header('last-modified', lastModified([rp]).toUTCString());
    return sendJson(call, providerView(call, rp));
  });

  router.get('/resource_providers', async (call) => {
    checkAccept(call);
    policy.can(call.ctx, Rules.RP_LIST);
    const v = call.version;
    validateQuery(call, v.atLeast('1.18') ? schemas.GET_RPS_1_18 : v.atLeast('1.14') ? schemas.GET_RPS_1_14 : v.atLeast('1.4')
      ? schemas.GET_RPS_1_4 : v.atLeast('1.3') ? schemas.GET_RPS_1_3 : schemas.GET_RPS_1_0);
    const q = call.query;
    const filters: ProviderFilters = {};
    if (q.has('member_of')) {
      const m = parseMemberOfParams(q, v);
      filters.memberOf = m.memberOf;
      filters.forbiddenAggs = m.forbidden;
    }
    if (q.has('required')) {
      const t = parseTraitsParams(q, v);
      filters.requiredTraits = t.required;
      filters.forbiddenTraits = t.forbidden;
    }
    if (q.has('uuid')) filters.uuid = q.get('uuid')!;
    if (q.has('name')) filters.name = q.get('name')!;
    if (q.has('in_tree')) filters.inTree = q.get('in_tree')!;
    if (q.has('resources')) filters.resources = parseResources(q.get('resources')!);
    let rps: ResourceProvider[];
    try {
      rps = await listProviders(store.db, new Lookups(store.db), filters);
    } catch (err) {
      if (err instanceof ResourceClassNotFound) throw new HTTPBadRequest(`Invalid resource class in resources parameter: ${err.message}`);
      if (err instanceof TraitNotFound) throw new HTTPBadRequest(`Invalid trait(s) in "required" parameter: ${err.message}`);
      throw err;
    }
    cacheHeaders(call, lastModified(rps));
    return sendJson(call, { resource_providers: rps.map((rp) => providerView(call, rp)) });
  });

  router.get('/resource_providers/:uuid', async (call) => {
    checkAccept(call);
    policy.can(call.ctx, Rules.RP_SHOW);
    const rp = await getProvider(store.db, call.params['uuid']!);
    cacheHeaders(call, lastModified([rp]));
    return sendJson(call, providerView(call, rp));
  });

  router.put('/resource_providers/:uuid', async (call) => {
    requireJson(call);
    policy.can(call.ctx, Rules.RP_UPDATE);
    const uuid = call.params['uuid']!;
    const current = await getProvider(store.db, uuid);
    const data = extractJson<{ name: string; parent_provider_uuid?: string | null }>(
      call, call.version.atLeast('1.14') ? schemas.PUT_RP_1_14 : schemas.PUT_RESOURCE_PROVIDER,
    );
    const parent = 'parent_provider_uuid' in data ? data.parent_provider_uuid ?? null : current.parent_provider_uuid;
    let rp: ResourceProvider;
    try {
      rp = await store.write((tx) => updateProvider(tx, current, data.name, parent, call.version.atLeast('1.37')));
    } catch (err) {
      if (err instanceof DuplicateEntry) throw new HTTPConflict(`Conflicting resource provider ${data.name} already exists.`, ErrorCode.DUPLICATE_NAME);
      if (err instanceof ObjectActionError) throw new HTTPBadRequest(`Unable to save resource provider ${uuid}: ${err.message}`);
      throw err;
    }
    if (call.version.atLeast('1.15')) cacheHeaders(call, lastModified([rp]));
    return sendJson(call, providerView(call, rp));
  });

  router.delete('/resource_providers/:uuid', async (call) => {
    policy.can(call.ctx, Rules.RP_DELETE);
    const uuid = call.params['uuid']!;
    try {
      await store.write(async (tx) => destroyProvider(tx, await getProvider(tx, uuid)));
    } catch (err) {
      if (err instanceof ResourceProviderInUse) {
        throw new HTTPConflict(`Unable to delete resource provider ${uuid}: ${err.message}`, ErrorCode.PROVIDER_IN_USE);
      }
      if (err instanceof CannotDeleteParentResourceProvider) {
        throw new HTTPConflict(`Unable to delete parent resource provider ${uuid}: It has child resource providers.`, ErrorCode.PROVIDER_CANNOT_DELETE_PARENT);
      }
      if (err instanceof PlacementNotFound) throw new HTTPNotFound(`No resource provider with uuid ${uuid} found for delete`);
      throw err;
    }
    return sendEmpty(call, 204);
  });
}
