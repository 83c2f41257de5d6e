/**
 * The SQLite side of openDatabase: one better-sqlite3 file per service, tuned for a server
 * (WAL, foreign keys, busy timeout, synchronous=NORMAL), with two changes to Kysely's dialect:
 * - transactions start with BEGIN IMMEDIATE, so a read-then-write transaction waits for the
 *   write lock up front (busy_timeout) instead of failing on lock upgrade with
 *   SQLITE_BUSY_SNAPSHOT when another process wrote in between;
 * - the migration lock is that same BEGIN IMMEDIATE (Kysely's SQLite lock is a no-op because it
 *   only thinks of one process), so two processes migrating one file run one after the other.
 * The database file is created owner-only (0600) before SQLite opens it: it holds password
 * hashes and keys. SQLite gives its -wal, -shm and -journal files the main file's mode.
 */
import { chmodSync, closeSync, constants, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect as KyselyDialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type SqliteDatabase,
  type SqliteDialectConfig,
  type SqliteStatement,
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

/** Prepared statements kept per database file (the distinct queries of a service are a few hundred). */
const STATEMENT_CACHE_SIZE = 1000;

/**
 * The better-sqlite3 handle as Kysely's driver sees it, with prepared statements kept and
 * reused: Kysely prepares every query anew, and preparing costs about as much as running a
 * small query (half of the SQL time of a server boot). Least recently used statements are
 * dropped past STATEMENT_CACHE_SIZE. A statement that is busy (a stream is iterating it) is not
 * shared: that query gets a fresh one. Written here because neither Kysely nor better-sqlite3
 * offers a statement cache.
 */
export class CachedStatements implements SqliteDatabase {
  readonly #statements = new Map<string, BetterSqlite3.Statement>();

  constructor(readonly handle: BetterSqlite3.Database, private readonly size = STATEMENT_CACHE_SIZE) {}

  prepare(sql: string): SqliteStatement {
    return this.statement(sql);
  }

  /** The same cached statement with better-sqlite3's own type (get/run/all with spread parameters). */
  statement(sql: string): BetterSqlite3.Statement {
    let stmt = this.#statements.get(sql);
    if (stmt?.busy) return this.handle.prepare(sql);
    if (stmt) {
      // Map order is insertion order: re-inserting marks it most recently used.
      this.#statements.delete(sql);
    } else {
      stmt = this.handle.prepare(sql);
      if (this.#statements.size >= this.size) this.#statements.delete(this.#statements.keys().next().value!);
    }
    this.#statements.set(sql, stmt);
    return stmt;
  }

  close(): void {
    this.#statements.clear();
    this.handle.close();
  }
}

/** Mode of database files and of the directory created for them. */
export const SQLITE_FILE_MODE = 0o600;
const SQLITE_DIR_MODE = 0o700;

/**
 * Creates the database file with SQLITE_FILE_MODE if it does not exist (an empty file is an
 * empty database), and takes group and other access away from an existing one and its
 * companions (files written before this rule, or by a umask-following tool).
 */
function prepareDatabaseFile(filename: string): void {
  mkdirSync(dirname(filename), { recursive: true, mode: SQLITE_DIR_MODE });
  try {
    closeSync(openSync(filename, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, SQLITE_FILE_MODE));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  for (const file of [filename, `${filename}-wal`, `${filename}-shm`, `${filename}-journal`]) {
    let mode: number;
    try {
      mode = statSync(file).mode;
    } catch {
      continue; // no such companion file
    }
    if ((mode & 0o077) === 0) continue;
    try {
      chmodSync(file, mode & 0o700);
    } catch (err) {
      // Not ours to change (another owner): the operator's arrangement stands.
      if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
    }
  }
}

/** Opens the file (creating it owner-only, and its directory) and returns the Kysely dialect over it. Throws driver errors. */
export function createSqliteDialect(target: SqliteTarget): KyselyDialect {
  const memory = target.filename === ':memory:';
  if (!memory) prepareDatabaseFile(target.filename);
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
  return new NuboSqliteDialect({ database: new CachedStatements(handle) });
}
