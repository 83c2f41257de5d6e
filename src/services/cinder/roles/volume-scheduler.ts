/**
 * The volume-scheduler role (cinder-scheduler): the SchedulerManager on `cinder-scheduler`
 * with the filters and weighers of [DEFAULT]; once serving it asks every volume service for
 * its capabilities (as cinder's scheduler does at start). On the in-process bus, volumes a
 * previous run left creating and unplaced are errors at start (their casts died with it).
 */
import { RequestContext } from '../../../common/context.js';
import { newRequestId } from '../../../common/log/request-scope.js';
import type { RoleContext, RoleInstance } from '../../../common/service/project.js';
import { cinderDefaultGroup } from '../config.js';
import { SCHEDULER_BINARY, SCHEDULER_TOPIC } from '../rpc/topics.js';
import { enabledFilters } from '../scheduler/filters/index.js';
import { HostManager } from '../scheduler/host-manager.js';
import { SchedulerManager } from '../scheduler/manager.js';
import { SchedulerMigrationManager } from '../scheduler/migration.js';
import { enabledWeighers } from '../scheduler/weights/index.js';
import { WorkerService } from '../service.js';
import { VolumeRpcAPI } from '../volume/rpcapi.js';
import { VolumeMigrationRpcAPI } from '../volume/rpcapi-migration.js';
import { repositories } from './shared.js';

export async function createVolumeScheduler(ctx: RoleContext): Promise<RoleInstance> {
  const repos = await repositories(ctx);
  const d = ctx.config.get(cinderDefaultGroup);
  const volume = new VolumeRpcAPI(ctx.transport);
  const manager = new SchedulerManager({
    repos, hosts: new HostManager(repos), volume, log: ctx.log,
    filters: enabledFilters(d.scheduler_default_filters),
    weighers: enabledWeighers(d.scheduler_default_weighers, { capacity: d.capacity_weight_multiplier }),
  });
  manager.startupDelay(d.scheduler_driver_init_wait_time);
  const migration = new SchedulerMigrationManager({ repos, scheduler: manager, volume: new VolumeMigrationRpcAPI(ctx.transport), log: ctx.log });
  // the in-process bus lost the casts of a previous run with its process
  const startedAt = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  return new WorkerService({
    ctx, binary: SCHEDULER_BINARY, topic: SCHEDULER_TOPIC, host: ctx.host, endpoints: [manager.endpoint(), migration.endpoint()], services: repos.services,
    beforeServe: async () => { if (ctx.transport.inProcess) await manager.failUnscheduled(startedAt); },
    afterServe: () => volume.publishServiceCapabilities(RequestContext.internal(newRequestId())),
  });
}
