/**
 * The block devices of a server create request (nova/compute/api.py _check_and_transform_bdm,
 * _validate_bdm and nova/block_device.py): block_device_mapping_v2 entries become mappings, and
 * the volumes the compute host is to create are checked before anything is recorded.
 *  - existing volume (source volume, destination volume): attached as it is (api.ts reserves it);
 *  - image, blank or snapshot with destination volume: the host creates the volume in Cinder
 *    at build (volume-attach.ts), so here an image must exist and a size be given; a blank
 *    volume needs a size; a snapshot must exist, and gives the size when none is asked;
 *  - image or blank with destination local: a disk of the guest (the image disk, ephemeral, swap).
 */
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../../common/context.js';
import { CinderConnectionFailed, CinderServiceUnavailable, InvalidBDM, InvalidBDMImage, InvalidBDMSnapshot, InvalidBDMVolume, InvalidBDMVolumeNotBootable } from '../errors.js';
import type { GlanceAPI } from '../image/glance.js';
import { BlockDeviceMapping, type ImageMeta } from '../objects/index.js';
import type { CinderAPI } from '../volume/cinder.js';
import type { BlockDeviceRequest } from './api.js';

/** The entry a server boots from (boot_index 0), if the request names one. */
export function rootDeviceRequest(devices: readonly BlockDeviceRequest[]): BlockDeviceRequest | undefined {
  return devices.find((b) => b.boot_index === 0);
}

/** Whether the request's root disk is a volume (is_volume_backed). */
export function isVolumeBacked(imageId: string | null, devices: readonly BlockDeviceRequest[]): boolean {
  const root = rootDeviceRequest(devices);
  if (root) return root.destination_type === 'volume' || root.source_type === 'volume';
  return !imageId;
}

/**
 * _validate_bdm for the volumes to create: images and snapshots are looked up (400 when they
 * cannot be had), sizes required; a snapshot's size fills a missing one. Changes `devices`.
 * @throws InvalidBDM, InvalidBDMImage, InvalidBDMSnapshot, CinderServiceUnavailable
 */
export async function checkVolumeSources(
  ctx: RequestContext,
  devices: BlockDeviceRequest[],
  deps: { glance: GlanceAPI; volume: () => CinderAPI },
): Promise<Map<string, ImageMeta>> {
  const images = new Map<string, ImageMeta>();
  for (const b of devices) {
    if (b.source_type === 'volume' && b.boot_index === 0 && b.uuid) await checkBootableVolume(ctx, b.uuid, deps.volume);
    if (b.destination_type !== 'volume' || b.source_type === 'volume') continue;
    if (b.source_type === 'image') {
      if (!b.uuid) throw new InvalidBDM();
      if (!images.has(b.uuid)) {
        try {
          images.set(b.uuid, await deps.glance.get(ctx, b.uuid));
        } catch {
          throw new InvalidBDMImage(b.uuid);
        }
      }
      if (!b.volume_size) throw new InvalidBDM("Images with destination_type 'volume' need to have a non-zero size specified");
    } else if (b.source_type === 'snapshot') {
      if (!b.uuid) throw new InvalidBDM();
      try {
        const snapshot = await deps.volume().getSnapshot(ctx, b.uuid);
        b.volume_size ||= snapshot.size;
      } catch (err) {
        if (err instanceof CinderConnectionFailed || err instanceof CinderServiceUnavailable) throw err;
        throw new InvalidBDMSnapshot(b.uuid);
      }
    } else if (!b.volume_size) {
      throw new InvalidBDM("Blank volumes (source: 'blank', dest: 'volume') need to have non-zero size");
    }
  }
  return images;
}

/** get_bdm_image_metadata's check of a root volume: it must exist (400) and not be marked not bootable. @throws InvalidBDMVolume, InvalidBDMVolumeNotBootable */
async function checkBootableVolume(ctx: RequestContext, volumeId: string, volume: () => CinderAPI): Promise<void> {
  let bootable: string;
  try {
    bootable = String((await volume().get(ctx, volumeId)).bootable);
  } catch (err) {
    if (err instanceof CinderConnectionFailed || err instanceof CinderServiceUnavailable) throw err;
    throw new InvalidBDMVolume(volumeId);
  }
  if (bootable === 'false') throw new InvalidBDMVolumeNotBootable(volumeId);
}

/** The mappings of one new server: the image disk (unless a root entry is given), then each entry. */
export function blockDeviceMappings(imageId: string | null, devices: readonly BlockDeviceRequest[], instanceUuid: string, image: ImageMeta): BlockDeviceMapping[] {
  const base = {
    instance_uuid: instanceUuid, guest_format: null, device_type: 'disk', disk_bus: null, device_name: null, snapshot_id: null,
    volume_id: null, volume_size: null, volume_type: null, image_id: null, no_device: false, connection_info: null, tag: null, attachment_id: null,
  };
  const out: BlockDeviceMapping[] = [];
  if (imageId && !rootDeviceRequest(devices)) {
    out.push(new BlockDeviceMapping({
      ...base, uuid: randomUUID(), source_type: 'image', destination_type: 'local', boot_index: 0, delete_on_termination: true, image_id: image.data.id,
    }));
  }
  for (const b of devices) {
    const common = {
      ...base, uuid: randomUUID(), boot_index: b.boot_index ?? null, disk_bus: b.disk_bus ?? null, device_type: b.device_type ?? 'disk',
      tag: b.tag ?? null, volume_type: b.volume_type ?? null,
    };
    if (b.destination_type === 'volume' || b.source_type === 'volume') {
      if (b.source_type === 'volume' && !b.uuid) throw new InvalidBDM();
      if (b.source_type === 'volume' && b.destination_type !== 'volume') throw new InvalidBDM('Block Device Mapping is Invalid: a volume can only be attached as a volume (destination_type volume).');
      out.push(new BlockDeviceMapping({
        ...common, source_type: b.source_type, destination_type: 'volume',
        volume_id: b.source_type === 'volume' ? b.uuid! : null,
        image_id: b.source_type === 'image' ? b.uuid! : null,
        snapshot_id: b.source_type === 'snapshot' ? b.uuid! : null,
        volume_size: b.source_type === 'volume' ? null : (b.volume_size ?? null),
        delete_on_termination: b.delete_on_termination ?? false,
        device_name: b.device_name ?? (b.boot_index === 0 ? '/dev/vda' : null),
      }));
      continue;
    }
    if (b.source_type === 'snapshot') throw new InvalidBDM('Block Device Mapping is Invalid: a snapshot can only be used as a volume (destination_type volume).');
    out.push(new BlockDeviceMapping({
      ...common, source_type: b.source_type, destination_type: 'local',
      delete_on_termination: b.delete_on_termination ?? true, image_id: b.source_type === 'image' ? (b.uuid ?? null) : null,
      guest_format: b.guest_format ?? null, device_name: b.device_name ?? null, volume_size: b.volume_size ?? null,
    }));
  }
  return out;
}
