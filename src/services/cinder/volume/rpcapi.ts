/**
 * VolumeAPI (cinder/volume/rpcapi.py): the API's and the scheduler's messages to one volume
 * service (`cinder-volume` topic, server `host@backend` of the volume's host). Work that
 * takes time is a cast (create, delete, extend, snapshots); what the caller needs back is a
 * call (an attachment's connection info, its removal).
 */
import type { RequestContext } from '../../../common/context.js';
import { RpcClient, type Transport } from '../../../common/messaging/index.js';
import { callRemote } from '../rpc/remote-errors.js';
import { cinderSerializer } from '../rpc/serializer.js';
import { VOLUME_RPC_VERSION, VOLUME_TOPIC } from '../rpc/topics.js';
import type { BackupDevice } from './drivers/driver.js';

/** `host@backend` of `host@backend#pool` (volume_utils.extract_host at 'backend' level). */
export function backendOf(host: string): string {
  return host.split('#')[0]!;
}

export interface ConnectionInfo {
  driver_volume_type: string;
  data: Record<string, unknown>;
}

export class VolumeRpcAPI {
  private readonly client: RpcClient<RequestContext>;

  constructor(transport: Transport) {
    this.client = new RpcClient<RequestContext>(transport, { topic: VOLUME_TOPIC, version: VOLUME_RPC_VERSION }, { serializer: cinderSerializer() });
  }

  private to(host: string): RpcClient<RequestContext> {
    return this.client.prepare({ server: backendOf(host) });
  }

  createVolume(ctx: RequestContext, host: string, volumeId: string): Promise<void> {
    return this.to(host).cast(ctx, 'create_volume', { volume_id: volumeId });
  }

  deleteVolume(ctx: RequestContext, host: string, volumeId: string, cascade: boolean): Promise<void> {
    return this.to(host).cast(ctx, 'delete_volume', { volume_id: volumeId, cascade });
  }

  extendVolume(ctx: RequestContext, host: string, volumeId: string, newSize: number): Promise<void> {
    return this.to(host).cast(ctx, 'extend_volume', { volume_id: volumeId, new_size: newSize });
  }

  createSnapshot(ctx: RequestContext, host: string, snapshotId: string): Promise<void> {
    return this.to(host).cast(ctx, 'create_snapshot', { snapshot_id: snapshotId });
  }

  deleteSnapshot(ctx: RequestContext, host: string, snapshotId: string): Promise<void> {
    return this.to(host).cast(ctx, 'delete_snapshot', { snapshot_id: snapshotId });
  }

  /** The connection info of an attachment for a connector (the volume's initialize_connection). */
  attachmentUpdate(ctx: RequestContext, host: string, attachmentId: string, connector: Record<string, unknown>): Promise<ConnectionInfo> {
    return callRemote(() => this.to(host).call<ConnectionInfo>(ctx, 'attachment_update', { attachment_id: attachmentId, connector }));
  }

  /** Terminate an attachment's connection on the volume's host. */
  attachmentDelete(ctx: RequestContext, host: string, attachmentId: string): Promise<void> {
    return callRemote(() => this.to(host).call<void>(ctx, 'attachment_delete', { attachment_id: attachmentId }));
  }

  /** Upload a volume's data to a Glance image (os-volume_upload_image). */
  copyVolumeToImage(ctx: RequestContext, host: string, volumeId: string, imageId: string, diskFormat: string): Promise<void> {
    return this.to(host).cast(ctx, 'copy_volume_to_image', { volume_id: volumeId, image_id: imageId, disk_format: diskFormat });
  }

  /** The local file of a volume (or of one of its snapshots) for a backup or a restore, and its format. */
  getBackupDevice(ctx: RequestContext, host: string, target: { volume_id: string; snapshot_id?: string | null }): Promise<BackupDevice> {
    return callRemote(() => this.to(host).call<BackupDevice>(ctx, 'get_backup_device', { volume_id: target.volume_id, snapshot_id: target.snapshot_id ?? null }));
  }

  /** Every volume service reports its capabilities to the schedulers again. */
  publishServiceCapabilities(ctx: RequestContext): Promise<void> {
    return this.client.prepare({ fanout: true }).cast(ctx, 'publish_service_capabilities', {});
  }
}
