/**
 * The Compute project (Nova, API v2.1 with microversions 2.1-2.93): the roles OpenStack runs
 * for it, talking over the bus: compute-api (nova-api), metadata-api (nova-metadata-api),
 * conductor, scheduler, compute (nova-compute, once per [DEFAULT] hosts entry), and the console
 * proxies novncproxy and serialproxy (nova-novncproxy, nova-serialproxy). One
 * database holds what nova keeps in its API and cell databases.
 */
import type { ProjectDef } from '../../common/service/project.js';
import { novaFault } from './api/fault.js';
import { novaConfigGroups } from './config.js';
import { novaMigrations } from './db/migrations/index.js';
import { novaPolicySpec } from './policies/index.js';
import { createComputeApi } from './roles/compute-api.js';
import { createCompute } from './roles/compute.js';
import { createConductor } from './roles/conductor.js';
import { createMetadataApi } from './roles/metadata-api.js';
import { createNovncProxy, createSerialProxy } from './roles/console-proxy.js';
import { createScheduler } from './roles/scheduler.js';
import { novaDefaultGroup, serialConsoleGroup, vncGroup } from './config.js';

export const nova: ProjectDef = {
  name: 'nova',
  service: 'compute',
  description: 'Compute Service (Nova)',
  prefix: '/compute',
  catalog: [{ type: 'compute', path: '/v2.1' }],
  configGroups: novaConfigGroups,
  migrations: novaMigrations,
  policy: novaPolicySpec,
  fault: novaFault,
  roles: [
    { name: 'compute-api', description: 'nova-api: the Compute API', kind: 'api', create: createComputeApi },
    {
      name: 'metadata-api', description: 'nova-metadata-api: the metadata service guests read', kind: 'api', prefix: '/compute-metadata',
      create: createMetadataApi,
    },
    { name: 'conductor', description: 'nova-conductor: builds, reschedules and other long tasks', kind: 'worker', create: createConductor },
    { name: 'scheduler', description: 'nova-scheduler: picks hosts from Placement candidates, filters and weighers', kind: 'worker', create: createScheduler },
    { name: 'compute', description: 'nova-compute: the hypervisor agent of one host', kind: 'worker', perHost: true, create: createCompute },
    // The console proxies run in all-in-one where the guests have consoles to reach: the qemu driver's, as [vnc] and [serial_console] enable them.
    {
      name: 'novncproxy', description: 'nova-novncproxy: noVNC\'s WebSocket to the guests\' VNC consoles ([vnc] novncproxy_host/port)', kind: 'worker',
      allInOne: (config) => config.get(novaDefaultGroup).compute_driver === 'qemu' && config.get(vncGroup).enabled, create: createNovncProxy,
    },
    {
      name: 'serialproxy', description: 'nova-serialproxy: a WebSocket to the guests\' serial consoles ([serial_console] serialproxy_host/port)', kind: 'worker',
      allInOne: (config) => config.get(novaDefaultGroup).compute_driver === 'qemu' && config.get(serialConsoleGroup).enabled, create: createSerialProxy,
    },
  ],
};
