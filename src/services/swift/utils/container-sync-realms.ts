/**
 * Container sync's realms (swift/common/container_sync_realms.py) and the check of an
 * X-Container-Sync-To value (swift/common/utils validate_sync_to).
 *
 * The realms are Swift's own file, `<swift_dir>/container-sync-realms.conf`: one section per
 * realm with its `key` (and `key2` while keys are rotated) and one `cluster_<name> = <endpoint>`
 * per cluster (the endpoint is a proxy's URL up to /v1/). The file is read again when its
 * mtime changes, looked at every `mtime_check_interval` seconds ([DEFAULT], 300).
 *
 * A container syncs to `//<realm>/<cluster>/<account>/<container>` (signed with the realm's key
 * and the container's X-Container-Sync-Key: X-Container-Sync-Auth), or, the older way, to a full
 * URL whose host is one of allowed_sync_hosts (X-Container-Sync-Key sent as it is).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { statSync } from 'node:fs';
import { readIniFile } from '../../../common/config/iniparser.js';

interface Realm {
  key?: string;
  key2?: string;
  /** Upper-cased cluster name → endpoint. */
  clusters: Map<string, string>;
}

export class ContainerSyncRealms {
  private data = new Map<string, Realm>();
  private mtimeMs = 0;
  private nextCheck = 0;
  private checkIntervalS = 300;

  constructor(private readonly path: string, private readonly log?: { warn(obj: unknown, msg?: string): void }, private readonly now: () => number = Date.now) {
    this.reload();
  }

  /** Reads the file again now (whatever its mtime). */
  reload(): void {
    this.nextCheck = 0;
    this.mtimeMs = 0;
    this.refresh();
  }

  private refresh(): void {
    const now = this.now();
    if (now < this.nextCheck) return;
    this.nextCheck = now + this.checkIntervalS * 1000;
    let mtimeMs: number;
    try {
      mtimeMs = statSync(this.path).mtimeMs;
    } catch {
      return; // no file: no realms (upstream logs it at debug)
    }
    if (mtimeMs === this.mtimeMs) return;
    this.mtimeMs = mtimeMs;
    let doc: ReturnType<typeof readIniFile>;
    try {
      doc = readIniFile(this.path);
    } catch (err) {
      this.log?.warn({ err: (err as Error).message, path: this.path }, 'container sync: could not load the realms');
      return;
    }
    const realms = new Map<string, Realm>();
    for (const [name, section] of doc.sections) {
      const last = (k: string) => section.entries.get(k)?.at(-1)?.value;
      if (name === 'DEFAULT') {
        const interval = Number(last('mtime_check_interval'));
        if (last('mtime_check_interval') !== undefined && Number.isFinite(interval) && interval >= 0) {
          this.checkIntervalS = interval;
          this.nextCheck = now + interval * 1000;
        }
        continue;
      }
      const realm: Realm = { clusters: new Map() };
      const key = last('key');
      const key2 = last('key2');
      if (key !== undefined) realm.key = key;
      if (key2 !== undefined) realm.key2 = key2;
      for (const [option, entries] of section.entries) {
        if (option.startsWith('cluster_')) realm.clusters.set(option.slice(8).toUpperCase(), entries.at(-1)!.value);
      }
      realms.set(name.toUpperCase(), realm);
    }
    this.data = realms;
  }

  private realm(name: string): Realm | undefined {
    this.refresh();
    return this.data.get(name.toUpperCase());
  }

  /** The realms' names (upper case). */
  realms(): string[] {
    this.refresh();
    return [...this.data.keys()];
  }

  key(realm: string): string | undefined {
    return this.realm(realm)?.key || undefined;
  }

  key2(realm: string): string | undefined {
    return this.realm(realm)?.key2 || undefined;
  }

  /** A realm's cluster names (upper case). */
  clusters(realm: string): string[] {
    return [...(this.realm(realm)?.clusters.keys() ?? [])];
  }

  endpoint(realm: string, cluster: string): string | undefined {
    return this.realm(realm)?.clusters.get(cluster.toUpperCase()) || undefined;
  }
}

/**
 * The signature of a synced request: hex HMAC-SHA1 under the realm's key of
 * "<METHOD>\n<path>\n<x-timestamp>\n<nonce>\n<container's sync key>" (get_sig).
 */
export function syncSignature(method: string, path: string, xTimestamp: string, nonce: string, realmKey: string, userKey: string): string {
  return createHmac('sha1', realmKey).update(`${method}\n${path}\n${xTimestamp}\n${nonce}\n${userKey}`).digest('hex');
}

/** Equal strings, compared in constant time (streq_const_time). */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** What validate_sync_to gives: an error, or where to sync (and, for a realm, its name and key); nothing for an empty value. */
export type SyncTarget =
  | { error: string }
  | { error?: undefined; endpoint: string; realm?: string; realmKey?: string }
  | { error?: undefined; endpoint?: undefined };

/** validate_sync_to: `//realm/cluster/account/container` through the realms, or a full URL on an allowed host. */
export function validateSyncTo(value: string, allowedSyncHosts: readonly string[], realms: ContainerSyncRealms | undefined): SyncTarget {
  const v = value.replace(/\/+$/, '');
  if (v === '') return {};
  if (v.startsWith('//')) {
    if (!realms) return {};
    const parts = v.slice(2).split('/');
    if (parts.length !== 4) return { error: `Invalid X-Container-Sync-To format '${value}'` };
    const [realm, cluster, account, container] = parts as [string, string, string, string];
    const realmKey = realms.key(realm);
    if (!realmKey) return { error: `No realm key for '${realm}'` };
    const endpoint = realms.endpoint(realm, cluster);
    if (!endpoint) return { error: `No cluster endpoint for '${realm}' '${cluster}'` };
    return { endpoint: `${endpoint.replace(/\/+$/, '')}/${account}/${container}`, realm: realm.toUpperCase(), realmKey };
  }
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    return { error: `Invalid scheme '' in X-Container-Sync-To, must be "//", "http", or "https".` };
  }
  const scheme = url.protocol.replace(/:$/, '');
  if (scheme !== 'http' && scheme !== 'https') return { error: `Invalid scheme '${scheme}' in X-Container-Sync-To, must be "//", "http", or "https".` };
  if (url.pathname === '' || url.pathname === '/') return { error: 'Path required in X-Container-Sync-To' };
  if (url.search !== '' || url.hash !== '' || /;[^/]*$/.test(url.pathname)) return { error: 'Params, queries, and fragments not allowed in X-Container-Sync-To' };
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!allowedSyncHosts.includes(host)) return { error: `Invalid host '${host}' in X-Container-Sync-To` };
  return { endpoint: v };
}
