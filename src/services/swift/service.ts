/**
 * The composition of object storage's roles: the proxy (`object-proxy`, Swift's proxy-server
 * with keystoneauth, mounted at /object on the cloud's port) and the three storage servers
 * (`object-server`, `container-server`, `account-server`), each on a port of its own as Swift
 * runs them and reached by the proxy over HTTP, also in all-in-one. With [swift]
 * all_in_one_devices, each storage server builds its ring on first start and keeps the ring's
 * devices at the address it listens on. The S3 API (`s3api`) is a proxy server behind the
 * s3api/s3token layer (s3/), on its own port ([s3api]), listed in the catalog as `s3`.
 */
import { join, resolve } from 'node:path';
import { IdentityClient } from '../../common/clients/identity.js';
import { defaultGroup, parseHostPort } from '../../common/config/index.js';
import { OperatorError } from '../../common/errors.js';
import type { RoleContext, RoleInstance } from '../../common/service/project.js';
import { AccountServer } from './account/server.js';
import { swiftRoutes } from './api/routes.js';
import { accountServerGroup, containerServerGroup, objectReplicatorGroup, objectServerGroup, proxyServerGroup, s3apiGroup, swiftGroup, swiftHashGroup } from './config.js';
import { ContainerServer } from './container/server.js';
import { ObjectServer } from './obj/server.js';
import { ObjectUpdater } from './obj/updater.js';
import { KeystoneAuth } from './policies/index.js';
import type { ProxyLog } from './proxy/base.js';
import { ProxyServer } from './proxy/server.js';
import { S3TokenAuth } from './s3/auth.js';
import { S3Server } from './s3/server.js';
import { ensureAllInOneRing, hashConf, Rings, type AllInOneLayout, type RingKind } from './ring/all-in-one.js';
import type { HashConf } from './ring/hash.js';
import { listenStorage } from './utils/storage-listener.js';
import { objectRingName, StoragePolicies, StoragePolicyError } from './utils/storage-policy.js';
import { ContainerSyncRealms } from './utils/container-sync-realms.js';

export interface SwiftLayout extends AllInOneLayout {
  hash: HashConf;
  reloadMs: number;
}

/** Where the builders and rings live ([swift] swift_dir, default <data_dir>/swift). */
export function swiftDirOf(config: RoleContext['config'], dataDir: string): string {
  return resolve(config.get(swiftGroup).swift_dir || join(dataDir, 'swift'));
}

export function swiftLayout(ctx: Pick<RoleContext, 'config' | 'dataDir'>): SwiftLayout {
  const conf = ctx.config.get(swiftGroup);
  const hashOpts = ctx.config.get(swiftHashGroup);
  const swiftDir = swiftDirOf(ctx.config, ctx.dataDir);
  return {
    swiftDir,
    devicesRoot: resolve(conf.devices || join(swiftDir, 'node')),
    devices: conf.all_in_one_devices,
    partPower: conf.all_in_one_part_power,
    replicas: conf.all_in_one_replicas,
    minPartHours: conf.all_in_one_min_part_hours,
    hash: hashConf(hashOpts.swift_hash_path_prefix, hashOpts.swift_hash_path_suffix, swiftDir),
    reloadMs: conf.ring_check_interval * 1000,
  };
}

/** Container sync's realms: Swift's <swift_dir>/container-sync-realms.conf (none while it is not there). */
export function containerSyncRealms(swiftDir: string, log: { warn(obj: unknown, msg?: string): void }): ContainerSyncRealms {
  return new ContainerSyncRealms(join(swiftDir, 'container-sync-realms.conf'), log);
}

/** [swift] storage_policies as policies; a bad entry stops the start. */
export function storagePolicies(config: RoleContext['config']): StoragePolicies {
  try {
    return new StoragePolicies(config.get(swiftGroup).storage_policies);
  } catch (err) {
    if (err instanceof StoragePolicyError) throw new OperatorError(`[swift] storage_policies: ${err.message}`);
    throw err;
  }
}

function timeouts(ctx: Pick<RoleContext, 'config'>): { connMs: number; nodeMs: number; clientMs: number } {
  const p = ctx.config.get(proxyServerGroup);
  return { connMs: p.conn_timeout * 1000, nodeMs: p.node_timeout * 1000, clientMs: p.client_timeout * 1000 };
}

