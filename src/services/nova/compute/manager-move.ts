/**
 * The compute manager's moves (nova/compute/manager.py), on the host the conductor or another
 * host casts to:
 *  Cold move (resize, cold migration):
 *   prep_resize (destination): same-host check, the migration gets its destination, the new
 *     flavor is kept as new_flavor; resize_instance is cast to the source.
 *   resize_instance (source): RESIZE_MIGRATING, the driver powers the guest off and sends its
 *     disks; RESIZE_MIGRATED; finish_resize is cast to the destination.
 *   finish_resize (destination): the server's host, node and flavor switch, its ports are bound
 *     here, RESIZE_FINISH, the driver builds the guest from the disks; vm_state RESIZED,
 *     migration finished.
 *   confirm_resize (source): the old guest goes, the migration's allocation (the source's) is
 *     freed; ACTIVE (or STOPPED), migration confirmed.
 *   revert_resize (destination): the new guest goes, migration reverted; finish_revert_resize
 *     (source): old flavor back, the migration's allocation back to the server, ports bound
 *     back, the old guest back; ACTIVE (or STOPPED).
 *  Live migration (source drives): pre_live_migration on the destination (a call), the
 *   driver copies the running (or paused: it stays so) guest, ports bound to the destination,
 *   post_live_migration_at_destination (a call) makes the destination the server's host, the
 *   migration's allocation (the source's) is freed, migration completed. On a failure the
 *   server stays on the source and its allocation comes back (rollback); an abort asked while
 *   the copy runs ends the same way with the migration cancelled; force_complete ends the copy.
 *  Evacuation: rebuild_instance on the destination spawns the server there from its image
 *   (ports bound here); migration done. When the dead host starts again it destroys the
 *   guests evacuated from it and frees their source allocation (migration completed).
 * A step that fails puts the server back as it was where nova does, or in ERROR, with a fault.
 */
import type { RequestContext } from '../../../common/context.js';
import type { NovaRepos } from '../db/repos.js';
import { LiveMigrationAborted, UnableToMigrateToSelf } from '../errors.js';
import { expectObject, Flavor, ImageMeta, Instance, Migration, MigrationType, RequestSpec } from '../objects/index.js';
import { COMPUTE_RPC_VERSION } from '../rpc/topics.js';
import { withInstanceEvent } from './event-reporter.js';
import { KeyedLock } from './locks.js';
import type { ComputeManagerOptions } from './manager.js';
import { PowerState } from './power-state.js';
import type { ComputeMoveAPI, PrepResizeArgs, RebuildArgs } from './rpcapi-move.js';
import { TaskState } from './task-states.js';
import { VmState } from './vm-states.js';

/** What the host's ComputeManager has too, plus the client to cast the next step of a move. */
export interface ComputeMoveOptions extends Pick<ComputeManagerOptions, 'host' | 'driver' | 'repos' | 'tracker' | 'report' | 'network' | 'notifier' | 'log'> {
  moves: ComputeMoveAPI;
  /** Neutron's events for a guest being spawned here (an unshelve keeps those that come before its spawn waits). */
  events?: Pick<ComputeManagerOptions['events'], 'begin' | 'end'>;
}

const launchedAt = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

export class ComputeMoveManager {
  readonly locks = new KeyedLock();

  constructor(readonly o: ComputeMoveOptions) {}

  get repos(): NovaRepos {
    return this.o.repos;
  }

