/**
 * The compute API's moves (nova/compute/api.py resize, confirm_resize, revert_resize,
 * live_migrate, live_migrate_force_complete/abort, evacuate, shelve, shelve_offload, unshelve):
 * the state checks, the request spec adjusted for the move, the task state, the instance
 * action, then the cast to the conductor or the host.
 */
import type { ImageClient } from '../../../common/clients/index.js';
import type { RequestContext } from '../../../common/context.js';
import type { Logger } from '../../../common/log/logger.js';
import type { ComputeTaskMoveAPI } from '../conductor/rpcapi-move.js';
import { hostAvailabilityZone } from '../db/aggregates.js';
import type { NovaRepos } from '../db/repos.js';
import { serviceIsUp } from '../db/services.js';
import {
  CannotResizeDisk, CannotResizeToSameFlavor, ComputeHostNotFound, ComputeServiceInUse, FlavorNotFound, InstanceInvalidState, InstanceIsLocked,
  InvalidMigrationState, InvalidRequest, MigrationNotFoundForInstance, NovaException, ServiceUnavailable, UnshelveHostNotInAZ, UnshelveInstanceInvalidState,
} from '../errors.js';
import type { NovaNotifier } from '../notifications/notifier.js';
import { MigrationType, RequestSpec, type Flavor, type Instance, type Migration } from '../objects/index.js';
import type { SchedulerReportClient } from '../scheduler/client/report.js';
import { InstanceAction } from './instance-actions.js';
import type { QuotaChecker } from './quota.js';
import type { ComputeMoveAPI } from './rpcapi-move.js';
import { createShelveImage, deleteShelveImage } from './shelve-image.js';
import { TaskState } from './task-states.js';
import { VmState } from './vm-states.js';

export interface ComputeMoveApiSettings {
  serviceDownTime: number;
  /** [DEFAULT] allow_resize_to_same_host. */
  allowResizeToSameHost: boolean;
  defaultAvailabilityZone: string;
}

export interface ComputeMoveApiDeps {
  repos: NovaRepos;
  images: ImageClient;
  conductor: ComputeTaskMoveAPI;
  compute: ComputeMoveAPI;
  report: SchedulerReportClient;
  quotas: QuotaChecker;
  notifier: NovaNotifier;
  /** The zones with an enabled compute host (ComputeApi.availableZones). */
  availableZones(): Promise<Set<string>>;
  settings: ComputeMoveApiSettings;
  log: Logger;
}

/** nova's CannotMigrateToSameHost. */
export class CannotMigrateToSameHost extends NovaException {
  constructor() { super('Cannot migrate to the host where the server exists.', 400); }
}

export class ComputeMoveApi {
  constructor(private readonly d: ComputeMoveApiDeps) {}

  private get repos(): NovaRepos {
    return this.d.repos;
  }

  /** check_instance_lock and check_instance_state (task_state undefined: any). */
  private check(instance: Instance, isAdmin: boolean, method: string, vmStates: readonly string[] | null, taskStates: ReadonlyArray<string | null> | undefined = [null]): void {
    if (instance.data.locked && !isAdmin) throw new InstanceIsLocked(instance.uuid);
    if (vmStates && !vmStates.includes(instance.data.vm_state)) throw new InstanceInvalidState(instance.uuid, 'vm_state', instance.data.vm_state, method);
    if (taskStates && !taskStates.includes(instance.data.task_state)) throw new InstanceInvalidState(instance.uuid, 'task_state', instance.data.task_state, method);
  }

  private async action(ctx: RequestContext, instance: Instance, action: string): Promise<void> {
    await this.repos.actions.start(instance.uuid, action, ctx.requestId, ctx.userId ?? null, ctx.projectId ?? null);
  }

  private async spec(instance: Instance): Promise<RequestSpec> {
    const spec = await this.repos.requestSpecs.get(instance.uuid);
    if (!spec) throw new NovaException(`No request spec recorded for instance ${instance.uuid}`);
    return spec;
  }

  private async computeService(host: string) {
    const svc = await this.repos.services.get(host, 'nova-compute');
    if (!svc) throw new ComputeHostNotFound(host);
    return svc;
  }

  /** _check_quota_for_upsize: the cores and RAM a bigger flavor adds must fit the limits (the quota engine's checkDeltas). */
  async checkQuotaForUpsize(ctx: RequestContext, instance: Instance, current: Flavor, next: Flavor): Promise<void> {
    await this.d.quotas.checkDeltas(ctx, instance.data.project_id, instance.data.user_id, {
      cores: Math.max(0, next.data.vcpus - current.data.vcpus), ram: Math.max(0, next.data.memory_mb - current.data.memory_mb),
    });
  }

