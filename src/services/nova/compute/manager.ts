/**
 * The compute manager of one host (nova/compute/manager.py's ComputeManager): builds, deletes
 * and powers the host's servers through its virt driver, and keeps the instance state machine
 * (vm_state, task_state, power_state) as nova does.
 *
 * Build (build_and_run_instance, a cast from the conductor; run in the background, at most
 * [DEFAULT] max_concurrent_builds at once, one operation per instance at a time):
 *   BUILDING/None -> claim on the node -> NETWORKING (ports from Neutron bound to this host)
 *   -> BLOCK_DEVICE_MAPPING -> SPAWNING (the driver waits for network-vif-plugged) -> ACTIVE,
 *   power RUNNING, with instance.create.start/end notifications.
 * A failure that another host may not have is rescheduled: guest, ports and allocation freed,
 * back to SCHEDULING, and the conductor's build_instances tries the next alternate. A failure no
 * host fixes (network allocation, build aborted) ends in ERROR with a fault, with the allocation
 * and ports freed. A server deleted during its build is left to the delete.
 */
import type { RequestContext } from '../../../common/context.js';
import type { Logger } from '../../../common/log/logger.js';
import type { ComputeTaskAPI } from '../conductor/rpcapi.js';
import { createRequestContext, storedBuildArgs, userPortsIn, userPortsOf, whyNotRebuildable } from '../conductor/stored-build.js';
import type { NovaRepos } from '../db/repos.js';
import {
  BuildAbortException, GroupAffinityViolation, InstanceInvalidState, InstanceNotFound, RescheduledException, UnexpectedDeletingTaskStateError, VirtualInterfaceCreateException,
} from '../errors.js';
import type { NeutronAPI } from '../network/neutron.js';
import type { NovaNotifier } from '../notifications/notifier.js';
import { expectObject, Instance, type BlockDeviceMapping, type RequestSpec, type VifInfo } from '../objects/index.js';
import type { SchedulerReportClient } from '../scheduler/client/report.js';
import { COMPUTE_RPC_VERSION } from '../rpc/topics.js';
import type { ServiceRecord } from '../db/services.js';
import type { ComputeDriver } from '../virt/driver.js';
import type { GlanceAPI } from '../image/glance.js';
import { withInstanceEvent } from './event-reporter.js';
import type { InstanceEvents } from './instance-events.js';
import { LifecycleManager, type ConsoleSettings } from './manager-lifecycle.js';
import { DeferredDeleteManager } from './manager-deferred-delete.js';
import { InstanceAction } from './instance-actions.js';
import { KeyedLock, Semaphore } from './locks.js';
import { POWER_STATE_NAMES, PowerState } from './power-state.js';
import type { ResourceTracker } from './resource-tracker.js';
import type { BuildAndRunArgs, InstanceExternalEvent } from './rpcapi.js';
import { TaskState } from './task-states.js';
import { VmState } from './vm-states.js';

export interface ComputeManagerOptions {
  host: string;
  driver: ComputeDriver;
  repos: NovaRepos;
  tracker: ResourceTracker;
  report: SchedulerReportClient;
  network: NeutronAPI;
  notifier: NovaNotifier;
  events: InstanceEvents;
  conductor: Pick<ComputeTaskAPI, 'buildInstances' | 'scheduleAndBuildInstances'>;
  log: Logger;
  maxConcurrentBuilds: number;
  /** [scheduler] max_attempts: 1 means a failed build is not rescheduled. */
  maxAttempts: number;
  /** Images for snapshots, backups, rescue and rebuild (manager-lifecycle.ts). */
  glance: GlanceAPI;
  consoles: ConsoleSettings;
  /** The volume attachments of a deleted server are deleted in Cinder. */
  volumes?: {
    cleanupForInstance(instance: Instance): Promise<void>;
    /** Boot volumes: connected to this host before the spawn, completed after. */
    prepForSpawn(ctx: RequestContext, instance: Instance): Promise<BlockDeviceMapping[]>;
    /** `bdms`: the mappings prepForSpawn gave. */
    completeAfterSpawn(ctx: RequestContext, bdms: readonly BlockDeviceMapping[]): Promise<void>;
  };
  /**
   * The bus keeps messages for services not listening yet (a broker): an interrupted build is
   * cast to the conductor at init_host. With the in-process bus a compute host that has not
   * started yet would miss the build cast, so the conductor's start pass does it once every
   * host is back (conductor/recovery.ts).
   */
  busKeepsMessages?: boolean;
  /** [DEFAULT] reclaim_instance_interval: how long a SOFT_DELETED server waits for its reclaim (manager-deferred-delete.ts). */
  reclaimInstanceInterval?: number;
}

