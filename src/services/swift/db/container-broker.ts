/**
 * ContainerBroker (swift/container/backend.py): a container's database, its object rows
 * (newest X-Timestamp wins; deletes are rows with deleted=1 until reclaimed), its counts and
 * bytes, its metadata, and its listing.
 */
import { HandleCache, liveMetadata, mergeMetadata, statement, type Sqlite } from './broker.js';
import { listNames, listRows, type ListOptions } from './listing.js';
import { ReplicationTables, type RowsSpec } from './replication.js';
import { CONTAINER_SCHEMA, type StoredMetadata } from './schema.js';
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
