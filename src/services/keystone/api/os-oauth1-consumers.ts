/**
 * /v3/OS-OAUTH1/consumers (keystone/api/os_oauth1.py ConsumerResource): consumer CRUD. The
 * OAuth1 request-token / access-token endpoints are not implemented.
 */
import type { FastifyInstance } from 'fastify';
import { authorize, body, params, type ResourceDeps, requireMatchingId, schemas, wrapCollection, wrapMember } from './resource-common.js';

const createSchema = {
  type: 'object',
  properties: { consumer: { type: 'object', properties: { description: schemas.description }, additionalProperties: true } },
  required: ['consumer'],
  additionalProperties: false,
};
const updateSchema = {
  type: 'object',
  properties: {
    consumer: { type: 'object', properties: { description: schemas.description }, not: { required: ['secret'] }, minProperties: 1, additionalProperties: true },
  },
  required: ['consumer'],
  additionalProperties: false,
};

export function registerConsumerRoutes(app: FastifyInstance, deps: ResourceDeps): void {
  const m = deps.managers;
  const collection = 'OS-OAUTH1/consumers';

  app.get('/v3/OS-OAUTH1/consumers', async (req) => {
    authorize(deps, req, 'identity:list_consumers');
    return wrapCollection(deps, req, collection, await m.consumers.listConsumers(), undefined, { key: 'consumers' });
  });

  app.post('/v3/OS-OAUTH1/consumers', { schema: { body: createSchema } }, async (req, reply) => {
    authorize(deps, req, 'identity:create_consumer');
    reply.code(201);
    return wrapMember(deps, collection, 'consumer', await m.consumers.createConsumer(body(req).consumer as Record<string, unknown>));
  });

  app.get('/v3/OS-OAUTH1/consumers/:consumer_id', async (req) => {
    authorize(deps, req, 'identity:get_consumer');
    return wrapMember(deps, collection, 'consumer', await m.consumers.getConsumer(params(req).consumer_id!));
  });

  app.patch('/v3/OS-OAUTH1/consumers/:consumer_id', {
    schema: { body: updateSchema },
    // Upstream enforces before it validates the body.
    preValidation: async (req) => { authorize(deps, req, 'identity:update_consumer'); },
  }, async (req) => {
    const changes = body(req).consumer as Record<string, unknown>;
    requireMatchingId(changes, params(req).consumer_id);
    return wrapMember(deps, collection, 'consumer', await m.consumers.updateConsumer(params(req).consumer_id!, changes));
  });

  app.delete('/v3/OS-OAUTH1/consumers/:consumer_id', async (req, reply) => {
    authorize(deps, req, 'identity:delete_consumer');
    await m.consumers.deleteConsumer(params(req).consumer_id!);
    reply.code(204).send();
  });
}
