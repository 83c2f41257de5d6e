/** os-resetState (nova's admin_actions.py): an admin sets the vm state to active or error and clears the task state. */
import { validateBody } from '../validation.js';
import type { ServerAction } from './index.js';

const RESET_STATE = {
  type: 'object',
  properties: { state: { type: 'string', enum: ['active', 'error'] } },
  required: ['state'],
  additionalProperties: false,
};

export const adminActions: ServerAction[] = [{
  name: 'os-resetState',
  async run({ deps, caller: c, instance, body, reply }) {
    const { state } = validateBody<{ state: 'active' | 'error' }>(RESET_STATE, body);
    deps.policy.can(c.ctx, 'os_compute_api:os-admin-actions:reset_state', { project_id: instance.data.project_id });
    await deps.compute.lifecycle.resetState(c.ctx, instance, state);
    return reply.code(202).send();
  },
}];
