/** pause / unpause (nova's pause_server.py) and suspend / resume (suspend_server.py): 202, the host does the rest. */
import type { ServerAction } from './index.js';

const simple = (name: 'pause' | 'unpause' | 'suspend' | 'resume', rule: string, withUser: boolean): ServerAction => ({
  name,
  async run({ deps, caller: c, instance, reply }) {
    deps.policy.can(c.ctx, rule, withUser ? { user_id: instance.data.user_id, project_id: instance.data.project_id } : { project_id: instance.data.project_id });
    await deps.compute.lifecycle.simple(c.ctx, instance, name, c.isAdmin);
    return reply.code(202).send();
  },
});

export const pauseActions: ServerAction[] = [
  simple('pause', 'os_compute_api:os-pause-server:pause', true),
  simple('unpause', 'os_compute_api:os-pause-server:unpause', false),
  simple('suspend', 'os_compute_api:os-suspend-server:suspend', true),
  simple('resume', 'os_compute_api:os-suspend-server:resume', false),
];
