/**
 * The container sync daemon (swift/container/sync.py, Zed's): every container database on a
 * local device that has an X-Container-Sync-To and an X-Container-Sync-Key sends its object
 * rows on to that other container — a PUT of the object (read from this cluster's object
 * servers, the newest replica) or a DELETE — with the original X-Timestamp, signed for the
 * other side's container_sync middleware (proxy/middleware/container-sync.ts).
 *
 * Each replica of a container sends its own share of the new rows first (the rows whose name
 * hashes to its index among the container's primaries, so 3 replicas split the work), moving
 * sync point 1; it then goes over every row between sync point 2 and sync point 1, where a row
 * another replica failed to send is sent again (a HEAD first: what the other side already has
 * at that time or later is not sent twice). A failed row keeps sync point 2 before it, so it is
 * tried again on the next pass. A pass spends at most container_time seconds on one container.
 *
 * Not synced: containers of erasure-coded policies (counted as failures and logged; the object
 * would have to be decoded from its fragments), and objects are sent as their bytes: a static
 * large object's manifest arrives as a plain object, and a symlink as its target's content.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { request as httpRequest } from 'undici';
import { HandleCache } from '../db/broker.js';
import { ContainerBroker, type SyncRow } from '../db/container-broker.js';
import { localDevices, type Locality } from '../daemons/local-devices.js';
import { hashPathRaw, type HashConf } from '../ring/hash.js';
import type { Ring, RingNode } from '../ring/ring.js';
import { backendCall, backendPath, backendRequest } from '../utils/backend-client.js';
import { syncSignature, validateSyncTo, type ContainerSyncRealms } from '../utils/container-sync-realms.js';
import { listDir } from '../utils/list-dir.js';
import { normalizeTimestamp } from '../utils/timestamp.js';

export interface ContainerSyncOptions {
  containerRing: () => Ring;
  /** The object ring of a storage policy. */
  objectRing: (policyIndex: number) => Ring;
  /** The erasure-coded policies' indexes (their containers are not synced). */
  ecPolicies: ReadonlySet<number>;
  hash: HashConf;
  locality: Locality;
  realms: ContainerSyncRealms;
  allowedSyncHosts: readonly string[];
  /** Seconds spent on one container in one pass at most. */
  containerTimeS: number;
  timeouts: { connMs: number; nodeMs: number };
  log: { info(obj: unknown, msg?: string): void; warn(obj: unknown, msg?: string): void };
  now?: () => number;
}

export interface ContainerSyncStats {
  /** Containers looked at (this node one of their primaries). */
  containers: number;
  /** Containers synced (their sync points moved as far as there were rows, or as time allowed). */
  syncs: number;
  /** Containers without sync settings, or with object versioning. */
  skips: number;
  /** Containers or rows that failed. */
  failures: number;
  puts: number;
  deletes: number;
}

/** Where a container's rows go. */
interface Target {
  endpoint: string;
  userKey: string;
  realm?: string;
  realmKey?: string;
}

const VERSIONS_SYSMETA = 'x-container-sysmeta-versions-container';
/** The headers of the object server's GET that travel with the copy (what a client could set). */
const COPIED = /^(content-type|content-encoding|content-disposition|content-length|etag|x-delete-at|x-object-manifest|x-object-meta-.*)$/;

/** urllib's quote (safe '/'): what the sender signs is the path it sends. */
const quote = (s: string) => encodeURIComponent(s).replace(/%2F/g, '/').replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

class RowFailed extends Error {}

export class ContainerSync {
  private readonly handles = new HandleCache(16);
  private readonly now: () => number;

