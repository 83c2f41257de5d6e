/**
 * Allocations (placement/objects/allocation.py with the consumer handling of
 * handlers/allocation.py and handlers/util.py): reading them by consumer or provider, and the
 * one write path PUT /allocations/{uuid}, POST /allocations and the reshaper share.
 *
 * A write replaces all allocations of the consumers it names in one transaction: their old
 * allocations go, the new amounts are checked against every inventory involved (capacity,
 * min_unit, max_unit, step_size) in a single statement that also reads the providers'
 * generations, the rows are inserted, and then each provider's and consumer's generation moves
 * by compare-and-swap. Two writers that both saw room on a provider cannot both commit: the
 * second one's swap fails and its whole transaction is replayed with fresh data (up to
 * [placement] allocation_conflict_retry_count times, as upstream retries server side), so a
 * provider is never overcommitted on any dialect. On PostgreSQL and MySQL the providers'
 * rows are also locked first (SELECT ... FOR UPDATE, in id order), so concurrent claims on one
 * provider queue instead of colliding; SQLite serialises writers anyway.
 */
import type { Queryable } from '../../../common/db/index.js';
import type { PlacementDB } from '../db/schema.js';
import { now, num, type Store, type Tx } from '../db/store.js';
import {
  ErrorCode, HTTPBadRequest, HTTPConflict, HTTPNotFound, InvalidAllocationCapacityExceeded, InvalidAllocationConstraintsViolated, InvalidInventory,
  ResourceProviderConcurrentUpdateDetected,
} from '../errors.js';
import {
  type Consumer, createConsumer, deleteConsumersWithoutAllocations, ensureConsumerType, ensureExternal, getConsumer, incrementConsumerGeneration,
  updateConsumer,
} from './consumers.js';
import { Lookups } from './lookups.js';
import { getProviders, incrementGeneration } from './resource-providers.js';

type Q = Queryable<PlacementDB>;

/** The allocations one request sets for one consumer. */
export interface ConsumerAllocations {
  consumerUuid: string;
  /** Resources by provider uuid; empty: remove all of the consumer's allocations. */
  allocations: ReadonlyMap<string, Readonly<Record<string, number>>>;
  /** External ids (the incomplete-consumer ids when the request had none). */
  projectId: string;
  userId: string;
  /** The consumer generation the caller expects (null: a new consumer); checked from 1.28. */
  generation?: number | null;
  /** From 1.38. */
  consumerType?: string;
}

export interface WriteRules {
  /** Microversion 1.28+: consumer generations are checked. */
  checkGenerations: boolean;
  /** Microversion 1.38+: consumer types are set. */
  withConsumerType: boolean;
  /** Total attempts when a provider generation moved under the write. */
  attempts: number;
}

/** One allocation to write; `used` 0 removes (the empty-allocations case). */
export interface AllocationSpec {
  rp: { id: number; uuid: string };
  consumer: Consumer;
  resourceClass: string;
  used: number;
}

export interface Owners {
  projectId: number;
  projectExternalId: string;
  userId: number;
  userExternalId: string;
  typeId: number | null;
}

/** Projects, users and consumer types of the requests, created when new (before the transaction). */
export async function resolveOwners(store: Store, requests: readonly ConsumerAllocations[], withType: boolean): Promise<Map<string, Owners>> {
  const out = new Map<string, Owners>();
  for (const r of requests) {
    const type = withType ? r.consumerType : undefined;
    out.set(r.consumerUuid, {
      projectId: await store.memoId(`projects:${r.projectId}`, () => ensureExternal(store.db, 'projects', r.projectId)),
      projectExternalId: r.projectId,
      userId: await store.memoId(`users:${r.userId}`, () => ensureExternal(store.db, 'users', r.userId)),
      userExternalId: r.userId,
      typeId: type !== undefined ? await store.memoId(`consumer_types:${type}`, () => ensureConsumerType(store.db, type)) : null,
    });
  }
  return out;
}

/**
 * Locks the providers a write touches (those named, those the consumers have allocations on,
 * and `extra`), in id order, on PostgreSQL and MySQL; SQLite serialises writers anyway.
 */
