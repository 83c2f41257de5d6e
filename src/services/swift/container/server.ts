/**
 * The container server (swift/container/server.py): a container's database on each of its
 * devices — created by PUT, metadata by POST, removed by DELETE when empty — the object rows
 * the object servers send (PUT/DELETE of /<dev>/<part>/<a>/<c>/<o>), its listing by GET, its
 * counts by HEAD. The account learns of the container (PUT/DELETE at once, from the
 * X-Account-* headers the proxy sends) and of its counts (the container-updater's job, done
 * here shortly after each change, to every account replica of the account ring).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { HandleCache } from '../db/broker.js';
import { DbReplicationReceiver } from '../db/replication-server.js';
import { ContainerBroker, type ObjectUpdate } from '../db/container-broker.js';
import { hashPath, type HashConf } from '../ring/hash.js';
import type { Ring } from '../ring/ring.js';
import { backendCall, backendPath } from '../utils/backend-client.js';
import { replicationVerb } from '../utils/replication-verb.js';
import { guard, header, HttpStatus, requestTimestamp, send, splitPath } from '../utils/backend-http.js';
import { sendListing } from '../utils/listing-params.js';
import { renderListing, type ObjectRow } from '../utils/listing.js';
import { checkMetadata, titleCase, userMetadata } from '../utils/metadata.js';
import { listedEtag } from '../utils/etag-params.js';
import { listedSize } from '../utils/swift-bytes.js';
import { isoFromTimestamp } from '../utils/timestamp.js';
import { validateSyncTo, type ContainerSyncRealms } from '../utils/container-sync-realms.js';

export interface DbServerOptions {
  devices: string;
  hash: HashConf;
  listingLimit: number;
  timeouts: { connMs: number; nodeMs: number };
  log: { warn(obj: unknown, msg?: string): void; error(obj: unknown, msg?: string): void };
}

/** What the container server checks an X-Container-Sync-To against (container-server.conf's allowed_sync_hosts, the realms). */
export interface SyncToCheck {
  allowedSyncHosts: readonly string[];
  realms?: ContainerSyncRealms;
}

/** The container headers kept as metadata besides X-Container-Meta-* (ACLs, versioning, sync). */
const SYSTEM_HEADERS = ['x-container-read', 'x-container-write', 'x-container-sync-to', 'x-container-sync-key', 'x-versions-location', 'x-history-location'];

export class ContainerServer {
  readonly handles = new HandleCache();
  /** Containers to report to their account; `force` when the report of a PUT or DELETE of the container itself failed. */
  private readonly dirty = new Map<string, { device: string; account: string; container: string; force: boolean }>();
  private timer: NodeJS.Timeout | undefined;
  /** The updater pass in flight, awaited by close(). */
  private flushing: Promise<void> | undefined;
  private closing = false;

  private readonly replication: DbReplicationReceiver;
  /** Object rows waiting for this turn's commit, by database. */
  private readonly batches = new Map<string, { broker: ContainerBroker; rows: ObjectUpdate[]; waiters: Array<{ resolve: () => void; reject: (err: unknown) => void }> }>();

  constructor(private readonly opts: DbServerOptions & { sync?: SyncToCheck }, private readonly accountRing?: () => Ring, private readonly reportDelayMs = 200) {
    this.replication = new DbReplicationReceiver({ devicesRoot: opts.devices, dirName: 'containers', handles: this.handles, open: (c, p) => ContainerBroker.open(c, p) });
  }

