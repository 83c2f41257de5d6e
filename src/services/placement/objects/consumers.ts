/**
 * Consumers of allocations and what they belong to (placement/objects/consumer.py, project.py,
 * user.py, consumer_type.py and handlers/util.py ensure_consumer): projects, users and
 * consumer types are created on first use, outside the allocation transaction and harmlessly
 * if two requests race; a consumer carries a generation that every change of its allocations
 * moves (compare-and-swap) and disappears with its last allocation.
 */
import type { Kysely } from 'kysely';
import { compareAndSwap, insertIgnore, insertReturningId, prepared, type Queryable } from '../../../common/db/index.js';
import type { PlacementDB } from '../db/schema.js';
import { now, type Tx } from '../db/store.js';
import { ConcurrentUpdateDetected } from '../errors.js';

type Q = Queryable<PlacementDB>;

export interface Consumer {
  id: number;
  uuid: string;
  projectId: number;
  projectExternalId: string;
  userId: number;
  userExternalId: string;
  generation: number;
  consumerTypeId: number | null;
}

/** The internal id of a project or user, created when new. */
export async function ensureExternal(db: Q, table: 'projects' | 'users', externalId: string): Promise<number> {
  const find = () => db.selectFrom(table).select('id').where('external_id', '=', externalId).executeTakeFirst();
  let row = await find();
  if (!row) {
    await insertIgnore(db, table, { external_id: externalId, created_at: now(), updated_at: null });
    row = await find();
  }
  if (!row) throw new Error(`${table} row for ${externalId} vanished`);
  return Number(row.id);
}

/** The id of a consumer type, created when new (handlers/util.get_or_create_consumer_type_id). */
export async function ensureConsumerType(db: Q, name: string): Promise<number> {
  const find = () => db.selectFrom('consumer_types').select('id').where('name', '=', name).executeTakeFirst();
  let row = await find();
  if (!row) {
    await insertIgnore(db, 'consumer_types', { name, created_at: now(), updated_at: null });
    row = await find();
  }
  if (!row) throw new Error(`consumer type ${name} vanished`);
  return Number(row.id);
}

/** A consumer with its project and user (prepared: every allocation write reads its consumer). */
const consumerByUuid = prepared((db: Kysely<PlacementDB>, p: { uuid: string }) => db.selectFrom('consumers as c')
  .innerJoin('projects as p', 'p.id', 'c.project_id')
  .innerJoin('users as u', 'u.id', 'c.user_id')
  .select(['c.id', 'c.uuid', 'c.generation', 'c.consumer_type_id', 'p.id as project_id', 'p.external_id as project_external_id',
    'u.id as user_id', 'u.external_id as user_external_id'])
  .where('c.uuid', '=', p.uuid));

export async function getConsumer(db: Q, uuid: string): Promise<Consumer | undefined> {
  const row = await consumerByUuid.first(db, { uuid });
  if (!row) return undefined;
  return {
    id: Number(row.id), uuid: row.uuid, projectId: Number(row.project_id), projectExternalId: row.project_external_id, userId: Number(row.user_id),
    userExternalId: row.user_external_id, generation: Number(row.generation), consumerTypeId: row.consumer_type_id === null ? null : Number(row.consumer_type_id),
  };
}

/** Inserts a consumer at generation 0 (a unique-key error when another request just did). */
export async function createConsumer(
  tx: Tx, uuid: string, owner: { projectId: number; projectExternalId: string; userId: number; userExternalId: string }, consumerTypeId: number | null,
): Promise<Consumer> {
  const id = await insertReturningId(tx, 'consumers', {
    uuid, project_id: owner.projectId, user_id: owner.userId, generation: 0, consumer_type_id: consumerTypeId, created_at: now(), updated_at: null,
  });
  return {
    id, uuid, projectId: owner.projectId, projectExternalId: owner.projectExternalId, userId: owner.userId, userExternalId: owner.userExternalId,
    generation: 0, consumerTypeId,
  };
}

/** Sets project, user and type without moving the generation (Consumer.update). */
export async function updateConsumer(tx: Tx, consumer: Consumer, projectId: number, userId: number, consumerTypeId: number | null): Promise<void> {
  await tx.updateTable('consumers').set({ project_id: projectId, user_id: userId, consumer_type_id: consumerTypeId, updated_at: now() })
    .where('id', '=', consumer.id).where('generation', '=', consumer.generation).execute();
  consumer.projectId = projectId;
  consumer.userId = userId;
  consumer.consumerTypeId = consumerTypeId;
}

/**
 * Moves the consumer's generation on if nobody else did (Consumer.increment_generation).
 * @throws ConcurrentUpdateDetected
 */
export async function incrementConsumerGeneration(tx: Tx, consumer: Consumer): Promise<void> {
  const swapped = await compareAndSwap(tx, 'consumers', {
    where: { id: consumer.id }, expect: { generation: consumer.generation }, set: { generation: consumer.generation + 1, updated_at: now() },
  });
  if (!swapped) throw new ConcurrentUpdateDetected();
  consumer.generation += 1;
}

/** Deletes those of the consumers that have no allocation left. */
export async function deleteConsumersWithoutAllocations(tx: Tx, uuids: readonly string[]): Promise<void> {
  if (uuids.length === 0) return;
  await tx.deleteFrom('consumers').where('uuid', 'in', [...uuids])
    .where((eb) => eb.not(eb.exists(eb.selectFrom('allocations').select('allocations.id').whereRef('allocations.consumer_id', '=', 'consumers.uuid'))))
    .execute();
}
