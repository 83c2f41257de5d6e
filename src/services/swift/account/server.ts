/**
 * The account server (swift/account/server.py): an account's database on each of its devices
 * — created by PUT, metadata by POST, marked deleted by DELETE — the container rows the
 * container servers report (PUT /<dev>/<part>/<a>/<c>), its listing by GET and its totals by
 * HEAD.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { AccountBroker } from '../db/account-broker.js';
import { HandleCache } from '../db/broker.js';
import { DbReplicationReceiver } from '../db/replication-server.js';
import { hashPath } from '../ring/hash.js';
import type { DbServerOptions } from '../container/server.js';
import { replicationVerb } from '../utils/replication-verb.js';
import { guard, header, HttpStatus, requestTimestamp, send, splitPath } from '../utils/backend-http.js';
import { sendListing } from '../utils/listing-params.js';
import { renderListing, type ContainerRow } from '../utils/listing.js';
import { checkMetadata, titleCase, userMetadata } from '../utils/metadata.js';
import { isoFromTimestamp } from '../utils/timestamp.js';


export class AccountServer {
  readonly handles = new HandleCache();

  private readonly replication: DbReplicationReceiver;

  constructor(private readonly opts: DbServerOptions) {
    this.replication = new DbReplicationReceiver({ devicesRoot: opts.devices, dirName: 'accounts', handles: this.handles, open: (c, p) => AccountBroker.open(c, p) });
  }

  dbPath(device: string, partition: number, account: string): string {
    const h = hashPath(this.opts.hash, account);
    return join(this.opts.devices, device, 'accounts', String(partition), h.slice(-3), h, `${h}.db`);
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    void guard(req, res, (err) => this.opts.log.error({ err }, 'account server error'), async () => {
      // the account replicator's RPC (db/replication-server.ts)
      if (replicationVerb(req) !== undefined) return this.replication.handle(req, res);
      const p = splitPath(req.url ?? '/', 'account');
      const path = this.dbPath(p.device, p.partition, p.account);
      if (p.container !== undefined) {
        if (req.method === 'PUT') return this.containerReport(req, res, path, p.container);
        throw new HttpStatus(405, 'Method Not Allowed');
      }
      switch (req.method) {
        case 'PUT': return this.put(req, res, path, p.device, p.account);
        case 'GET':
        case 'HEAD': return this.getOrHead(req, res, path, p.account);
        case 'POST': return this.post(req, res, path);
        case 'DELETE': return this.delete(req, res, path);
        default: throw new HttpStatus(405, 'Method Not Allowed');
      }
    });
  }

  private metadataOf(req: IncomingMessage): Record<string, string> {
    const meta = userMetadata(req.headers, 'account');
    const problem = checkMetadata(meta, 'account');
    if (problem) throw new HttpStatus(400, problem);
    return meta;
  }

  private async put(req: IncomingMessage, res: ServerResponse, path: string, device: string, account: string): Promise<void> {
    const ts = requestTimestamp(req);
    const meta = this.metadataOf(req);
    let broker = AccountBroker.open(this.handles, path);
    let created = false;
    if (!broker) {
      broker = AccountBroker.create(this.handles, path, join(this.opts.devices, device, 'tmp'), account, ts);
      created = true;
    } else if (broker.isDeleted()) {
      // a deleted account stays deleted until its data is reaped and its database reclaimed
      throw new HttpStatus(403, 'Recently deleted', { 'X-Account-Status': 'Deleted' });
    } else {
      created = broker.updatePutTimestamp(ts);
    }
    broker.updateMetadata(meta, ts);
    send(res, created ? 201 : 202, {});
  }

  private async containerReport(req: IncomingMessage, res: ServerResponse, path: string, container: string): Promise<void> {
    const broker = AccountBroker.open(this.handles, path);
    // a deleted account takes only the deletions of its containers (X-Account-Override-Deleted, the reaper's)
    const override = (header(req, 'x-account-override-deleted') ?? '').toLowerCase() === 'yes';
    if (!broker || (broker.isDeleted() && !override)) throw new HttpStatus(404, '');
    const ZERO = '0000000000.00000';
    const put = header(req, 'x-put-timestamp') ? requestTimestamp(req, 'x-put-timestamp') : ZERO;
    const del = header(req, 'x-delete-timestamp') ? requestTimestamp(req, 'x-delete-timestamp') : ZERO;
    const count = header(req, 'x-object-count') ?? '0';
    const bytes = header(req, 'x-bytes-used') ?? '0';
    if (!/^\d+$/.test(count) || !/^\d+$/.test(bytes)) throw new HttpStatus(400, 'Invalid counts');
    broker.putContainer(container, put, del, Number(count), Number(bytes));
    send(res, 201, {});
  }

  private async getOrHead(req: IncomingMessage, res: ServerResponse, path: string, account: string): Promise<void> {
    const broker = AccountBroker.open(this.handles, path);
    if (!broker || broker.isDeleted()) throw new HttpStatus(404, '', broker ? { 'X-Account-Status': 'Deleted' } : {});
    const info = broker.info();
    const headers: Record<string, string | number> = {
      'X-Account-Container-Count': info.container_count,
      'X-Account-Object-Count': info.object_count,
      'X-Account-Bytes-Used': info.bytes_used,
      'X-Timestamp': info.created_at,
      'X-PUT-Timestamp': info.put_timestamp,
    };
    // Per-policy usage (account/utils.py get_response_headers), for the policies that have
    // containers: the one policy there is (Policy-0) holds them all.
    if (info.container_count > 0) {
      headers['X-Account-Storage-Policy-Policy-0-Container-Count'] = info.container_count;
      headers['X-Account-Storage-Policy-Policy-0-Object-Count'] = info.object_count;
      headers['X-Account-Storage-Policy-Policy-0-Bytes-Used'] = info.bytes_used;
    }
    for (const [k, v] of Object.entries(broker.metadata())) headers[titleCase(k)] = v;
    sendListing<ContainerRow>(req, res, headers, this.opts.listingLimit, {
      list: (o) => broker.list(o),
      names: (o) => broker.listNames(o),
      render: (format, entries) => renderListing<ContainerRow>(format, 'account', account, entries, (r) => ({
        name: r.name, count: r.object_count, bytes: r.bytes_used, last_modified: isoFromTimestamp(r.put_timestamp),
      }), ['name', 'count', 'bytes', 'last_modified']),
    });
  }

  private async post(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const ts = requestTimestamp(req);
    const meta = this.metadataOf(req);
    const broker = AccountBroker.open(this.handles, path);
    if (!broker || broker.isDeleted()) throw new HttpStatus(404, '');
    broker.updateMetadata(meta, ts);
    send(res, 204, {});
  }

  private async delete(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const ts = requestTimestamp(req);
    const broker = AccountBroker.open(this.handles, path);
    if (!broker || broker.isDeleted()) throw new HttpStatus(404, '');
    broker.deleteDb(ts);
    send(res, 204, {});
  }

  close(): void {
    this.handles.closeAll();
  }
}