const BUILD_TASK_STATES: ReadonlySet<string | null> = new Set([TaskState.SCHEDULING, TaskState.BLOCK_DEVICE_MAPPING, TaskState.NETWORKING, TaskState.SPAWNING]);

export class ComputeManager {
  private readonly locks = new KeyedLock();
  private readonly builds: Semaphore;
  private readonly running = new Set<Promise<void>>();

  /** Reboot, pause, suspend, rescue, password, crash dump, snapshot, backup, rebuild, consoles. */
  readonly lifecycle: LifecycleManager;
  /** Soft delete, restore and the reclaim of soft-deleted servers. */
  readonly deferredDelete: DeferredDeleteManager;

  constructor(private readonly o: ComputeManagerOptions) {
    this.builds = new Semaphore(o.maxConcurrentBuilds);
    this.lifecycle = new LifecycleManager({ ...o, locks: this.locks, refreshNode: (node) => o.tracker.refreshNode(node) });
    this.deferredDelete = new DeferredDeleteManager({
      ...o, locks: this.locks, terminate: (ctx, instance) => this.terminateInstance(ctx, instance), reclaimInterval: o.reclaimInstanceInterval ?? 0,
    });
  }

  private get repos(): NovaRepos {
    return this.o.repos;
  }

  /** The RPC endpoint of `compute.<host>` (ComputeManager's remotely callable methods). */
  endpoint(): object {
    const m = this;
    return {
      target: { version: COMPUTE_RPC_VERSION },
      async build_and_run_instance(ctx: RequestContext, args: Record<string, unknown>) {
        m.buildAndRunInstance(ctx, { ...(args as unknown as BuildAndRunArgs), instance: expectObject(args['instance'], Instance, 'instance') });
      },
      async terminate_instance(ctx: RequestContext, args: Record<string, unknown>) {
        await m.terminateInstance(ctx, expectObject(args['instance'], Instance, 'instance'));
      },
      async stop_instance(ctx: RequestContext, args: Record<string, unknown>) {
        await m.stopInstance(ctx, expectObject(args['instance'], Instance, 'instance'));
      },
      async start_instance(ctx: RequestContext, args: Record<string, unknown>) {
        await m.startInstance(ctx, expectObject(args['instance'], Instance, 'instance'));
      },
      async external_instance_event(ctx: RequestContext, args: Record<string, unknown>) {
        await m.externalInstanceEvent(ctx, args['events'] as InstanceExternalEvent[]);
      },
      async get_console_output(ctx: RequestContext, args: Record<string, unknown>) {
        const tail = typeof args['tail_length'] === 'number' ? args['tail_length'] : null;
        return m.getConsoleOutput(ctx, expectObject(args['instance'], Instance, 'instance'), tail);
      },
      ...m.lifecycle.endpointMethods(),
      ...m.deferredDelete.endpointMethods(),
      async get_diagnostics(_ctx: RequestContext, args: Record<string, unknown>) {
        return m.diagnostics(expectObject(args['instance'], Instance, 'instance'), 'get_diagnostics', (i) => m.o.driver.getDiagnostics(i));
      },
      async get_instance_diagnostics(_ctx: RequestContext, args: Record<string, unknown>) {
        return m.diagnostics(expectObject(args['instance'], Instance, 'instance'), 'get_instance_diagnostics', (i) => m.o.driver.getInstanceDiagnostics(i));
      },
      async get_host_uptime() {
        return m.o.driver.getHostUptime();
      },
    };
  }

