/**
 * The volume actions about Glance (cinder/api/contrib/volume_actions.py's
 * os-volume_upload_image, contrib/volume_image_metadata.py): os-volume_upload_image (202;
 * visibility and protected from 3.1), os-set_image_metadata, os-unset_image_metadata and
 * os-show_image_metadata (200). Returns undefined for any other action.
 */
import { BadRequest } from '../../../common/errors.js';
import type { VolumeRecord } from '../db/records.js';
import { UPLOAD_DISK_FORMATS, type UploadDiskFormat, type UploadImageInput } from '../managers/volume-images.js';
import type { ApiDeps } from './deps.js';
import { boolParam, metadataOf, type Caller } from './request.js';

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

export async function volumeImageAction(deps: ApiDeps, c: Caller, v: VolumeRecord, action: string, raw: unknown): Promise<{ code: number; body?: unknown } | undefined> {
  const target = { project_id: v.project_id };
  switch (action) {
    case 'os-volume_upload_image': {
      const input = uploadInput(c, raw);
      deps.policy.authorize(c.ctx, 'volume_extension:volume_actions:upload_image', target);
      if (input.visibility === 'public') deps.policy.authorize(c.ctx, 'volume_extension:volume_actions:upload_public', target);
      return { code: 202, body: { 'os-volume_upload_image': await deps.volumeImages.copyVolumeToImage(c.ctx, v, input) } };
    }
    case 'os-set_image_metadata': {
      const arg = argOf(action, raw);
      if (arg['metadata'] === undefined) throw new BadRequest(`Invalid input for field/attribute ${action}. Value: ${JSON.stringify(arg)}. 'metadata' is a required property`);
      const metadata = metadataOf(arg['metadata']);
      deps.policy.authorize(c.ctx, 'volume_extension:volume_image_metadata:set', target);
      return { code: 200, body: { metadata: await deps.volumeImages.setImageMetadata(v, metadata) } };
    }
    case 'os-unset_image_metadata': {
      const key = argOf(action, raw)['key'];
      if (typeof key !== 'string' || key.length < 1 || key.length > 255) throw new BadRequest(`Invalid input for field/attribute ${action}. 'key' is a required property`);
      deps.policy.authorize(c.ctx, 'volume_extension:volume_image_metadata:remove', target);
      await deps.volumeImages.unsetImageMetadata(v, key);
      return { code: 200 };
    }
    case 'os-show_image_metadata':
      deps.policy.authorize(c.ctx, 'volume_extension:volume_image_metadata:show', target);
      return { code: 200, body: { metadata: v.image_metadata } };
    default:
      return undefined;
  }
}
