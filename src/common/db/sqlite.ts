/**
 * The SQLite side of openDatabase: one better-sqlite3 file per service, tuned for a server
 * (WAL, foreign keys, busy timeout, synchronous=NORMAL), with two changes to Kysely's dialect:
 * - transactions start with BEGIN IMMEDIATE, so a read-then-write transaction waits for the
 *   write lock up front (busy_timeout) instead of failing on lock upgrade with
 *   SQLITE_BUSY_SNAPSHOT when another process wrote in between;
 * - the migration lock is that same BEGIN IMMEDIATE (Kysely's SQLite lock is a no-op because it
 *   only thinks of one process), so two processes migrating one file run one after the other.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect as KyselyDialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type SqliteDialectConfig,
  SqliteAdapter,
  SqliteDialect,
  SqliteDriver,
  sql,
} from 'kysely';
import type { SqliteTarget } from './url.js';

/** How long a statement waits for another process's lock before failing with SQLITE_BUSY. */
export const SQLITE_BUSY_TIMEOUT_MS = 5000;

class NuboSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class NuboSqliteAdapter extends SqliteAdapter {
  #locked = false;

  override async acquireMigrationLock(db: Kysely<any>): Promise<void> {
    await sql`begin immediate`.execute(db);
    this.#locked = true;
  }

  override async releaseMigrationLock(db: Kysely<any>): Promise<void> {
    if (!this.#locked) return; // acquiring failed: there is no transaction to end
    this.#locked = false;
    await sql`commit`.execute(db);
  }
}

class NuboSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new NuboSqliteDriver(this.#config);
  }

  override createAdapter(): DialectAdapter {
    return new NuboSqliteAdapter();
  }
}

/** Opens the file (creating its directory) and returns the Kysely dialect over it. Throws driver errors. */
export function createSqliteDialect(target: SqliteTarget): KyselyDialect {
  const memory = target.filename === ':memory:';
  if (!memory) mkdirSync(dirname(target.filename), { recursive: true });
  const handle = new BetterSqlite3(target.filename, { timeout: SQLITE_BUSY_TIMEOUT_MS });
  try {
    handle.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
    const mode = handle.pragma('journal_mode = WAL', { simple: true });
    if (!memory && mode !== 'wal') {
      throw Object.assign(new Error(`cannot switch ${target.filename} to WAL mode (journal_mode stays ${String(mode)}; is it on a network file system?)`), { code: 'NUBO_NO_WAL' });
    }
    handle.pragma('foreign_keys = ON');
    handle.pragma('synchronous = NORMAL');
  } catch (err) {
    handle.close();
    throw err;
  }
  return new NuboSqliteDialect({ database: handle });
}