  /**
   * The RPC methods of `compute.<host>` for moves (an endpoint before ComputeManager's):
   * rebuild_instance with recreate is an evacuation; without, it goes on to `rebuilds` (the
   * host's plain rebuild).
   */
  endpoint(rebuilds: object): object {
    const plainRebuild = (rebuilds as Record<string, (ctx: RequestContext, a: Record<string, unknown>) => Promise<unknown>>)['rebuild_instance'];
    const m = this;
    const inst = (a: Record<string, unknown>) => expectObject(a['instance'], Instance, 'instance');
    const mig = (a: Record<string, unknown>) => expectObject(a['migration'], Migration, 'migration');
    return {
      target: { version: COMPUTE_RPC_VERSION },
      async prep_resize(ctx: RequestContext, a: Record<string, unknown>) {
        await m.prepResize(ctx, {
          instance: inst(a), image: expectObject(a['image'], ImageMeta, 'image'), flavor: expectObject(a['flavor'], Flavor, 'flavor'), migration: mig(a),
          request_spec: expectObject(a['request_spec'], RequestSpec, 'request_spec'), node: String(a['node']), clean_shutdown: a['clean_shutdown'] !== false,
          host_list: [],
        });
      },
      async resize_instance(ctx: RequestContext, a: Record<string, unknown>) {
        await m.resizeInstance(ctx, inst(a), mig(a), expectObject(a['image'], ImageMeta, 'image'));
      },
      async finish_resize(ctx: RequestContext, a: Record<string, unknown>) {
        await m.finishResize(ctx, inst(a), mig(a), expectObject(a['image'], ImageMeta, 'image'), String(a['disk_info'] ?? ''));
      },
      async confirm_resize(ctx: RequestContext, a: Record<string, unknown>) {
        await m.confirmResize(ctx, inst(a), mig(a));
      },
      async revert_resize(ctx: RequestContext, a: Record<string, unknown>) {
        await m.revertResize(ctx, inst(a), mig(a));
      },
      async finish_revert_resize(ctx: RequestContext, a: Record<string, unknown>) {
        await m.finishRevertResize(ctx, inst(a), mig(a));
      },
      async pre_live_migration(ctx: RequestContext, a: Record<string, unknown>) {
        await m.preLiveMigration(ctx, inst(a));
      },
      async live_migration(ctx: RequestContext, a: Record<string, unknown>) {
        await m.liveMigration(ctx, inst(a), String(a['dest']), mig(a), a['block_migration'] !== false);
      },
      async post_live_migration_at_destination(ctx: RequestContext, a: Record<string, unknown>) {
        await m.postLiveMigrationAtDestination(ctx, inst(a), mig(a));
      },
      async live_migration_force_complete(ctx: RequestContext, a: Record<string, unknown>) {
        const instance = inst(a);
        await withInstanceEvent(m.repos.actions, ctx, instance.uuid, 'compute_live_migration_force_complete', m.o.host, () =>
          m.notified(ctx, instance, 'live_migration_force_complete', () => m.o.driver.liveMigrationForceComplete(instance)));
      },
      async live_migration_abort(ctx: RequestContext, a: Record<string, unknown>) {
        const instance = inst(a);
        await withInstanceEvent(m.repos.actions, ctx, instance.uuid, 'compute_live_migration_abort', m.o.host, () =>
          m.notified(ctx, instance, 'live_migration_abort', () => m.o.driver.liveMigrationAbort(instance)));
      },
      async rollback_live_migration_at_destination(ctx: RequestContext, a: Record<string, unknown>) {
        await m.o.driver.rollbackLiveMigrationAtDestination(ctx, inst(a));
      },
      async rebuild_instance(ctx: RequestContext, a: Record<string, unknown>) {
        if (a['recreate'] !== true) {
          if (!plainRebuild) throw new TypeError('rebuild_instance: no rebuild on this host');
          await plainRebuild.call(rebuilds, ctx, a);
          return;
        }
        await m.rebuildForEvacuate(ctx, {
          instance: inst(a), image: expectObject(a['image'], ImageMeta, 'image'), new_pass: typeof a['new_pass'] === 'string' ? a['new_pass'] : null,
          migration: mig(a), node: String(a['node']), on_shared_storage: a['on_shared_storage'] === true,
          request_spec: expectObject(a['request_spec'], RequestSpec, 'request_spec'),
        });
      },
    };
  }

  /** instance.<action>.start, the work, instance.<action>.end. */
  async notified(ctx: RequestContext, instance: Instance, action: string, fn: () => Promise<void>): Promise<void> {
    await this.o.notifier.instanceAction(ctx, instance, action, 'start');
    await fn();
    await this.o.notifier.instanceAction(ctx, instance, action, 'end');
  }

  /** Run one step of a move under the instance's lock, recorded as an event of the request's action. */
  private step<T>(ctx: RequestContext, uuid: string, event: string, fn: () => Promise<T>): Promise<T> {
    return this.locks.run(uuid, () => withInstanceEvent(this.repos.actions, ctx, uuid, event, this.o.host, fn));
  }

