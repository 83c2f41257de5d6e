/**
 * Nubo's SQL layer: Kysely over SQLite (embedded default), PostgreSQL and MySQL/MariaDB, one
 * database per service. Parse the configured URL, open it, migrate it, then use `db` with the
 * helpers below so repository code reads the same on every dialect.
 */
export { type Dialect, type Queryable, dialectOf } from './dialect.js';
export { DatabaseUnavailableError, DatabaseUrlError, MigrationError } from './errors.js';
export {
  type DatabaseTarget,
  type ParseDatabaseUrlOptions,
  type ServerTarget,
  type SqliteTarget,
  maskUrl,
  parseDatabaseUrl,
  withDatabase,
} from './url.js';
export { type Database, type OpenDatabaseOptions, openDatabase } from './open.js';
export { createDatabase, dropDatabase } from './admin.js';
export { type MigrateOptions, type MigrateResult, type Migration, type Migrations, migrate } from './migrate.js';
export { transaction } from './transaction.js';
export { type RetryOptions, withRetry } from './retry.js';
export { type CompareAndSwapSpec, compareAndSwap, compareAndSwapReturning } from './cas.js';
export { PreparedQuery, prepared } from './prepared.js';
export { BooleanToIntegerPlugin } from './boolean-plugin.js';
export {
  type ColumnTypes,
  type DataTypeExpression,
  type UpsertSpec,
  columnTypes,
  insertIgnore,
  insertReturningId,
  insertReturningRow,
  isForeignKeyViolation,
  isoSeconds,
  isRetryableError,
  isUniqueViolation,
  nowIso,
  toBool,
  upsert,
} from './dialect-helpers.js';
