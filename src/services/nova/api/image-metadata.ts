/**
 * Image metadata (nova/api/openstack/compute/image_metadata.py), up to 2.38: an image's
 * additional Glance properties as metadata: GET/POST/PUT /images/{id}/metadata and
 * GET/PUT/DELETE /images/{id}/metadata/{key}. Changes replace the image's properties in Glance
 * with the caller's token; more items than the metadata_items quota is a 403.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BadRequest, Forbidden, NotFound } from '../../../common/errors.js';
import { ImageNotAuthorized, ImageNotFound, OverQuota } from '../errors.js';
import type { ImageMeta } from '../objects/index.js';
import type { ApiDeps } from './deps.js';
import { caller, type Caller } from './request.js';
import { METADATA } from './schemas/servers.js';
import { validateBody } from './validation.js';
import { requireVersionAtMost } from './version-gate.js';

/** MAX_IMAGE_META_PROXY_API_VERSION: image-metadata answers 404 from 2.39. */
const MAX_IMAGE_META_PROXY_API_VERSION = '2.38';

const metadataBody = { type: 'object', properties: { metadata: METADATA }, required: ['metadata'], additionalProperties: false };
const metaBody = {
  type: 'object', properties: { meta: { ...METADATA, minProperties: 1, maxProperties: 1 } }, required: ['meta'], additionalProperties: false,
};

type Params = { id: string; key: string };

function gated(req: FastifyRequest, deps: ApiDeps): Caller {
  const c = caller(req, deps);
  requireVersionAtMost(c, MAX_IMAGE_META_PROXY_API_VERSION);
  return c;
}

/** The controller's _get_image: 403 for an image Glance refuses, 404 'Image not found.'. */
async function image(deps: ApiDeps, c: Caller, imageId: string): Promise<ImageMeta> {
  try {
    return await deps.images.get(c.ctx, imageId);
  } catch (err) {
    if (err instanceof ImageNotAuthorized) throw new Forbidden(err.message);
    if (err instanceof ImageNotFound) throw new NotFound('Image not found.');
    throw err;
  }
}

/** check_img_metadata_properties_quota, then the update with purge_props. */
async function replace(deps: ApiDeps, c: Caller, imageId: string, properties: Record<string, string>): Promise<ImageMeta> {
  if (Object.keys(properties).length > 0 && c.ctx.projectId) {
    try {
      await deps.quotas.checkMetadata(c.ctx.projectId, Object.keys(properties).length);
    } catch (err) {
      if (err instanceof OverQuota) throw new Forbidden('Image metadata limit exceeded');
      throw err;
    }
  }
  try {
    return await deps.images.replaceProperties(c.ctx, imageId, properties);
  } catch (err) {
    if (err instanceof ImageNotAuthorized) throw new Forbidden(err.message);
    if (err instanceof ImageNotFound) throw new NotFound('Image not found.');
    throw err;
  }
}

export function imageMetadataRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get<{ Params: { id: string } }>('/images/:id/metadata', async (req) => {
    const c = gated(req, deps);
    return { metadata: (await image(deps, c, req.params.id)).data.properties };
  });

  // 200, as upstream answers
  app.post<{ Params: { id: string } }>('/images/:id/metadata', async (req) => {
    const c = gated(req, deps);
    const body = validateBody<{ metadata: Record<string, string> }>(metadataBody, req.body);
    const current = await image(deps, c, req.params.id);
    const updated = await replace(deps, c, req.params.id, { ...current.data.properties, ...body.metadata });
    return { metadata: updated.data.properties };
  });

  app.put<{ Params: { id: string } }>('/images/:id/metadata', async (req) => {
    const c = gated(req, deps);
    const body = validateBody<{ metadata: Record<string, string> }>(metadataBody, req.body);
    await image(deps, c, req.params.id);
    await replace(deps, c, req.params.id, body.metadata);
    return { metadata: body.metadata };
  });

  app.get<{ Params: Params }>('/images/:id/metadata/:key', async (req) => {
    const c = gated(req, deps);
    const properties = (await image(deps, c, req.params.id)).data.properties;
    if (!Object.hasOwn(properties, req.params.key)) throw new NotFound('The resource could not be found.');
    return { meta: { [req.params.key]: properties[req.params.key] } };
  });

  app.put<{ Params: Params }>('/images/:id/metadata/:key', async (req) => {
    const c = gated(req, deps);
    const body = validateBody<{ meta: Record<string, string> }>(metaBody, req.body);
    if (!Object.hasOwn(body.meta, req.params.key)) throw new BadRequest('Request body and URI mismatch');
    const current = await image(deps, c, req.params.id);
    await replace(deps, c, req.params.id, { ...current.data.properties, [req.params.key]: body.meta[req.params.key]! });
    return { meta: body.meta };
  });

  app.delete<{ Params: Params }>('/images/:id/metadata/:key', async (req, reply) => {
    const c = gated(req, deps);
    const properties = { ...(await image(deps, c, req.params.id)).data.properties };
    if (!Object.hasOwn(properties, req.params.key)) throw new NotFound('Invalid metadata key');
    delete properties[req.params.key];
    await replace(deps, c, req.params.id, properties);
    return reply.code(204).send();
  });
}