  /**
   * A cold move that failed before the destination took over: the allocation goes back to the
   * server, the migration is in error, the server keeps its host and state (no task, no new
   * flavor), with the fault (nova's _revert_allocation + InstanceFaultRollback handling).
   */
  private async rollbackColdMove(instanceUuid: string, migration: Migration, err: unknown): Promise<void> {
    this.o.log.error({ err, instance: instanceUuid, migration: migration.uuid }, 'cold move failed; rolling back');
    await this.o.report.moveAllocations(migration.uuid, instanceUuid).catch((e: unknown) => this.o.log.error({ err: e }, 'could not revert the allocation'));
    await this.repos.migrations.save(migration.uuid, { status: 'error' }).catch(() => undefined);
    await this.repos.faults.addFromError(instanceUuid, err, this.o.host).catch(() => undefined);
    const flavors = await this.repos.moveState.get(instanceUuid).catch(() => undefined);
    if (flavors) await this.repos.moveState.set(instanceUuid, { cur: flavors.old ?? flavors.cur, old: null, new: null });
    await this.repos.instances.save(instanceUuid, { task_state: null }).catch(() => undefined);
  }

  private async refresh(node: string | null): Promise<void> {
    if (node) await this.o.tracker.refreshNode(node).catch((err: unknown) => this.o.log.warn({ err }, 'node refresh failed'));
  }

  // --- cold move -----------------------------------------------------------------------------

  async prepResize(ctx: RequestContext, args: PrepResizeArgs): Promise<void> {
    const { migration } = args;
    await this.step(ctx, args.instance.uuid, 'compute_prep_resize', async () => {
      try {
        const instance = await this.repos.instances.get(args.instance.uuid);
        await this.o.notifier.instanceAction(ctx, instance, 'resize_prep', 'start');
        if (instance.data.host === this.o.host && !this.o.driver.capabilities.supports_migrate_to_same_host) {
          throw new UnableToMigrateToSelf(instance.uuid, this.o.host);
        }
        const flavors = await this.repos.moveState.get(instance.uuid);
        await this.repos.moveState.set(instance.uuid, { cur: flavors.cur, old: flavors.cur, new: args.flavor });
        await this.repos.moveState.setSystemMetadata(instance.uuid, 'old_vm_state', instance.data.vm_state);
        const prepared = await this.repos.migrations.save(migration.uuid, { dest_compute: this.o.host, dest_node: args.node, dest_host: this.o.host, status: 'pre-migrating' });
        await this.o.notifier.instanceAction(ctx, instance, 'resize_prep', 'end');
        await this.o.moves.resizeInstance(ctx, migration.data.source_compute!, instance, prepared, args.flavor, args.image, args.clean_shutdown);
      } catch (err) {
        await this.rollbackColdMove(args.instance.uuid, migration, err);
        throw err;
      }
    });
  }

  async resizeInstance(ctx: RequestContext, given: Instance, migration: Migration, image: ImageMeta): Promise<void> {
    await this.step(ctx, given.uuid, 'compute_resize_instance', async () => {
      try {
        await this.repos.migrations.save(migration.uuid, { status: 'migrating' });
        let instance = await this.repos.instances.save(given.uuid, { task_state: TaskState.RESIZE_MIGRATING }, { task_state: [TaskState.RESIZE_PREP] });
        await this.o.notifier.instanceAction(ctx, instance, 'resize', 'start');
        const flavors = await this.repos.moveState.get(instance.uuid);
        const diskInfo = await this.o.driver.migrateDiskAndPowerOff(ctx, instance, migration.data.dest_compute!, flavors.new ?? flavors.cur, instance.data.network_info);
        instance = await this.repos.instances.save(instance.uuid, { task_state: TaskState.RESIZE_MIGRATED, power_state: PowerState.SHUTDOWN }, { task_state: [TaskState.RESIZE_MIGRATING] });
        const migrated = await this.repos.migrations.save(migration.uuid, { status: 'post-migrating' });
        await this.o.notifier.instanceAction(ctx, instance, 'resize', 'end');
        await this.o.moves.finishResize(ctx, migration.data.dest_compute!, instance, migrated, image, diskInfo);
      } catch (err) {
        await this.rollbackColdMove(given.uuid, migration, err);
        throw err;
      }
    });
  }

