/** /v3/services (keystone/api/services.py). */
import type { FastifyInstance } from 'fastify';
import { authorize, body, buildHints, filterValues, params, type ResourceDeps, requireMatchingId, schemas, wrapCollection, wrapMember } from './resource-common.js';

const serviceProperties = {
  description: schemas.description,
  enabled: { type: 'boolean' },
  type: { type: 'string', minLength: 1, maxLength: 255 },
  name: { type: 'string', minLength: 1, maxLength: 255 },
};
const createSchema = schemas.wrap('service', { type: 'object', properties: serviceProperties, required: ['type'], additionalProperties: true });
const updateSchema = schemas.wrap('service', { type: 'object', properties: serviceProperties, minProperties: 1, additionalProperties: true });

export function registerServiceRoutes(app: FastifyInstance, deps: ResourceDeps): void {
  const m = deps.managers;

  app.get('/v3/services', async (req) => {
    const filters = ['type', 'name'];
    authorize(deps, req, 'identity:list_services', { filters: filterValues(req, filters) });
    const hints = buildHints(req, filters, deps.config.catalog.list_limit);
    return wrapCollection(deps, req, 'services', await m.catalog.listServices(hints), hints);
  });

  app.post('/v3/services', { schema: { body: createSchema } }, async (req, reply) => {
    authorize(deps, req, 'identity:create_service');
    reply.code(201);
    return wrapMember(deps, 'services', 'service', await m.catalog.createService(body(req).service as Record<string, unknown>));
  });

  app.get('/v3/services/:service_id', async (req) => {
    authorize(deps, req, 'identity:get_service');
    return wrapMember(deps, 'services', 'service', await m.catalog.getService(params(req).service_id!));
  });

  app.patch('/v3/services/:service_id', {
    schema: { body: updateSchema },
    // Upstream enforces before it validates the body.
    preValidation: async (req) => { authorize(deps, req, 'identity:update_service'); },
  }, async (req) => {
    const changes = body(req).service as Record<string, unknown>;
    requireMatchingId(changes, params(req).service_id);
    return wrapMember(deps, 'services', 'service', await m.catalog.updateService(params(req).service_id!, changes));
  });

  app.delete('/v3/services/:service_id', async (req, reply) => {
    authorize(deps, req, 'identity:delete_service');
    await m.catalog.deleteService(params(req).service_id!);
    reply.code(204).send();
  });
}
