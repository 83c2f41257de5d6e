/**
 * The compute-api role (nova-api): the Compute API over Nova's database and policy, with the
 * compute API layer that records servers and casts to the conductor and the compute hosts.
 */
import { IdentityClient, ImageClient, ServiceClientError } from '../../../common/clients/index.js';
import type { RoleContext, RoleInstance } from '../../../common/service/project.js';
import { AggregateApi } from '../compute/aggregates.js';
import { ComputeApi } from '../compute/api.js';
import { FlavorAPI } from '../compute/flavors.js';
import { KeypairAPI } from '../compute/keypairs.js';
import { HostApi } from '../compute/host-api.js';
import { ComputeMoveApi } from '../compute/api-move.js';
import { QuotaChecker } from '../compute/quota.js';
import { ComputeAPI } from '../compute/rpcapi.js';
import { ComputeMoveAPI } from '../compute/rpcapi-move.js';
import type { ApiDeps } from '../api/deps.js';
import { LinkBuilder } from '../api/links.js';
import { computeRoutes } from '../api/routes.js';
import { apiGroup, neutronMetadataGroup, novaDefaultGroup, quotaGroup } from '../config.js';
import { ComputeTaskAPI } from '../conductor/rpcapi.js';
import { ComputeTaskMoveAPI } from '../conductor/rpcapi-move.js';
import { NovaNotifier } from '../notifications/notifier.js';
import { loadNovaPolicy } from '../policies/index.js';
import { cinderApi, glanceApi, neutronApi, reportClient, repositories } from './shared.js';
import { traceComputeApi } from './tracing.js';

export async function createComputeApi(ctx: RoleContext): Promise<RoleInstance> {
  const repos = await repositories(ctx);
  const api = ctx.config.get(apiGroup);
  const defaults = ctx.config.get(novaDefaultGroup);
  const quota = ctx.config.get(quotaGroup);
  if (api.default_flavors) await repos.flavors.ensureDefaults();
  const policy = loadNovaPolicy(ctx.config, ctx.dataDir, ctx.periodic, (msg) => ctx.log.warn(msg));
  const quotas = new QuotaChecker(repos.quotas, repos.instances, {
    instances: quota.instances, cores: quota.cores, ram: quota.ram, metadata_items: quota.metadata_items, injected_files: quota.injected_files,
    injected_file_content_bytes: quota.injected_file_content_bytes, injected_file_path_length: quota.injected_file_path_length,
    key_pairs: quota.key_pairs, server_groups: quota.server_groups, server_group_members: quota.server_group_members,
  });
  const identity = new IdentityClient(ctx.session);
  const report = reportClient(ctx);
  const computeRpc = new ComputeAPI(ctx.transport);
  const notifier = new NovaNotifier(ctx.transport, ctx.config, 'nova-api', ctx.host);
  const glance = glanceApi(ctx);
  const conductor = new ComputeTaskAPI(ctx.transport);
  const aggregates = new AggregateApi({ repos, report, notifier, images: glance, conductor, log: ctx.log });
  const hosts = new HostApi({
    repos, aggregates, report, compute: computeRpc, log: ctx.log,
    settings: { serviceDownTime: defaults.service_down_time, defaultAvailabilityZone: defaults.default_availability_zone },
  });
  const compute: ComputeApi = new ComputeApi({
    repos,
    glance,
    network: neutronApi(ctx, (c) => policy.check(c, 'network:attach_external_network')),
    conductor,
    compute: computeRpc,
    report,
    quotas,
    notifier,
    volume: cinderApi(ctx),
    settings: {
      defaultScheduleZone: defaults.default_schedule_zone || null, defaultAvailabilityZone: defaults.default_availability_zone,
      serviceDownTime: defaults.service_down_time, recheckQuota: quota.recheck_quota,
    },
    log: ctx.log,
    beforeDelete: (c, instance): Promise<void> => moves.beforeDelete(c, instance),
  });
  const moves: ComputeMoveApi = new ComputeMoveApi({
    repos, images: new ImageClient(ctx.session), conductor: new ComputeTaskMoveAPI(ctx.transport), compute: new ComputeMoveAPI(ctx.transport), report,
    quotas, notifier, availableZones: () => compute.availableZones(), log: ctx.log,
    settings: {
      serviceDownTime: defaults.service_down_time, allowResizeToSameHost: defaults.allow_resize_to_same_host,
      defaultAvailabilityZone: defaults.default_availability_zone,
    },
  });
  traceComputeApi(compute);
  const deps: ApiDeps = {
    db: repos.db,
    repos,
    policy,
    settings: {
      maxLimit: api.max_limit, serviceDownTime: defaults.service_down_time,
      defaultAvailabilityZone: defaults.default_availability_zone, internalServiceAvailabilityZone: defaults.internal_service_availability_zone,
      defaultFloatingPool: ctx.config.get(neutronMetadataGroup).default_floating_pool,
      reclaimInstanceInterval: defaults.reclaim_instance_interval,
    },
    links: new LinkBuilder(ctx.baseUrl, api.compute_link_prefix),
    compute,
    quotas,
    recheckQuota: quota.recheck_quota,
    projectExists: (id) => identity.projectExists(id),
    flavors: new FlavorAPI(repos.flavors, notifier),
    keypairs: new KeypairAPI({ keypairs: repos.keypairs, quotas, notifier, recheckQuota: quota.recheck_quota }),
    aggregates,
    hosts,
    moves,
    images: glance,
    notifier,
  };
  return {
    routes: computeRoutes(deps, ctx.baseUrl),
  };
}