  /** _allow_resize_to_same_host: a cold migration when the node has COMPUTE_SAME_HOST_COLD_MIGRATE, a resize when configured. */
  private async allowSameHost(instance: Instance, coldMigrate: boolean): Promise<boolean> {
    if (!coldMigrate) return this.d.settings.allowResizeToSameHost;
    const node = instance.data.host && instance.data.node ? await this.repos.computeNodes.get(instance.data.host, instance.data.node) : undefined;
    if (!node) return false;
    const traits = await this.d.report.getProviderTraits(node.uuid).catch(() => [] as string[]);
    return traits.includes('COMPUTE_SAME_HOST_COLD_MIGRATE');
  }

  /**
   * resize (flavorId set) and cold migration (flavorId null; host from 2.56): ACTIVE or STOPPED
   * servers; RESIZE_PREP, the action, then migrate_server to the conductor.
   */
  async resize(ctx: RequestContext, instance: Instance, opts: { flavorId: string | null; host: string | null; autoDiskConfig: boolean | null; isAdmin: boolean }): Promise<void> {
    const method = opts.flavorId ? 'resize' : 'migrate';
    this.check(instance, opts.isAdmin, method, [VmState.ACTIVE, VmState.STOPPED]);
    let node: { host: string; hypervisor_hostname: string } | undefined;
    if (opts.host) {
      if (opts.host === instance.data.host) throw new CannotMigrateToSameHost();
      node = (await this.repos.computeNodes.list()).find((n) => n.host === opts.host);
      if (!node) throw new ComputeHostNotFound(opts.host);
    }
    const current = instance.data.flavor;
    let next = current;
    if (opts.flavorId) {
      next = await this.repos.flavors.getByFlavorId(opts.flavorId);
      if (!next.data.is_public && !opts.isAdmin && !(await this.repos.flavors.projectHasAccess(next.data.id, ctx.projectId ?? ''))) {
        throw new FlavorNotFound(opts.flavorId);
      }
      const volumeBacked = (await this.spec(instance)).data.is_bfv;
      if (next.data.root_gb === 0 && current.data.root_gb !== 0 && !volumeBacked) throw new CannotResizeDisk('Resize to zero disk flavor is not allowed.');
    }
    const sameFlavor = current.data.id === next.data.id;
    if (!sameFlavor && next.data.disabled) throw new FlavorNotFound(opts.flavorId ?? next.data.flavorid);
    if (sameFlavor && opts.flavorId) throw new CannotResizeToSameFlavor();
    if (opts.flavorId) await this.checkQuotaForUpsize(ctx, instance, current, next);
    const spec = await this.spec(instance);
    const ignoreHosts = (await this.allowSameHost(instance, sameFlavor)) || !instance.data.host ? [] : [instance.data.host];
    const moveSpec = new RequestSpec({
      ...spec.data, flavor: next, ignore_hosts: ignoreHosts, force_hosts: [], force_nodes: [], num_instances: 1,
      requested_destination: node ? { host: node.host, node: node.hypervisor_hostname, aggregates: [], forbidden_aggregates: [] } : null,
    });
    const prepared = await this.repos.instances.save(instance.uuid, {
      task_state: TaskState.RESIZE_PREP, progress: 0, ...(opts.autoDiskConfig !== null ? { auto_disk_config: opts.autoDiskConfig } : {}),
    }, { task_state: [null] });
    await this.action(ctx, instance, opts.flavorId ? InstanceAction.RESIZE : InstanceAction.MIGRATE);
    await this.d.conductor.migrateServer(ctx, { instance: prepared, flavor: next, request_spec: moveSpec, clean_shutdown: true });
  }

  /** confirm_resize: a RESIZED server whose source host is up; the source frees the old guest and allocation. */
  async confirmResize(ctx: RequestContext, instance: Instance, isAdmin: boolean): Promise<void> {
    this.check(instance, isAdmin, 'confirm_resize', [VmState.RESIZED], undefined);
    const migration = await this.repos.migrations.byInstanceAndStatus(instance.uuid, 'finished');
    const source = await this.repos.services.get(migration.data.source_compute ?? '', 'nova-compute');
    if (!source || !serviceIsUp(source, this.d.settings.serviceDownTime)) throw new ServiceUnavailable();
    const confirming = await this.repos.migrations.save(migration.uuid, { status: 'confirming' }, ['finished']);
    await this.action(ctx, instance, InstanceAction.CONFIRM_RESIZE);
    await this.d.compute.confirmResize(ctx, migration.data.source_compute!, instance, confirming);
  }

