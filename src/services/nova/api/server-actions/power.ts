/** os-stop and os-start (nova's servers.py _stop_server/_start_server): 202, the host does the rest. */
import type { ServerAction } from './index.js';

export const powerActions: ServerAction[] = [
  {
    name: 'os-stop',
    async run({ deps, caller: c, instance, reply }) {
      deps.policy.can(c.ctx, 'os_compute_api:servers:stop', { user_id: instance.data.user_id, project_id: instance.data.project_id });
      await deps.compute.stop(c.ctx, instance, c.isAdmin);
      return reply.code(202).send();
    },
  },
  {
    name: 'os-start',
    async run({ deps, caller: c, instance, reply }) {
      deps.policy.can(c.ctx, 'os_compute_api:servers:start', { user_id: instance.data.user_id, project_id: instance.data.project_id });
      await deps.compute.start(c.ctx, instance, c.isAdmin);
      return reply.code(202).send();
    },
  },
];
