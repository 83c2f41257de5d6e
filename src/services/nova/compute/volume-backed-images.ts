/**
 * Images of volume-backed servers (nova/compute/api.py snapshot_volume_backed,
 * _get_image_defined_bdms and _merge_bdms_lists; nova/block_device.py snapshot_from_bdm and
 * get_image_mapping).
 *
 * createImage of a server whose root disk is a volume makes no disk image: each of the server's
 * volumes gets a Cinder snapshot (forced: the volume is in use), and the Glance image is a
 * bucket of properties without data (size 0) whose `block_device_mapping` (JSON, `bdm_v2 =
 * True`) maps each snapshot where its volume was. A server booted from that image gets those
 * mappings as if it had asked for them: its root disk is a new volume made from the root
 * volume's snapshot.
 *
 * Nova first quiesces the guest through the QEMU guest agent; Nubo's guests have none, and Nova
 * skips the quiesce likewise when the driver cannot (unless the image requires it, which
 * `os_require_quiesce` images cannot have here: refused with a 409, as Nova's quiesce failure).
 * Images whose mappings are in the legacy (v1) format are not read: only `bdm_v2` ones.
 */
import type { ImageCreate } from '../../../common/clients/index.js';
import type { RequestContext } from '../../../common/context.js';
import { Forbidden, InstanceQuiesceFailed, InvalidBDM } from '../errors.js';
import type { GlanceAPI } from '../image/glance.js';
import type { BlockDeviceMapping, ImageMeta, Instance } from '../objects/index.js';
import type { CinderAPI } from '../volume/cinder.js';
import type { BlockDeviceRequest } from './api.js';

/** One entry of an image's `block_device_mapping` property: a BlockDeviceDict without the database fields and the connection info. */
export interface ImageBlockDevice {
  source_type: BlockDeviceRequest['source_type'];
  destination_type: 'local' | 'volume' | null;
  guest_format: string | null;
  device_type: string | null;
  disk_bus: string | null;
  boot_index: number | null;
  device_name: string | null;
  delete_on_termination: boolean | null;
  snapshot_id: string | null;
  volume_id: string | null;
  volume_size: number | null;
  image_id: string | null;
  no_device: boolean | null;
  tag: string | null;
  volume_type: string | null;
}

const EMPTY: Omit<ImageBlockDevice, 'source_type'> = {
  destination_type: null, guest_format: null, device_type: null, disk_bus: null, boot_index: null, device_name: null,
  delete_on_termination: null, snapshot_id: null, volume_id: null, volume_size: null, image_id: null, no_device: null, tag: null, volume_type: null,
};

/** get_image_mapping of a mapping that stays as it is (an ephemeral or swap disk of the server). */
export function imageMapping(bdm: BlockDeviceMapping): ImageBlockDevice {
  const d = bdm.data;
  return {
    source_type: d.source_type, destination_type: d.destination_type, guest_format: d.guest_format, device_type: d.device_type, disk_bus: d.disk_bus,
    boot_index: d.boot_index, device_name: d.device_name, delete_on_termination: d.delete_on_termination, snapshot_id: d.snapshot_id,
    volume_id: d.volume_id, volume_size: d.volume_size, image_id: d.image_id, no_device: d.no_device, tag: d.tag, volume_type: d.volume_type,
  };
}

/** snapshot_from_bdm + get_image_mapping: a new volume from `snapshotId`, where the volume of `bdm` was. */
export function snapshotMapping(snapshotId: string, bdm: BlockDeviceMapping): ImageBlockDevice {
  const d = bdm.data;
  return {
    ...EMPTY, source_type: 'snapshot', destination_type: 'volume', snapshot_id: snapshotId, disk_bus: d.disk_bus, device_type: d.device_type,
    boot_index: d.boot_index, delete_on_termination: d.delete_on_termination, volume_size: d.volume_size, device_name: d.device_name,
  };
}

export interface VolumeBackedSnapshotDeps {
  glance: GlanceAPI;
  volume: () => CinderAPI;
}

/**
 * snapshot_volume_backed: `fields` is the image record a snapshot of the server would get
 * (initialize_instance_snapshot_metadata). Snapshot quota checked in Cinder first (403), one
 * forced snapshot per volume, then the image, made active without data as Nova's glance.py
 * does for a size-0 image (qcow2/bare).
 * @throws Forbidden (over the snapshot quota), InstanceQuiesceFailed, VolumeNotFound
 */
