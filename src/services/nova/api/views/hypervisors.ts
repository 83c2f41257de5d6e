/**
 * A hypervisor as os-hypervisors shows it (HypervisorsController._view_hypervisor): id (the
 * node's uuid from 2.53), hostname, state (its compute service up or down) and status
 * (enabled/disabled); in detail its type, version, host IP and service, the resource figures
 * until 2.88 (cpu_info an object from 2.28), the uptime from 2.88; and its servers when asked.
 */
import type { APIVersion } from '../../../../common/http/microversion.js';
import type { ComputeNodeRecord } from '../../db/compute-nodes.js';
import type { ServiceRecord } from '../../db/services.js';

export interface HypervisorViewInput {
  node: ComputeNodeRecord;
  service: ServiceRecord;
  up: boolean;
  detail: boolean;
  /** The servers on the node's host, when asked for. */
  servers?: Array<{ name: string; uuid: string }>;
  /** with_servers was true (an empty list shows from 2.75). */
  withServers?: boolean;
  /** 2.88 detail: the host's uptime (null when it cannot be had). */
  uptime?: string | null;
}

const FIGURES = ['vcpus', 'memory_mb', 'local_gb', 'vcpus_used', 'memory_mb_used', 'local_gb_used', 'free_ram_mb', 'free_disk_gb',
  'current_workload', 'running_vms', 'disk_available_least'] as const;

export function hypervisorView(h: HypervisorViewInput, v: APIVersion): Record<string, unknown> {
  const uuids = v.atLeast('2.53');
  const view: Record<string, unknown> = {
    id: uuids ? h.node.uuid : h.node.id,
    hypervisor_hostname: h.node.hypervisor_hostname,
    state: h.up ? 'up' : 'down',
    status: h.service.disabled ? 'disabled' : 'enabled',
  };
  if (h.detail) {
    view['hypervisor_type'] = h.node.hypervisor_type;
    view['hypervisor_version'] = h.node.hypervisor_version;
    view['host_ip'] = h.node.host_ip;
    view['service'] = { id: uuids ? h.service.uuid : h.service.id, host: h.node.host, disabled_reason: h.service.disabled_reason };
    if (!v.atLeast('2.88')) {
      for (const f of FIGURES) view[f] = h.node[f];
      view['cpu_info'] = v.atLeast('2.28') ? (h.node.cpu_info ? JSON.parse(h.node.cpu_info) as unknown : {}) : h.node.cpu_info;
    } else {
      view['uptime'] = h.uptime ?? null;
    }
  }
  if (h.servers && h.servers.length > 0) view['servers'] = h.servers.map((s) => ({ name: s.name, uuid: s.uuid }));
  else if (h.withServers && v.atLeast('2.75')) view['servers'] = [];
  return view;
}

/** compute_node_statistics: the count and sums over these nodes. */
export function hypervisorStatistics(nodes: readonly ComputeNodeRecord[]): Record<string, number> {
  const stats: Record<string, number> = { count: nodes.length };
  for (const f of FIGURES) stats[f] = nodes.reduce((sum, n) => sum + (n[f] ?? 0), 0);
  return stats;
}
