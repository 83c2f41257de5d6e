/**
 * Managing and unmanaging on a volume host (cinder/volume/manager.py manage_existing,
 * delete_volume with unmanage_only, get_manageable_volumes): a backend object the reference
 * names becomes the volume (managing → available, its size the object's; error_managing when
 * the driver refuses it); an unmanaged volume leaves Cinder's database, its data stays.
 */
import type { RequestContext } from '../../../common/context.js';
import type { Logger } from '../../../common/log/logger.js';
import { RpcClient, type Transport } from '../../../common/messaging/index.js';
import type { CinderRepos } from '../db/repos.js';
import { callRemote } from '../rpc/remote-errors.js';
import { cinderSerializer } from '../rpc/serializer.js';
import { VOLUME_RPC_VERSION, VOLUME_TOPIC } from '../rpc/topics.js';
import type { VolumeDriver } from './drivers/driver.js';
import { backendOf } from './rpcapi.js';

/** The API's messages for managing (cinder/volume/rpcapi.py). */
export class VolumeManageRpcAPI {
  private readonly client: RpcClient<RequestContext>;

  constructor(transport: Transport) {
    this.client = new RpcClient<RequestContext>(transport, { topic: VOLUME_TOPIC, version: VOLUME_RPC_VERSION }, { serializer: cinderSerializer() });
  }

  manageExisting(ctx: RequestContext, host: string, volumeId: string, ref: Record<string, unknown>): Promise<void> {
    return this.client.prepare({ server: backendOf(host) }).cast(ctx, 'manage_existing', { volume_id: volumeId, ref });
  }

  unmanage(ctx: RequestContext, host: string, volumeId: string): Promise<void> {
    return this.client.prepare({ server: backendOf(host) }).cast(ctx, 'unmanage_volume', { volume_id: volumeId });
  }

  listManageable(ctx: RequestContext, host: string): Promise<Array<{ name: string; sizeGb: number }>> {
    return callRemote(() => this.client.prepare({ server: backendOf(host) }).call<Array<{ name: string; sizeGb: number }>>(ctx, 'get_manageable_volumes', {}));
  }
}

export class VolumeManageManager {
  constructor(private readonly o: { driver: VolumeDriver; repos: CinderRepos; log: Logger }) {}

  async manageExisting(volumeId: string, ref: Record<string, unknown>): Promise<void> {
    const v = await this.o.repos.volumes.find(volumeId);
    if (!v || v.status !== 'managing') return;
    try {
      const size = await this.o.driver.manageExistingGetSize(ref);
      const update = await this.o.driver.manageExisting({ id: v.id, size, provider_location: null }, ref);
      const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      await this.o.repos.volumes.conditionalUpdate(v.id, ['managing'], { status: 'available', size, provider_location: update.provider_location ?? null, launched_at: now });
    } catch (err) {
      this.o.log.error({ err, volume_id: v.id }, 'manage_existing failed');
      await this.o.repos.volumes.conditionalUpdate(v.id, ['managing'], { status: 'error_managing' });
    }
  }

  async unmanage(volumeId: string): Promise<void> {
    const v = await this.o.repos.volumes.find(volumeId);
    if (!v || v.status !== 'unmanaging') return;
    try {
      await this.o.driver.unmanage({ id: v.id, size: v.size, provider_location: v.provider_location });
      await this.o.repos.volumes.softDelete(v.id, 'unmanaged');
    } catch (err) {
      this.o.log.error({ err, volume_id: v.id }, 'unmanage failed');
      await this.o.repos.volumes.conditionalUpdate(v.id, ['unmanaging'], { status: 'error_deleting' });
    }
  }

  endpoint(): object {
    const m = this;
    return {
      target: { version: VOLUME_RPC_VERSION },
      async manage_existing(_ctx: RequestContext, args: Record<string, unknown>) {
        await m.manageExisting(String(args['volume_id'] ?? ''), (args['ref'] ?? {}) as Record<string, unknown>);
      },
      async unmanage_volume(_ctx: RequestContext, args: Record<string, unknown>) { await m.unmanage(String(args['volume_id'] ?? '')); },
      async get_manageable_volumes() { return m.o.driver.listManageable(); },
    };
  }
}
