/**
 * The compute role (nova-compute) of one host: the virt driver ([DEFAULT] compute_driver), the resource tracker that
 * reports the node to Placement, and the ComputeManager on `compute.<host>`; at start the
 * leftovers of a previous run are dealt with (init_host) and the node reported; periodic tasks
 * update the node's resources, sync power states, offload shelved servers, reclaim soft-deleted ones and remove expired console tokens.
 */
import { RequestContext } from '../../../common/context.js';
import { newRequestId } from '../../../common/log/request-scope.js';
import type { RoleContext, RoleInstance } from '../../../common/service/project.js';
import { InstanceEvents } from '../compute/instance-events.js';
import { InterfaceAttachManager } from '../compute/interface-attach.js';
import { VolumeAttachManager } from '../compute/volume-attach.js';
import { ImageClient } from '../../../common/clients/index.js';
import { ComputeManager } from '../compute/manager.js';
import { ComputeMoveManager } from '../compute/manager-move.js';
import { ComputeShelveManager } from '../compute/manager-shelve.js';
import { ImagePrecacheManager } from '../compute/image-precache.js';
import { ComputeMoveAPI } from '../compute/rpcapi-move.js';
import { ResourceTracker } from '../compute/resource-tracker.js';
import {
  consoleAuthGroup, mksGroup, novaDefaultGroup, rdpGroup, schedulerGroup, serialConsoleGroup, spiceGroup, vncGroup,
} from '../config.js';
import { ComputeTaskAPI } from '../conductor/rpcapi.js';
import { ConsoleAuthTokenRepo } from '../db/console-auth-tokens.js';
import { NovaNotifier } from '../notifications/notifier.js';
import { COMPUTE_TOPIC } from '../rpc/topics.js';
import { WorkerService } from '../service.js';
import type { ComputeDriver } from '../virt/driver.js';
import { QemuDriver } from '../virt/qemu/driver.js';
import { cinderApi, glanceApi, neutronApi, reportClient, repositories } from './shared.js';
import { traceVirt } from './tracing.js';
import { createVirtDriver } from './virt-driver.js';

export interface ComputeRoleInstance extends RoleInstance {
  manager: ComputeManager;
  driver: ComputeDriver;
}

