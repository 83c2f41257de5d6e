/**
 * The three SQL dialects Nubo runs on, and how to tell which one a Kysely instance speaks
 * (migrations and helpers receive a bare `Kysely<any>` and sometimes need to know).
 */
import { type Kysely, MysqlAdapter, PostgresAdapter, SqliteAdapter, type Transaction } from 'kysely';

export type Dialect = 'sqlite' | 'postgres' | 'mysql';

/**
 * What helpers accept to run queries on: the database or a transaction. (A Transaction is a
 * Kysely, but naming both lets TypeScript infer `DB` from either.)
 */
export type Queryable<DB> = Kysely<DB> | Transaction<DB>;

/** The dialect of a Kysely instance (also works on transactions and connection-bound instances). */
export function dialectOf(db: Kysely<any>): Dialect {
  const adapter = db.getExecutor().adapter;
  if (adapter instanceof SqliteAdapter) return 'sqlite';
  if (adapter instanceof PostgresAdapter) return 'postgres';
  if (adapter instanceof MysqlAdapter) return 'mysql';
  throw new TypeError(`unsupported Kysely dialect adapter ${adapter.constructor.name}`);
}