export async function snapshotVolumeBacked(
  ctx: RequestContext, instance: Instance, bdms: readonly BlockDeviceMapping[], fields: ImageCreate, deps: VolumeBackedSnapshotDeps,
): Promise<ImageMeta> {
  const name = String(fields.name ?? '');
  const volumes = bdms.filter((b) => !b.data.no_device && b.isVolume);
  const mapping = bdms.filter((b) => !b.data.no_device && !b.isVolume).map(imageMapping);
  if (volumes.length > 0) {
    const cinder = deps.volume();
    const limits = await cinder.absoluteLimits(ctx);
    const max = limits['maxTotalSnapshots'] ?? -1;
    if (max > -1 && volumes.length + (limits['totalSnapshotsUsed'] ?? 0) > max) throw new Forbidden('Quota exceeded for resources: snapshots');
    if (/^(1|true|yes|on)$/i.test(instance.data.system_metadata['image_os_require_quiesce'] ?? '')) {
      throw new InstanceQuiesceFailed(instance.uuid, 'the guest has no QEMU guest agent to quiesce it');
    }
    for (const bdm of volumes) {
      const volume = await cinder.get(ctx, bdm.data.volume_id ?? '');
      const description = typeof volume['description'] === 'string' ? volume['description'] : null;
      const snapshot = await cinder.createSnapshot(ctx, volume.id, { name: `snapshot for ${name}`, description, force: true });
      mapping.push(snapshotMapping(snapshot.id, bdm));
    }
  }
  const image: ImageCreate = { ...fields, disk_format: 'qcow2', container_format: 'bare' };
  for (const key of ['block_device_mapping', 'bdm_v2', 'root_device_name']) delete image[key];
  if (instance.data.root_device_name) image['root_device_name'] = instance.data.root_device_name;
  if (mapping.length > 0) {
    image['block_device_mapping'] = JSON.stringify(mapping);
    image['bdm_v2'] = 'True';
  }
  const created = await deps.glance.create(ctx, image);
  await deps.glance.upload(ctx, created.data.id, Buffer.alloc(0), { disk_format: 'qcow2', container_format: 'bare' });
  return deps.glance.get(ctx, created.data.id);
}

/** _get_image_defined_bdms (v2 mappings only): the image's `block_device_mapping` as block device requests. @throws InvalidBDM */
export function imageDefinedBlockDevices(image: ImageMeta): BlockDeviceRequest[] {
  const props = image.data.properties;
  const raw = props['block_device_mapping'];
  if (!raw || !/^(1|true|yes|on)$/i.test(props['bdm_v2'] ?? '')) return [];
  let entries: unknown;
  try {
    entries = JSON.parse(raw);
  } catch {
    throw new InvalidBDM(`Block Device Mapping is Invalid: the block_device_mapping property of image ${image.data.id} is not JSON.`);
  }
  if (!Array.isArray(entries)) throw new InvalidBDM(`Block Device Mapping is Invalid: the block_device_mapping property of image ${image.data.id} is not a list.`);
  const out: BlockDeviceRequest[] = [];
  for (const e of entries as Array<Partial<ImageBlockDevice>>) {
    if (!e || typeof e !== 'object' || !['image', 'volume', 'snapshot', 'blank'].includes(String(e.source_type))) {
      throw new InvalidBDM(`Block Device Mapping is Invalid: image ${image.data.id} maps a device without a valid source_type.`);
    }
    if (e.no_device) continue;
    const uuid = e.source_type === 'snapshot' ? e.snapshot_id : e.source_type === 'volume' ? e.volume_id : e.source_type === 'image' ? e.image_id : null;
    const req: BlockDeviceRequest = { source_type: e.source_type! };
    if (e.destination_type) req.destination_type = e.destination_type;
    if (uuid) req.uuid = uuid;
    if (e.boot_index !== undefined) req.boot_index = e.boot_index;
    if (typeof e.volume_size === 'number') req.volume_size = e.volume_size;
    if (typeof e.delete_on_termination === 'boolean') req.delete_on_termination = e.delete_on_termination;
    for (const key of ['device_name', 'guest_format', 'disk_bus', 'device_type', 'volume_type', 'tag'] as const) {
      const v = e[key];
      if (typeof v === 'string') req[key] = v;
    }
    out.push(req);
  }
  return out;
}

/**
 * _check_and_transform_bdm's merge: when the image maps a root device, the client's image entry
 * for the root goes; then the request's entries, and the image's for devices the request does
 * not name.
 */
export function mergeBlockDevices(imageDefined: readonly BlockDeviceRequest[], requested: readonly BlockDeviceRequest[]): BlockDeviceRequest[] {
  if (imageDefined.length === 0) return [...requested];
  const rootInImage = imageDefined.some((b) => b.boot_index === 0);
  const kept = rootInImage ? requested.filter((b) => !(b.boot_index === 0 && b.source_type === 'image')) : [...requested];
  const named = new Set(kept.map((b) => b.device_name).filter((n): n is string => !!n));
  return [...kept, ...imageDefined.filter((b) => !b.device_name || !named.has(b.device_name))];
}
