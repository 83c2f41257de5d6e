/**
 * openDatabase: one Kysely instance over a service's database, checked with a trivial query so a
 * wrong URL, a stopped server or an unwritable data directory fails at start with one
 * actionable line (DatabaseUnavailableError), not at the first request.
 */
import { type Dialect as KyselyDialect, Kysely, type LogEvent, sql } from 'kysely';
import { createDatabase } from './admin.js';
import { BooleanToIntegerPlugin } from './boolean-plugin.js';
import { explainConnectError } from './connect-errors.js';
import type { Dialect } from './dialect.js';
import { DatabaseUnavailableError } from './errors.js';
import { createSqliteDialect } from './sqlite.js';
import type { DatabaseTarget } from './url.js';

export interface OpenDatabaseOptions {
  /** Connections in the PostgreSQL/MySQL pool (default 10). SQLite always has one connection. */
  readonly maxPoolSize?: number;
  /**
   * How long a statement waits for a free pooled connection, in milliseconds (oslo.db's
   * pool_timeout; default 30 s). Connecting itself keeps the target's connect timeout.
   */
  readonly poolTimeoutMs?: number;
  /** Create a missing PostgreSQL/MySQL database (SQLite files are always created). */
  readonly createIfMissing?: boolean;
  /** Called after each statement (also failed ones) with its SQL and duration. */
  readonly log?: (sql: string, ms: number) => void;
  /** Errors of idle pooled connections (server restarts); the pool replaces them. Default: ignored. */
  readonly onError?: (err: Error) => void;
}

export interface Database<DB> {
  readonly db: Kysely<DB>;
  readonly dialect: Dialect;
  /** The database URL with its password masked. */
  readonly url: string;
  /** The service that owns this database. */
  readonly service: string;
  /** Closes the pool or file; later calls return the same promise. */
  close(): Promise<void>;
}

const DEFAULT_POOL_SIZE = 10;
const DEFAULT_POOL_TIMEOUT_MS = 30_000;

const MISSING_DATABASE: Record<'postgres' | 'mysql', (err: unknown) => boolean> = {
  postgres: (err) => (err as { code?: unknown } | null)?.code === '3D000',
  mysql: (err) => (err as { errno?: unknown } | null)?.errno === 1049,
};

/** Server drivers load on first use: an all-in-one cloud on SQLite never pays for pg or mysql2. */
async function createDialect(target: DatabaseTarget, opts: OpenDatabaseOptions): Promise<KyselyDialect> {
  const maxPoolSize = opts.maxPoolSize ?? DEFAULT_POOL_SIZE;
  const poolTimeoutMs = opts.poolTimeoutMs ?? DEFAULT_POOL_TIMEOUT_MS;
  switch (target.dialect) {
    case 'sqlite':
      return createSqliteDialect(target);
    case 'postgres':
      return (await import('./postgres.js')).createPostgresDialect(target, { maxPoolSize, poolTimeoutMs, onError: opts.onError ?? (() => {}) });
    case 'mysql':
      return (await import('./mysql.js')).createMysqlDialect(target, { maxPoolSize });
  }
}

export async function openDatabase<DB>(target: DatabaseTarget, opts: OpenDatabaseOptions = {}): Promise<Database<DB>> {
  const unavailable = (err: unknown): DatabaseUnavailableError =>
    new DatabaseUnavailableError(target.url, target.service, explainConnectError(err, target), { cause: err });
  const { log } = opts;
  if (opts.maxPoolSize !== undefined && !(Number.isInteger(opts.maxPoolSize) && opts.maxPoolSize >= 1)) {
    throw new RangeError(`maxPoolSize must be a positive integer, got ${opts.maxPoolSize}`);
  }

  let db: Kysely<DB>;
  try {
    db = new Kysely<DB>({
      dialect: await createDialect(target, opts),
      plugins: [new BooleanToIntegerPlugin()],
      ...(log === undefined ? {} : { log: (event: LogEvent) => log(event.query.sql, event.queryDurationMillis) }),
    });
  } catch (err) {
    throw unavailable(err);
  }

  try {
    await sql`select 1`.execute(db);
  } catch (err) {
    await db.destroy().catch(() => {});
    if (opts.createIfMissing && target.dialect !== 'sqlite' && MISSING_DATABASE[target.dialect](err)) {
      await createDatabase(target);
      return openDatabase<DB>(target, { ...opts, createIfMissing: false });
    }
    throw unavailable(err);
  }

  let closing: Promise<void> | undefined;
  return {
    db,
    dialect: target.dialect,
    url: target.url,
    service: target.service,
    close: () => (closing ??= db.destroy()),
  };
}
