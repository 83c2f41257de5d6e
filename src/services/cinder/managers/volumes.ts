/**
 * The volume API (cinder/volume/api.py): the rules of each request on volumes before the
 * scheduler and the volume services do the work. create: a type (the default one unless
 * named), a zone, a size (the source's when from a snapshot or volume), quotas, then the row
 * in `creating` and a cast to the scheduler; delete: only from the deletable states, never
 * attached, with snapshots only when cascading; extend: available (in-use from 3.42), bigger,
 * within quota; the admin actions reset_status, set_bootable, update_readonly_flag;
 * metadata. Status moves are compare-and-swap, so a racing request gets Cinder's 400.
 */
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../../common/context.js';
import type { CinderRepos } from '../db/repos.js';
import type { VolumeRecord } from '../db/records.js';
import { BackupNotFound, InvalidBackup } from '../backup/errors.js';
import { InvalidAvailabilityZone, InvalidInput, InvalidVolume, SnapshotNotFound, VolumeMetadataNotFound, VolumeNotFound } from '../errors.js';
import type { SchedulerRpcAPI } from '../scheduler/rpcapi.js';
import type { VolumeRpcAPI } from '../volume/rpcapi.js';
import type { Quotas } from './quotas.js';
import type { VolumeTypes } from './volume-types.js';

export interface CreateVolumeInput {
  size: number | null;
  name: string | null;
  description: string | null;
  metadata: Record<string, string>;
  volume_type: string | null;
  availability_zone: string | null;
  snapshot_id: string | null;
  source_volid: string | null;
  image_id: string | null;
  /** A backup to restore into the new volume (3.47). */
  backup_id?: string | null;
  multiattach: boolean;
  /** The generic group the volume joins (checked by the group API). */
  group_id?: string | null;
}

/** What the API needs of a Glance image (as the caller sees it). */
export interface ImageInfo {
  id: string;
  name: string | null;
  status: string;
  size: number | null;
  virtual_size: number | null;
  min_disk: number;
  min_ram: number;
  checksum: string | null;
  disk_format: string | null;
  container_format: string | null;
  [property: string]: unknown;
}

export interface VolumeSettings {
  storageAvailabilityZone: string;
  allowAvailabilityZoneFallback: boolean;
}

/** States a volume may be deleted from (volume/api.py delete, without force). */
export const DELETABLE = ['available', 'error', 'error_restoring', 'error_extending', 'error_managing'];
/** Every status os-reset_status accepts (fields.VolumeStatus). */
export const VOLUME_STATUSES = [
  'creating', 'available', 'deleting', 'error', 'error_deleting', 'error_managing', 'managing', 'attaching', 'in-use', 'detaching',
  'maintenance', 'restoring-backup', 'error_restoring', 'reserved', 'awaiting-transfer', 'backing-up', 'error_backing-up',
  'error_extending', 'downloading', 'uploading', 'retyping', 'extending', 'reverting',
];

/** The image attributes Cinder copies into volume_glance_metadata (core ones and string properties). */
function imageMetadataOf(image: ImageInfo): Record<string, string> {
  const out: Record<string, string> = { image_id: image.id };
  const core: Record<string, unknown> = {
    image_name: image.name, checksum: image.checksum, container_format: image.container_format, disk_format: image.disk_format,
    min_disk: image.min_disk, min_ram: image.min_ram, size: image.size,
  };
  for (const [k, v] of Object.entries(core)) if (v !== null && v !== undefined) out[k] = String(v);
  const skip = new Set(['id', 'name', 'status', 'visibility', 'owner', 'size', 'virtual_size', 'checksum', 'os_hash_algo', 'os_hash_value', 'disk_format',
    'container_format', 'min_disk', 'min_ram', 'protected', 'tags', 'created_at', 'updated_at', 'self', 'file', 'schema', 'stores', 'locations', 'direct_url', 'os_hidden']);
  for (const [k, v] of Object.entries(image)) if (!skip.has(k) && typeof v === 'string' && k.length <= 255 && v.length <= 65535) out[k] = v;
  return out;
}

export class VolumeAPI {
  constructor(private readonly o: {
    repos: CinderRepos; types: VolumeTypes; quotas: Quotas; scheduler: SchedulerRpcAPI; volume: VolumeRpcAPI; settings: VolumeSettings;
    /** @throws ImageNotFound (404) when the caller cannot see it */
    getImage(ctx: RequestContext, id: string): Promise<ImageInfo>;
  }) {}

