/**
 * Aggregate membership of providers (the aggregate half of placement/objects/resource_provider.py):
 * aggregates are bare uuids, created on first use; setting a provider's aggregates replaces
 * them and, from microversion 1.19, moves its generation. Aggregate rows are created before
 * the transaction that associates them (ensureAggregates), so that on MySQL's repeatable reads
 * the transaction sees rows another request created at the same moment.
 */
import { insertIgnore, type Queryable } from '../../../common/db/index.js';
import type { PlacementDB } from '../db/schema.js';
import { now, type Tx } from '../db/store.js';
import { incrementGeneration } from './resource-providers.js';

/** The aggregate uuids of a provider, in the order they were first seen. */
export async function getAggregates(db: Queryable<PlacementDB>, rpId: number): Promise<string[]> {
  const rows = await db.selectFrom('placement_aggregates as a')
    .innerJoin('resource_provider_aggregates as rpa', 'rpa.aggregate_id', 'a.id')
    .select('a.uuid').where('rpa.resource_provider_id', '=', rpId).orderBy('a.id').execute();
  return rows.map((r) => r.uuid);
}

/** Creates the aggregates that do not exist yet (autocommit, idempotent). */
export async function ensureAggregates(db: Queryable<PlacementDB>, uuids: readonly string[]): Promise<void> {
  const wanted = [...new Set(uuids)];
  if (wanted.length === 0) return;
  const known = new Set((await db.selectFrom('placement_aggregates').select('uuid').where('uuid', 'in', wanted).execute()).map((r) => r.uuid));
  for (const uuid of wanted) if (!known.has(uuid)) await insertIgnore(db, 'placement_aggregates', { uuid, created_at: now(), updated_at: null });
}

/**
 * Makes `uuids` (already created by ensureAggregates) the provider's aggregates (resource_provider._set_aggregates).
 * @throws ResourceProviderConcurrentUpdateDetected when incrementing a moved generation
 */
export async function setAggregates(tx: Tx, rp: { id: number; generation: number }, uuids: readonly string[], incrementGen: boolean): Promise<void> {
  const wanted = new Set(uuids);
  const existing = await tx.selectFrom('placement_aggregates as a')
    .innerJoin('resource_provider_aggregates as rpa', 'rpa.aggregate_id', 'a.id')
    .select(['a.id', 'a.uuid']).where('rpa.resource_provider_id', '=', rp.id).execute();
  const have = new Set(existing.map((r) => r.uuid));
  const stamp = now();
  const toAdd = [...wanted].filter((u) => !have.has(u));
  if (toAdd.length > 0) {
    const ids = await tx.selectFrom('placement_aggregates').select('id').where('uuid', 'in', toAdd).execute();
    for (const { id } of ids) {
      await insertIgnore(tx, 'resource_provider_aggregates', { resource_provider_id: rp.id, aggregate_id: Number(id), created_at: stamp, updated_at: null });
    }
  }
  const toRemove = existing.filter((r) => !wanted.has(r.uuid)).map((r) => Number(r.id));
  if (toRemove.length > 0) {
    await tx.deleteFrom('resource_provider_aggregates').where('resource_provider_id', '=', rp.id).where('aggregate_id', 'in', toRemove).execute();
  }
  if (incrementGen) await incrementGeneration(tx, rp);
}
