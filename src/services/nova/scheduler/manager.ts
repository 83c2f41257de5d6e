/**
 * The scheduler (nova/scheduler/manager.py SchedulerManager.select_destinations with the
 * filter scheduler's _schedule): for a request spec and the servers of one request,
 *  1. asks Placement for allocation candidates (the flavor's resources, the traits asked for,
 *     no disabled compute, the zone's aggregates when [scheduler]
 *     query_placement_for_availability_zone);
 *  2. builds the HostStates of the offered nodes, filters them, weighs them;
 *  3. for each server claims the best host's allocation request in Placement (a refused claim
 *     moves on to the next host), and accounts for it on the host;
 *  4. returns for each server its Selection and up to max_attempts - 1 alternates.
 * When a server cannot be placed, the claims of the request are dropped and NoValidHost raised.
 */
import { randomInt } from 'node:crypto';
import type { RequestContext } from '../../../common/context.js';
import type { Logger } from '../../../common/log/logger.js';
import type { NovaRepos } from '../db/repos.js';
import { NoValidHost } from '../errors.js';
import { expectObject, InstanceGroup, RequestSpec, Selection } from '../objects/index.js';
import { CELL_UUID, SCHEDULER_RPC_VERSION } from '../rpc/topics.js';
import type { AllocationCandidates, AllocationRequest, SchedulerReportClient } from './client/report.js';
import type { HostManager } from './host-manager.js';
import type { HostState } from './host-state.js';
import { resourcesFromRequestSpec } from './utils.js';
import { weighHosts, type Weigher } from './weights/index.js';

export interface SchedulerSettings {
  maxAttempts: number;
  maxPlacementResults: number;
  queryPlacementForAvailabilityZone: boolean;
  hostSubsetSize: number;
  shuffleBestSameWeighedHosts: boolean;
}

/** The allocation request for each root provider (a compute node) of the candidates. */
function requestsByNode(candidates: AllocationCandidates): Map<string, AllocationRequest> {
  const out = new Map<string, AllocationRequest>();
  for (const req of candidates.allocation_requests) {
    const roots = new Set(Object.keys(req.allocations).map((rp) => candidates.provider_summaries[rp]?.root_provider_uuid ?? rp));
    for (const root of roots) if (!out.has(root)) out.set(root, req);
  }
  return out;
}

export class SchedulerManager {
  constructor(
    private readonly repos: NovaRepos,
    private readonly hostManager: HostManager,
    private readonly weighers: readonly Weigher[],
    private readonly report: SchedulerReportClient,
    private readonly settings: SchedulerSettings,
    private readonly log: Logger,
  ) {}

  /** The RPC endpoint of the `scheduler` topic. */
  endpoint(): object {
    const m = this;
    return {
      target: { version: SCHEDULER_RPC_VERSION },
      async select_destinations(ctx: RequestContext, args: Record<string, unknown>) {
        const spec = expectObject(args['spec_obj'], RequestSpec, 'spec_obj');
        const uuids = Array.isArray(args['instance_uuids']) ? (args['instance_uuids'] as string[]) : [spec.data.instance_uuid];
        return m.selectDestinations(ctx, spec, uuids, args['return_alternates'] !== false);
      },
    };
  }

  /** The zone's aggregates for Placement's member_of (the map_az_to_placement_aggregate prefilter). */
  private async zoneAggregates(spec: RequestSpec): Promise<string[][]> {
    const az = spec.data.availability_zone;
    const memberOf = (spec.data.requested_destination?.aggregates ?? []).map((a) => a.split(','));
    if (!az || !this.settings.queryPlacementForAvailabilityZone) return memberOf;
    const uuids = (await this.repos.aggregates.all()).filter((a) => a.metadata['availability_zone'] === az).map((a) => a.uuid);
    return uuids.length > 0 ? [...memberOf, uuids] : memberOf;
  }

  /** The hosts to try for one server, best first: a random one of the best host_subset_size, then the rest. */
  private ordered(hosts: HostState[], spec: RequestSpec): HostState[] {
    const weighed = weighHosts(hosts, spec, this.weighers);
    if (this.settings.shuffleBestSameWeighedHosts && weighed.length > 1) {
      const best = weighed.filter((w) => w.weight === weighed[0]!.weight);
      for (let i = best.length - 1; i > 0; i--) {
        const j = randomInt(i + 1);
        [weighed[i], weighed[j]] = [weighed[j]!, weighed[i]!];
      }
    }
    const subset = Math.min(this.settings.hostSubsetSize, weighed.length);
    if (subset > 1) {
      const pick = randomInt(subset);
      const [chosen] = weighed.splice(pick, 1);
      weighed.unshift(chosen!);
    }
    return weighed.map((w) => w.host);
  }

  private selection(host: HostState): Selection {
    return new Selection({
      compute_node_uuid: host.uuid, service_host: host.host, nodename: host.nodename, cell_uuid: CELL_UUID, limits: null,
      allocation_request: JSON.stringify({ allocations: host.allocationRequest.allocations }), allocation_request_version: '1.28',
      availability_zone: host.availabilityZone,
    });
  }

  async selectDestinations(_ctx: RequestContext, spec: RequestSpec, instanceUuids: readonly string[], returnAlternates: boolean): Promise<Selection[][]> {
    const wanted = resourcesFromRequestSpec(spec);
    const candidates = await this.report.getAllocationCandidates({
      resources: wanted.resources, required: wanted.required, forbidden: [...wanted.forbidden, 'COMPUTE_STATUS_DISABLED'],
      memberOf: await this.zoneAggregates(spec), limit: this.settings.maxPlacementResults,
    });
    if (candidates.allocation_requests.length === 0) {
      this.log.debug({ instance: spec.data.instance_uuid }, 'Got no allocation candidates from the Placement API');
      throw new NoValidHost('');
    }
    const hosts = await this.hostManager.hostStates(requestsByNode(candidates), Boolean(spec.data.instance_group));
    const claimed: string[] = [];
    const chosen: HostState[] = [];
    let lastFiltered: HostState[] = [];
    try {
      for (const uuid of instanceUuids) {
        lastFiltered = this.hostManager.filterHosts(hosts, spec);
        let placed: HostState | undefined;
        for (const host of this.ordered(lastFiltered, spec)) {
          if (await this.report.claimResources(uuid, host.allocationRequest, spec.data.project_id, spec.data.user_id)) {
            placed = host;
            break;
          }
        }
        if (!placed) throw new NoValidHost('There are not enough hosts available.');
        claimed.push(uuid);
        chosen.push(placed);
        placed.consumeFromRequest(spec, uuid);
        const group = spec.data.instance_group;
        if (group && !group.data.hosts.includes(placed.host)) {
          spec.data.instance_group = new InstanceGroup({ ...group.data, hosts: [...group.data.hosts, placed.host] });
        }
      }
    } catch (err) {
      for (const uuid of claimed) await this.report.deleteAllocationForInstance(uuid).catch(() => undefined);
      throw err;
    }
    const alternateCount = returnAlternates ? this.settings.maxAttempts - 1 : 0;
    return chosen.map((host) => {
      const alternates = this.hostManager.filterHosts(lastFiltered, spec)
        .filter((h) => !chosen.includes(h))
        .slice(0, alternateCount);
      return [this.selection(host), ...alternates.map((h) => this.selection(h))];
    });
  }
}