  private get repos(): CinderRepos {
    return this.o.repos;
  }

  /** A live volume the caller may see (another project's is 404 unless admin). */
  async get(ctx: RequestContext, id: string, isAdmin: boolean): Promise<VolumeRecord> {
    const v = await this.repos.volumes.find(id);
    if (!v || (!isAdmin && v.project_id !== ctx.projectId)) throw new VolumeNotFound(id);
    return v;
  }

  /** The zones volume services serve (enabled ones). */
  async availabilityZones(): Promise<Array<{ name: string; available: boolean }>> {
    const zones = new Map<string, boolean>();
    for (const s of await this.repos.services.list()) {
      if (s.binary !== 'cinder-volume') continue;
      zones.set(s.availability_zone, (zones.get(s.availability_zone) ?? false) || !s.disabled);
    }
    if (zones.size === 0) zones.set(this.o.settings.storageAvailabilityZone, true);
    return [...zones].map(([name, available]) => ({ name, available }));
  }

  private async zoneFor(requested: string | null, sourceZone: string | null): Promise<string> {
    const zone = requested ?? sourceZone ?? this.o.settings.storageAvailabilityZone;
    const zones = (await this.availabilityZones()).map((z) => z.name);
    if (zones.includes(zone)) return zone;
    if (this.o.settings.allowAvailabilityZoneFallback) return this.o.settings.storageAvailabilityZone;
    throw new InvalidAvailabilityZone(zone);
  }

  async create(ctx: RequestContext, isAdmin: boolean, input: CreateVolumeInput): Promise<VolumeRecord> {
    let size = input.size;
    let sourceZone: string | null = null;
    let sourceTypeId: string | null = null;
    let resourceBackend: string | null = null;
    /** The volume this one is made from (directly, or through the snapshot asked for). */
    let source: VolumeRecord | undefined;
    if (input.snapshot_id) {
      const snap = await this.repos.snapshots.find(input.snapshot_id);
      if (!snap || (!isAdmin && snap.project_id !== ctx.projectId)) throw new SnapshotNotFound(input.snapshot_id);
      if (snap.status !== 'available') throw new InvalidInput(`Snapshot ${snap.id} status must be available`);
      const src = await this.repos.volumes.find(snap.volume_id);
      size ??= snap.volume_size;
      if (size < snap.volume_size) throw new InvalidInput(`Volume size '${size}'GB cannot be smaller than the snapshot size ${snap.volume_size}GB. They must be >= original snapshot size.`);
      sourceZone = src?.availability_zone ?? null;
      sourceTypeId = src?.volume_type_id ?? null;
      resourceBackend = src?.host?.split('#')[0] ?? null;
      source = src;
    } else if (input.source_volid) {
      const src = await this.repos.volumes.find(input.source_volid);
      if (!src || (!isAdmin && src.project_id !== ctx.projectId)) throw new VolumeNotFound(input.source_volid);
      if (!['available', 'in-use'].includes(src.status)) throw new InvalidVolume(`Unable to clone volumes that are in an error state`);
      size ??= src.size;
      if (size < src.size) throw new InvalidInput(`Volume size '${size}'GB cannot be smaller than original volume size  ${src.size}GB. They must be >= original volume size.`);
      sourceZone = src.availability_zone;
      sourceTypeId = src.volume_type_id;
      resourceBackend = src.host?.split('#')[0] ?? null;
      source = src;
    }
    if (input.backup_id) {
      const b = await this.repos.backups.find(input.backup_id);
      if (!b || (!isAdmin && b.project_id !== ctx.projectId)) throw new BackupNotFound(input.backup_id);
      if (b.status !== 'available') throw new InvalidBackup(`Backup ${b.id} status must be available, but the current status is ${b.status}.`);
      size ??= b.size;
      if (size < b.size) throw new InvalidInput(`Volume size ${size}GB cannot be smaller than the backup size ${b.size}GB. It must be >= backup size.`);
    }
    // volume_glance_metadata_copy_to_volume / _from_volume_to_volume: a volume made from a snapshot
    // or a volume keeps the image metadata (and the bootable flag) of the volume it comes from
    let imageMetadata: Record<string, string> = { ...(source?.image_metadata ?? {}) };
    if (input.image_id) {
      const image = await this.o.getImage(ctx, input.image_id);
      if (image.status !== 'active') throw new InvalidInput(`Image ${image.id} is not active.`);
      const imageGb = Math.max(1, Math.ceil(Number(image.virtual_size ?? image.size ?? 0) / 1024 ** 3));
      size ??= Math.max(imageGb, image.min_disk);
      if (Number(image.size ?? 0) > size * 1024 ** 3) throw new InvalidInput(`Size of specified image ${imageGb}GB is larger than volume size ${size}GB.`);
      if (image.min_disk > size) throw new InvalidInput(`Volume size ${size}GB cannot be smaller than the image minDisk size ${image.min_disk}GB.`);
      imageMetadata = imageMetadataOf(image);
    }
    if (size === null) throw new InvalidInput('Size must be specified');
    if (!Number.isInteger(size) || size <= 0) throw new InvalidInput(`Volume size '${size}' must be an integer and greater than 0`);
    const type = input.volume_type !== null
      ? await this.o.types.byNameOrId(input.volume_type, ctx.projectId, isAdmin)
      : sourceTypeId ? await this.o.types.get(sourceTypeId).catch(() => this.o.types.getDefault(ctx.projectId)) : await this.o.types.getDefault(ctx.projectId);
    const zone = await this.zoneFor(input.availability_zone, sourceZone);
    const multiattach = input.multiattach || type.extra_specs['multiattach'] === '<is> True';
    const projectId = ctx.projectId ?? '';
    const id = randomUUID();
    if (input.backup_id && !(await this.repos.backups.conditionalUpdate(input.backup_id, ['available'], { status: 'restoring', restore_volume_id: id }))) {
      throw new InvalidBackup(`Backup ${input.backup_id} status must be available.`);
    }
    await this.o.quotas.reserve(projectId, { volumes: 1, gigabytes: size, size, typeName: type.name }, (trx) => this.repos.volumes.create({
      id, project_id: projectId, user_id: ctx.userId ?? '', host: null, size, availability_zone: zone, status: 'creating', attach_status: 'detached',
      migration_status: null, previous_status: null, display_name: input.name, display_description: input.description, volume_type_id: type.id,
      snapshot_id: input.snapshot_id, source_volid: input.source_volid, bootable: false, multiattach, encryption_key_id: null, provider_location: null,
      replication_status: null, service_uuid: null, launched_at: null, terminated_at: null, backup_id: input.backup_id ?? null, group_id: input.group_id ?? null,
    }, input.metadata, {}, imageMetadata, trx));
    if (source?.bootable) await this.repos.volumes.update(id, { bootable: true });
    await this.o.scheduler.createVolume(ctx, {
      volume_id: id, size, availability_zone: zone, volume_type_id: type.id, extra_specs: type.extra_specs, multiattach, resource_backend: resourceBackend,
    });
    return (await this.repos.volumes.find(id))!;
  }

