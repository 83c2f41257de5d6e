/**
 * What a database needs to be replicated (swift/common/db.py): an id of its own, the sync
 * tables (incoming_sync: how far each other replica's rows were merged here; outgoing_sync:
 * how far this one's rows were sent to each other), the rows since a ROWID in ROWID order (a
 * changed row is deleted and inserted again, so it gets a new, higher ROWID), a hash of the
 * rows that two replicas with the same rows agree on, and the merge of a replica's timestamps
 * and metadata. The row merge itself (newest wins) is the broker's.
 *
 * The tables are added on open to databases made before replication existed.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Sqlite } from './broker.js';
import type { StoredMetadata } from './schema.js';

export const REPLICATION_SCHEMA = `
CREATE TABLE IF NOT EXISTS replication_id (id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS incoming_sync (remote_id TEXT PRIMARY KEY, sync_point INTEGER NOT NULL, updated_at TEXT NOT NULL DEFAULT '0');
CREATE TABLE IF NOT EXISTS outgoing_sync (remote_id TEXT PRIMARY KEY, sync_point INTEGER NOT NULL, updated_at TEXT NOT NULL DEFAULT '0');
`;

/** The replication info of a database (get_replication_info), as the sync RPC carries it. */
export interface ReplicationInfo {
  id: string;
  max_row: number;
  hash: string;
  count: number;
  created_at: string;
  put_timestamp: string;
  delete_timestamp: string;
  metadata: StoredMetadata;
  /** In a sync answer: how far the asker's rows were merged here. */
  point?: number;
}

export interface SyncPoint {
  remote_id: string;
  sync_point: number;
}

/** A row of the object (container DB) or container (account DB) table, with its ROWID. */
export type ItemRow = Record<string, string | number> & { ROWID: number; name: string };

/** The parts of a broker that differ between containers and accounts. */
export interface RowsSpec {
  /** 'object' or 'container'. */
  table: string;
  /** 'container_stat' or 'account_stat'. */
  stat: string;
  /** The columns that make a row's identity and state, hashed (chexor) in this order. */
  hashed: readonly string[];
}

export function ensureReplicationTables(db: Sqlite): void {
  db.exec(REPLICATION_SCHEMA);
}

/** Newest-wins merge of two metadata sets (each item name → [value, timestamp]). */
export function mergeStoredMetadata(mine: StoredMetadata, theirs: StoredMetadata): StoredMetadata {
  const out: StoredMetadata = { ...mine };
  for (const [k, v] of Object.entries(theirs)) {
    if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'string' || typeof v[1] !== 'string') continue;
    if (!out[k] || out[k][1] < v[1]) out[k] = [v[0], v[1]];
  }
  return out;
}

const hashCache = new WeakMap<Sqlite, { key: string; hash: string }>();

export class ReplicationTables {
  constructor(private readonly db: Sqlite, private readonly spec: RowsSpec, private readonly mergeRows: (rows: ItemRow[]) => void) {
    ensureReplicationTables(db);
  }

  get id(): string {
    const row = this.db.prepare('SELECT id FROM replication_id').get() as { id: string } | undefined;
    if (row) return row.id;
    const id = randomUUID();
    this.db.prepare('INSERT INTO replication_id (id) VALUES (?)').run(id);
    return id;
  }

  maxRow(): number {
    const r = this.db.prepare(`SELECT MAX(ROWID) AS m FROM ${this.spec.table}`).get() as { m: number | null };
    return r.m ?? -1;
  }

  /**
   * XOR of the md5 of every row's identity (upstream's chexor, kept up to date as rows change;
   * here computed when asked, and remembered per handle until the last ROWID or the row count
   * changes — every change of a row inserts it again under a new ROWID).
   */
  rowsHash(maxRow = this.maxRow()): string {
    const count = (this.db.prepare(`SELECT COUNT(*) AS c FROM ${this.spec.table}`).get() as { c: number }).c;
    const key = `${maxRow}:${count}`;
    const cached = hashCache.get(this.db);
    if (cached?.key === key) return cached.hash;
    const acc = Buffer.alloc(16);
    const cols = this.spec.hashed.join(', ');
    for (const row of this.db.prepare(`SELECT ${cols} FROM ${this.spec.table}`).raw().iterate() as Iterable<unknown[]>) {
      const d = createHash('md5').update(row.map(String).join('-')).digest();
      for (let i = 0; i < 16; i++) acc[i]! ^= d[i]!;
    }
    const hash = acc.toString('hex');
    hashCache.set(this.db, { key, hash });
    return hash;
  }

