/**
 * A volume and Glance (cinder/volume/api.py copy_volume_to_image and the image metadata of
 * contrib/volume_image_metadata.py): os-volume_upload_image makes a queued image in Glance
 * as the caller (name, formats, visibility and protected from 3.1, the volume's image
 * properties), moves the volume to uploading (available, or in-use with force) and casts the
 * upload to the volume's host; os-set/unset/show_image_metadata read and change the image
 * properties a volume carries (volume_glance_metadata).
 */
import type { RequestContext } from '../../../common/context.js';
import type { CinderRepos } from '../db/repos.js';
import type { VolumeRecord } from '../db/records.js';
import { CinderException, Invalid, InvalidVolume, NotFound } from '../errors.js';
import type { VolumeRpcAPI } from '../volume/rpcapi.js';

/** The disk formats os-volume_upload_image accepts (its schema's enum). */
export const UPLOAD_DISK_FORMATS = ['raw', 'vmdk', 'vdi', 'qcow2', 'vhd', 'vhdx', 'ploop'] as const;
export type UploadDiskFormat = (typeof UPLOAD_DISK_FORMATS)[number];

export interface UploadImageInput {
  image_name: string;
  disk_format: UploadDiskFormat;
  container_format: string;
  force: boolean;
  /** 3.1: visibility and protected of the new image. */
  visibility?: string;
  protected?: boolean;
}

/** What Glance answered for the new image. */
export interface CreatedImage {
  id: string;
  name: string | null;
  disk_format: string | null;
  container_format: string | null;
  visibility?: string;
  protected?: boolean;
}

/** glance_core_properties and what Cinder never copies onto a new image. */
const NOT_COPIED = new Set(['checksum', 'container_format', 'disk_format', 'image_name', 'image_id', 'min_disk', 'min_ram', 'name', 'size']);

export class GlanceMetadataNotFound extends NotFound {
  constructor(id: string) { super(`Glance metadata for volume/snapshot ${id} cannot be found.`); }
}

export class VolumeImageAPI {
  constructor(private readonly o: {
    repos: CinderRepos;
    volume: VolumeRpcAPI;
    /** POST /v2/images as the caller. */
    createImage(ctx: RequestContext, fields: Record<string, unknown>): Promise<CreatedImage>;
  }) {}

  async copyVolumeToImage(ctx: RequestContext, v: VolumeRecord, input: UploadImageInput): Promise<Record<string, unknown>> {
    const expected = input.force ? ['available', 'in-use'] : ['available'];
    if (!v.host || !(await this.o.repos.volumes.conditionalUpdate(v.id, expected, { status: 'uploading', previous_status: v.status }))) {
      throw new InvalidVolume(`Volume ${v.id} status must be ${expected.join(' or ')}`);
    }
    let image: CreatedImage;
    try {
      const fields: Record<string, unknown> = {};
      for (const [k, value] of Object.entries(v.image_metadata)) if (!NOT_COPIED.has(k) && !k.startsWith('os_glance')) fields[k] = value;
      Object.assign(fields, { name: input.image_name, disk_format: input.disk_format, container_format: input.container_format });
      if (input.visibility !== undefined) fields['visibility'] = input.visibility;
      if (input.protected !== undefined) fields['protected'] = input.protected;
      image = await this.o.createImage(ctx, fields);
    } catch (err) {
      await this.o.repos.volumes.conditionalUpdate(v.id, ['uploading'], { status: v.status, previous_status: null });
      // the API answers 400 for whatever the Image service refused (volume_actions.py catches every exception)
      if (err instanceof CinderException) throw err;
      throw new Invalid(`Glance refused the image: ${(err as Error).message}`);
    }
    await this.o.volume.copyVolumeToImage(ctx, v.host, v.id, image.id, input.disk_format);
    const updated = await this.o.repos.volumes.find(v.id);
    const t = v.volume_type;
    const response: Record<string, unknown> = {
      id: v.id, updated_at: updated?.updated_at ?? v.updated_at, status: 'uploading', display_description: v.display_description, size: v.size,
      volume_type: t ? {
        id: t.id, name: t.name, description: t.description, is_public: t.is_public, extra_specs: t.extra_specs, qos_specs_id: null,
        created_at: t.created_at, updated_at: t.updated_at, deleted: t.deleted, deleted_at: null,
      } : null,
      image_id: image.id, container_format: image.container_format, disk_format: image.disk_format, image_name: image.name,
    };
    if (image.protected !== undefined) response['protected'] = image.protected;
    if (image.visibility !== undefined) response['visibility'] = image.visibility;
    return response;
  }

  async setImageMetadata(v: VolumeRecord, metadata: Record<string, string>): Promise<Record<string, string>> {
    if (v.status === 'maintenance') throw new InvalidVolume(`Volume ${v.id} is in maintenance.`);
    return this.o.repos.volumes.imageMetadata.set(v.id, metadata, false);
  }

  async unsetImageMetadata(v: VolumeRecord, key: string): Promise<void> {
    if (v.image_metadata[key] === undefined || !(await this.o.repos.volumes.imageMetadata.remove(v.id, key))) throw new GlanceMetadataNotFound(v.id);
  }
}
