/**
 * Unified limits: /v3/registered_limits, /v3/limits and /v3/limits/model
 * (keystone/api/registered_limits.py, limits.py). Creates take lists and answer 201 with the
 * created items (no collection links, as upstream).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { newId } from '../db/rows.js';
import type { LimitRecord } from '../limit/backends/base.js';
import {
  authorize, authorizeMember, body, buildHints, filterValues, orUndefined, params, type ResourceDeps, requireMatchingId, schemas, withLink, wrapCollection, wrapMember,
} from './resource-common.js';

const limitInteger = { type: 'integer', minimum: -1, maximum: 0x7fffffff };
const regionId = { type: ['string', 'null'], minLength: 1, maxLength: 255 };
// Upstream declares format 'uuid', which its Draft 4 validator does not check (service ids are 32 hex digits).
const uuid = { type: 'string' };
const registeredCreate = {
  type: 'object',
  properties: {
    service_id: uuid, region_id: regionId, resource_name: schemas.name, default_limit: limitInteger, description: schemas.description,
  },
  additionalProperties: false,
  required: ['service_id', 'resource_name', 'default_limit'],
};
const registeredCreateSchema = {
  type: 'object', properties: { registered_limits: { type: 'array', items: registeredCreate, minItems: 1 } },
  required: ['registered_limits'], additionalProperties: false,
};
const registeredUpdateSchema = schemas.wrap('registered_limit', {
  type: 'object',
  properties: {
    service_id: uuid, region_id: regionId, resource_name: schemas.name, default_limit: limitInteger, description: schemas.description,
  },
  additionalProperties: false,
});
const limitCreate = {
  type: 'object',
  properties: {
    project_id: { type: ['string', 'null'], minLength: 1, maxLength: 64, pattern: '^[a-zA-Z0-9-]+$' },
    domain_id: { type: ['string', 'null'], minLength: 1, maxLength: 64, pattern: '^[a-zA-Z0-9-]+$' },
    resource_name: schemas.name, region_id: regionId, service_id: uuid, resource_limit: limitInteger, description: schemas.description,
  },
  required: ['service_id', 'resource_name', 'resource_limit'],
  oneOf: [{ required: ['domain_id'] }, { required: ['project_id'] }],
  additionalProperties: false,
};
const limitsCreateSchema = {
  type: 'object', properties: { limits: { type: 'array', items: limitCreate, minItems: 1 } }, required: ['limits'], additionalProperties: false,
};
const limitUpdateSchema = schemas.wrap('limit', {
  type: 'object', properties: { resource_limit: limitInteger, description: schemas.description }, additionalProperties: false,
});

export function registerLimitRoutes(app: FastifyInstance, deps: ResourceDeps): void {
  const m = deps.managers;

  // Registered limits.
  app.get('/v3/registered_limits', async (req) => {
    const filters = ['service_id', 'region_id', 'resource_name'];
    authorize(deps, req, 'identity:list_registered_limits', { filters: filterValues(req, filters) });
    const hints = buildHints(req, filters, deps.config.unifiedLimit.list_limit);
    return wrapCollection(deps, req, 'registered_limits', await m.limits.listRegisteredLimits(hints), hints);
  });

  app.post('/v3/registered_limits', { schema: { body: registeredCreateSchema } }, async (req, reply) => {
    authorize(deps, req, 'identity:create_registered_limits');
    const items = (body(req).registered_limits as Array<Record<string, unknown>>).map((r) => ({ ...r, id: newId() }));
    const refs = await m.limits.createRegisteredLimits(items);
    reply.code(201);
    return { registered_limits: refs.map((r) => withLink(deps, 'registered_limits', r)) };
  });

  app.get('/v3/registered_limits/:registered_limit_id', async (req) => {
    authorize(deps, req, 'identity:get_registered_limit');
    return wrapMember(deps, 'registered_limits', 'registered_limit', await m.limits.getRegisteredLimit(params(req).registered_limit_id!));
  });

  app.patch('/v3/registered_limits/:registered_limit_id', {
    schema: { body: registeredUpdateSchema },
    // Upstream enforces before it validates the body.
    preValidation: async (req) => { authorize(deps, req, 'identity:update_registered_limit'); },
  }, async (req) => {
    const changes = body(req).registered_limit as Record<string, unknown>;
    requireMatchingId(changes, params(req).registered_limit_id);
    return wrapMember(deps, 'registered_limits', 'registered_limit', await m.limits.updateRegisteredLimit(params(req).registered_limit_id!, changes));
  });

  app.delete('/v3/registered_limits/:registered_limit_id', async (req, reply) => {
    authorize(deps, req, 'identity:delete_registered_limit');
    await m.limits.deleteRegisteredLimit(params(req).registered_limit_id!);
    reply.code(204).send();
  });

  // Project and domain limits.
  const limitTarget = async (req: FastifyRequest): Promise<Record<string, unknown>> => {
    const limit = await orUndefined(() => m.limits.getLimit(params(req).limit_id!));
    if (!limit) return {};
    const t: Record<string, unknown> = { ...limit };
    if (limit.project_id) t.project = await orUndefined(() => m.resource.getProject(limit.project_id!));
    else if (limit.domain_id) t.domain = await orUndefined(() => m.resource.getDomain(limit.domain_id!));
    return { limit: t };
  };

  app.get('/v3/limits/model', async (req) => {
    authorize(deps, req, 'identity:get_limit_model');
    return { model: m.limits.getModel() };
  });

  app.get('/v3/limits', async (req) => {
    const filters = ['service_id', 'region_id', 'resource_name', 'project_id', 'domain_id'];
    authorize(deps, req, 'identity:list_limits', { filters: filterValues(req, filters) });
    const hints = buildHints(req, filters, deps.config.unifiedLimit.list_limit);
    const ctx = req.ctx;
    let refs: LimitRecord[] = [];
    if (ctx.systemScope || ctx.roles.includes('admin') || ctx.roles.includes('service')) {
      refs = await m.limits.listLimits(hints);
    } else if (ctx.domainId) {
      const projectIds = new Set((await m.resource.listProjectsInDomain(ctx.domainId)).map((p) => p.id));
      refs = (await m.limits.listLimits(hints)).filter((l) => (l.project_id ? projectIds.has(l.project_id) : l.domain_id === ctx.domainId));
    } else if (ctx.projectId) {
      hints.add('project_id', ctx.projectId);
      refs = await m.limits.listLimits(hints);
    }
    return wrapCollection(deps, req, 'limits', refs, hints);
  });

  app.post('/v3/limits', { schema: { body: limitsCreateSchema } }, async (req, reply) => {
    authorize(deps, req, 'identity:create_limits');
    const items = (body(req).limits as Array<Record<string, unknown>>).map((l) => ({ ...l, id: newId() }));
    const refs = await m.limits.createLimits(items);
    reply.code(201);
    return { limits: refs.map((r) => withLink(deps, 'limits', r)) };
  });

  app.get('/v3/limits/:limit_id', async (req) => {
    authorize(deps, req, 'identity:get_limit', { target: await limitTarget(req) });
    return wrapMember(deps, 'limits', 'limit', await m.limits.getLimit(params(req).limit_id!));
  });

  const loadLimit = (req: FastifyRequest) => () => m.limits.getLimit(params(req).limit_id!);
  app.patch('/v3/limits/:limit_id', {
    schema: { body: limitUpdateSchema },
    preValidation: (req) => authorizeMember(deps, req, 'identity:update_limit', 'limit', loadLimit(req)),
  }, async (req) => {
    const changes = body(req).limit as Record<string, unknown>;
    requireMatchingId(changes, params(req).limit_id);
    return wrapMember(deps, 'limits', 'limit', await m.limits.updateLimit(params(req).limit_id!, changes));
  });

  app.delete('/v3/limits/:limit_id', async (req, reply) => {
    await authorizeMember(deps, req, 'identity:delete_limit', 'limit', loadLimit(req));
    await m.limits.deleteLimit(params(req).limit_id!);
    reply.code(204).send();
  });
}