export async function lockProviders(tx: Tx, store: Store, requests: readonly ConsumerAllocations[], extra: readonly string[] = []): Promise<void> {
  if (store.dialect === 'sqlite') return;
  const uuids = [...new Set([...requests.flatMap((r) => [...r.allocations.keys()]), ...extra])];
  const consumers = requests.map((r) => r.consumerUuid);
  if (uuids.length === 0 && consumers.length === 0) return;
  await tx.selectFrom('resource_providers').select('id')
    .where((eb) => eb.or([
      ...(uuids.length > 0 ? [eb('uuid', 'in', uuids)] : []),
      ...(consumers.length > 0 ? [eb('id', 'in', eb.selectFrom('allocations').select('resource_provider_id').where('consumer_id', 'in', consumers))] : []),
    ]))
    .orderBy('id').forUpdate().execute();
}

const fmt = (v: number | null | undefined): string => (v === null || v === undefined ? 'None' : String(v));

/**
 * The consumers of the requests, created when new, after checking the generations the caller
 * expects (handlers/util.ensure_consumer), with project, user and type brought up to date
 * (util.update_consumers).
 */
async function prepareConsumers(tx: Tx, requests: readonly ConsumerAllocations[], owners: Map<string, Owners>, rules: WriteRules): Promise<Map<string, Consumer>> {
  const out = new Map<string, Consumer>();
  for (const r of requests) {
    const own = owners.get(r.consumerUuid)!;
    let consumer = await getConsumer(tx, r.consumerUuid);
    if (consumer) {
      if (rules.checkGenerations && consumer.generation !== r.generation) {
        throw new HTTPConflict(`consumer generation conflict - expected ${consumer.generation} but got ${fmt(r.generation)}`, ErrorCode.CONCURRENT_UPDATE);
      }
    } else {
      if (rules.checkGenerations && r.generation !== null && r.generation !== undefined) {
        throw new HTTPConflict(`consumer generation conflict - expected null but got ${r.generation}`, ErrorCode.CONCURRENT_UPDATE);
      }
      consumer = await createConsumer(tx, r.consumerUuid, own, own.typeId);
    }
    const typeId = own.typeId ?? consumer.consumerTypeId;
    if (consumer.projectId !== own.projectId || consumer.userId !== own.userId || typeId !== consumer.consumerTypeId) {
      await updateConsumer(tx, consumer, own.projectId, own.userId, typeId);
    }
    out.set(r.consumerUuid, consumer);
  }
  return out;
}

/** The allocations to write (allocation.create_allocation_list). */
async function allocationList(tx: Tx, lookups: Lookups, requests: readonly ConsumerAllocations[], consumers: Map<string, Consumer>): Promise<AllocationSpec[]> {
  const out: AllocationSpec[] = [];
  const providers = await getProviders(tx, requests.flatMap((r) => [...r.allocations.keys()]));
  for (const r of requests) {
    const consumer = consumers.get(r.consumerUuid)!;
    if (r.allocations.size === 0) {
      const existing = await tx.selectFrom('allocations as a').innerJoin('resource_providers as rp', 'rp.id', 'a.resource_provider_id')
        .select(['rp.id', 'rp.uuid', 'a.resource_class_id']).where('a.consumer_id', '=', r.consumerUuid).orderBy('a.id').execute();
      for (const e of existing) out.push({ rp: { id: Number(e.id), uuid: e.uuid }, consumer, resourceClass: await lookups.rcName(Number(e.resource_class_id)), used: 0 });
      continue;
    }
    for (const [rpUuid, resources] of r.allocations) {
      const rp = providers.get(rpUuid);
      if (!rp) throw new HTTPBadRequest(`Allocation for resource provider '${rpUuid}' that does not exist.`);
      for (const [resourceClass, used] of Object.entries(resources)) out.push({ rp, consumer, resourceClass, used });
    }
  }
  return out;
}

/**
 * Checks that the allocations fit every inventory involved and returns the providers with the
 * generation read in the same statement (allocation._check_capacity_exceeded).
 * @throws ResourceClassNotFound, InvalidInventory and its capacity/constraint subclasses
 */
