/**
 * AccountBroker (swift/account/backend.py): an account's database, its container rows as the
 * container servers report them (counts, bytes, put and delete timestamps), the totals, its
 * metadata, and its listing.
 */
import { HandleCache, liveMetadata, mergeMetadata, statement, type Sqlite } from './broker.js';
import { listNames, listRows, type ListOptions } from './listing.js';
import { ReplicationTables, type RowsSpec } from './replication.js';
import { ACCOUNT_SCHEMA, type StoredMetadata } from './schema.js';
import type { ContainerRow, Entry } from '../utils/listing.js';

const ACCOUNT_ROWS: RowsSpec = { table: 'container', stat: 'account_stat', hashed: ['name', 'put_timestamp', 'delete_timestamp', 'object_count', 'bytes_used', 'deleted'] };

export interface AccountInfo {
  account: string;
  created_at: string;
  put_timestamp: string;
  delete_timestamp: string;
  container_count: number;
  object_count: number;
  bytes_used: number;
}

export class AccountBroker {
  private constructor(private readonly db: Sqlite, readonly path: string) {}

  static open(cache: HandleCache, path: string): AccountBroker | undefined {
    const db = cache.get(path);
    return db ? new AccountBroker(db, path) : undefined;
  }

  static create(cache: HandleCache, path: string, tmpDir: string, account: string, putTimestamp: string): AccountBroker {
    const db = cache.create(path, tmpDir, ACCOUNT_SCHEMA, (d) => {
      d.prepare('INSERT INTO account_stat (account, created_at, put_timestamp, status_changed_at) VALUES (?, ?, ?, ?)').run(account, putTimestamp, putTimestamp, putTimestamp);
    });
    return new AccountBroker(db, path);
  }

  info(): AccountInfo {
    return statement(this.db, 'SELECT account, created_at, put_timestamp, delete_timestamp, container_count, object_count, bytes_used FROM account_stat').get() as AccountInfo;
  }

  isDeleted(): boolean {
    const i = this.info();
    return i.delete_timestamp > i.put_timestamp;
  }

  storedMetadata(): StoredMetadata {
    return JSON.parse((statement(this.db, 'SELECT metadata FROM account_stat').get() as { metadata: string }).metadata) as StoredMetadata;
  }

  metadata(): Record<string, string> {
    return liveMetadata(this.storedMetadata());
  }

  updateMetadata(updates: Record<string, string>, timestamp: string): void {
    if (Object.keys(updates).length === 0) return;
    statement(this.db, 'UPDATE account_stat SET metadata = ?').run(JSON.stringify(mergeMetadata(this.storedMetadata(), updates, timestamp)));
  }

  updatePutTimestamp(timestamp: string): boolean {
    const wasDeleted = this.isDeleted();
    if (timestamp > this.info().put_timestamp) statement(this.db, 'UPDATE account_stat SET put_timestamp = ?').run(timestamp);
    return wasDeleted && !this.isDeleted();
  }

  deleteDb(timestamp: string): void {
    if (timestamp > this.info().delete_timestamp) statement(this.db, 'UPDATE account_stat SET delete_timestamp = ?, status_changed_at = ?').run(timestamp, timestamp);
  }

  /** A container's report; the newer of its put/delete timestamps wins. */
  putContainer(name: string, putTimestamp: string, deleteTimestamp: string, objectCount: number, bytesUsed: number): void {
    this.db.transaction(() => {
      const old = statement(this.db, 'SELECT put_timestamp, delete_timestamp, object_count, bytes_used, deleted FROM container WHERE name = ?').get(name) as
        { put_timestamp: string; delete_timestamp: string; object_count: number; bytes_used: number; deleted: number } | undefined;
      const put = old && old.put_timestamp > putTimestamp ? old.put_timestamp : putTimestamp;
      const del = old && old.delete_timestamp > deleteTimestamp ? old.delete_timestamp : deleteTimestamp;
      const deleted = del > put ? 1 : 0;
      // nothing new (a report or a replicated row seen before): the row keeps its ROWID
      if (old && old.put_timestamp === put && old.delete_timestamp === del && old.deleted === deleted
        && old.object_count === (deleted ? 0 : objectCount) && old.bytes_used === (deleted ? 0 : bytesUsed)) return;
      // deleted and inserted again, so the row gets a new ROWID and the replicator sends it
      if (old) statement(this.db, 'DELETE FROM container WHERE name = ?').run(name);
      statement(this.db, 'INSERT INTO container (name, put_timestamp, delete_timestamp, object_count, bytes_used, deleted) VALUES (?, ?, ?, ?, ?, ?)')
        .run(name, put, del, deleted ? 0 : objectCount, deleted ? 0 : bytesUsed, deleted);
      const totals = statement(this.db, 'SELECT COUNT(*) AS c, COALESCE(SUM(object_count), 0) AS o, COALESCE(SUM(bytes_used), 0) AS b FROM container WHERE deleted = 0').get() as { c: number; o: number; b: number };
      statement(this.db, 'UPDATE account_stat SET container_count = ?, object_count = ?, bytes_used = ?').run(totals.c, totals.o, totals.b);
    })();
  }

  /** The database as the account replicator sees it (rows merged as container reports are). */
  replication(): ReplicationTables {
    return new ReplicationTables(this.db, ACCOUNT_ROWS, (rows) => {
      for (const r of rows) this.putContainer(String(r.name), String(r.put_timestamp), String(r.delete_timestamp), Number(r.object_count) || 0, Number(r.bytes_used) || 0);
    });
  }

  list(opts: ListOptions): Array<Entry<ContainerRow>> {
    return listRows<ContainerRow>(this.db, 'container', 'name, object_count, bytes_used, put_timestamp', opts,
      (r) => ({ name: r[0] as string, object_count: r[1] as number, bytes_used: r[2] as number, put_timestamp: r[3] as string }));
  }

  /** The listing's names and subdirs alone (the plain format). */
  listNames(opts: ListOptions): string[] {
    return listNames(this.db, 'container', opts);
  }
}