  async update(v: VolumeRecord, fields: { display_name?: string | null; display_description?: string | null; metadata?: Record<string, string> }): Promise<VolumeRecord> {
    const { metadata, ...rest } = fields;
    if (Object.keys(rest).length > 0) await this.repos.volumes.update(v.id, rest);
    if (metadata !== undefined) await this.repos.volumes.metadata.set(v.id, metadata, true);
    return (await this.repos.volumes.find(v.id))!;
  }

  /** `inGroupDelete`: the group API deletes its group's volumes (a volume in a group cannot go alone). */
  async delete(ctx: RequestContext, v: VolumeRecord, opts: { cascade: boolean; force: boolean; inGroupDelete?: boolean }): Promise<void> {
    if (v.group_id && !opts.inGroupDelete) throw new InvalidVolume(`Volume ${v.id} belongs to group ${v.group_id}: delete the group with its volumes, or remove the volume from it first.`);
    // force ignores the status (volume/api.py delete), not an attachment
    const expected = opts.force ? VOLUME_STATUSES : DELETABLE;
    if (opts.force && v.attach_status === 'attached') throw new InvalidVolume('Volume must not be attached to be force deleted.');
    if (!opts.force) {
      if (v.attachments.length > 0 || v.attach_status !== 'detached') {
        throw new InvalidVolume('Volume status must be available or error or error_restoring or error_extending or error_managing and must not be migrating, attached, belong to a group, have snapshots, awaiting a transfer, or be disassociated from snapshots after volume transfer.');
      }
      const snaps = await this.repos.snapshots.ofVolume(v.id);
      if (snaps.length > 0 && !opts.cascade) throw new InvalidVolume('Volume still has 1 dependent snapshots.'.replace('1', String(snaps.length)));
      if (opts.cascade && snaps.some((s) => !['available', 'error'].includes(s.status))) {
        throw new InvalidVolume('Snapshot of volume not in a state to be deleted (cascade).');
      }
    }
    const moved = await this.repos.volumes.conditionalUpdate(v.id, expected, { status: 'deleting', previous_status: v.status });
    if (!moved) {
      throw new InvalidVolume('Volume status must be available or error or error_restoring or error_extending or error_managing and must not be migrating, attached, belong to a group, have snapshots, awaiting a transfer, or be disassociated from snapshots after volume transfer.');
    }
    if (opts.cascade) for (const s of await this.repos.snapshots.ofVolume(v.id)) await this.repos.snapshots.update(s.id, { status: 'deleting' });
    if (!v.host) {
      // never scheduled: nothing on any backend (volume/api.py deletes the row at once)
      for (const s of await this.repos.snapshots.ofVolume(v.id)) await this.repos.snapshots.softDelete(s.id);
      await this.repos.volumes.softDelete(v.id);
      return;
    }
    await this.o.volume.deleteVolume(ctx, v.host, v.id, opts.cascade);
  }

