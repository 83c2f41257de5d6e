/**
 * The Network API's routes: version documents, `/v2.0/<collection>` CRUD for every resource
 * through the generic controller, member actions (router interfaces, subnet pool prefixes),
 * tags, quotas, extensions, and the agent-scheduler views.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { displayValue } from '../../../common/display.js';
import { NotImplemented } from '../../../common/errors.js';
import { jsonBodyParser } from '../../../common/http/json-body.js';
import { NeutronContext } from '../common/context.js';
import { ExtensionsNotFound, HTTPBadRequest } from '../errors.js';
import { isTaggable, type TaggableCollection, type TagManager } from '../managers/tags.js';
import { parseIfMatch, type RequestInfo, type ResourceEndpoint } from './controller.js';
import { registerExplain } from './explain-route.js';
import { registerQosRuleTypes } from './qos-routes.js';
import { extensionList } from './extensions.js';
import { type Fields, isFields } from './fields.js';
import type { NeutronPolicy } from './policy.js';
import { listArg, type QueryParams } from './query.js';
import { quotaRequest, validateTag, validateTagsBody } from './request-bodies.js';
import { type ApiManagers, type ApiOptions, memberActions, resourceControllers } from './resources.js';

interface RouteDeps {
  baseUrl: string;
  controllers: ResourceEndpoint[];
  managers: ApiManagers;
  policy: NeutronPolicy;
}

function ctxOf(req: FastifyRequest): NeutronContext {
  return NeutronContext.fromRequest(req.ctx);
}

function info(req: FastifyRequest, parentId?: string): RequestInfo {
  return {
    ctx: ctxOf(req),
    query: req.query as QueryParams,
    ...(req.method === 'PUT' || req.method === 'DELETE' ? { ifMatch: parseIfMatch(req.headers['if-match']) } : {}),
    ...(parentId ? { parentId } : {}),
  };
}

function hasBody(req: FastifyRequest): boolean {
  return req.body !== undefined && req.body !== null && !(typeof req.body === 'string' && req.body === '');
}

type Params = Record<string, string>;

/**
 * Neutron accepts a `.json` format suffix on every URL (`/v2.0/networks.json`,
 * `/v2.0/quotas/{id}/details.json`): paths ending in a literal segment get a second route,
 * and a trailing `.json` is removed from the last path parameter.
 */
function withJsonSuffix(app: FastifyInstance): FastifyInstance {
  const wrap = (method: 'get' | 'post' | 'put' | 'delete') => (path: string, ...rest: unknown[]) => {
    const handler = rest[rest.length - 1] as (req: FastifyRequest, reply: unknown) => unknown;
    const opts = rest.length > 1 ? rest[0] : {};
    const stripped = (req: FastifyRequest, reply: unknown) => {
      const params = req.params as Params;
      for (const [k, v] of Object.entries(params)) if (typeof v === 'string' && v.endsWith('.json')) params[k] = v.slice(0, -5);
      return handler(req, reply);
    };
    (app[method] as (p: string, o: unknown, h: unknown) => unknown)(path, opts, stripped);
    const last = path.split('/').pop() ?? '';
    if (path !== '/' && !last.startsWith(':')) (app[method] as (p: string, o: unknown, h: unknown) => unknown)(`${path}.json`, opts, stripped);
    return app;
  };
  return new Proxy(app, {
    get(target, prop, receiver) {
      if (prop === 'get' || prop === 'post' || prop === 'put' || prop === 'delete') return wrap(prop);
      return Reflect.get(target, prop, receiver);
    },
  });
}

