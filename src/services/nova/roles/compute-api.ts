/**
 * The compute-api role (nova-api): the Compute API over Nova's database and policy, with the
 * compute API layer that records servers and casts to the conductor and the compute hosts.
 */
import type { RoleContext, RoleInstance } from '../../../common/service/project.js';
import { ComputeApi } from '../compute/api.js';
import { QuotaChecker } from '../compute/quota.js';
import { ComputeAPI } from '../compute/rpcapi.js';
import type { ApiDeps } from '../api/deps.js';
import { LinkBuilder } from '../api/links.js';
import { computeRoutes } from '../api/routes.js';
import { apiGroup, novaDefaultGroup, quotaGroup } from '../config.js';
import { ComputeTaskAPI } from '../conductor/rpcapi.js';
import { NovaNotifier } from '../notifications/notifier.js';
import { loadNovaPolicy } from '../policies/index.js';
import { glanceApi, neutronApi, reportClient, repositories } from './shared.js';
import { traceComputeApi } from './tracing.js';

export async function createComputeApi(ctx: RoleContext): Promise<RoleInstance> {
  const repos = await repositories(ctx);
  const api = ctx.config.get(apiGroup);
  const defaults = ctx.config.get(novaDefaultGroup);
  const quota = ctx.config.get(quotaGroup);
  if (api.default_flavors) await repos.flavors.ensureDefaults();
  const policy = loadNovaPolicy(ctx.config, ctx.dataDir, ctx.periodic, (msg) => ctx.log.warn(msg));
  const compute = new ComputeApi({
    repos,
    glance: glanceApi(ctx),
    network: neutronApi(ctx, (c) => policy.check(c, 'network:attach_external_network')),
    conductor: new ComputeTaskAPI(ctx.transport),
    compute: new ComputeAPI(ctx.transport),
    report: reportClient(ctx),
    quotas: new QuotaChecker(repos.quotas, repos.instances, {
      instances: quota.instances, cores: quota.cores, ram: quota.ram, metadata_items: quota.metadata_items, injected_files: quota.injected_files,
      injected_file_content_bytes: quota.injected_file_content_bytes, injected_file_path_length: quota.injected_file_path_length,
      key_pairs: quota.key_pairs, server_groups: quota.server_groups, server_group_members: quota.server_group_members,
    }),
    notifier: new NovaNotifier(ctx.transport, ctx.config, 'nova-api', ctx.host),
    settings: {
      defaultScheduleZone: defaults.default_schedule_zone || null, defaultAvailabilityZone: defaults.default_availability_zone,
      serviceDownTime: defaults.service_down_time, recheckQuota: quota.recheck_quota,
    },
    log: ctx.log,
  });
  traceComputeApi(compute);
  const deps: ApiDeps = {
    db: repos.db,
    repos,
    policy,
    settings: { maxLimit: api.max_limit, serviceDownTime: defaults.service_down_time },
    links: new LinkBuilder(ctx.baseUrl, api.compute_link_prefix),
    compute,
  };
  return {
    routes: computeRoutes(deps, ctx.baseUrl),
  };
}
