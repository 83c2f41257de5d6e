/** trigger_crash_dump (2.17, nova's servers.py): an NMI to the guest; 202, a server not on a host is a 409. */
import { Conflict } from '../../../../common/errors.js';
import { InstanceNotReady } from '../../errors.js';
import { validateBody } from '../validation.js';
import type { ServerAction } from './index.js';

const NULL_BODY = { type: 'null' };

export const crashDumpActions: ServerAction[] = [{
  name: 'trigger_crash_dump',
  minVersion: '2.17',
  async run({ deps, caller: c, instance, body, reply }) {
    validateBody<null>(NULL_BODY, body);
    deps.policy.can(c.ctx, 'os_compute_api:servers:trigger_crash_dump', { user_id: instance.data.user_id, project_id: instance.data.project_id });
    try {
      await deps.compute.lifecycle.triggerCrashDump(c.ctx, instance, c.isAdmin);
    } catch (err) {
      if (err instanceof InstanceNotReady) throw new Conflict(err.message);
      throw err;
    }
    return reply.code(202).send();
  },
}];
