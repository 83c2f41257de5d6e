/**
 * Image data routes: PUT/GET /v2/images/{id}/file and PUT /v2/images/{id}/stage. Bodies are
 * raw streams (a content-type parser hands over the request stream unread, so no body limit
 * applies), downloads are streamed with reply.send(stream).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { BadRequest } from '../../../common/errors.js';
import { header, queryPairs, type GlanceApi } from './context.js';
import { MediaTypeRefused } from '../errors.js';

interface IdParams { image_id: string }

/** The announced size: x-openstack-image-size, else Content-Length (glance's _get_image_size). */
function announcedSize(req: FastifyRequest): number | undefined {
  const raw = header(req, 'x-openstack-image-size') ?? header(req, 'content-length');
  if (raw === undefined) return undefined;
  if (!/^\s*\d+\s*$/.test(raw)) throw new BadRequest('Invalid or missing image size in request headers.');
  const n = Number(raw);
  return n === 0 ? undefined : n;
}

function octetStream(req: FastifyRequest): Readable {
  const type = (header(req, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/octet-stream') {
    throw new MediaTypeRefused(`Invalid content type ${header(req, 'content-type') ?? 'None'}`);
  }
  return req.body as Readable;
}

export function imageDataRoutes(app: FastifyInstance, api: GlanceApi): void {
  // The raw request stream is the body; nothing is read before the handler runs.
  app.addContentTypeParser('application/octet-stream', (_req, payload, done) => {
    payload.on('error', () => undefined); // a client that goes away early is handled by the upload
    done(null, payload);
  });

  // The parser above never buffers, but say it: image bodies have no size limit here
  // (image_size_cap and quotas are enforced while streaming).
  const unlimited = { bodyLimit: Number.MAX_SAFE_INTEGER };

  app.put<{ Params: IdParams }>('/v2/images/:image_id/file', unlimited, async (req, reply) => {
    const body = octetStream(req);
    await api.data.upload(req.ctx, req.params.image_id, body, announcedSize(req), header(req, 'x-image-meta-store'));
    reply.code(204);
  });

  app.put<{ Params: IdParams }>('/v2/images/:image_id/stage', unlimited, async (req, reply) => {
    const body = octetStream(req);
    await api.data.stage(req.ctx, req.params.image_id, body, announcedSize(req));
    reply.code(204);
  });

  app.get<{ Params: IdParams }>('/v2/images/:image_id/file', async (req, reply) => {
    const prefer = queryPairs(req).find(([k]) => k === 'prefer')?.[1];
    const result = await api.data.download(req.ctx, req.params.image_id, {
      range: header(req, 'range'),
      contentRange: header(req, 'content-range'),
      prefer,
    });
    if (result.kind === 'empty') {
      reply.code(204);
      return reply.send();
    }
    reply.code(result.status).headers(result.headers);
    return reply.send(result.stream);
  });
}