/** The proxy with its pipeline, from the configuration (the object-proxy and s3api roles, the expirer command). */
export function proxyServer(ctx: Pick<RoleContext, 'config' | 'dataDir'> & { log: ProxyLog }): ProxyServer {
  const layout = swiftLayout(ctx);
  const p = ctx.config.get(proxyServerGroup);
  return new ProxyServer({
    rings: new Rings(layout.swiftDir, layout.hash, layout.reloadMs),
    policies: storagePolicies(ctx.config),
    auth: new KeystoneAuth({ resellerPrefix: p.reseller_prefix, operatorRoles: p.operator_roles, resellerAdminRole: p.reseller_admin_role }),
    settings: {
      maxFileSize: p.max_file_size, maxObjectNameLength: p.max_object_name_length, maxContainerNameLength: p.max_container_name_length,
      maxAccountNameLength: p.max_account_name_length, containerListingLimit: p.container_listing_limit, accountListingLimit: p.account_listing_limit,
      accountAutocreate: p.account_autocreate, allowAccountManagement: p.allow_account_management, recheckContainerMs: p.recheck_container_existence * 1000,
      cors: { allowOrigin: p.cors_allow_origin, exposeHeaders: p.cors_expose_headers, strictMode: p.strict_cors_mode }, symloopMax: p.symloop_max,
      meta: { maxMetaNameLength: p.max_meta_name_length, maxMetaValueLength: p.max_meta_value_length, maxMetaCount: p.max_meta_count, maxMetaOverallSize: p.max_meta_overall_size },
    },
    timeouts: timeouts(ctx),
    log: ctx.log,
    containerSync: {
      realms: containerSyncRealms(layout.swiftDir, ctx.log), allowFullUrls: p.container_sync_allow_full_urls, ...(p.container_sync_current !== '' ? { current: p.container_sync_current } : {}),
    },
  });
}

export async function buildProxy(ctx: RoleContext): Promise<RoleInstance & { proxy: ProxyServer }> {
  const p = ctx.config.get(proxyServerGroup);
  const proxy = proxyServer(ctx);
  // swift-object-expirer: the proxy's pipeline deletes what is due, as the expirer's internal client does
  ctx.periodic.add({ name: 'swift object-expirer', interval: p.expirer_interval, run: async () => { await proxy.expireObjects(); } });
  return { proxy, routes: swiftRoutes(proxy) };
}