  /** Wait for the builds started in the background (shutdown, tests). */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /**
   * init_host: deletes in progress complete; servers left mid-build by a stopped compute service
   * are handed back to the conductor to be scheduled again when that is safe (departure from
   * nova, which puts them all in ERROR): their guest is gone and their stored request can be
   * built again (conductor/stored-build.ts). The others end in ERROR with a fault. Either way
   * their allocation and ports are freed (the user's ports unbound, even when the build died
   * before it wrote the network info).
   */
  async initHost(ctx: RequestContext): Promise<void> {
    await this.o.driver.initHost(this.o.host);
    for (const instance of await this.repos.instances.byHost(this.o.host)) {
      if (instance.data.vm_state === VmState.BUILDING || BUILD_TASK_STATES.has(instance.data.task_state)) {
        const spec = await this.repos.requestSpecs.get(instance.uuid);
        const why = this.o.driver.instanceExists(instance) ? 'its guest is still on the host' : whyNotRebuildable(spec);
        if (!why) {
          try {
            await this.rescheduleInterruptedBuild(instance, spec!);
            continue;
          } catch (err) {
            if (err instanceof InstanceNotFound) continue;
            this.o.log.error({ err, instance: instance.uuid }, 'could not schedule the interrupted build again');
          }
        }
        this.o.log.warn({ instance: instance.uuid }, `Instance failed to spawn: the compute service stopped during its build (not scheduled again: ${why})`);
        await this.failBuild(ctx, instance, new BuildAbortException(instance.uuid, 'The compute service was restarted during the build.'), userPortsOf(spec));
      } else if (instance.data.task_state === TaskState.DELETING) {
        await this.terminateInstance(ctx, instance);
      } else {
        await this.lifecycle.recoverInterrupted(ctx, instance);
      }
    }
  }

  /**
   * A build this host was running when it stopped, freed here and back to scheduling with no
   * host; then given to the conductor (a broker), or left with launched_on naming this host for
   * the conductor's start pass to pick up (the in-process bus).
   */
  private async rescheduleInterruptedBuild(instance: Instance, spec: RequestSpec): Promise<void> {
    const uuid = instance.uuid;
    this.o.log.warn({ instance: uuid }, 'the compute service stopped during the build of the instance: scheduling it again');
    await this.o.network.deallocateForInstance(instance, userPortsOf(spec));
    await this.repos.instances.setNetworkInfo(uuid, []);
    await this.o.report.deleteAllocationForInstance(uuid);
    const launchedOn = this.o.busKeepsMessages ? null : this.o.host;
    const scheduling = await this.repos.instances.save(uuid, { task_state: TaskState.SCHEDULING, host: null, node: null, launched_on: launchedOn }, { vm_state: [VmState.BUILDING] });
    if (!this.o.busKeepsMessages) return;
    const ctx = await createRequestContext(this.repos, uuid);
    await this.o.conductor.scheduleAndBuildInstances(ctx, await storedBuildArgs(this.repos, [{ instance: scheduling, spec }]));
  }

  // --- build ---------------------------------------------------------------------------------

  buildAndRunInstance(ctx: RequestContext, args: BuildAndRunArgs): void {
    const run = this.builds.run(() => this.locks.run(args.instance.uuid, () => this.doBuildAndRunInstance(ctx, args)))
      .catch((err: unknown) => this.o.log.error({ err, instance: args.instance.uuid }, 'build failed unexpectedly'))
      .finally(() => this.running.delete(run));
    this.running.add(run);
  }

  private async doBuildAndRunInstance(ctx: RequestContext, args: BuildAndRunArgs): Promise<void> {
    const uuid = args.instance.uuid;
    let instance: Instance;
    try {
      instance = await this.repos.instances.update(args.instance, { vm_state: VmState.BUILDING, task_state: null }, { task_state: [TaskState.SCHEDULING, null] });
    } catch (err) {
      if (err instanceof InstanceNotFound || err instanceof UnexpectedDeletingTaskStateError) {
        this.o.log.debug({ instance: uuid }, 'Instance disappeared before build.');
        await this.o.report.deleteAllocationForInstance(uuid).catch(() => undefined);
        return;
      }
      throw err;
    }
    // nova's wrap_instance_event on _do_build_and_run_instance: the failures below are handled
    // (reschedule or ERROR with a fault), so the event itself ends in Success, as upstream.
    await withInstanceEvent(this.repos.actions, ctx, uuid, 'compute__do_build_and_run_instance', this.o.host, async () => {
      try {
        await this.buildAndRun(ctx, instance, args);
      } catch (err) {
        await this.onBuildFailure(ctx, instance, args, err);
      }
    });
  }

