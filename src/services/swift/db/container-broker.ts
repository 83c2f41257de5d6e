/**
 * ContainerBroker (swift/container/backend.py): a container's database, its object rows
 * (newest X-Timestamp wins; deletes are rows with deleted=1 until reclaimed), its counts and
 * bytes, its metadata, and its listing.
 */
import { HandleCache, liveMetadata, mergeMetadata, statement, type Sqlite } from './broker.js';
import { listNames, listRows, type ListOptions } from './listing.js';
import { ReplicationTables, type RowsSpec } from './replication.js';
import { CONTAINER_SCHEMA, CONTAINER_STAT_ADDED_COLUMNS, type StoredMetadata } from './schema.js';
import type { Entry, ObjectRow } from '../utils/listing.js';

const CONTAINER_ROWS: RowsSpec = { table: 'object', stat: 'container_stat', hashed: ['name', 'created_at', 'deleted'] };

export interface ContainerInfo {
  account: string;
  container: string;
  created_at: string;
  put_timestamp: string;
  delete_timestamp: string;
  status_changed_at: string;
  object_count: number;
  bytes_used: number;
  reported_object_count: number;
  reported_bytes_used: number;
  storage_policy_index: number;
}

/** An object row as an object server sends it (PUT or DELETE of /<dev>/<part>/<a>/<c>/<o>). */
export interface ObjectUpdate {
  name: string;
  timestamp: string;
  size: number;
  contentType: string;
  etag: string;
  deleted: boolean;
}

/** Each open database's merge of object rows, a transaction function made once (better-sqlite3's db.transaction is not free). */
const merges = new WeakMap<Sqlite, (rows: readonly ObjectUpdate[]) => boolean[]>();

/** The databases whose container_stat is known to have every column (CONTAINER_STAT_ADDED_COLUMNS). */
const upToDate = new WeakSet<Sqlite>();

/** Adds the columns an older database's container_stat lacks (container sync's points). */
function ensureColumns(db: Sqlite): void {
  if (upToDate.has(db)) return;
  const have = new Set((db.prepare('PRAGMA table_info(container_stat)').all() as Array<{ name: string }>).map((c) => c.name));
  for (const [name, type] of CONTAINER_STAT_ADDED_COLUMNS) if (!have.has(name)) db.exec(`ALTER TABLE container_stat ADD COLUMN ${name} ${type}`);
  upToDate.add(db);
}

/** An object row as container sync reads it (get_items_since). */
export interface SyncRow {
  rowid: number;
  name: string;
  created_at: string;
  size: number;
  deleted: boolean;
}

/** One row merged, inside the caller's transaction; the newest timestamp wins. */
function mergeObject(db: Sqlite, r: ObjectUpdate): boolean {
  const old = statement(db, 'SELECT created_at, size, deleted FROM object WHERE name = ?').get(r.name) as { created_at: string; size: number; deleted: number } | undefined;
  if (old && old.created_at >= r.timestamp) return false;
  const countDelta = (r.deleted ? 0 : 1) - (old && !old.deleted ? 1 : 0);
  const bytesDelta = (r.deleted ? 0 : r.size) - (old && !old.deleted ? old.size : 0);
  // deleted and inserted again, so the row gets a new ROWID and the replicator sends it
  if (old) statement(db, 'DELETE FROM object WHERE name = ?').run(r.name);
  statement(db, 'INSERT INTO object (name, created_at, size, content_type, etag, deleted) VALUES (?, ?, ?, ?, ?, ?)')
    .run(r.name, r.timestamp, r.deleted ? 0 : r.size, r.contentType, r.etag, r.deleted ? 1 : 0);
  if (countDelta !== 0 || bytesDelta !== 0) {
    statement(db, 'UPDATE container_stat SET object_count = object_count + ?, bytes_used = bytes_used + ?').run(countDelta, bytesDelta);
  }
  return true;
}

export class ContainerBroker {
  private constructor(private readonly db: Sqlite, readonly path: string) {}

  static open(cache: HandleCache, path: string): ContainerBroker | undefined {
    const db = cache.get(path);
    return db ? new ContainerBroker(db, path) : undefined;
  }

  static create(cache: HandleCache, path: string, tmpDir: string, account: string, container: string, putTimestamp: string, policyIndex = 0): ContainerBroker {
    const db = cache.create(path, tmpDir, CONTAINER_SCHEMA, (d) => {
      d.prepare('INSERT INTO container_stat (account, container, created_at, put_timestamp, status_changed_at, storage_policy_index) VALUES (?, ?, ?, ?, ?, ?)')
        .run(account, container, putTimestamp, putTimestamp, putTimestamp, policyIndex);
    });
    return new ContainerBroker(db, path);
  }

  info(): ContainerInfo {
    return statement(this.db, 'SELECT account, container, created_at, put_timestamp, delete_timestamp, status_changed_at, object_count, bytes_used, reported_object_count, reported_bytes_used, storage_policy_index FROM container_stat').get() as ContainerInfo;
  }

