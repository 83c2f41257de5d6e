/**
 * resize, confirmResize, revertResize (nova's servers.py), migrate and os-migrateLive
 * (migrate_server.py): 202, the conductor and the hosts do the rest.
 */
import { BadRequest } from '../../../../common/errors.js';
import { migrateLiveSchema, MIGRATE_V256, RESIZE, toBool } from '../schemas/server-moves.js';
import { idFromHref } from '../servers-create.js';
import { validateBody } from '../validation.js';
import type { ServerAction } from './index.js';
import { accepted, moveError, ownerTarget } from './move-errors.js';

export const moveActions: ServerAction[] = [
  {
    name: 'resize',
    async run(call) {
      const { deps, caller: c, instance, body } = call;
      deps.policy.can(c.ctx, 'os_compute_api:servers:resize', ownerTarget(call));
      const args = validateBody<{ flavorRef: string | number; 'OS-DCF:diskConfig'?: 'AUTO' | 'MANUAL' }>(RESIZE, body);
      const disk = args['OS-DCF:diskConfig'];
      return accepted(call, () => deps.moves.resize(c.ctx, instance, {
        flavorId: idFromHref(String(args.flavorRef)), host: null, autoDiskConfig: disk ? disk === 'AUTO' : null, isAdmin: c.isAdmin,
      }));
    },
  },
  {
    name: 'confirmResize',
    async run(call) {
      const { deps, caller: c, instance } = call;
      deps.policy.can(c.ctx, 'os_compute_api:servers:confirm_resize', ownerTarget(call));
      try {
        await deps.moves.confirmResize(c.ctx, instance, c.isAdmin);
      } catch (err) {
        throw moveError(err);
      }
      return call.reply.code(204).send();
    },
  },
  {
    name: 'revertResize',
    async run(call) {
      const { deps, caller: c, instance } = call;
      deps.policy.can(c.ctx, 'os_compute_api:servers:revert_resize', ownerTarget(call));
      return accepted(call, () => deps.moves.revertResize(c.ctx, instance, c.isAdmin));
    },
  },
  {
    name: 'migrate',
    async run(call) {
      const { deps, caller: c, instance, body } = call;
      deps.policy.can(c.ctx, 'os_compute_api:os-migrate-server:migrate', { project_id: instance.data.project_id });
      let host: string | null = null;
      if (c.version.atLeast('2.56')) host = validateBody<{ host?: string } | null>(MIGRATE_V256, body)?.host ?? null;
      return accepted(call, () => deps.moves.resize(c.ctx, instance, { flavorId: null, host, autoDiskConfig: null, isAdmin: c.isAdmin }));
    },
  },
  {
    name: 'os-migrateLive',
    async run(call) {
      const { deps, caller: c, instance, body } = call;
      deps.policy.can(c.ctx, 'os_compute_api:os-migrate-server:migrate_live', { project_id: instance.data.project_id });
      const args = validateBody<{ host: string | null; block_migration: boolean | string; force?: boolean | string }>(migrateLiveSchema(c.version), body);
      const host = args.host || null;
      let force: boolean | null = null;
      if (c.version.atLeast('2.30')) {
        force = toBool(args.force ?? false);
        if (force && !host) throw new BadRequest("Can't force to a non-provided destination");
      }
      const blockMigration = args.block_migration === 'auto' ? null : toBool(args.block_migration);
      return accepted(call, () => deps.moves.liveMigrate(c.ctx, instance, { host, blockMigration, force, isAdmin: c.isAdmin }));
    },
  },
];
