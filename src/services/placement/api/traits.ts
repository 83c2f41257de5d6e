/**
 * /traits, /traits/{name} and /resource_providers/{uuid}/traits (placement/handlers/trait.py,
 * from 1.6): list with `name=in:a,b` / `name=startswith:p` and `associated`, create (custom
 * only, 201 or 204 when it exists), show (204), delete; a provider's traits, replaced as a
 * whole under its generation.
 */
import { ConcurrentUpdateDetected, ErrorCode, HTTPBadRequest, HTTPConflict, HTTPNotFound, PlacementNotFound, TraitCannotDeleteStandard, TraitInUse } from '../errors.js';
import type { NamedRow } from '../objects/lookups.js';
import { Lookups } from '../objects/lookups.js';
import { changeProvider, getProvider } from '../objects/resource-providers.js';
import { createTrait, destroyTrait, listTraits, providerTraits, setProviderTraits, type TraitFilters } from '../objects/traits.js';
import { Rules } from '../policies/index.js';
import type { ApiDeps } from './deps.js';
import { validationError } from './jsonschema.js';
import {
  cacheHeaders, type Call, checkAccept, extractJson, lastModified, requireJson, requireVersion, sendEmpty, sendJson, setLocation, validateQuery,
} from './request.js';
import type { Router } from './router.js';
import { providerOr404 } from './resource-providers.js';
import * as schemas from './schemas.js';

function nameFilter(qs: string): TraitFilters {
  const i = qs.indexOf(':');
  if (i === -1) {
    throw new HTTPBadRequest(`Badly formatted name parameter. Expected name query string parameter in form: ?name=[in|startswith]:[name1,name2|prefix]. Got: "${qs}"`);
  }
  const op = qs.slice(0, i);
  const value = qs.slice(i + 1);
  if (op === 'in') return { nameIn: value.split(',') };
  if (op === 'startswith') return { prefix: value };
  return {};
}

function sendTraits(call: Call, traits: readonly NamedRow[], extra: Record<string, unknown> = {}): void {
  cacheHeaders(call, lastModified(traits));
  sendJson(call, { traits: traits.map((t) => t.name), ...extra });
}

export function traitRoutes(router: Router, deps: ApiDeps): void {
  const { store, policy } = deps;

  router.get('/traits', async (call) => {
    requireVersion(call, '1.6');
    checkAccept(call);
    policy.can(call.ctx, Rules.TRAITS_LIST);
    validateQuery(call, schemas.LIST_TRAITS);
    let filters: TraitFilters = {};
    const name = call.query.get('name');
    if (name !== undefined) filters = nameFilter(name);
    const associated = call.query.get('associated');
    if (associated !== undefined) {
      const a = associated.toLowerCase();
      if (a !== 'true' && a !== 'false') throw new HTTPBadRequest('The query parameter "associated" only accepts "true" or "false"');
      filters.associated = a === 'true';
    }
    sendTraits(call, await listTraits(store.db, filters));
  });

  router.put('/traits/:name', async (call) => {
    requireVersion(call, '1.6');
    policy.can(call.ctx, Rules.TRAITS_UPDATE);
    const name = call.params['name']!;
    if (validationError(schemas.CUSTOM_TRAIT, name) !== undefined) {
      throw new HTTPBadRequest(
        'The trait is invalid. A valid trait must be no longer than 255 characters, start with the prefix "CUSTOM_" and use following characters: "A"-"Z", "0"-"9" and "_"',
      );
    }
    const lookups = new Lookups(store.db);
    let status = 204;
    let created: string | null = null;
    try {
      created = (await lookups.trait(name)).created_at;
    } catch (err) {
      if (!(err instanceof PlacementNotFound)) throw err;
      if (await createTrait(store.db, name)) {
        status = 201;
        created = (await lookups.trait(name)).created_at;
      }
    }
    setLocation(call, `/traits/${name}`);
    if (call.version.atLeast('1.15')) cacheHeaders(call, created ? new Date(created) : new Date());
    sendEmpty(call, status);
  });

  router.get('/traits/:name', async (call) => {
    requireVersion(call, '1.6');
    policy.can(call.ctx, Rules.TRAITS_SHOW);
    let trait: NamedRow;
    try {
      trait = await new Lookups(store.db).trait(call.params['name']!);
    } catch (err) {
      if (err instanceof PlacementNotFound) throw new HTTPNotFound(err.message);
      throw err;
    }
    cacheHeaders(call, lastModified([{ created_at: trait.created_at, updated_at: null }]));
    sendEmpty(call, 204);
  });

  router.delete('/traits/:name', async (call) => {
    requireVersion(call, '1.6');
    policy.can(call.ctx, Rules.TRAITS_DELETE);
    try {
      await store.write(async (tx) => destroyTrait(tx, await new Lookups(tx).trait(call.params['name']!)));
    } catch (err) {
      if (err instanceof PlacementNotFound) throw new HTTPNotFound(err.message);
      if (err instanceof TraitCannotDeleteStandard) throw new HTTPBadRequest(err.message);
      if (err instanceof TraitInUse) throw new HTTPConflict(err.message);
      throw err;
    }
    sendEmpty(call, 204);
  });

  const rpPath = '/resource_providers/:uuid/traits';

  router.get(rpPath, async (call) => {
    requireVersion(call, '1.6');
    checkAccept(call);
    policy.can(call.ctx, Rules.RP_TRAIT_LIST);
    const uuid = call.params['uuid']!;
    const rp = await providerOr404(store.db, uuid, (m) => `No resource provider with uuid ${uuid} found: ${m}`);
    sendTraits(call, await providerTraits(store.db, rp.id), { resource_provider_generation: rp.generation });
  });

  router.put(rpPath, async (call) => {
    requireVersion(call, '1.6');
    requireJson(call);
    policy.can(call.ctx, Rules.RP_TRAIT_UPDATE);
    const data = extractJson<{ traits: string[]; resource_provider_generation: number }>(call, schemas.SET_TRAITS_FOR_RP);
    const rp = await getProvider(store.db, call.params['uuid']!);
    if (rp.generation !== data.resource_provider_generation) {
      throw new HTTPConflict("Resource provider's generation already changed. Please update the generation and try again.", ErrorCode.CONCURRENT_UPDATE);
    }
    const known = await listTraits(store.db, { nameIn: data.traits });
    const names = new Set(known.map((t) => t.name));
    const missing = [...new Set(data.traits)].filter((t) => !names.has(t));
    if (missing.length > 0) throw new HTTPBadRequest(`No such trait ${missing.join(', ')}`);
    try {
      await changeProvider(store, rp, (tx, p) => setProviderTraits(tx, p, known.map((t) => t.id)));
    } catch (err) {
      if (err instanceof ConcurrentUpdateDetected) throw new HTTPConflict(err.message, ErrorCode.CONCURRENT_UPDATE);
      throw err;
    }
    sendTraits(call, known, { resource_provider_generation: rp.generation });
  });

  router.delete(rpPath, async (call) => {
    requireVersion(call, '1.6');
    policy.can(call.ctx, Rules.RP_TRAIT_DELETE);
    const rp = await getProvider(store.db, call.params['uuid']!);
    try {
      await changeProvider(store, rp, (tx, p) => setProviderTraits(tx, p, []));
    } catch (err) {
      if (err instanceof ConcurrentUpdateDetected) throw new HTTPConflict(err.message, ErrorCode.CONCURRENT_UPDATE);
      throw err;
    }
    sendEmpty(call, 204);
  });
}
