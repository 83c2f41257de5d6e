/**
 * SchedulerManager (cinder/scheduler/manager.py with the FilterScheduler): create_volume picks
 * the pool for a volume (the pools of live services; only the source's backend for a volume
 * from a snapshot or another volume; the enabled filters, then the weighers), records the
 * volume's host and casts to that volume service; with no pool left the volume goes to
 * error (with a user message of the volume's project). get_pools lists the pools it knows; update_service_capabilities records a volume
 * service's report. Until the first report (or scheduler_driver_init_wait_time) create_volume
 * waits, as cinder's scheduler does after its start.
 */
import type { RequestContext } from '../../../common/context.js';
import type { Logger } from '../../../common/log/logger.js';
import type { CinderRepos } from '../db/repos.js';
import { NoValidBackend } from '../errors.js';
import { Action, Detail, UserMessages } from '../managers/messages.js';
import { SCHEDULER_RPC_VERSION } from '../rpc/topics.js';
import type { VolumeRpcAPI } from '../volume/rpcapi.js';
import type { BackendFilter } from './filters/index.js';
import type { HostManager } from './host-manager.js';
import { consume, type PoolState, type PoolView } from './host-state.js';
import type { Capabilities, RequestSpec } from './rpcapi.js';
import { weighPools, type Weigher } from './weights/index.js';

export interface SchedulerManagerOptions {
  repos: CinderRepos;
  hosts: HostManager;
  filters: readonly BackendFilter[];
  weighers: readonly Weigher[];
  volume: VolumeRpcAPI;
  log: Logger;
}

export class SchedulerManager {
  private firstReport!: () => void;
  /** Resolved once a volume service reported, or the init wait is over (init_host_with_rpc). */
  private readonly ready: Promise<void>;

  constructor(private readonly o: SchedulerManagerOptions) {
    this.ready = new Promise((resolve) => { this.firstReport = resolve; });
  }

  /** Stop waiting for the first capability report after `seconds` (scheduler_driver_init_wait_time). */
  startupDelay(seconds: number): void {
    const timer = setTimeout(() => this.firstReport(), seconds * 1000);
    timer.unref();
  }

  /** The best pool for the request. @throws NoValidBackend */
  async selectPool(spec: RequestSpec, size: number): Promise<PoolState> {
    let pools = await this.o.hosts.pools();
    if (spec.resource_backend) pools = pools.filter((p) => p.backend === spec.resource_backend);
    if (pools.length === 0) throw new NoValidBackend('No weighed backends available');
    for (const f of this.o.filters) {
      pools = pools.filter((p) => f.passes(p, { spec, size }));
      if (pools.length === 0) throw new NoValidBackend(`No weighed backends available (filter ${f.name} removed every backend)`);
    }
    return weighPools(pools, this.o.weighers)[0]!.pool;
  }

  async createVolume(ctx: RequestContext, spec: RequestSpec): Promise<void> {
    await this.ready;
    let pool: PoolState;
    try {
      pool = await this.selectPool(spec, spec.size);
    } catch (err) {
      this.o.log.warn({ err, volume_id: spec.volume_id }, 'no backend for the volume');
      const v = await this.o.repos.volumes.find(spec.volume_id);
      if (v?.status === 'creating') {
        await new UserMessages(this.o.repos).create(ctx, {
          action: Action.SCHEDULE_ALLOCATE_VOLUME, detail: err instanceof NoValidBackend ? Detail.NO_BACKEND_AVAILABLE : Detail.UNKNOWN_ERROR,
          resourceType: 'VOLUME', resourceUuid: v.id, projectId: v.project_id,
        });
      }
      await this.o.repos.volumes.conditionalUpdate(spec.volume_id, ['creating'], { status: 'error' });
      if (!(err instanceof NoValidBackend)) throw err;
      return;
    }
    consume(pool, spec.size);
    const placed = await this.o.repos.volumes.conditionalUpdate(spec.volume_id, ['creating'], { host: pool.name, availability_zone: pool.availabilityZone });
    if (placed) await this.o.volume.createVolume(ctx, pool.name, spec.volume_id);
  }

  /**
   * Volumes left creating with no host by a scheduler that stopped before placing them, last
   * changed up to `until`, are errors (called at start when the bus kept no message across the
   * restart: the in-process one; a broker delivers the create_volume casts still queued).
   */
  async failUnscheduled(until: string): Promise<void> {
    for (const v of await this.o.repos.volumes.unscheduled()) {
      if ((v.updated_at ?? v.created_at) > until) continue;
      if (await this.o.repos.volumes.conditionalUpdate(v.id, ['creating'], { status: 'error' }, { noHost: true })) {
        this.o.log.warn({ volume_id: v.id }, 'the volume was never scheduled before the restart: error');
      }
    }
  }

  async getPools(filters: Record<string, unknown> | null): Promise<PoolView[]> {
    const pools = await this.o.hosts.pools(true);
    const name = filters?.['name'];
    const backend = filters?.['backend_name'] ?? filters?.['volume_backend_name'];
    return pools
      .filter((p) => name === undefined || p.name === name)
      .filter((p) => backend === undefined || p.capabilities['volume_backend_name'] === backend)
      .map((p) => ({ name: p.name, capabilities: p.capabilities }));
  }

  endpoint(): object {
    const m = this;
    return {
      target: { version: SCHEDULER_RPC_VERSION },
      async create_volume(ctx: RequestContext, args: Record<string, unknown>) {
        await m.createVolume(ctx, args['request_spec'] as RequestSpec);
      },
      async get_pools(_ctx: RequestContext, args: Record<string, unknown>) {
        return m.getPools((args['filters'] ?? null) as Record<string, unknown> | null);
      },
      async update_service_capabilities(_ctx: RequestContext, args: Record<string, unknown>) {
        const caps = (args['capabilities'] ?? { pools: [] }) as Capabilities;
        m.o.hosts.updateServiceCapabilities(String(args['service_name']), String(args['host']), caps, String(args['timestamp'] ?? new Date().toISOString()));
        m.firstReport();
      },
    };
  }
}
