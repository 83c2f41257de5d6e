/**
 * Host aggregates as the scheduler and the compute API read them: the aggregates of each host
 * with their metadata, and the availability zone of a host (the availability_zone metadata of
 * its aggregates, else [DEFAULT] default_availability_zone).
 */
import type { Kysely } from 'kysely';
import type { NovaDB } from './schema.js';

export interface AggregateInfo {
  id: number;
  uuid: string;
  name: string;
  hosts: string[];
  metadata: Record<string, string>;
}

export class AggregateRepo {
  constructor(private readonly db: Kysely<NovaDB>) {}

  /** Every aggregate with its hosts and metadata. */
  async all(): Promise<AggregateInfo[]> {
    const [aggs, hosts, meta] = await Promise.all([
      this.db.selectFrom('aggregates').select(['id', 'uuid', 'name']).orderBy('id').execute(),
      this.db.selectFrom('aggregate_hosts').select(['aggregate_id', 'host']).execute(),
      this.db.selectFrom('aggregate_metadata').select(['aggregate_id', 'key', 'value']).execute(),
    ]);
    return aggs.map((a) => ({
      ...a,
      hosts: hosts.filter((h) => h.aggregate_id === a.id).map((h) => h.host),
      metadata: Object.fromEntries(meta.filter((m) => m.aggregate_id === a.id).map((m) => [m.key, m.value])),
    }));
  }

  /** host -> its aggregates. */
  async byHost(): Promise<Map<string, AggregateInfo[]>> {
    const out = new Map<string, AggregateInfo[]>();
    for (const agg of await this.all()) for (const h of agg.hosts) out.set(h, [...(out.get(h) ?? []), agg]);
    return out;
  }
}

/** nova's availability_zones.get_host_availability_zone: the zones of the host's aggregates, joined. */
export function hostAvailabilityZone(aggregates: readonly AggregateInfo[], defaultZone: string): string {
  const zones = [...new Set(aggregates.map((a) => a.metadata['availability_zone']).filter((z): z is string => Boolean(z)))].sort();
  return zones.length > 0 ? zones.join(',') : defaultZone;
}
