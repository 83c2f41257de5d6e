/** /v3/regions (keystone/api/regions.py): a tree through parent_region_id; ids may be chosen. */
import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../errors.js';
import { authorize, body, buildHints, filterValues, params, type ResourceDeps, requireMatchingId, schemas, wrapCollection, wrapMember } from './resource-common.js';

const regionId = { type: ['string', 'null'], minLength: 1, maxLength: 255 };
const createSchema = {
  type: 'object',
  properties: {
    region: {
      type: 'object',
      properties: { description: schemas.description, id: { ...regionId, minLength: 0 }, parent_region_id: regionId },
      additionalProperties: true,
    },
  },
  required: ['region'],
  additionalProperties: false,
};
const updateSchema = schemas.wrap('region', {
  type: 'object', properties: { description: schemas.description, id: regionId, parent_region_id: regionId }, minProperties: 1, additionalProperties: true,
});

export function registerRegionRoutes(app: FastifyInstance, deps: ResourceDeps): void {
  const m = deps.managers;

  app.get('/v3/regions', async (req) => {
    const filters = ['parent_region_id'];
    authorize(deps, req, 'identity:list_regions', { filters: filterValues(req, filters) });
    const hints = buildHints(req, filters, deps.config.catalog.list_limit);
    return wrapCollection(deps, req, 'regions', await m.catalog.listRegions(hints), hints);
  });

  app.post('/v3/regions', { schema: { body: createSchema } }, async (req, reply) => {
    authorize(deps, req, 'identity:create_region');
    const region = { ...(body(req).region as Record<string, unknown>) };
    if (!region.id) delete region.id;
    reply.code(201);
    return wrapMember(deps, 'regions', 'region', await m.catalog.createRegion(region));
  });

  app.get('/v3/regions/:region_id', async (req) => {
    authorize(deps, req, 'identity:get_region');
    return wrapMember(deps, 'regions', 'region', await m.catalog.getRegion(params(req).region_id!));
  });

  app.put('/v3/regions/:region_id', { schema: { body: createSchema } }, async (req, reply) => {
    authorize(deps, req, 'identity:create_region');
    const region = { ...(body(req).region as Record<string, unknown>) };
    const pathId = params(req).region_id!;
    if (!('id' in region)) region.id = pathId;
    else if (region.id !== pathId) throw new ValidationError(`Conflicting region IDs specified: "${pathId}" != "${String(region.id)}"`);
    reply.code(201);
    return wrapMember(deps, 'regions', 'region', await m.catalog.createRegion(region));
  });

  app.patch('/v3/regions/:region_id', {
    schema: { body: updateSchema },
    // Upstream enforces before it validates the body.
    preValidation: async (req) => { authorize(deps, req, 'identity:update_region'); },
  }, async (req) => {
    const changes = body(req).region as Record<string, unknown>;
    requireMatchingId(changes, params(req).region_id);
    return wrapMember(deps, 'regions', 'region', await m.catalog.updateRegion(params(req).region_id!, changes));
  });

  app.delete('/v3/regions/:region_id', async (req, reply) => {
    authorize(deps, req, 'identity:delete_region');
    await m.catalog.deleteRegion(params(req).region_id!);
    reply.code(204).send();
  });
}