  /**
   * What a delete settles first (nova's _delete): a RESIZED server's resize is confirmed on its
   * source host (waiting for it: the old guest and the source allocation go), a shelved
   * server's snapshot image is deleted.
   */
  async beforeDelete(ctx: RequestContext, instance: Instance): Promise<void> {
    if (instance.data.vm_state === VmState.RESIZED) {
      const migration = await this.repos.migrations.byInstanceAndStatus(instance.uuid, 'finished').catch(() => undefined);
      if (migration?.data.source_compute) {
        const confirming = await this.repos.migrations.save(migration.uuid, { status: 'confirming' });
        await this.action(ctx, instance, InstanceAction.CONFIRM_RESIZE);
        await this.d.compute.confirmResize(ctx, migration.data.source_compute, instance, confirming, true)
          .catch((err: unknown) => this.d.log.warn({ err, instance: instance.uuid }, 'could not confirm the resize of a server being deleted'));
      }
    }
    const imageId = instance.data.system_metadata['shelved_image_id'];
    if ((instance.data.vm_state === VmState.SHELVED || instance.data.vm_state === VmState.SHELVED_OFFLOADED) && imageId) {
      await deleteShelveImage(this.d.images, ctx, imageId).catch((err: unknown) => this.d.log.warn({ err, image: imageId }, 'could not delete the shelved image'));
    }
  }

  /** revert_resize: a RESIZED server goes back to its source host and old flavor. */
  async revertResize(ctx: RequestContext, instance: Instance, isAdmin: boolean): Promise<void> {
    this.check(instance, isAdmin, 'revert_resize', [VmState.RESIZED], undefined);
    const migration = await this.repos.migrations.byInstanceAndStatus(instance.uuid, 'finished');
    const flavors = await this.repos.moveState.get(instance.uuid);
    if (flavors.old) await this.checkQuotaForUpsize(ctx, instance, flavors.cur, flavors.old);
    const spec = await this.spec(instance);
    if (flavors.old && spec.data.flavor.data.id !== flavors.old.data.id) await this.repos.requestSpecs.save(new RequestSpec({ ...spec.data, flavor: flavors.old }));
    const zone = hostAvailabilityZone((await this.repos.aggregates.byHost()).get(migration.data.source_compute ?? '') ?? [], this.d.settings.defaultAvailabilityZone);
    const reverting = await this.repos.instances.save(instance.uuid, { task_state: TaskState.RESIZE_REVERTING, availability_zone: zone }, { task_state: [null] });
    const m = await this.repos.migrations.save(migration.uuid, { status: 'reverting' });
    await this.action(ctx, instance, InstanceAction.REVERT_RESIZE);
    await this.d.compute.revertResize(ctx, migration.data.dest_compute!, reverting, m);
  }

  /** live_migrate: MIGRATING, then the conductor (a forced host bypasses the scheduler; force false becomes a requested destination). */
  async liveMigrate(ctx: RequestContext, instance: Instance, opts: { host: string | null; blockMigration: boolean | null; force: boolean | null; isAdmin: boolean }): Promise<void> {
    this.check(instance, opts.isAdmin, 'live_migrate', [VmState.ACTIVE, VmState.PAUSED]);
    let node: { host: string; hypervisor_hostname: string } | undefined;
    if (opts.host) {
      node = (await this.repos.computeNodes.list()).find((n) => n.host === opts.host);
      if (!node) throw new ComputeHostNotFound(opts.host);
    }
    const spec = await this.spec(instance);
    const migrating = await this.repos.instances.save(instance.uuid, { task_state: TaskState.MIGRATING }, { task_state: [null] });
    await this.action(ctx, instance, InstanceAction.LIVE_MIGRATION);
    const scheduled = opts.force === false && node;
    const moveSpec = new RequestSpec({
      ...spec.data, ignore_hosts: [], force_hosts: [], force_nodes: [], num_instances: 1,
      requested_destination: scheduled ? { host: node!.host, node: node!.hypervisor_hostname, aggregates: [], forbidden_aggregates: [] } : null,
    });
    await this.d.conductor.liveMigrateInstance(ctx, { instance: migrating, host: scheduled ? null : opts.host, block_migration: opts.blockMigration, request_spec: moveSpec });
  }

  /** Statuses of a migration that is over (nova's get_migrations_in_progress_by_instance leaves them out). */
  static readonly FINISHED_STATUSES: readonly string[] = ['accepted', 'confirmed', 'reverted', 'error', 'failed', 'completed', 'cancelled', 'done'];

