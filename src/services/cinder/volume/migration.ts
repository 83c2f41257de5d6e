/**
 * Retype and migration on a volume host (cinder/volume/manager.py retype, migrate_volume with
 * the generic migration): retype records the new type and puts the volume back to its
 * previous status; migrate_volume (on the source host) has the destination host copy the
 * volume's file (create_migration_target, a clone of the source file: every volume host of
 * the file driver shares the machine's data dir), then records the new host and location,
 * migration_status success (and the new type of a retype), and removes the source file. A
 * failure leaves the volume where it was, migration_status error.
 */
import type { RequestContext } from '../../../common/context.js';
import type { Logger } from '../../../common/log/logger.js';
import type { CinderRepos } from '../db/repos.js';
import { VOLUME_RPC_VERSION } from '../rpc/topics.js';
import type { VolumeDriver } from './drivers/driver.js';
import type { VolumeMigrationRpcAPI } from './rpcapi-migration.js';

export class VolumeMigrationManager {
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly o: { driver: VolumeDriver; repos: CinderRepos; rpc: VolumeMigrationRpcAPI; log: Logger }) {}

  /** Run a cast's work in the background, remembered so that drain() can let it finish. */
  private track(work: Promise<unknown>): void {
    const p = work.catch((err: unknown) => this.o.log.error({ err }, 'volume migration failed')).finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  async drain(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  private get repos(): CinderRepos {
    return this.o.repos;
  }

  async retype(volumeId: string, newTypeId: string): Promise<void> {
    const v = await this.repos.volumes.find(volumeId);
    if (!v || v.status !== 'retyping') return;
    await this.repos.volumes.conditionalUpdate(v.id, ['retyping'], { volume_type_id: newTypeId, status: v.previous_status ?? 'available', previous_status: null });
  }

  async migrateVolume(ctx: RequestContext, volumeId: string, destPool: string, newTypeId: string | null): Promise<void> {
    const v = await this.repos.volumes.find(volumeId);
    if (!v || !v.host) return;
    const back = ['retyping', 'maintenance'].includes(v.status) ? (v.previous_status ?? 'available') : v.status;
    await this.repos.volumes.update(v.id, { migration_status: 'migrating' });
    let copied = false;
    try {
      const location = await this.o.rpc.createMigrationTarget(ctx, destPool, v.id, v.size, v.provider_location ?? '');
      copied = true;
      await this.repos.volumes.update(v.id, {
        host: destPool, provider_location: location, migration_status: 'success', status: back, previous_status: null,
        ...(newTypeId ? { volume_type_id: newTypeId } : {}),
      });
      await this.o.driver.deleteVolume({ id: v.id, size: v.size, provider_location: v.provider_location });
    } catch (err) {
      this.o.log.error({ err, volume_id: v.id, dest: destPool }, 'migrate_volume failed');
      if (copied) await this.o.rpc.deleteMigrationTarget(ctx, destPool, v.id).catch(() => undefined);
      await this.repos.volumes.update(v.id, { migration_status: 'error', status: back, previous_status: null });
    }
  }

  /** The destination's copy: a clone of the source's file, at this host's path. */
  async createMigrationTarget(volumeId: string, size: number, sourceLocation: string): Promise<string | null> {
    const update = await this.o.driver.createClonedVolume({ id: volumeId, size, provider_location: null }, { id: volumeId, size, provider_location: sourceLocation });
    return update.provider_location ?? null;
  }

  async deleteMigrationTarget(volumeId: string): Promise<void> {
    await this.o.driver.deleteVolume({ id: volumeId, size: 0, provider_location: null });
  }

  endpoint(): object {
    const m = this;
    const str = (v: unknown): string => String(v ?? '');
    return {
      target: { version: VOLUME_RPC_VERSION },
      async retype(_ctx: RequestContext, args: Record<string, unknown>) { m.track(m.retype(str(args['volume_id']), str(args['new_type_id']))); },
      async migrate_volume(ctx: RequestContext, args: Record<string, unknown>) {
        m.track(m.migrateVolume(ctx, str(args['volume_id']), str(args['dest_pool']), args['new_type_id'] ? str(args['new_type_id']) : null));
      },
      async create_migration_target(_ctx: RequestContext, args: Record<string, unknown>) {
        return m.createMigrationTarget(str(args['volume_id']), Number(args['size']), str(args['source_location']));
      },
      async delete_migration_target(_ctx: RequestContext, args: Record<string, unknown>) { await m.deleteMigrationTarget(str(args['volume_id'])); },
    };
  }
}
