/**
 * A small Swift cluster for tests of the consistency daemons: `nodes` storage nodes on
 * loopback, each with a devices root of its own and its object, container and account servers
 * on ports of their own, `devicesPerNode` devices each (one zone per node), and the three
 * rings (3 replicas) in a swift_dir a proxy can read. A node can be stopped, as a node that
 * dies, and started again on the same ports: with `processes`, each node is a child process
 * (testing/storage-node.ts) killed with SIGKILL; otherwise its listeners in this process are
 * closed. For tests only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { AccountServer } from '../account/server.js';
import { ContainerServer } from '../container/server.js';
import { DiskFileManager } from '../obj/diskfile.js';
import { ObjectServer } from '../obj/server.js';
import { RingBuilder } from '../ring/builder.js';
import { builderFile, Rings, type RingKind } from '../ring/all-in-one.js';
import { saveBuilder, writeRing } from '../ring/files.js';
import { hashPath, type HashConf } from '../ring/hash.js';
import { listenStorage, type StorageListener } from '../utils/storage-listener.js';
import { objectRingName, StoragePolicies } from '../utils/storage-policy.js';

const verbose = (o: unknown, m?: string) => { if (process.env.NUBO_TEST_LOG) console.error(m, o); };

export const quietLog = {
  info: () => undefined, warn: verbose, debug: () => undefined,
  error: verbose,
};

export interface ClusterNode {
  index: number;
  devicesRoot: string;
  devices: string[];
  ports: Record<RingKind, number>;
  /** The node's object files (paths, lookups), whichever process serves them. */
  files: DiskFileManager;
  /** The servers, when the node runs in this process. */
  servers?: { object: ObjectServer; container: ContainerServer; account: AccountServer };
  running: boolean;
}

export interface TestCluster {
  dir: string;
  swiftDir: string;
  hash: HashConf;
  rings: Rings;
  nodes: ClusterNode[];
  timeouts: { connMs: number; nodeMs: number };
  /** A container's database file on a device of a node. */
  containerDbPath(node: ClusterNode, device: string, partition: number, account: string, container: string): string;
  stop(node: ClusterNode): Promise<void>;
  start(node: ClusterNode): Promise<void>;
  close(): Promise<void>;
}

const NODE_SCRIPT = fileURLToPath(new URL('./storage-node.ts', import.meta.url));

/**
 * `policies`: [swift] storage_policies entries (erasure-coded policies): the object servers know
 * them and each gets its ring object-<index> over every device, with data + parity replicas.
 */
export async function startCluster(opts: { nodes?: number; devicesPerNode?: number; partPower?: number; processes?: boolean; policies?: string[] } = {}): Promise<TestCluster> {
  const policies = new StoragePolicies(opts.policies ?? []);
  const nodeCount = opts.nodes ?? 3;
  const perNode = opts.devicesPerNode ?? 2;
  const dir = mkdtempSync(join(tmpdir(), 'nubo-swift-cluster-'));
  const swiftDir = join(dir, 'etc');
  const hash = { prefix: 'pre', suffix: 'suf' };
  const timeouts = { connMs: 500, nodeMs: 15000 };
  const rings = new Rings(swiftDir, hash, 0);
  const listeners = new Map<ClusterNode, StorageListener[]>();
  const children = new Map<ClusterNode, ChildProcess>();

  const listen = async (node: ClusterNode, ports: Record<RingKind, number>): Promise<Record<RingKind, number>> => {
    if (opts.processes) {
      const child = spawn(process.execPath, ['--import', 'tsx', NODE_SCRIPT, JSON.stringify({ devicesRoot: node.devicesRoot, swiftDir, hash, ports, timeouts, policies: opts.policies ?? [] })],
        { stdio: ['ignore', 'pipe', 'inherit'] });
      children.set(node, child);
      const line = await new Promise<string>((resolve, reject) => {
        const rl = createInterface({ input: child.stdout! });
        rl.once('line', (l) => { rl.close(); resolve(l); });
        child.once('exit', (code) => reject(new Error(`storage node ${node.index + 1} exited (${code}) before it listened`)));
      });
      node.running = true;
      return JSON.parse(line) as Record<RingKind, number>;
    }
    const s = node.servers!;
    const o = await listenStorage('127.0.0.1', ports.object, (q, r, c) => s.object.handle(q, r, c));
    const c = await listenStorage('127.0.0.1', ports.container, (q, r) => s.container.handle(q, r));
    const a = await listenStorage('127.0.0.1', ports.account, (q, r) => s.account.handle(q, r));
    listeners.set(node, [o, c, a]);
    node.running = true;
    return { object: o.port, container: c.port, account: a.port };
  };

  const nodes: ClusterNode[] = [];
  for (let i = 0; i < nodeCount; i++) {
    const devicesRoot = join(dir, `node${i + 1}`);
    const devices = Array.from({ length: perNode }, (_x, d) => `sd${String.fromCharCode(97 + i * perNode + d)}`);
    for (const d of devices) mkdirSync(join(devicesRoot, d), { recursive: true });
    const base = { devices: devicesRoot, hash, timeouts, log: quietLog };
    const node: ClusterNode = {
      index: i, devicesRoot, devices, ports: { object: 0, container: 0, account: 0 }, files: new DiskFileManager(devicesRoot, hash), running: false,
      ...(opts.processes ? {} : {
        servers: {
          object: new ObjectServer({ ...base, maxFileSize: 1 << 30, policies }),
          container: new ContainerServer({ ...base, listingLimit: 10000 }, () => rings.get('account'), 50),
          account: new AccountServer({ ...base, listingLimit: 10000 }),
        },
      }),
    };
    node.ports = await listen(node, node.ports);
    nodes.push(node);
  }
  const ecRings = policies.all.flatMap((p) => (p.type === 'erasure_coding' ? [{ name: objectRingName(p.index), kind: 'object' as const, replicas: p.ndata + p.nparity }] : []));
  for (const { name, kind, replicas } of [...(['account', 'container', 'object'] as const).map((k) => ({ name: k, kind: k, replicas: 3 })), ...ecRings]) {
    const b = RingBuilder.create(opts.partPower ?? 4, replicas, 0);
    for (const n of nodes) for (const device of n.devices) b.addDevice({ region: 1, zone: n.index + 1, ip: '127.0.0.1', port: n.ports[kind], device, weight: 100 });
    b.rebalance();
    const path = builderFile(swiftDir, name);
    saveBuilder(path, b);
    writeRing(path, b);
  }
  const stop = async (node: ClusterNode): Promise<void> => {
    const child = children.get(node);
    if (child) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      children.delete(node);
    }
    for (const l of listeners.get(node) ?? []) await l.close();
    listeners.delete(node);
    node.running = false;
  };
  return {
    dir, swiftDir, hash, rings, nodes, timeouts,
    containerDbPath(_node, device, partition, account, container) {
      const h = hashPath(hash, account, container);
      return join(_node.devicesRoot, device, 'containers', String(partition), h.slice(-3), h, `${h}.db`);
    },
    stop,
    async start(node) {
      if (!node.running) await listen(node, node.ports);
    },
    async close() {
      for (const n of nodes) {
        await stop(n);
        await n.servers?.container.close();
        n.servers?.account.close();
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