  async finishResize(ctx: RequestContext, given: Instance, migration: Migration, image: ImageMeta, diskInfo: string): Promise<void> {
    await this.step(ctx, given.uuid, 'compute_finish_resize', async () => {
      const uuid = given.uuid;
      const oldVmState = given.data.system_metadata['old_vm_state'] ?? VmState.ACTIVE;
      try {
        const flavors = await this.repos.moveState.get(uuid);
        const resize = migration.data.migration_type === MigrationType.RESIZE;
        await this.repos.moveState.set(uuid, { cur: flavors.new ?? flavors.cur, old: flavors.old ?? flavors.cur, new: flavors.new ?? flavors.cur });
        const networkInfo = await this.o.network.bindPortsToHost(given, this.o.host);
        await this.repos.instances.setNetworkInfo(uuid, networkInfo);
        let instance = await this.repos.instances.save(uuid, {
          host: this.o.host, node: migration.data.dest_node, task_state: TaskState.RESIZE_FINISH,
        }, { task_state: [TaskState.RESIZE_MIGRATED] });
        await this.o.notifier.instanceAction(ctx, instance, 'resize_finish', 'start');
        await this.o.driver.finishMigration({
          context: ctx, migration, instance, diskInfo, networkInfo, image, resizeInstance: resize, powerOn: oldVmState !== VmState.STOPPED,
        });
        instance = await this.repos.instances.save(uuid, {
          vm_state: VmState.RESIZED, task_state: null, power_state: this.o.driver.getInfo(instance).state, launched_at: launchedAt(),
        }, { task_state: [TaskState.RESIZE_FINISH] });
        await this.repos.migrations.save(migration.uuid, { status: 'finished' });
        await this.refresh(migration.data.dest_node);
        await this.o.notifier.instanceAction(ctx, instance, 'resize_finish', 'end');
      } catch (err) {
        // The guest may be half-built here; the source still holds the old one: ERROR, as nova's
        // _error_out_instance_on_exception in finish_resize.
        this.o.log.error({ err, instance: uuid }, 'finish_resize failed');
        await this.repos.migrations.save(migration.uuid, { status: 'error' }).catch(() => undefined);
        await this.repos.faults.addFromError(uuid, err, this.o.host).catch(() => undefined);
        await this.repos.instances.save(uuid, { vm_state: VmState.ERROR, task_state: null }).catch(() => undefined);
        throw err;
      }
    });
  }

  /** The state a server returns to after a confirm or revert: STOPPED when its guest is off. */
  private settledState(powerState: number): string {
    return powerState === PowerState.SHUTDOWN ? VmState.STOPPED : VmState.ACTIVE;
  }

  async confirmResize(ctx: RequestContext, given: Instance, migration: Migration): Promise<void> {
    await this.step(ctx, given.uuid, 'compute_confirm_resize', async () => {
      const uuid = given.uuid;
      let instance = await this.repos.instances.get(uuid);
      await this.o.notifier.instanceAction(ctx, instance, 'resize_confirm', 'start');
      await this.o.driver.confirmMigration(ctx, migration, instance, instance.data.network_info);
      await this.o.report.deleteAllocationForInstance(migration.uuid);
      await this.repos.migrations.save(migration.uuid, { status: 'confirmed' });
      const flavors = await this.repos.moveState.get(uuid);
      await this.repos.moveState.set(uuid, { cur: flavors.cur, old: null, new: null });
      await this.repos.moveState.setSystemMetadata(uuid, 'old_vm_state', null);
      instance = await this.repos.instances.save(uuid, { vm_state: this.settledState(instance.data.power_state), task_state: null }, { vm_state: [VmState.RESIZED] });
      await this.refresh(migration.data.source_node);
      await this.o.notifier.instanceAction(ctx, instance, 'resize_confirm', 'end');
    });
  }

  async revertResize(ctx: RequestContext, given: Instance, migration: Migration): Promise<void> {
    await this.step(ctx, given.uuid, 'compute_revert_resize', async () => {
      const instance = await this.repos.instances.get(given.uuid);
      await this.o.notifier.instanceAction(ctx, instance, 'resize_revert', 'start');
      await this.o.driver.destroy(ctx, instance, instance.data.network_info);
      const reverted = await this.repos.migrations.save(migration.uuid, { status: 'reverted' });
      await this.o.moves.finishRevertResize(ctx, migration.data.source_compute!, instance, reverted);
    });
    await this.refresh(migration.data.dest_node);
  }