  /** The server's live migrations in progress (GET /servers/{id}/migrations). */
  async liveMigrationsInProgress(instance: Instance): Promise<Migration[]> {
    return (await this.repos.migrations.forInstance(instance.uuid))
      .filter((m) => m.data.migration_type === MigrationType.LIVE_MIGRATION && !ComputeMoveApi.FINISHED_STATUSES.includes(m.data.status));
  }

  /** Migration.get_by_id_and_instance. @throws MigrationNotFoundForInstance */
  async migrationOf(instance: Instance, migrationId: number): Promise<Migration> {
    const migration = Number.isSafeInteger(migrationId) ? await this.repos.migrations.findById(migrationId) : undefined;
    if (!migration || migration.data.instance_uuid !== instance.uuid) throw new MigrationNotFoundForInstance(migrationId, instance.uuid);
    return migration;
  }

  /** live_migrate_force_complete: an ACTIVE server in MIGRATING whose migration is running. */
  async liveMigrateForceComplete(ctx: RequestContext, instance: Instance, migrationId: number, isAdmin: boolean): Promise<void> {
    this.check(instance, isAdmin, 'force_complete', [VmState.ACTIVE], [TaskState.MIGRATING]);
    const migration = await this.migrationOf(instance, migrationId);
    if (migration.data.status !== 'running') throw new InvalidMigrationState(migrationId, instance.uuid, migration.data.status, 'force complete');
    await this.action(ctx, instance, 'live_migration_force_complete');
    await this.d.compute.liveMigrationForceComplete(ctx, instance.data.host!, instance, migration);
  }

  /** live_migrate_abort: a running live migration (queued or preparing too from 2.65) is cancelled. */
  async liveMigrateAbort(ctx: RequestContext, instance: Instance, migrationId: number, opts: { abortInQueue: boolean; isAdmin: boolean }): Promise<void> {
    this.check(instance, opts.isAdmin, 'abort live migration', null, [TaskState.MIGRATING]);
    const migration = await this.migrationOf(instance, migrationId);
    const allowed = opts.abortInQueue ? ['running', 'queued', 'preparing'] : ['running'];
    if (!allowed.includes(migration.data.status)) throw new InvalidMigrationState(migrationId, instance.uuid, migration.data.status, 'abort live migration');
    await this.action(ctx, instance, 'live_migration_cancel');
    await this.d.compute.liveMigrationAbort(ctx, instance.data.host!, instance, migration.data.id);
  }

  /**
   * evacuate: an ACTIVE, STOPPED or ERROR server whose host is down (or forced down) is rebuilt
   * elsewhere: REBUILDING, an evacuation migration (accepted), instance.evacuate, then the
   * conductor.
   */
  async evacuate(ctx: RequestContext, instance: Instance, opts: { host: string | null; onSharedStorage: boolean; password: string | null; force: boolean | null }): Promise<void> {
    this.check(instance, true, 'evacuate', [VmState.ACTIVE, VmState.STOPPED, VmState.ERROR]);
    if (!instance.data.host) throw new InstanceInvalidState(instance.uuid, 'vm_state', instance.data.vm_state, 'evacuate');
    const source = await this.computeService(instance.data.host);
    if (serviceIsUp(source, this.d.settings.serviceDownTime)) {
      this.d.log.error({ host: instance.data.host }, `Instance compute service state on ${instance.data.host} expected to be down, but it was up.`);
      throw new ComputeServiceInUse(instance.data.host);
    }
    const spec = await this.spec(instance);
    const evacuating = await this.repos.instances.save(instance.uuid, { task_state: TaskState.REBUILDING }, { task_state: [null] });
    await this.action(ctx, instance, InstanceAction.EVACUATE);
    const migration = await this.repos.migrations.create({
      instance_uuid: instance.uuid, migration_type: MigrationType.EVACUATION, status: 'accepted', source_compute: instance.data.host,
      source_node: instance.data.node, dest_compute: opts.host, user_id: instance.data.user_id, project_id: instance.data.project_id,
      old_instance_type_id: instance.data.flavor.data.id, new_instance_type_id: instance.data.flavor.data.id,
    });
    await this.d.notifier.instanceAction(ctx, evacuating, 'evacuate', null);
    let host = opts.host;
    let destination = null;
    if (opts.force === false && host) {
      const node = (await this.repos.computeNodes.list()).find((n) => n.host === host);
      if (node) destination = { host: node.host, node: node.hypervisor_hostname, aggregates: [], forbidden_aggregates: [] };
      host = null;
    }
    await this.d.conductor.rebuildInstance(ctx, {
      instance: evacuating, new_pass: opts.password, on_shared_storage: opts.onSharedStorage, host, migration,
      request_spec: new RequestSpec({ ...spec.data, ignore_hosts: [], force_hosts: [], force_nodes: [], num_instances: 1, requested_destination: destination }),
    });
  }

