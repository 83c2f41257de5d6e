/**
 * /v2/images: create, list, show, PATCH, delete; deactivate/reactivate actions; tags; the
 * image's tasks and the interoperable import call.
 */
import type { FastifyInstance } from 'fastify';
import { NotFound } from '../../../common/errors.js';
import { parsePatch, patchDraft } from '../domain/json-patch.js';
import { header, queryPairs, type GlanceApi } from './context.js';
import { imageTaskView, imageView, pageLinks } from './views.js';

interface IdParams { image_id: string }
interface TagParams { image_id: string; tag_value: string }

export function imageRoutes(app: FastifyInstance, api: GlanceApi): void {
  const view = (img: Parameters<typeof imageView>[0]): Record<string, unknown> => imageView(img, api.view);

  app.post('/v2/images', async (req, reply) => {
    const image = await api.images.create(req.ctx, req.body);
    reply.code(201).header('location', `/v2/images/${image.id}`);
    if (api.settings.importMethods.length > 0) reply.header('openstack-image-import-methods', api.settings.importMethods.join(','));
    reply.header('openstack-image-store-ids', api.stores.list().map((s) => s.id).join(','));
    return view(image);
  });

  app.get('/v2/images', async (req) => {
    // GET /v2/images/ is an image with an empty id for Glance's router, not the list
    if (req.url.split('?')[0]!.endsWith('/')) throw new NotFound();
    const pairs = queryPairs(req);
    const { images, nextMarker } = await api.images.list(req.ctx, pairs);
    return { images: images.map(view), ...pageLinks('/v2/images', pairs, nextMarker), schema: '/v2/schemas/images' };
  });

  app.get<{ Params: IdParams }>('/v2/images/:image_id', async (req) => view(await api.images.load(req.ctx, req.params.image_id)));

  app.patch<{ Params: IdParams }>('/v2/images/:image_id', async (req) => {
    const draft = patchDraft(header(req, 'content-type'));
    const changes = parsePatch(req.body, draft, (partial) => api.images.validateImage(partial));
    return view(await api.images.update(req.ctx, req.params.image_id, changes));
  });

  app.delete<{ Params: IdParams }>('/v2/images/:image_id', async (req, reply) => {
    const image = await api.images.load(req.ctx, req.params.image_id, `Failed to find image ${req.params.image_id} to delete`);
    await api.images.delete(req.ctx, image, () => api.data.unstage(image.id));
    reply.code(204);
  });

  app.post<{ Params: IdParams }>('/v2/images/:image_id/actions/deactivate', async (req, reply) => {
    await api.images.setActivation(req.ctx, req.params.image_id, 'deactivate');
    reply.code(204);
  });

  app.post<{ Params: IdParams }>('/v2/images/:image_id/actions/reactivate', async (req, reply) => {
    await api.images.setActivation(req.ctx, req.params.image_id, 'reactivate');
    reply.code(204);
  });

  app.put<{ Params: TagParams }>('/v2/images/:image_id/tags/:tag_value', async (req, reply) => {
    await api.images.addTag(req.ctx, req.params.image_id, req.params.tag_value);
    reply.code(204);
  });

  app.delete<{ Params: TagParams }>('/v2/images/:image_id/tags/:tag_value', async (req, reply) => {
    await api.images.removeTag(req.ctx, req.params.image_id, req.params.tag_value);
    reply.code(204);
  });

  app.get<{ Params: IdParams }>('/v2/images/:image_id/tasks', async (req) => ({
    tasks: (await api.imports.tasksOf(req.ctx, req.params.image_id)).map(imageTaskView),
  }));

  app.post<{ Params: IdParams }>('/v2/images/:image_id/import', async (req, reply) => {
    const body = api.imports.parseBody(req.body);
    await api.imports.start(req.ctx, req.params.image_id, body, header(req, 'x-image-meta-store'));
    reply.code(202);
    return '';
  });
}