function registerResource(app: FastifyInstance, c: ResourceEndpoint): void {
  const parent = c.def.parent;
  const base = parent ? `/v2.0/${parent.path}/:${parent.param}/${c.def.path}` : `/v2.0/${c.def.path}`;
  const pid = (req: FastifyRequest) => (parent ? (req.params as Params)[parent.param] : undefined);
  app.get(base, async (req) => c.list(info(req, pid(req))));
  app.post(base, async (req, reply) => {
    reply.code(201);
    return c.create(info(req, pid(req)), req.body);
  });
  app.get(`${base}/:id`, async (req) => c.show(info(req, pid(req)), (req.params as Params).id!));
  app.put(`${base}/:id`, async (req) => c.update(info(req, pid(req)), (req.params as Params).id!, req.body));
  app.delete(`${base}/:id`, async (req, reply) => {
    await c.delete(info(req, pid(req)), (req.params as Params).id!, hasBody(req));
    reply.code(204).send();
  });
}

function registerTags(app: FastifyInstance, c: ResourceEndpoint, collection: TaggableCollection, tags: TagManager): void {
  // the tag extension's parent is the collection (dashed), not its path: a QoS policy's tags are /v2.0/policies/{id}/tags
  const base = `/v2.0/${collection.replace(/_/g, '-')}/:id/tags`;
  const id = (req: FastifyRequest) => (req.params as Params).id!;
  app.get(base, async (req) => {
    await c.forTags(info(req), id(req), 'get');
    return { tags: await tags.get(collection, id(req)) };
  });
  app.get(`${base}/:tag`, async (req, reply) => {
    const tag = validateTag((req.params as Params).tag);
    await c.forTags(info(req), id(req), 'get');
    await tags.has(collection, id(req), tag);
    reply.code(204).send();
  });
  app.put(base, async (req) => {
    const list = validateTagsBody(req.body);
    await c.forTags(info(req), id(req), 'update');
    return { tags: await tags.replace(collection, id(req), list) };
  });
  app.post(base, async (req, reply) => {
    const list = validateTagsBody(req.body);
    await c.forTags(info(req), id(req), 'create');
    for (const t of list) await tags.add(collection, id(req), t);
    reply.code(201);
    return { tags: list };
  });
  app.put(`${base}/:tag`, async (req, reply) => {
    const tag = validateTag((req.params as Params).tag);
    await c.forTags(info(req), id(req), 'update');
    await tags.add(collection, id(req), tag);
    reply.code(201).send();
  });
  app.delete(base, async (req, reply) => {
    await c.forTags(info(req), id(req), 'delete');
    await tags.removeAll(collection, id(req));
    reply.code(204).send();
  });
  app.delete(`${base}/:tag`, async (req, reply) => {
    const tag = validateTag((req.params as Params).tag);
    await c.forTags(info(req), id(req), 'delete');
    await tags.remove(collection, id(req), tag);
    reply.code(204).send();
  });
}

/** GET/DELETE /v2.0/auto-allocated-topology/{project_id} (auto-allocated-topology). */
function registerAutoAllocatedTopology(app: FastifyInstance, d: RouteDeps): void {
  const topology = d.managers.autoAllocate;
  const projectOf = (req: FastifyRequest, action: string): string => {
    const ctx = ctxOf(req);
    const projectId = topology.projectOf(ctx, (req.params as Params).projectId!);
    d.policy.enforce(ctx, action, { project_id: projectId, tenant_id: projectId });
    return projectId;
  };
  app.get('/v2.0/auto-allocated-topology/:projectId', async (req) => {
    const projectId = projectOf(req, 'get_auto_allocated_topology');
    return { auto_allocated_topology: await topology.get(ctxOf(req), projectId, listArg(req.query as QueryParams, 'fields')) };
  });
  app.delete('/v2.0/auto-allocated-topology/:projectId', async (req, reply) => {
    await topology.delete(projectOf(req, 'delete_auto_allocated_topology'));
    reply.code(204).send();
  });
}

