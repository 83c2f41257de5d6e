/**
 * The resource tracker of one compute host (nova/compute/resource_tracker.py): it reads the
 * hypervisor's size from the driver and the use from the instances on the host, writes the
 * compute node record the scheduler reads (used/free amounts, running VMs, I/O workload,
 * allocation ratios, stats) and reports the node to Placement as a resource provider:
 * inventories of VCPU, MEMORY_MB and DISK_GB with the host's reserved amounts and allocation
 * ratios, and the traits of the driver's capabilities (plus COMPUTE_STATUS_DISABLED while the
 * service is disabled), keeping traits others set on the provider.
 * A claim (instance_claim) puts a new instance on the node; Placement already holds its
 * allocation, so the claim is the bookkeeping of host, node and usage.
 */
import type { Logger } from '../../../common/log/logger.js';
import type { ComputeNodeRecord, ComputeNodeRepo, ComputeNodeReport } from '../db/compute-nodes.js';
import type { HostUsageRow, InstanceRepo } from '../db/instances.js';
import type { MigrationRepo } from '../db/migration-records.js';
import type { InstanceMoveStateRepo } from '../db/instance-move-state.js';
import type { ServiceRecord } from '../db/services.js';
import type { Flavor, Instance } from '../objects/index.js';
import type { Inventory, SchedulerReportClient } from '../scheduler/client/report.js';
import { capabilitiesAsTraits, CAPABILITY_TRAITS, type ComputeDriver } from '../virt/driver.js';
import { TaskState } from './task-states.js';
import { VmState } from './vm-states.js';

export interface ResourceTrackerSettings {
  reservedHostCpus: number;
  reservedHostMemoryMb: number;
  reservedHostDiskMb: number;
  cpuAllocationRatio: number;
  ramAllocationRatio: number;
  diskAllocationRatio: number;
  initialCpuAllocationRatio: number;
  initialRamAllocationRatio: number;
  initialDiskAllocationRatio: number;
}

/** Task states that count as I/O work on a host (nova's IO_WORKLOAD task states). */
const IO_TASK_STATES: ReadonlySet<string> = new Set([
  TaskState.RESIZE_MIGRATING, TaskState.REBUILDING, TaskState.RESIZE_PREP, TaskState.IMAGE_SNAPSHOT, TaskState.IMAGE_BACKUP,
  TaskState.RESCUING, TaskState.UNSHELVING,
]);

/** Traits Nova owns on a compute node provider (the others are left as they are). */
const OWNED_TRAITS = new Set([...Object.values(CAPABILITY_TRAITS), 'COMPUTE_STATUS_DISABLED', 'COMPUTE_NODE']);

/** Disk of a flavor in GiB (root + ephemeral + swap rounded up), as the resource tracker counts it. */
export function flavorDiskGb(flavor: { root_gb: number; ephemeral_gb: number; swap: number }): number {
  return flavor.root_gb + flavor.ephemeral_gb + Math.ceil(flavor.swap / 1024);
}

export interface ResourceTrackerOptions {
  host: string;
  driver: ComputeDriver;
  nodes: ComputeNodeRepo;
  instances: InstanceRepo;
  report: SchedulerReportClient;
  settings: ResourceTrackerSettings;
  log: Logger;
  /** Moves in progress count on the host that is not (or no longer) the server's (nova's tracked migrations). */
  moves?: { migrations: MigrationRepo; moveState: InstanceMoveStateRepo };
}

/** Statuses of a cold move whose resources are still held on both hosts. */
const MOVE_IN_PROGRESS = ['pre-migrating', 'migrating', 'post-migrating', 'finished', 'confirming', 'reverting'];

export class ResourceTracker {
  /** nodename -> compute node uuid (the resource provider's uuid). */
  private readonly nodeUuids = new Map<string, string>();
  /** Per node: the recount running now and the one queued after it (see refreshNode). */
  private readonly recounts = new Map<string, { running: Promise<void> | undefined; next: Promise<void> | undefined }>();

  constructor(private readonly o: ResourceTrackerOptions) {}

  nodeUuid(nodename: string): string | undefined {
    return this.nodeUuids.get(nodename);
  }

