/**
 * /v2/metadefs routes: namespaces, their objects, properties, tags and resource type
 * associations, the resource type list, and the /v2/schemas/metadefs/* documents.
 */
import type { FastifyInstance } from 'fastify';
import { header, queryPairs } from './context.js';
import { pageLinks } from './views.js';
import type { JsonSchema } from '../domain/schemas.js';
import { isotime } from '../domain/time.js';
import type { MetadefManager, NamespaceDetail } from '../managers/metadefs.js';
import type { Association, Item, Tag } from '../db/metadef-repo.js';

const NS = '/v2/metadefs/namespaces';

function omitNull(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined));
}

const times = (x: { created_at: string; updated_at: string }) => ({ created_at: isotime(x.created_at), updated_at: isotime(x.updated_at) });
const association = (a: Association) => omitNull({ name: a.name, prefix: a.prefix, properties_target: a.properties_target, ...times(a) });
const tag = (t: Tag) => ({ name: t.name, ...times(t) });
const object = (ns: string, o: Item) => ({ name: o.name, ...o.body, ...times(o), self: `${NS}/${ns}/objects/${o.name}`, schema: '/v2/schemas/metadefs/object' });
const property = (p: Item) => ({ ...p.body, name: p.name });
const properties = (items: Item[]) => Object.fromEntries(items.map((p) => {
  const { name: _n, ...rest } = p.body;
  return [p.name, rest];
}));

function namespaceView(d: NamespaceDetail): Record<string, unknown> {
  const ns = d.namespace;
  const view: Record<string, unknown> = omitNull({
    namespace: ns.namespace, display_name: ns.display_name, description: ns.description, visibility: ns.visibility,
    protected: ns.protected, owner: ns.owner, ...times(ns), self: `${NS}/${ns.namespace}`, schema: '/v2/schemas/metadefs/namespace',
  });
  if (d.associations.length > 0) view['resource_type_associations'] = d.associations.map(association);
  if (d.properties.length > 0) view['properties'] = properties(d.properties);
  if (d.objects.length > 0) view['objects'] = d.objects.map((o) => object(ns.namespace, o));
  if (d.tags.length > 0) view['tags'] = d.tags.map((t) => ({ name: t.name }));
  return view;
}

type P = { namespace: string };
type PI = { namespace: string; name: string };

