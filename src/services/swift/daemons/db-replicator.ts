/**
 * The account and container replicators (swift/common/db_replicator.py): every database on the
 * local devices is compared with its replica on each other primary (the sync RPC,
 * db/replication-server.ts) and brought level —
 *
 * - nothing to do when the remote has merged this one's rows up to its last ROWID, or when the
 *   two hash the same;
 * - the whole file sent when the remote has none (complete_rsync) or holds less than half as
 *   many rows and more than per_diff fewer (rsync_then_merge);
 * - otherwise the rows since the remote's sync point, per_diff at a time, at most max_diffs
 *   batches a pass (usync), then the sync points.
 *
 * A database on a device that is not one of its primaries (a handoff) is removed once every
 * primary took it and no row arrived meanwhile. Rows of deletes older than reclaim_age are
 * reclaimed, and so is a deleted database.
 */
import { rmdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Ring } from '../ring/ring.js';
import type { RingDevice } from '../ring/ring-data.js';
import { eachLimited } from './each-limited.js';
import { localDevices, type Locality } from './local-devices.js';
import { backendCall } from '../utils/backend-client.js';
import { OP_HEADER, VERB_HEADER } from '../utils/replication-verb.js';
import { nowTimestamp } from '../utils/timestamp.js';
import { HandleCache } from '../db/broker.js';
import { SOURCE_ID_HEADER } from '../db/replication-server.js';
import type { ReplicationInfo, ReplicationTables } from '../db/replication.js';
import { listDir } from '../utils/list-dir.js';

/** A database as the replicator needs it. */
export interface ReplicatedBroker {
  replication(): ReplicationTables;
  isDeleted(): boolean;
  info(): { delete_timestamp: string; container_count?: number };
}

export interface DbReplicatorOptions {
  /** 'account' or 'container'. */
  kind: 'account' | 'container';
  ring: () => Ring;
  locality: Locality;
  open(cache: HandleCache, path: string): ReplicatedBroker | undefined;
  /** The column of a delete row's timestamp ('created_at' for objects, 'delete_timestamp' for containers). */
  deletedRowTimestamp: string;
  reclaimAgeS: number;
  concurrency: number;
  perDiff: number;
  maxDiffs: number;
  timeouts: { connMs: number; nodeMs: number };
  log: { info(obj: unknown, msg?: string): void; warn(obj: unknown, msg?: string): void };
}

export interface DbReplicationStats {
  attempted: number;
  success: number;
  failure: number;
  noChange: number;
  hashMatch: number;
  rsync: number;
  remoteMerge: number;
  diff: number;
  diffCapped: number;
  removed: number;
  reclaimed: number;
}

class DriveNotMounted extends Error {}

const addr = (n: RingDevice) => ({ ip: n.replication_ip || n.ip, port: n.replication_port || n.port });

export class DbReplicator {
  private readonly handles = new HandleCache(32);

  constructor(private readonly opts: DbReplicatorOptions) {}

  private get dirName(): string {
    return `${this.opts.kind}s`;
  }

  /** One pass over the databases of the local devices (run_once). */
  async replicateOnce(only: { devices?: readonly string[] } = {}): Promise<DbReplicationStats> {
    const stats: DbReplicationStats = { attempted: 0, success: 0, failure: 0, noChange: 0, hashMatch: 0, rsync: 0, remoteMerge: 0, diff: 0, diffCapped: 0, removed: 0, reclaimed: 0 };
    const ring = this.opts.ring();
    const jobs: Array<{ dev: RingDevice; part: number; path: string; hash: string }> = [];
    for (const dev of localDevices(ring.devs, this.opts.locality)) {
      if (only.devices?.length && !only.devices.includes(dev.device)) continue;
      const root = join(this.opts.locality.devicesRoot, dev.device, this.dirName);
      for (const part of listDir(root).filter((p) => /^\d+$/.test(p))) {
        for (const suffix of listDir(join(root, part))) {
          for (const hash of listDir(join(root, part, suffix))) {
            if (!/^[0-9a-f]{32}$/.test(hash)) continue;
            jobs.push({ dev, part: Number(part), hash, path: join(root, part, suffix, hash, `${hash}.db`) });
          }
        }
      }
    }
    await eachLimited(jobs, this.opts.concurrency, async (job) => {
      try {
        await this.replicateDb(ring, job.dev, job.part, job.hash, job.path, stats);
      } catch (err) {
        stats.failure++;
        this.opts.log.warn({ db: job.path, err: (err as Error).message }, `${this.opts.kind} replicator: database failed`);
      }
    });
    this.handles.closeAll();
    this.opts.log.info({ ...stats }, `${this.opts.kind} replication pass done`);
    return stats;
  }

