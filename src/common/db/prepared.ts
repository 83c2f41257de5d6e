/**
 * Queries built and compiled once, run many times with new values: the hot queries of a server
 * boot (a consumer by uuid, an instance's action, a compute node, ...).
 *
 * Kysely builds an immutable tree on every call (each `.where()` copies and freezes it), lets
 * the plugins walk it, and compiles it to SQL text before it runs; for a small query that is
 * about as much CPU as SQLite's own execution, and a server boot runs a few hundred of them.
 * A prepared query is built once per dialect with a placeholder object in place of each value,
 * compiled, and remembered as its SQL and the positions of its parameters; each run binds the
 * values in those positions and goes straight to the executor (the connection, its statement
 * cache and the result plugins as for any query). Written here because Kysely has no prepared
 * query of its own (it leaves `compile()` to the caller).
 *
 * Rules for the builder function: its shape must not depend on the values (it sees
 * placeholders), every value is one parameter (no arrays for `in`: their length changes the
 * SQL), and no value may be inlined (`sql.lit`). Booleans are bound as 1/0, as the
 * BooleanToIntegerPlugin does for built queries.
 */
import { CompiledQuery, type Compilable, type DialectAdapter, type Kysely, type QueryResult } from 'kysely';

/** A value's placeholder while the query is built: recognised by identity in the compiled parameters. */
class Slot {
  constructor(readonly name: string) {}
}

interface Compiled {
  sql: string;
  /** Each parameter: a value's name, or a constant the builder wrote in. */
  params: Array<{ name: string } | { constant: unknown }>;
}

const toParam = (value: unknown): unknown => (typeof value === 'boolean' ? (value ? 1 : 0) : value);

export class PreparedQuery<DB, P extends Record<string, unknown>, R> {
  /** The compiled query by dialect adapter (a database and its transactions share theirs). */
  private readonly compiled = new WeakMap<DialectAdapter, Compiled>();

  constructor(private readonly build: (db: Kysely<DB>, p: P) => Compilable<R>) {}

  private compile(db: Kysely<DB>): Compiled {
    const adapter = db.getExecutor().adapter;
    let c = this.compiled.get(adapter);
    if (c) return c;
    const slots = new Map<string, Slot>();
    const p = new Proxy({}, {
      get: (_t, name) => {
        if (typeof name !== 'string') return undefined;
        let slot = slots.get(name);
        if (!slot) slots.set(name, (slot = new Slot(name)));
        return slot;
      },
    }) as P;
    const query = this.build(db, p).compile();
    c = {
      sql: query.sql,
      params: query.parameters.map((v) => (v instanceof Slot ? { name: v.name } : { constant: toParam(v) })),
    };
    const bound = new Set(c.params.flatMap((x) => ('name' in x ? [x.name] : [])));
    for (const name of slots.keys()) {
      if (!bound.has(name)) throw new TypeError(`prepared query: the value "${name}" is not a parameter of the compiled query (inlined, or in an expression that is not bound)`);
    }
    this.compiled.set(adapter, c);
    return c;
  }

  /** Runs the query with `values` on `db` (the database or a transaction). */
  run(db: Kysely<DB>, values: P): Promise<QueryResult<R>> {
    const c = this.compile(db);
    const parameters = c.params.map((x) => {
      if ('constant' in x) return x.constant;
      const v = values[x.name];
      if (v === undefined) throw new TypeError(`prepared query: no value for "${x.name}"`);
      if (Array.isArray(v)) throw new TypeError(`prepared query: "${x.name}" is an array; a prepared query takes no arrays of values`);
      return toParam(v);
    });
    return db.executeQuery<R>(CompiledQuery.raw(c.sql, parameters));
  }

  /** The rows. */
  async all(db: Kysely<DB>, values: P): Promise<R[]> {
    return (await this.run(db, values)).rows;
  }

  /** The first row, or undefined. */
  async first(db: Kysely<DB>, values: P): Promise<R | undefined> {
    return (await this.run(db, values)).rows[0];
  }
}

/** A value a query binds as it is (not an SQL expression of the caller's, which has to be built into the query). */
export const isBindable = (v: unknown): boolean => v === null || typeof v !== 'object' || Buffer.isBuffer(v) || v instanceof Date;

/**
 * Prepared queries by shape, for helpers whose query depends on the caller's columns
 * (compareAndSwap, the inserts): the key names the shape, `build` makes its query the first
 * time. Past `max` shapes all are forgotten (a cache, not a table).
 */
export class PreparedShapes {
  private readonly shapes = new Map<string, PreparedQuery<any, Record<string, unknown>, unknown>>();

  constructor(private readonly max = 1000) {}

  get(key: string, build: (db: Kysely<any>, p: Record<string, unknown>) => Compilable<unknown>): PreparedQuery<any, Record<string, unknown>, unknown> {
    let query = this.shapes.get(key);
    if (!query) {
      query = new PreparedQuery(build);
      if (this.shapes.size >= this.max) this.shapes.clear();
      this.shapes.set(key, query);
    }
    return query;
  }
}

/** A query built once per dialect, run with new values each time (see the module's rules). */
export function prepared<DB, P extends Record<string, unknown>, R>(build: (db: Kysely<DB>, p: P) => Compilable<R>): PreparedQuery<DB, P, R> {
  return new PreparedQuery(build);
}
