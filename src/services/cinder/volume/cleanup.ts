/**
 * do_cleanup on a volume host (cinder/manager.py CleanableManager, POST /workers/cleanup 3.24):
 * the volumes and snapshots this host left in a transitional state before its current start
 * (older than the service's start: work of the running process is never touched) are settled
 * as init_host settles them: creating → error, deleting → deleted again, extending →
 * error_extending; snapshots creating → error, deleting → deleted again.
 */
import type { RequestContext } from '../../../common/context.js';
import { RpcClient, type Transport } from '../../../common/messaging/index.js';
import type { CinderRepos } from '../db/repos.js';
import { cinderSerializer } from '../rpc/serializer.js';
import { VOLUME_RPC_VERSION, VOLUME_TOPIC } from '../rpc/topics.js';
import type { VolumeManager } from './manager.js';
import { backendOf } from './rpcapi.js';

export interface CleanupFilter {
  resource_type: 'Volume' | 'Snapshot' | null;
  resource_id: string | null;
}

/** The scheduler's cast of do_cleanup to one volume service (cinder/volume/rpcapi.py do_cleanup). */
export class VolumeCleanupRpcAPI {
  private readonly client: RpcClient<RequestContext>;

  constructor(transport: Transport) {
    this.client = new RpcClient<RequestContext>(transport, { topic: VOLUME_TOPIC, version: VOLUME_RPC_VERSION }, { serializer: cinderSerializer() });
  }

  doCleanup(ctx: RequestContext, host: string, filter: CleanupFilter): Promise<void> {
    return this.client.prepare({ server: backendOf(host) }).cast(ctx, 'do_cleanup', { cleanup_request: filter });
  }
}

export class VolumeCleanupManager {
  private readonly startedAt = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

  constructor(private readonly o: { host: string; repos: CinderRepos; manager: VolumeManager }) {}

  async cleanup(filter: CleanupFilter): Promise<void> {
    const stale = (updatedAt: string | null, createdAt: string) => (updatedAt ?? createdAt) < this.startedAt;
    const wanted = (type: 'Volume' | 'Snapshot', id: string) => (filter.resource_type === null || filter.resource_type === type) && (filter.resource_id === null || filter.resource_id === id);
    const volumes = await this.o.repos.volumes.onHost(this.o.host);
    for (const v of volumes) {
      if (!wanted('Volume', v.id) || !stale(v.updated_at, v.created_at)) continue;
      if (v.status === 'creating') await this.o.repos.volumes.conditionalUpdate(v.id, ['creating'], { status: 'error' });
      else if (v.status === 'extending') await this.o.repos.volumes.conditionalUpdate(v.id, ['extending'], { status: 'error_extending' });
      else if (v.status === 'deleting') await this.o.manager.deleteVolume(v.id, false);
    }
    for (const v of volumes) {
      for (const s of await this.o.repos.snapshots.ofVolume(v.id)) {
        if (!wanted('Snapshot', s.id) || !stale(s.updated_at, s.created_at)) continue;
        if (s.status === 'creating') await this.o.repos.snapshots.conditionalUpdate(s.id, ['creating'], { status: 'error' });
        else if (s.status === 'deleting') await this.o.manager.deleteSnapshot(s.id);
      }
    }
  }

  endpoint(): object {
    const m = this;
    return {
      target: { version: VOLUME_RPC_VERSION },
      async do_cleanup(_ctx: RequestContext, args: Record<string, unknown>) {
        const r = (args['cleanup_request'] ?? {}) as Partial<CleanupFilter>;
        await m.cleanup({ resource_type: r.resource_type ?? null, resource_id: r.resource_id ?? null });
      },
    };
  }
}
