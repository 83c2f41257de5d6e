/**
 * Optimistic concurrency: `UPDATE table SET <set> WHERE <where> AND <expect>`, true iff a row
 * matched. Two writers racing on the same expectation cannot both win, on any dialect: the
 * row lock makes the loser re-check `expect` against the committed row (PostgreSQL READ
 * COMMITTED, InnoDB's locking read) or the writes are serialised (SQLite).
 * Nova's task_state checks, placement generations and IPAM claims are built on this.
 *
 * "Matched" is consistent across dialects because the MySQL pool sets FOUND_ROWS (mysql.ts):
 * a swap whose `set` equals the current values still reports success.
 *
 * In `where` and `expect`, `null` means IS NULL, and an array means "one of" (it may hold null).
 */
import { type Expression, type ExpressionBuilder, type Kysely, type Selectable, type SqlBool, type Updateable, sql } from 'kysely';
import { dialectOf, type Queryable } from './dialect.js';

type Row<DB, T extends keyof DB> = Selectable<DB[T]>;

export interface CompareAndSwapSpec<DB, T extends keyof DB> {
  /** Identifies the row (usually its primary key). Must not be empty. */
  readonly where: { readonly [K in keyof Row<DB, T>]?: Row<DB, T>[K] };
  /** The values the row must still have for the swap to happen. */
  readonly expect: { readonly [K in keyof Row<DB, T>]?: Row<DB, T>[K] | ReadonlyArray<Row<DB, T>[K]> };
  /** The new values. Must not be empty. */
  readonly set: Updateable<DB[T]>;
}

function condition(eb: ExpressionBuilder<any, any>, column: string, value: unknown): Expression<SqlBool> {
  if (value === undefined) throw new TypeError(`compareAndSwap: value for column "${column}" is undefined`);
  if (value === null) return eb(column, 'is', null);
  if (!Array.isArray(value)) return eb(column, '=', value);
  const values = value.filter((v) => v !== null);
  const parts: Expression<SqlBool>[] = [];
  if (values.length > 0) parts.push(eb(column, 'in', values));
  if (values.length !== value.length) parts.push(eb(column, 'is', null));
  return parts.length === 0 ? sql<SqlBool>`1 = 0` : eb.or(parts);
}

/** The swap's UPDATE statement, checked. */
function swapUpdate<DB, T extends keyof DB & string>(db: Queryable<DB>, table: T, spec: CompareAndSwapSpec<DB, T>) {
  const where = Object.entries(spec.where as Record<string, unknown>);
  const expect = Object.entries(spec.expect as Record<string, unknown>);
  const set = spec.set as Record<string, any>;
  if (where.length === 0) throw new TypeError(`compareAndSwap on ${table}: "where" must identify the row`);
  if (Object.keys(set).length === 0) throw new TypeError(`compareAndSwap on ${table}: "set" is empty`);
  return (db as unknown as Kysely<any>)
    .updateTable(table as string)
    .set(set)
    .where((eb) => eb.and([...where, ...expect].map(([column, value]) => condition(eb, column, value))));
}

export async function compareAndSwap<DB, T extends keyof DB & string>(
  db: Queryable<DB>,
  table: T,
  spec: NoInfer<CompareAndSwapSpec<DB, T>>,
): Promise<boolean> {
  const result = await swapUpdate(db, table, spec).executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * compareAndSwap that also reads the row back: the whole row as the swap left it, or undefined
 * when no row matched. On SQLite and PostgreSQL the row comes from the UPDATE itself
 * (RETURNING); MariaDB has no UPDATE ... RETURNING, so there it is read by `where` after the
 * swap (another writer may have changed it in between, as with any read after a write).
 */
export async function compareAndSwapReturning<DB, T extends keyof DB & string>(
  db: Queryable<DB>,
  table: T,
  spec: NoInfer<CompareAndSwapSpec<DB, T>>,
): Promise<Row<DB, T> | undefined> {
  const update = swapUpdate(db, table, spec);
  const anyDb = db as unknown as Kysely<any>;
  if (dialectOf(anyDb) !== 'mysql') return (await update.returningAll().executeTakeFirst()) as Row<DB, T> | undefined;
  if ((await update.executeTakeFirst()).numUpdatedRows === 0n) return undefined;
  const where = Object.entries(spec.where as Record<string, unknown>);
  return (await anyDb.selectFrom(table as string).selectAll()
    .where((eb) => eb.and(where.map(([column, value]) => condition(eb, column, value))))
    .executeTakeFirst()) as Row<DB, T> | undefined;
}