export async function createCompute(ctx: RoleContext): Promise<ComputeRoleInstance> {
  const repos = await repositories(ctx);
  const d = ctx.config.get(novaDefaultGroup);
  const events = new InstanceEvents(ctx.log);
  // Lifecycle events (a guest that stopped by itself) sync the power states at once, as nova's
  // handle_lifecycle_event; one sync at a time, a second one after it when more came meanwhile.
  let syncing: Promise<void> | null = null;
  let again = false;
  const onLifecycle = (): void => {
    if (syncing) { again = true; return; }
    syncing = manager.syncPowerStates(RequestContext.internal(newRequestId()))
      .catch((err: unknown) => ctx.log.warn({ err }, 'power state sync after a lifecycle event failed'))
      .finally(() => { syncing = null; if (again) { again = false; onLifecycle(); } });
  };
  const driver = createVirtDriver(ctx, events, repos, () => onLifecycle());
  traceVirt(driver, events);
  const report = reportClient(ctx);
  const tracker = new ResourceTracker({
    host: ctx.host, driver, nodes: repos.computeNodes, instances: repos.instances, report, log: ctx.log, moves: repos,
    settings: {
      reservedHostCpus: d.reserved_host_cpus, reservedHostMemoryMb: d.reserved_host_memory_mb, reservedHostDiskMb: d.reserved_host_disk_mb,
      cpuAllocationRatio: d.cpu_allocation_ratio, ramAllocationRatio: d.ram_allocation_ratio, diskAllocationRatio: d.disk_allocation_ratio,
      initialCpuAllocationRatio: d.initial_cpu_allocation_ratio, initialRamAllocationRatio: d.initial_ram_allocation_ratio,
      initialDiskAllocationRatio: d.initial_disk_allocation_ratio,
    },
  });
  const network = neutronApi(ctx);
  const notifier = new NovaNotifier(ctx.transport, ctx.config, 'nova-compute', ctx.host);
  const volumes = new VolumeAttachManager({
    host: ctx.host, driver, repos, volume: cinderApi(ctx), notifier, log: ctx.log,
    createWait: { retries: d.block_device_allocate_retries, intervalSeconds: d.block_device_allocate_retries_interval },
  });
  const manager = new ComputeManager({
    host: ctx.host, driver, repos, tracker, report, network, notifier, volumes,
    events, conductor: new ComputeTaskAPI(ctx.transport), log: ctx.log, maxConcurrentBuilds: d.max_concurrent_builds,
    maxAttempts: ctx.config.get(schedulerGroup).max_attempts, glance: glanceApi(ctx),
    consoles: {
      vnc: { enabled: ctx.config.get(vncGroup).enabled, baseUrl: ctx.config.get(vncGroup).novncproxy_base_url },
      spice: { enabled: ctx.config.get(spiceGroup).enabled, baseUrl: ctx.config.get(spiceGroup).html5proxy_base_url },
      serial: { enabled: ctx.config.get(serialConsoleGroup).enabled, baseUrl: ctx.config.get(serialConsoleGroup).base_url },
      rdp: { enabled: ctx.config.get(rdpGroup).enabled, baseUrl: ctx.config.get(rdpGroup).html5_proxy_base_url },
      mks: { enabled: ctx.config.get(mksGroup).enabled, baseUrl: ctx.config.get(mksGroup).mksproxy_base_url },
      tokenTtl: ctx.config.get(consoleAuthGroup).token_ttl,
    },
    busKeepsMessages: !ctx.transport.url.startsWith('inproc:'), reclaimInstanceInterval: d.reclaim_instance_interval,
  });
  const interfaces = new InterfaceAttachManager({ host: ctx.host, driver, repos, network, notifier, log: ctx.log });
  const moves = new ComputeMoveManager({
    host: ctx.host, driver, repos, tracker, report, network: neutronApi(ctx), notifier: new NovaNotifier(ctx.transport, ctx.config, 'nova-compute', ctx.host),
    moves: new ComputeMoveAPI(ctx.transport), log: ctx.log, events,
  });
  const precache = new ImagePrecacheManager({ driver, glance: glanceApi(ctx), log: ctx.log });
  const shelving = new ComputeShelveManager(moves, new ImageClient(ctx.session), d.shelved_offload_time, volumes);
  const internal = (): RequestContext => RequestContext.internal(newRequestId());
  const consoleTokens = new ConsoleAuthTokenRepo(repos.db);
  const managerEndpoint = manager.endpoint();
  const currentService = async () => (await repos.services.get(ctx.host, 'nova-compute'))!;
  const service = new WorkerService({
    ctx, binary: 'nova-compute', topic: COMPUTE_TOPIC, endpoints: [moves.endpoint(managerEndpoint), managerEndpoint, interfaces.endpoint(), volumes.endpoint(), shelving.endpoint(), precache.endpoint()], services: repos.services,
    async beforeServe(record) {
      await manager.initHost(internal());
      await moves.destroyEvacuatedInstances(internal());
      await manager.updateAvailableResource(record);
      ctx.periodic.add({ name: 'update_available_resource', interval: d.update_resources_interval, run: async () => manager.updateAvailableResource(await currentService()) });
      // run_immediately as nova's: a guest that stopped while the service was down is seen at once, not sync_power_state_interval later
      ctx.periodic.add({ name: '_sync_power_states', interval: d.sync_power_state_interval, runImmediately: true, run: () => manager.syncPowerStates(internal()) });
      ctx.periodic.add({ name: '_cleanup_expired_console_auth_tokens', interval: d.instance_delete_interval, run: async () => { await consoleTokens.destroyExpired(); } });
      ctx.periodic.add({ name: '_poll_shelved_instances', interval: d.shelved_poll_interval, run: () => shelving.pollShelvedInstances(internal()) });
      // nova runs _reclaim_queued_deletes on every periodic tick (60 s); a shorter interval is checked as often as it is long.
      ctx.periodic.add({
        name: '_reclaim_queued_deletes', interval: d.reclaim_instance_interval > 0 ? Math.min(60, d.reclaim_instance_interval) : 0,
        run: async () => { await manager.deferredDelete.reclaimQueuedDeletes(internal()); },
      });
    },
    afterStop: async () => {
      await manager.drain();
      // Real guests outlive the compute service: only the driver's monitors close.
      if (driver instanceof QemuDriver) driver.release();
    },
  });
  return { start: () => service.start(), stop: () => service.stop(), manager, driver };
}
