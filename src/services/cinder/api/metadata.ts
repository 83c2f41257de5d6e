/**
 * The metadata sub-resources of volumes and snapshots (cinder/api/v3/volume_metadata.py,
 * snapshot_metadata.py): the whole set (GET; POST merges; PUT replaces), one item
 * (`{"meta": {key: value}}`: GET, PUT with the URI's key, DELETE).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BadRequest } from '../../../common/errors.js';
import type { ApiDeps } from './deps.js';
import { caller, metadataOf, type Caller } from './request.js';

type Params = { Params: { project_id?: string; id: string; key?: string } };

interface Owner {
  metadata: Record<string, string>;
  project_id: string;
}

interface MetadataOps<T extends Owner> {
  collection: 'volumes' | 'snapshots';
  load(c: Caller, id: string): Promise<T>;
  set(o: T, metadata: Record<string, string>, replace: boolean): Promise<Record<string, string>>;
  item(o: T, key: string): string;
  remove(o: T, key: string): Promise<void>;
  rules: { get: string; create: string; update: string; delete: string };
}

function metadataBody(body: unknown, key: 'metadata' | 'meta'): Record<string, string> {
  if (body === null || typeof body !== 'object' || Array.isArray(body) || !(key in body)) throw new BadRequest('Malformed request body');
  return metadataOf((body as Record<string, unknown>)[key], key);
}

export function metadataRoutes<T extends Owner>(app: FastifyInstance, deps: ApiDeps, ops: MetadataOps<T>): void {
  const base = `/${ops.collection}/:id/metadata`;
  const load = async (req: FastifyRequest<Params>, rule: string): Promise<{ c: Caller; owner: T }> => {
    const c = caller(req, deps);
    const owner = await ops.load(c, req.params.id);
    deps.policy.authorize(c.ctx, rule, { project_id: owner.project_id });
    return { c, owner };
  };
  app.get<Params>(base, async (req) => ({ metadata: (await load(req, ops.rules.get)).owner.metadata }));
  app.post<Params>(base, async (req) => {
    const metadata = metadataBody(req.body, 'metadata');
    const { owner } = await load(req, ops.rules.create);
    return { metadata: await ops.set(owner, metadata, false) };
  });
  app.put<Params>(base, async (req) => {
    const metadata = metadataBody(req.body, 'metadata');
    const { owner } = await load(req, ops.rules.update);
    return { metadata: await ops.set(owner, metadata, true) };
  });
  app.get<Params>(`${base}/:key`, async (req) => {
    const { owner } = await load(req, ops.rules.get);
    return { meta: { [req.params.key!]: ops.item(owner, req.params.key!) } };
  });
  app.put<Params>(`${base}/:key`, async (req) => {
    const meta = metadataBody(req.body, 'meta');
    const key = req.params.key!;
    if (!(key in meta)) throw new BadRequest('Request body and URI mismatch');
    if (Object.keys(meta).length > 1) throw new BadRequest('Request body contains too many items');
    const { owner } = await load(req, ops.rules.update);
    await ops.set(owner, meta, false);
    return { meta };
  });
  app.delete<Params>(`${base}/:key`, async (req, reply) => {
    const { owner } = await load(req, ops.rules.delete);
    await ops.remove(owner, req.params.key!);
    return reply.code(200).send();
  });
}

export function volumeMetadataRoutes(app: FastifyInstance, deps: ApiDeps): void {
  metadataRoutes(app, deps, {
    collection: 'volumes',
    load: (c, id) => deps.volumes.get(c.ctx, id, c.isAdmin),
    set: (v, m, replace) => deps.volumes.setMetadata(v, m, replace),
    item: (v, key) => deps.volumes.metadataItem(v, key),
    remove: (v, key) => deps.volumes.deleteMetadata(v, key),
    rules: { get: 'volume:get_volume_metadata', create: 'volume:create_volume_metadata', update: 'volume:update_volume_metadata', delete: 'volume:delete_volume_metadata' },
  });
}

export function snapshotMetadataRoutes(app: FastifyInstance, deps: ApiDeps): void {
  metadataRoutes(app, deps, {
    collection: 'snapshots',
    load: (c, id) => deps.snapshots.get(c.ctx, id, c.isAdmin),
    set: (s, m, replace) => deps.snapshots.setMetadata(s, m, replace),
    item: (s, key) => deps.snapshots.metadataItem(s, key),
    remove: (s, key) => deps.snapshots.deleteMetadata(s, key),
    rules: { get: 'volume:get_snapshot_metadata', create: 'volume:update_snapshot_metadata', update: 'volume:update_snapshot_metadata', delete: 'volume:delete_snapshot_metadata' },
  });
}
