/**
 * forceDelete (nova's deferred_delete.py): delete a server at once, also a soft-deleted one,
 * under os_compute_api:os-deferred-delete:force.
 */
import type { ServerAction } from './index.js';

export const deleteActions: ServerAction[] = [{
  name: 'forceDelete',
  async run({ deps, caller: c, instance, reply }) {
    deps.policy.can(c.ctx, 'os_compute_api:os-deferred-delete:force', { user_id: instance.data.user_id, project_id: instance.data.project_id });
    await deps.compute.delete(c.ctx, instance, { isAdmin: c.isAdmin });
    return reply.code(202).send();
  },
}];
