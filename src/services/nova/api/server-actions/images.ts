/**
 * createImage (nova's servers.py _action_create_image) and createBackup (create_backup.py):
 * the image record is made at once and the host uploads the disk. Before 2.45 the answer is an
 * empty 202 with the image's Location (Glance's URL for a snapshot, the Compute images URL for
 * a backup with a rotation); from 2.45 a body with image_id. Before 2.39 the metadata counts
 * against the metadata_items quota (403).
 */
import { Forbidden } from '../../../../common/errors.js';
import { OverQuota } from '../../errors.js';
import type { ImageMeta } from '../../objects/index.js';
import { METADATA, NAME, NAME_WITH_SPACES } from '../schemas/servers.js';
import { validateBody } from '../validation.js';
import { NON_NEGATIVE_INTEGER } from './schemas.js';
import type { ActionCall, ServerAction } from './index.js';

const CREATE_IMAGE = {
  type: 'object',
  properties: { name: NAME, metadata: METADATA },
  required: ['name'],
  additionalProperties: false,
};

const CREATE_BACKUP = {
  type: 'object',
  properties: { name: NAME, backup_type: { type: 'string' }, rotation: NON_NEGATIVE_INTEGER, metadata: METADATA },
  required: ['name', 'backup_type', 'rotation'],
  additionalProperties: false,
};
/** create_backup_v20: the legacy v2 API's (schemas/legacy-v20.ts). */
const CREATE_BACKUP_V20 = { ...CREATE_BACKUP, properties: { ...CREATE_BACKUP.properties, name: NAME_WITH_SPACES } };

/** check_img_metadata_properties_quota (up to 2.38, MAX_IMAGE_META_PROXY_API_VERSION). */
async function checkMetadataQuota(call: ActionCall, metadata: Record<string, string>): Promise<void> {
  if (!call.caller.version.inRange('2.1', '2.38') || Object.keys(metadata).length === 0) return;
  try {
    await call.deps.compute.lifecycle.checkImageMetadataQuota(call.instance.data.project_id, Object.keys(metadata).length);
  } catch (err) {
    if (err instanceof OverQuota) throw new Forbidden('Image metadata limit exceeded');
    throw err;
  }
}

async function answer(call: ActionCall, image: ImageMeta, location: string | null): Promise<unknown> {
  if (call.caller.version.atLeast('2.45')) return call.reply.code(202).send({ image_id: image.data.id });
  if (location) call.reply.header('location', location);
  return call.reply.code(202).send();
}

export const imageActions: ServerAction[] = [
  {
    name: 'createImage',
    async run(call) {
      const { deps, caller: c, instance } = call;
      const args = validateBody<{ name: string; metadata?: Record<string, string> }>(CREATE_IMAGE, call.body);
      deps.policy.can(c.ctx, 'os_compute_api:servers:create_image', { project_id: instance.data.project_id });
      const metadata = args.metadata ?? {};
      await checkMetadataQuota(call, metadata);
      if (await deps.compute.lifecycle.isVolumeBacked(instance)) deps.policy.can(c.ctx, 'os_compute_api:servers:create_image:allow_volume_backed', { project_id: instance.data.project_id });
      const image = await deps.compute.lifecycle.snapshot(c.ctx, instance, args.name.trim(), metadata);
      return answer(call, image, c.version.atLeast('2.45') ? null : await deps.compute.lifecycle.imageUrl(image.data.id));
    },
  },
  {
    name: 'createBackup',
    async run(call) {
      const { deps, caller: c, instance } = call;
      const args = validateBody<{ name: string; backup_type: string; rotation: number | string; metadata?: Record<string, string> }>(CREATE_BACKUP, call.body, CREATE_BACKUP_V20);
      deps.policy.can(c.ctx, 'os_compute_api:os-create-backup', { user_id: instance.data.user_id, project_id: instance.data.project_id });
      const rotation = Number(args.rotation);
      const metadata = args.metadata ?? {};
      await checkMetadataQuota(call, metadata);
      const image = await deps.compute.lifecycle.backup(c.ctx, instance, args.name.trim(), args.backup_type, rotation, metadata);
      return answer(call, image, rotation > 0 ? deps.links.resource('images', image.data.id)[0]!.href : null);
    },
  },
];