async function checkCapacity(tx: Tx, lookups: Lookups, allocs: readonly AllocationSpec[]): Promise<Map<number, { id: number; uuid: string; generation: number }>> {
  if (allocs.length === 0) return new Map();
  const rcIds = new Map<string, number>();
  for (const a of allocs) if (!rcIds.has(a.resourceClass)) rcIds.set(a.resourceClass, await lookups.rcId(a.resourceClass));
  const rcList = [...new Set(rcIds.values())];
  const rpIds = [...new Set(allocs.map((a) => a.rp.id))];
  const rows = await tx.selectFrom('resource_providers as rp')
    .innerJoin('inventories as inv', (j) => j.onRef('inv.resource_provider_id', '=', 'rp.id').on('inv.resource_class_id', 'in', rcList))
    .leftJoin(
      (eb) => eb.selectFrom('allocations').select(['resource_provider_id', 'resource_class_id', (e) => e.fn.sum<number>('used').as('used')])
        .where('resource_class_id', 'in', rcList).where('resource_provider_id', 'in', rpIds)
        .groupBy(['resource_provider_id', 'resource_class_id']).as('usage'),
      (j) => j.onRef('usage.resource_provider_id', '=', 'inv.resource_provider_id').onRef('usage.resource_class_id', '=', 'inv.resource_class_id'),
    )
    .select(['rp.id', 'rp.uuid', 'rp.generation', 'inv.resource_class_id', 'inv.total', 'inv.reserved', 'inv.allocation_ratio',
      'inv.min_unit', 'inv.max_unit', 'inv.step_size', 'usage.used'])
    .where('rp.id', 'in', rpIds)
    .execute();
  const usage = new Map<string, (typeof rows)[number]>();
  const providers = new Map<number, { id: number; uuid: string; generation: number }>();
  for (const r of rows) {
    usage.set(`${r.uuid}|${Number(r.resource_class_id)}`, r);
    providers.set(Number(r.id), { id: Number(r.id), uuid: r.uuid, generation: Number(r.generation) });
  }
  const missing = [...new Set(allocs.map((a) => a.rp.uuid))].filter((u) => ![...providers.values()].some((p) => p.uuid === u));
  if (missing.length > 0) throw new InvalidInventory([...rcIds.keys()].join(', '), missing.join(', '));

  const sums = new Map<string, number>();
  for (const a of allocs) {
    const rcId = rcIds.get(a.resourceClass)!;
    const key = `${a.rp.uuid}|${rcId}`;
    sums.set(key, (sums.get(key) ?? 0) + a.used);
    if (a.used === 0) continue;
    const row = usage.get(key);
    if (!row) throw new InvalidInventory(a.resourceClass, a.rp.uuid);
    if (a.used < num(row.min_unit) || a.used > num(row.max_unit) || a.used % num(row.step_size) !== 0) {
      throw new InvalidAllocationConstraintsViolated(a.resourceClass, a.rp.uuid);
    }
    const used = num(row.used);
    const cap = (num(row.total) - num(row.reserved)) * num(row.allocation_ratio);
    if (cap < used + a.used || cap < used + sums.get(key)!) throw new InvalidAllocationCapacityExceeded(a.resourceClass, a.rp.uuid);
  }
  return providers;
}

/**
 * Replaces all allocations of the consumers in `allocs` (allocation._set_allocations), inside
 * the caller's transaction; `affected` providers (the reshaper's) learn their new generation.
 * @throws ResourceClassNotFound, InvalidInventory..., ResourceProviderConcurrentUpdateDetected, ConcurrentUpdateDetected
 */
export async function replaceAll(
  tx: Tx, lookups: Lookups, allocs: readonly AllocationSpec[], affected?: Map<string, { generation: number }>,
): Promise<void> {
  const consumers = new Map<string, Consumer>();
  for (const a of allocs) consumers.set(a.consumer.uuid, a.consumer);
  if (consumers.size > 0) await tx.deleteFrom('allocations').where('consumer_id', 'in', [...consumers.keys()]).execute();
  const providers = await checkCapacity(tx, lookups, allocs);
  const stamp = now();
  const rows = [];
  for (const a of allocs) {
    if (a.used === 0) continue;
    rows.push({ resource_provider_id: a.rp.id, resource_class_id: await lookups.rcId(a.resourceClass), consumer_id: a.consumer.uuid, used: a.used, created_at: stamp, updated_at: null });
  }
  if (rows.length > 0) await tx.insertInto('allocations').values(rows).execute();
  for (const rp of [...providers.values()].sort((x, y) => x.id - y.id)) {
    await incrementGeneration(tx, rp);
    const known = affected?.get(rp.uuid);
    if (known) known.generation = rp.generation;
  }
  for (const consumer of consumers.values()) await incrementConsumerGeneration(tx, consumer);
  const withAllocations = new Set(allocs.filter((a) => a.used > 0).map((a) => a.consumer.uuid));
  await deleteConsumersWithoutAllocations(tx, [...consumers.keys()].filter((u) => !withAllocations.has(u)));
}

/**
 * The consumers' part of a write inside its transaction (after lockProviders): consumers
 * ensured and checked, the allocation list built. Shared by writeAllocations and the reshaper.
 */
