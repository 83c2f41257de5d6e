/**
 * The account reaper (swift/account/reaper.py): an account marked deleted (DELETE by a
 * reseller admin) keeps its containers and objects until the reaper removes them. For every
 * deleted account database on a local device that is one of the account's primaries (and
 * delay_reaping after the deletion), each of its containers that falls in this replica's share
 * (md5(container) % replicas, so the replicas split the work) is emptied — every object deleted
 * on each of its object replicas, the container replicas told as the proxy would — and then
 * deleted on its container replicas, which tell the account. Once the account lists no
 * container the account replicator reclaims its database after reclaim_age.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { AccountBroker } from '../db/account-broker.js';
import { HandleCache } from '../db/broker.js';
import type { Ring, RingNode } from '../ring/ring.js';
import { eachLimited } from '../daemons/each-limited.js';
import { isLocal, type Locality } from '../daemons/local-devices.js';
import { backendCall, backendPath } from '../utils/backend-client.js';
import { nowTimestamp } from '../utils/timestamp.js';
import { listDir } from '../utils/list-dir.js';

export const OVERRIDE_DELETED_HEADER = 'X-Account-Override-Deleted';

export interface AccountReaperOptions {
  rings: { account: () => Ring; container: () => Ring; object: () => Ring };
  locality: Locality;
  /** Objects deleted at once. */
  concurrency: number;
  delayReapingS: number;
  timeouts: { connMs: number; nodeMs: number };
  log: { info(obj: unknown, msg?: string): void; warn(obj: unknown, msg?: string): void };
}

export interface ReapStats {
  accounts: number;
  containersDeleted: number;
  objectsDeleted: number;
  containersRemaining: number;
  objectsRemaining: number;
}

const hostOf = (n: RingNode) => `${n.ip}:${n.port}`;
const ok = (status: number) => (status >= 200 && status < 300) || status === 404;


export class AccountReaper {
  private readonly handles = new HandleCache(16);

  constructor(private readonly opts: AccountReaperOptions) {}

  /** One pass (run_once). */
  async reapOnce(only: { devices?: readonly string[] } = {}): Promise<ReapStats> {
    const stats: ReapStats = { accounts: 0, containersDeleted: 0, objectsDeleted: 0, containersRemaining: 0, objectsRemaining: 0 };
    const ring = this.opts.rings.account();
    const root = this.opts.locality.devicesRoot;
    const devices = new Set(ring.devs.filter((d) => d && isLocal(d, this.opts.locality)).map((d) => d!.device));
    for (const device of devices) {
      if (only.devices?.length && !only.devices.includes(device)) continue;
      const accounts = join(root, device, 'accounts');
      for (const part of listDir(accounts).filter((p) => /^\d+$/.test(p))) {
        const nodes = ring.getPartNodes(Number(part));
        const shard = nodes.findIndex((n) => n.device === device && isLocal(n, this.opts.locality));
        if (shard < 0) continue; // only primaries reap
        for (const suffix of listDir(join(accounts, part))) {
          for (const hash of listDir(join(accounts, part, suffix))) {
            const broker = AccountBroker.open(this.handles, join(accounts, part, suffix, hash, `${hash}.db`));
            if (!broker || !broker.isDeleted()) continue;
            const info = broker.info();
            if (Number(info.delete_timestamp) + this.opts.delayReapingS > Date.now() / 1000) continue;
            if (broker.list({ limit: 1, allowReserved: true }).length === 0) continue;
            stats.accounts++;
            await this.reapAccount(broker, nodes.length, shard, stats);
          }
        }
      }
    }
    this.handles.closeAll();
    this.opts.log.info({ ...stats }, 'account reaper pass done');
    return stats;
  }

