/**
 * The Placement report client (nova/scheduler/client/report.py's SchedulerReportClient): what
 * the compute hosts, the scheduler and the conductor ask of Placement.
 *  - Providers of a compute node: found or created, inventories (VCPU, MEMORY_MB, DISK_GB) and
 *    traits set against the provider generation last seen; a generation conflict re-reads the
 *    provider and tries again (a local cache skips writes that change nothing).
 *  - Allocation candidates for a request (GET /allocation_candidates, 1.36).
 *  - Claims: PUT /allocations/{consumer} with consumer generation null (a new consumer),
 *    retried when another claim changed the providers meanwhile, refused (false) when the
 *    resources are gone or the consumer changed; deletes of a consumer's allocations.
 */
import type { Logger } from '../../../../common/log/logger.js';
import { AllocationUpdateFailed, ResourceProviderCreationFailed, ResourceProviderSyncFailed } from '../../errors.js';
import { PlacementError, type PlacementClient } from './placement.js';

/** One resource class of a provider's inventory. */
export interface Inventory {
  total: number;
  reserved: number;
  min_unit: number;
  max_unit: number;
  step_size: number;
  allocation_ratio: number;
}

/** resource class -> amount. */
export type Resources = Record<string, number>;

/** An allocation request as GET /allocation_candidates returns it (and PUT /allocations takes it). */
export interface AllocationRequest {
  allocations: Record<string, { resources: Resources }>;
  mappings?: Record<string, string[]>;
}

export interface ProviderSummary {
  resources: Record<string, { capacity: number; used: number }>;
  traits?: string[];
  parent_provider_uuid?: string | null;
  root_provider_uuid?: string;
}

export interface AllocationCandidates {
  allocation_requests: AllocationRequest[];
  provider_summaries: Record<string, ProviderSummary>;
}

/** The query of GET /allocation_candidates (unnumbered group only; granular groups are not asked for by Nubo). */
export interface CandidateQuery {
  resources: Resources;
  required?: string[];
  forbidden?: string[];
  /** Each entry: any of these aggregates (member_of=in:a,b). */
  memberOf?: string[][];
  inTree?: string;
  limit?: number;
}

/** GET /allocations/{consumer} at 1.28. */
interface ConsumerAllocations {
  allocations: Record<string, { resources: Resources; generation?: number }>;
  consumer_generation?: number;
  project_id?: string;
  user_id?: string;
}

interface CachedProvider {
  generation: number;
  inventories?: string;
  traits?: string;
}

/** Attempts of a write that loses to a concurrent provider change (nova's @retries: 4). */
const ATTEMPTS = 4;

export class SchedulerReportClient {
  private readonly providers = new Map<string, CachedProvider>();

  constructor(private readonly placement: PlacementClient, private readonly log: Logger) {}

  /** The provider of a compute node, created when missing (the root of the host's provider tree). */
  async ensureResourceProvider(uuid: string, name: string): Promise<number> {
    const cached = this.providers.get(uuid);
    if (cached) return cached.generation;
    const found = await this.placement.call<{ generation: number }>('GET', `/resource_providers/${uuid}`, { version: '1.14', accept: [200, 404] });
    if (found.status === 200) {
      this.providers.set(uuid, { generation: found.body.generation });
      return found.body.generation;
    }
    try {
      const created = await this.placement.call<{ generation: number }>('POST', '/resource_providers', { body: { uuid, name }, version: '1.20' });
      this.providers.set(uuid, { generation: created.body.generation });
      return created.body.generation;
    } catch (err) {
      if (err instanceof PlacementError && err.status === 409) {
        // Another process created it at the same time (same uuid), or the name is taken by another uuid.
        const again = await this.placement.call<{ generation: number }>('GET', `/resource_providers/${uuid}`, { version: '1.14', accept: [200, 404] });
        if (again.status === 200) {
          this.providers.set(uuid, { generation: again.body.generation });
          return again.body.generation;
        }
        this.log.error({ err: err.message, uuid, name }, 'resource provider name taken by another provider');
        throw new ResourceProviderCreationFailed(name);
      }
      throw err;
    }
  }

  private async refreshGeneration(uuid: string): Promise<number> {
    const res = await this.placement.call<{ generation: number }>('GET', `/resource_providers/${uuid}`, { version: '1.14' });
    const entry = this.providers.get(uuid) ?? { generation: res.body.generation };
    entry.generation = res.body.generation;
    delete entry.inventories;
    delete entry.traits;
    this.providers.set(uuid, entry);
    return res.body.generation;
  }

