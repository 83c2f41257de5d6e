/**
 * The host manager (nova/scheduler/host_manager.py): the HostStates of the compute nodes
 * Placement offered for a request, from the compute node records, the services, the
 * aggregates (and the zones they give), and the instances on each host; and the filtering of
 * those hosts (ignored hosts out; forced hosts without filtering; otherwise the requested
 * destination, then the enabled filters in order).
 */
import type { Kysely } from 'kysely';
import type { Logger } from '../../../common/log/logger.js';
import { hostAvailabilityZone } from '../db/aggregates.js';
import type { NovaRepos } from '../db/repos.js';
import type { NovaDB } from '../db/schema.js';
import type { RequestSpec } from '../objects/index.js';
import type { AllocationRequest } from './client/report.js';
import type { HostFilter } from './filters/index.js';
import { HostState } from './host-state.js';

export class HostManager {
  constructor(
    private readonly repos: NovaRepos,
    private readonly filters: readonly HostFilter[],
    private readonly defaultAvailabilityZone: string,
    private readonly log: Logger,
  ) {}

  private get db(): Kysely<NovaDB> {
    return this.repos.db;
  }

  /**
   * HostStates of the nodes with an allocation request (node uuid -> the request for it), with
   * the instances on each host when `withInstances` (a request into a server group).
   */
  async hostStates(requests: ReadonlyMap<string, AllocationRequest>, withInstances: boolean): Promise<HostState[]> {
    const nodes = await this.repos.computeNodes.list([...requests.keys()]);
    if (nodes.length === 0) return [];
    const hosts = [...new Set(nodes.map((n) => n.host))];
    const [services, aggregates, instances] = await Promise.all([
      this.repos.services.list({ binary: 'nova-compute' }),
      this.repos.aggregates.byHost(),
      withInstances ? this.db.selectFrom('instances').select(['uuid', 'host']).where('host', 'in', hosts).where('deleted', '=', 0).execute() : undefined,
    ]);
    const byHost = instances && new Map<string, string[]>(hosts.map((h) => [h, []]));
    for (const i of instances ?? []) byHost!.get(i.host!)!.push(i.uuid);
    return nodes.map((node) => {
      const aggs = aggregates.get(node.host) ?? [];
      return new HostState(
        node, services.find((s) => s.host === node.host), aggs, hostAvailabilityZone(aggs, this.defaultAvailabilityZone),
        byHost?.get(node.host), requests.get(node.uuid)!,
      );
    });
  }

  /** get_filtered_hosts: forced/ignored hosts, then each enabled filter. */
  filterHosts(hosts: readonly HostState[], spec: RequestSpec): HostState[] {
    let left = hosts.filter((h) => !spec.data.ignore_hosts.includes(h.host));
    const { force_hosts: forceHosts, force_nodes: forceNodes } = spec.data;
    if (forceHosts.length > 0 || forceNodes.length > 0) {
      // Forced hosts bypass the filters (nova's get_filtered_hosts).
      return left.filter((h) => (forceHosts.length === 0 || forceHosts.includes(h.host)) && (forceNodes.length === 0 || forceNodes.includes(h.nodename)));
    }
    const dest = spec.data.requested_destination;
    if (dest?.host) left = left.filter((h) => h.host === dest.host);
    if (dest?.node) left = left.filter((h) => h.nodename === dest.node);
    for (const filter of this.filters) {
      const before = left.length;
      left = left.filter((h) => filter.hostPasses(h, spec));
      this.log.debug({ filter: filter.name, before, after: left.length, instance: spec.data.instance_uuid }, `Filter ${filter.name} returned ${left.length} host(s)`);
      if (left.length === 0) break;
    }
    return left;
  }
}