  /** shelve: ACTIVE, STOPPED, PAUSED or SUSPENDED; SHELVING; a snapshot image unless the server boots from a volume. */
  async shelve(ctx: RequestContext, instance: Instance, isAdmin: boolean): Promise<void> {
    this.check(instance, isAdmin, 'shelve', [VmState.ACTIVE, VmState.STOPPED, VmState.PAUSED, VmState.SUSPENDED]);
    const host = instance.data.host;
    if (!host) throw new InstanceInvalidState(instance.uuid, 'vm_state', instance.data.vm_state, 'shelve');
    const shelving = await this.repos.instances.save(instance.uuid, { task_state: TaskState.SHELVING }, { task_state: [null] });
    await this.action(ctx, instance, InstanceAction.SHELVE);
    const volumeBacked = (await this.spec(instance)).data.is_bfv;
    if (volumeBacked) {
      await this.d.compute.shelveOffloadInstance(ctx, host, shelving, true);
      return;
    }
    let imageId: string;
    try {
      imageId = await createShelveImage(this.d.images, ctx, shelving);
    } catch (err) {
      await this.repos.instances.save(instance.uuid, { task_state: null }).catch(() => undefined);
      throw err;
    }
    await this.d.compute.shelveInstance(ctx, host, shelving, imageId, true);
  }

  /** shelveOffload: a SHELVED server leaves its host. */
  async shelveOffload(ctx: RequestContext, instance: Instance, isAdmin: boolean): Promise<void> {
    this.check(instance, isAdmin, 'shelve_offload', [VmState.SHELVED]);
    const offloading = await this.repos.instances.save(instance.uuid, { task_state: TaskState.SHELVING_OFFLOADING }, { task_state: [null] });
    await this.action(ctx, instance, InstanceAction.SHELVE_OFFLOAD);
    await this.d.compute.shelveOffloadInstance(ctx, instance.data.host!, offloading, true);
  }

  /**
   * unshelve: SHELVED or SHELVED_OFFLOADED; a zone (undefined: not asked, null: unpinned) or a
   * host only for an offloaded server; UNSHELVING, then the conductor.
   */
  async unshelve(ctx: RequestContext, instance: Instance, opts: { zone?: string | null; host: string | null; isAdmin: boolean; canTargetHost: () => void }): Promise<void> {
    this.check(instance, opts.isAdmin, 'unshelve', [VmState.SHELVED, VmState.SHELVED_OFFLOADED]);
    const zonePassed = opts.zone !== undefined;
    const spec = await this.spec(instance);
    if ((zonePassed || opts.host) && instance.data.vm_state !== VmState.SHELVED_OFFLOADED) {
      throw new UnshelveInstanceInvalidState(instance.data.vm_state, instance.uuid);
    }
    if (zonePassed && opts.zone && !(await this.d.availableZones()).has(opts.zone)) throw new InvalidRequest('The requested availability zone is not available');
    const zone = zonePassed ? (opts.zone ?? null) : spec.data.availability_zone;
    if (opts.host) {
      opts.canTargetHost();
      if (!(await this.repos.computeNodes.list()).some((n) => n.host === opts.host)) throw new ComputeHostNotFound(opts.host);
      if (zone !== null) {
        const hostZone = hostAvailabilityZone((await this.repos.aggregates.byHost()).get(opts.host) ?? [], this.d.settings.defaultAvailabilityZone);
        if (hostZone !== zone) throw new UnshelveHostNotInAZ(opts.host, zone);
      }
    }
    const moveSpec = new RequestSpec({
      ...spec.data, availability_zone: zone, ignore_hosts: [], force_hosts: [], force_nodes: [], num_instances: 1,
      requested_destination: opts.host ? { host: opts.host, node: null, aggregates: [], forbidden_aggregates: [] } : null,
    });
    await this.repos.requestSpecs.save(moveSpec);
    const unshelving = await this.repos.instances.save(instance.uuid, { task_state: TaskState.UNSHELVING }, { task_state: [null] });
    await this.action(ctx, instance, InstanceAction.UNSHELVE);
    await this.d.conductor.unshelveInstance(ctx, unshelving, moveSpec);
  }
}
