/**
 * The host API (nova/compute/api.py's HostAPI): the services and compute nodes an
 * administrator sees and changes through os-services and os-hypervisors: a service's zone and
 * liveness (the DB servicegroup driver: a heartbeat within [DEFAULT] service_down_time, never
 * when forced down), enabling/disabling/forcing down a compute service, deleting one (refused
 * while it hosts servers or in-progress migrations; its host leaves its aggregates and its
 * nodes leave Placement), and a host's uptime asked of its compute service.
 */
import type { RequestContext } from '../../../common/context.js';
import type { Logger } from '../../../common/log/logger.js';
import { hostAvailabilityZone } from '../db/aggregates.js';
import type { ComputeNodeRecord } from '../db/compute-nodes.js';
import type { NovaRepos } from '../db/repos.js';
import { serviceIsUp, type ServiceRecord } from '../db/services.js';
import { ComputeHostNotFound, ComputeServiceUnavailable } from '../errors.js';
import type { SchedulerReportClient } from '../scheduler/client/report.js';
import type { AggregateApi } from './aggregates.js';
import type { ComputeAPI as ComputeRpcAPI } from './rpcapi.js';

/** [DEFAULT] internal_service_availability_zone (nova's default): the zone of services other than nova-compute. */
export const INTERNAL_ZONE = 'internal';

/** Migration statuses nova counts as in progress (MigrationList.get_in_progress_by_host_and_node). */
export const MIGRATION_DONE_STATUSES = ['confirmed', 'reverted', 'error', 'failed', 'completed', 'cancelled', 'done'];

export interface ServiceView extends ServiceRecord {
  zone: string;
  up: boolean;
}

export interface HostApiDeps {
  repos: NovaRepos;
  aggregates: Pick<AggregateApi, 'ofHost' | 'removeHost'>;
  report: Pick<SchedulerReportClient, 'deleteResourceProvider'>;
  compute: Pick<ComputeRpcAPI, 'getHostUptime'>;
  settings: { serviceDownTime: number; defaultAvailabilityZone: string };
  log: Logger;
}

/** Why a service cannot be deleted. */
export class ServiceInUse extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServiceInUse';
  }
}

export class HostApi {
  constructor(private readonly d: HostApiDeps) {}

  private get repos(): NovaRepos {
    return this.d.repos;
  }

  isUp(service: ServiceRecord): boolean {
    return serviceIsUp(service, this.d.settings.serviceDownTime);
  }

  /** service_get_all with set_zones, filtered by host and binary. */
  async services(filters: { host?: string; binary?: string } = {}): Promise<ServiceView[]> {
    const [services, byHost] = await Promise.all([this.repos.services.list(filters), this.repos.aggregates.byHost()]);
    return services.map((s) => ({
      ...s,
      zone: s.binary === 'nova-compute' ? hostAvailabilityZone(byHost.get(s.host) ?? [], this.d.settings.defaultAvailabilityZone) : INTERNAL_ZONE,
      up: this.isUp(s),
    }));
  }

  async service(by: { id: number } | { uuid: string }): Promise<ServiceView | undefined> {
    const s = await this.repos.services.find(by);
    if (!s) return undefined;
    return (await this.services({ host: s.host, binary: s.binary })).find((v) => v.id === s.id);
  }

  /** The compute service of a host (service_get_by_compute_host). @throws ComputeHostNotFound */
  async computeService(host: string): Promise<ServiceRecord> {
    const s = await this.repos.services.get(host, 'nova-compute');
    if (!s) throw new ComputeHostNotFound(host);
    return s;
  }

  async updateService(id: number, changes: { disabled?: boolean; disabled_reason?: string | null; forced_down?: boolean }): Promise<void> {
    await this.repos.services.update(id, changes);
  }

  /** Whether `done` evacuations of the host are left (forcing it up is refused then). */
  async hasDoneEvacuations(host: string): Promise<boolean> {
    const row = await this.repos.db.selectFrom('migrations').select('id')
      .where('source_compute', '=', host).where('status', '=', 'done').where('migration_type', '=', 'evacuation').where('deleted', '=', 0)
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * os-services delete: a compute service hosting servers or in-progress migrations is refused;
   * otherwise its host leaves its aggregates, its nodes' providers are deleted from Placement
   * and its nodes and the service record are deleted.
   * @throws ServiceInUse
   */
  async deleteService(ctx: RequestContext, service: ServiceRecord): Promise<void> {
    if (service.binary === 'nova-compute') {
      const instances = await this.repos.db.selectFrom('instances').select((eb) => eb.fn.countAll<number>().as('n'))
        .where('host', '=', service.host).where('deleted', '=', 0).executeTakeFirst();
      if (Number(instances?.n ?? 0) > 0) {
        throw new ServiceInUse('Unable to delete compute service that is hosting instances. Migrate or delete the instances first.');
      }
      const nodes = await this.repos.computeNodes.byHost(service.host);
      if (await this.hasMigrationsInProgress(nodes)) {
        throw new ServiceInUse('Unable to delete compute service that has in-progress migrations. Complete the migrations or delete the instances first.');
      }
      for (const agg of await this.d.aggregates.ofHost(service.host)) await this.d.aggregates.removeHost(ctx, agg.id, service.host);
      for (const node of nodes) {
        try {
          await this.d.report.deleteResourceProvider(node.uuid);
        } catch (err) {
          this.d.log.error({ err: err instanceof Error ? err.message : err, node: node.uuid }, `Failed to delete compute node resource provider for compute node ${node.uuid}`);
        }
      }
      await this.repos.computeNodes.destroyByHost(service.host);
    }
    await this.repos.services.destroy(service.id);
  }

  private async hasMigrationsInProgress(nodes: readonly ComputeNodeRecord[]): Promise<boolean> {
    for (const node of nodes) {
      const row = await this.repos.db.selectFrom('migrations').select('id').where('deleted', '=', 0)
        .where('status', 'not in', MIGRATION_DONE_STATUSES)
        .where((eb) => eb.or([
          eb.and([eb('source_compute', '=', node.host), eb('source_node', '=', node.hypervisor_hostname)]),
          eb.and([eb('dest_compute', '=', node.host), eb('dest_node', '=', node.hypervisor_hostname)]),
        ]))
        .executeTakeFirst();
      if (row) return true;
    }
    return false;
  }

  /** get_host_uptime: asked of the host's compute service, which must be up. @throws ComputeHostNotFound, ComputeServiceUnavailable */
  async hostUptime(ctx: RequestContext, host: string): Promise<string> {
    const service = await this.computeService(host);
    if (!this.isUp(service)) throw new ComputeServiceUnavailable(host);
    return this.d.compute.getHostUptime(ctx, host);
  }

  /** The servers on a host, (name, uuid) as os-hypervisors lists them (name: the libvirt-style instance name). */
  async serversOnHost(host: string): Promise<Array<{ name: string; uuid: string }>> {
    return (await this.repos.instances.byHost(host)).map((i) => ({ name: i.name, uuid: i.uuid }));
  }
}
