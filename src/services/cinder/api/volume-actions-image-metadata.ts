/**
 * The image metadata actions of POST /volumes/{id}/action (cinder/api/contrib/
 * volume_image_metadata.py): os-set_image_metadata (merge; 200 with all of it),
 * os-unset_image_metadata (one key; 200, 404 when it is not there), os-show_image_metadata.
 */
import { GlanceMetadataNotFound } from '../resource-errors.js';
import { InvalidVolume } from '../errors.js';
import { metadataOf } from './request.js';
import { argObject, onlyProperties, required, type VolumeActionTable } from './volume-action-registry.js';

export const imageMetadataActions: VolumeActionTable = {
  async 'os-set_image_metadata'({ deps, c, v, arg, reply }) {
    deps.policy.authorize(c.ctx, 'volume_extension:volume_image_metadata:set', { project_id: v.project_id });
    const o = argObject('os-set_image_metadata', arg);
    onlyProperties('os-set_image_metadata', o, ['metadata']);
    const metadata = metadataOf(required('os-set_image_metadata', o, 'metadata'));
    if (v.status === 'maintenance') throw new InvalidVolume(`Volume ${v.id} is in maintenance.`);
    await deps.repos.volumes.imageMetadata.set(v.id, metadata, false);
    return reply.code(200).send({ metadata: await deps.repos.volumes.imageMetadata.get(v.id) });
  },

  async 'os-unset_image_metadata'({ deps, c, v, arg, reply }) {
    deps.policy.authorize(c.ctx, 'volume_extension:volume_image_metadata:remove', { project_id: v.project_id });
    const o = argObject('os-unset_image_metadata', arg);
    onlyProperties('os-unset_image_metadata', o, ['key']);
    const key = required('os-unset_image_metadata', o, 'key');
    if (typeof key !== 'string' || key.length === 0 || key.length > 255 || v.image_metadata[key] === undefined) throw new GlanceMetadataNotFound(v.id);
    if (v.status === 'maintenance') throw new InvalidVolume(`Volume ${v.id} is in maintenance.`);
    await deps.repos.volumes.imageMetadata.remove(v.id, key);
    return reply.code(200).send();
  },

  async 'os-show_image_metadata'({ deps, c, v, reply }) {
    deps.policy.authorize(c.ctx, 'volume_extension:volume_image_metadata:show', { project_id: v.project_id });
    return reply.code(200).send({ metadata: v.image_metadata });
  },
};
