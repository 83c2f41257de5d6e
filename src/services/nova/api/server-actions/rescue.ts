/**
 * rescue / unrescue (nova's rescue.py): rescue answers 200 with the rescue password (the one
 * given or a generated one); a rescue image that cannot be used, or a volume-backed server
 * (2.87 allows it on hosts that can), is a 400.
 */
import { generatePassword } from '../../compute/passwords.js';
import { validateBody } from '../validation.js';
import { ADMIN_PASSWORD, IMAGE_ID } from './schemas.js';
import type { ServerAction } from './index.js';

const RESCUE = {
  type: ['object', 'null'],
  properties: { adminPass: ADMIN_PASSWORD, rescue_image_ref: IMAGE_ID },
  additionalProperties: false,
};

export const rescueActions: ServerAction[] = [
  {
    name: 'rescue',
    async run({ deps, caller: c, instance, body }) {
      const args = validateBody<{ adminPass?: string; rescue_image_ref?: string } | null>(RESCUE, body);
      const password = args?.adminPass ?? generatePassword();
      deps.policy.can(c.ctx, 'os_compute_api:os-rescue', { user_id: instance.data.user_id, project_id: instance.data.project_id });
      await deps.compute.lifecycle.rescue(c.ctx, instance, {
        password, rescueImageRef: args?.rescue_image_ref ?? null, allowBfvRescue: c.version.atLeast('2.87'), isAdmin: c.isAdmin,
      });
      return { adminPass: password };
    },
  },
  {
    name: 'unrescue',
    async run({ deps, caller: c, instance, reply }) {
      deps.policy.can(c.ctx, 'os_compute_api:os-unrescue', { project_id: instance.data.project_id });
      await deps.compute.lifecycle.simple(c.ctx, instance, 'unrescue', c.isAdmin);
      return reply.code(202).send();
    },
  },
];