  private async buildAndRun(ctx: RequestContext, initial: Instance, args: BuildAndRunArgs): Promise<void> {
    const keypairs = await this.keypairsOf(initial);
    await this.o.notifier.instanceCreate(ctx, initial, 'start', keypairs);
    this.o.events.begin(initial.uuid);
    let instance = initial;
    try {
      instance = await this.claimWithinGroupPolicy(instance, args.node);
      instance = await this.repos.instances.update(instance, { task_state: TaskState.NETWORKING }, { task_state: [null] });
      let networkInfo: VifInfo[];
      try {
        networkInfo = await this.o.network.allocateForInstance(ctx, instance, args.requested_networks, args.security_groups, this.o.host);
      } catch (err) {
        this.o.log.error({ err, instance: instance.uuid }, 'Failed to allocate network(s)');
        throw new BuildAbortException(instance.uuid, 'Failed to allocate the network(s), not rescheduling.');
      }
      await this.repos.instances.setNetworkInfo(instance.uuid, networkInfo);
      instance = await this.repos.instances.update(new Instance({ ...instance.data, network_info: networkInfo }), { task_state: TaskState.BLOCK_DEVICE_MAPPING }, { task_state: [TaskState.NETWORKING] });
      let blockDevices: BlockDeviceMapping[];
      try {
        blockDevices = (await this.o.volumes?.prepForSpawn(ctx, instance)) ?? args.block_device_mapping;
      } catch (err) {
        if (err instanceof InstanceNotFound) throw err;
        this.o.log.error({ err, instance: instance.uuid }, 'Failure prepping block device');
        throw new BuildAbortException(instance.uuid, 'Failure prepping block device.');
      }
      instance = await this.repos.instances.update(instance, { task_state: TaskState.SPAWNING }, { task_state: [TaskState.BLOCK_DEVICE_MAPPING] });
      try {
        await this.o.driver.spawn({
          context: ctx, instance, image: args.image, injectedFiles: args.injected_files, adminPassword: args.admin_password,
          networkInfo, blockDevices,
        });
      } catch (err) {
        if (err instanceof VirtualInterfaceCreateException) {
          this.o.log.error({ instance: instance.uuid }, 'Failed to allocate network(s)');
          throw new BuildAbortException(instance.uuid, 'Failed to allocate the network(s), not rescheduling.');
        }
        throw err;
      }
      await this.o.volumes?.completeAfterSpawn(ctx, blockDevices);
      instance = await this.repos.instances.update(instance, {
        power_state: PowerState.RUNNING, vm_state: VmState.ACTIVE, task_state: null, launched_at: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      }, { task_state: [TaskState.SPAWNING] });
      await this.o.tracker.refreshNode(args.node);
      await this.o.notifier.instanceCreate(ctx, instance, 'end', keypairs);
    } catch (err) {
      if (err instanceof InstanceNotFound || err instanceof UnexpectedDeletingTaskStateError || err instanceof BuildAbortException) throw err;
      if (err instanceof RescheduledException) throw err;
      throw new RescheduledException(instance.uuid, err instanceof Error ? err.message : String(err));
    } finally {
      this.o.events.end(initial.uuid);
    }
  }

  /**
   * instance_claim, then _validate_instance_group_policy under the group's lock: concurrent
   * builds may have put another member of an anti-affinity group on this host (or an affinity
   * group's members elsewhere) since the scheduler looked; such a build is rescheduled.
   */
  private async claimWithinGroupPolicy(instance: Instance, node: string): Promise<Instance> {
    const group = await this.repos.groups.forInstance(instance.uuid);
    if (!group) return this.o.tracker.instanceClaim(instance, node);
    return this.locks.run(`group-${group.data.uuid}`, async () => {
      const claimed = await this.o.tracker.instanceClaim(instance, node);
      const fresh = await this.repos.groups.get(group.data.uuid);
      const others = fresh.data.members.filter((m) => m !== instance.uuid);
      const placed = await this.repos.instances.byUuids(others);
      if (fresh.data.policy === 'anti-affinity') {
        const max = fresh.data.rules['max_server_per_host'] ?? 1;
        if (placed.filter((i) => i.data.host === this.o.host).length >= max) {
          throw new RescheduledException(instance.uuid, new GroupAffinityViolation('Anti-affinity').message);
        }
      } else if (fresh.data.policy === 'affinity') {
        const hosts = new Set(placed.map((i) => i.data.host).filter((h): h is string => Boolean(h)));
        if (hosts.size > 0 && !hosts.has(this.o.host)) throw new RescheduledException(instance.uuid, new GroupAffinityViolation('Affinity').message);
      }
      return claimed;
    });
  }

