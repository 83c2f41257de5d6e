/**
 * os-aggregates (nova/api/openstack/compute/aggregates.py): list, create, show, update and
 * delete host aggregates, the add_host, remove_host and set_metadata actions, and from 2.81 the
 * image pre-caching (POST .../images, 202). Admin only by default; 200 for every other answer,
 * as upstream keeps for compatibility.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BadRequest, Conflict, NotFound } from '../../../common/errors.js';
import type { AggregateRecord } from '../db/aggregates.js';
import { AggregateHostNotFound, AggregateNotFound, ComputeHostNotFound, InvalidAggregateAction, NovaException } from '../errors.js';
import { integerId } from './admin-ids.js';
import type { ApiDeps } from './deps.js';
import { caller, type Caller } from './request.js';
import { aggregateHostSchema, aggregateImagesSchema, createAggregateSchema, setMetadataSchema, updateAggregateSchema } from './schemas/aggregates.js';
import { CREATE_AGGREGATE_V20, UPDATE_AGGREGATE_V20 } from './schemas/legacy-v20.js';
import { validateBody } from './validation.js';
import { requireVersion } from './version-gate.js';
import { aggregateView } from './views/aggregates.js';

const rule = (name: string): string => `os_compute_api:os-aggregates:${name}`;

/** The caller, once the policy allows `action` (target {} as upstream). */
function allowed(req: FastifyRequest, deps: ApiDeps, action: string): Caller {
  const c = caller(req, deps);
  deps.policy.can(c.ctx, rule(action), {});
  return c;
}

/** The aggregate id of the path. @throws BadRequest when not an integer, AggregateNotFound when no row can have it */
function aggregateId(raw: string): number {
  const id = integerId(raw);
  if (id === null) throw new AggregateNotFound(raw);
  return id;
}

type Action = (deps: ApiDeps, c: Caller, rawId: string, body: unknown) => Promise<AggregateRecord>;

/**
 * add_host / remove_host: the host of the body, once the policy allows; an aggregate action
 * the zones forbid is a 409; remove_host words every 404 the same way, as upstream.
 */
function hostAction(name: 'add_host' | 'remove_host', run: (deps: ApiDeps, c: Caller, id: number, host: string) => Promise<AggregateRecord>): Action {
  return async (deps, c, rawId, body) => {
    const { host } = validateBody<{ host: string }>(aggregateHostSchema, body);
    deps.policy.can(c.ctx, rule(name), {});
    try {
      return await run(deps, c, aggregateId(rawId), host);
    } catch (err) {
      if (err instanceof InvalidAggregateAction) throw new Conflict(err.message);
      if (name === 'remove_host' && (err instanceof AggregateNotFound || err instanceof AggregateHostNotFound || err instanceof ComputeHostNotFound)) {
        throw new NotFound(`Cannot remove host ${host} in aggregate ${rawId}`);
      }
      throw err;
    }
  };
}

const ACTIONS: Readonly<Record<string, Action>> = {
  add_host: hostAction('add_host', (deps, c, id, host) => deps.aggregates.addHost(c.ctx, id, host)),
  remove_host: hostAction('remove_host', (deps, c, id, host) => deps.aggregates.removeHost(c.ctx, id, host)),
  async set_metadata(deps, c, rawId, body) {
    const { metadata } = validateBody<{ metadata: Record<string, string | null> }>(setMetadataSchema, body);
    deps.policy.can(c.ctx, rule('set_metadata'), {});
    return deps.aggregates.setMetadata(c.ctx, aggregateId(rawId), metadata);
  },
};

export function aggregatesRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/os-aggregates', async (req) => {
    const c = allowed(req, deps, 'index');
    return { aggregates: (await deps.aggregates.list()).map((a) => aggregateView(a, c.version)) };
  });

  app.post('/os-aggregates', async (req) => {
    const c = allowed(req, deps, 'create');
    const { aggregate } = validateBody<{ aggregate: { name: string; availability_zone?: string | null } }>(createAggregateSchema, req.body, CREATE_AGGREGATE_V20);
    const created = await deps.aggregates.create(c.ctx, aggregate.name.trim(), aggregate.availability_zone?.trim() || null);
    return { aggregate: aggregateView(created, c.version, { created: true }) };
  });

  app.get<{ Params: { id: string } }>('/os-aggregates/:id', async (req) => {
    const c = allowed(req, deps, 'show');
    return { aggregate: aggregateView(await deps.aggregates.get(aggregateId(req.params.id)), c.version) };
  });

  app.put<{ Params: { id: string } }>('/os-aggregates/:id', async (req) => {
    const c = allowed(req, deps, 'update');
    const { aggregate } = validateBody<{ aggregate: { name?: string; availability_zone?: string | null } }>(updateAggregateSchema, req.body, UPDATE_AGGREGATE_V20);
    const values = { ...aggregate, ...(aggregate.name !== undefined ? { name: aggregate.name.trim() } : {}) };
    return { aggregate: aggregateView(await deps.aggregates.update(c.ctx, aggregateId(req.params.id), values), c.version) };
  });

  app.delete<{ Params: { id: string } }>('/os-aggregates/:id', async (req, reply) => {
    const c = allowed(req, deps, 'delete');
    await deps.aggregates.delete(c.ctx, aggregateId(req.params.id));
    return reply.code(200).send();
  });

  // 2.81: the aggregate's hosts pre-cache images (202 at once; the conductor does the work).
  app.post<{ Params: { id: string } }>('/os-aggregates/:id/images', async (req, reply) => {
    const c = caller(req, deps);
    requireVersion(c, '2.81');
    const { cache } = validateBody<{ cache: Array<{ id: string }> }>(aggregateImagesSchema, req.body);
    deps.policy.can(c.ctx, 'compute:aggregates:images', {});
    const id = integerId(req.params.id);
    const imageIds = cache.map((i) => i.id);
    if (new Set(imageIds).size !== imageIds.length) throw new BadRequest('Duplicate images in request');
    if (id === null) throw new AggregateNotFound(req.params.id);
    try {
      await deps.aggregates.cacheImages(c.ctx, id, imageIds);
    } catch (err) {
      // nova answers any NovaException of the conductor API (a missing image, say) with a 400
      if (err instanceof NovaException && !(err instanceof AggregateNotFound)) throw new BadRequest(err.message);
      throw err;
    }
    return reply.code(202).send();
  });

  app.post<{ Params: { id: string } }>('/os-aggregates/:id/action', async (req) => {
    const body = req.body;
    if (!body || typeof body !== 'object' || Array.isArray(body) || Object.keys(body).length === 0) throw new BadRequest('Malformed request body');
    const name = Object.keys(body)[0]!;
    const action = Object.hasOwn(ACTIONS, name) ? ACTIONS[name] : undefined;
    if (!action) throw new BadRequest(`There is no such action: ${name}`);
    if (Object.keys(body).length > 1) throw new BadRequest(`Invalid input for field/attribute ${name}. Additional properties are not allowed`);
    const c = caller(req, deps);
    const agg = await action(deps, c, req.params.id, (body as Record<string, unknown>)[name]);
    return { aggregate: aggregateView(agg, c.version) };
  });
}
