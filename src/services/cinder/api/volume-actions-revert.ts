/** revert (3.40, cinder/api/v3/volumes.py revert): the volume back to its latest snapshot, 202. */
import { NotFound } from '../errors.js';
import { argObject, onlyProperties, required, type VolumeActionTable } from './volume-action-registry.js';
import { uuidOf } from './request.js';

export const revertActions: VolumeActionTable = {
  async revert({ deps, c, v, arg, reply }) {
    if (!c.version.atLeast('3.40')) throw new NotFound('The resource could not be found.');
    deps.policy.authorize(c.ctx, 'volume:revert_to_snapshot', { project_id: v.project_id });
    const o = argObject('revert', arg);
    onlyProperties('revert', o, ['snapshot_id']);
    const snapshotId = uuidOf('snapshot_id', required('revert', o, 'snapshot_id'), false)!;
    const s = await deps.snapshots.get(c.ctx, snapshotId, c.isAdmin);
    await deps.revert.revert(c.ctx, v, s);
    return reply.code(202).send();
  },
};
