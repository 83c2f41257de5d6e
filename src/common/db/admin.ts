/**
 * Server-level administration of a service's database on PostgreSQL and MySQL/MariaDB:
 * create it when missing (openDatabase's createIfMissing) and drop it (tests, `nubo manage`).
 * These connect to the server without the service's database: PostgreSQL through its
 * `postgres` maintenance database, MySQL with no default database.
 */
import type { createConnection } from 'mysql2/promise';
import { explainConnectError } from './connect-errors.js';
import { DatabaseUnavailableError } from './errors.js';
import { type ServerTarget, withDatabase } from './url.js';

const PG_DUPLICATE_DATABASE = '42P04';
const PG_UNIQUE_VIOLATION = '23505'; // two CREATE DATABASE of one name racing on pg_database
const PG_INSUFFICIENT_PRIVILEGE = '42501';
const MYSQL_DBACCESS_DENIED = 1044;

/** Identifier names were validated by parseDatabaseUrl; quoting is belt and braces. */
const pgIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;
const mysqlIdent = (name: string): string => `\`${name.replaceAll('`', '``')}\``;

async function onServer(target: ServerTarget, action: string, statement: string): Promise<void> {
  const fail = (err: unknown): never => {
    const e = err as { code?: unknown; errno?: unknown } | null;
    const denied = e?.code === PG_INSUFFICIENT_PRIVILEGE || e?.errno === MYSQL_DBACCESS_DENIED;
    const reason = denied
      ? `user "${target.user}" may not ${action} database "${target.database}" (do it as an administrator, or grant the privilege)`
      : explainConnectError(err, target);
    throw new DatabaseUnavailableError(target.url, target.service, reason, { cause: err });
  };

  // Drivers load on first use: an all-in-one cloud on SQLite never pays for pg or mysql2.
  if (target.dialect === 'postgres') {
    const [{ default: pg }, { postgresConfig }] = await Promise.all([import('pg'), import('./postgres.js')]);
    const client = new pg.Client(postgresConfig(withDatabase(target, 'postgres')));
    client.on('error', () => {}); // reported through the failing query below
    try {
      await client.connect();
      await client.query(statement);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (action === 'create' && (code === PG_DUPLICATE_DATABASE || code === PG_UNIQUE_VIOLATION)) return;
      fail(err);
    } finally {
      await client.end().catch(() => {});
    }
    return;
  }

  const [{ createConnection: connect }, { mysqlConfig }] = await Promise.all([import('mysql2/promise'), import('./mysql.js')]);
  const { database: _omit, ...serverOnly } = mysqlConfig(target);
  let connection: Awaited<ReturnType<typeof createConnection>> | undefined;
  try {
    connection = await connect(serverOnly);
    await connection.query(statement);
  } catch (err) {
    fail(err);
  } finally {
    await connection?.end().catch(() => {});
  }
}

/**
 * Creates the target's database if it does not exist (safe when several processes race).
 * PostgreSQL: UTF8 from template0; MySQL: utf8mb4 with the binary collation, so that string
 * comparison and uniqueness are case-sensitive as on PostgreSQL and SQLite.
 */
export async function createDatabase(target: ServerTarget): Promise<void> {
  const statement = target.dialect === 'postgres'
    ? `CREATE DATABASE ${pgIdent(target.database)} TEMPLATE template0 ENCODING 'UTF8'`
    : `CREATE DATABASE IF NOT EXISTS ${mysqlIdent(target.database)} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`;
  await onServer(target, 'create', statement);
}

/** Drops the target's database if it exists, closing other sessions on it (PostgreSQL). */
export async function dropDatabase(target: ServerTarget): Promise<void> {
  const statement = target.dialect === 'postgres'
    ? `DROP DATABASE IF EXISTS ${pgIdent(target.database)} WITH (FORCE)`
    : `DROP DATABASE IF EXISTS ${mysqlIdent(target.database)}`;
  await onServer(target, 'drop', statement);
}
