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
import { isBindable, PreparedShapes, type PreparedQuery } from './prepared.js';

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

const shapes = new PreparedShapes();

/**
 * The swap as a prepared query (prepared.ts) of its shape — table, returning or not, the
 * columns it sets, and each condition's column and kind (= value, IS NULL, IN of n values with
 * or without NULL) — with its values; undefined when a value is an SQL expression. A boot's
 * task-state and generation swaps are a handful of shapes run many times.
 */
function preparedSwap(table: string, spec: { where: object; expect: object; set: object }, returning: boolean):
  { query: PreparedQuery<any, Record<string, unknown>, unknown>; values: Record<string, unknown> } | undefined {
  if (Object.keys(spec.where).length === 0) throw new TypeError(`compareAndSwap on ${table}: "where" must identify the row`);
  if (Object.keys(spec.set).length === 0) throw new TypeError(`compareAndSwap on ${table}: "set" is empty`);
  const values: Record<string, unknown> = {};
  const setCols: string[] = [];
  for (const [c, v] of Object.entries(spec.set)) {
    if (v === undefined) continue;
    if (!isBindable(v)) return undefined;
    setCols.push(c);
    values[`s.${c}`] = v;
  }
  if (setCols.length === 0) return undefined;
  const conds: Array<[string, 'eq' | 'null' | { n: number; withNull: boolean }]> = [];
  for (const [group, entries] of [['w', Object.entries(spec.where)], ['e', Object.entries(spec.expect)]] as const) {
    for (const [c, v] of entries) {
      if (v === undefined) throw new TypeError(`compareAndSwap: value for column "${c}" is undefined`);
      const name = `${group}.${c}`;
      if (v === null) conds.push([c, 'null']);
      else if (Array.isArray(v)) {
        const some = v.filter((x) => x !== null);
        if (!some.every(isBindable)) return undefined;
        some.forEach((x, i) => { values[`${name}.${i}`] = x; });
        conds.push([name, { n: some.length, withNull: some.length !== v.length }]);
      } else {
        if (!isBindable(v)) return undefined;
        values[name] = v;
        conds.push([name, 'eq']);
      }
    }
  }
  const query = shapes.get(JSON.stringify([table, returning, setCols, conds]), (db, p) => {
    const column = (name: string) => name.slice(2);
    const q = db.updateTable(table).set(Object.fromEntries(setCols.map((c) => [c, p[`s.${c}`]])))
      .where((eb) => eb.and(conds.map(([name, kind]) => {
        if (kind === 'null') return eb(name, 'is', null);
        if (kind === 'eq') return eb(column(name), '=', p[name]);
        const parts: Expression<SqlBool>[] = [];
        if (kind.n > 0) parts.push(eb(column(name), 'in', Array.from({ length: kind.n }, (_, i) => p[`${name}.${i}`])));
        if (kind.withNull) parts.push(eb(column(name), 'is', null));
        return parts.length === 0 ? sql<SqlBool>`1 = 0` : eb.or(parts);
      })));
    return returning ? q.returningAll() : q;
  });
  return { query, values };
}

export async function compareAndSwap<DB, T extends keyof DB & string>(
  db: Queryable<DB>,
  table: T,
  spec: NoInfer<CompareAndSwapSpec<DB, T>>,
): Promise<boolean> {
  const fast = preparedSwap(table, spec, false);
  if (fast) return ((await fast.query.run(db as Kysely<any>, fast.values)).numAffectedRows ?? 0n) > 0n;
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
  const anyDb = db as unknown as Kysely<any>;
  if (dialectOf(anyDb) !== 'mysql') {
    const fast = preparedSwap(table, spec, true);
    if (fast) return (await fast.query.first(anyDb, fast.values)) as Row<DB, T> | undefined;
    return (await swapUpdate(db, table, spec).returningAll().executeTakeFirst()) as Row<DB, T> | undefined;
  }
  if (!(await compareAndSwap(db, table, spec))) return undefined;
  const where = Object.entries(spec.where as Record<string, unknown>);
  return (await anyDb.selectFrom(table as string).selectAll()
    .where((eb) => eb.and(where.map(([column, value]) => condition(eb, column, value))))
    .executeTakeFirst()) as Row<DB, T> | undefined;
}