  info(): ReplicationInfo {
    const stat = this.db.prepare(`SELECT created_at, put_timestamp, delete_timestamp, metadata FROM ${this.spec.stat}`).get() as
      { created_at: string; put_timestamp: string; delete_timestamp: string; metadata: string };
    const count = (this.db.prepare(`SELECT COUNT(*) AS c FROM ${this.spec.table}`).get() as { c: number }).c;
    const maxRow = this.maxRow();
    return {
      id: this.id, max_row: maxRow, hash: this.rowsHash(maxRow), count,
      created_at: stat.created_at, put_timestamp: stat.put_timestamp, delete_timestamp: stat.delete_timestamp,
      metadata: JSON.parse(stat.metadata) as StoredMetadata,
    };
  }

  getSync(remoteId: string, incoming: boolean): number {
    const r = this.db.prepare(`SELECT sync_point FROM ${incoming ? 'incoming' : 'outgoing'}_sync WHERE remote_id = ?`).get(remoteId) as { sync_point: number } | undefined;
    return r?.sync_point ?? -1;
  }

  getSyncs(incoming: boolean): SyncPoint[] {
    return this.db.prepare(`SELECT remote_id, sync_point FROM ${incoming ? 'incoming' : 'outgoing'}_sync`).all() as SyncPoint[];
  }

  mergeSyncs(points: readonly SyncPoint[], incoming: boolean): void {
    const stmt = this.db.prepare(`INSERT INTO ${incoming ? 'incoming' : 'outgoing'}_sync (remote_id, sync_point, updated_at) VALUES (?, ?, ?)
      ON CONFLICT(remote_id) DO UPDATE SET sync_point = MAX(sync_point, excluded.sync_point), updated_at = excluded.updated_at`);
    const now = (Date.now() / 1000).toFixed(5);
    this.db.transaction(() => {
      for (const p of points) if (typeof p.remote_id === 'string' && Number.isInteger(p.sync_point)) stmt.run(p.remote_id, p.sync_point, now);
    })();
  }

  itemsSince(point: number, limit: number): ItemRow[] {
    return this.db.prepare(`SELECT ROWID, * FROM ${this.spec.table} WHERE ROWID > ? ORDER BY ROWID ASC LIMIT ?`).all(point, limit) as ItemRow[];
  }

  /** merge_items: the rows merged (newest wins), and the source's incoming sync point moved to its last ROWID. */
  mergeItems(rows: ItemRow[], sourceId?: string): void {
    this.db.transaction(() => {
      this.mergeRows(rows);
      if (sourceId && rows.length > 0) this.mergeSyncs([{ remote_id: sourceId, sync_point: Math.max(...rows.map((r) => r.ROWID)) }], true);
    })();
  }

  /** merge_timestamps: the earliest created_at, the latest put and delete. */
  mergeTimestamps(createdAt: string, putTimestamp: string, deleteTimestamp: string): void {
    this.db.prepare(`UPDATE ${this.spec.stat} SET created_at = MIN(?, created_at), put_timestamp = MAX(?, put_timestamp), delete_timestamp = MAX(?, delete_timestamp)`)
      .run(createdAt, putTimestamp, deleteTimestamp);
  }

  mergeMetadata(theirs: StoredMetadata): void {
    const mine = JSON.parse((this.db.prepare(`SELECT metadata FROM ${this.spec.stat}`).get() as { metadata: string }).metadata) as StoredMetadata;
    const merged = mergeStoredMetadata(mine, theirs);
    if (JSON.stringify(merged) !== JSON.stringify(mine)) this.db.prepare(`UPDATE ${this.spec.stat} SET metadata = ?`).run(JSON.stringify(merged));
  }

  /** newid: after a whole copy arrived, the copy gets an id of its own and knows it holds the sender's rows up to its last ROWID. */
  newId(senderId: string): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM replication_id').run();
      this.db.prepare('INSERT INTO replication_id (id) VALUES (?)').run(randomUUID());
      this.db.prepare('DELETE FROM outgoing_sync').run();
      this.mergeSyncs([{ remote_id: senderId, sync_point: this.maxRow() }], true);
    })();
  }

  /** Removes the delete rows (deleted = 1) older than `before` (reclaim). */
  reclaimDeletedRows(timestampColumn: string, before: string): number {
    return this.db.prepare(`DELETE FROM ${this.spec.table} WHERE deleted = 1 AND ${timestampColumn} < ?`).run(before).changes;
  }

  /** A whole copy of the database (what upstream rsyncs). */
  serialize(): Buffer {
    return this.db.serialize();
  }
}
