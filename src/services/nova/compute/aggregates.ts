/**
 * The aggregate API (nova/compute/api.py's AggregateAPI): host aggregates and their
 * availability zones as the os-aggregates resource changes them. A host joins only when it runs
 * a compute service and when no other aggregate puts it in another zone; a zone is never
 * empty-named and is not renamed under running servers. Membership is mirrored to Placement
 * (the node's resource provider joins the aggregate of the same uuid), so the scheduler's
 * member_of queries (availability zones, tenant isolation) see it. An aggregate's hosts can be
 * asked to pre-cache images (through the conductor).
 */
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../../common/context.js';
import type { Logger } from '../../../common/log/logger.js';
import type { AggregateInfo, AggregateRecord } from '../db/aggregates.js';
import type { NovaRepos } from '../db/repos.js';
import {
  AggregateHostExists, AggregateHostNotFound, AggregateNameExists, AggregateNotFound, ComputeHostNotFound, InvalidAggregateActionAdd,
  InvalidAggregateActionDelete, InvalidAggregateActionUpdate, InvalidAggregateActionUpdateMeta,
} from '../errors.js';
import type { AggregateAction, AggregatePayloadFields } from '../notifications/aggregate-payload.js';
import type { NovaNotifier } from '../notifications/notifier.js';
import type { SchedulerReportClient } from '../scheduler/client/report.js';
import type { ComputeTaskAPI } from '../conductor/rpcapi.js';
import type { GlanceAPI } from '../image/glance.js';

type AzAction = 'add' | 'update' | 'update_meta';

export interface AggregateApiDeps {
  repos: NovaRepos;
  report: Pick<SchedulerReportClient, 'setProviderAggregateMembership'>;
  notifier: Pick<NovaNotifier, 'aggregateAction'>;
  /** The image pre-caching: images are read first, the conductor does the rest. */
  images: Pick<GlanceAPI, 'get'>;
  conductor: Pick<ComputeTaskAPI, 'cacheImages'>;
  log: Logger;
}

function payload(agg: AggregateInfo): AggregatePayloadFields {
  return { id: agg.id, uuid: agg.uuid, name: agg.name, hosts: [...agg.hosts], metadata: { ...agg.metadata } };
}

export class AggregateApi {
  constructor(private readonly d: AggregateApiDeps) {}

  private get repos(): NovaRepos {
    return this.d.repos;
  }

  list(): Promise<AggregateRecord[]> {
    return this.repos.aggregates.listRecords();
  }

  /** @throws AggregateNotFound */
  async get(id: number): Promise<AggregateRecord> {
    const agg = await this.repos.aggregates.get(id);
    if (!agg) throw new AggregateNotFound(id);
    return agg;
  }

  /** aggregate.<action>.start, the change, aggregate.<action>.end (with the aggregate as it then is). */
  private async notified(ctx: RequestContext, action: AggregateAction, before: AggregatePayloadFields, change: () => Promise<AggregateRecord | undefined>): Promise<AggregateRecord | undefined> {
    await this.d.notifier.aggregateAction(ctx, before, action, 'start');
    const after = await change();
    await this.d.notifier.aggregateAction(ctx, after ? payload(after) : before, action, 'end');
    return after;
  }

  /** @throws AggregateNameExists */
  async create(ctx: RequestContext, name: string, availabilityZone: string | null): Promise<AggregateRecord> {
    const metadata: Record<string, string> = availabilityZone ? { availability_zone: availabilityZone } : {};
    const uuid = randomUUID();
    return (await this.notified(ctx, 'create', { id: null, uuid, name, hosts: null, metadata }, async () => {
      const id = await this.repos.aggregates.create(name, metadata, uuid);
      if (id === undefined) throw new AggregateNameExists(name);
      return this.get(id);
    }))!;
  }

  /** PUT /os-aggregates/{id}: the name and/or the zone. */
  async update(ctx: RequestContext, id: number, values: { name?: string; availability_zone?: string | null }): Promise<AggregateRecord> {
    const agg = await this.get(id);
    if (values.name !== undefined) {
      const name = values.name;
      await this.notified(ctx, 'update_prop', payload(agg), async () => {
        if (name !== agg.name && !(await this.repos.aggregates.rename(id, name))) throw new AggregateNameExists(name);
        return this.get(id);
      });
    }
    if ('availability_zone' in values) {
      const meta = { availability_zone: values.availability_zone ?? null };
      await this.checkZoneChange(agg, meta, agg.hosts, 'update', true);
      await this.notified(ctx, 'update_metadata', payload(await this.get(id)), async () => {
        await this.repos.aggregates.updateMetadata(id, meta);
        return this.get(id);
      });
    }
    return this.get(id);
  }

  /** set_metadata: null values remove their key. */
  async setMetadata(ctx: RequestContext, id: number, metadata: Record<string, string | null>): Promise<AggregateRecord> {
    const agg = await this.get(id);
    await this.checkZoneChange(agg, metadata, agg.hosts, 'update_meta', true);
    return (await this.notified(ctx, 'update_metadata', payload(agg), async () => {
      await this.repos.aggregates.updateMetadata(id, metadata);
      return this.get(id);
    }))!;
  }

