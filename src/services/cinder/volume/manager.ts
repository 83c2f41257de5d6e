/**
 * VolumeManager (cinder/volume/manager.py) of one backend host: the driver's work behind the
 * volume states. create_volume: creating → available (or error), from a snapshot or another
 * volume when the volume names one; delete_volume: deleting → gone (error_deleting when the
 * driver fails), cascading to the snapshots; extend_volume: extending → available (or
 * in-use when attached; error_extending on failure); snapshots creating → available,
 * deleting → gone; attachment_update gives a connector its connection info
 * (attaching), attachment_delete terminates it. Its capabilities go to the schedulers at
 * start, on their request and every periodic_interval.
 */
import type { Readable } from 'node:stream';
import { RequestContext } from '../../../common/context.js';
import type { Logger } from '../../../common/log/logger.js';
import { newRequestId } from '../../../common/log/request-scope.js';
import type { BackupRpcAPI } from '../backup/rpcapi.js';
import type { CinderRepos } from '../db/repos.js';
import type { SnapshotRecord, VolumeRecord } from '../db/records.js';
import { InvalidVolume, SnapshotNotFound, VolumeAttachmentNotFound, VolumeNotFound } from '../errors.js';
import { VOLUME_RPC_VERSION, VOLUME_BINARY } from '../rpc/topics.js';
import type { SchedulerRpcAPI } from '../scheduler/rpcapi.js';
import type { BackupDevice, DriverSnapshot, DriverVolume, VolumeDriver } from './drivers/driver.js';
import type { CinderNotifier, VolumeEvent } from '../notifications.js';
import type { GroupProgress } from './group-progress.js';
import { withImageData } from './image-upload.js';
import type { ConnectionInfo } from './rpcapi.js';

export interface VolumeManagerOptions {
  /** The data of a Glance image, downloaded for the caller. */
  downloadImage(ctx: RequestContext, imageId: string): Promise<Readable>;
  /** Upload an image's data to Glance for the caller (os-volume_upload_image). */
  uploadImage?(ctx: RequestContext, imageId: string, data: Readable, size: number): Promise<void>;
  /** Delete an image whose upload failed. */
  deleteImage?(ctx: RequestContext, imageId: string): Promise<void>;
  /** `host@backend`. */
  host: string;
  driver: VolumeDriver;
  repos: CinderRepos;
  scheduler: SchedulerRpcAPI;
  /** The backup services, for volumes created from a backup (3.47). */
  backup?: BackupRpcAPI;
  log: Logger;
  /** Groups and group snapshots whose member's work ended (volume/group-progress.ts). */
  groups?: GroupProgress;
  /** volume.* and snapshot.* usage notifications (none when notifications are off). */
  notifier?: CinderNotifier | null;
}

const driverVolume = (v: VolumeRecord): DriverVolume => ({ id: v.id, size: v.size, provider_location: v.provider_location });
const driverSnapshot = (s: SnapshotRecord): DriverSnapshot => ({ id: s.id, volume_id: s.volume_id, volume_size: s.volume_size, provider_location: s.provider_location });

