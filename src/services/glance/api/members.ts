/** /v2/images/{id}/members: add, list, show, update status, remove. */
import type { FastifyInstance } from 'fastify';
import type { GlanceApi } from './context.js';
import { memberView } from './views.js';

interface IdParams { image_id: string }
interface MemberParams { image_id: string; member_id: string }

export function memberRoutes(app: FastifyInstance, api: GlanceApi): void {
  app.post<{ Params: IdParams }>('/v2/images/:image_id/members', async (req) =>
    memberView(await api.members.create(req.ctx, req.params.image_id, req.body)));

  app.get<{ Params: IdParams }>('/v2/images/:image_id/members', async (req) => ({
    members: (await api.members.list(req.ctx, req.params.image_id)).map(memberView),
    schema: '/v2/schemas/members',
  }));

  app.get<{ Params: MemberParams }>('/v2/images/:image_id/members/:member_id', async (req) =>
    memberView(await api.members.show(req.ctx, req.params.image_id, req.params.member_id)));

  app.put<{ Params: MemberParams }>('/v2/images/:image_id/members/:member_id', async (req) =>
    memberView(await api.members.update(req.ctx, req.params.image_id, req.params.member_id, req.body)));

  app.delete<{ Params: MemberParams }>('/v2/images/:image_id/members/:member_id', async (req, reply) => {
    await api.members.remove(req.ctx, req.params.image_id, req.params.member_id);
    reply.code(204);
  });
}