  async extend(ctx: RequestContext, v: VolumeRecord, newSize: number, allowInUse: boolean): Promise<void> {
    const allowed = allowInUse ? ['available', 'in-use'] : ['available'];
    if (!allowed.includes(v.status)) {
      throw new InvalidVolume(`Volume ${v.id} status must be ${allowed.join(' or ')}, but current status is: ${v.status}.`);
    }
    if (newSize <= v.size) throw new InvalidInput(`New size for extend must be greater than current size. (current: ${v.size}, extended: ${newSize}).`);
    await this.o.quotas.check(v.project_id, { gigabytes: newSize - v.size, size: newSize, typeName: v.volume_type?.name ?? '' });
    if (!(await this.repos.volumes.conditionalUpdate(v.id, allowed, { status: 'extending', previous_status: v.status }))) {
      throw new InvalidVolume(`Volume ${v.id} status must be ${allowed.join(' or ')}.`);
    }
    await this.o.volume.extendVolume(ctx, v.host!, v.id, newSize);
  }

  async resetStatus(v: VolumeRecord, fields: { status?: string; attach_status?: string; migration_status?: string }): Promise<void> {
    const update: Record<string, string | null> = {};
    if (fields.status !== undefined) {
      if (!VOLUME_STATUSES.includes(fields.status)) throw new InvalidInput(`Must specify a valid status`);
      update['status'] = fields.status;
    }
    if (fields.attach_status !== undefined) {
      if (!['attached', 'detached'].includes(fields.attach_status)) throw new InvalidInput(`Must specify a valid attach status`);
      update['attach_status'] = fields.attach_status;
      if (fields.attach_status === 'detached') for (const a of v.attachments) await this.repos.volumes.deleteAttachment(a.id);
    }
    if (fields.migration_status !== undefined) update['migration_status'] = fields.migration_status === 'none' ? null : fields.migration_status;
    await this.repos.volumes.update(v.id, update);
  }

  async setBootable(v: VolumeRecord, bootable: boolean): Promise<void> {
    await this.repos.volumes.update(v.id, { bootable });
  }

  async updateReadonlyFlag(v: VolumeRecord, readonly: boolean): Promise<void> {
    if (!['available', 'in-use'].includes(v.status)) {
      throw new InvalidVolume(`Volume ${v.id} status must be available or in-use, but current status is: ${v.status}.`);
    }
    await this.repos.volumes.adminMetadata.set(v.id, { readonly: readonly ? 'True' : 'False' }, false);
  }

  // --- metadata -------------------------------------------------------------------------------

  async setMetadata(v: VolumeRecord, metadata: Record<string, string>, replace: boolean): Promise<Record<string, string>> {
    if (v.status === 'maintenance') throw new InvalidVolume(`Volume ${v.id} is in maintenance.`);
    return this.repos.volumes.metadata.set(v.id, metadata, replace);
  }

  metadataItem(v: VolumeRecord, key: string): string {
    const value = v.metadata[key];
    if (value === undefined) throw new VolumeMetadataNotFound(v.id, key);
    return value;
  }

  async deleteMetadata(v: VolumeRecord, key: string): Promise<void> {
    if (!(await this.repos.volumes.metadata.remove(v.id, key))) throw new VolumeMetadataNotFound(v.id, key);
  }
}