  private ratio(configured: number, existing: number | null | undefined, initial: number): number {
    if (configured > 0) return configured;
    return existing ?? initial;
  }

  /** The node's report from the hypervisor and the instances on the host. */
  /**
   * _update_usage_from_migrations: the flavor a cold move holds on this host while the server is
   * on the other one (the old flavor on the source until confirmed, the new one on the
   * destination until the server arrives).
   */
  private async movingHere(instances: readonly HostUsageRow[]): Promise<Array<{ node: string; flavor: Flavor }>> {
    if (!this.o.moves) return [];
    const here = new Set(instances.map((i) => i.uuid));
    const out: Array<{ node: string; flavor: Flavor }> = [];
    for (const m of await this.o.moves.migrations.inProgressOnHost(this.o.host, MOVE_IN_PROGRESS)) {
      const flavors = await this.o.moves.moveState.get(m.data.instance_uuid).catch(() => undefined);
      if (!flavors) continue;
      if (here.has(m.data.instance_uuid)) {
        // A move to this same host: the flavor the server does not run with now is held here too.
        const other = flavors.new && flavors.cur.data.id === flavors.new.data.id ? flavors.old : flavors.new;
        if (m.data.source_compute === m.data.dest_compute && m.data.source_node && other) out.push({ node: m.data.source_node, flavor: other });
        continue;
      }
      if (m.data.source_compute === this.o.host && m.data.source_node) out.push({ node: m.data.source_node, flavor: flavors.old ?? flavors.cur });
      else if (m.data.dest_compute === this.o.host && m.data.dest_node) out.push({ node: m.data.dest_node, flavor: flavors.new ?? flavors.cur });
    }
    return out;
  }

  private usage(nodename: string, instances: readonly HostUsageRow[], existing: ComputeNodeRecord | undefined, moving: ReadonlyArray<{ node: string; flavor: Flavor }> = []): ComputeNodeReport {
    const s = this.o.settings;
    const hv = this.o.driver.getAvailableResource(nodename);
    const mine = instances.filter((i) => i.node === nodename);
    let vcpus = 0;
    let mem = s.reservedHostMemoryMb;
    let disk = Math.ceil(s.reservedHostDiskMb / 1024);
    const stats: Record<string, number> = { num_instances: 0, io_workload: 0 };
    const bump = (k: string): void => { stats[k] = (stats[k] ?? 0) + 1; };
    for (const i of mine) {
      const f = i.flavor;
      vcpus += f.vcpus;
      mem += f.memory_mb;
      disk += flavorDiskGb(f);
      bump('num_instances');
      bump(`num_vm_${i.vm_state}`);
      bump(`num_task_${i.task_state ?? 'None'}`);
      bump('num_os_type_None');
      bump(`num_proj_${i.project_id}`);
      if (i.vm_state === VmState.BUILDING || IO_TASK_STATES.has(i.task_state ?? '')) bump('io_workload');
    }
    for (const m of moving.filter((x) => x.node === nodename)) {
      vcpus += m.flavor.data.vcpus;
      mem += m.flavor.data.memory_mb;
      disk += flavorDiskGb(m.flavor.data);
    }
    return {
      vcpus: hv.vcpus, memory_mb: hv.memory_mb, local_gb: hv.local_gb, vcpus_used: vcpus, memory_mb_used: mem, local_gb_used: disk,
      hypervisor_type: hv.hypervisor_type, hypervisor_version: hv.hypervisor_version, cpu_info: hv.cpu_info,
      disk_available_least: hv.disk_available_least, free_ram_mb: hv.memory_mb - mem, free_disk_gb: hv.local_gb - disk,
      current_workload: stats['io_workload'] ?? 0, running_vms: mine.length, host_ip: null,
      supported_instances: JSON.stringify(hv.supported_instances), stats: JSON.stringify(stats),
      cpu_allocation_ratio: this.ratio(s.cpuAllocationRatio, existing?.cpu_allocation_ratio, s.initialCpuAllocationRatio),
      ram_allocation_ratio: this.ratio(s.ramAllocationRatio, existing?.ram_allocation_ratio, s.initialRamAllocationRatio),
      disk_allocation_ratio: this.ratio(s.diskAllocationRatio, existing?.disk_allocation_ratio, s.initialDiskAllocationRatio),
    };
  }