  dbPath(device: string, partition: number, account: string, container: string): string {
    const h = hashPath(this.opts.hash, account, container);
    return join(this.opts.devices, device, 'containers', String(partition), h.slice(-3), h, `${h}.db`);
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    void guard(req, res, (err) => this.opts.log.error({ err }, 'container server error'), async () => {
      // the container replicator's RPC (db/replication-server.ts)
      if (replicationVerb(req) !== undefined) return this.replication.handle(req, res);
      const p = splitPath(req.url ?? '/', 'container');
      if (!p.container) throw new HttpStatus(400, 'Invalid path');
      const path = this.dbPath(p.device, p.partition, p.account, p.container);
      if (p.object !== undefined) {
        if (req.method === 'PUT' || req.method === 'DELETE') return this.objectUpdate(req, res, path, p.device, p.account, p.container, p.object);
        throw new HttpStatus(405, 'Method Not Allowed');
      }
      switch (req.method) {
        case 'PUT': return this.put(req, res, path, p.device, p.account, p.container);
        case 'GET':
        case 'HEAD': return this.getOrHead(req, res, path, p.account, p.container);
        case 'POST': return this.post(req, res, path);
        case 'DELETE': return this.delete(req, res, path, p.device, p.account, p.container);
        default: throw new HttpStatus(405, 'Method Not Allowed');
      }
    });
  }

  private metadataOf(req: IncomingMessage): Record<string, string> {
    const meta = userMetadata(req.headers, 'container');
    const problem = checkMetadata(meta, 'container');
    if (problem) throw new HttpStatus(400, problem);
    for (const [k, v] of Object.entries(req.headers)) if (k.startsWith('x-container-sysmeta-') && typeof v === 'string') meta[k] = v;
    for (const h of SYSTEM_HEADERS) {
      const v = header(req, h);
      if (v !== undefined) meta[h] = v;
    }
    for (const h of SYSTEM_HEADERS) if (header(req, `x-remove-${h.slice(2)}`) !== undefined) meta[h] = '';
    const syncTo = meta['x-container-sync-to'];
    if (syncTo) {
      const target = validateSyncTo(syncTo, this.opts.sync?.allowedSyncHosts ?? ['127.0.0.1'], this.opts.sync?.realms);
      if (target.error !== undefined) throw new HttpStatus(400, target.error);
    }
    return meta;
  }

  /** Metadata of a PUT or POST stored; a new X-Container-Sync-To starts container sync again from the first row. */
  private storeMetadata(broker: ContainerBroker, meta: Record<string, string>, ts: string): void {
    const syncTo = meta['x-container-sync-to'];
    const changed = syncTo !== undefined && syncTo !== (broker.metadata()['x-container-sync-to'] ?? '');
    broker.updateMetadata(meta, ts);
    if (changed) broker.setSyncPoints(-1, -1);
  }

  private async put(req: IncomingMessage, res: ServerResponse, path: string, device: string, account: string, container: string): Promise<void> {
    const ts = requestTimestamp(req);
    const meta = this.metadataOf(req);
    const policyHeader = header(req, 'x-backend-storage-policy-index');
    if (policyHeader !== undefined && !/^\d+$/.test(policyHeader)) throw new HttpStatus(400, 'Invalid X-Backend-Storage-Policy-Index');
    let broker = ContainerBroker.open(this.handles, path);
    let created = false;
    if (!broker) {
      broker = ContainerBroker.create(this.handles, path, join(this.opts.devices, device, 'tmp'), account, container, ts, Number(policyHeader ?? 0));
      created = true;
    } else if (policyHeader !== undefined && !broker.isDeleted() && broker.info().storage_policy_index !== Number(policyHeader)) {
      // a container's policy is chosen once (container/server.py: 409 on a mismatch)
      throw new HttpStatus(409, '', { 'X-Backend-Storage-Policy-Index': String(broker.info().storage_policy_index) });
    } else {
      created = broker.updatePutTimestamp(ts, policyHeader === undefined ? undefined : Number(policyHeader));
    }
    this.storeMetadata(broker, meta, ts);
    if (!(await this.accountUpdate(req, broker, account, container))) this.markDirty(device, account, container, path, true);
    send(res, created ? 201 : 202, {});
  }

