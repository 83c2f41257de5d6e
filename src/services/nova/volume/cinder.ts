/**
 * Nova's volume API over Cinder (nova/volume/cinder.py, the attachments flow of microversion
 * 3.44): show a volume, create an attachment (reserving the volume for a server: no connector),
 * update it with the host's connector (the connection info comes back), complete it, delete it.
 * Calls go with the caller's token where nova uses the user's context. Cinder's errors become
 * nova's: 404 VolumeNotFound / VolumeAttachmentNotFound, 400 InvalidInput, 403 Forbidden,
 * 413 OverQuota, unreachable CinderConnectionFailed. A catalog without a Block Storage endpoint
 * is looked up again once (a volume service added to a running cloud is found), then
 * CinderServiceUnavailable.
 */
import { ServiceClientError, VolumeClient, type Connector, type Volume, type VolumeAttachment, type VolumeCreateRequest, type VolumeSnapshot } from '../../../common/clients/index.js';
import type { RequestContext } from '../../../common/context.js';
import type { BlockDeviceMapping } from '../objects/index.js';
import { ServiceUnavailable } from '../../../common/errors.js';
import { CinderConnectionFailed, CinderServiceUnavailable, Forbidden, InvalidInput, OverQuota, SnapshotNotFound, VolumeAttachmentNotFound, VolumeNotFound } from '../errors.js';

export type { Connector, Volume, VolumeAttachment, VolumeCreateRequest, VolumeSnapshot };

function upstreamReason(err: ServiceClientError): string {
  try {
    const body = JSON.parse(err.responseBody) as Record<string, { message?: string }>;
    const first = Object.values(body)[0];
    if (first?.message) return first.message;
  } catch { /* not JSON */ }
  return err.responseBody.slice(0, 300);
}

export class CinderAPI {
  constructor(private readonly admin: VolumeClient) {}

  private client(ctx: RequestContext | null): VolumeClient {
    return ctx?.token ? this.admin.forUser(ctx.token) : this.admin;
  }

