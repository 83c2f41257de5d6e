/**
 * Schema migrations of a service, kept in code (`Record<name, Migration>`, names sort in
 * order: `0001_initial`, `0002_add_x`) and applied with Kysely's Migrator, so bundling works
 * and nothing scans the file system. Each service names its own bookkeeping tables
 * (`keystone_migrations`, `keystone_migrations_lock`), so several services may share one
 * PostgreSQL/MySQL database.
 *
 * Concurrency: two processes may migrate at once. PostgreSQL and MySQL use Kysely's lock
 * (advisory lock / GET_LOCK); SQLite takes its write lock (BEGIN IMMEDIATE, see sqlite.ts).
 * Atomicity: PostgreSQL runs all pending migrations in one transaction; SQLite runs each in a
 * savepoint of one transaction (a failed migration leaves no trace, earlier ones stay); MySQL
 * cannot roll DDL back, so a migration that fails half-way leaves its earlier statements.
 * On SQLite, `PRAGMA foreign_keys` cannot change inside that transaction: table rebuilds use
 * `PRAGMA defer_foreign_keys = ON` instead.
 */
import { type Kysely, type Migration as KyselyMigration, Migrator, sql } from 'kysely';
import { MigrationError, firstLine } from './errors.js';
import type { Database } from './open.js';

export interface Migration {
  up(db: Kysely<any>): Promise<void>;
}

export type Migrations = Readonly<Record<string, Migration>>;

export interface MigrateOptions {
  /** Name of the table recording applied migrations, per service (`keystone_migrations`). */
  readonly table: string;
}

export interface MigrateResult {
  /** Migrations applied by this call, in order (empty when the schema was current). */
  readonly applied: string[];
}

const TABLE_RE = /^[A-Za-z_][A-Za-z0-9_]{0,50}$/;

/** Runs a migration inside a savepoint of the SQLite migration transaction. */
function inSavepoint(migration: Migration): KyselyMigration {
  return {
    async up(db) {
      await sql`savepoint nubo_migration`.execute(db);
      try {
        await migration.up(db);
      } catch (err) {
        await sql`rollback to nubo_migration`.execute(db);
        await sql`release nubo_migration`.execute(db);
        throw err;
      }
      await sql`release nubo_migration`.execute(db);
    },
  };
}

export async function migrate(database: Database<any>, migrations: Migrations, opts: MigrateOptions): Promise<MigrateResult> {
  if (!TABLE_RE.test(opts.table)) throw new TypeError(`invalid migration table name "${opts.table}"`);
  const provided: Record<string, KyselyMigration> =
    database.dialect === 'sqlite'
      ? Object.fromEntries(Object.entries(migrations).map(([name, m]) => [name, inSavepoint(m)]))
      : { ...migrations };

  const migrator = new Migrator({
    db: database.db,
    provider: { getMigrations: async () => provided },
    migrationTableName: opts.table,
    migrationLockTableName: `${opts.table}_lock`,
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  const applied = results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
  if (error === undefined) return { applied };

  const failed = results.find((r) => r.status === 'Error')?.migrationName;
  // On PostgreSQL the batch's transaction rolled back what Kysely reports as successful.
  const kept = database.dialect === 'postgres' ? [] : applied;
  const done = kept.length > 0 ? ` (${kept.join(', ')} applied before it)` : ' (nothing was applied)';
  throw new MigrationError(
    failed === undefined
      ? `cannot migrate the ${database.service} database ${database.url}: ${firstLine(error)}`
      : `migration ${failed} of the ${database.service} database failed: ${firstLine(error)}${done}`,
    failed,
    { cause: error },
  );
}
