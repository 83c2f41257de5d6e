/**
 * VolumeAPI's retype and migration messages (cinder/volume/rpcapi.py retype, migrate_volume,
 * and the destination's side of a generic migration): casts to the volume's host, and the
 * call that asks the destination host for its copy of the volume.
 */
import type { RequestContext } from '../../../common/context.js';
import { RpcClient, type Transport } from '../../../common/messaging/index.js';
import { callRemote } from '../rpc/remote-errors.js';
import { cinderSerializer } from '../rpc/serializer.js';
import { VOLUME_RPC_VERSION, VOLUME_TOPIC } from '../rpc/topics.js';
import { backendOf } from './rpcapi.js';

export class VolumeMigrationRpcAPI {
  private readonly client: RpcClient<RequestContext>;

  constructor(transport: Transport) {
    this.client = new RpcClient<RequestContext>(transport, { topic: VOLUME_TOPIC, version: VOLUME_RPC_VERSION }, { serializer: cinderSerializer() });
  }

  private to(host: string): RpcClient<RequestContext> {
    return this.client.prepare({ server: backendOf(host) });
  }

  /** The volume's host takes the new type as it is (the driver needs no change for it). */
  retype(ctx: RequestContext, host: string, volumeId: string, newTypeId: string): Promise<void> {
    return this.to(host).cast(ctx, 'retype', { volume_id: volumeId, new_type_id: newTypeId });
  }

  /** The volume's (source) host moves it to `destPool` (`host@backend#pool`), then takes `newTypeId` when a retype asked for it. */
  migrateVolume(ctx: RequestContext, sourceHost: string, volumeId: string, destPool: string, newTypeId: string | null): Promise<void> {
    return this.to(sourceHost).cast(ctx, 'migrate_volume', { volume_id: volumeId, dest_pool: destPool, new_type_id: newTypeId });
  }

  /** The destination host makes its copy of the volume from the source's data; returns its provider_location. */
  createMigrationTarget(ctx: RequestContext, destHost: string, volumeId: string, size: number, sourceLocation: string): Promise<string | null> {
    return callRemote(() => this.to(destHost).call<string | null>(ctx, 'create_migration_target', { volume_id: volumeId, size, source_location: sourceLocation }));
  }

  /** The destination host removes a copy a failed migration left. */
  deleteMigrationTarget(ctx: RequestContext, destHost: string, volumeId: string): Promise<void> {
    return callRemote(() => this.to(destHost).call<void>(ctx, 'delete_migration_target', { volume_id: volumeId }));
  }
}