  private async objectUpdate(req: IncomingMessage, res: ServerResponse, path: string, device: string, account: string, container: string, object: string): Promise<void> {
    const ts = requestTimestamp(req);
    const broker = ContainerBroker.open(this.handles, path);
    if (!broker) throw new HttpStatus(404, '');
    if (req.method === 'PUT') {
      const size = header(req, 'x-size') ?? '0';
      if (!/^\d+$/.test(size)) throw new HttpStatus(400, 'Invalid X-Size');
      await this.merge(broker, { name: object, timestamp: ts, size: Number(size), contentType: header(req, 'x-content-type') ?? 'application/octet-stream', etag: header(req, 'x-etag') ?? '', deleted: false });
      this.markDirty(device, account, container, path);
      send(res, 201, {});
    } else {
      await this.merge(broker, { name: object, timestamp: ts, size: 0, contentType: '', etag: '', deleted: true });
      this.markDirty(device, account, container, path);
      send(res, 204, {});
    }
  }

  /**
   * An object row merged into the container's database. The rows that came in the same turn of
   * the event loop (parsed from the sockets one poll made readable) are merged in one
   * transaction, committed before any of them is answered: one commit and its WAL frames
   * for several rows (upstream appends rows to a .pending file and merges them in batches).
   */
  private merge(broker: ContainerBroker, row: ObjectUpdate): Promise<void> {
    return new Promise((resolve, reject) => {
      let batch = this.batches.get(broker.path);
      if (!batch) {
        batch = { broker, rows: [], waiters: [] };
        this.batches.set(broker.path, batch);
        if (this.batches.size === 1) setImmediate(() => this.commitBatches());
      }
      batch.rows.push(row);
      batch.waiters.push({ resolve, reject });
    });
  }

  private commitBatches(): void {
    const batches = [...this.batches.values()];
    this.batches.clear();
    for (const b of batches) {
      try {
        b.broker.putObjects(b.rows);
      } catch (err) {
        for (const w of b.waiters) w.reject(err);
        continue;
      }
      for (const w of b.waiters) w.resolve();
    }
  }

  private async getOrHead(req: IncomingMessage, res: ServerResponse, path: string, account: string, container: string): Promise<void> {
    const broker = ContainerBroker.open(this.handles, path);
    if (!broker || broker.isDeleted()) throw new HttpStatus(404, '', broker ? { 'X-Backend-Timestamp': broker.info().delete_timestamp } : {});
    const info = broker.info();
    const headers: Record<string, string | number> = {
      'X-Container-Object-Count': info.object_count,
      'X-Container-Bytes-Used': info.bytes_used,
      'X-Timestamp': info.created_at,
      'X-PUT-Timestamp': info.put_timestamp,
      'X-Backend-Put-Timestamp': info.put_timestamp,
      'X-Backend-Delete-Timestamp': info.delete_timestamp,
      'X-Backend-Status-Changed-At': info.status_changed_at,
      'X-Backend-Storage-Policy-Index': info.storage_policy_index,
    };
    for (const [k, v] of Object.entries(broker.metadata())) headers[titleCase(k)] = v;
    sendListing<ObjectRow>(req, res, headers, this.opts.listingLimit, {
      list: (o) => broker.list(o),
      names: (o) => broker.listNames(o),
      render: (format, entries) => renderListing<ObjectRow>(format, 'container', container, entries, (r) => {
        const { bytes, contentType } = listedSize(r.size, r.content_type);
        const { hash, fields } = listedEtag(r.etag, account);
        return { hash, last_modified: isoFromTimestamp(r.created_at), bytes, name: r.name, content_type: contentType, ...fields };
      }, ['name', 'hash', 'bytes', 'content_type', 'last_modified']),
    });
  }

  private async post(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const ts = requestTimestamp(req);
    const meta = this.metadataOf(req);
    const broker = ContainerBroker.open(this.handles, path);
    if (!broker || broker.isDeleted()) throw new HttpStatus(404, '');
    this.storeMetadata(broker, meta, ts);
    send(res, 204, {});
  }

  private async delete(req: IncomingMessage, res: ServerResponse, path: string, device: string, account: string, container: string): Promise<void> {
    const ts = requestTimestamp(req);
    const broker = ContainerBroker.open(this.handles, path);
    if (!broker || broker.isDeleted()) throw new HttpStatus(404, '');
    if (broker.info().object_count > 0) throw new HttpStatus(409, 'There was a conflict when trying to complete your request.');
    broker.deleteDb(ts);
    if (!(await this.accountUpdate(req, broker, account, container))) this.markDirty(device, account, container, path, true);
    send(res, 204, {});
  }