  /** Deleted: a delete newer than the last put, and no objects left. */
  isDeleted(): boolean {
    const i = this.info();
    return i.delete_timestamp > i.put_timestamp && i.object_count === 0;
  }

  storedMetadata(): StoredMetadata {
    return JSON.parse((statement(this.db, 'SELECT metadata FROM container_stat').get() as { metadata: string }).metadata) as StoredMetadata;
  }

  metadata(): Record<string, string> {
    return liveMetadata(this.storedMetadata());
  }

  updateMetadata(updates: Record<string, string>, timestamp: string): void {
    if (Object.keys(updates).length === 0) return;
    this.db.transaction(() => {
      statement(this.db, 'UPDATE container_stat SET metadata = ?').run(JSON.stringify(mergeMetadata(this.storedMetadata(), updates, timestamp)));
    })();
  }

  /** A PUT of the container: revives a deleted one (on `policyIndex`, when given). Returns whether it was (re)created. */
  updatePutTimestamp(timestamp: string, policyIndex?: number): boolean {
    const wasDeleted = this.isDeleted();
    const i = this.info();
    if (timestamp > i.put_timestamp) {
      statement(this.db, 'UPDATE container_stat SET put_timestamp = ?, status_changed_at = CASE WHEN ? THEN ? ELSE status_changed_at END').run(timestamp, wasDeleted ? 1 : 0, timestamp);
      if (wasDeleted && policyIndex !== undefined) statement(this.db, 'UPDATE container_stat SET storage_policy_index = ?').run(policyIndex);
    }
    return wasDeleted && !this.isDeleted();
  }

  deleteDb(timestamp: string): void {
    const i = this.info();
    if (timestamp > i.delete_timestamp) statement(this.db, 'UPDATE container_stat SET delete_timestamp = ?, status_changed_at = ?').run(timestamp, timestamp);
  }

  /** Merges an object row (PUT or DELETE from an object server); the newest timestamp wins. */
  putObject(name: string, timestamp: string, size: number, contentType: string, etag: string, deleted: boolean): boolean {
    return this.putObjects([{ name, timestamp, size, contentType, etag, deleted }])[0]!;
  }

  /** Object rows merged in one transaction (the updates that came in together); for each, whether it was newer. */
  putObjects(rows: readonly ObjectUpdate[]): boolean[] {
    let merge = merges.get(this.db);
    if (!merge) {
      const db = this.db;
      merge = db.transaction((batch: readonly ObjectUpdate[]) => batch.map((r) => mergeObject(db, r)));
      merges.set(db, merge);
    }
    return merge(rows);
  }

  /** Container sync's progress: rows up to point1 were looked at, and up to point2 sent by every replica's share (-1: none). */
  syncPoints(): { point1: number; point2: number } {
    ensureColumns(this.db);
    const r = statement(this.db, 'SELECT x_container_sync_point1 AS p1, x_container_sync_point2 AS p2 FROM container_stat').get() as { p1: number; p2: number };
    return { point1: r.p1, point2: r.p2 };
  }

  /** Moves the sync points (set_x_container_sync_points); undefined leaves one as it is. */
  setSyncPoints(point1: number | undefined, point2: number | undefined): void {
    ensureColumns(this.db);
    if (point1 !== undefined) statement(this.db, 'UPDATE container_stat SET x_container_sync_point1 = ?').run(point1);
    if (point2 !== undefined) statement(this.db, 'UPDATE container_stat SET x_container_sync_point2 = ?').run(point2);
  }

  /** The object rows after `rowid`, in ROWID order (get_items_since). */
  itemsSince(rowid: number, limit: number): SyncRow[] {
    return (statement(this.db, 'SELECT ROWID AS rowid, name, created_at, size, deleted FROM object WHERE ROWID > ? ORDER BY ROWID LIMIT ?').all(rowid, limit) as Array<Omit<SyncRow, 'deleted'> & { deleted: number }>)
      .map((r) => ({ ...r, deleted: r.deleted === 1 }));
  }

  /** What the account was last told, so the updater only reports changes. */
  markReported(objectCount: number, bytesUsed: number): void {
    statement(this.db, 'UPDATE container_stat SET reported_object_count = ?, reported_bytes_used = ?').run(objectCount, bytesUsed);
  }

  /** The database as the container replicator sees it (rows merged as object updates are). */
  replication(): ReplicationTables {
    return new ReplicationTables(this.db, CONTAINER_ROWS, (rows) => {
      for (const r of rows) this.putObject(String(r.name), String(r.created_at), Number(r.size) || 0, String(r.content_type ?? ''), String(r.etag ?? ''), Number(r.deleted) === 1);
    });
  }

  list(opts: ListOptions): Array<Entry<ObjectRow>> {
    return listRows<ObjectRow>(this.db, 'object', 'name, created_at, size, content_type, etag', opts,
      (r) => ({ name: r[0] as string, created_at: r[1] as string, size: r[2] as number, content_type: r[3] as string, etag: r[4] as string }));
  }

  /** The listing's names and subdirs alone (the plain format). */
  listNames(opts: ListOptions): string[] {
    return listNames(this.db, 'object', opts);
  }
}
