/**
 * A small Swift cluster for tests of the consistency daemons: `nodes` storage nodes on
 * loopback, each with a devices root of its own and its object, container and account servers
 * on ports of their own, `devicesPerNode` devices each (one zone per node), and the three
 * rings (3 replicas) in a swift_dir a proxy can read. A node can be stopped (its listeners
 * closed, as a node that dies) and started again on the same ports. For tests only.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccountServer } from '../account/server.js';
import { ContainerServer } from '../container/server.js';
import { ObjectServer } from '../obj/server.js';
import { RingBuilder } from '../ring/builder.js';
import { builderFile, Rings, type RingKind } from '../ring/all-in-one.js';
import { saveBuilder, writeRing } from '../ring/files.js';
import type { HashConf } from '../ring/hash.js';
import { listenStorage, type StorageListener } from '../utils/storage-listener.js';

const verbose = (o: unknown, m?: string) => { if (process.env.NUBO_TEST_LOG) console.error(m, o); };

export const quietLog = {
  info: () => undefined, warn: verbose, debug: () => undefined,
  error: (o: unknown, m?: string) => { if (process.env.NUBO_TEST_LOG) console.error(m, o); },
};

export interface ClusterNode {
  index: number;
  devicesRoot: string;
  devices: string[];
  ports: Record<RingKind, number>;
  object: ObjectServer;
  container: ContainerServer;
  account: AccountServer;
  running: boolean;
}

export interface TestCluster {
  dir: string;
  swiftDir: string;
  hash: HashConf;
  rings: Rings;
  nodes: ClusterNode[];
  timeouts: { connMs: number; nodeMs: number };
  stop(node: ClusterNode): Promise<void>;
  start(node: ClusterNode): Promise<void>;
  close(): Promise<void>;
}

export async function startCluster(opts: { nodes?: number; devicesPerNode?: number; partPower?: number } = {}): Promise<TestCluster> {
  const nodeCount = opts.nodes ?? 3;
  const perNode = opts.devicesPerNode ?? 2;
  const dir = mkdtempSync(join(tmpdir(), 'nubo-swift-cluster-'));
  const swiftDir = join(dir, 'etc');
  const hash = { prefix: 'pre', suffix: 'suf' };
  const timeouts = { connMs: 500, nodeMs: 15000 };
  const rings = new Rings(swiftDir, hash, 0);
  const listeners = new Map<ClusterNode, StorageListener[]>();
  const nodes: ClusterNode[] = [];
  const listen = async (node: ClusterNode, ports?: Record<RingKind, number>): Promise<Record<RingKind, number>> => {
    const o = await listenStorage('127.0.0.1', ports?.object ?? 0, (q, s, c) => node.object.handle(q, s, c));
    const c = await listenStorage('127.0.0.1', ports?.container ?? 0, (q, s) => node.container.handle(q, s));
    const a = await listenStorage('127.0.0.1', ports?.account ?? 0, (q, s) => node.account.handle(q, s));
    listeners.set(node, [o, c, a]);
    node.running = true;
    return { object: o.port, container: c.port, account: a.port };
  };
  for (let i = 0; i < nodeCount; i++) {
    const devicesRoot = join(dir, `node${i + 1}`);
    const devices = Array.from({ length: perNode }, (_x, d) => `sd${String.fromCharCode(97 + i * perNode + d)}`);
    for (const d of devices) mkdirSync(join(devicesRoot, d), { recursive: true });
    const base = { devices: devicesRoot, hash, timeouts, log: quietLog };
    const node: ClusterNode = {
      index: i, devicesRoot, devices, ports: { object: 0, container: 0, account: 0 },
      object: new ObjectServer({ ...base, maxFileSize: 1 << 30 }),
      container: new ContainerServer({ ...base, listingLimit: 10000 }, () => rings.get('account'), 50),
      account: new AccountServer({ ...base, listingLimit: 10000 }),
      running: false,
    };
    node.ports = await listen(node);
    nodes.push(node);
  }
  for (const kind of ['account', 'container', 'object'] as const) {
    const b = RingBuilder.create(opts.partPower ?? 4, 3, 0);
    for (const n of nodes) for (const device of n.devices) b.addDevice({ region: 1, zone: n.index + 1, ip: '127.0.0.1', port: n.ports[kind], device, weight: 100 });
    b.rebalance();
    const path = builderFile(swiftDir, kind);
    saveBuilder(path, b);
    writeRing(path, b);
  }
  return {
    dir, swiftDir, hash, rings, nodes, timeouts,
    async stop(node) {
      for (const l of listeners.get(node) ?? []) await l.close();
      listeners.delete(node);
      node.running = false;
    },
    async start(node) {
      if (!node.running) await listen(node, node.ports);
    },
    async close() {
      for (const n of nodes) {
        for (const l of listeners.get(n) ?? []) await l.close();
        n.container.close();
        n.account.close();
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
