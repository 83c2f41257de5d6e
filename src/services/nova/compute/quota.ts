/**
 * Server quotas (nova/compute/utils.py check_num_instances_quota over the DbQuotaDriver):
 * instances, cores and ram counted from the project's (and, when it has per-user limits, the
 * user's) live instances. A request for min..max servers gets as many as fit between min and
 * max; fewer than min is TooManyInstances with nova's message. Also the per-server limits
 * (metadata items) and the server group member limit.
 */
import type { QuotaRepo, QuotaResource } from '../db/quotas.js';
import type { InstanceRepo } from '../db/instances.js';
import { OverQuota, TooManyInstances } from '../errors.js';
import type { Flavor } from '../objects/index.js';

type Counted = 'instances' | 'cores' | 'ram';
const COUNTED: readonly Counted[] = ['instances', 'cores', 'ram'];

export class QuotaChecker {
  constructor(
    private readonly quotas: QuotaRepo,
    private readonly instances: InstanceRepo,
    private readonly defaults: Readonly<Record<QuotaResource, number>>,
  ) {}

  limits(projectId: string, userId?: string): Promise<Record<QuotaResource, number>> {
    return this.quotas.limits(projectId, userId, this.defaults);
  }

  private async scopes(projectId: string, userId: string): Promise<Array<{ limits: Record<QuotaResource, number>; usage: Record<Counted, number> }>> {
    const project = await this.limits(projectId);
    const user = await this.limits(projectId, userId);
    const scopes = [{ limits: project, usage: await this.instances.usage(projectId) }];
    if (COUNTED.some((r) => user[r] !== project[r])) scopes.push({ limits: user, usage: await this.instances.usage(projectId, userId) });
    return scopes;
  }

  /**
   * How many of min..max servers of `flavor` the project may have now.
   * @throws TooManyInstances when not even `min` fit
   */
  async checkNumInstances(projectId: string, userId: string, flavor: Flavor, min: number, max: number): Promise<number> {
    const per: Record<Counted, number> = { instances: 1, cores: flavor.data.vcpus, ram: flavor.data.memory_mb };
    const scopes = await this.scopes(projectId, userId);
    let allowed = max;
    for (const s of scopes) {
      for (const r of COUNTED) {
        if (s.limits[r] >= 0 && per[r] > 0) allowed = Math.min(allowed, Math.floor((s.limits[r] - s.usage[r]) / per[r]));
      }
    }
    if (allowed >= min && allowed > 0) return allowed;
    throw this.overQuota(scopes, per, max, min === max ? String(max) : `${min}-${max}`);
  }

  /** recheck_quota: after the servers were recorded, their count must still be within the limits. */
  async recheck(projectId: string, userId: string, flavor: Flavor, requested: number): Promise<void> {
    const per: Record<Counted, number> = { instances: 1, cores: flavor.data.vcpus, ram: flavor.data.memory_mb };
    const scopes = await this.scopes(projectId, userId);
    if (scopes.some((s) => COUNTED.some((r) => s.limits[r] >= 0 && s.usage[r] > s.limits[r]))) {
      const before = scopes.map((s) => ({ limits: s.limits, usage: Object.fromEntries(COUNTED.map((r) => [r, s.usage[r] - requested * per[r]])) as Record<Counted, number> }));
      throw this.overQuota(before, per, requested, String(requested));
    }
  }

  /** nova's TooManyInstances from get_over_quota_detail. */
  private overQuota(scopes: Array<{ limits: Record<QuotaResource, number>; usage: Record<Counted, number> }>, per: Record<Counted, number>, count: number, requested: string): TooManyInstances {
    const scope = scopes.find((s) => COUNTED.some((r) => s.limits[r] >= 0 && s.usage[r] + count * per[r] > s.limits[r])) ?? scopes[0]!;
    const overs = COUNTED.filter((r) => scope.limits[r] >= 0 && scope.usage[r] + count * per[r] > scope.limits[r]);
    const names = overs.length > 0 ? overs : (['instances'] as Counted[]);
    const req: Record<Counted, string> = { instances: requested, cores: String(count * per.cores), ram: String(count * per.ram) };
    return new TooManyInstances(
      names.join(', '),
      names.map((r) => req[r]).join(', '),
      names.map((r) => String(scope.usage[r])).join(', '),
      names.map((r) => String(scope.limits[r])).join(', '),
    );
  }

  /** Metadata items of one server (nova's MetadataLimitExceeded, a quota error). */
  async checkMetadata(projectId: string, items: number): Promise<void> {
    const limit = (await this.limits(projectId)).metadata_items;
    if (limit >= 0 && items > limit) throw new OverQuota(`Maximum number of metadata items exceeds ${limit}`);
  }

  /** Members of one server group (server_group_members). */
  async checkGroupMembers(projectId: string, userId: string, current: number, adding: number): Promise<void> {
    const limit = (await this.limits(projectId, userId)).server_group_members;
    if (limit >= 0 && current + adding > limit) throw new OverQuota('Quota exceeded, too many servers in group');
  }
}
