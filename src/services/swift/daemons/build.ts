/**
 * The consistency daemons as Swift runs them (swift-object-replicator, swift-object-auditor,
 * swift-container-replicator, swift-account-replicator, swift-account-reaper): each built from
 * its config section over this host's devices and the rings, runnable once (`nubo swift-daemon
 * NAME --once`, and the tests) or every `interval` seconds as a role (`nubo serve NAME`, and
 * `nubo up`, where they run next to the storage servers).
 */
import type { Config } from '../../../common/config/index.js';
import { OperatorError } from '../../../common/errors.js';
import type { RoleContext, RoleInstance } from '../../../common/service/project.js';
import { AccountReaper } from '../account/reaper.js';
import {
  accountReaperGroup, accountReplicatorGroup, accountServerGroup, containerReplicatorGroup, containerServerGroup, containerSyncGroup, objectAuditorGroup,
  objectReconstructorGroup, objectReplicatorGroup, objectServerGroup,
} from '../config.js';
import { ContainerSync } from '../container/sync.js';
import { AccountBroker } from '../db/account-broker.js';
import { ContainerBroker } from '../db/container-broker.js';
import { DbReplicator } from './db-replicator.js';
import { ObjectAuditor } from '../obj/auditor.js';
import { ObjectReconstructor } from '../obj/reconstructor.js';
import { ObjectReplicator } from '../obj/replicator.js';
import { Rings } from '../ring/all-in-one.js';
import { RingNotFound } from '../ring/ring.js';
import { containerSyncRealms, storagePolicies, swiftLayout } from '../service.js';
import { objectRingName } from '../utils/storage-policy.js';
import type { Locality } from './local-devices.js';

export const DAEMONS = {
  'object-replicator': 'the Swift object replicator (suffix hashes compared, differences pushed, handoffs moved home, tombstones reclaimed)',
  'object-reconstructor': 'the Swift object reconstructor (erasure-coded policies: missing fragment archives rebuilt on their primaries, handoff archives sent home)',
  'object-auditor': 'the Swift object auditor (every object re-read and checked; damaged ones quarantined)',
  'container-replicator': 'the Swift container replicator (container databases kept level across replicas)',
  'account-replicator': 'the Swift account replicator (account databases kept level across replicas)',
  'container-sync': 'the Swift container sync daemon (objects of containers with X-Container-Sync-To sent on to the other container)',
  'account-reaper': 'the Swift account reaper (the containers and objects of deleted accounts removed)',
} as const;

export type DaemonName = keyof typeof DAEMONS;

export const isDaemonName = (s: string): s is DaemonName => Object.hasOwn(DAEMONS, s);