  private async keypairsOf(instance: Instance): Promise<Array<{ name: string; user_id: string; public_key: string; fingerprint: string; type: string }>> {
    if (!instance.data.key_name) return [];
    const kp = await this.repos.keypairs.get(instance.data.user_id, instance.data.key_name).catch(() => undefined);
    return kp ? [kp] : [];
  }

  /** What follows a failed build: the guest and ports go, then a reschedule or ERROR. */
  private async onBuildFailure(ctx: RequestContext, instance: Instance, args: BuildAndRunArgs, err: unknown): Promise<void> {
    const uuid = instance.uuid;
    const current = await this.repos.instances.find(uuid);
    await this.o.driver.destroy(ctx, instance, []).catch(() => undefined);
    if (!current || err instanceof InstanceNotFound || err instanceof UnexpectedDeletingTaskStateError || current.data.task_state === TaskState.DELETING) {
      // nova's _cleanup_allocated_networks: the ports this build made go too. A server deleted
      // by the API before it had a host (_local_delete) is gone from the database by now, and
      // its ports made since are found by the server's uuid (Tempest's delete while building).
      this.o.log.debug({ instance: uuid }, 'Instance disappeared during build.');
      await this.o.network.deallocateForInstance(current ?? instance, userPortsIn(args.requested_networks))
        .catch((e: unknown) => this.o.log.warn({ err: e, instance: uuid }, 'port cleanup failed'));
      await this.o.tracker.refreshNode(args.node);
      return;
    }
    await this.o.network.deallocateForInstance(current).catch((e: unknown) => this.o.log.warn({ err: e, instance: uuid }, 'port cleanup failed'));
    await this.repos.instances.setNetworkInfo(uuid, []);
    const alternates = args.host_list.slice(1);
    if (err instanceof RescheduledException && this.o.maxAttempts > 1) {
      this.o.log.info({ instance: uuid, reason: err.reason }, 'Build of instance was re-scheduled');
      await this.o.report.deleteAllocationForInstance(uuid).catch(() => undefined);
      const rescheduled = await this.repos.instances.save(uuid, { task_state: TaskState.SCHEDULING, host: null, node: null, launched_on: null }, { task_state: [...BUILD_TASK_STATES, null] });
      await this.o.tracker.refreshNode(args.node);
      await this.o.notifier.instanceCreate(ctx, rescheduled, 'error', await this.keypairsOf(rescheduled), { err, fn: 'build_and_run_instance' });
      await this.o.conductor.buildInstances(ctx, {
        instances: [rescheduled], image: args.image, request_spec: args.request_spec, admin_password: args.admin_password,
        injected_files: args.injected_files, requested_networks: args.requested_networks, block_device_mapping: args.block_device_mapping,
        host_lists: [alternates],
      });
      return;
    }
    await this.failBuild(ctx, current, err);
    await this.o.tracker.refreshNode(args.node);
  }