  /** A provider write against its generation, retried when the generation moved. */
  private async withGeneration(uuid: string, what: string, write: (generation: number) => Promise<number>): Promise<void> {
    let generation = this.providers.get(uuid)?.generation ?? (await this.refreshGeneration(uuid));
    for (let attempt = 1; ; attempt++) {
      try {
        const next = await write(generation);
        this.providers.get(uuid)!.generation = next;
        return;
      } catch (err) {
        if (!(err instanceof PlacementError && err.isConcurrentUpdate) || attempt >= ATTEMPTS) {
          this.log.error({ err: err instanceof Error ? err.message : err, provider: uuid }, `failed to update ${what} of resource provider`);
          throw err instanceof PlacementError ? new ResourceProviderSyncFailed() : err;
        }
        generation = await this.refreshGeneration(uuid);
      }
    }
  }

  /** PUT /resource_providers/{uuid}/inventories (skipped when unchanged since the last write). */
  async setInventory(uuid: string, inventories: Record<string, Inventory>): Promise<void> {
    const text = JSON.stringify(Object.entries(inventories).sort(([a], [b]) => a.localeCompare(b)));
    if (this.providers.get(uuid)?.inventories === text) return;
    await this.withGeneration(uuid, 'inventory', async (generation) => {
      const res = await this.placement.call<{ resource_provider_generation: number }>('PUT', `/resource_providers/${uuid}/inventories`, {
        body: { resource_provider_generation: generation, inventories }, version: '1.26',
      });
      return res.body.resource_provider_generation;
    });
    this.providers.get(uuid)!.inventories = text;
  }

  /** The provider's traits as Placement has them (GET /resource_providers/{uuid}/traits). */
  async getProviderTraits(uuid: string): Promise<string[]> {
    const res = await this.placement.call<{ traits: string[]; resource_provider_generation: number }>('GET', `/resource_providers/${uuid}/traits`, { version: '1.6' });
    const entry = this.providers.get(uuid);
    if (entry) entry.generation = res.body.resource_provider_generation;
    return res.body.traits;
  }

  /** PUT /resource_providers/{uuid}/traits, creating the CUSTOM_ ones first (skipped when unchanged). */
  async setTraits(uuid: string, traits: readonly string[]): Promise<void> {
    const sorted = [...new Set(traits)].sort();
    const text = JSON.stringify(sorted);
    if (this.providers.get(uuid)?.traits === text) return;
    for (const custom of sorted.filter((t) => t.startsWith('CUSTOM_'))) {
      await this.placement.call('PUT', `/traits/${custom}`, { version: '1.6', accept: [201, 204] });
    }
    await this.withGeneration(uuid, 'traits', async (generation) => {
      const res = await this.placement.call<{ resource_provider_generation: number }>('PUT', `/resource_providers/${uuid}/traits`, {
        body: { resource_provider_generation: generation, traits: sorted }, version: '1.6',
      });
      return res.body.resource_provider_generation;
    });
    this.providers.get(uuid)!.traits = text;
  }

  /** GET /allocation_candidates. */
  async getAllocationCandidates(q: CandidateQuery): Promise<AllocationCandidates> {
    const params = new URLSearchParams();
    params.set('resources', Object.entries(q.resources).filter(([, n]) => n > 0).map(([rc, n]) => `${rc}:${n}`).join(','));
    const traits = [...(q.required ?? []), ...(q.forbidden ?? []).map((t) => `!${t}`)];
    if (traits.length > 0) params.set('required', traits.join(','));
    for (const group of q.memberOf ?? []) params.append('member_of', `in:${group.join(',')}`);
    if (q.inTree) params.set('in_tree', q.inTree);
    if (q.limit) params.set('limit', String(q.limit));
    const res = await this.placement.call<AllocationCandidates>('GET', `/allocation_candidates?${params.toString()}`, { version: '1.36' });
    return res.body;
  }

  /**
   * Claim an allocation request for a new consumer (scheduler utils claim_resources). False when
   * Placement refuses it for good (the resources are gone, or the consumer has allocations).
   */
  async claimResources(consumerUuid: string, request: AllocationRequest, projectId: string, userId: string): Promise<boolean> {
    const body = { allocations: request.allocations, project_id: projectId, user_id: userId, consumer_generation: null };
    for (let attempt = 1; ; attempt++) {
      try {
        await this.placement.call('PUT', `/allocations/${consumerUuid}`, { body, version: '1.28', accept: [204] });
        return true;
      } catch (err) {
        if (!(err instanceof PlacementError) || err.status !== 409) throw err;
        const consumerConflict = /consumer generation conflict/i.test(err.detail);
        if (err.isConcurrentUpdate && !consumerConflict && attempt < ATTEMPTS) continue;
        this.log.debug({ consumer: consumerUuid, err: err.message }, 'unable to claim resources in placement');
        return false;
      }
    }
  }

