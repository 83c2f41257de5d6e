/**
 * The flavors resource (nova/api/openstack/compute/flavors.py and flavor_manage.py): list
 * (GET /flavors, /flavors/detail) with minRam, minDisk, is_public (admins only), sorting and
 * paging; show; and for admins create (200), update of the description (2.55) and delete (202).
 * A non-admin sees the public flavors and the private ones shared with its project.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BadRequest } from '../../../common/errors.js';
import { FLAVOR_SORT_KEYS, type FlavorListQuery, type FlavorSortKey } from '../db/flavors.js';
import { FlavorNotFound, MarkerNotFound, NotFound } from '../errors.js';
import type { ApiDeps } from './deps.js';
import { checkEnumParam, lastParam, limitAndMarker, rejectUnknownParams, strictBool, type RawQuery } from './list-params.js';
import { caller, getFlavor, type Caller } from './request.js';
import { createFlavorSchema, updateFlavorSchema } from './schemas/flavors.js';
import { CREATE_FLAVOR_V20 } from './schemas/legacy-v20.js';
import { validateBody } from './validation.js';
import { flavorBasicView, flavorListView, flavorView, type FlavorViewOptions } from './views/flavors.js';

const manage = (name: string): string => `os_compute_api:os-flavor-manage:${name}`;
const LIST_PARAMS = ['limit', 'marker', 'is_public', 'minRam', 'minDisk', 'sort_key', 'sort_dir'];

interface CreateBody {
  flavor: {
    name: string; id?: string | number | null; ram: number | string; vcpus: number | string; disk: number | string;
    'OS-FLV-EXT-DATA:ephemeral'?: number | string; swap?: number | string; rxtx_factor?: number | string;
    'os-flavor-access:is_public'?: boolean | string; description?: string | null;
  };
}

/** The view options of this caller: extra specs from 2.61 when os-flavor-extra-specs:index allows. */
export function flavorViewOptions(deps: ApiDeps, c: Caller): FlavorViewOptions {
  const includeExtraSpecs = c.version.atLeast('2.61')
    && deps.policy.check(c.ctx, 'os_compute_api:os-flavor-extra-specs:index', { project_id: c.ctx.projectId ?? null });
  return { version: c.version, links: deps.links, includeExtraSpecs };
}

/** An int() of Python for a filter. @throws BadRequest */
function intFilter(name: string, raw: string): number {
  if (!/^\s*[+-]?\d+\s*$/.test(raw) || !Number.isSafeInteger(Number(raw))) throw new BadRequest(`Invalid ${name} filter [${raw}]`);
  return Number(raw);
}

/** FlavorsController._get_flavors. */
function listQuery(q: RawQuery, deps: ApiDeps, c: Caller): FlavorListQuery {
  if (c.version.atLeast('2.75')) rejectUnknownParams(q, LIST_PARAMS);
  checkEnumParam(q, 'sort_key', FLAVOR_SORT_KEYS);
  checkEnumParam(q, 'sort_dir', ['asc', 'desc']);
  const { limit, marker } = limitAndMarker(q, deps.settings.maxLimit);
  const query: FlavorListQuery = {
    isPublic: true, projectId: c.ctx.projectId ?? null, limit, ...(marker !== undefined ? { marker } : {}),
    sortKey: (lastParam(q, 'sort_key') || 'flavorid') as FlavorSortKey,
    sortDir: (lastParam(q, 'sort_dir') || 'asc') as 'asc' | 'desc',
  };
  if (c.isAdmin) {
    // Only admins choose which flavors they see: public (default), private, or 'none' for all.
    const isPublic = lastParam(q, 'is_public');
    if (isPublic !== undefined) {
      if (isPublic.toLowerCase() === 'none') query.isPublic = null;
      else {
        const b = strictBool(isPublic);
        if (b === undefined) throw new BadRequest(`Invalid is_public filter [${isPublic}]`);
        query.isPublic = b;
      }
    }
  } else {
    query.disabled = false;
  }
  const minRam = lastParam(q, 'minRam');
  if (minRam !== undefined) query.minMemoryMb = intFilter('minRam', minRam);
  const minDisk = lastParam(q, 'minDisk');
  if (minDisk !== undefined) query.minRootGb = intFilter('minDisk', minDisk);
  return query;
}

async function listFlavors(req: FastifyRequest, deps: ApiDeps, detail: boolean): Promise<unknown> {
  const c = caller(req, deps);
  const q = req.query as RawQuery;
  const query = listQuery(q, deps, c);
  let flavors;
  try {
    // The marker is looked up as the caller sees flavors: another project's private one is not found.
    if (query.marker !== undefined && !c.isAdmin) {
      await getFlavor(deps, c, query.marker).catch((err: unknown) => { throw err instanceof FlavorNotFound ? new MarkerNotFound(query.marker!) : err; });
    }
    flavors = await deps.repos.flavors.list(query);
  } catch (err) {
    if (err instanceof MarkerNotFound) throw new BadRequest(`marker [${query.marker}] not found`);
    throw err;
  }
  const opts = flavorViewOptions(deps, c);
  const collection = detail ? 'flavors/detail' : 'flavors';
  const next = query.limit > 0 && flavors.length === query.limit ? deps.links.next(collection, q, flavors.at(-1)!.data.flavorid) : undefined;
  return flavorListView(flavors, (f) => (detail ? flavorView(f, opts) : flavorBasicView(f, opts)), next);
}

export function flavorsRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/flavors', (req) => listFlavors(req, deps, false));
  app.get('/flavors/detail', (req) => listFlavors(req, deps, true));

  app.get<{ Params: { id: string } }>('/flavors/:id', async (req) => {
    const c = caller(req, deps);
    const flavor = await getFlavor(deps, c, req.params.id);
    return { flavor: flavorView(flavor, flavorViewOptions(deps, c)) };
  });

  app.post('/flavors', async (req) => {
    const c = caller(req, deps);
    const body = validateBody<CreateBody>(createFlavorSchema(c.version), req.body, CREATE_FLAVOR_V20);
    deps.policy.can(c.ctx, manage('create'), {});
    const f = body.flavor;
    const flavor = await deps.flavors.create(c.ctx, {
      name: f.name.trim(), id: f.id, ram: f.ram, vcpus: f.vcpus, disk: f.disk, ephemeral: f['OS-FLV-EXT-DATA:ephemeral'], swap: f.swap,
      rxtxFactor: f.rxtx_factor, isPublic: f['os-flavor-access:is_public'], description: c.version.atLeast('2.55') ? f.description ?? null : null,
    });
    return { flavor: flavorView(flavor, flavorViewOptions(deps, c)) };
  });

  app.put<{ Params: { id: string } }>('/flavors/:id', async (req) => {
    const c = caller(req, deps);
    // Before 2.55 there is no update: nova's router answers 404 for the version.
    if (!c.version.atLeast('2.55')) throw new NotFound('The resource could not be found.');
    const body = validateBody<{ flavor: { description: string | null } }>(updateFlavorSchema, req.body);
    deps.policy.can(c.ctx, manage('update'), {});
    const flavor = await deps.flavors.updateDescription(c.ctx, req.params.id, body.flavor.description);
    return { flavor: flavorView(flavor, flavorViewOptions(deps, c)) };
  });

  app.delete<{ Params: { id: string } }>('/flavors/:id', async (req, reply) => {
    const c = caller(req, deps);
    deps.policy.can(c.ctx, manage('delete'), {});
    await deps.flavors.destroy(c.ctx, req.params.id);
    return reply.code(202).send();
  });
}
