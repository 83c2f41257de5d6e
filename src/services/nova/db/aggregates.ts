/**
 * Host aggregates as the scheduler and the compute API read them: the aggregates of each host
 * with their metadata, and the availability zone of a host (the availability_zone metadata of
 * its aggregates, else [DEFAULT] default_availability_zone).
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { insertReturningId, isUniqueViolation, nowIso, prepared } from '../../../common/db/index.js';
import type { NovaDB } from './schema.js';

export interface AggregateInfo {
  id: number;
  uuid: string;
  name: string;
  hosts: string[];
  metadata: Record<string, string>;
}

/** An aggregate as the os-aggregates API shows it. */
export interface AggregateRecord extends AggregateInfo {
  created_at: string;
  updated_at: string | null;
}

// prepared: the scheduler reads every aggregate for each request
const allAggregates = prepared((db: Kysely<NovaDB>) => db.selectFrom('aggregates').select(['id', 'uuid', 'name']).orderBy('id'));
const allAggregateHosts = prepared((db: Kysely<NovaDB>) => db.selectFrom('aggregate_hosts').select(['aggregate_id', 'host']));
const allAggregateMetadata = prepared((db: Kysely<NovaDB>) => db.selectFrom('aggregate_metadata').select(['aggregate_id', 'key', 'value']));

export class AggregateRepo {
  constructor(private readonly db: Kysely<NovaDB>) {}

  /** Every aggregate with its hosts and metadata. */
  async all(): Promise<AggregateInfo[]> {
    const [aggs, hosts, meta] = await Promise.all([
      allAggregates.all(this.db, {}), allAggregateHosts.all(this.db, {}), allAggregateMetadata.all(this.db, {}),
    ]);
    return aggs.map((a) => ({
      ...a,
      hosts: hosts.filter((h) => h.aggregate_id === a.id).map((h) => h.host),
      metadata: Object.fromEntries(meta.filter((m) => m.aggregate_id === a.id).map((m) => [m.key, m.value])),
    }));
  }

  /** One aggregate with its hosts, metadata and timestamps (Aggregate.get_by_id); undefined when missing. */
  async get(id: number): Promise<AggregateRecord | undefined> {
    const row = await this.db.selectFrom('aggregates').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    const [hosts, meta] = await Promise.all([
      this.db.selectFrom('aggregate_hosts').select('host').where('aggregate_id', '=', id).orderBy('id').execute(),
      this.db.selectFrom('aggregate_metadata').select(['key', 'value']).where('aggregate_id', '=', id).orderBy('id').execute(),
    ]);
    return {
      id: row.id, uuid: row.uuid, name: row.name, created_at: row.created_at, updated_at: row.updated_at,
      hosts: hosts.map((h) => h.host), metadata: Object.fromEntries(meta.map((m) => [m.key, m.value])),
    };
  }

  /** Every aggregate with its timestamps (AggregateList.get_all). */
  async listRecords(): Promise<AggregateRecord[]> {
    const rows = await this.db.selectFrom('aggregates').select(['id', 'created_at', 'updated_at']).orderBy('id').execute();
    const times = new Map(rows.map((r) => [r.id, r]));
    return (await this.all()).map((a) => ({ ...a, created_at: times.get(a.id)!.created_at, updated_at: times.get(a.id)!.updated_at }));
  }

  /**
   * Aggregate.create: a new aggregate with its metadata.
   * @returns undefined when the name is taken (AggregateNameExists)
   */
  async create(name: string, metadata: Record<string, string>, uuid: string = randomUUID()): Promise<number | undefined> {
    const now = nowIso();
    try {
      return await this.db.transaction().execute(async (tx) => {
        const id = await insertReturningId(tx, 'aggregates', { uuid, name, created_at: now, updated_at: null });
        for (const [key, value] of Object.entries(metadata)) {
          await tx.insertInto('aggregate_metadata').values({ aggregate_id: id, key, value, created_at: now, updated_at: null }).execute();
        }
        return id;
      });
    } catch (err) {
      if (isUniqueViolation(err)) return undefined;
      throw err;
    }
  }

  /** Aggregate.save of the name; false when another aggregate has it. */
  async rename(id: number, name: string): Promise<boolean> {
    try {
      await this.db.updateTable('aggregates').set({ name, updated_at: nowIso() }).where('id', '=', id).execute();
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  /** Aggregate.update_metadata: null values delete their key, others are set. */
  async updateMetadata(id: number, updates: Record<string, string | null>): Promise<void> {
    const now = nowIso();
    await this.db.transaction().execute(async (tx) => {
      for (const [key, value] of Object.entries(updates)) {
        await tx.deleteFrom('aggregate_metadata').where('aggregate_id', '=', id).where('key', '=', key).execute();
        if (value !== null) await tx.insertInto('aggregate_metadata').values({ aggregate_id: id, key, value, created_at: now, updated_at: null }).execute();
      }
      await tx.updateTable('aggregates').set({ updated_at: now }).where('id', '=', id).execute();
    });
  }

  /** Aggregate.add_host; false when the host is already a member. */
  async addHost(id: number, host: string): Promise<boolean> {
    try {
      await this.db.insertInto('aggregate_hosts').values({ aggregate_id: id, host, created_at: nowIso(), updated_at: null }).execute();
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  /** Aggregate.delete_host; false when the host was not a member. */
  async removeHost(id: number, host: string): Promise<boolean> {
    const res = await this.db.deleteFrom('aggregate_hosts').where('aggregate_id', '=', id).where('host', '=', host).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  /** Aggregate.destroy (hosts and metadata with it). */
  async destroy(id: number): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('aggregate_hosts').where('aggregate_id', '=', id).execute();
      await tx.deleteFrom('aggregate_metadata').where('aggregate_id', '=', id).execute();
      await tx.deleteFrom('aggregates').where('id', '=', id).execute();
    });
  }

  /** Drop a host from every aggregate (its compute service was deleted). */
  async removeHostEverywhere(host: string): Promise<void> {
    await this.db.deleteFrom('aggregate_hosts').where('host', '=', host).execute();
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
