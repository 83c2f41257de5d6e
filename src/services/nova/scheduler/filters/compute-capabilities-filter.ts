/**
 * ComputeCapabilitiesFilter (nova/scheduler/filters/compute_capabilities_filter.py): every
 * flavor extra spec scoped `capabilities:` (or unscoped) must be met by the host state's
 * attribute of that name (`capabilities:hypervisor_type=fake`, `capabilities:cpu_info:arch=x86_64`).
 */
import type { HostState } from '../host-state.js';
import type { HostFilter } from './base.js';
import { matchExtraSpec } from './extra-specs-ops.js';

/** The host state attributes nova's filter reads, under nova's names. */
function attribute(host: HostState, name: string): unknown {
  const attrs: Record<string, unknown> = {
    host: host.host, nodename: host.nodename, hypervisor_type: host.hypervisorType, hypervisor_version: host.hypervisorVersion,
    hypervisor_hostname: host.nodename, vcpus_total: host.vcpusTotal, vcpus_used: host.vcpusUsed, free_ram_mb: host.freeRamMb,
    free_disk_mb: host.freeDiskMb, total_usable_ram_mb: host.node.memory_mb, total_usable_disk_gb: host.node.local_gb,
    num_instances: host.numInstances, num_io_ops: host.numIoOps, cpu_allocation_ratio: host.cpuAllocationRatio,
    ram_allocation_ratio: host.node.ram_allocation_ratio, disk_allocation_ratio: host.node.disk_allocation_ratio,
    cpu_info: host.node.cpu_info, stats: host.node.stats ? JSON.parse(host.node.stats) : {},
  };
  return attrs[name];
}

function capability(host: HostState, path: string[]): unknown {
  let cap: unknown = attribute(host, path[0]!);
  for (const step of path.slice(1)) {
    if (typeof cap === 'string') {
      try { cap = JSON.parse(cap); } catch { return undefined; }
    }
    if (!cap || typeof cap !== 'object') return undefined;
    cap = (cap as Record<string, unknown>)[step];
  }
  return cap;
}

export function computeCapabilitiesFilter(): HostFilter {
  return {
    name: 'ComputeCapabilitiesFilter',
    hostPasses(host, spec) {
      for (const [key, req] of Object.entries(spec.data.flavor.data.extra_specs)) {
        const scope = key.split(':');
        if (scope.length > 1 && scope[0] !== 'capabilities') continue;
        const path = scope.length > 1 ? scope.slice(1) : scope;
        const cap = capability(host, path);
        if (cap === undefined || cap === null) return false;
        if (!matchExtraSpec(typeof cap === 'object' ? JSON.stringify(cap) : String(cap), req)) return false;
      }
      return true;
    },
  };
}
