/**
 * revert_to_snapshot on a volume host (cinder/volume/manager.py, 3.40): the driver puts the
 * snapshot's data back into the volume (reverting → available, the snapshot restoring →
 * available); on failure the volume is error and the snapshot available again.
 */
import type { RequestContext } from '../../../common/context.js';
import { RpcClient, type Transport } from '../../../common/messaging/index.js';
import type { Logger } from '../../../common/log/logger.js';
import type { CinderRepos } from '../db/repos.js';
import { cinderSerializer } from '../rpc/serializer.js';
import { VOLUME_RPC_VERSION, VOLUME_TOPIC } from '../rpc/topics.js';
import type { VolumeDriver } from './drivers/driver.js';
import { backendOf } from './rpcapi.js';

/** The API's cast of revert_to_snapshot (cinder/volume/rpcapi.py). */
export class VolumeRevertRpcAPI {
  private readonly client: RpcClient<RequestContext>;

  constructor(transport: Transport) {
    this.client = new RpcClient<RequestContext>(transport, { topic: VOLUME_TOPIC, version: VOLUME_RPC_VERSION }, { serializer: cinderSerializer() });
  }

  revertToSnapshot(ctx: RequestContext, host: string, volumeId: string, snapshotId: string): Promise<void> {
    return this.client.prepare({ server: backendOf(host) }).cast(ctx, 'revert_to_snapshot', { volume_id: volumeId, snapshot_id: snapshotId });
  }
}

export class VolumeRevertManager {
  constructor(private readonly o: { driver: VolumeDriver; repos: CinderRepos; log: Logger }) {}

  async revert(volumeId: string, snapshotId: string): Promise<void> {
    const v = await this.o.repos.volumes.find(volumeId);
    const s = await this.o.repos.snapshots.find(snapshotId);
    if (!v || !s || v.status !== 'reverting') return;
    try {
      await this.o.driver.revertToSnapshot(
        { id: v.id, size: v.size, provider_location: v.provider_location },
        { id: s.id, volume_id: s.volume_id, volume_size: s.volume_size, provider_location: s.provider_location },
      );
      await this.o.repos.volumes.conditionalUpdate(v.id, ['reverting'], { status: 'available' });
    } catch (err) {
      this.o.log.error({ err, volume_id: v.id, snapshot_id: s.id }, 'revert_to_snapshot failed');
      await this.o.repos.volumes.conditionalUpdate(v.id, ['reverting'], { status: 'error' });
    }
    await this.o.repos.snapshots.conditionalUpdate(s.id, ['restoring'], { status: 'available' });
  }

  endpoint(): object {
    const m = this;
    return {
      target: { version: VOLUME_RPC_VERSION },
      async revert_to_snapshot(_ctx: RequestContext, args: Record<string, unknown>) {
        await m.revert(String(args['volume_id'] ?? ''), String(args['snapshot_id'] ?? ''));
      },
    };
  }
}