  /** @throws InvalidAggregateActionDelete while hosts are in it */
  async delete(ctx: RequestContext, id: number): Promise<void> {
    const agg = await this.get(id);
    await this.notified(ctx, 'delete', payload(agg), async () => {
      if (agg.hosts.length > 0) throw new InvalidAggregateActionDelete(id, 'Host aggregate is not empty');
      await this.repos.aggregates.destroy(id);
      return undefined;
    });
  }

  /** add_host_to_aggregate. @throws ComputeHostNotFound, AggregateNotFound, InvalidAggregateActionAdd, AggregateHostExists */
  async addHost(ctx: RequestContext, id: number, host: string): Promise<AggregateRecord> {
    await this.computeService(host);
    const agg = await this.get(id);
    return (await this.notified(ctx, 'add_host', payload(agg), async () => {
      await this.checkZoneChange(agg, agg.metadata, [host], 'add', false);
      if (!(await this.repos.aggregates.addHost(id, host))) throw new AggregateHostExists(id, host);
      await this.mirrorToPlacement(agg, host, true);
      return this.get(id);
    }))!;
  }

  /** remove_host_from_aggregate. @throws ComputeHostNotFound, AggregateNotFound, AggregateHostNotFound */
  async removeHost(ctx: RequestContext, id: number, host: string): Promise<AggregateRecord> {
    await this.computeService(host);
    const agg = await this.get(id);
    return (await this.notified(ctx, 'remove_host', payload(agg), async () => {
      if (!(await this.repos.aggregates.removeHost(id, host))) throw new AggregateHostNotFound(id, host);
      await this.mirrorToPlacement(agg, host, false);
      return this.get(id);
    }))!;
  }

  /**
   * POST /os-aggregates/{id}/images (nova's ComputeTaskAPI.cache_images): each image is read
   * with the caller's token, so one that is missing or hidden fails the request at once
   * (ImageNotFound, ImageNotAuthorized), then the conductor is asked to have the aggregate's
   * hosts cache them. @throws AggregateNotFound, ImageNotFound, ImageNotAuthorized
   */
  async cacheImages(ctx: RequestContext, id: number, imageIds: string[]): Promise<void> {
    const agg = await this.get(id);
    for (const imageId of imageIds) await this.d.images.get(ctx, imageId);
    await this.d.conductor.cacheImages(ctx, { ...payload(agg), id: agg.id, hosts: [...agg.hosts] }, imageIds);
  }

  /** The aggregates a host is in (os-services delete takes the host out of them). */
  async ofHost(host: string): Promise<AggregateInfo[]> {
    return (await this.repos.aggregates.byHost()).get(host) ?? [];
  }

  private async computeService(host: string): Promise<void> {
    const service = await this.repos.services.get(host, 'nova-compute');
    if (!service) throw new ComputeHostNotFound(host);
  }

  /** aggregate_add_host / aggregate_remove_host on the host's first node; a failure is logged, as upstream. */
  private async mirrorToPlacement(agg: AggregateInfo, host: string, member: boolean): Promise<void> {
    const node = (await this.repos.computeNodes.list()).find((n) => n.host === host);
    if (!node) {
      this.d.log.warn({ host, aggregate: agg.uuid }, 'no compute node for host: its resource provider is not in the placement aggregate');
      return;
    }
    try {
      const found = await this.d.report.setProviderAggregateMembership(node.uuid, agg.uuid, member);
      if (!found) this.d.log.warn({ provider: node.uuid, aggregate: agg.uuid }, 'resource provider not found in placement');
    } catch (err) {
      this.d.log.warn({ err: err instanceof Error ? err.message : err, node: node.hypervisor_hostname, aggregate: agg.uuid },
        `Failed to ${member ? 'associate' : 'remove association of'} ${node.hypervisor_hostname} with a placement aggregate`);
    }
  }

  /** is_safe_to_update_az. */
  private async checkZoneChange(agg: AggregateInfo, metadata: Record<string, string | null>, hosts: readonly string[], action: AzAction, checkInstances: boolean): Promise<void> {
    if (!('availability_zone' in metadata)) return;
    const zone = metadata['availability_zone'];
    const fail = (reason: string): Error => action === 'add' ? new InvalidAggregateActionAdd(agg.id, reason)
      : action === 'update' ? new InvalidAggregateActionUpdate(agg.id, reason) : new InvalidAggregateActionUpdateMeta(agg.id, reason);
    if (!zone) throw fail(`Aggregate ${agg.name} does not support empty named availability zone`);
    const byHost = await this.repos.aggregates.byHost();
    const conflicting = hosts.flatMap((h) => byHost.get(h) ?? [])
      .filter((a, i, all) => all.findIndex((b) => b.id === a.id) === i)
      .map((a) => ({ id: a.id, zone: a.metadata['availability_zone'] }))
      .filter((a) => a.zone !== undefined && a.zone !== zone && a.id !== agg.id)
      .map((a) => `'${a.zone}'`);
    if (conflicting.length > 0) throw fail(`One or more hosts already in availability zone(s) [${conflicting.join(', ')}]`);
    if (checkInstances && agg.metadata['availability_zone'] !== zone && hosts.length > 0) {
      const row = await this.repos.db.selectFrom('instances').select((eb) => eb.fn.countAll<number>().as('n'))
        .where('host', 'in', [...hosts]).where('deleted', '=', 0).executeTakeFirst();
      if (Number(row?.n ?? 0) > 0) throw fail('One or more hosts contain instances in this zone');
    }
  }
}