function registerQuotas(app: FastifyInstance, d: RouteDeps): void {
  const quotas = d.managers.quotas;
  const enforce = (req: FastifyRequest, rule: string, projectId: string) => d.policy.enforce(ctxOf(req), rule, { project_id: projectId, tenant_id: projectId });
  const own = (req: FastifyRequest, projectId: string) => ctxOf(req).projectId === projectId;
  app.get('/v2.0/quotas', async (req) => {
    enforce(req, 'get_quota', ctxOf(req).projectId ?? '');
    return { quotas: await quotas.all() };
  });
  for (const key of ['project', 'tenant'] as const) {
    app.get(`/v2.0/quotas/${key}`, async (req) => {
      const projectId = ctxOf(req).projectId;
      if (!projectId) throw new HTTPBadRequest(`${key === 'project' ? 'Project' : 'Tenant'}-id was missing from quota request.`);
      return { [key]: { [`${key}_id`]: projectId } };
    });
  }
  app.get('/v2.0/quotas/:projectId', async (req) => {
    const projectId = (req.params as Params).projectId!;
    if (!own(req, projectId)) enforce(req, 'get_quota', projectId);
    return { quota: await quotas.show(projectId) };
  });
  app.get('/v2.0/quotas/:projectId/default', async (req) => {
    const projectId = (req.params as Params).projectId!;
    if (!own(req, projectId)) enforce(req, 'get_quota', projectId);
    return { quota: quotas.defaultQuotas() };
  });
  app.get('/v2.0/quotas/:projectId/details', async (req) => {
    const projectId = (req.params as Params).projectId!;
    if (!own(req, projectId)) enforce(req, 'get_quota', projectId);
    return { quota: await quotas.details(projectId) };
  });
  app.put('/v2.0/quotas/:projectId', async (req) => {
    const projectId = (req.params as Params).projectId!;
    enforce(req, 'update_quota', projectId);
    return { quota: await quotas.update(projectId, quotaRequest(req.body)) };
  });
  app.delete('/v2.0/quotas/:projectId', async (req, reply) => {
    const projectId = (req.params as Params).projectId!;
    enforce(req, 'delete_quota', projectId);
    await quotas.reset(projectId);
    reply.code(204).send();
  });
  app.post('/v2.0/quotas', async () => {
    throw new NotImplemented('POST requests are not supported on this resource.');
  });
}

function registerAgentScheduler(app: FastifyInstance, d: RouteDeps): void {
  const agents = d.managers.agents;
  const admin = (req: FastifyRequest, rule: string) => d.policy.enforce(ctxOf(req), rule, { project_id: ctxOf(req).projectId ?? '' });
  const p = (req: FastifyRequest) => req.params as Params;
  const body = (req: FastifyRequest): Fields => (isFields(req.body) ? req.body : {});
  const collection = (name: string) => d.controllers.find((c) => c.def.collection === name)!;
  app.get('/v2.0/agents/:id/dhcp-networks', async (req) => {
    admin(req, 'get_dhcp-networks');
    const ids = await agents.networksOfAgent(p(req).id!);
    const nets = await collection('networks').list({ ctx: ctxOf(req), query: { id: ids.length ? ids : [''] } });
    return { networks: nets.networks };
  });
  app.post('/v2.0/agents/:id/dhcp-networks', async (req, reply) => {
    admin(req, 'create_dhcp-network');
    await agents.bindNetwork(p(req).id!, displayValue(body(req).network_id));
    // the plugin's add_*_to_*_agent returns None, which upstream's controller serializes: a JSON null
    reply.code(201).type('application/json').send('null');
  });
  app.delete('/v2.0/agents/:id/dhcp-networks/:networkId', async (req, reply) => {
    admin(req, 'delete_dhcp-network');
    await agents.unbindNetwork(p(req).id!, p(req).networkId!);
    reply.code(204).send();
  });
  app.get('/v2.0/networks/:id/dhcp-agents', async (req) => {
    admin(req, 'get_dhcp-agents');
    return { agents: (await agents.dhcpAgentsFor(p(req).id!)).map((a) => agents.view(a)) };
  });
  app.get('/v2.0/agents/:id/l3-routers', async (req) => {
    admin(req, 'get_l3-routers');
    const ids = await agents.routersOfAgent(p(req).id!);
    const routers = await collection('routers').list({ ctx: ctxOf(req), query: { id: ids.length ? ids : [''] } });
    return { routers: routers.routers };
  });
  app.post('/v2.0/agents/:id/l3-routers', async (req, reply) => {
    admin(req, 'create_l3-router');
    await agents.bindRouter(p(req).id!, displayValue(body(req).router_id));
    // the plugin's add_*_to_*_agent returns None, which upstream's controller serializes: a JSON null
    reply.code(201).type('application/json').send('null');
  });
  app.delete('/v2.0/agents/:id/l3-routers/:routerId', async (req, reply) => {
    admin(req, 'delete_l3-router');
    await agents.unbindRouter(p(req).id!, p(req).routerId!);
    reply.code(204).send();
  });
  app.get('/v2.0/routers/:id/l3-agents', async (req) => {
    admin(req, 'get_l3-agents');
    return { agents: (await agents.l3AgentsFor(p(req).id!)).map((a) => agents.view(a)) };
  });
}

