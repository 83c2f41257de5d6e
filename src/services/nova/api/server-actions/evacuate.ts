/**
 * evacuate (nova's evacuate.py): an admin rebuilds a server of a down host elsewhere. Before
 * 2.14 onSharedStorage is required and the response carries the admin password (generated
 * when not given and the disk is not shared; one cannot be set on a shared disk); from 2.14
 * the password given (or a generated one) is used and nothing is returned; from 2.29 `force`
 * (true needs a host) decides whether a given host bypasses the scheduler.
 */
import { randomBytes } from 'node:crypto';
import { BadRequest } from '../../../../common/errors.js';
import { ComputeHostNotFound } from '../../errors.js';
import { evacuateSchema, toBool } from '../schemas/server-moves.js';
import { validateBody } from '../validation.js';
import type { ServerAction } from './index.js';
import { moveError } from './move-errors.js';

/** nova's utils.generate_password (12 characters without look-alikes). */
function generatePassword(length = 12): string {
  const symbols = '23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
  return [...randomBytes(length)].map((b) => symbols[b % symbols.length]).join('');
}

export const evacuateActions: ServerAction[] = [{
  name: 'evacuate',
  async run({ deps, caller: c, instance, body, reply }) {
    deps.policy.can(c.ctx, 'os_compute_api:os-evacuate', { user_id: instance.data.user_id, project_id: instance.data.project_id });
    const args = validateBody<{ host?: string; onSharedStorage?: boolean | string; adminPass?: string; force?: boolean | string }>(evacuateSchema(c.version), body);
    const host = args.host ?? null;
    let force: boolean | null = null;
    if (c.version.atLeast('2.29')) {
      force = toBool(args.force ?? false);
      if (force && !host) throw new BadRequest("Can't force to a non-provided destination");
    }
    const onSharedStorage = c.version.atLeast('2.14') ? false : toBool(args.onSharedStorage);
    let password: string | null;
    if (c.version.atLeast('2.14')) {
      password = args.adminPass ?? generatePassword();
    } else if (onSharedStorage) {
      if (args.adminPass) throw new BadRequest("admin password can't be changed on existing disk");
      password = null;
    } else {
      password = args.adminPass ?? generatePassword();
    }
    if (host && !(await deps.repos.services.get(host, 'nova-compute'))) throw moveError(new ComputeHostNotFound(host), { hostNotFound: 'evacuate' });
    if (instance.data.host === host) throw new BadRequest("The target host can't be the same one.");
    try {
      await deps.moves.evacuate(c.ctx, instance, { host, onSharedStorage, password, force });
    } catch (err) {
      throw moveError(err, { hostNotFound: 'evacuate' });
    }
    if (!c.version.atLeast('2.14') && password) return reply.code(200).send({ adminPass: password });
    return reply.code(200).send();
  },
}];