export function metadefRoutes(app: FastifyInstance, m: MetadefManager, schemas: Readonly<Record<string, JsonSchema>>): void {
  for (const [name, schema] of Object.entries(schemas)) app.get(`/v2/schemas/metadefs/${name}`, async () => schema);

  app.get(NS, async (req) => {
    const pairs = queryPairs(req);
    const { items, next } = await m.listNamespaces(req.ctx, pairs);
    return { namespaces: items.map(namespaceView), ...pageLinks(NS, pairs, next), schema: '/v2/schemas/metadefs/namespaces' };
  });
  app.post(NS, async (req, reply) => {
    reply.code(201);
    return namespaceView(await m.createNamespace(req.ctx, req.body));
  });
  app.get<{ Params: P }>(`${NS}/:namespace`, async (req) => namespaceView(await m.showNamespace(req.ctx, req.params.namespace)));
  app.put<{ Params: P }>(`${NS}/:namespace`, async (req) => namespaceView(await m.updateNamespace(req.ctx, req.params.namespace, req.body)));
  app.delete<{ Params: P }>(`${NS}/:namespace`, async (req, reply) => {
    await m.deleteNamespace(req.ctx, req.params.namespace);
    reply.code(204);
  });

  for (const [path, table, what] of [['objects', 'metadef_objects', 'object'], ['properties', 'metadef_properties', 'property']] as const) {
    app.get<{ Params: P }>(`${NS}/:namespace/${path}`, async (req) => {
      const items = await m.listItems(req.ctx, req.params.namespace, table);
      return what === 'object'
        ? { objects: items.map((o) => object(req.params.namespace, o)), schema: '/v2/schemas/metadefs/objects' }
        : { properties: properties(items) };
    });
    app.post<{ Params: P }>(`${NS}/:namespace/${path}`, async (req, reply) => {
      const item = await m.createItem(req.ctx, req.params.namespace, table, req.body);
      reply.code(201);
      return what === 'object' ? object(req.params.namespace, item) : property(item);
    });
    app.get<{ Params: PI; Querystring: { resource_type?: string } }>(`${NS}/:namespace/${path}/:name`, async (req) => {
      const item = await m.getItem(req.ctx, req.params.namespace, table, req.params.name, queryPairs(req).find(([k]) => k === 'resource_type')?.[1]);
      return what === 'object' ? object(req.params.namespace, item) : property(item);
    });
    app.put<{ Params: PI }>(`${NS}/:namespace/${path}/:name`, async (req) => {
      const item = await m.updateItem(req.ctx, req.params.namespace, table, req.params.name, req.body);
      return what === 'object' ? object(req.params.namespace, item) : property(item);
    });
    app.delete<{ Params: PI }>(`${NS}/:namespace/${path}/:name`, async (req, reply) => {
      await m.deleteItem(req.ctx, req.params.namespace, table, req.params.name);
      reply.code(204);
    });
    app.delete<{ Params: P }>(`${NS}/:namespace/${path}`, async (req, reply) => {
      await m.deleteContents(req.ctx, req.params.namespace, path);
      reply.code(204);
    });
  }

  app.get<{ Params: P }>(`${NS}/:namespace/tags`, async (req) => ({ tags: (await m.listTags(req.ctx, req.params.namespace)).map(tag) }));
  app.post<{ Params: P }>(`${NS}/:namespace/tags`, async (req, reply) => {
    const append = /^(1|t|true|on|y|yes)$/i.test(header(req, 'x-openstack-append') ?? '');
    const created = await m.createTags(req.ctx, req.params.namespace, req.body, append);
    reply.code(201);
    return { tags: created.map((t) => ({ name: t.name })) };
  });
  app.delete<{ Params: P }>(`${NS}/:namespace/tags`, async (req, reply) => {
    await m.deleteContents(req.ctx, req.params.namespace, 'tags');
    reply.code(204);
  });
  app.post<{ Params: PI }>(`${NS}/:namespace/tags/:name`, async (req, reply) => {
    reply.code(201);
    return tag(await m.createTag(req.ctx, req.params.namespace, req.params.name));
  });
  app.get<{ Params: PI }>(`${NS}/:namespace/tags/:name`, async (req) => tag(await m.getTag(req.ctx, req.params.namespace, req.params.name)));
  app.put<{ Params: PI }>(`${NS}/:namespace/tags/:name`, async (req) => tag(await m.updateTag(req.ctx, req.params.namespace, req.params.name, req.body)));
  app.delete<{ Params: PI }>(`${NS}/:namespace/tags/:name`, async (req, reply) => {
    await m.deleteTag(req.ctx, req.params.namespace, req.params.name);
    reply.code(204);
  });

  app.get('/v2/metadefs/resource_types', async (req) => ({
    resource_types: (await m.listResourceTypes(req.ctx)).map((r) => ({ name: r.name, ...times(r) })),
  }));
  app.get<{ Params: P }>(`${NS}/:namespace/resource_types`, async (req) => ({
    resource_type_associations: (await m.listAssociations(req.ctx, req.params.namespace)).map(association),
  }));
  app.post<{ Params: P }>(`${NS}/:namespace/resource_types`, async (req, reply) => {
    reply.code(201);
    return association(await m.associate(req.ctx, req.params.namespace, req.body));
  });
  app.delete<{ Params: PI }>(`${NS}/:namespace/resource_types/:name`, async (req, reply) => {
    await m.dissociate(req.ctx, req.params.namespace, req.params.name);
    reply.code(204);
  });
}