const BIGINT_MARK = `@@bigint-${randomUUID()}:`;
const BIGINT_RE = new RegExp(`"${BIGINT_MARK}(-?\\d+)"`, 'g');

/**
 * JSON as Neutron writes it: integers of any size (an IPv6 subnet's total_ips is 2^64 - 2).
 * Plain JSON.stringify first; only a payload holding a bigint takes the slower path.
 */
export function serializeJson(payload: unknown): string {
  try {
    return JSON.stringify(payload);
  } catch (err) {
    if (!(err instanceof TypeError)) throw err;
    return JSON.stringify(payload, (_k, v: unknown) => (typeof v === 'bigint' ? `${BIGINT_MARK}${v}` : v)).replace(BIGINT_RE, '$1');
  }
}

/** The Network API, served by `managers`. */
export function buildRoutes(managers: ApiManagers, o: ApiOptions): FastifyPluginAsync {
  const d: RouteDeps = { baseUrl: o.baseUrl, controllers: resourceControllers(managers, o), managers, policy: o.policy };
  const actions = memberActions(managers);
  return async (root) => {
    // Neutron reads every request body as JSON, whatever the Content-Type (clients such as the
    // Tempest plugin send PUTs without one), with the common JSON limits.
    root.addContentTypeParser('*', { parseAs: 'string' }, jsonBodyParser({
      maxDepth: root.maxJsonDepth,
      malformed: () => new HTTPBadRequest('Body contains invalid data'),
    }));
    root.setReplySerializer(serializeJson);
    const app = withJsonSuffix(root);
    const versions = () => ({ versions: [{ id: 'v2.0', status: 'CURRENT', links: [{ href: `${d.baseUrl}/v2.0/`, rel: 'self' }] }] });
    app.get('/', { config: { public: true } }, async () => versions());
    app.get('/v2.0', async () => ({
      resources: d.controllers.filter((c) => !c.def.parent).map((c) => ({
        name: c.def.member, collection: c.def.collection, links: [{ href: `${d.baseUrl}/v2.0/${c.def.path}`, rel: 'self' }],
      })),
    }));
    app.get('/v2.0/extensions', async () => ({ extensions: extensionList() }));
    app.get('/v2.0/extensions/:alias', async (req) => {
      const alias = (req.params as Params).alias!;
      const ext = extensionList().find((e) => e.alias === alias);
      if (!ext) throw new ExtensionsNotFound([alias]);
      return { extension: ext };
    });
    for (const a of actions) {
      const c = d.controllers.find((x) => x.def.path === a.path)!;
      const route = `/v2.0/${a.path}/:id/${a.action}`;
      const handler = async (req: FastifyRequest) => c.action(info(req), (req.params as Params).id!, a.action, req.body, a.run);
      if (a.method === 'GET') app.get(route, handler);
      else app.put(route, handler);
    }
    registerQuotas(app, d);
    registerAutoAllocatedTopology(app, d);
    registerAgentScheduler(app, d);
    registerExplain(app, o.explainer, o.policy);
    registerQosRuleTypes(app, managers.qos.drivers, o.policy);
    for (const c of d.controllers) {
      registerResource(app, c);
      if (isTaggable(c.def.collection)) registerTags(app, c, c.def.collection, managers.tags);
    }
  };
}
