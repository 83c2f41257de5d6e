/**
 * changePassword (nova's admin_password.py): the host sets the password through the guest
 * agent (a call); what the driver or guest cannot do is a 409, a driver without the feature a 501.
 */
import { Conflict } from '../../../../common/errors.js';
import { FeatureNotSupported } from '../../errors.js';
import { validateBody } from '../validation.js';
import { ADMIN_PASSWORD } from './schemas.js';
import type { ServerAction } from './index.js';

const CHANGE_PASSWORD = {
  type: 'object',
  properties: { adminPass: ADMIN_PASSWORD },
  required: ['adminPass'],
  additionalProperties: false,
};

/** The driver's refusals the API answers 409 (they come back from the host by name). */
const CONFLICTS = new Set(['InstancePasswordSetFailed', 'SetAdminPasswdNotSupported', 'InstanceAgentNotEnabled']);

export const adminPasswordActions: ServerAction[] = [{
  name: 'changePassword',
  async run({ deps, caller: c, instance, body, reply }) {
    const { adminPass } = validateBody<{ adminPass: string }>(CHANGE_PASSWORD, body);
    deps.policy.can(c.ctx, 'os_compute_api:os-admin-password', { user_id: instance.data.user_id, project_id: instance.data.project_id });
    try {
      await deps.compute.lifecycle.setAdminPassword(c.ctx, instance, adminPass, c.isAdmin);
    } catch (err) {
      if (err instanceof Error && CONFLICTS.has(err.name)) throw new Conflict(err.message);
      if (err instanceof Error && (err.name === 'FeatureNotSupported' || err instanceof FeatureNotSupported)) throw new FeatureNotSupported('Unable to set password on instance');
      throw err;
    }
    return reply.code(202).send();
  },
}];
