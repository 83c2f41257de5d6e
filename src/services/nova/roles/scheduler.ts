/**
 * The scheduler role (nova-scheduler): select_destinations on the `scheduler` topic, with the
 * filters and weighers [filter_scheduler] enables.
 */
import type { RoleContext, RoleInstance } from '../../../common/service/project.js';
import { filterSchedulerGroup, novaDefaultGroup, schedulerGroup } from '../config.js';
import { SCHEDULER_TOPIC } from '../rpc/topics.js';
import { enabledFilters } from '../scheduler/filters/index.js';
import { HostManager } from '../scheduler/host-manager.js';
import { SchedulerManager } from '../scheduler/manager.js';
import { enabledWeighers } from '../scheduler/weights/index.js';
import { WorkerService } from '../service.js';
import { reportClient, repositories } from './shared.js';

export async function createScheduler(ctx: RoleContext): Promise<RoleInstance> {
  const repos = await repositories(ctx);
  const defaults = ctx.config.get(novaDefaultGroup);
  const sched = ctx.config.get(schedulerGroup);
  const fs = ctx.config.get(filterSchedulerGroup);
  const filters = enabledFilters(fs.enabled_filters, { defaultAvailabilityZone: defaults.default_availability_zone, serviceDownTime: defaults.service_down_time });
  const weighers = enabledWeighers(fs.weight_classes, {
    ram: fs.ram_weight_multiplier, cpu: fs.cpu_weight_multiplier, disk: fs.disk_weight_multiplier, ioOps: fs.io_ops_weight_multiplier,
    softAffinity: fs.soft_affinity_weight_multiplier, softAntiAffinity: fs.soft_anti_affinity_weight_multiplier,
  });
  const manager = new SchedulerManager(
    repos, new HostManager(repos, filters, defaults.default_availability_zone, ctx.log), weighers, reportClient(ctx),
    {
      maxAttempts: sched.max_attempts, maxPlacementResults: sched.max_placement_results,
      queryPlacementForAvailabilityZone: sched.query_placement_for_availability_zone, hostSubsetSize: fs.host_subset_size,
      shuffleBestSameWeighedHosts: fs.shuffle_best_same_weighed_hosts,
    },
    ctx.log,
  );
  return new WorkerService({ ctx, binary: 'nova-scheduler', topic: SCHEDULER_TOPIC, endpoints: [manager.endpoint()], services: repos.services });
}
