/**
 * The PostgreSQL side of openDatabase: a pg pool whose results look like the other dialects'.
 * int8 (COUNT, SUM of integers, bigint columns) and numeric come back as JS numbers instead of
 * strings (values beyond 2^53 lose precision: Nubo stores no such integers), and date/time
 * types come back as the server's text, as on MySQL (dateStrings) and SQLite. Sessions run in UTC.
 */
import pg from 'pg';
import { type Dialect as KyselyDialect, PostgresDialect } from 'kysely';
import type { ServerTarget } from './url.js';

const INT8_OID = 20;
const NUMERIC_OID = 1700;
const DATE_TIME_OIDS = new Set([1082 /* date */, 1083 /* time */, 1114 /* timestamp */, 1184 /* timestamptz */]);

const typeParsers: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (format === undefined || format === 'text') {
      if (oid === INT8_OID || oid === NUMERIC_OID) return (value: string) => Number(value);
      if (DATE_TIME_OIDS.has(oid)) return (value: string) => value;
    }
    return pg.types.getTypeParser(oid, format);
  }) as pg.CustomTypesConfig['getTypeParser'],
};

/** pg connection settings for a target (shared by the pool and the admin connection). */
export function postgresConfig(target: ServerTarget): pg.ClientConfig {
  return {
    host: target.socketPath ?? target.host,
    port: target.port,
    user: target.user,
    ...(target.password === undefined ? {} : { password: target.password }),
    database: target.database,
    ...(target.tls === undefined ? {} : { ssl: { rejectUnauthorized: target.tls.verify } }),
    connectionTimeoutMillis: target.connectTimeoutMs,
    application_name: `nubo-${target.service}`,
    options: '-c TimeZone=UTC',
    types: typeParsers,
  };
}

export function createPostgresDialect(
  target: ServerTarget,
  opts: { maxPoolSize: number; poolTimeoutMs: number; onError: (err: Error) => void },
): KyselyDialect {
  // pg-pool uses connectionTimeoutMillis both for the wait for a free client and for each new
  // client's connect; its clients get the target's connect timeout through their own class.
  const connectTimeoutMs = target.connectTimeoutMs;
  class PooledClient extends pg.Client {
    constructor(config?: pg.ClientConfig) {
      super({ ...config, connectionTimeoutMillis: connectTimeoutMs });
    }
  }
  const pool = new pg.Pool({ ...postgresConfig(target), connectionTimeoutMillis: opts.poolTimeoutMs, max: opts.maxPoolSize, Client: PooledClient });
  // An idle pooled connection that dies (server restart) is dropped by the pool; without a
  // listener the 'error' event would crash the process.
  pool.on('error', opts.onError);
  return new PostgresDialect({ pool });
}
