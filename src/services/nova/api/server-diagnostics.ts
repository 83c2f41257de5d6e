/**
 * GET /servers/{id}/diagnostics (nova/api/openstack/compute/server_diagnostics.py): what the
 * server's hypervisor measures of it, asked of its compute host: the driver's free-form
 * dictionary before 2.48, the standard format (views/server_diagnostics.py) from 2.48. Only a
 * running guest has diagnostics (409 otherwise, and for a server not yet on a host).
 */
import type { FastifyInstance } from 'fastify';
import { Conflict } from '../../../common/errors.js';
import { InstanceInvalidState, InstanceNotReady } from '../errors.js';
import type { InstanceDiagnostics } from '../virt/diagnostics.js';
import type { ApiDeps } from './deps.js';
import { caller, getInstance } from './request.js';

/** The 2.48 view: exactly the fields of nova's InstanceDiagnostics, in its shape. */
function standardView(d: InstanceDiagnostics): Record<string, unknown> {
  return {
    state: d.state, driver: d.driver, hypervisor: d.hypervisor, hypervisor_os: d.hypervisor_os, uptime: d.uptime, config_drive: d.config_drive,
    num_cpus: d.num_cpus, num_nics: d.num_nics, num_disks: d.num_disks,
    disk_details: d.disk_details.map((x) => ({
      read_bytes: x.read_bytes, read_requests: x.read_requests, write_bytes: x.write_bytes, write_requests: x.write_requests, errors_count: x.errors_count,
    })),
    cpu_details: d.cpu_details.map((x) => ({ id: x.id, time: x.time, utilisation: x.utilisation })),
    nic_details: d.nic_details.map((x) => ({
      mac_address: x.mac_address, rx_octets: x.rx_octets, rx_errors: x.rx_errors, rx_drop: x.rx_drop, rx_packets: x.rx_packets, rx_rate: x.rx_rate,
      tx_octets: x.tx_octets, tx_errors: x.tx_errors, tx_drop: x.tx_drop, tx_packets: x.tx_packets, tx_rate: x.tx_rate,
    })),
    memory_details: { maximum: d.memory_details.maximum, used: d.memory_details.used },
  };
}

export function serverDiagnosticsRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get<{ Params: { id: string } }>('/servers/:id/diagnostics', async (req) => {
    const c = caller(req, deps);
    const instance = await getInstance(deps, c, req.params.id);
    deps.policy.can(c.ctx, 'os_compute_api:os-server-diagnostics', { project_id: instance.data.project_id });
    const standard = c.version.atLeast('2.48');
    try {
      const diagnostics = await deps.compute.getDiagnostics(c.ctx, instance, standard);
      return standard ? standardView(diagnostics as InstanceDiagnostics) : diagnostics;
    } catch (err) {
      if (err instanceof InstanceNotReady) throw new Conflict(err.message);
      // The host's InstanceInvalidState comes back over RPC by name (a guest not running).
      if (err instanceof Error && (err instanceof InstanceInvalidState || err.name === 'InstanceInvalidState')) {
        const m = / in (.+) (\S+)\. Cannot /.exec(err.message);
        throw new Conflict(m ? `Cannot 'get_diagnostics' instance ${instance.uuid} while it is in ${m[1]} ${m[2]}` : err.message);
      }
      throw err;
    }
  });
}
