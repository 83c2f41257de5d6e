/**
 * os-stop and os-start (nova's servers.py _stop_server/_start_server) and reboot
 * (_action_reboot, SOFT or HARD in any case): 202, the host does the rest.
 */
import { validateBody } from '../validation.js';
import type { ServerAction } from './index.js';

const REBOOT = {
  type: 'object',
  properties: { type: { type: 'string', enum: ['HARD', 'Hard', 'hard', 'SOFT', 'Soft', 'soft'] } },
  required: ['type'],
  additionalProperties: false,
};

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
  {
    name: 'reboot',
    async run({ deps, caller: c, instance, body, reply }) {
      const { type } = validateBody<{ type: string }>(REBOOT, body);
      deps.policy.can(c.ctx, 'os_compute_api:servers:reboot', { project_id: instance.data.project_id });
      await deps.compute.lifecycle.reboot(c.ctx, instance, type.toUpperCase() === 'HARD' ? 'HARD' : 'SOFT', c.isAdmin);
      return reply.code(202).send();
    },
  },
];
