/**
 * transaction: runs `fn` in a database transaction (Kysely's `db.transaction().execute`),
 * committing when it resolves and rolling back when it throws. On SQLite the transaction
 * starts with BEGIN IMMEDIATE (see sqlite.ts). Combine with withRetry for contended writes.
 */
import { Kysely, type Transaction } from 'kysely';
import type { Database } from './open.js';

export function transaction<DB, T>(database: Database<DB> | Kysely<DB>, fn: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
  const db = database instanceof Kysely ? database : database.db;
  return db.transaction().execute(fn);
}
