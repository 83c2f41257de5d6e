/**
 * The database handle the objects layer shares, with its transaction discipline: a write runs
 * in one transaction that is replayed when it lost a race the database reports (deadlock,
 * serialization failure, SQLite busy) or, for callers that ask, a race to create the same row.
 * Inside a transaction only the transaction handle may be used (on SQLite the one connection is
 * held by it).
 */
import type { Kysely, Transaction } from 'kysely';
import { type Database, type Dialect, isRetryableError, isUniqueViolation, nowIso, transaction, withRetry } from '../../../common/db/index.js';
import type { PlacementDB } from './schema.js';

export type Db = Kysely<PlacementDB>;
export type Tx = Transaction<PlacementDB>;

export interface WriteOptions {
  /** Total attempts (default 10). */
  attempts?: number;
  /** Also replay these failures (e.g. a generation that moved under the transaction). */
  retryOn?: (err: unknown) => boolean;
  /** Replay a unique-key collision (two requests creating the same consumer at once). */
  retryUniqueViolations?: boolean;
}

/** How many ids of immutable rows a store remembers before it starts over. */
const MEMO_LIMIT = 10_000;

export class Store {
  /** Ids of rows that never change or go away once written (projects, users, consumer types), by table and name. */
  private readonly memo = new Map<string, number>();

  constructor(readonly database: Database<PlacementDB>) {}

  /** The remembered id of an immutable row, or `load` it once. */
  async memoId(key: string, load: () => Promise<number>): Promise<number> {
    const known = this.memo.get(key);
    if (known !== undefined) return known;
    const id = await load();
    if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
    this.memo.set(key, id);
    return id;
  }

  get db(): Db {
    return this.database.db;
  }

  get dialect(): Dialect {
    return this.database.dialect;
  }

  /** Runs `fn` in a transaction, replayed as WriteOptions say; `fn` must read what it needs through `tx`. */
  write<T>(fn: (tx: Tx) => Promise<T>, opts: WriteOptions = {}): Promise<T> {
    return withRetry(() => transaction(this.database, fn), {
      attempts: opts.attempts ?? 10,
      baseDelayMs: 2,
      maxDelayMs: 100,
      isRetryable: (err) => isRetryableError(err) || (opts.retryUniqueViolations === true && isUniqueViolation(err)) || (opts.retryOn?.(err) ?? false),
    });
  }
}

/** The current time as stored. */
export const now = (): string => nowIso();

/** Splits an IN list so that no statement carries more than `size` parameters. */
export function chunks<T>(items: readonly T[], size = 2000): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A stored count or sum as a number (PostgreSQL returns bigint aggregates as strings). */
export function num(value: unknown): number {
  return value === null || value === undefined ? 0 : Number(value);
}