export interface DaemonLog {
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

export interface RunOnceOptions {
  devices?: readonly string[];
  partitions?: readonly number[];
}

export interface Daemon {
  name: DaemonName;
  /** Seconds between passes (0: off). */
  interval: number;
  /** One pass; returns its statistics. */
  runOnce(opts?: RunOnceOptions): Promise<object>;
}

/** Builds a daemon from the configuration. */
export function buildDaemon(name: DaemonName, ctx: { config: Config; dataDir: string; log: DaemonLog }): Daemon {
  const layout = swiftLayout(ctx);
  const rings = new Rings(layout.swiftDir, layout.hash, layout.reloadMs);
  const locality = (devices: readonly string[], server: { bind_ip: string; bind_port: number }): Locality => ({
    devicesRoot: layout.devicesRoot, only: devices,
    // a server on a fixed port owns the ring devices at that address; on port 0 (all-in-one) every device found here is ours
    ...(server.bind_port !== 0 ? { node: { ip: server.bind_ip, port: server.bind_port } } : {}),
  });
  const timeouts = (c: { conn_timeout: number; node_timeout: number }) => ({ connMs: c.conn_timeout * 1000, nodeMs: c.node_timeout * 1000 });
  const ecPolicies = () => storagePolicies(ctx.config).all.flatMap((p) => (p.type === 'erasure_coding' ? [p] : []));
  switch (name) {
    case 'object-replicator': {
      const c = ctx.config.get(objectReplicatorGroup);
      const r = new ObjectReplicator({
        ring: () => rings.get('object'), locality: locality(c.devices, ctx.config.get(objectServerGroup)),
        reclaimAgeS: c.reclaim_age, concurrency: c.concurrency, timeouts: timeouts(c), log: ctx.log,
      });
      return { name, interval: c.interval, runOnce: (o = {}) => r.replicateOnce(o) };
    }
    case 'object-reconstructor': {
      const c = ctx.config.get(objectReconstructorGroup);
      const policies = ecPolicies();
      return {
        name, interval: c.interval,
        runOnce: async (o = {}) => {
          const total = { policies: policies.length, partitions: 0, rebuilt: 0, reverted: 0, deletesSent: 0, failures: 0 };
          for (const policy of policies) {
            const r = new ObjectReconstructor({
              ring: () => rings.get(objectRingName(policy.index)), policy, hash: layout.hash,
              locality: locality(o.devices ?? c.devices, ctx.config.get(objectServerGroup)), timeouts: timeouts(c), log: ctx.log,
            });
            const s = await r.reconstructOnce();
            total.partitions += s.partitions;
            total.rebuilt += s.rebuilt;
            total.reverted += s.reverted;
            total.deletesSent += s.deletesSent;
            total.failures += s.failures;
          }
          return total;
        },
      };
    }
    case 'object-auditor': {
      const c = ctx.config.get(objectAuditorGroup);
      const a = new ObjectAuditor({
        devicesRoot: layout.devicesRoot, hash: layout.hash, devices: c.devices, filesPerSecond: c.files_per_second, bytesPerSecond: c.bytes_per_second, log: ctx.log,
        ecPolicies: ecPolicies().map((p) => p.index),
      });
      return { name, interval: c.interval, runOnce: (o = {}) => a.auditOnce(o) };
    }
    case 'container-replicator':
    case 'account-replicator': {
      const kind = name === 'container-replicator' ? 'container' : 'account';
      const c = ctx.config.get(kind === 'container' ? containerReplicatorGroup : accountReplicatorGroup);
      const r = new DbReplicator({
        kind, ring: () => rings.get(kind), locality: locality(c.devices, ctx.config.get(kind === 'container' ? containerServerGroup : accountServerGroup)),
        open: kind === 'container' ? (h, p) => ContainerBroker.open(h, p) : (h, p) => AccountBroker.open(h, p),
        deletedRowTimestamp: kind === 'container' ? 'created_at' : 'delete_timestamp',
        reclaimAgeS: c.reclaim_age, concurrency: c.concurrency, perDiff: c.per_diff, maxDiffs: c.max_diffs, timeouts: timeouts(c), log: ctx.log,
      });
      return { name, interval: c.interval, runOnce: (o = {}) => r.replicateOnce(o) };
    }
    case 'container-sync': {
      const c = ctx.config.get(containerSyncGroup);
      const server = ctx.config.get(containerServerGroup);
      const s = new ContainerSync({
        containerRing: () => rings.get('container'), objectRing: (index) => rings.get(objectRingName(index)), ecPolicies: new Set(ecPolicies().map((p) => p.index)), hash: layout.hash,
        locality: locality(c.devices, server), realms: containerSyncRealms(layout.swiftDir, ctx.log), allowedSyncHosts: server.allowed_sync_hosts,
        containerTimeS: c.container_time, timeouts: timeouts(c), log: ctx.log,
      });
      return { name, interval: c.interval, runOnce: (o = {}) => s.syncOnce(o) };
    }
    case 'account-reaper': {
      const c = ctx.config.get(accountReaperGroup);
      const r = new AccountReaper({
        rings: { account: () => rings.get('account'), container: () => rings.get('container'), object: () => rings.get('object') },
        locality: locality(c.devices, ctx.config.get(accountServerGroup)), concurrency: c.concurrency, delayReapingS: c.delay_reaping, timeouts: timeouts(c), log: ctx.log,
      });
      return { name, interval: c.interval, runOnce: (o = {}) => r.reapOnce(o) };
    }
  }
}

/** The role: a pass every interval (none while the rings are not built yet). */
export async function buildDaemonRole(ctx: RoleContext, name: DaemonName): Promise<RoleInstance> {
  const daemon = buildDaemon(name, ctx);
  ctx.periodic.add({
    name: `swift ${name}`,
    interval: daemon.interval,
    run: async () => {
      try {
        await daemon.runOnce();
      } catch (err) {
        if (!(err instanceof RingNotFound)) throw err;
        ctx.log.warn({ err: err.message }, `swift ${name}: no ring yet, pass skipped`);
      }
    },
  });
  return {};
}

export const DAEMON_USAGE = `usage: nubo swift-daemon <${Object.keys(DAEMONS).join('|')}> --once [--devices d1,d2] [--partitions 1,2]
  One pass of a consistency daemon over this host's devices, its statistics printed as JSON.
  (Run periodically with: nubo serve <daemon>.)
`;

/** `nubo swift-daemon NAME --once [--devices ...] [--partitions ...]`. */
export async function runDaemonCommand(args: string[], ctx: { config: Config; dataDir: string; log: DaemonLog }): Promise<string> {
  const [name, ...rest] = args;
  if (!name || !isDaemonName(name)) throw new OperatorError(`unknown daemon ${JSON.stringify(name ?? '')}; known: ${Object.keys(DAEMONS).join(', ')}`);
  const opts: { devices?: string[]; partitions?: number[] } = {};
  let once = false;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    if (flag === '--once') once = true;
    else if (flag === '--devices' || flag === '--partitions') {
      const value = inline ?? rest[++i];
      if (!value) throw new OperatorError(`${flag} needs a value`);
      const items = value.split(',').map((s) => s.trim()).filter(Boolean);
      if (flag === '--devices') opts.devices = items;
      else {
        if (items.some((p) => !/^\d+$/.test(p))) throw new OperatorError(`--partitions takes partition numbers, not ${value}`);
        opts.partitions = items.map(Number);
      }
    } else throw new OperatorError(`unknown option ${a} (known: --once, --devices, --partitions)`);
  }
  if (!once) throw new OperatorError(`nubo swift-daemon runs one pass: add --once (nubo serve ${name} runs it every interval)`);
  if (opts.partitions && name !== 'object-replicator') throw new OperatorError('--partitions is an option of the object-replicator only');
  try {
    return `${JSON.stringify(await buildDaemon(name, ctx).runOnce(opts))}\n`;
  } catch (err) {
    if (err instanceof RingNotFound) throw new OperatorError(err.message);
    throw err;
  }
}
