/**
 * The database handle managers share, with the transaction discipline Neutron uses
 * (neutron_lib.db.api.retry_db_errors): a write runs in one transaction, and the whole
 * transaction is replayed when it lost a race the database reports (a unique-key collision on
 * an IP, MAC or segmentation id picked concurrently, a deadlock, SQLite busy). Also the
 * standard-attribute helpers (timestamps, revision numbers, `If-Match` constraints), tags,
 * and the reading of JSON columns.
 */
import { type Kysely, type RawBuilder, sql, type Transaction } from 'kysely';
import { type Database, isRetryableError, isUniqueViolation, nowIso, transaction, withRetry } from '../../../common/db/index.js';
import { RevisionNumberConstraintFailed } from '../errors.js';
import { isJsonObject, type JsonObject, type StandardAttributes } from '../types/common.js';
import type { NeutronDB } from './schema.js';

export type Db = Kysely<NeutronDB>;
export type Tx = Transaction<NeutronDB>;

/** Tables that carry standard attributes (revision_number, timestamps, description). */
export type StandardTable = 'networks' | 'subnets' | 'ports' | 'routers' | 'floatingips' | 'securitygroups' | 'securitygrouprules' | 'subnetpools' | 'portforwardings' | 'trunks' | 'qos_policies'
  | 'address_groups';

/** How many times a write that lost a race is replayed. */
const RETRY_ATTEMPTS = 12;

export class Store {
  constructor(readonly database: Database<NeutronDB>) {}

  get db(): Db {
    return this.database.db;
  }

  /**
   * Runs `fn` in a transaction, replaying it when it collided with a concurrent writer. `fn`
   * must be safe to run again (read what it needs inside the transaction), and must use only
   * `tx`: on SQLite the one connection is held by the transaction, so a query on `db` from
   * inside it would wait forever.
   */
  write<T>(fn: (tx: Tx) => Promise<T>, attempts = RETRY_ATTEMPTS): Promise<T> {
    return withRetry(() => transaction(this.database, fn), {
      attempts,
      baseDelayMs: 5,
      maxDelayMs: 200,
      isRetryable: (err) => isRetryableError(err) || isUniqueViolation(err),
    });
  }
}

export function now(): string {
  return nowIso();
}

/** A JSON object column; anything else (empty, invalid, not an object) reads as {}. */
export function parseJsonObject(text: string | null | undefined): JsonObject {
  const value = parseJson(text);
  return isJsonObject(value) ? value : {};
}

/** A JSON list-of-strings column; anything else reads as []. */
export function parseJsonStrings(text: string | null | undefined): string[] {
  const value = parseJson(text);
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function parseJson(text: string | null | undefined): unknown {
  if (text === null || text === undefined || text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Fails with 412 when an `If-Match: revision_number=N` constraint does not hold. */
export function checkRevision(expected: number | undefined, current: number): void {
  if (expected !== undefined && Number(current) !== expected) throw new RevisionNumberConstraintFailed(expected, Number(current));
}

/** The columns that record a change of a standard-attribute row: set them with the row's other changes. */
export function nextRevision(): { revision_number: RawBuilder<number>; updated_at: string } {
  return { revision_number: sql<number>`revision_number + 1`, updated_at: now() };
}

/** Bumps revision_number and updated_at of one row (inside the caller's transaction). */
export async function bumpRevision(db: Db, table: StandardTable, id: string): Promise<void> {
  await db.updateTable(table).set(nextRevision()).where('id', '=', id).execute();
}

/** The standard attributes of a row, as the API shows them. */
export function standardView(row: StandardAttributes): StandardAttributes {
  return {
    description: row.description,
    revision_number: Number(row.revision_number),
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/** Tags of many resources of one type. */
export async function tagsOf(db: Db, resourceType: string, ids: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (ids.length === 0) return out;
  for (const chunk of chunks(ids, 500)) {
    const rows = await db.selectFrom('tags').select(['resource_id', 'tag']).where('resource_type', '=', resourceType).where('resource_id', 'in', chunk).orderBy('tag').execute();
    for (const r of rows) {
      const list = out.get(r.resource_id) ?? [];
      list.push(r.tag);
      out.set(r.resource_id, list);
    }
  }
  return out;
}

export async function setTags(db: Db, resourceType: string, id: string, tags: readonly string[]): Promise<void> {
  await db.deleteFrom('tags').where('resource_type', '=', resourceType).where('resource_id', '=', id).execute();
  const unique = [...new Set(tags)];
  if (unique.length) await db.insertInto('tags').values(unique.map((tag) => ({ resource_type: resourceType, resource_id: id, tag }))).execute();
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Groups rows by a key. */
export function groupBy<R, K>(rows: readonly R[], key: (r: R) => K): Map<K, R[]> {
  const out = new Map<K, R[]>();
  for (const r of rows) {
    const k = key(r);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}