  /** ERROR with a fault; the allocation and ports are freed and the host and node cleared. */
  private async failBuild(ctx: RequestContext, instance: Instance, err: unknown, userPorts: readonly string[] = []): Promise<void> {
    const uuid = instance.uuid;
    await this.repos.faults.addFromError(uuid, err, this.o.host);
    await this.o.volumes?.cleanupForInstance(instance).catch((e: unknown) => this.o.log.warn({ err: e, instance: uuid }, 'volume cleanup failed'));
    await this.o.network.deallocateForInstance(instance, userPorts).catch((e: unknown) => this.o.log.warn({ err: e, instance: uuid }, 'port cleanup failed'));
    await this.repos.instances.setNetworkInfo(uuid, []);
    await this.o.report.deleteAllocationForInstance(uuid).catch((e: unknown) => this.o.log.warn({ err: e, instance: uuid }, 'allocation cleanup failed'));
    try {
      const failed = await this.repos.instances.save(uuid, { vm_state: VmState.ERROR, task_state: null, host: null, node: null }, {});
      await this.o.notifier.instanceCreate(ctx, failed, 'error', await this.keypairsOf(failed), { err, fn: 'build_and_run_instance' });
    } catch (e) {
      if (!(e instanceof InstanceNotFound)) throw e;
    }
  }

  // --- delete and power ----------------------------------------------------------------------

  /** terminate_instance: the guest, its ports and its allocation go, then the record. */
  async terminateInstance(ctx: RequestContext, given: Instance): Promise<void> {
    await this.locks.run(given.uuid, async () => {
      const instance = await this.repos.instances.find(given.uuid);
      if (!instance) return;
      await withInstanceEvent(this.repos.actions, ctx, instance.uuid, 'compute_terminate_instance', this.o.host, async () => {
        await this.o.notifier.instanceAction(ctx, instance, 'delete', 'start');
        try {
          await this.o.driver.destroy(ctx, instance, instance.data.network_info);
          await this.o.volumes?.cleanupForInstance(instance);
          await this.o.network.deallocateForInstance(instance);
          await this.o.report.deleteAllocationForInstance(instance.uuid);
          await this.repos.instances.destroy(instance.uuid, { asSave: true });
          await this.repos.requestSpecs.destroy(instance.uuid);
        } catch (err) {
          if (err instanceof InstanceNotFound) return;
          await this.repos.faults.addFromError(instance.uuid, err, this.o.host);
          await this.repos.instances.save(instance.uuid, { vm_state: VmState.ERROR, task_state: null }).catch(() => undefined);
          throw err;
        }
        const deleted = await this.repos.instances.get(instance.uuid, { readDeleted: true });
        await this.o.notifier.instanceAction(ctx, deleted, 'delete', 'end');
        if (instance.data.node) await this.o.tracker.refreshNode(instance.data.node);
      });
    });
  }

  /** stop_instance: powering-off -> STOPPED, power SHUTDOWN. */
  async stopInstance(ctx: RequestContext, given: Instance): Promise<void> {
    await this.locks.run(given.uuid, () => withInstanceEvent(this.repos.actions, ctx, given.uuid, 'compute_stop_instance', this.o.host, async () => {
      const instance = await this.repos.instances.get(given.uuid);
      await this.o.notifier.instanceAction(ctx, instance, 'power_off', 'start');
      await this.o.driver.powerOff(instance);
      const stopped = await this.repos.instances.save(instance.uuid, { power_state: PowerState.SHUTDOWN, vm_state: VmState.STOPPED, task_state: null }, { task_state: [TaskState.POWERING_OFF] });
      await this.o.notifier.instanceAction(ctx, stopped, 'power_off', 'end');
    }));
  }

  /** start_instance: powering-on -> ACTIVE, power RUNNING. */
  async startInstance(ctx: RequestContext, given: Instance): Promise<void> {
    await this.locks.run(given.uuid, () => withInstanceEvent(this.repos.actions, ctx, given.uuid, 'compute_start_instance', this.o.host, async () => {
      const instance = await this.repos.instances.get(given.uuid);
      await this.o.notifier.instanceAction(ctx, instance, 'power_on', 'start');
      await this.o.driver.powerOn(ctx, instance, instance.data.network_info);
      const started = await this.repos.instances.save(instance.uuid, { power_state: PowerState.RUNNING, vm_state: VmState.ACTIVE, task_state: null }, { task_state: [TaskState.POWERING_ON] });
      await this.o.notifier.instanceAction(ctx, started, 'power_on', 'end');
    }));
  }

