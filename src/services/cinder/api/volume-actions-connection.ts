/**
 * The connection actions of POST /volumes/{id}/action (cinder/api/contrib/volume_actions.py,
 * admin_actions.py): os-initialize_connection (200, {"connection_info": ...} of the volume's
 * host for the connector), os-terminate_connection (202), os-force_detach (admin, 202: the
 * connection given up and the attachment removed whatever the volume's status).
 */
import { BadRequest } from '../../../common/errors.js';
import { argObject, onlyProperties, required, type VolumeActionTable } from './volume-action-registry.js';
import { uuidOf } from './request.js';

function connectorOf(action: string, v: unknown, allowNull: boolean): Record<string, unknown> | null {
  if (v === null && allowNull) return null;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new BadRequest(`Invalid input for field/attribute connector. Value: ${JSON.stringify(v)}. ${JSON.stringify(v)} is not of type 'object'${allowNull ? ", 'null'" : ''} (${action})`);
  return v as Record<string, unknown>;
}

export const connectionActions: VolumeActionTable = {
  async 'os-initialize_connection'({ deps, c, v, arg, reply }) {
    deps.policy.authorize(c.ctx, 'volume_extension:volume_actions:initialize_connection', { project_id: v.project_id });
    const o = argObject('os-initialize_connection', arg);
    const connector = connectorOf('os-initialize_connection', required('os-initialize_connection', o, 'connector'), false)!;
    const info = await deps.connections.initialize(c.ctx, v, connector);
    return reply.code(200).send({ connection_info: info });
  },

  async 'os-terminate_connection'({ deps, c, v, arg, reply }) {
    deps.policy.authorize(c.ctx, 'volume_extension:volume_actions:terminate_connection', { project_id: v.project_id });
    const o = argObject('os-terminate_connection', arg);
    const connector = connectorOf('os-terminate_connection', required('os-terminate_connection', o, 'connector'), true);
    await deps.connections.terminate(c.ctx, v, connector);
    return reply.code(202).send();
  },

  async 'os-force_detach'({ deps, c, v, arg, reply }) {
    deps.policy.authorize(c.ctx, 'volume_extension:volume_admin_actions:force_detach', { project_id: v.project_id });
    const o = argObject('os-force_detach', arg, true);
    onlyProperties('os-force_detach', o, ['connector', 'attachment_id']);
    const connector = o['connector'] === undefined ? null : connectorOf('os-force_detach', o['connector'], true);
    const attachmentId = o['attachment_id'] === undefined || o['attachment_id'] === null ? null : uuidOf('attachment_id', o['attachment_id']);
    await deps.connections.forceDetach(c.ctx, v, connector, attachmentId);
    return reply.code(202).send();
  },
};
