/**
 * BackupAPI (cinder/backup/rpcapi.py): the API's and the volume services' messages to one
 * backup service (`cinder-backup` topic, server: the backup's host). The work is cast
 * (create, restore, delete, import); the backup rows carry the outcome.
 */
import type { RequestContext } from '../../../common/context.js';
import { RpcClient, type Transport } from '../../../common/messaging/index.js';
import { cinderSerializer } from '../rpc/serializer.js';
import { BACKUP_RPC_VERSION, BACKUP_TOPIC } from '../rpc/topics.js';

export class BackupRpcAPI {
  private readonly client: RpcClient<RequestContext>;

  constructor(transport: Transport) {
    this.client = new RpcClient<RequestContext>(transport, { topic: BACKUP_TOPIC, version: BACKUP_RPC_VERSION }, { serializer: cinderSerializer() });
  }

  private to(host: string): RpcClient<RequestContext> {
    return this.client.prepare({ server: host });
  }

  createBackup(ctx: RequestContext, host: string, backupId: string): Promise<void> {
    return this.to(host).cast(ctx, 'create_backup', { backup_id: backupId });
  }

  /** Restore into a volume; `volumeIsNew`: a volume made for it (restore without volume_id, or a volume created from the backup). */
  restoreBackup(ctx: RequestContext, host: string, backupId: string, volumeId: string, volumeIsNew: boolean): Promise<void> {
    return this.to(host).cast(ctx, 'restore_backup', { backup_id: backupId, volume_id: volumeId, volume_is_new: volumeIsNew });
  }

  deleteBackup(ctx: RequestContext, host: string, backupId: string): Promise<void> {
    return this.to(host).cast(ctx, 'delete_backup', { backup_id: backupId });
  }

  importRecord(ctx: RequestContext, host: string, backupId: string): Promise<void> {
    return this.to(host).cast(ctx, 'import_record', { backup_id: backupId });
  }
}
