/**
 * qos-specs (cinder/api/contrib/qos_specs_manage.py, admin): list (filters id, name, consumer;
 * sorting and paging), create (name and specs, consumer among them), show, set keys (PUT),
 * delete_keys, delete (force to drop associations; 400 while in use), associations, and the
 * GET actions associate, disassociate (vol_type_id) and disassociate_all (202).
 */
import type { FastifyInstance } from 'fastify';
import { BadRequest } from '../../../common/errors.js';
import type { QosSpecsRecord } from '../db/qos-specs.js';
import type { ApiDeps } from './deps.js';
import { listOptions, nextLinks, page, param, type RawQuery } from './list-params.js';
import { boolParam, caller, metadataOf, type Caller } from './request.js';
import { Links } from './views.js';

type IdParams = { Params: { project_id?: string; id: string } };

const SORT_KEYS: Record<string, (q: QosSpecsRecord) => unknown> = {
  id: (q) => q.id, name: (q) => q.name, consumer: (q) => q.consumer, created_at: (q) => q.created_at,
};

function objectBody(body: unknown, key: string): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body) || !(key in body)) throw new BadRequest(`Invalid input for field/attribute ${key}. '${key}' is a required property`);
  const extra = Object.keys(body).filter((k) => k !== key);
  if (extra.length > 0) throw new BadRequest(`Additional properties are not allowed (${extra.map((k) => `'${k}'`).join(', ')} ${extra.length > 1 ? 'were' : 'was'} unexpected)`);
  return body as Record<string, unknown>;
}

export function qosSpecsRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const links = new Links(deps.baseUrl);
  const item = (q: QosSpecsRecord) => ({ id: q.id, name: q.name, consumer: q.consumer, specs: q.specs });
  const view = (c: Caller, q: QosSpecsRecord) => ({ qos_specs: item(q), links: links.of(c.urlProject, 'qos-specs', q.id) });
  const typeId = (q: RawQuery): string => {
    const id = param(q, 'vol_type_id');
    if (!id) throw new BadRequest('Volume Type id must not be None.');
    return id;
  };

  app.get('/qos-specs', async (req) => {
    const c = caller(req, deps);
    deps.policy.authorize(c.ctx, 'volume_extension:qos_specs_manage:get_all');
    const o = listOptions(req, c.version, ['id', 'name', 'consumer'], deps.settings.maxLimit);
    const all = (await deps.qosSpecs.list()).filter((q) => Object.entries(o.filters).every(([k, v]) => (k === 'id' ? q.id === v : k === 'name' ? q.name === v : k === 'consumer' ? q.consumer === v : true)));
    const items = page(all, o, (q, key) => SORT_KEYS[key]?.(q));
    const body: Record<string, unknown> = { qos_specs: items.map(item) };
    const next = nextLinks(links.collection(c.urlProject, 'qos-specs'), req.query as RawQuery, items, o.limit, deps.settings.maxLimit);
    if (next.length > 0 && o.limit !== undefined) body['qos_specs_links'] = next;
    return body;
  });

  app.post('/qos-specs', async (req) => {
    const c = caller(req, deps);
    deps.policy.authorize(c.ctx, 'volume_extension:qos_specs_manage:create');
    const spec = objectBody(req.body, 'qos_specs')['qos_specs'];
    if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) throw new BadRequest(`Invalid input for field/attribute qos_specs. Value: ${JSON.stringify(spec)}. ${JSON.stringify(spec)} is not of type 'object'`);
    const { name, ...rest } = spec as Record<string, unknown>;
    if (name === undefined) throw new BadRequest("Invalid input for field/attribute qos_specs. 'name' is a required property");
    if (typeof name !== 'string' || name.trim() === '' || name.length > 255) throw new BadRequest(`Invalid input for field/attribute name. Value: ${JSON.stringify(name)}. ${JSON.stringify(name)} is not a valid name`);
    const specs = metadataOf(rest, 'qos_specs');
    return view(c, await deps.qosSpecs.create(name.trim(), specs));
  });

  app.get<IdParams>('/qos-specs/:id', async (req) => {
    const c = caller(req, deps);
    deps.policy.authorize(c.ctx, 'volume_extension:qos_specs_manage:get');
    return view(c, await deps.qosSpecs.get(req.params.id));
  });

  app.put<IdParams>('/qos-specs/:id', async (req) => {
    const c = caller(req, deps);
    deps.policy.authorize(c.ctx, 'volume_extension:qos_specs_manage:update');
    const specs = metadataOf(objectBody(req.body, 'qos_specs')['qos_specs'], 'qos_specs');
    await deps.qosSpecs.update(req.params.id, specs);
    return { qos_specs: specs };
  });

  app.put<IdParams>('/qos-specs/:id/delete_keys', async (req, reply) => {
    const c = caller(req, deps);
    deps.policy.authorize(c.ctx, 'volume_extension:qos_specs_manage:delete');
    const keys = objectBody(req.body, 'keys')['keys'];
    if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string' || k.length < 1 || k.length > 255) || new Set(keys).size !== keys.length) {
      throw new BadRequest(`Invalid input for field/attribute keys. Value: ${JSON.stringify(keys)}. ${JSON.stringify(keys)} is not a list of unique keys`);
    }
    await deps.qosSpecs.deleteKeys(req.params.id, keys as string[]);
    return reply.code(202).send();
  });

  app.delete<IdParams>('/qos-specs/:id', async (req, reply) => {
    const c = caller(req, deps);
    deps.policy.authorize(c.ctx, 'volume_extension:qos_specs_manage:delete');
    const raw = param(req.query as RawQuery, 'force');
    await deps.qosSpecs.delete(req.params.id, raw === undefined ? false : boolParam('force', raw));
    return reply.code(202).send();
  });

  app.get<IdParams>('/qos-specs/:id/associations', async (req) => {
    const c = caller(req, deps);
    deps.policy.authorize(c.ctx, 'volume_extension:qos_specs_manage:get_all');
    return { qos_associations: await deps.qosSpecs.associations(req.params.id) };
  });

  app.get<IdParams>('/qos-specs/:id/associate', async (req, reply) => {
    const c = caller(req, deps);
    deps.policy.authorize(c.ctx, 'volume_extension:qos_specs_manage:update');
    await deps.qosSpecs.associate(req.params.id, typeId(req.query as RawQuery));
    return reply.code(202).send();
  });

  app.get<IdParams>('/qos-specs/:id/disassociate', async (req, reply) => {
    const c = caller(req, deps);
    deps.policy.authorize(c.ctx, 'volume_extension:qos_specs_manage:update');
    await deps.qosSpecs.disassociate(req.params.id, typeId(req.query as RawQuery));
    return reply.code(202).send();
  });

  app.get<IdParams>('/qos-specs/:id/disassociate_all', async (req, reply) => {
    const c = caller(req, deps);
    deps.policy.authorize(c.ctx, 'volume_extension:qos_specs_manage:update');
    await deps.qosSpecs.disassociateAll(req.params.id);
    return reply.code(202).send();
  });
}