export class VolumeManager {
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly o: VolumeManagerOptions) {}

  private get repos(): CinderRepos {
    return this.o.repos;
  }

  /** Run work the caller does not wait for (casts), remembered so that stop() can let it finish. */
  private track(work: Promise<unknown>): void {
    const p = work.catch((err: unknown) => this.o.log.error({ err }, 'volume operation failed')).finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  async drain(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  async publishServiceCapabilities(ctx: RequestContext = RequestContext.internal(newRequestId())): Promise<void> {
    const provisioned = (await this.repos.volumes.onHost(this.o.host)).reduce((sum, v) => sum + v.size, 0);
    const stats = await this.o.driver.getVolumeStats(provisioned);
    await this.o.scheduler.updateServiceCapabilities(ctx, VOLUME_BINARY, this.o.host, { ...stats }, new Date().toISOString());
  }

  /** volume.<event>.<phase> with the volume as it is now (read again unless given). */
  private async notifyVolume(v: VolumeRecord | string, event: VolumeEvent, phase: 'start' | 'end', extra?: Record<string, unknown>): Promise<void> {
    if (!this.o.notifier) return;
    const volume = typeof v === 'string' ? await this.repos.volumes.find(v) : v;
    if (volume) await this.o.notifier.volumeUsage(volume, event, phase, extra);
  }

  /** snapshot.<event>.<phase> with the snapshot as it is now (read again unless given). */
  private async notifySnapshot(s: SnapshotRecord | string, event: 'create' | 'delete', phase: 'start' | 'end'): Promise<void> {
    if (!this.o.notifier) return;
    const snap = typeof s === 'string' ? await this.repos.snapshots.find(s) : s;
    if (snap) await this.o.notifier.snapshotUsage(snap, await this.repos.volumes.findAny(snap.volume_id), event, phase);
  }

  private async volume(id: string): Promise<VolumeRecord> {
    const v = await this.repos.volumes.find(id);
    if (!v) throw new VolumeNotFound(id);
    return v;
  }

  async createVolume(volumeId: string, ctx: RequestContext = RequestContext.internal(newRequestId())): Promise<void> {
    const v = await this.repos.volumes.find(volumeId);
    if (!v || v.status !== 'creating') return; // deleted or reset meanwhile
    await this.notifyVolume(v, 'create', 'start');
    try {
      let update;
      if (v.snapshot_id) {
        const snap = await this.repos.snapshots.find(v.snapshot_id);
        if (!snap) throw new InvalidVolume(`snapshot ${v.snapshot_id} is gone`);
        update = await this.o.driver.createVolumeFromSnapshot(driverVolume(v), driverSnapshot(snap));
      } else if (v.source_volid) {
        const src = await this.volume(v.source_volid);
        update = await this.o.driver.createClonedVolume(driverVolume(v), driverVolume(src));
      } else if (v.backup_id) {
        // an empty volume, then the backup's service writes the data and makes the volume available
        const b = await this.repos.backups.find(v.backup_id);
        if (!b?.host || !this.o.backup) throw new InvalidVolume(`backup ${v.backup_id} has no backup service`);
        update = await this.o.driver.createVolume(driverVolume(v));
        await this.repos.volumes.update(v.id, { provider_location: update.provider_location ?? null });
        await this.o.backup.restoreBackup(ctx, b.host, b.id, v.id, true);
        return;
      } else if (v.image_metadata['image_id']) {
        const data = await this.o.downloadImage(ctx, v.image_metadata['image_id']);
        update = await this.o.driver.copyImageToVolume(driverVolume(v), data, v.image_metadata['disk_format'] ?? 'raw');
        await this.repos.volumes.update(v.id, { bootable: true });
      } else {
        update = await this.o.driver.createVolume(driverVolume(v));
      }
      const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      const moved = await this.repos.volumes.conditionalUpdate(v.id, ['creating'], { status: 'available', launched_at: now, provider_location: update.provider_location ?? null });
      if (!moved) await this.o.driver.deleteVolume(driverVolume({ ...v, provider_location: update.provider_location ?? null }));
      else await this.notifyVolume(v.id, 'create', 'end');
    } catch (err) {
      this.o.log.error({ err, volume_id: v.id }, 'create_volume failed');
      await this.repos.volumes.conditionalUpdate(v.id, ['creating'], { status: 'error' });
      if (v.backup_id) await this.repos.backups.conditionalUpdate(v.backup_id, ['restoring'], { status: 'available', restore_volume_id: null });
    }
    await this.o.groups?.volumeSettled(v.id);
  }

  async deleteVolume(volumeId: string, cascade: boolean): Promise<void> {
    const v = await this.repos.volumes.find(volumeId);
    if (!v) return;
    await this.notifyVolume(v, 'delete', 'start');
    try {
      if (cascade) {
        for (const s of await this.repos.snapshots.ofVolume(v.id)) {
          await this.o.driver.deleteSnapshot(driverSnapshot(s));
          await this.repos.snapshots.softDelete(s.id);
        }
      }
      await this.o.driver.deleteVolume(driverVolume(v));
      await this.repos.volumes.softDelete(v.id);
      await this.notifyVolume({ ...v, deleted: true }, 'delete', 'end');
    } catch (err) {
      this.o.log.error({ err, volume_id: v.id }, 'delete_volume failed');
      await this.repos.volumes.update(v.id, { status: 'error_deleting' });
    }
  }

  async extendVolume(volumeId: string, newSize: number): Promise<void> {
    const v = await this.repos.volumes.find(volumeId);
    if (!v || v.status !== 'extending') return;
    const back = v.attach_status === 'attached' ? 'in-use' : 'available';
    await this.notifyVolume(v, 'resize', 'start');
    try {
      await this.o.driver.extendVolume(driverVolume(v), newSize);
      if (await this.repos.volumes.conditionalUpdate(v.id, ['extending'], { status: back, size: newSize, previous_status: null })) {
        await this.notifyVolume(v.id, 'resize', 'end', { size: newSize });
      }
    } catch (err) {
      this.o.log.error({ err, volume_id: v.id }, 'extend_volume failed');
      await this.repos.volumes.conditionalUpdate(v.id, ['extending'], { status: 'error_extending' });
    }
  }

  async createSnapshot(snapshotId: string): Promise<void> {
    const s = await this.repos.snapshots.find(snapshotId);
    if (!s || s.status !== 'creating') return;
    await this.notifySnapshot(s, 'create', 'start');
    try {
      const v = await this.volume(s.volume_id);
      const update = await this.o.driver.createSnapshot(driverSnapshot(s), driverVolume(v));
      const moved = await this.repos.snapshots.conditionalUpdate(s.id, ['creating'], { status: 'available', progress: '100%', provider_location: update.provider_location ?? null });
      // force-deleted while it was being made: its delete found no file yet
      if (!moved) await this.o.driver.deleteSnapshot({ ...driverSnapshot(s), provider_location: update.provider_location ?? null });
      else await this.notifySnapshot(s.id, 'create', 'end');
    } catch (err) {
      this.o.log.error({ err, snapshot_id: s.id }, 'create_snapshot failed');
      await this.repos.snapshots.conditionalUpdate(s.id, ['creating'], { status: 'error' });
    }
    await this.o.groups?.snapshotSettled(s.group_snapshot_id);
  }

  async deleteSnapshot(snapshotId: string): Promise<void> {
    const s = await this.repos.snapshots.find(snapshotId);
    if (!s) return;
    await this.notifySnapshot(s, 'delete', 'start');
    try {
      await this.o.driver.deleteSnapshot(driverSnapshot(s));
      await this.repos.snapshots.softDelete(s.id);
      await this.notifySnapshot({ ...s, deleted: true }, 'delete', 'end');
    } catch (err) {
      this.o.log.error({ err, snapshot_id: s.id }, 'delete_snapshot failed');
      await this.repos.snapshots.update(s.id, { status: 'error_deleting' });
    }
    await this.o.groups?.snapshotSettled(s.group_snapshot_id);
  }

  /** attachment_update: the connection info for the connector; the attachment is attaching. */
  async attachmentUpdate(attachmentId: string, connector: Record<string, unknown>): Promise<ConnectionInfo> {
    const a = await this.repos.volumes.findAttachment(attachmentId);
    if (!a) throw new VolumeAttachmentNotFound(`attachment_id = ${attachmentId}`);
    const v = await this.volume(a.volume_id);
    await this.notifyVolume(v, 'attach', 'start');
    const info = await this.o.driver.initializeConnection(driverVolume(v), connector);
    const mode = a.attach_mode ?? (v.admin_metadata['readonly'] === 'True' ? 'ro' : 'rw');
    const connection = { ...info, data: { ...info.data, access_mode: mode, attachment_id: a.id } };
    await this.repos.volumes.updateAttachment(a.id, {
      connector, connection_info: connection, attach_status: 'attaching', attach_mode: mode,
      attached_host: typeof connector['host'] === 'string' ? connector['host'] : null,
      mountpoint: typeof connector['mountpoint'] === 'string' ? connector['mountpoint'] : null,
    });
    return connection;
  }

  async attachmentDelete(attachmentId: string): Promise<void> {
    const a = await this.repos.volumes.findAttachment(attachmentId);
    if (!a) return;
    const v = await this.repos.volumes.find(a.volume_id);
    if (v) await this.notifyVolume(v, 'detach', 'start');
    if (v && a.connector) await this.o.driver.terminateConnection(driverVolume(v), a.connector);
  }

  /**
   * copy_volume_to_image: the volume's data, in `diskFormat`, uploaded to the image; the volume
   * goes back from uploading to its previous status; an image whose upload failed is deleted.
   */
  async copyVolumeToImage(ctx: RequestContext, volumeId: string, imageId: string, diskFormat: string): Promise<void> {
    const v = await this.repos.volumes.find(volumeId);
    if (!v || v.status !== 'uploading') return;
    try {
      if (!this.o.uploadImage) throw new InvalidVolume('this volume service cannot reach the Image service');
      const dev = await this.o.driver.backupDevice({ volume: driverVolume(v) });
      await withImageData(dev, diskFormat, (data, size) => this.o.uploadImage!(ctx, imageId, data, size));
    } catch (err) {
      this.o.log.error({ err, volume_id: v.id, image_id: imageId }, 'copy_volume_to_image failed');
      await this.o.deleteImage?.(ctx, imageId).catch((e: unknown) => this.o.log.warn({ err: e, image_id: imageId }, 'cannot delete the image of a failed upload'));
    } finally {
      await this.repos.volumes.conditionalUpdate(v.id, ['uploading'], { status: v.previous_status ?? 'available', previous_status: null });
    }
  }

  /** get_backup_device: the local file of a volume or of its snapshot, for the backup service. */
  async backupDevice(volumeId: string, snapshotId: string | null): Promise<BackupDevice> {
    if (snapshotId) {
      const s = await this.repos.snapshots.find(snapshotId);
      if (!s || s.volume_id !== volumeId) throw new SnapshotNotFound(snapshotId);
      return this.o.driver.backupDevice({ snapshot: driverSnapshot(s) });
    }
    return this.o.driver.backupDevice({ volume: driverVolume(await this.volume(volumeId)) });
  }

  /** The RPC endpoint on `cinder-volume.<host>@<backend>`. */
  endpoint(): object {
    const m = this;
    const str = (v: unknown): string => String(v ?? '');
    return {
      target: { version: VOLUME_RPC_VERSION },
      async create_volume(ctx: RequestContext, args: Record<string, unknown>) { m.track(m.createVolume(str(args['volume_id']), ctx)); },
      async delete_volume(_ctx: RequestContext, args: Record<string, unknown>) { m.track(m.deleteVolume(str(args['volume_id']), args['cascade'] === true)); },
      async extend_volume(_ctx: RequestContext, args: Record<string, unknown>) { m.track(m.extendVolume(str(args['volume_id']), Number(args['new_size']))); },
      async create_snapshot(_ctx: RequestContext, args: Record<string, unknown>) { m.track(m.createSnapshot(str(args['snapshot_id']))); },
      async delete_snapshot(_ctx: RequestContext, args: Record<string, unknown>) { m.track(m.deleteSnapshot(str(args['snapshot_id']))); },
      async attachment_update(_ctx: RequestContext, args: Record<string, unknown>) {
        return m.attachmentUpdate(str(args['attachment_id']), (args['connector'] ?? {}) as Record<string, unknown>);
      },
      async attachment_delete(_ctx: RequestContext, args: Record<string, unknown>) { await m.attachmentDelete(str(args['attachment_id'])); },
      async copy_volume_to_image(ctx: RequestContext, args: Record<string, unknown>) {
        m.track(m.copyVolumeToImage(ctx, str(args['volume_id']), str(args['image_id']), str(args['disk_format'])));
      },
      async get_backup_device(_ctx: RequestContext, args: Record<string, unknown>) {
        return m.backupDevice(str(args['volume_id']), args['snapshot_id'] ? str(args['snapshot_id']) : null);
      },
      async publish_service_capabilities(ctx: RequestContext) { m.track(m.publishServiceCapabilities(ctx)); },
    };
  }
}
