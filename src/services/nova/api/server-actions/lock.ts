/**
 * lock / unlock (nova's lock_server.py): a lock records who locked (the owner or an admin) and,
 * from 2.73, why (locked_reason); unlocking another kind's lock needs unlock_override.
 */
import { validateBody } from '../validation.js';
import type { ServerAction } from './index.js';

const LOCK_V273 = {
  type: ['object', 'null'],
  properties: { locked_reason: { type: 'string', minLength: 1, maxLength: 255 } },
  additionalProperties: false,
};

export const lockActions: ServerAction[] = [
  {
    name: 'lock',
    async run({ deps, caller: c, instance, body, reply }) {
      let reason: string | null = null;
      if (c.version.atLeast('2.73')) reason = validateBody<{ locked_reason?: string } | null>(LOCK_V273, body)?.locked_reason ?? null;
      deps.policy.can(c.ctx, 'os_compute_api:os-lock-server:lock', { user_id: instance.data.user_id, project_id: instance.data.project_id });
      await deps.compute.lifecycle.lock(c.ctx, instance, reason);
      return reply.code(202).send();
    },
  },
  {
    name: 'unlock',
    async run({ deps, caller: c, instance, reply }) {
      deps.policy.can(c.ctx, 'os_compute_api:os-lock-server:unlock', { project_id: instance.data.project_id });
      if (!deps.compute.lifecycle.isExpectedLockedBy(c.ctx, instance)) {
        deps.policy.can(c.ctx, 'os_compute_api:os-lock-server:unlock:unlock_override', { project_id: instance.data.project_id });
      }
      await deps.compute.lifecycle.unlock(c.ctx, instance);
      return reply.code(202).send();
    },
  },
];
