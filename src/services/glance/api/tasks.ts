/** /v2/tasks (admin only): create (legacy import), list, show; delete is refused with 405 as in Glance. */
import type { FastifyInstance } from 'fastify';
import { queryPairs, type GlanceApi } from './context.js';
import { pageLinks, taskStubView, taskView } from './views.js';

export function taskRoutes(app: FastifyInstance, api: GlanceApi): void {
  app.get('/v2/tasks', async (req) => {
    const pairs = queryPairs(req);
    const { tasks, nextMarker } = await api.tasks.list(req.ctx, pairs);
    return { tasks: tasks.map(taskStubView), ...pageLinks('/v2/tasks', pairs, nextMarker), schema: '/v2/schemas/tasks' };
  });

  app.post('/v2/tasks', async (req, reply) => {
    const task = await api.tasks.create(req.ctx, req.body, (t) => api.imports.startLegacy(req.ctx, t));
    reply.code(201).header('location', `/v2/tasks/${task.id}`);
    return taskView(task);
  });

  app.get<{ Params: { task_id: string } }>('/v2/tasks/:task_id', async (req) => taskView(await api.tasks.get(req.ctx, req.params.task_id)));

  app.delete<{ Params: { task_id: string } }>('/v2/tasks/:task_id', async (req) => api.tasks.delete(req.ctx));
}
