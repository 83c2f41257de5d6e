/**
 * The images proxy (nova/api/openstack/compute/images.py), up to 2.35: GET /images and
 * /images/detail (nova's filters mapped to Glance's v2 ones, limit/marker with a `next` link
 * when a page is full), GET and DELETE /images/{id}, all asked of Glance with the caller's
 * token so Glance's visibility rules apply.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BadRequest, Forbidden, NotFound } from '../../../common/errors.js';
import { ImageNotAuthorized, ImageNotFound } from '../errors.js';
import type { ImageMeta } from '../objects/index.js';
import type { ApiDeps } from './deps.js';
import { lastParam, type RawQuery } from './list-params.js';
import { caller } from './request.js';
import { requireVersionAtMost } from './version-gate.js';
import { ImageViewBuilder } from './views/images.js';

/** MAX_PROXY_API_SUPPORT_VERSION: the proxies to other services answer 404 from 2.36. */
export const MAX_PROXY_API_VERSION = '2.35';

/** nova's query parameters and the Glance filters they become (SUPPORTED_FILTERS, _extract_query_params_v2). */
const SUPPORTED_FILTERS: Readonly<Record<string, string>> = {
  name: 'name', status: 'status', 'changes-since': 'changes-since', server: 'instance_uuid', type: 'image_type', minRam: 'min_ram', minDisk: 'min_disk',
};

/** ImagesController._get_filters, then glance's conversion to v2 filters. */
function glanceFilters(q: RawQuery): Record<string, string> {
  const filters: Record<string, string> = {};
  for (const param of Object.keys(q)) {
    const value = lastParam(q, param);
    if (value === undefined) continue;
    if (Object.hasOwn(SUPPORTED_FILTERS, param)) filters[SUPPORTED_FILTERS[param]!] = value;
    // property-<name> filters by an additional property (glance drops the prefix's characters with lstrip)
    else if (param.startsWith('property-')) filters[param.replace(/^[property-]+/, '')] = value;
  }
  // the server filter may be a server's URL: its last segment is the uuid
  const server = filters['instance_uuid'];
  if (server !== undefined && server.includes('/')) filters['instance_uuid'] = server.slice(server.lastIndexOf('/') + 1);
  if (filters['status'] !== undefined) filters['status'] = filters['status'].toLowerCase();
  const since = filters['changes-since'];
  if (since !== undefined) {
    delete filters['changes-since'];
    filters['updated_at'] = `gte:${since}`;
  }
  return filters;
}

/** common.get_pagination_params: limit (validate_integer, min 0) and marker. @throws BadRequest */
function pagination(q: RawQuery): { limit?: number; marker?: string } {
  const page: { limit?: number; marker?: string } = {};
  const raw = lastParam(q, 'limit');
  if (raw !== undefined) {
    const text = raw.trim();
    if (!/^[+-]?\d+$/.test(text)) throw new BadRequest('Invalid input received: limit must be an integer');
    const n = Number(text);
    if (n < 0) throw new BadRequest('Invalid input received: limit must be >= 0');
    // glance's _extract_query_params_v2 drops a limit of 0: the whole list
    if (n > 0) page.limit = n;
  }
  const marker = lastParam(q, 'marker');
  if (marker !== undefined) page.marker = marker;
  return page;
}

async function views(deps: ApiDeps): Promise<ImageViewBuilder> {
  return new ImageViewBuilder(deps.links, await deps.images.glanceUrl());
}

async function list(req: FastifyRequest, deps: ApiDeps, detailed: boolean): Promise<unknown> {
  const c = caller(req, deps);
  requireVersionAtMost(c, MAX_PROXY_API_VERSION);
  const q = req.query as RawQuery;
  const page = pagination(q);
  const images = await deps.images.detail(c.ctx, glanceFilters(q), page);
  const view = await views(deps);
  const body: Record<string, unknown> = { images: images.map((i: ImageMeta) => (detailed ? view.show(i) : view.basic(i))) };
  // _get_collection_links: a full page (limit capped by [api] max_limit) links to the next one
  const rawLimit = lastParam(q, 'limit');
  const maxItems = Math.min(rawLimit === undefined ? deps.settings.maxLimit : Number(rawLimit.trim()), deps.settings.maxLimit);
  const last = images.at(-1);
  if (maxItems > 0 && maxItems === images.length && last) {
    body['images_links'] = [deps.links.next(detailed ? 'images/detail' : 'images', Object.fromEntries(Object.entries(q).sort(([a], [b]) => (a < b ? -1 : 1))), last.data.id)];
  }
  return body;
}

export function imagesRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/images', (req) => list(req, deps, false));
  app.get('/images/detail', (req) => list(req, deps, true));

  app.get<{ Params: { id: string } }>('/images/:id', async (req) => {
    const c = caller(req, deps);
    requireVersionAtMost(c, MAX_PROXY_API_VERSION);
    try {
      return { image: (await views(deps)).show(await deps.images.get(c.ctx, req.params.id)) };
    } catch (err) {
      // show expects only 404: an image Glance will not show is not found
      if (err instanceof ImageNotFound || err instanceof ImageNotAuthorized) throw new NotFound('Image not found.');
      throw err;
    }
  });

  app.delete<{ Params: { id: string } }>('/images/:id', async (req, reply) => {
    const c = caller(req, deps);
    requireVersionAtMost(c, MAX_PROXY_API_VERSION);
    try {
      await deps.images.delete(c.ctx, req.params.id);
    } catch (err) {
      if (err instanceof ImageNotFound) throw new NotFound('Image not found.');
      if (err instanceof ImageNotAuthorized) throw new Forbidden('You are not allowed to delete the image.');
      throw err;
    }
    return reply.code(204).send();
  });
}