  /** The node's inventories in Placement's terms. */
  private inventories(node: ComputeNodeReport): Record<string, Inventory> {
    const s = this.o.settings;
    const inv = (total: number, reserved: number, ratio: number): Inventory => ({
      total, reserved: Math.min(reserved, total), min_unit: 1, max_unit: total, step_size: 1, allocation_ratio: ratio,
    });
    return {
      VCPU: inv(node.vcpus, s.reservedHostCpus, node.cpu_allocation_ratio ?? 1),
      MEMORY_MB: inv(node.memory_mb, s.reservedHostMemoryMb, node.ram_allocation_ratio ?? 1),
      DISK_GB: inv(node.local_gb, Math.ceil(s.reservedHostDiskMb / 1024), node.disk_allocation_ratio ?? 1),
    };
  }

  /** update_available_resource: every node's record and provider, from the hypervisor and the instances. */
  async updateAvailableResource(service: ServiceRecord): Promise<void> {
    const instances = await this.o.instances.usageOnHost(this.o.host);
    for (const nodename of this.o.driver.getAvailableNodes()) {
      const existing = await this.o.nodes.get(this.o.host, nodename);
      const report = this.usage(nodename, instances, existing, await this.movingHere(instances));
      const node = existing ?? (await this.o.nodes.ensure(this.o.host, nodename, service.id, report));
      if (existing) await this.o.nodes.update(node.uuid, report);
      this.nodeUuids.set(nodename, node.uuid);
      await this.updateProvider(node.uuid, nodename, report, service);
    }
  }

  /** The node's provider in Placement: created, its inventories and traits set (update_provider_tree). */
  private async updateProvider(uuid: string, nodename: string, report: ComputeNodeReport, service: ServiceRecord): Promise<void> {
    try {
      await this.o.report.ensureResourceProvider(uuid, nodename);
      await this.o.report.setInventory(uuid, this.inventories(report));
      const current = await this.o.report.getProviderTraits(uuid);
      const mine = [...capabilitiesAsTraits(this.o.driver.capabilities)].filter(([, has]) => has).map(([t]) => t);
      mine.push('COMPUTE_NODE');
      if (service.disabled) mine.push('COMPUTE_STATUS_DISABLED');
      await this.o.report.setTraits(uuid, [...current.filter((t) => !OWNED_TRAITS.has(t)), ...mine]);
    } catch (err) {
      this.o.log.warn({ err, node: nodename }, 'could not report the compute node to placement; will retry at the next update');
    }
  }

  /** instance_claim: the instance is on this host and node now; the node's use goes up. */
  async instanceClaim(instance: Instance, nodename: string): Promise<Instance> {
    const claimed = await this.o.instances.update(instance, { host: this.o.host, node: nodename, launched_on: this.o.host });
    await this.refreshNode(nodename);
    return claimed;
  }

  /**
   * Recount a node's use (after a claim ended, failed or was freed). When it resolves, the node's
   * record counts everything done before the call. Concurrent calls share recounts: while one
   * runs, the calls that arrive wait for a single next one (which starts after them all), so
   * N builds finishing together cost two recounts of the host rather than N.
   */
  refreshNode(nodename: string): Promise<void> {
    let r = this.recounts.get(nodename);
    if (!r) this.recounts.set(nodename, (r = { running: undefined, next: undefined }));
    const state = r;
    if (state.next) return state.next;
    const start = (): Promise<void> => {
      const run = this.recount(nodename).finally(() => {
        if (state.running === run) state.running = undefined;
      });
      state.running = run;
      return run;
    };
    if (!state.running) return start();
    state.next = state.running.catch(() => undefined).then(() => {
      state.next = undefined;
      return start();
    });
    return state.next;
  }

  private async recount(nodename: string): Promise<void> {
    const uuid = this.nodeUuids.get(nodename);
    if (!uuid) return;
    const existing = await this.o.nodes.get(this.o.host, nodename);
    const instances = await this.o.instances.usageOnHost(this.o.host);
    await this.o.nodes.update(uuid, this.usage(nodename, instances, existing, await this.movingHere(instances)));
  }
}