  private async replicateDb(ring: Ring, dev: RingDevice, part: number, hash: string, path: string, stats: DbReplicationStats): Promise<void> {
    const broker = this.opts.open(this.handles, path);
    if (!broker) return;
    const rt = broker.replication();
    const reclaimBefore = nowTimestamp(Date.now() - this.opts.reclaimAgeS * 1000);
    rt.reclaimDeletedRows(this.opts.deletedRowTimestamp, reclaimBefore);
    const state = broker.info();
    // a deleted database (an account only once the reaper emptied it) is forgotten after reclaim_age
    if (broker.isDeleted() && state.delete_timestamp < reclaimBefore && (state.container_count ?? 0) === 0) {
      this.remove(path);
      stats.reclaimed++;
      return;
    }
    stats.attempted++;
    const info = rt.info();
    const primaries = ring.getPartNodes(part);
    const isPrimary = primaries.some((n) => n.id === dev.id);
    const targets = primaries.filter((n) => n.id !== dev.id);
    const more = ring.getMoreNodes(part);
    const responses: boolean[] = [];
    for (let i = 0; i < targets.length; i++) {
      const node = targets[i]!;
      let ok = false;
      try {
        ok = await this.replToNode(node, part, hash, rt, info, stats);
      } catch (err) {
        if (err instanceof DriveNotMounted && isPrimary) {
          // an unmounted primary: its replica goes to the next handoff meanwhile
          for (let h = more.next(); !h.done; h = more.next()) {
            if (h.value.id !== dev.id) {
              targets.push(h.value);
              break;
            }
          }
        }
        this.opts.log.warn({ node: `${node.ip}:${node.port}/${node.device}`, err: (err as Error).message }, `${this.opts.kind} replicator: node failed`);
      }
      responses.push(ok);
      if (ok) stats.success++;
      else stats.failure++;
    }
    // a handoff copy goes once every primary has it and nothing was written to it meanwhile
    if (!isPrimary && responses.length > 0 && responses.every(Boolean) && rt.maxRow() === info.max_row) {
      this.remove(path);
      stats.removed++;
    }
  }

  private rpc(node: RingDevice, part: number, hash: string, op: string, body: string | Buffer, headers: Record<string, string> = {}) {
    return backendCall(addr(node), 'POST', `/${encodeURIComponent(node.device)}/${part}/${hash}`,
      { [VERB_HEADER]: 'REPLICATE', [OP_HEADER]: op, 'Content-Type': typeof body === 'string' ? 'application/json' : 'application/octet-stream', ...headers },
      { connMs: this.opts.timeouts.connMs, nodeMs: Math.max(this.opts.timeouts.nodeMs, 30_000) }, body);
  }

  /** _repl_to_node: true when the remote replica is level with this one. */
  private async replToNode(node: RingDevice, part: number, hash: string, rt: ReplicationTables, info: ReplicationInfo, stats: DbReplicationStats): Promise<boolean> {
    const r = await this.rpc(node, part, hash, 'sync', JSON.stringify({ ...info, point: info.max_row }));
    if (r.status === 404) {
      stats.rsync++;
      return this.sendWhole(node, part, hash, rt, info.id, 'complete_rsync');
    }
    if (r.status === 507) throw new DriveNotMounted('507 Insufficient Storage');
    if (r.status < 200 || r.status >= 300) return false;
    const remote = JSON.parse(r.text) as ReplicationInfo & { point: number };
    const localSync = rt.getSync(remote.id, false);
    if (remote.metadata) rt.mergeMetadata(remote.metadata);
    if (Math.max(remote.point, localSync) >= info.max_row) {
      stats.noChange++;
      return true;
    }
    if (remote.hash === info.hash) {
      stats.hashMatch++;
      rt.mergeSyncs([{ remote_id: remote.id, sync_point: remote.point }], false);
      return true;
    }
    if (remote.max_row / info.max_row < 0.5 && info.max_row - remote.max_row > this.opts.perDiff) {
      stats.remoteMerge++;
      return this.sendWhole(node, part, hash, rt, info.id, 'rsync_then_merge');
    }
    return this.usync(node, part, hash, rt, Math.max(remote.point, localSync), remote.id, info.id, stats);
  }

  /** The whole database, where upstream rsyncs the file. */
  private async sendWhole(node: RingDevice, part: number, hash: string, rt: ReplicationTables, localId: string, op: 'complete_rsync' | 'rsync_then_merge'): Promise<boolean> {
    const r = await this.rpc(node, part, hash, op, rt.serialize(), { [SOURCE_ID_HEADER]: localId });
    if (r.status === 507) throw new DriveNotMounted('507 Insufficient Storage');
    return r.status >= 200 && r.status < 300;
  }

  /** _usync_db: the rows since `point`, per_diff at a time, then this one's sync points. */
  private async usync(node: RingDevice, part: number, hash: string, rt: ReplicationTables, point: number, remoteId: string, localId: string, stats: DbReplicationStats): Promise<boolean> {
    stats.diff++;
    let items = rt.itemsSince(point, this.opts.perDiff);
    let batches = 0;
    while (items.length > 0 && batches < this.opts.maxDiffs) {
      batches++;
      const r = await this.rpc(node, part, hash, 'merge_items', JSON.stringify({ items, source_id: localId }));
      if (r.status < 200 || r.status >= 300) return false;
      point = items.at(-1)!.ROWID;
      items = rt.itemsSince(point, this.opts.perDiff);
    }
    if (items.length > 0) {
      stats.diffCapped++;
      return false;
    }
    const r = await this.rpc(node, part, hash, 'merge_syncs', JSON.stringify({ syncs: rt.getSyncs(true) }));
    if (r.status < 200 || r.status >= 300) return false;
    rt.mergeSyncs([{ remote_id: remoteId, sync_point: point }], false);
    return true;
  }

  /** Removes a database and the directories it leaves empty. */
  private remove(path: string): void {
    this.handles.close(path);
    const hashDir = dirname(path);
    rmSync(hashDir, { recursive: true, force: true });
    for (let d = dirname(hashDir), i = 0; i < 2; d = dirname(d), i++) {
      try {
        rmdirSync(d);
      } catch {
        break;
      }
    }
  }
}