  /** Run one Cinder call with nova's translation of its errors; `notFound` names what a 404 means. */
  private async call<T>(ctx: RequestContext | null, notFound: () => Error, fn: (c: VolumeClient) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn(this.client(ctx));
      } catch (err) {
        if (err instanceof ServiceUnavailable && /^no \S+ endpoint/.test(err.message)) {
          if (attempt === 0) {
            this.admin.session.invalidate();
            continue;
          }
          throw new CinderServiceUnavailable(err.message);
        }
        if (err instanceof ServiceUnavailable) throw new CinderConnectionFailed(err.message);
        if (err instanceof ServiceClientError) {
          if (err.status === 404) throw notFound();
          if (err.status === 400) throw new InvalidInput(upstreamReason(err));
          if (err.status === 403) throw new Forbidden(upstreamReason(err));
          if (err.status === 413) throw new OverQuota(upstreamReason(err));
        }
        throw err;
      }
    }
  }

  /** @throws VolumeNotFound */
  get(ctx: RequestContext, volumeId: string): Promise<Volume> {
    return this.call(ctx, () => new VolumeNotFound(volumeId), (c) => c.getVolume(volumeId));
  }

  /** @throws SnapshotNotFound */
  getSnapshot(ctx: RequestContext, snapshotId: string): Promise<VolumeSnapshot> {
    return this.call(ctx, () => new SnapshotNotFound(snapshotId), (c) => c.getSnapshot(snapshotId));
  }

  /** create_snapshot / create_snapshot_force (`force`: even while the volume is in use). @throws VolumeNotFound, InvalidInput, OverQuota */
  createSnapshot(ctx: RequestContext, volumeId: string, opts: { name?: string | null; description?: string | null; force?: boolean }): Promise<VolumeSnapshot> {
    return this.call(ctx, () => new VolumeNotFound(volumeId), (c) => c.createSnapshot(volumeId, opts));
  }

  /** get_all_snapshots: the caller's project's. */
  snapshots(ctx: RequestContext): Promise<VolumeSnapshot[]> {
    return this.call(ctx, () => new CinderServiceUnavailable('no snapshots API'), (c) => c.listSnapshots());
  }

  /** delete_snapshot. @throws SnapshotNotFound */
  deleteSnapshot(ctx: RequestContext, snapshotId: string): Promise<void> {
    return this.call(ctx, () => new SnapshotNotFound(snapshotId), (c) => c.deleteSnapshot(snapshotId));
  }

  /** get_all: the caller's project's volumes. */
  volumes(ctx: RequestContext): Promise<Volume[]> {
    return this.call(ctx, () => new CinderServiceUnavailable('no volumes API'), (c) => c.listVolumes());
  }

  /** get_absolute_limits: the caller's project's limits and usage. */
  absoluteLimits(ctx: RequestContext): Promise<Record<string, number>> {
    return this.call(ctx, () => new CinderServiceUnavailable('no limits'), (c) => c.absoluteLimits());
  }

  /** create (a server's volume from an image, a snapshot or blank); Cinder's 404 names the source. */
  create(ctx: RequestContext, req: VolumeCreateRequest): Promise<Volume> {
    return this.call(ctx, () => (req.snapshot_id ? new SnapshotNotFound(req.snapshot_id) : new InvalidInput(`the volume's source was not found`)), (c) => c.createVolume(req));
  }

  /** attachment_create: without a connector it reserves the volume for the server. */
  attachmentCreate(ctx: RequestContext, volumeId: string, instanceUuid: string, connector?: Connector): Promise<VolumeAttachment> {
    return this.call(ctx, () => new VolumeNotFound(volumeId), (c) => c.createAttachment(volumeId, instanceUuid, connector ? { connector } : {}));
  }

  /**
   * attachment_update with the host's connector: the attachment with its connection info. The
   * device goes in the connector as `mountpoint` (nova's cinder.py does the same), so Cinder
   * shows it as the attachment's device.
   */
  attachmentUpdate(ctx: RequestContext, attachmentId: string, connector: Connector, mountpoint?: string): Promise<VolumeAttachment> {
    const withMountpoint = mountpoint && !('mountpoint' in connector) ? { ...connector, mountpoint } : connector;
    return this.call(ctx, () => new VolumeAttachmentNotFound(attachmentId), (c) => c.updateAttachment(attachmentId, withMountpoint));
  }

  attachmentComplete(ctx: RequestContext, attachmentId: string): Promise<void> {
    return this.call(ctx, () => new VolumeAttachmentNotFound(attachmentId), (c) => c.completeAttachment(attachmentId));
  }

  /** begin_detaching: the volume is detaching while the host detaches it. @throws VolumeNotFound, InvalidInput (not in-use) */
  beginDetaching(ctx: RequestContext, volumeId: string): Promise<void> {
    return this.call(ctx, () => new VolumeNotFound(volumeId), (c) => c.beginDetaching(volumeId));
  }

  /** roll_detaching: in-use again after a detach that failed. @throws VolumeNotFound */
  rollDetaching(ctx: RequestContext, volumeId: string): Promise<void> {
    return this.call(ctx, () => new VolumeNotFound(volumeId), (c) => c.rollDetaching(volumeId));
  }

  /** delete (nova's volume_api.delete): with the service's own token when there is no caller. */
  delete(ctx: RequestContext | null, volumeId: string): Promise<void> {
    return this.call(ctx, () => new VolumeNotFound(volumeId), (c) => c.deleteVolume(volumeId));
  }

  /**
   * _cleanup_volumes / _local_cleanup_bdm_volumes for a deleted server: each volume's attachment
   * is deleted, then the volume itself when its mapping says delete_on_termination. Failures are
   * reported to `warn` and do not stop the others.
   */
  async releaseVolumes(bdms: readonly BlockDeviceMapping[], warn: (err: unknown, volumeId: string | null, what: string) => void): Promise<void> {
    for (const bdm of bdms) {
      const { attachment_id: attachmentId, volume_id: volumeId } = bdm.data;
      if (!bdm.isVolume) continue;
      if (!attachmentId) {
        // A volume made for the server whose build stopped before it was attached.
        if (bdm.data.delete_on_termination && volumeId && bdm.data.source_type !== 'volume') {
          await this.delete(null, volumeId).catch((err: unknown) => warn(err, volumeId, 'Failed to delete the volume'));
        }
        continue;
      }
      try {
        await this.attachmentDelete(null, attachmentId);
      } catch (err) {
        warn(err, volumeId, 'Failed to delete the volume attachment');
        continue;
      }
      if (bdm.data.delete_on_termination && volumeId) await this.delete(null, volumeId).catch((err: unknown) => warn(err, volumeId, 'Failed to delete the volume'));
    }
  }

  /** attachment_delete (with the service's own token when there is no caller, as nova's cleanups). */
  attachmentDelete(ctx: RequestContext | null, attachmentId: string): Promise<void> {
    return this.call(ctx, () => new VolumeAttachmentNotFound(attachmentId), (c) => c.deleteAttachment(attachmentId));
  }
}
