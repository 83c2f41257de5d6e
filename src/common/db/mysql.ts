/**
 * The MySQL/MariaDB side of openDatabase: a mysql2 pool whose results look like the other
 * dialects'. BIGINT and DECIMAL come back as numbers (strings only beyond 2^53), dates as
 * strings, and FOUND_ROWS is on so an UPDATE reports the rows it matched, not only the rows
 * whose values changed (PostgreSQL and SQLite count matched rows; compareAndSwap relies on it).
 * Sessions use sql_mode=TRADITIONAL (strict, as oslo.db sets it) and UTC.
 */
import { createPool, type ConnectionOptions } from 'mysql2';
import { CompiledQuery, type Dialect as KyselyDialect, MysqlDialect } from 'kysely';
import type { ServerTarget } from './url.js';

/** mysql2 connection settings for a target (shared by the pool and the admin connection). */
export function mysqlConfig(target: ServerTarget): ConnectionOptions {
  return {
    ...(target.socketPath === undefined ? { host: target.host, port: target.port } : { socketPath: target.socketPath }),
    user: target.user,
    ...(target.password === undefined ? {} : { password: target.password }),
    database: target.database,
    connectTimeout: target.connectTimeoutMs,
    charset: 'utf8mb4',
    supportBigNumbers: true,
    bigNumberStrings: false,
    decimalNumbers: true,
    dateStrings: true,
    timezone: 'Z',
    flags: ['FOUND_ROWS'],
  };
}

export function createMysqlDialect(target: ServerTarget, opts: { maxPoolSize: number }): KyselyDialect {
  // mysql2's pool has no wait limit: a statement waits in its queue until a connection is free.
  const pool = createPool({ ...mysqlConfig(target), connectionLimit: opts.maxPoolSize });
  return new MysqlDialect({
    pool,
    onCreateConnection: async (connection) => {
      await connection.executeQuery(CompiledQuery.raw("SET SESSION sql_mode = 'TRADITIONAL', time_zone = '+00:00'"));
    },
  });
}
