/**
 * The Compute project (Nova, API v2.1 with microversions 2.1-2.93): the roles OpenStack runs
 * for it, talking over the bus: compute-api (nova-api), metadata-api (nova-metadata-api),
 * conductor, scheduler, and compute (nova-compute, once per [DEFAULT] hosts entry). One
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
import { createScheduler } from './roles/scheduler.js';

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
  ],
};
