/**
 * The receiving side of database replication (swift/common/db_replicator.py ReplicatorRpc),
 * served by the account and container servers: `POST /<dev>/<part>/<hash>` with
 * X-Backend-Replication-Verb: REPLICATE and one operation in X-Backend-Replication-Op:
 *
 * - sync: the sender's replication info (JSON); its metadata and timestamps merged here, and
 *   this replica's info answered with `point`, how far the sender's rows were merged here
 *   (404 when this device has no such database: the sender then sends it whole);
 * - merge_items: rows (JSON {items, source_id}), merged newest-wins, the source's point moved;
 * - merge_syncs: the sender's incoming sync points (JSON {syncs});
 * - complete_rsync: a whole database file (the body; upstream rsyncs it first) put in place
 *   with an id of its own;
 * - rsync_then_merge: a whole database file whose rows are merged into the one here.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { header, HttpStatus, readJson, send } from '../utils/backend-http.js';
import { OP_HEADER } from '../utils/replication-verb.js';
import { HandleCache } from './broker.js';
import type { ItemRow, ReplicationInfo, ReplicationTables, SyncPoint } from './replication.js';

export const SOURCE_ID_HEADER = 'x-backend-replication-source-id';

/** A database's timestamps: '0' when never set, else Swift's normal form. */
const STAMP = /^\d{1,10}(\.\d{1,5})?$/;

/** What the receiver needs of a server: where its databases live and how to open one. */
export interface ReplicatedDbs {
  devicesRoot: string;
  /** 'accounts' or 'containers'. */
  dirName: string;
  handles: HandleCache;
  open(cache: HandleCache, path: string): { replication(): ReplicationTables } | undefined;
}

export const dbPathOf = (root: string, device: string, dirName: string, partition: number, hash: string): string =>
  join(root, device, dirName, String(partition), hash.slice(-3), hash, `${hash}.db`);

/** Merges every row of `from` into `into`, in batches (rsync_then_merge). */
export function mergeAllRows(from: ReplicationTables, into: ReplicationTables, sourceId: string): void {
  let point = -1;
  for (;;) {
    const rows = from.itemsSince(point, 1000);
    if (rows.length === 0) break;
    into.mergeItems(rows, sourceId);
    point = rows.at(-1)!.ROWID;
  }
}

export class DbReplicationReceiver {
  constructor(private readonly dbs: ReplicatedDbs) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') throw new HttpStatus(405, 'Method Not Allowed');
    const segs = (req.url ?? '/').split('?')[0]!.split('/').slice(1);
    const [device, partition, hash] = segs;
    if (segs.length !== 3 || !device || device.startsWith('.') || !/^\d+$/.test(partition ?? '') || !/^[0-9a-f]{32}$/.test(hash ?? '')) throw new HttpStatus(400, 'Invalid path');
    if (!existsSync(join(this.dbs.devicesRoot, device))) throw new HttpStatus(507, 'Insufficient Storage');
    const path = dbPathOf(this.dbs.devicesRoot, device, this.dbs.dirName, Number(partition), hash!);
    const op = header(req, OP_HEADER);
    switch (op) {
      case 'sync': return this.sync(req, res, path);
      case 'merge_items':
      case 'merge_syncs': return this.merge(req, res, path, op);
      case 'complete_rsync':
      case 'rsync_then_merge': return this.whole(req, res, path, device, op);
      default: throw new HttpStatus(400, `Unknown replication operation ${String(op)}`);
    }
  }

  private tables(path: string): ReplicationTables {
    const broker = this.dbs.open(this.dbs.handles, path);
    if (!broker) throw new HttpStatus(404, '');
    return broker.replication();
  }

  private async sync(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const remote = await readJson(req, 16 << 20) as ReplicationInfo;
    if (!remote || typeof remote.id !== 'string' || typeof remote.hash !== 'string' || !Number.isInteger(remote.point)
      || ![remote.created_at, remote.put_timestamp, remote.delete_timestamp].every((t) => typeof t === 'string' && STAMP.test(t))) {
      throw new HttpStatus(400, 'Invalid sync info');
    }
    const rt = this.tables(path);
    if (remote.metadata && typeof remote.metadata === 'object') rt.mergeMetadata(remote.metadata);
    rt.mergeTimestamps(String(remote.created_at), String(remote.put_timestamp), String(remote.delete_timestamp));
    const info = rt.info();
    info.point = rt.getSync(remote.id, true);
    if (remote.hash === info.hash && info.point < remote.point!) {
      rt.mergeSyncs([{ remote_id: remote.id, sync_point: remote.point! }], true);
      info.point = remote.point!;
    }
    send(res, 200, { 'Content-Type': 'application/json' }, JSON.stringify(info));
  }

  private async merge(req: IncomingMessage, res: ServerResponse, path: string, op: 'merge_items' | 'merge_syncs'): Promise<void> {
    const body = await readJson(req, 64 << 20) as { items?: ItemRow[]; source_id?: string; syncs?: SyncPoint[] };
    const rt = this.tables(path);
    if (op === 'merge_items') {
      if (!Array.isArray(body?.items) || body.items.some((r) => !r || typeof r.name !== 'string' || !Number.isInteger(r.ROWID))) throw new HttpStatus(400, 'Invalid items');
      rt.mergeItems(body.items, typeof body.source_id === 'string' ? body.source_id : undefined);
    } else {
      if (!Array.isArray(body?.syncs)) throw new HttpStatus(400, 'Invalid syncs');
      rt.mergeSyncs(body.syncs, true);
    }
    send(res, 204);
  }

  /** A whole database arrived: put in place when there is none here, else merged into the one here. */
  private async whole(req: IncomingMessage, res: ServerResponse, path: string, device: string, op: 'complete_rsync' | 'rsync_then_merge'): Promise<void> {
    const sourceId = header(req, SOURCE_ID_HEADER);
    if (!sourceId) throw new HttpStatus(400, 'Missing source id');
    if (op === 'complete_rsync' && existsSync(path)) {
      req.resume();
      throw new HttpStatus(409, 'The database exists');
    }
    const tmpDir = join(this.dbs.devicesRoot, device, 'tmp');
    mkdirSync(tmpDir, { recursive: true });
    const tmp = join(tmpDir, `${randomUUID()}.db`);
    const scratch = new HandleCache(1);
    try {
      await pipeline(req, createWriteStream(tmp, { flags: 'wx' }));
      let copy: ReplicationTables | undefined;
      try {
        copy = this.dbs.open(scratch, tmp)?.replication();
        copy?.maxRow();
      } catch {
        throw new HttpStatus(400, 'Not a database of this kind');
      }
      if (!copy) throw new HttpStatus(400, 'Not a database');
      if (op === 'complete_rsync') {
        copy.newId(sourceId);
        scratch.closeAll();
        mkdirSync(dirname(path), { recursive: true });
        if (existsSync(path)) throw new HttpStatus(409, 'The database exists');
        renameSync(tmp, path);
      } else {
        const here = this.tables(path);
        mergeAllRows(copy, here, sourceId);
        const info = copy.info();
        here.mergeMetadata(info.metadata);
        here.mergeTimestamps(info.created_at, info.put_timestamp, info.delete_timestamp);
      }
    } finally {
      scratch.closeAll();
      for (const f of [tmp, `${tmp}-wal`, `${tmp}-shm`]) rmSync(f, { force: true });
    }
    send(res, 204);
  }
}
