/**
 * The cleanup of a volume host (cinder/manager.py CleanableManager with the volume manager's
 * _do_cleanup; init_host and POST /workers/cleanup 3.24): the volumes and snapshots this host
 * left in a transitional state are settled as Cinder settles them:
 *   volumes   creating → error; deleting → deleted again (cascading, as upstream);
 *             downloading → error; uploading → available, or in-use when attached;
 *             extending → error_extending; reverting → available (the file is swapped in by
 *             a rename: it holds either the old data or the snapshot's); managing →
 *             error_managing; unmanaging → unmanaged; a migration left starting or migrating
 *             (retyping, maintenance) → its previous status, migration_status error;
 *   snapshots creating → error; deleting → deleted again; restoring → available.
 * At start (init_host) everything older than the start is settled, then the backend's
 * leftovers are removed: temporary files of interrupted work, and the files of volumes and
 * snapshots whose rows are deleted or whose volume lives on another host now (a file of no
 * Cinder row is left alone: it may be waiting to be managed; neither is an unmanaged volume's).
 * A cleanup asked for through the API only touches what is older than the service's start:
 * work of the running process is never touched.
 */
import type { RequestContext } from '../../../common/context.js';
import type { Logger } from '../../../common/log/logger.js';
import { RpcClient, type Transport } from '../../../common/messaging/index.js';
import type { CinderRepos } from '../db/repos.js';
import type { RowState } from '../db/volumes.js';
import { cinderSerializer } from '../rpc/serializer.js';
import { VOLUME_RPC_VERSION, VOLUME_TOPIC } from '../rpc/topics.js';
import type { VolumeDriver } from './drivers/driver.js';
import type { VolumeManageManager } from './manage.js';
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

const isoSeconds = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Migration states of a migration under way (volume/api.py's migration_status values). */
const MIGRATING = ['starting', 'migrating'];

export class VolumeCleanupManager {
  private readonly startedAt = isoSeconds(new Date());

  constructor(private readonly o: { host: string; repos: CinderRepos; manager: VolumeManager; manage: VolumeManageManager; driver: VolumeDriver; log: Logger }) {}

  /**
   * init_host: the driver is set up, whatever a previous run left transitional (anything
   * last changed up to now: this service does not serve yet) is settled, then the orphans go.
   */
  async initHost(): Promise<void> {
    await this.o.driver.doSetup();
    const until = isoSeconds(new Date());
    await this.cleanup({ resource_type: null, resource_id: null }, (stamp) => stamp <= until);
    await this.removeOrphans();
  }

  /** Settle what `filter` selects and `stale` says was left by an earlier run. */
  async cleanup(filter: CleanupFilter, stale: (stamp: string) => boolean = (stamp) => stamp < this.startedAt): Promise<void> {
    const { repos, manager } = this.o;
    const wanted = (type: 'Volume' | 'Snapshot', id: string, updatedAt: string | null, createdAt: string) =>
      (filter.resource_type === null || filter.resource_type === type) && (filter.resource_id === null || filter.resource_id === id) && stale(updatedAt ?? createdAt);
    const volumes = await repos.volumes.onHost(this.o.host);
    for (const v of volumes) {
      if (!wanted('Volume', v.id, v.updated_at, v.created_at)) continue;
      const settle = (from: string, fields: Parameters<CinderRepos['volumes']['conditionalUpdate']>[2]) => repos.volumes.conditionalUpdate(v.id, [from], fields);
      switch (v.status) {
        case 'creating':
        case 'downloading':
          await settle(v.status, { status: 'error' });
          break;
        case 'deleting':
          await manager.deleteVolume(v.id, true);
          break;
        case 'uploading':
          await settle('uploading', { status: v.attach_status === 'attached' ? 'in-use' : 'available', previous_status: null });
          break;
        case 'extending':
          await settle('extending', { status: 'error_extending' });
          break;
        case 'reverting':
          await settle('reverting', { status: 'available' });
          break;
        case 'managing':
          await settle('managing', { status: 'error_managing' });
          break;
        case 'unmanaging':
          await this.o.manage.unmanage(v.id);
          break;
        case 'retyping':
        case 'maintenance':
          if (MIGRATING.includes(v.migration_status ?? '')) {
            await settle(v.status, { status: v.previous_status ?? 'available', previous_status: null, migration_status: 'error' });
          }
          break;
      }
    }
    for (const v of volumes) {
      for (const s of await repos.snapshots.ofVolume(v.id)) {
        if (!wanted('Snapshot', s.id, s.updated_at, s.created_at)) continue;
        if (s.status === 'creating') await repos.snapshots.conditionalUpdate(s.id, ['creating'], { status: 'error' });
        else if (s.status === 'deleting') await manager.deleteSnapshot(s.id);
        else if (s.status === 'restoring') await repos.snapshots.conditionalUpdate(s.id, ['restoring'], { status: 'available' });
      }
    }
  }

  /** Whether a backend object of a row in state `row` (none: not Cinder's) is an orphan. */
  private orphaned(row: RowState | undefined): boolean {
    if (!row) return false;
    if (row.deleted) return row.status !== 'unmanaged';
    return row.host !== null && row.host !== this.o.host && !row.host.startsWith(`${this.o.host}#`);
  }

  /** Remove the backend's leftovers (only while nothing runs on this host: at init_host). */
  async removeOrphans(): Promise<void> {
    const objects = await this.o.driver.listBackendObjects();
    const ids = (kind: 'volume' | 'snapshot') => objects.filter((x) => x.kind === kind && !x.temporary).map((x) => x.id);
    const [volumes, snapshots] = await Promise.all([this.o.repos.volumes.rowStates(ids('volume')), this.o.repos.snapshots.rowStates(ids('snapshot'))]);
    for (const x of objects) {
      if (!x.temporary && !this.orphaned((x.kind === 'volume' ? volumes : snapshots).get(x.id))) continue;
      this.o.log.warn({ object: x.name, [`${x.kind}_id`]: x.id }, `removing ${x.temporary ? 'a leftover of interrupted work' : `the file of a ${x.kind} that is gone`}`);
      await this.o.driver.removeBackendObject(x.name);
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
