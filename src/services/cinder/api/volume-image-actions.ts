/**
 * os-volume_upload_image of POST /volumes/{id}/action (cinder/api/contrib/volume_actions.py):
 * the volume copied to a new Glance image (202; visibility and protected from 3.1). The image
 * metadata actions are volume-actions-image-metadata.ts.
 */
import { BadRequest } from '../../../common/errors.js';
import { UPLOAD_DISK_FORMATS, type UploadDiskFormat, type UploadImageInput } from '../managers/volume-images.js';
import { boolParam, type Caller } from './request.js';
import type { VolumeActionTable } from './volume-action-registry.js';

const CONTAINER_FORMATS = ['ami', 'ari', 'aki', 'bare', 'ovf', 'ova', 'docker', 'compressed'];
const VISIBILITIES = ['public', 'private', 'community', 'shared'];

function argOf(action: string, raw: unknown): Record<string, unknown> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new BadRequest(`Invalid input for field/attribute ${action}. Value: ${JSON.stringify(raw)}. ${JSON.stringify(raw)} is not of type 'object'`);
  }
  return raw as Record<string, unknown>;
}

function enumOf(action: string, key: string, value: unknown, allowed: readonly string[]): string {
  if (typeof value !== 'string' || !allowed.includes(value)) {
    throw new BadRequest(`Invalid input for field/attribute ${key}. Value: ${JSON.stringify(value)}. ${JSON.stringify(value)} is not one of [${allowed.map((x) => `'${x}'`).join(', ')}]`);
  }
  return value;
}

function uploadInput(c: Caller, raw: unknown): UploadImageInput {
  const action = 'os-volume_upload_image';
  const arg = argOf(action, raw);
  const allowed = ['image_name', 'force', 'disk_format', 'container_format', ...(c.version.atLeast('3.1') ? ['visibility', 'protected'] : [])];
  const extra = Object.keys(arg).filter((k) => !allowed.includes(k));
  if (extra.length > 0) throw new BadRequest(`Invalid input for field/attribute ${action}. Additional properties are not allowed (${extra.map((k) => `'${k}'`).join(', ')} ${extra.length > 1 ? 'were' : 'was'} unexpected)`);
  const name = arg['image_name'];
  if (name === undefined) throw new BadRequest(`Invalid input for field/attribute ${action}. Value: ${JSON.stringify(arg)}. 'image_name' is a required property`);
  if (typeof name !== 'string' || name.length < 1 || name.length > 255) throw new BadRequest(`Invalid input for field/attribute image_name. Value: ${JSON.stringify(name)}. It must be a string of 1 to 255 characters`);
  const input: UploadImageInput = {
    image_name: name,
    disk_format: (arg['disk_format'] === undefined ? 'raw' : enumOf(action, 'disk_format', arg['disk_format'], UPLOAD_DISK_FORMATS)) as UploadDiskFormat,
    container_format: arg['container_format'] === undefined ? 'bare' : enumOf(action, 'container_format', arg['container_format'], CONTAINER_FORMATS),
    force: arg['force'] === undefined ? false : boolParam('force', arg['force']),
  };
  if (c.version.atLeast('3.1')) {
    input.visibility = arg['visibility'] === undefined ? 'private' : enumOf(action, 'visibility', arg['visibility'], VISIBILITIES);
    input.protected = arg['protected'] === undefined ? false : boolParam('protected', arg['protected']);
  }
  return input;
}

export const uploadImageActions: VolumeActionTable = {
  async 'os-volume_upload_image'({ deps, c, v, arg, reply }) {
    const target = { project_id: v.project_id };
    const input = uploadInput(c, arg);
    deps.policy.authorize(c.ctx, 'volume_extension:volume_actions:upload_image', target);
    if (input.visibility === 'public') deps.policy.authorize(c.ctx, 'volume_extension:volume_actions:upload_public', target);
    return reply.code(202).send({ 'os-volume_upload_image': await deps.volumeImages.copyVolumeToImage(c.ctx, v, input) });
  },
};