  private async reapAccount(broker: AccountBroker, replicas: number, shard: number, stats: ReapStats): Promise<void> {
    const account = broker.info().account;
    let marker = '';
    for (;;) {
      const page = broker.list({ limit: 1000, marker, allowReserved: true });
      if (page.length === 0) break;
      for (const entry of page) {
        if (!('row' in entry)) continue;
        marker = entry.row.name;
        const mine = createHash('md5').update(entry.row.name).digest().readUInt32BE(12) % replicas === shard;
        if (mine) await this.reapContainer(account, entry.row.name, stats);
      }
    }
    this.opts.log.info({ account }, 'account reaper: pass over a deleted account done');
  }

  /** Empties a container on every replica, then deletes it. */
  private async reapContainer(account: string, container: string, stats: ReapStats): Promise<void> {
    const cring = this.opts.rings.container();
    const { part: cpart, nodes: cnodes } = cring.getNodes(account, container);
    const oring = this.opts.rings.object();
    let marker = '';
    let remaining = false;
    for (;;) {
      const names = await this.listObjects(cnodes, cpart, account, container, marker);
      if (names === undefined) {
        remaining = true;
        break;
      }
      if (names.length === 0) break;
      await eachLimited(names, this.opts.concurrency, async (name) => {
        if (await this.reapObject(oring, cnodes, cpart, account, container, name)) stats.objectsDeleted++;
        else {
          stats.objectsRemaining++;
          remaining = true;
        }
      });
      marker = names.at(-1)!;
    }
    if (remaining) {
      stats.containersRemaining++;
      return;
    }
    const aring = this.opts.rings.account();
    const { part: apart, nodes: anodes } = aring.getNodes(account);
    const ts = nowTimestamp();
    const results = await Promise.all(cnodes.map(async (n, i) => {
      const a = anodes[i % anodes.length]!;
      try {
        const r = await backendCall(n, 'DELETE', backendPath(n.device, cpart, account, container), {
          'X-Timestamp': ts, 'X-Account-Host': hostOf(a), 'X-Account-Device': a.device, 'X-Account-Partition': String(apart),
          [OVERRIDE_DELETED_HEADER]: 'yes', 'Content-Length': 0,
        }, this.opts.timeouts);
        return ok(r.status);
      } catch {
        return false;
      }
    }));
    if (results.every(Boolean)) stats.containersDeleted++;
    else stats.containersRemaining++;
  }

  /** A page of a container's object names from the first replica that answers; undefined when none does. */
  private async listObjects(nodes: RingNode[], part: number, account: string, container: string, marker: string): Promise<string[] | undefined> {
    for (const n of nodes) {
      try {
        const r = await backendCall(n, 'GET', `${backendPath(n.device, part, account, container)}?format=json&limit=1000&marker=${encodeURIComponent(marker)}`, { 'X-Backend-Allow-Reserved-Names': 'true' }, this.opts.timeouts);
        if (r.status === 404) return [];
        if (r.status === 200) return (JSON.parse(r.text) as Array<{ name: string }>).map((o) => o.name);
        if (r.status === 204) return [];
      } catch {
        // the next replica
      }
    }
    return undefined;
  }

  /** DELETE of an object on each of its replicas, each telling one container replica (as the proxy does). */
  private async reapObject(oring: Ring, cnodes: RingNode[], cpart: number, account: string, container: string, name: string): Promise<boolean> {
    const { part, nodes } = oring.getNodes(account, container, name);
    const ts = nowTimestamp();
    const results = await Promise.all(nodes.map(async (n, i) => {
      const c = cnodes[i % cnodes.length]!;
      try {
        const r = await backendCall(n, 'DELETE', backendPath(n.device, part, account, container, name), {
          'X-Timestamp': ts, 'X-Container-Host': hostOf(c), 'X-Container-Device': c.device, 'X-Container-Partition': String(cpart), 'Content-Length': 0,
        }, this.opts.timeouts);
        return ok(r.status) || r.status === 409;
      } catch {
        return false;
      }
    }));
    return results.every(Boolean);
  }
}
