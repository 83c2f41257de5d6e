/**
 * shelve, shelveOffload and unshelve (nova's shelve.py): 202. unshelve takes an
 * availability_zone from 2.77 (null unpins the server from 2.91) and a host from 2.91
 * (os_compute_api:os-shelve:unshelve_to_host).
 */
import { UNSHELVE_V277, UNSHELVE_V291 } from '../schemas/server-moves.js';
import { validateBody } from '../validation.js';
import type { ServerAction } from './index.js';
import { accepted, ownerTarget } from './move-errors.js';

export const shelveActions: ServerAction[] = [
  {
    name: 'shelve',
    async run(call) {
      const { deps, caller: c, instance } = call;
      deps.policy.can(c.ctx, 'os_compute_api:os-shelve:shelve', ownerTarget(call));
      return accepted(call, () => deps.moves.shelve(c.ctx, instance, c.isAdmin));
    },
  },
  {
    name: 'shelveOffload',
    async run(call) {
      const { deps, caller: c, instance } = call;
      deps.policy.can(c.ctx, 'os_compute_api:os-shelve:shelve_offload', ownerTarget(call));
      return accepted(call, () => deps.moves.shelveOffload(c.ctx, instance, c.isAdmin));
    },
  },
  {
    name: 'unshelve',
    async run(call) {
      const { deps, caller: c, instance, body } = call;
      deps.policy.can(c.ctx, 'os_compute_api:os-shelve:unshelve', ownerTarget(call));
      let args: { availability_zone?: string | null; host?: string } | null = null;
      if (c.version.atLeast('2.91')) args = validateBody(UNSHELVE_V291, body);
      else if (c.version.atLeast('2.77')) args = validateBody(UNSHELVE_V277, body);
      const zone = args && 'availability_zone' in args ? args.availability_zone : undefined;
      return accepted(call, () => deps.moves.unshelve(c.ctx, instance, {
        ...(zone !== undefined ? { zone } : {}), host: args?.host ?? null, isAdmin: c.isAdmin,
        canTargetHost: () => deps.policy.can(c.ctx, 'os_compute_api:os-shelve:unshelve_to_host', ownerTarget(call)),
      }));
    },
  },
];
