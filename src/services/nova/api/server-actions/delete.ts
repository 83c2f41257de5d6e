/**
 * The deferred delete actions (nova's deferred_delete.py): forceDelete deletes a server at once
 * in any state, a soft-deleted one included (os_compute_api:os-deferred-delete:force; 404, or
 * 409 when locked); restore brings a SOFT_DELETED server back (os-deferred-delete:restore; 409
 * in another state, 403 over quota). Both answer 202.
 */
import { Forbidden } from '../../../../common/errors.js';
import { OverQuota } from '../../errors.js';
import type { ServerAction } from './index.js';

export const deleteActions: ServerAction[] = [
  {
    name: 'forceDelete',
    async run({ deps, caller: c, instance, reply }) {
      deps.policy.can(c.ctx, 'os_compute_api:os-deferred-delete:force', { user_id: instance.data.user_id, project_id: instance.data.project_id });
      await deps.compute.forceDelete(c.ctx, instance, { isAdmin: c.isAdmin });
      return reply.code(202).send();
    },
  },
  {
    name: 'restore',
    async run({ deps, caller: c, instance, reply }) {
      deps.policy.can(c.ctx, 'os_compute_api:os-deferred-delete:restore', { project_id: instance.data.project_id });
      try {
        await deps.compute.restore(c.ctx, instance, { isAdmin: c.isAdmin });
      } catch (err) {
        if (err instanceof OverQuota) throw new Forbidden(err.message);
        throw err;
      }
      return reply.code(202).send();
    },
  },
];
