/**
 * The container and account replicators against three storage nodes: a replica that missed a
 * database gets it whole, one that missed rows gets the rows (and deletes), one far behind
 * gets the file merged, metadata and timestamps travel, a handoff database goes to its
 * primaries and is removed, and a second pass has nothing to do.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { RingDevice } from '../ring/ring-data.js';
import { startCluster, quietLog, type ClusterNode, type TestCluster } from '../testing/cluster.js';
import { backendCall, backendPath } from '../utils/backend-client.js';
import { nowTimestamp } from '../utils/timestamp.js';
import { AccountBroker } from '../db/account-broker.js';
import { ContainerBroker } from '../db/container-broker.js';
import { DbReplicator } from './db-replicator.js';

let cl: TestCluster;
before(async () => { cl = await startCluster(); });
after(async () => { await cl.close(); });

const nodeOfPort = (kind: 'container' | 'account', dev: RingDevice): ClusterNode => cl.nodes.find((n) => n.devices.includes(dev.device) && n.ports[kind] === dev.port)!;
const replicator = (kind: 'container' | 'account', n: ClusterNode, perDiff = 1000) => new DbReplicator({
  kind, ring: () => cl.rings.get(kind), locality: { devicesRoot: n.devicesRoot, node: { ip: '127.0.0.1', port: n.ports[kind] } },
  open: (c, p) => (kind === 'container' ? ContainerBroker.open(c, p) : AccountBroker.open(c, p)),
  deletedRowTimestamp: kind === 'container' ? 'created_at' : 'delete_timestamp',
  reclaimAgeS: 604800, concurrency: 2, perDiff, maxDiffs: 100, timeouts: cl.timeouts, log: quietLog,
});
const passAll = async (kind: 'container' | 'account', perDiff?: number) => {
  const out = [];
  for (const n of cl.nodes) out.push(await replicator(kind, n, perDiff).replicateOnce());
  return out;
};

async function putContainer(dev: RingDevice, part: number, c: string, headers: Record<string, string> = {}) {
  const r = await backendCall(dev, 'PUT', backendPath(dev.device, part, 'AUTH_d', c), { 'X-Timestamp': nowTimestamp(), ...headers }, cl.timeouts);
  assert.ok(r.status === 201 || r.status === 202, String(r.status));
}
async function putRow(dev: RingDevice, part: number, c: string, o: string, size: number, ts = nowTimestamp()) {
  const r = await backendCall(dev, 'PUT', backendPath(dev.device, part, 'AUTH_d', c, o), { 'X-Timestamp': ts, 'X-Size': String(size), 'X-Content-Type': 'text/plain', 'X-Etag': 'e' }, cl.timeouts);
  assert.equal(r.status, 201);
}
async function listing(dev: RingDevice, part: number, c: string) {
  const r = await backendCall(dev, 'GET', `${backendPath(dev.device, part, 'AUTH_d', c)}?format=json`, {}, cl.timeouts);
  return { status: r.status, names: r.status === 200 ? (JSON.parse(r.text) as Array<{ name: string }>).map((o) => o.name) : [], count: r.headers['x-container-object-count'], meta: r.headers['x-container-meta-color'] };
}

test('a container replica that missed the database gets it whole, then the rows it missed', async () => {
  const ring = cl.rings.get('container');
  const { part, nodes } = ring.getNodes('AUTH_d', 'c1');
  const ts = nowTimestamp();
  for (const d of nodes.slice(0, 2)) await putContainer(d, part, 'c1', { 'X-Timestamp': ts });
  for (let i = 0; i < 30; i++) {
    const rowTs = nowTimestamp(Date.now() + i);
    for (const d of nodes.slice(0, 2)) await putRow(d, part, 'c1', `o${String(i).padStart(2, '0')}`, i, rowTs);
  }
  assert.equal((await listing(nodes[2]!, part, 'c1')).status, 404);
  const stats = await passAll('container');
  assert.ok(stats.some((s) => s.rsync >= 1), JSON.stringify(stats));
  const third = await listing(nodes[2]!, part, 'c1');
  assert.equal(third.names.length, 30);
  assert.equal(third.count, '30');

  // rows and a delete on one replica only travel as rows
  const deleteTs = nowTimestamp(Date.now() + 100);
  await putRow(nodes[1]!, part, 'c1', 'late', 7);
  const del = await backendCall(nodes[1]!, 'DELETE', backendPath(nodes[1]!.device, part, 'AUTH_d', 'c1', 'o00'), { 'X-Timestamp': deleteTs }, cl.timeouts);
  assert.equal(del.status, 204);
  await backendCall(nodes[1]!, 'POST', backendPath(nodes[1]!.device, part, 'AUTH_d', 'c1'), { 'X-Timestamp': nowTimestamp(Date.now() + 200), 'X-Container-Meta-Color': 'green' }, cl.timeouts);
  const again = await passAll('container');
  assert.ok(again.some((s) => s.diff >= 1), JSON.stringify(again));
  for (const d of nodes) {
    const l = await listing(d, part, 'c1');
    assert.equal(l.count, '30', d.device);
    assert.ok(l.names.includes('late') && !l.names.includes('o00'), d.device);
    assert.equal(l.meta, 'green', d.device);
  }
  // level now: nothing moves
  const quiet = await passAll('container');
  for (const s of quiet) assert.equal(s.diff + s.rsync + s.remoteMerge, 0, JSON.stringify(s));
});

test('a replica far behind gets the whole file merged (rsync_then_merge)', async () => {
  const ring = cl.rings.get('container');
  const { part, nodes } = ring.getNodes('AUTH_d', 'big');
  const ts = nowTimestamp();
  for (const d of nodes) await putContainer(d, part, 'big', { 'X-Timestamp': ts });
  await putRow(nodes[2]!, part, 'big', 'only-here', 1);
  for (let i = 0; i < 300; i++) await putRow(nodes[0]!, part, 'big', `r${i}`, 1, nowTimestamp(Date.now() + i));
  const stats = await replicator('container', nodeOfPort('container', nodes[0]!), 50).replicateOnce();
  assert.ok(stats.remoteMerge >= 1, JSON.stringify(stats));
  await passAll('container', 50);
  for (const d of nodes) assert.equal((await listing(d, part, 'big')).count, '301', d.device);
});

test('a handoff container database goes to its primaries and is removed', async () => {
  const ring = cl.rings.get('container');
  const { part, nodes } = ring.getNodes('AUTH_d', 'handed');
  const handoff = ring.getMoreNodes(part).next().value as RingDevice;
  await putContainer(handoff, part, 'handed');
  await putRow(handoff, part, 'handed', 'x', 3);
  const n = nodeOfPort('container', handoff);
  const path = cl.containerDbPath(n, handoff.device, part, 'AUTH_d', 'handed');
  assert.ok(existsSync(path));
  const stats = await replicator('container', n).replicateOnce({ devices: [handoff.device] });
  assert.equal(stats.removed, 1, JSON.stringify(stats));
  assert.ok(!existsSync(path));
  for (const d of nodes) assert.deepEqual((await listing(d, part, 'handed')).names, ['x']);
  // the server that had it open writes a new file when asked again, not the removed one
  await putContainer(handoff, part, 'handed');
  await putRow(handoff, part, 'handed', 'y', 4);
  assert.ok(existsSync(path), 'a new database file');
  assert.deepEqual((await listing(handoff, part, 'handed')).names, ['y']);
  assert.equal((await replicator('container', n).replicateOnce({ devices: [handoff.device] })).removed, 1);
  for (const d of nodes) assert.deepEqual((await listing(d, part, 'handed')).names, ['x', 'y']);
});

test('account databases: container rows and metadata reach the replica that missed them', async () => {
  const ring = cl.rings.get('account');
  const { part, nodes } = ring.getNodes('AUTH_acc');
  for (const d of nodes) assert.equal((await backendCall(d, 'PUT', backendPath(d.device, part, 'AUTH_acc'), { 'X-Timestamp': nowTimestamp() }, cl.timeouts)).status, 201);
  const down = nodeOfPort('account', nodes[2]!);
  await cl.stop(down);
  try {
    for (const d of nodes.slice(0, 2)) {
      await backendCall(d, 'PUT', backendPath(d.device, part, 'AUTH_acc', 'photos'), { 'X-Put-Timestamp': nowTimestamp(), 'X-Object-Count': '4', 'X-Bytes-Used': '40', 'X-Timestamp': nowTimestamp() }, cl.timeouts);
      await backendCall(d, 'POST', backendPath(d.device, part, 'AUTH_acc'), { 'X-Timestamp': nowTimestamp(), 'X-Account-Meta-Tier': 'gold' }, cl.timeouts);
    }
    const stats = await replicator('account', cl.nodes.find((x) => x !== down)!).replicateOnce();
    assert.ok(stats.failure >= 1, 'the node that is down counts as a failure');
  } finally {
    await cl.start(down);
  }
  await passAll('account');
  const r = await backendCall(nodes[2]!, 'GET', `${backendPath(nodes[2]!.device, part, 'AUTH_acc')}?format=json`, {}, cl.timeouts);
  assert.equal(r.status, 200);
  assert.deepEqual((JSON.parse(r.text) as Array<{ name: string; count: number }>).map((c) => [c.name, c.count]), [['photos', 4]]);
  assert.equal(r.headers['x-account-bytes-used'], '40');
  assert.equal(r.headers['x-account-meta-tier'], 'gold');
});

test('the replication RPC refuses what it cannot use', async () => {
  const dev = cl.rings.get('container').devs.find((d) => d !== null)!;
  const call = (path: string, op: string, body: string) => backendCall(dev, 'POST', path, { 'x-backend-replication-verb': 'REPLICATE', 'x-backend-replication-op': op }, cl.timeouts, body);
  const hash = 'f'.repeat(32);
  const stamps = { created_at: '1700000000.00000', put_timestamp: '1700000000.00000', delete_timestamp: '0' };
  assert.equal((await call(`/${dev.device}/1/${hash}`, 'sync', JSON.stringify({ id: 'x', hash: 'y', point: 1, ...stamps }))).status, 404);
  assert.equal((await call(`/${dev.device}/1/${hash}`, 'sync', JSON.stringify({ id: 'x', hash: 'y', point: 1, ...stamps, put_timestamp: 'later' }))).status, 400);
  assert.equal((await call(`/${dev.device}/1/${hash}`, 'sync', 'not json')).status, 400);
  assert.equal((await call(`/${dev.device}/1/nothash`, 'sync', '{}')).status, 400);
  assert.equal((await call(`/${dev.device}/1/${hash}`, 'explode', '{}')).status, 400);
  assert.equal((await call(`/nodevice/1/${hash}`, 'sync', '{}')).status, 507);
  assert.equal((await call(`/${dev.device}/1/${hash}`, 'complete_rsync', 'garbage')).status, 400);
});