  async finishRevertResize(ctx: RequestContext, given: Instance, migration: Migration): Promise<void> {
    await this.step(ctx, given.uuid, 'compute_finish_revert_resize', async () => {
      const uuid = given.uuid;
      const oldVmState = given.data.system_metadata['old_vm_state'] ?? VmState.ACTIVE;
      const flavors = await this.repos.moveState.get(uuid);
      await this.repos.moveState.set(uuid, { cur: flavors.old ?? flavors.cur, old: null, new: null });
      await this.repos.moveState.setSystemMetadata(uuid, 'old_vm_state', null);
      await this.o.report.moveAllocations(migration.uuid, uuid);
      const networkInfo = await this.o.network.bindPortsToHost(given, this.o.host);
      await this.repos.instances.setNetworkInfo(uuid, networkInfo);
      let instance = await this.repos.instances.save(uuid, { host: this.o.host, node: migration.data.source_node });
      await this.o.driver.finishRevertMigration(ctx, instance, networkInfo, migration, oldVmState !== VmState.STOPPED);
      const power = this.o.driver.getInfo(instance).state;
      instance = await this.repos.instances.save(uuid, { vm_state: this.settledState(power), task_state: null, power_state: power }, { task_state: [TaskState.RESIZE_REVERTING] });
      await this.refresh(migration.data.source_node);
      await this.o.notifier.instanceAction(ctx, instance, 'resize_revert', 'end');
    });
  }

  // --- live migration ------------------------------------------------------------------------

  async preLiveMigration(ctx: RequestContext, given: Instance): Promise<void> {
    await withInstanceEvent(this.repos.actions, ctx, given.uuid, 'compute_pre_live_migration', this.o.host, async () => {
      await this.o.notifier.instanceAction(ctx, given, 'live_migration_pre', 'start');
      await this.o.driver.preLiveMigration(ctx, given, given.data.network_info);
      await this.o.notifier.instanceAction(ctx, given, 'live_migration_pre', 'end');
    });
  }

  async liveMigration(ctx: RequestContext, given: Instance, dest: string, migration: Migration, blockMigration: boolean): Promise<void> {
    await this.step(ctx, given.uuid, 'compute_live_migration', async () => {
      const uuid = given.uuid;
      try {
        await this.repos.migrations.save(migration.uuid, { status: 'preparing' });
        await this.o.moves.preLiveMigration(ctx, dest, given, migration);
        await this.repos.migrations.save(migration.uuid, { status: 'running' });
        await this.o.driver.liveMigration(ctx, given, dest, blockMigration);
      } catch (err) {
        await this.rollbackLiveMigration(ctx, given, dest, migration, err);
        if (err instanceof LiveMigrationAborted) return;
        throw err;
      }
      // _post_live_migration: the guest runs on the destination now.
      let instance = await this.repos.instances.get(uuid);
      await this.o.notifier.instanceAction(ctx, instance, 'live_migration_post', 'start');
      const networkInfo = await this.o.network.bindPortsToHost(instance, dest);
      await this.repos.instances.setNetworkInfo(uuid, networkInfo);
      await this.o.moves.postLiveMigrationAtDestination(ctx, dest, instance, migration);
      await this.o.report.deleteAllocationForInstance(migration.uuid);
      await this.repos.migrations.save(migration.uuid, { status: 'completed' });
      await this.refresh(migration.data.source_node);
      instance = await this.repos.instances.get(uuid);
      await this.o.notifier.instanceAction(ctx, instance, 'live_migration_post', 'end');
    });
  }

  /** _rollback_live_migration: the server stays here, running; its allocation comes back; the destination drops what it prepared. */
  private async rollbackLiveMigration(ctx: RequestContext, instance: Instance, dest: string, migration: Migration, err: unknown): Promise<void> {
    this.o.log.error({ err, instance: instance.uuid }, 'live migration failed; rolling back');
    await this.o.notifier.instanceAction(ctx, instance, 'live_migration_rollback', 'start');
    await this.o.report.moveAllocations(migration.uuid, instance.uuid).catch((e: unknown) => this.o.log.error({ err: e }, 'could not revert the allocation'));
    await this.o.moves.rollbackLiveMigrationAtDestination(ctx, dest, instance).catch(() => undefined);
    const aborted = err instanceof LiveMigrationAborted;
    await this.repos.migrations.save(migration.uuid, { status: aborted ? 'cancelled' : 'error' }).catch(() => undefined);
    if (!aborted) await this.repos.faults.addFromError(instance.uuid, err, this.o.host).catch(() => undefined);
    const back = await this.repos.instances.save(instance.uuid, { task_state: null, progress: 0 }).catch(() => instance);
    await this.o.notifier.instanceAction(ctx, back, 'live_migration_rollback', 'end');
  }