  /** The allocations of a consumer (GET /allocations/{consumer}). */
  async getAllocationsForConsumer(consumerUuid: string): Promise<{ allocations: Record<string, { resources: Resources; generation?: number }>; consumer_generation?: number }> {
    const res = await this.placement.call<{ allocations: Record<string, { resources: Resources; generation?: number }>; consumer_generation?: number }>(
      'GET', `/allocations/${consumerUuid}`, { version: '1.28' },
    );
    return res.body;
  }

  /** Drop every allocation of a consumer (delete_allocation_for_instance with force). True if there were some. */
  async deleteAllocationForInstance(consumerUuid: string): Promise<boolean> {
    const res = await this.placement.call('DELETE', `/allocations/${consumerUuid}`, { version: '1.28', accept: [204, 404] });
    return res.status === 204;
  }

  /**
   * aggregate_add_host / aggregate_remove_host: the provider's Placement aggregates with
   * `aggregateUuid` added or removed (GET then PUT /resource_providers/{uuid}/aggregates,
   * 1.19, against the generation read; re-read and retried when another writer got there
   * first). False when Placement has no such provider.
   */
  async setProviderAggregateMembership(providerUuid: string, aggregateUuid: string, member: boolean): Promise<boolean> {
    type Aggs = { aggregates: string[]; resource_provider_generation: number };
    for (let attempt = 1; ; attempt++) {
      const current = await this.placement.call<Aggs>('GET', `/resource_providers/${providerUuid}/aggregates`, { version: '1.19', accept: [200, 404] });
      if (current.status === 404) return false;
      const has = current.body.aggregates.includes(aggregateUuid);
      if (has === member) return true;
      const aggregates = member ? [...current.body.aggregates, aggregateUuid] : current.body.aggregates.filter((a) => a !== aggregateUuid);
      try {
        const res = await this.placement.call<Aggs>('PUT', `/resource_providers/${providerUuid}/aggregates`, {
          body: { aggregates, resource_provider_generation: current.body.resource_provider_generation }, version: '1.19',
        });
        const cached = this.providers.get(providerUuid);
        if (cached) cached.generation = res.body.resource_provider_generation;
        return true;
      } catch (err) {
        if (err instanceof PlacementError && err.isConcurrentUpdate && attempt < ATTEMPTS) continue;
        throw err;
      }
    }
  }

  /** delete_resource_provider: DELETE /resource_providers/{uuid} (a missing one is fine). */
  async deleteResourceProvider(uuid: string): Promise<void> {
    await this.placement.call('DELETE', `/resource_providers/${uuid}`, { version: '1.14', accept: [204, 404] });
    this.providers.delete(uuid);
  }

  /**
   * move_allocations: everything `source` holds moves to `target` in one POST /allocations
   * (1.28, both consumer generations checked), as a cold move hands the source host's
   * allocation to the migration and back. True when moved (or already moved: the source has
   * nothing and the target has something).
   * @throws AllocationUpdateFailed when either consumer changed meanwhile
   */
  async moveAllocations(sourceConsumer: string, targetConsumer: string): Promise<boolean> {
    const source = await this.getAllocationsForConsumer(sourceConsumer) as ConsumerAllocations;
    const target = await this.getAllocationsForConsumer(targetConsumer) as ConsumerAllocations;
    const has = (a: ConsumerAllocations) => Object.keys(a.allocations ?? {}).length > 0;
    if (!has(source)) return has(target);
    const allocations = Object.fromEntries(Object.entries(source.allocations).map(([rp, a]) => [rp, { resources: a.resources }]));
    const body = {
      [sourceConsumer]: { allocations: {}, project_id: source.project_id, user_id: source.user_id, consumer_generation: source.consumer_generation ?? null },
      [targetConsumer]: { allocations, project_id: source.project_id, user_id: source.user_id, consumer_generation: has(target) ? target.consumer_generation ?? null : null },
    };
    try {
      await this.placement.call('POST', '/allocations', { body, version: '1.28', accept: [204] });
      return true;
    } catch (err) {
      if (err instanceof PlacementError) throw new AllocationUpdateFailed(targetConsumer, err.detail);
      throw err;
    }
  }

  /** Forget what is cached of a provider (its generation changed behind our back). */
  invalidate(uuid: string): void {
    this.providers.delete(uuid);
  }
}
