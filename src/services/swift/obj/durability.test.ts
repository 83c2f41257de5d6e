/**
 * Durability end to end: three storage nodes (two devices each, one zone per node, 3
 * replicas), each a process of its own, the proxy in front. One node is killed (SIGKILL)
 * while objects are written through the proxy;
 * every acknowledged object reads back byte-exact; the node comes back, the object updater,
 * object replicator and container replicator run once on every node, and then every
 * acknowledged object has its three copies on its primaries' disks (byte-exact, no handoff
 * copy left) and is listed by every container replica. Then one replica is corrupted on disk:
 * the auditor quarantines it and the replicator restores it.
 *
 * NUBO_SWIFT_DURABILITY_OBJECTS sets how many objects are written (default 100; the
 * 1,000-object run is bench/swift-durability.mjs).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { startHarness, type Harness } from '../../../common/testing/harness.js';
import { HandleCache } from '../db/broker.js';
import { ContainerBroker } from '../db/container-broker.js';
import { DbReplicator } from '../daemons/db-replicator.js';
import { swift } from '../index.js';
import { buildProxy } from '../service.js';
import { startCluster, quietLog, type ClusterNode, type TestCluster } from '../testing/cluster.js';
import { ObjectAuditor } from './auditor.js';
import { classifyFiles } from './ondisk.js';
import { ObjectReplicator } from './replicator.js';
import { ObjectUpdater } from './updater.js';

const COUNT = Number(process.env.NUBO_SWIFT_DURABILITY_OBJECTS ?? 100);
const TOKEN = 'proj-d:member';
let cl: TestCluster;
let h: Harness;
let base: string;
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

before(async () => {
  cl = await startCluster({ nodes: 3, devicesPerNode: 2, partPower: 4, processes: true });
  h = await startHarness({
    project: swift, role: 'object-proxy',
    overrides: {
      'swift.swift_dir': cl.swiftDir, 'swift.all_in_one_devices': '', 'swift.ring_check_interval': '0',
      'swift_hash.swift_hash_path_prefix': cl.hash.prefix, 'swift_hash.swift_hash_path_suffix': cl.hash.suffix,
      'proxy_server.conn_timeout': '0.5', 'proxy_server.node_timeout': '5',
    },
    create: buildProxy,
  });
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(h.app.server.address() as { port: number }).port}/object/v1/AUTH_proj-d`;
});
after(async () => {
  await h?.close();
  await cl?.close();
});

async function call(method: string, path: string, body?: Buffer) {
  const res = await request(`${base}${path}`, { method: method as 'PUT', headers: { 'x-auth-token': TOKEN, ...(body ? { 'content-type': 'application/octet-stream' } : {}) }, ...(body ? { body } : {}) });
  return { status: res.statusCode, buf: Buffer.from(await res.body.arrayBuffer()), headers: res.headers };
}

const objectRing = () => cl.rings.get('object');
const nodeOf = (device: string): ClusterNode => cl.nodes.find((n) => n.devices.includes(device))!;
const locality = (n: ClusterNode, kind: 'object' | 'container') => ({ devicesRoot: n.devicesRoot, node: { ip: '127.0.0.1', port: n.ports[kind] } });
const replicateObjects = async () => {
  const total = { filesSent: 0, handoffsRemoved: 0, failures: 0 };
  for (const n of cl.nodes) {
    const s = await new ObjectReplicator({ ring: objectRing, locality: locality(n, 'object'), reclaimAgeS: 604800, concurrency: 4, timeouts: cl.timeouts, log: quietLog }).replicateOnce();
    total.filesSent += s.filesSent;
    total.handoffsRemoved += s.handoffsRemoved;
    total.failures += s.failures;
  }
  return total;
};

/** The .data files of an object on one device: [file path, body bytes]. */
function onDisk(device: string, part: number, name: string): Array<{ file: string; body: Buffer }> {
  const dir = nodeOf(device).files.hashDir(device, part, 'AUTH_proj-d', 'dur', name);
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch {
    return [];
  }
  const data = classifyFiles(files).data;
  if (!data) return [];
  const raw = readFileSync(join(dir, data));
  const metaLen = raw.readUInt32BE(raw.length - 12);
  return [{ file: join(dir, data), body: raw.subarray(0, raw.length - 12 - metaLen) }];
}

const acked = new Map<string, Buffer>();

