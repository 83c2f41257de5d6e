/**
 * Usages (placement/objects/usage.py): the amount allocated from a provider per class of its
 * inventory, and the totals of a project (optionally one user), from 1.38 grouped by consumer
 * type with the number of consumers of each type.
 */
import type { Queryable } from '../../../common/db/index.js';
import type { PlacementDB } from '../db/schema.js';
import { num } from '../db/store.js';
import { type Lookups, NULL_CONSUMER_TYPE_ALIAS } from './lookups.js';

type Q = Queryable<PlacementDB>;

/** Usage by resource class of every inventory of the provider (0 when nothing is allocated). */
export async function providerUsages(db: Q, lookups: Lookups, rpId: number): Promise<Map<string, number>> {
  const rows = await db.selectFrom('inventories as inv')
    .leftJoin('allocations as a', (j) => j.onRef('a.resource_provider_id', '=', 'inv.resource_provider_id').onRef('a.resource_class_id', '=', 'inv.resource_class_id'))
    .select(['inv.resource_class_id', (e) => e.fn.coalesce(e.fn.sum<number>('a.used'), e.lit(0)).as('usage')])
    .where('inv.resource_provider_id', '=', rpId)
    .groupBy('inv.resource_class_id').orderBy('inv.resource_class_id').execute();
  const out = new Map<string, number>();
  for (const r of rows) out.set(await lookups.rcName(Number(r.resource_class_id)), num(r.usage));
  return out;
}

function ownedBy(db: Q, projectId: string, userId: string | undefined) {
  let q = db.selectFrom('allocations as a')
    .innerJoin('consumers as c', 'c.uuid', 'a.consumer_id')
    .innerJoin('projects as p', 'p.id', 'c.project_id')
    .where('p.external_id', '=', projectId);
  if (userId) q = q.innerJoin('users as u', 'u.id', 'c.user_id').where('u.external_id', '=', userId);
  return q;
}

/** A project's (or project user's) usage by resource class (before 1.38). */
export async function projectUsages(db: Q, lookups: Lookups, projectId: string, userId?: string): Promise<Map<string, number>> {
  const rows = await ownedBy(db, projectId, userId)
    .select(['a.resource_class_id', (e) => e.fn.sum<number>('a.used').as('usage')])
    .groupBy('a.resource_class_id').orderBy('a.resource_class_id').execute();
  const out = new Map<string, number>();
  for (const r of rows) out.set(await lookups.rcName(Number(r.resource_class_id)), num(r.usage));
  return out;
}

/** Usage of one consumer type: amounts by class and how many consumers. */
export interface TypeUsage {
  usages: Map<string, number>;
  consumerCount: number;
}

/**
 * A project's usage grouped by consumer type (1.38): `all` puts everything under `all`,
 * `unknown` only consumers without a type, another name only that type, none every type
 * (usage._get_by_consumer_type).
 */
export async function projectUsagesByType(db: Q, lookups: Lookups, projectId: string, userId?: string, consumerType?: string): Promise<Map<string, TypeUsage>> {
  const out = new Map<string, TypeUsage>();
  if (consumerType === 'all' || consumerType === NULL_CONSUMER_TYPE_ALIAS) {
    let sums = ownedBy(db, projectId, userId).select(['a.resource_class_id', (e) => e.fn.sum<number>('a.used').as('usage')]);
    let count = ownedBy(db, projectId, userId).select((e) => e.fn.count<number>('a.consumer_id').distinct().as('n'));
    if (consumerType === NULL_CONSUMER_TYPE_ALIAS) {
      sums = sums.where('c.consumer_type_id', 'is', null);
      count = count.where('c.consumer_type_id', 'is', null);
    }
    const rows = await sums.groupBy('a.resource_class_id').orderBy('a.resource_class_id').execute();
    if (rows.length === 0) return out;
    const usages = new Map<string, number>();
    for (const r of rows) usages.set(await lookups.rcName(Number(r.resource_class_id)), num(r.usage));
    out.set(consumerType, { usages, consumerCount: num((await count.executeTakeFirst())?.n) });
    return out;
  }
  let base = ownedBy(db, projectId, userId).leftJoin('consumer_types as ct', 'ct.id', 'c.consumer_type_id');
  if (consumerType) base = base.where('ct.name', '=', consumerType);
  const counts = await base.select(['ct.name', (e) => e.fn.count<number>('a.consumer_id').distinct().as('n')]).groupBy('ct.name').execute();
  const rows = await base.select(['a.resource_class_id', 'ct.name', (e) => e.fn.sum<number>('a.used').as('usage')])
    .groupBy(['a.resource_class_id', 'c.consumer_type_id', 'ct.name']).orderBy('a.resource_class_id').execute();
  const countOf = new Map(counts.map((c) => [c.name ?? NULL_CONSUMER_TYPE_ALIAS, num(c.n)]));
  for (const r of rows) {
    const type = r.name ?? NULL_CONSUMER_TYPE_ALIAS;
    const entry = out.get(type) ?? { usages: new Map<string, number>(), consumerCount: countOf.get(type) ?? 0 };
    entry.usages.set(await lookups.rcName(Number(r.resource_class_id)), num(r.usage));
    out.set(type, entry);
  }
  return out;
}
