/**
 * /v3/endpoints (keystone/api/endpoints.py). Endpoints show `region` (= region_id) for old
 * clients; giving `region` alone on create creates the region when missing.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { EndpointRecord } from '../catalog/backends/base.js';
import { authorize, authorizeMember, body, buildHints, filterValues, params, type ResourceDeps, requireMatchingId, schemas, wrapCollection, wrapMember } from './resource-common.js';

const endpointProperties = {
  enabled: { type: 'boolean' },
  interface: { type: 'string', enum: ['admin', 'internal', 'public'] },
  region_id: { type: ['string', 'null'] },
  region: { type: ['string', 'null'] },
  service_id: { type: 'string' },
  url: { type: 'string', minLength: 0, maxLength: 225, pattern: '^[a-zA-Z0-9+.-]+:.+' },
};
const createSchema = schemas.wrap('endpoint', {
  type: 'object', properties: endpointProperties, required: ['interface', 'service_id', 'url'], additionalProperties: true,
});
const updateSchema = schemas.wrap('endpoint', { type: 'object', properties: endpointProperties, minProperties: 1, additionalProperties: true });

const shown = (e: EndpointRecord): EndpointRecord => ({ ...e, region: e.region_id });

export function registerEndpointRoutes(app: FastifyInstance, deps: ResourceDeps): void {
  const m = deps.managers;

  app.get('/v3/endpoints', async (req) => {
    const filters = ['interface', 'service_id', 'region_id'];
    authorize(deps, req, 'identity:list_endpoints', { filters: filterValues(req, filters) });
    const hints = buildHints(req, filters, deps.config.catalog.list_limit);
    return wrapCollection(deps, req, 'endpoints', (await m.catalog.listEndpoints(hints)).map(shown), hints);
  });

  app.post('/v3/endpoints', { schema: { body: createSchema } }, async (req, reply) => {
    authorize(deps, req, 'identity:create_endpoint');
    reply.code(201);
    return wrapMember(deps, 'endpoints', 'endpoint', shown(await m.catalog.createEndpoint(body(req).endpoint as Record<string, unknown>)));
  });

  const loadEndpoint = (req: FastifyRequest) => () => m.catalog.getEndpoint(params(req).endpoint_id!);
  app.get('/v3/endpoints/:endpoint_id', async (req) => {
    await authorizeMember(deps, req, 'identity:get_endpoint', 'endpoint', loadEndpoint(req));
    return wrapMember(deps, 'endpoints', 'endpoint', shown(await m.catalog.getEndpoint(params(req).endpoint_id!)));
  });

  app.patch('/v3/endpoints/:endpoint_id', {
    schema: { body: updateSchema },
    preValidation: (req) => authorizeMember(deps, req, 'identity:update_endpoint', 'endpoint', loadEndpoint(req)),
  }, async (req) => {
    const changes = body(req).endpoint as Record<string, unknown>;
    requireMatchingId(changes, params(req).endpoint_id);
    return wrapMember(deps, 'endpoints', 'endpoint', shown(await m.catalog.updateEndpoint(params(req).endpoint_id!, changes)));
  });

  app.delete('/v3/endpoints/:endpoint_id', async (req, reply) => {
    await authorizeMember(deps, req, 'identity:delete_endpoint', 'endpoint', loadEndpoint(req));
    await m.catalog.deleteEndpoint(params(req).endpoint_id!);
    reply.code(204).send();
  });
}