test(`a node dies during ${COUNT} object writes: every acknowledged object reads back`, async (t) => {
  assert.equal((await call('PUT', '/dur')).status, 201);
  const victim = cl.nodes[1]!;
  let next = 0;
  const worker = async () => {
    while (next < COUNT) {
      const i = next++;
      if (i === Math.floor(COUNT / 3)) await cl.stop(victim);
      const body = randomBytes(256 + ((i * 7919) % 8192));
      const name = `obj/${String(i).padStart(5, '0')}`;
      const r = await call('PUT', `/dur/${name}`, body);
      if (r.status === 201) {
        assert.equal(r.headers.etag, md5(body));
        acked.set(name, body);
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: 8 }, worker));
  t.diagnostic(`${acked.size} of ${COUNT} writes acknowledged in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  assert.ok(!victim.running);
  assert.ok(acked.size >= COUNT * 0.95, `${acked.size} of ${COUNT} acknowledged`);
  for (const [name, body] of acked) {
    const r = await call('GET', `/dur/${name}`);
    assert.equal(r.status, 200, name);
    assert.ok(r.buf.equals(body), `${name} reads back byte-exact`);
  }
  // what was written while it was down is missing from it
  const missing = [...acked.keys()].filter((name) => {
    const { part, nodes } = objectRing().getNodes('AUTH_proj-d', 'dur', name);
    return nodes.some((d) => victim.devices.includes(d.device) && onDisk(d.device, part, name).length === 0);
  });
  assert.ok(missing.length > 0, 'the dead node missed writes');
  t.diagnostic(`${missing.length} acknowledged objects missing from the dead node`);
});

test('the node comes back; one pass of the daemons puts three copies of everything on the primaries', async (t) => {
  await cl.start(cl.nodes[1]!);
  for (const n of cl.nodes) await new ObjectUpdater(n.devicesRoot, cl.timeouts, quietLog).sweep();
  const started = performance.now();
  const stats = await replicateObjects();
  t.diagnostic(`object replication pass: ${stats.filesSent} files sent, ${stats.handoffsRemoved} handoff partitions removed, ${stats.failures} failures, ${((performance.now() - started) / 1000).toFixed(1)} s`);
  for (const n of cl.nodes) {
    await new DbReplicator({
      kind: 'container', ring: () => cl.rings.get('container'), locality: locality(n, 'container'), open: (c, p) => ContainerBroker.open(c, p),
      deletedRowTimestamp: 'created_at', reclaimAgeS: 604800, concurrency: 2, perDiff: 1000, maxDiffs: 100, timeouts: cl.timeouts, log: quietLog,
    }).replicateOnce();
  }
  const ring = objectRing();
  for (const [name, body] of acked) {
    const { part, nodes } = ring.getNodes('AUTH_proj-d', 'dur', name);
    for (const d of nodes) {
      const copies = onDisk(d.device, part, name);
      assert.equal(copies.length, 1, `${name} on ${d.device}`);
      assert.ok(copies[0]!.body.equals(body), `${name} on ${d.device} is byte-exact`);
    }
    for (const d of [...ring.getMoreNodes(part)]) assert.equal(onDisk(d.device, part, name).length, 0, `no handoff copy of ${name} left on ${d.device}`);
  }
  const { part, nodes } = cl.rings.get('container').getNodes('AUTH_proj-d', 'dur');
  for (const d of nodes) {
    const node = cl.nodes.find((n) => n.ports.container === d.port)!;
    const handles = new HandleCache(1);
    const broker = ContainerBroker.open(handles, cl.containerDbPath(node, d.device, part, 'AUTH_proj-d', 'dur'))!;
    const listed = new Set(broker.list({ limit: COUNT * 2 }).map((e) => ('row' in e ? e.row.name : e.subdir)));
    handles.closeAll();
    for (const name of acked.keys()) assert.ok(listed.has(name), `${name} listed by the container replica on ${d.device}`);
  }
});

test('a corrupted replica is quarantined by the auditor and restored by the replicator', async () => {
  const [name, body] = [...acked.entries()][0]!;
  const { part, nodes } = objectRing().getNodes('AUTH_proj-d', 'dur', name);
  const dev = nodes[0]!.device;
  const file = onDisk(dev, part, name)[0]!.file;
  const raw = readFileSync(file);
  raw[0] = raw[0]! ^ 0xff;
  writeFileSync(file, raw);
  const node = nodeOf(dev);
  const audit = await new ObjectAuditor({ devicesRoot: node.devicesRoot, hash: cl.hash, filesPerSecond: 0, bytesPerSecond: 0, log: quietLog }).auditOnce();
  assert.equal(audit.quarantined, 1);
  assert.equal(onDisk(dev, part, name).length, 0);
  assert.ok(readdirSync(join(node.devicesRoot, dev, 'quarantined', 'objects')).length >= 1);
  const r = await call('GET', `/dur/${name}`);
  assert.ok(r.buf.equals(body), 'the proxy reads another replica meanwhile');
  await replicateObjects();
  const restored = onDisk(dev, part, name);
  assert.equal(restored.length, 1);
  assert.ok(restored[0]!.body.equals(body));
});
