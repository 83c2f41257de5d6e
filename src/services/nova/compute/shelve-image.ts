/**
 * The Glance image of a shelved server (nova/compute/utils.py create_image with
 * initialize_instance_snapshot_metadata, and the upload a driver's snapshot does): the API
 * creates `<name>-shelved` (private, image_type snapshot, instance_uuid, user_id,
 * base_image_ref, min_ram/min_disk), the compute host uploads the guest's disk bytes to it
 * (disk and container format set first, as the driver does), and the image is deleted once
 * the server is unshelved.
 * The disk comes from the driver's snapshot (the one createImage uses), its task states mapped
 * to shelve's.
 */
import { ServiceClientError, type ImageClient } from '../../../common/clients/index.js';
import type { RequestContext } from '../../../common/context.js';
import type { Instance } from '../objects/index.js';

function client(images: ImageClient, ctx: RequestContext): ImageClient {
  return ctx.token ? images.forUser(ctx.token) : images;
}

/** create_image(..., 'snapshot'): the queued image record; its id. */
export async function createShelveImage(images: ImageClient, ctx: RequestContext, instance: Instance): Promise<string> {
  const sys = instance.data.system_metadata;
  const image = await client(images, ctx).createImage({
    name: `${instance.data.display_name}-shelved`,
    visibility: 'private',
    min_ram: Number(sys['image_min_ram'] ?? 0) || 0,
    min_disk: Number(sys['image_min_disk'] ?? instance.data.flavor.data.root_gb) || 0,
    instance_uuid: instance.uuid,
    user_id: ctx.userId ?? instance.data.user_id,
    image_type: 'snapshot',
    image_location: 'snapshot',
    owner_id: instance.data.project_id,
    ...(instance.data.image_ref ? { base_image_ref: instance.data.image_ref } : {}),
  });
  return image.id;
}

/** The driver's snapshot bytes into the image (formats first: Glance takes no data without them). */
export async function uploadShelveImage(
  images: ImageClient, ctx: RequestContext, imageId: string, data: Buffer, meta: { disk_format: string; container_format: string },
): Promise<void> {
  const c = client(images, ctx);
  await c.updateImage(imageId, [{ op: 'replace', path: '/disk_format', value: meta.disk_format }, { op: 'replace', path: '/container_format', value: meta.container_format }]);
  await c.uploadData(imageId, data, { size: data.length });
}

/** _delete_snapshot_of_shelved_instance: a missing image is not an error. */
export async function deleteShelveImage(images: ImageClient, ctx: RequestContext, imageId: string): Promise<void> {
  try {
    await client(images, ctx).deleteImage(imageId);
  } catch (err) {
    if (err instanceof ServiceClientError && (err.status === 404 || err.status === 403)) {
      if (err.status === 403) await images.deleteImage(imageId).catch(() => undefined);
      return;
    }
    throw err;
  }
}