  /**
   * get_console_output with nova's _tail_log: the last `tailLength` pieces of the log split at
   * newlines, joined again; a log ending with a newline has an empty last piece, so length 3 of
   * 'a\nb\nc\nd\n' is 'c\nd\n' (three pieces, what Tempest counts); 0 gives ''.
   */
  async getConsoleOutput(ctx: RequestContext, instance: Instance, tailLength: number | null): Promise<string> {
    const output = await this.o.driver.getConsoleOutput(ctx, instance);
    if (tailLength === null) return output;
    return tailLength === 0 ? '' : output.split('\n').slice(-tailLength).join('\n');
  }

  /** get_diagnostics / get_instance_diagnostics: only of a running guest (InstanceInvalidState otherwise). */
  diagnostics<T>(instance: Instance, method: string, read: (i: Instance) => T): T {
    let state: number = PowerState.NOSTATE;
    try {
      state = this.o.driver.getInfo(instance).state;
    } catch (err) {
      if (!(err instanceof InstanceNotFound)) throw err;
    }
    if (state !== PowerState.RUNNING) throw new InstanceInvalidState(instance.uuid, 'power state', POWER_STATE_NAMES[state] ?? 'pending', method);
    return read(instance);
  }

  // --- events from other services -------------------------------------------------------------

  /** external_instance_event: Neutron's VIF events wake a waiting build; network changes refresh the cache. */
  async externalInstanceEvent(_ctx: RequestContext, events: readonly InstanceExternalEvent[]): Promise<void> {
    for (const event of events) {
      if (event.name === 'network-vif-plugged' || event.name === 'network-vif-unplugged') {
        this.o.events.pop(event);
        continue;
      }
      const instance = await this.repos.instances.find(event.instance_uuid);
      if (!instance) continue;
      if (event.name === 'network-changed') {
        await this.o.network.networkInfo(instance).then((nw) => this.repos.instances.setNetworkInfo(instance.uuid, nw))
          .catch((err: unknown) => this.o.log.warn({ err, instance: instance.uuid }, 'could not refresh the network info cache'));
      } else if (event.name === 'network-vif-deleted') {
        await this.repos.instances.setNetworkInfo(instance.uuid, instance.data.network_info.filter((v) => v.id !== event.tag));
      } else {
        this.o.log.debug({ event }, 'external event ignored');
      }
    }
  }

  // --- periodic tasks ------------------------------------------------------------------------

  /** update_available_resource. */
  async updateAvailableResource(service: ServiceRecord): Promise<void> {
    await this.o.tracker.updateAvailableResource(service);
  }

  /**
   * _sync_power_states: the database learns the hypervisor's power state of each guest; an
   * ACTIVE server whose guest stopped (shut down or crashed) is stopped through the API path
   * (action 'stop'), as nova's _sync_instance_power_state.
   */
  async syncPowerStates(ctx: RequestContext): Promise<void> {
    for (const instance of await this.repos.instances.byHost(this.o.host)) {
      if (instance.data.task_state !== null) continue;
      await this.locks.run(instance.uuid, async () => {
        let state: number = PowerState.NOSTATE;
        try {
          state = this.o.driver.getInfo(instance).state;
        } catch (err) {
          if (!(err instanceof InstanceNotFound)) throw err;
        }
        const fresh = await this.repos.instances.find(instance.uuid);
        if (!fresh || fresh.data.task_state !== null) return;
        if (fresh.data.power_state !== state) {
          await this.repos.instances.save(fresh.uuid, { power_state: state }, { task_state: [null] }).catch(() => undefined);
        }
        const stoppedBehindOurBack = fresh.data.vm_state === VmState.ACTIVE && (state === PowerState.SHUTDOWN || state === PowerState.CRASHED);
        if (!stoppedBehindOurBack) return;
        this.o.log.warn({ instance: fresh.uuid, power_state: state }, 'Instance shutdown by itself. Calling the stop API.');
        const stopCtx = ctx;
        await this.repos.actions.start(fresh.uuid, InstanceAction.STOP, stopCtx.requestId, fresh.data.user_id, fresh.data.project_id);
        await this.repos.instances.save(fresh.uuid, { task_state: TaskState.POWERING_OFF }, { task_state: [null] });
      });
      const current = await this.repos.instances.find(instance.uuid);
      if (current?.data.task_state === TaskState.POWERING_OFF) await this.stopInstance(ctx, current);
    }
  }
}
