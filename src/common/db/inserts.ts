/**
 * Inserts whose SQL differs per dialect.
 * - insertIgnore: insert unless a unique key already holds the row. PostgreSQL and SQLite use
 *   ON CONFLICT DO NOTHING. MySQL does NOT use INSERT IGNORE, which also downgrades NOT NULL,
 *   foreign-key and truncation errors to warnings (and inserts defaults instead); it runs a
 *   plain INSERT and treats a duplicate-key error as "already there" (InnoDB rolls back only
 *   the statement, so a surrounding transaction goes on).
 * - upsert: insert, or update the existing row. PostgreSQL/SQLite ON CONFLICT (cols) DO UPDATE,
 *   MySQL ON DUPLICATE KEY UPDATE, which fires on ANY unique key of the table: only use upsert
 *   on tables whose one unique key is `conflict`.
 * - insertReturningId: insert and return the generated auto-increment id (RETURNING on
 *   PostgreSQL/SQLite, the insert id on MySQL, which has no RETURNING).
 * - insertReturningRow: insert and return the whole row as stored, defaults included
 *   (RETURNING *; on MySQL the row read back by its insert id).
 */
import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import { type Queryable, dialectOf } from './dialect.js';
import { isUniqueViolation } from './sql-errors.js';
import { isBindable, PreparedShapes, type PreparedQuery } from './prepared.js';

/** Inserts one row unless it conflicts with a unique key; true iff it was inserted. */
export async function insertIgnore<DB, T extends keyof DB & string>(
  db: Queryable<DB>,
  table: T,
  values: NoInfer<Insertable<DB[T]>>,
): Promise<boolean> {
  const anyDb = db as unknown as Kysely<any>;
  if (dialectOf(anyDb) === 'mysql') {
    try {
      await anyDb.insertInto(table as string).values(values).execute();
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }
  const result = await anyDb.insertInto(table as string).values(values).onConflict((oc) => oc.doNothing()).executeTakeFirst();
  return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
}

export interface UpsertSpec<DB, T extends keyof DB> {
  readonly values: Insertable<DB[T]>;
  /** The unique key that identifies the row (ON CONFLICT target on PostgreSQL/SQLite). */
  readonly conflict: ReadonlyArray<keyof DB[T] & string>;
  /** Columns to overwrite when the row exists. */
  readonly update: Updateable<DB[T]>;
}

/** Inserts a row, or updates the existing one that has the same `conflict` key. */
export async function upsert<DB, T extends keyof DB & string>(db: Queryable<DB>, table: T, spec: NoInfer<UpsertSpec<DB, T>>): Promise<void> {
  const anyDb = db as unknown as Kysely<any>;
  const update = spec.update as Record<string, any>;
  const insert = anyDb.insertInto(table as string).values(spec.values);
  if (dialectOf(anyDb) === 'mysql') {
    await insert.onDuplicateKeyUpdate(update).execute();
  } else {
    await insert.onConflict((oc) => oc.columns([...spec.conflict]).doUpdateSet(update)).execute();
  }
}

/** Inserts prepared by shape (table, columns, what comes back). */
const insertShapes = new PreparedShapes();

/**
 * A one-row insert as a prepared query (prepared.ts) of its table, columns and RETURNING, with
 * its values; undefined when a value is an SQL expression. A boot inserts rows of a few shapes
 * many times (actions, events, consumers, block devices).
 */
function preparedInsert(table: string, values: object, returning: string | '*'): { query: PreparedQuery<any, Record<string, unknown>, unknown>; values: Record<string, unknown> } | undefined {
  const bound: Record<string, unknown> = {};
  const cols: string[] = [];
  for (const [c, v] of Object.entries(values)) {
    if (v === undefined) continue;
    if (!isBindable(v)) return undefined;
    cols.push(c);
    bound[c] = v;
  }
  if (cols.length === 0) return undefined;
  const query = insertShapes.get(JSON.stringify([table, returning, cols]), (db, p) => {
    const q = db.insertInto(table).values(Object.fromEntries(cols.map((c) => [c, p[c]])));
    return returning === '*' ? q.returningAll() : q.returning(returning);
  });
  return { query, values: bound };
}

/** Inserts a row into a table with an auto-increment key and returns the new id. */
export async function insertReturningId<DB, T extends keyof DB & string>(
  db: Queryable<DB>,
  table: T,
  values: NoInfer<Insertable<DB[T]>>,
  idColumn: keyof DB[T] & string = 'id' as keyof DB[T] & string,
): Promise<number> {
  const anyDb = db as unknown as Kysely<any>;
  const mysql = dialectOf(anyDb) === 'mysql';
  const fast = mysql ? undefined : preparedInsert(table, values as object, idColumn);
  if (fast) {
    const row = await fast.query.first(anyDb, fast.values);
    if (row === undefined) throw new Error(`insert into ${table} returned no row`);
    return Number((row as Record<string, unknown>)[idColumn]);
  }
  if (mysql) {
    const result = await anyDb.insertInto(table as string).values(values).executeTakeFirstOrThrow();
    if (result.insertId === undefined) throw new Error(`insert into ${table} returned no id`);
    return Number(result.insertId);
  }
  const row = await anyDb.insertInto(table as string).values(values).returning(idColumn).executeTakeFirstOrThrow();
  return Number((row as Record<string, unknown>)[idColumn]);
}

/** Inserts a row into a table with an auto-increment key and returns the row as stored (its id and column defaults included). */
export async function insertReturningRow<DB, T extends keyof DB & string>(
  db: Queryable<DB>,
  table: T,
  values: NoInfer<Insertable<DB[T]>>,
  idColumn: keyof DB[T] & string = 'id' as keyof DB[T] & string,
): Promise<Selectable<DB[T]>> {
  const anyDb = db as unknown as Kysely<any>;
  if (dialectOf(anyDb) !== 'mysql') {
    const fast = preparedInsert(table, values as object, '*');
    const row = fast ? await fast.query.first(anyDb, fast.values) : await anyDb.insertInto(table as string).values(values).returningAll().executeTakeFirst();
    if (row === undefined) throw new Error(`insert into ${table} returned no row`);
    return row as Selectable<DB[T]>;
  }
  const id = await insertReturningId(db, table, values, idColumn);
  return (await anyDb.selectFrom(table as string).selectAll().where(idColumn as string, '=', id).executeTakeFirstOrThrow()) as Selectable<DB[T]>;
}
