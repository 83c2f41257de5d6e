/**
 * HostState (nova/scheduler/host_manager.py): what the filters and weighers know of a compute
 * node while one request is scheduled: its compute node record (size, use, ratios, stats), its
 * service, its aggregates and zone, the instances on it, and the allocation request Placement
 * offered for it. consumeFromRequest accounts for a server placed on it during the request.
 * The instances on a host are only read for a request into a server group: the group filter
 * and weighers are the only ones that count them, and reading them costs a scan of the hosts'
 * instances for every request.
 */
import type { AggregateInfo } from '../db/aggregates.js';
import type { ComputeNodeRecord } from '../db/compute-nodes.js';
import type { ServiceRecord } from '../db/services.js';
import type { RequestSpec } from '../objects/index.js';
import type { AllocationRequest } from './client/report.js';

export class HostState {
  freeRamMb: number;
  freeDiskMb: number;
  vcpusUsed: number;
  numInstances: number;
  numIoOps: number;
  readonly #instances: Set<string> | undefined;

  constructor(
    readonly node: ComputeNodeRecord,
    readonly service: ServiceRecord | undefined,
    readonly aggregates: readonly AggregateInfo[],
    readonly availabilityZone: string,
    /** The instances on the host; undefined when the request has no server group (not read). */
    instances: Iterable<string> | undefined,
    readonly allocationRequest: AllocationRequest,
  ) {
    this.freeRamMb = node.free_ram_mb ?? node.memory_mb - node.memory_mb_used;
    this.freeDiskMb = (node.free_disk_gb ?? node.local_gb - node.local_gb_used) * 1024;
    this.vcpusUsed = node.vcpus_used;
    const stats = node.stats ? (JSON.parse(node.stats) as Record<string, number>) : {};
    this.numInstances = stats['num_instances'] ?? 0;
    this.numIoOps = stats['io_workload'] ?? 0;
    this.#instances = instances === undefined ? undefined : new Set(instances);
  }

  /** uuids of the instances on the host (and those placed on it by this request); read for server-group requests only. */
  get instances(): ReadonlySet<string> {
    if (!this.#instances) throw new Error(`HostState ${this.host}: the instances on the host were not read (the request has no server group)`);
    return this.#instances;
  }

  get host(): string { return this.node.host; }
  get nodename(): string { return this.node.hypervisor_hostname; }
  get uuid(): string { return this.node.uuid; }
  get vcpusTotal(): number { return this.node.vcpus; }
  get cpuAllocationRatio(): number { return this.node.cpu_allocation_ratio ?? 1; }
  get hypervisorType(): string { return this.node.hypervisor_type; }
  get hypervisorVersion(): number { return this.node.hypervisor_version; }

  /** [[arch, hv_type, vm_mode], ...] the hypervisor runs. */
  get supportedInstances(): Array<[string, string, string]> {
    return this.node.supported_instances ? (JSON.parse(this.node.supported_instances) as Array<[string, string, string]>) : [];
  }

  /** The metadata of the host's aggregates, key -> values. */
  aggregateMetadata(): Map<string, Set<string>> {
    const out = new Map<string, Set<string>>();
    for (const agg of this.aggregates) {
      for (const [k, v] of Object.entries(agg.metadata)) {
        const set = out.get(k) ?? new Set<string>();
        for (const item of v.split(',')) set.add(item.trim());
        out.set(k, set);
      }
    }
    return out;
  }

  /** consume_from_request: a server of `spec` is placed here. */
  consumeFromRequest(spec: RequestSpec, instanceUuid: string): void {
    const f = spec.data.flavor.data;
    this.freeRamMb -= f.memory_mb;
    this.freeDiskMb -= (spec.data.is_bfv ? 0 : f.root_gb * 1024) + f.ephemeral_gb * 1024 + f.swap;
    this.vcpusUsed += f.vcpus;
    this.numInstances += 1;
    this.numIoOps += 1;
    this.#instances?.add(instanceUuid);
  }
}