  constructor(private readonly opts: ContainerSyncOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** One pass over the container databases of the local devices (run_once). */
  async syncOnce(only: { devices?: readonly string[] } = {}): Promise<ContainerSyncStats> {
    const stats: ContainerSyncStats = { containers: 0, syncs: 0, skips: 0, failures: 0, puts: 0, deletes: 0 };
    const ring = this.opts.containerRing();
    try {
      for (const dev of localDevices(ring.devs, this.opts.locality)) {
        if (only.devices?.length && !only.devices.includes(dev.device)) continue;
        const root = join(this.opts.locality.devicesRoot, dev.device, 'containers');
        for (const part of listDir(root).filter((p) => /^\d+$/.test(p))) {
          for (const suffix of listDir(join(root, part))) {
            for (const hash of listDir(join(root, part, suffix))) {
              if (!/^[0-9a-f]{32}$/.test(hash)) continue;
              const path = join(root, part, suffix, hash, `${hash}.db`);
              try {
                await this.syncContainer(ring, dev.id, path, stats);
              } catch (err) {
                stats.failures++;
                this.opts.log.warn({ db: path, err: (err as Error).message }, 'container sync: container failed');
              }
            }
          }
        }
      }
    } finally {
      this.handles.closeAll();
    }
    this.opts.log.info({ ...stats }, 'container sync pass done');
    return stats;
  }

  private async syncContainer(ring: Ring, deviceId: number, path: string, stats: ContainerSyncStats): Promise<void> {
    const broker = ContainerBroker.open(this.handles, path);
    if (!broker) return;
    const info = broker.info();
    const nodes = ring.getNodes(info.account, info.container).nodes;
    const ordinal = nodes.findIndex((n) => n.id === deviceId);
    if (ordinal < 0 || broker.isDeleted()) return; // a handoff copy: its primaries sync
    stats.containers++;
    const meta = broker.metadata();
    if (meta[VERSIONS_SYSMETA]) {
      stats.skips++;
      this.opts.log.warn({ account: info.account, container: info.container }, 'container sync: skipping a container with object versioning');
      return;
    }
    const syncTo = meta['x-container-sync-to'];
    const userKey = meta['x-container-sync-key'];
    if (!syncTo || !userKey) {
      stats.skips++;
      return;
    }
    const checked = validateSyncTo(syncTo, this.opts.allowedSyncHosts, this.opts.realms);
    if (checked.error !== undefined || checked.endpoint === undefined) {
      stats.failures++;
      this.opts.log.warn({ db: path, err: checked.error ?? 'no realms' }, 'container sync: X-Container-Sync-To refused');
      return;
    }
    const target: Target = { endpoint: checked.endpoint, userKey, ...(checked.realm !== undefined ? { realm: checked.realm, realmKey: checked.realmKey! } : {}) };
    const stopAt = this.now() + this.opts.containerTimeS * 1000;
    let { point1, point2 } = broker.syncPoints();
    // every row between the two points: what another replica's share may have missed
    let retryFrom: number | undefined;
    while (this.now() < stopAt && point2 < point1) {
      const row = broker.itemsSince(point2, 1)[0];
      if (!row || row.rowid > point1) break;
      if (!(await this.syncRow(row, target, info.account, info.container, info.storage_policy_index, stats))) retryFrom ??= point2;
      point2 = row.rowid;
      broker.setSyncPoints(undefined, point2);
    }
    if (retryFrom !== undefined) broker.setSyncPoints(undefined, retryFrom);
    // the new rows: this replica's share
    while (this.now() < stopAt) {
      const row = broker.itemsSince(point1, 1)[0];
      if (!row) break;
      if (hashPathRaw(this.opts.hash, info.account, info.container, row.name).readUInt32BE(0) % nodes.length === ordinal) {
        await this.syncRow(row, target, info.account, info.container, info.storage_policy_index, stats);
      }
      point1 = row.rowid;
      broker.setSyncPoints(point1, undefined);
    }
    stats.syncs++;
  }

  /** Sends one row on; false when it failed (it is tried again on a later pass). */
  private async syncRow(row: SyncRow, target: Target, account: string, container: string, policyIndex: number, stats: ContainerSyncStats): Promise<boolean> {
    try {
      const ts = normalizeTimestamp(row.created_at);
      if (row.deleted) {
        const res = await this.remote(target, 'DELETE', row.name, { 'x-timestamp': ts });
        // gone already, or a newer object there
        if (!(res.status >= 200 && res.status < 300) && res.status !== 404 && res.status !== 409) throw new RowFailed(`DELETE: ${res.status}`);
        stats.deletes++;
        return true;
      }
      const head = await this.remote(target, 'HEAD', row.name, { 'x-timestamp': ts });
      if (head.status >= 200 && head.status < 300) {
        const remoteTs = String(head.headers['x-timestamp'] ?? '0');
        if (remoteTs >= ts) return true;
      } else if (head.status !== 404) throw new RowFailed(`HEAD: ${head.status}`);
      if (this.opts.ecPolicies.has(policyIndex)) throw new RowFailed('erasure-coded containers are not synced');
      const source = await this.newest(account, container, row.name, policyIndex, ts);
      const headers: Record<string, string> = { 'x-timestamp': source.timestamp };
      for (const [k, v] of Object.entries(source.headers)) if (typeof v === 'string' && COPIED.test(k)) headers[k] = v;
      if (headers.etag) headers.etag = headers.etag.replace(/^"(.*)"$/, '$1');
      const put = await this.remote(target, 'PUT', row.name, headers, source.body);
      if (!(put.status >= 200 && put.status < 300)) throw new RowFailed(`PUT: ${put.status}`);
      stats.puts++;
      return true;
    } catch (err) {
      stats.failures++;
      this.opts.log.warn({ account, container, object: row.name, to: target.endpoint, err: (err as Error).message }, 'container sync: row not synced');
      return false;
    }
  }

  /** The newest replica of the object (X-Newest), at `ts` or later; its body to be read. */
  private async newest(account: string, container: string, object: string, policyIndex: number, ts: string): Promise<{ timestamp: string; headers: Record<string, string | string[] | undefined>; body: Readable }> {
    const { part, nodes } = this.opts.objectRing(policyIndex).getNodes(account, container, object);
    const path = (n: RingNode) => backendPath(n.device, part, account, container, object);
    const policy = { 'X-Backend-Storage-Policy-Index': String(policyIndex) };
    const heads = await Promise.all(nodes.map(async (n) => {
      try {
        const r = await backendCall(n, 'HEAD', path(n), policy, this.opts.timeouts);
        return r.status === 200 ? { node: n, timestamp: String(r.headers['x-timestamp'] ?? '') } : undefined;
      } catch {
        return undefined;
      }
    }));
    const best = heads.filter((h) => h !== undefined).sort((a, b) => (a.timestamp < b.timestamp ? 1 : -1))[0];
    if (!best || best.timestamp < ts) throw new RowFailed(`no replica of the object at ${ts} or later`);
    const res = await backendRequest(best.node, 'GET', path(best.node), policy, undefined, this.opts.timeouts);
    if (res.status !== 200) {
      res.body.resume();
      throw new RowFailed(`GET from ${best.node.ip}:${best.node.port}: ${res.status}`);
    }
    return { timestamp: String(res.headers['x-timestamp'] ?? best.timestamp), headers: res.headers, body: res.body };
  }

  /** A request to the other container, signed for its realm (or with the key, the older way). */
  private async remote(target: Target, method: string, name: string, headers: Record<string, string>, body?: Readable): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
    const url = `${target.endpoint}/${quote(name)}`;
    const signed: Record<string, string> = { ...headers };
    if (target.realm !== undefined && target.realmKey !== undefined) {
      const nonce = randomUUID().replace(/-/g, '');
      const sig = syncSignature(method, new URL(url).pathname, headers['x-timestamp'] ?? '0', nonce, target.realmKey, target.userKey);
      signed['x-container-sync-auth'] = `${target.realm} ${nonce} ${sig}`;
    } else {
      signed['x-container-sync-key'] = target.userKey;
    }
    try {
      const res = await httpRequest(url, {
        method, headers: signed, body: body ?? null,
        headersTimeout: this.opts.timeouts.nodeMs, bodyTimeout: this.opts.timeouts.nodeMs,
      });
      await res.body.dump();
      return { status: res.statusCode, headers: res.headers };
    } catch (err) {
      body?.destroy();
      throw new RowFailed(`${method} ${url}: ${(err as Error).message}`);
    }
  }
}