/** The S3 API's public URL from the configuration ([s3api] public_url, or its bind address and port). */
export function s3PublicUrl(config: RoleContext['config'], port?: number): string {
  const o = config.get(s3apiGroup);
  if (o.public_url !== '') return o.public_url.replace(/\/+$/, '');
  const host = o.bind_ip || parseHostPort(config.get(defaultGroup).bind).host;
  const shown = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${port ?? s3Port(config)}`;
}

/** [s3api] bind_port, or (0) the port after [DEFAULT] bind's. */
function s3Port(config: RoleContext['config']): number {
  const port = config.get(s3apiGroup).bind_port;
  if (port !== 0) return port;
  const main = parseHostPort(config.get(defaultGroup).bind).port;
  return main < 65535 ? main + 1 : 0;
}

/** The S3 API role: s3api + s3token in front of a proxy server, on [s3api] bind_ip:bind_port. */
export async function buildS3Api(ctx: RoleContext): Promise<RoleInstance & { port: number }> {
  const o = ctx.config.get(s3apiGroup);
  const p = ctx.config.get(proxyServerGroup);
  const server = new S3Server({
    proxy: proxyServer(ctx),
    auth: new S3TokenAuth(new IdentityClient(ctx.session), p.reseller_prefix),
    settings: {
      location: o.location, maxBucketListing: o.max_bucket_listing, maxPartsListing: o.max_parts_listing, maxMultiDeleteObjects: o.max_multi_delete_objects,
      minSegmentSize: o.min_segment_size, maxUploadPartNum: o.max_upload_part_num,
    },
    allowableClockSkew: o.allowable_clock_skew,
    storageDomains: [...o.storage_domain],
    maxKeyLength: p.max_object_name_length,
    log: ctx.log,
  });
  const host = o.bind_ip || parseHostPort(ctx.config.get(defaultGroup).bind).host;
  const port = s3Port(ctx.config);
  let listener: Awaited<ReturnType<S3Server['listen']>>;
  try {
    listener = await server.listen(host, port);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (o.bind_port !== 0 || code !== 'EADDRINUSE') {
      throw new OperatorError(`the S3 API cannot listen on ${host}:${port}: ${code ?? (err as Error).message} (set [s3api] bind_port)`, { cause: err });
    }
    ctx.log.warn({ port }, 'the port after [DEFAULT] bind\'s is taken: the S3 API listens on a free port ([s3api] bind_port chooses one)');
    listener = await server.listen(host, 0);
  }
  const url = s3PublicUrl(ctx.config, listener.port);
  ctx.log.info({ address: `${host}:${listener.port}`, url }, 'swift s3api listening');
  return { port: listener.port, catalogUrls: { s3: url }, stop: () => listener.close() };
}

const GROUPS = { object: objectServerGroup, container: containerServerGroup, account: accountServerGroup } as const;

/** A storage server role: its listener, and its ring in the all-in-one layout. */
export async function buildStorageServer(ctx: RoleContext, kind: RingKind): Promise<RoleInstance & { port: number }> {
  const layout = swiftLayout(ctx);
  const bind = ctx.config.get(GROUPS[kind]);
  const p = ctx.config.get(proxyServerGroup);
  const opts = { devices: layout.devicesRoot, hash: layout.hash, timeouts: timeouts(ctx), log: ctx.log };
  let close: () => Promise<void> | void = () => undefined;
  let handle: Parameters<typeof listenStorage>[2];
  if (kind === 'object') {
    const server = new ObjectServer({ ...opts, maxFileSize: p.max_file_size, reclaimAgeS: ctx.config.get(objectReplicatorGroup).reclaim_age, policies: storagePolicies(ctx.config) });
    handle = (req, res, cont) => server.handle(req, res, cont);
    const updater = new ObjectUpdater(layout.devicesRoot, opts.timeouts, ctx.log);
    ctx.periodic.add({ name: 'swift object-updater', interval: ctx.config.get(objectServerGroup).updater_interval, run: async () => { await updater.sweep(); } });
  } else if (kind === 'container') {
    const rings = new Rings(layout.swiftDir, layout.hash, layout.reloadMs);
    const sync = { allowedSyncHosts: ctx.config.get(containerServerGroup).allowed_sync_hosts, realms: containerSyncRealms(layout.swiftDir, ctx.log) };
    const server = new ContainerServer({ ...opts, listingLimit: p.container_listing_limit, sync }, () => rings.get('account'));
    handle = (req, res) => server.handle(req, res);
    close = () => server.close();
  } else {
    const server = new AccountServer({ ...opts, listingLimit: p.account_listing_limit });
    handle = (req, res) => server.handle(req, res);
    close = () => server.close();
  }
  const listener = await listenStorage(bind.bind_ip, bind.bind_port, handle);
  ensureAllInOneRing(layout, kind, bind.bind_ip, listener.port);
  if (kind === 'object') {
    // an EC policy's ring has a fragment archive per replica: all-in-one builds it only with devices enough for them
    for (const pol of storagePolicies(ctx.config).all) {
      if (pol.type !== 'erasure_coding') continue;
      if (layout.devices.length >= pol.ndata + pol.nparity) ensureAllInOneRing(layout, objectRingName(pol.index), bind.bind_ip, listener.port, pol.ndata + pol.nparity);
      else if (layout.devices.length > 0) ctx.log.warn({ policy: pol.name }, `swift: ${pol.ndata + pol.nparity} devices needed for the ring of the EC policy; build ${objectRingName(pol.index)}.builder with nubo ring`);
    }
  }
  ctx.log.info({ kind, address: `${bind.bind_ip}:${listener.port}` }, `swift ${kind} server listening`);
  return {
    port: listener.port,
    async stop() {
      await listener.close();
      await close();
    },
  };
}