export async function prepareAllocations(
  tx: Tx, lookups: Lookups, requests: readonly ConsumerAllocations[], owners: Map<string, Owners>, rules: WriteRules,
): Promise<AllocationSpec[]> {
  const consumers = await prepareConsumers(tx, requests, owners, rules);
  return allocationList(tx, lookups, requests, consumers);
}


/**
 * Writes the allocations of one or more consumers atomically, replaying the transaction when
 * a provider's generation moved under it.
 * @throws HTTPConflict/HTTPBadRequest (consumer generation, unknown provider), ResourceClassNotFound,
 *   InvalidInventory..., ConcurrentUpdateDetected
 */
export async function writeAllocations(store: Store, requests: readonly ConsumerAllocations[], rules: WriteRules): Promise<void> {
  const owners = await resolveOwners(store, requests, rules.withConsumerType);
  await store.write(async (tx) => {
    const lookups = new Lookups(tx);
    await lockProviders(tx, store, requests);
    await replaceAll(tx, lookups, await prepareAllocations(tx, lookups, requests, owners, rules));
  }, { attempts: rules.attempts, retryOn: (err) => err instanceof ResourceProviderConcurrentUpdateDetected, retryUniqueViolations: true });
}

export interface ConsumerAllocationRow {
  rpUuid: string;
  rpGeneration: number;
  resourceClass: string;
  used: number;
  created_at: string | null;
  updated_at: string | null;
}

/** A consumer's allocations with the consumer (allocation.get_all_by_consumer_id). */
export async function consumerAllocations(db: Q, lookups: Lookups, uuid: string): Promise<{ consumer: Consumer | undefined; rows: ConsumerAllocationRow[] }> {
  const rows = await db.selectFrom('allocations as a')
    .innerJoin('resource_providers as rp', 'rp.id', 'a.resource_provider_id')
    .innerJoin('consumers as c', 'c.uuid', 'a.consumer_id')
    .select(['rp.uuid', 'rp.generation', 'a.resource_class_id', 'a.used', 'a.created_at', 'a.updated_at'])
    .where('a.consumer_id', '=', uuid).orderBy('a.id').execute();
  if (rows.length === 0) return { consumer: undefined, rows: [] };
  const out: ConsumerAllocationRow[] = [];
  for (const r of rows) {
    out.push({
      rpUuid: r.uuid, rpGeneration: Number(r.generation), resourceClass: await lookups.rcName(Number(r.resource_class_id)), used: num(r.used),
      created_at: r.created_at, updated_at: r.updated_at,
    });
  }
  return { consumer: await getConsumer(db, uuid), rows: out };
}

export interface ProviderAllocationRow {
  consumerUuid: string;
  consumerGeneration: number;
  resourceClass: string;
  used: number;
  created_at: string | null;
  updated_at: string | null;
}

/** The allocations against a provider (allocation.get_all_by_resource_provider). */
export async function providerAllocations(db: Q, lookups: Lookups, rpId: number): Promise<ProviderAllocationRow[]> {
  const rows = await db.selectFrom('allocations as a')
    .innerJoin('consumers as c', 'c.uuid', 'a.consumer_id')
    .select(['c.uuid', 'c.generation', 'a.resource_class_id', 'a.used', 'a.created_at', 'a.updated_at'])
    .where('a.resource_provider_id', '=', rpId).orderBy('a.id').execute();
  const out: ProviderAllocationRow[] = [];
  for (const r of rows) {
    out.push({
      consumerUuid: r.uuid, consumerGeneration: Number(r.generation), resourceClass: await lookups.rcName(Number(r.resource_class_id)),
      used: num(r.used), created_at: r.created_at, updated_at: r.updated_at,
    });
  }
  return out;
}

/**
 * Deletes all allocations of a consumer, and the consumer (DELETE /allocations/{uuid}); provider
 * generations do not move, as upstream.
 * @throws HTTPNotFound when the consumer has none
 */
export async function deleteConsumerAllocations(store: Store, uuid: string): Promise<void> {
  await store.write(async (tx) => {
    const ids = (await tx.selectFrom('allocations').select('id').where('consumer_id', '=', uuid).execute()).map((r) => Number(r.id));
    if (ids.length === 0) throw new HTTPNotFound(`No allocations for consumer '${uuid}'`);
    await tx.deleteFrom('allocations').where('id', 'in', ids).execute();
    await deleteConsumersWithoutAllocations(tx, [uuid]);
  });
}