  /** The container's put/delete and counts, to the account server(s) the proxy named; false when one was missed. */
  private async accountUpdate(req: IncomingMessage, broker: ContainerBroker, account: string, container: string): Promise<boolean> {
    const hosts = (header(req, 'x-account-host') ?? '').split(',').filter(Boolean);
    const devices = (header(req, 'x-account-device') ?? '').split(',').filter(Boolean);
    const partition = header(req, 'x-account-partition');
    if (!partition || !/^\d+$/.test(partition)) return true;
    const results = await Promise.all(hosts.map(async (host, i) => {
      const m = /^(.+):(\d+)$/.exec(host);
      const device = devices[i];
      if (!m || !device) return true;
      const ok = await this.report({ ip: m[1]!, port: Number(m[2]) }, device, Number(partition), account, container, broker);
      if (!ok) this.opts.log.warn({ host, account, container }, 'account update failed; the container-updater sends it again');
      return ok;
    }));
    return results.every(Boolean);
  }

  private async report(node: { ip: string; port: number }, device: string, partition: number, account: string, container: string, broker: ContainerBroker): Promise<boolean> {
    const info = broker.info();
    try {
      const r = await backendCall(node, 'PUT', backendPath(device, partition, account, container), {
        'X-Put-Timestamp': info.put_timestamp, 'X-Delete-Timestamp': info.delete_timestamp,
        'X-Object-Count': String(info.object_count), 'X-Bytes-Used': String(info.bytes_used), 'X-Timestamp': info.put_timestamp, 'Content-Length': 0,
        // a container's deletion is news also to an account marked deleted (the reaper's deletes)
        ...(broker.isDeleted() ? { 'X-Account-Override-Deleted': 'yes' } : {}),
      }, this.opts.timeouts);
      return r.status >= 200 && r.status < 300;
    } catch {
      return false;
    }
  }

  private markDirty(device: string, account: string, container: string, path: string, force = false): void {
    if (!this.accountRing) return;
    this.dirty.set(path, { device, account, container, force: force || (this.dirty.get(path)?.force ?? false) });
    this.schedule(this.reportDelayMs);
  }

  /** The next pass of the updater in `ms`, unless one is due already or the server is closing. */
  private schedule(ms: number): void {
    if (this.closing || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flushing = this.flush()
        .catch((err: Error) => this.opts.log.warn({ err: err.message }, 'container updater: pass failed'))
        .finally(() => { this.flushing = undefined; });
    }, ms);
  }

  /** The container-updater: reports each changed container's counts to every replica of its account. */
  async flush(): Promise<void> {
    if (!this.accountRing) return;
    let ring: Ring;
    try {
      ring = this.accountRing();
    } catch (err) {
      this.opts.log.warn({ err: (err as Error).message }, 'container updater: no account ring yet');
      this.schedule(2000);
      return;
    }
    const batch = [...this.dirty.entries()];
    this.dirty.clear();
    for (const [path, d] of batch) {
      if (this.closing) return;
      const broker = ContainerBroker.open(this.handles, path);
      if (!broker) continue;
      const info = broker.info();
      if (!d.force && info.object_count === info.reported_object_count && info.bytes_used === info.reported_bytes_used) continue;
      const { part, nodes } = ring.getNodes(d.account);
      const results = await Promise.all(nodes.map((n) => this.report(n, n.device, part, d.account, d.container, broker)));
      if (this.closing) return;
      if (results.filter(Boolean).length * 2 > nodes.length) broker.markReported(info.object_count, info.bytes_used);
      else this.dirty.set(path, d);
    }
    if (this.dirty.size > 0) this.schedule(Math.max(this.reportDelayMs, 2000));
  }

  /** Stops the updater, lets a pass in flight end (its databases stay open until then), closes the databases. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.flushing;
    this.handles.closeAll();
  }
}
