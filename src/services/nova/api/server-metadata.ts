/**
 * Server metadata (nova/api/openstack/compute/server_metadata.py): GET/POST/PUT
 * /servers/{id}/metadata and GET/PUT/DELETE /servers/{id}/metadata/{key}. Changes need the
 * server unlocked (or an admin) and settled (ACTIVE, PAUSED, SUSPENDED, STOPPED with no task),
 * else 409; more items than the metadata_items quota is a 403.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BadRequest, Forbidden } from '../../../common/errors.js';
import { NotFound, OverQuota } from '../errors.js';
import type { Instance } from '../objects/index.js';
import type { ApiDeps } from './deps.js';
import type { Caller } from './request.js';
import { authorizedServer } from './server-scope.js';
import { METADATA } from './schemas/servers.js';
import { invalidStateConflict } from './server-actions/index.js';
import { validateBody } from './validation.js';

const rule = (name: string): string => `os_compute_api:server-metadata:${name}`;

const metadataBody = { type: 'object', properties: { metadata: METADATA }, required: ['metadata'], additionalProperties: false };
const metaBody = {
  type: 'object', properties: { meta: { ...METADATA, minProperties: 1, maxProperties: 1 } }, required: ['meta'], additionalProperties: false,
};

type Params = { id: string; key: string };

/** The server, after the policy `name` allowed the caller on its project. */
function authorized(req: FastifyRequest<{ Params: { id: string } }>, deps: ApiDeps, name: string): Promise<{ c: Caller; instance: Instance }> {
  return authorizedServer(req, deps, rule(name));
}

async function update(deps: ApiDeps, c: Caller, instance: Instance, metadata: Record<string, string>, replace: boolean): Promise<Record<string, string>> {
  try {
    return await deps.compute.updateInstanceMetadata(c.ctx, instance, metadata, { replace, isAdmin: c.isAdmin });
  } catch (err) {
    if (err instanceof OverQuota) throw new Forbidden(err.message);
    throw invalidStateConflict(err, 'update metadata', instance.uuid);
  }
}

export function serverMetadataRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get<{ Params: { id: string } }>('/servers/:id/metadata', async (req) => {
    const { instance } = await authorized(req, deps, 'index');
    return { metadata: await deps.repos.metadata.get(instance.uuid) };
  });

  // 200, not 201, as upstream answers for backwards compatibility.
  app.post<{ Params: { id: string } }>('/servers/:id/metadata', async (req) => {
    const body = validateBody<{ metadata: Record<string, string> }>(metadataBody, req.body);
    const { c, instance } = await authorized(req, deps, 'create');
    return { metadata: await update(deps, c, instance, body.metadata, false) };
  });

  app.put<{ Params: { id: string } }>('/servers/:id/metadata', async (req) => {
    const body = validateBody<{ metadata: Record<string, string> }>(metadataBody, req.body);
    const { c, instance } = await authorized(req, deps, 'update_all');
    return { metadata: await update(deps, c, instance, body.metadata, true) };
  });

  app.get<{ Params: Params }>('/servers/:id/metadata/:key', async (req) => {
    const { instance } = await authorized(req, deps, 'show');
    const metadata = await deps.repos.metadata.get(instance.uuid);
    if (!Object.hasOwn(metadata, req.params.key)) throw new NotFound('Metadata item was not found');
    return { meta: { [req.params.key]: metadata[req.params.key] } };
  });

  app.put<{ Params: Params }>('/servers/:id/metadata/:key', async (req) => {
    const body = validateBody<{ meta: Record<string, string> }>(metaBody, req.body);
    const { c, instance } = await authorized(req, deps, 'update');
    if (!Object.hasOwn(body.meta, req.params.key)) throw new BadRequest('Request body and URI mismatch');
    await update(deps, c, instance, body.meta, false);
    return { meta: body.meta };
  });

  app.delete<{ Params: Params }>('/servers/:id/metadata/:key', async (req, reply) => {
    const { c, instance } = await authorized(req, deps, 'delete');
    const metadata = await deps.repos.metadata.get(instance.uuid);
    if (!Object.hasOwn(metadata, req.params.key)) throw new NotFound('Metadata item was not found');
    try {
      await deps.compute.deleteInstanceMetadata(c.ctx, instance, req.params.key, c.isAdmin);
    } catch (err) {
      throw invalidStateConflict(err, 'delete metadata', instance.uuid);
    }
    return reply.code(204).send();
  });
}
