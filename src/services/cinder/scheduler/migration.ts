/**
 * The scheduler's part of retype and migration (cinder/scheduler/manager.py retype and
 * migrate_volume with the FilterScheduler's host_passes_filters / find_retype_backend):
 * retype keeps the volume where it is when its backend passes the filters for the new type,
 * moves it (migration_policy on-demand) to the best other pool that does, or gives up (the
 * volume back to its previous status); migrate_volume checks the requested destination
 * against the filters and has the volume's host move it there (migration_status error when
 * the destination does not pass).
 */
import type { RequestContext } from '../../../common/context.js';
import type { Logger } from '../../../common/log/logger.js';
import type { CinderRepos } from '../db/repos.js';
import type { VolumeRecord } from '../db/records.js';
import { SCHEDULER_RPC_VERSION } from '../rpc/topics.js';
import { backendOf } from '../volume/rpcapi.js';
import type { VolumeMigrationRpcAPI } from '../volume/rpcapi-migration.js';
import type { SchedulerManager } from './manager.js';
import type { RequestSpec } from './rpcapi.js';
import type { MigrationPolicy } from './rpcapi-migration.js';

export class SchedulerMigrationManager {
  constructor(private readonly o: { repos: CinderRepos; scheduler: SchedulerManager; volume: VolumeMigrationRpcAPI; log: Logger }) {}

  /** The pool of `backend` (or `backend#pool`) that passes the filters for `spec`, if any. */
  private async passes(spec: RequestSpec, size: number, host: string): Promise<string | undefined> {
    try {
      const pool = await this.o.scheduler.selectPool({ ...spec, resource_backend: backendOf(host) }, size);
      return host.includes('#') && pool.name !== host ? undefined : pool.name;
    } catch {
      return undefined;
    }
  }

  private async giveUpRetype(v: VolumeRecord, why: string): Promise<void> {
    this.o.log.warn({ volume_id: v.id }, why);
    await this.o.repos.volumes.conditionalUpdate(v.id, ['retyping'], { status: v.previous_status ?? 'available', previous_status: null });
  }

  async retype(ctx: RequestContext, spec: RequestSpec, policy: MigrationPolicy): Promise<void> {
    const v = await this.o.repos.volumes.find(spec.volume_id);
    if (!v || v.status !== 'retyping' || !v.host) return;
    // the volume's own size counts as used already on its pool
    if (await this.passes(spec, 0, v.host)) {
      await this.o.volume.retype(ctx, v.host, v.id, spec.volume_type_id);
      return;
    }
    if (v.previous_status === 'in-use') {
      // a generic migration of an attached volume needs Compute's swap_volume
      await this.giveUpRetype(v, 'Retype of an attached volume would need a migration, which this cloud does not do for attached volumes.');
      return;
    }
    if (policy === 'never') {
      await this.giveUpRetype(v, 'Retype requires migration but is not allowed.');
      return;
    }
    let dest: string;
    try {
      const pools = await this.o.scheduler.selectPool({ ...spec, resource_backend: null }, v.size);
      dest = pools.name;
    } catch {
      await this.giveUpRetype(v, 'No valid backend was found for the new type.');
      return;
    }
    if (backendOf(dest) === backendOf(v.host)) {
      await this.giveUpRetype(v, 'No other backend passes the filters for the new type.');
      return;
    }
    await this.o.volume.migrateVolume(ctx, v.host, v.id, dest, spec.volume_type_id);
  }

  async migrateVolume(ctx: RequestContext, spec: RequestSpec, host: string): Promise<void> {
    const v = await this.o.repos.volumes.find(spec.volume_id);
    if (!v || !v.host || v.migration_status !== 'starting') return;
    const dest = await this.passes(spec, v.size, host);
    if (!dest) {
      this.o.log.warn({ volume_id: v.id, host }, 'the destination of the migration does not pass the filters');
      await this.o.repos.volumes.update(v.id, { migration_status: 'error' });
      return;
    }
    await this.o.volume.migrateVolume(ctx, v.host, v.id, dest, null);
  }

  endpoint(): object {
    const m = this;
    return {
      target: { version: SCHEDULER_RPC_VERSION },
      async retype(ctx: RequestContext, args: Record<string, unknown>) {
        await m.retype(ctx, args['request_spec'] as RequestSpec, args['migration_policy'] === 'on-demand' ? 'on-demand' : 'never');
      },
      async migrate_volume(ctx: RequestContext, args: Record<string, unknown>) {
        await m.migrateVolume(ctx, args['request_spec'] as RequestSpec, String(args['host'] ?? ''));
      },
    };
  }
}
