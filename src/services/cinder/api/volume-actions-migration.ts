/**
 * Retype and migration actions of POST /volumes/{id}/action (cinder/api/contrib/
 * volume_actions.py os-retype, admin_actions.py os-migrate_volume): both 202, the scheduler
 * and the volume hosts do the rest.
 */
import { BadRequest } from '../../../common/errors.js';
import { argObject, onlyProperties, required, type VolumeActionTable } from './volume-action-registry.js';
import { boolParam } from './request.js';

const str = (field: string, v: unknown): string => {
  if (typeof v !== 'string' || v.length === 0 || v.length > 255) throw new BadRequest(`Invalid input for field/attribute ${field}. Value: ${JSON.stringify(v)}. ${JSON.stringify(v)} is not a valid ${field}`);
  return v;
};

export const migrationActions: VolumeActionTable = {
  async 'os-retype'({ deps, c, v, arg, reply }) {
    deps.policy.authorize(c.ctx, 'volume:retype', { project_id: v.project_id });
    const o = argObject('os-retype', arg);
    onlyProperties('os-retype', o, ['new_type', 'migration_policy']);
    const newType = str('new_type', required('os-retype', o, 'new_type'));
    const policy = o['migration_policy'] === undefined || o['migration_policy'] === null ? 'never' : str('migration_policy', o['migration_policy']);
    await deps.migration.retype(c.ctx, v, newType, policy, c.isAdmin);
    return reply.code(202).send();
  },

  async 'os-migrate_volume'({ deps, c, v, arg, reply }) {
    deps.policy.authorize(c.ctx, 'volume_extension:volume_admin_actions:migrate_volume', { project_id: v.project_id });
    const o = argObject('os-migrate_volume', arg);
    onlyProperties('os-migrate_volume', o, ['host', 'cluster', 'force_host_copy', 'lock_volume']);
    if (o['cluster'] !== undefined && !c.version.atLeast('3.16')) throw new BadRequest("Invalid input for field/attribute os-migrate_volume. Additional properties are not allowed ('cluster' was unexpected)");
    if (o['cluster'] !== undefined && o['cluster'] !== null) throw new BadRequest('Invalid input received: this cloud has no clusters; give a host.');
    const host = str('host', required('os-migrate_volume', o, 'host'));
    if (o['force_host_copy'] !== undefined) boolParam('force_host_copy', o['force_host_copy']);
    const lock = o['lock_volume'] === undefined ? false : boolParam('lock_volume', o['lock_volume']);
    await deps.migration.migrate(c.ctx, v, host, lock);
    return reply.code(202).send();
  },
};
