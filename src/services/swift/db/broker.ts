/**
 * What the account and container brokers share (swift/common/db.py DatabaseBroker): one SQLite
 * file per account or container below <device>/<accounts|containers>/<part>/<suffix>/<hash>/,
 * created atomically (built in the device's tmp/ and renamed into place), its metadata as
 * name → [value, timestamp] merged newest-wins, and handles kept open in a small cache.
 */
import BetterSqlite3 from 'better-sqlite3';
import { existsSync, mkdirSync, renameSync, rmSync, statSync, type Stats } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { CachedStatements } from '../../../common/db/sqlite.js';
import type { StoredMetadata } from './schema.js';

export type Sqlite = BetterSqlite3.Database;

/** Each open database's prepared statements, kept while the handle lives (preparing costs about as much as a small query). */
const statements = new WeakMap<Sqlite, CachedStatements>();

/** The statement of `sql` on `db`, prepared once. */
export function statement(db: Sqlite, sql: string): BetterSqlite3.Statement {
  let cache = statements.get(db);
  if (!cache) {
    cache = new CachedStatements(db, 64);
    statements.set(db, cache);
  }
  return cache.statement(sql);
}

/** The file's stat, or undefined when it is not there (also when a directory on the way is not one: a failed device). */
function statOf(path: string): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

/**
 * Open handles, least recently used closed first. A handle is kept with the inode it opened: a
 * database removed or replaced under it (a replicator removing a handoff copy or reclaiming a
 * deleted one, a whole copy put in place) is opened again rather than written as a ghost.
 */
export class HandleCache {
  private readonly open = new Map<string, Sqlite>();
  private readonly inodes = new Map<string, number>();

  constructor(private readonly max = 128) {}

  get(path: string): Sqlite | undefined {
    const st = statOf(path);
    const db = this.open.get(path);
    if (db && st && this.inodes.get(path) === st.ino) {
      this.open.delete(path);
      this.open.set(path, db);
      return db;
    }
    if (db) this.close(path);
    if (!st) return undefined;
    return this.add(path, new BetterSqlite3(path));
  }

  add(path: string, db: Sqlite): Sqlite {
    const st = statOf(path);
    if (st) this.inodes.set(path, st.ino);
    db.pragma('journal_mode = WAL');
    // as upstream's get_db_connection (synchronous = NORMAL): a commit is not fsync'd, the WAL is
    // at its checkpoints; the database stays consistent after a crash and the object's own .data
    // (fsync'd before its 201) is what a lost row is rebuilt from by the replicators. Upstream
    // appends object rows to a .pending file that is not fsync'd at all.
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    this.open.set(path, db);
    while (this.open.size > this.max) {
      const [oldest] = this.open.entries().next().value as [string, Sqlite];
      this.close(oldest);
    }
    return db;
  }

  /** Creates a database file with `schema` and its first rows, atomically. */
  create(path: string, tmpDir: string, schema: string, init: (db: Sqlite) => void): Sqlite {
    mkdirSync(tmpDir, { recursive: true });
    const tmp = join(tmpDir, `${randomUUID()}.db`);
    const db = new BetterSqlite3(tmp);
    try {
      db.exec(schema);
      init(db);
      db.close();
      mkdirSync(dirname(path), { recursive: true });
      if (existsSync(path)) {
        rmSync(tmp, { force: true });
      } else {
        renameSync(tmp, path);
      }
    } catch (err) {
      try { db.close(); } catch { /* already closed */ }
      rmSync(tmp, { force: true });
      throw err;
    }
    return this.get(path)!;
  }

  /** Closes the handle of one database (before the file is removed or replaced). */
  close(path: string): void {
    const db = this.open.get(path);
    this.inodes.delete(path);
    if (!db) return;
    db.close();
    this.open.delete(path);
  }

  closeAll(): void {
    for (const db of this.open.values()) db.close();
    this.open.clear();
    this.inodes.clear();
  }
}

/** Merges metadata updates (name → value, '' to remove) newer than what is stored. */
export function mergeMetadata(stored: StoredMetadata, updates: Record<string, string>, timestamp: string): StoredMetadata {
  const out: StoredMetadata = { ...stored };
  for (const [k, v] of Object.entries(updates)) {
    const old = out[k];
    if (!old || old[1] <= timestamp) out[k] = [v, timestamp];
  }
  return out;
}

/** The live metadata (removed items, stored as '', left out). */
export function liveMetadata(stored: StoredMetadata): Record<string, string> {
  return Object.fromEntries(Object.entries(stored).filter(([, [v]]) => v !== '').map(([k, [v]]) => [k, v]));
}