  async postLiveMigrationAtDestination(ctx: RequestContext, given: Instance, migration: Migration): Promise<void> {
    await withInstanceEvent(this.repos.actions, ctx, given.uuid, 'compute_post_live_migration_at_destination', this.o.host, async () => {
      await this.o.notifier.instanceAction(ctx, given, 'live_migration_post_dest', 'start');
      await this.o.driver.postLiveMigrationAtDestination(ctx, given, given.data.network_info);
      const instance = await this.repos.instances.save(given.uuid, {
        host: this.o.host, node: migration.data.dest_node, power_state: this.o.driver.getInfo(given).state, task_state: null, progress: 0,
      }, { task_state: [TaskState.MIGRATING] });
      await this.refresh(migration.data.dest_node);
      await this.o.notifier.instanceAction(ctx, instance, 'live_migration_post_dest', 'end');
    });
  }

  // --- evacuation ----------------------------------------------------------------------------

  /** rebuild_instance with recreate: the server is built again here from its image. */
  async rebuildForEvacuate(ctx: RequestContext, args: RebuildArgs): Promise<void> {
    const uuid = args.instance.uuid;
    await this.step(ctx, uuid, 'compute_rebuild_instance', async () => {
      const wasStopped = args.instance.data.vm_state === VmState.STOPPED;
      try {
        await this.repos.migrations.save(args.migration.uuid, { status: 'pre-migrating' });
        let instance = await this.repos.instances.save(uuid, { host: this.o.host, node: args.node, launched_on: this.o.host }, { task_state: [TaskState.REBUILDING] });
        await this.o.notifier.instanceAction(ctx, instance, 'rebuild', 'start');
        const networkInfo = await this.o.network.bindPortsToHost(instance, this.o.host);
        await this.repos.instances.setNetworkInfo(uuid, networkInfo);
        instance = await this.repos.instances.save(uuid, { task_state: TaskState.REBUILD_BLOCK_DEVICE_MAPPING }, { task_state: [TaskState.REBUILDING] });
        instance = await this.repos.instances.save(uuid, { task_state: TaskState.REBUILD_SPAWNING }, { task_state: [TaskState.REBUILD_BLOCK_DEVICE_MAPPING] });
        await this.o.driver.spawn({
          context: ctx, instance, image: args.image, injectedFiles: [], adminPassword: args.new_pass, networkInfo,
          blockDevices: await this.repos.bdms.byInstance(uuid),
        });
        if (wasStopped) await this.o.driver.powerOff(instance);
        instance = await this.repos.instances.save(uuid, {
          vm_state: wasStopped ? VmState.STOPPED : VmState.ACTIVE, task_state: null, power_state: this.o.driver.getInfo(instance).state, launched_at: launchedAt(),
        }, { task_state: [TaskState.REBUILD_SPAWNING] });
        await this.repos.migrations.save(args.migration.uuid, { status: 'done' });
        await this.refresh(args.node);
        await this.o.notifier.instanceAction(ctx, instance, 'rebuild', 'end');
      } catch (err) {
        this.o.log.error({ err, instance: uuid }, 'evacuation failed on the destination');
        await this.o.driver.destroy(ctx, args.instance, []).catch(() => undefined);
        await this.repos.migrations.save(args.migration.uuid, { status: 'failed' }).catch(() => undefined);
        await this.o.report.moveAllocations(args.migration.uuid, uuid).catch(() => undefined);
        await this.repos.faults.addFromError(uuid, err, this.o.host).catch(() => undefined);
        await this.repos.instances.save(uuid, { vm_state: VmState.ERROR, task_state: null }).catch(() => undefined);
        throw err;
      }
    });
  }

  /**
   * _destroy_evacuated_instances (init_host): guests evacuated from this host while it was down
   * are destroyed here, their allocation on this host (held by the migration) freed, and the
   * migration completed.
   */
  async destroyEvacuatedInstances(ctx: RequestContext): Promise<void> {
    const migrations = await this.repos.migrations.fromSource(this.o.host, MigrationType.EVACUATION, ['accepted', 'pre-migrating', 'done']);
    for (const migration of migrations) {
      const instance = await this.repos.instances.find(migration.data.instance_uuid);
      if (instance && instance.data.host === this.o.host) continue;
      if (instance && this.o.driver.instanceExists(instance)) {
        this.o.log.info({ instance: instance.uuid }, 'Destroying instance as it has been evacuated from this host but still exists in the hypervisor');
        await this.o.driver.destroy(ctx, instance, []).catch((err: unknown) => this.o.log.warn({ err }, 'could not destroy the evacuated guest'));
      }
      await this.o.report.deleteAllocationForInstance(migration.uuid).catch((err: unknown) => this.o.log.warn({ err }, 'could not free the evacuated allocation'));
      if (migration.data.status === 'done') await this.repos.migrations.save(migration.uuid, { status: 'completed' });
    }
  }
}
