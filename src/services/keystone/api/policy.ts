/** /v3/policies (keystone/api/policy.py): stored policy blobs. */
import type { FastifyInstance } from 'fastify';
import { authorize, body, buildHints, params, type ResourceDeps, requireMatchingId, wrapCollection, wrapMember } from './resource-common.js';

const properties = { blob: { type: 'string' }, type: { type: 'string', maxLength: 255 } };
const createSchema = {
  type: 'object',
  properties: { policy: { type: 'object', properties, required: ['blob', 'type'], additionalProperties: true } },
  required: ['policy'],
  additionalProperties: false,
};
const updateSchema = {
  type: 'object',
  properties: { policy: { type: 'object', properties, minProperties: 1, additionalProperties: true } },
  required: ['policy'],
  additionalProperties: false,
};

export function registerPolicyRoutes(app: FastifyInstance, deps: ResourceDeps): void {
  const m = deps.managers;

  app.get('/v3/policies', async (req) => {
    authorize(deps, req, 'identity:list_policies');
    const hints = buildHints(req, ['type']);
    return wrapCollection(deps, req, 'policies', await m.policies.listPolicies(hints), hints);
  });

  app.post('/v3/policies', { schema: { body: createSchema } }, async (req, reply) => {
    authorize(deps, req, 'identity:create_policy');
    reply.code(201);
    return wrapMember(deps, 'policies', 'policy', await m.policies.createPolicy(body(req).policy as Record<string, unknown>));
  });

  app.get('/v3/policies/:policy_id', async (req) => {
    authorize(deps, req, 'identity:get_policy');
    return wrapMember(deps, 'policies', 'policy', await m.policies.getPolicy(params(req).policy_id!));
  });

  app.patch('/v3/policies/:policy_id', {
    schema: { body: updateSchema },
    // Upstream enforces before it validates the body.
    preValidation: async (req) => { authorize(deps, req, 'identity:update_policy'); },
  }, async (req) => {
    const changes = body(req).policy as Record<string, unknown>;
    requireMatchingId(changes, params(req).policy_id);
    return wrapMember(deps, 'policies', 'policy', await m.policies.updatePolicy(params(req).policy_id!, changes));
  });

  app.delete('/v3/policies/:policy_id', async (req, reply) => {
    authorize(deps, req, 'identity:delete_policy');
    await m.policies.deletePolicy(params(req).policy_id!);
    reply.code(204).send();
  });
}
