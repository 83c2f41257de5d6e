/**
 * The object replicator and auditor against three storage nodes (two devices each): suffix
 * hashes invalidated by writes, a missing copy pushed to the primary that lacked it, .meta and
 * tombstones replicated, a handoff partition moved to its primaries and removed, old
 * tombstones reclaimed, and a corrupted replica quarantined by the auditor and restored.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RingDevice } from '../ring/ring-data.js';
import { startCluster, quietLog, type ClusterNode, type TestCluster } from '../testing/cluster.js';
import { backendCall, backendPath } from '../utils/backend-client.js';
import { nowTimestamp } from '../utils/timestamp.js';
import { ObjectAuditor } from './auditor.js';
import { getHashes } from './hashes.js';
import { ObjectReplicator } from './replicator.js';

let cl: TestCluster;
before(async () => { cl = await startCluster(); });
after(async () => { await cl.close(); });

const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');
const ring = () => cl.rings.get('object');
const nodeOf = (dev: RingDevice): ClusterNode => cl.nodes.find((n) => n.devices.includes(dev.device))!;
const replicator = (n: ClusterNode, reclaimAgeS = 604800) => new ObjectReplicator({
  ring, locality: { devicesRoot: n.devicesRoot, node: { ip: '127.0.0.1', port: n.ports.object } }, reclaimAgeS, concurrency: 2, timeouts: cl.timeouts, log: quietLog,
});
const replicateAll = async (reclaimAgeS?: number) => {
  for (const n of cl.nodes) await replicator(n, reclaimAgeS).replicateOnce();
};

async function put(dev: RingDevice, part: number, name: string, body: string, ts = nowTimestamp()) {
  const r = await backendCall(dev, 'PUT', backendPath(dev.device, part, 'AUTH_t', 'c', name), { 'X-Timestamp': ts, 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(body) }, cl.timeouts, body);
  assert.equal(r.status, 201);
}
async function get(dev: RingDevice, part: number, name: string) {
  return backendCall(dev, 'GET', backendPath(dev.device, part, 'AUTH_t', 'c', name), {}, cl.timeouts);
}
const hashDirOf = (dev: RingDevice, part: number, name: string) => nodeOf(dev).files.hashDir(dev.device, part, 'AUTH_t', 'c', name);

test('suffix hashes: equal for equal contents, invalidated by a write', async () => {
  const { part, nodes } = ring().getNodes('AUTH_t', 'c', 'h1');
  const ts = nowTimestamp();
  for (const d of nodes) await put(d, part, 'h1', 'same', ts);
  const hashes = nodes.map((d) => getHashes(nodeOf(d).files.partitionDir(d.device, part), { reclaimAgeS: 604800 }));
  assert.equal(Object.keys(hashes[0]!).length, 1);
  assert.deepEqual(hashes[1], hashes[0]);
  assert.deepEqual(hashes[2], hashes[0]);
  await put(nodes[0]!, part, 'h1', 'newer');
  const again = getHashes(nodeOf(nodes[0]!).files.partitionDir(nodes[0]!.device, part), { reclaimAgeS: 604800 });
  assert.notDeepEqual(again, hashes[0]);
});

test('a primary that missed writes gets them: .data, .meta and tombstones', async () => {
  const names = Array.from({ length: 20 }, (_x, i) => `obj-${i}`);
  const placed = names.map((n) => ({ name: n, ...ring().getNodes('AUTH_t', 'c', n) }));
  for (const p of placed) for (const d of p.nodes.slice(0, 2)) await put(d, p.part, p.name, `body of ${p.name}`);
  // metadata posted and a delete, on two of three again
  const [m, del] = [placed[0]!, placed[1]!];
  for (const d of m.nodes.slice(0, 2)) {
    assert.equal((await backendCall(d, 'POST', backendPath(d.device, m.part, 'AUTH_t', 'c', m.name), { 'X-Timestamp': nowTimestamp(), 'X-Object-Meta-Color': 'red' }, cl.timeouts)).status, 202);
  }
  const delTs = nowTimestamp(Date.now() + 10);
  for (const d of del.nodes.slice(0, 2)) await backendCall(d, 'DELETE', backendPath(d.device, del.part, 'AUTH_t', 'c', del.name), { 'X-Timestamp': delTs }, cl.timeouts);
  for (const p of placed.slice(2)) assert.equal((await get(p.nodes[2]!, p.part, p.name)).status, 404);

  const stats = await replicator(nodeOf(placed[0]!.nodes[0]!)).replicateOnce();
  await replicateAll();
  assert.ok(stats.partitions > 0);
  for (const p of placed.slice(2)) {
    const r = await get(p.nodes[2]!, p.part, p.name);
    assert.equal(r.status, 200, p.name);
    assert.equal(r.text, `body of ${p.name}`);
    assert.equal(r.headers.etag, md5(`body of ${p.name}`));
  }
  assert.equal((await get(m.nodes[2]!, m.part, m.name)).headers['x-object-meta-color'], 'red');
  const gone = await get(del.nodes[2]!, del.part, del.name);
  assert.equal(gone.status, 404);
  assert.equal(gone.headers['x-backend-timestamp'], delTs, 'the tombstone itself was replicated');
  // a second pass finds nothing to do
  const quiet = await replicator(nodeOf(placed[0]!.nodes[0]!)).replicateOnce();
  assert.equal(quiet.filesSent, 0);
  assert.equal(quiet.failures, 0);
});

test('a handoff partition is pushed to its primaries and removed', async () => {
  const { part, nodes } = ring().getNodes('AUTH_t', 'c', 'handed');
  const handoff = ring().getMoreNodes(part).next().value as RingDevice;
  await put(handoff, part, 'handed', 'kept on a handoff');
  const partDir = nodeOf(handoff).files.partitionDir(handoff.device, part);
  assert.ok(existsSync(partDir));
  const stats = await replicator(nodeOf(handoff)).replicateOnce({ devices: [handoff.device], partitions: [part] });
  assert.equal(stats.handoffsRemoved, 1);
  assert.ok(!existsSync(partDir), 'the handoff partition is gone');
  for (const d of nodes) assert.equal((await get(d, part, 'handed')).text, 'kept on a handoff');
});

test('a handoff partition is kept while a primary cannot take it', async () => {
  const { part, nodes } = ring().getNodes('AUTH_t', 'c', 'handed-2');
  const handoff = ring().getMoreNodes(part).next().value as RingDevice;
  await put(handoff, part, 'handed-2', 'wait for me');
  const down = cl.nodes.find((n) => n !== nodeOf(handoff) && nodes.some((d) => n.devices.includes(d.device)))!;
  await cl.stop(down);
  try {
    const stats = await replicator(nodeOf(handoff)).replicateOnce({ devices: [handoff.device], partitions: [part] });
    assert.equal(stats.handoffsRemoved, 0);
    assert.ok(stats.failures > 0);
    assert.ok(existsSync(hashDirOf(handoff, part, 'handed-2')));
  } finally {
    await cl.start(down);
  }
  await replicator(nodeOf(handoff)).replicateOnce({ devices: [handoff.device], partitions: [part] });
  assert.ok(!existsSync(hashDirOf(handoff, part, 'handed-2')));
});

test('tombstones older than reclaim_age are removed when suffixes are hashed', async () => {
  const { part, nodes } = ring().getNodes('AUTH_t', 'c', 'old-delete');
  const old = nowTimestamp(Date.now() - 8 * 86400_000);
  for (const d of nodes) await backendCall(d, 'DELETE', backendPath(d.device, part, 'AUTH_t', 'c', 'old-delete'), { 'X-Timestamp': old }, cl.timeouts);
  const dir = hashDirOf(nodes[0]!, part, 'old-delete');
  assert.deepEqual(readdirSync(dir), [`${old}.ts`]);
  await replicateAll(7 * 86400);
  for (const d of nodes) assert.ok(!existsSync(hashDirOf(d, part, 'old-delete')), `reclaimed on ${d.device}`);
});

test('the auditor quarantines a corrupted replica and the replicator restores it', async () => {
  const { part, nodes } = ring().getNodes('AUTH_t', 'c', 'precious');
  const body = Buffer.alloc(100_000, 'x');
  const ts = nowTimestamp();
  for (const d of nodes) await put(d, part, 'precious', body.toString(), ts);
  const victim = nodes[1]!;
  const file = join(hashDirOf(victim, part, 'precious'), `${ts}.data`);
  const bytes = readFileSync(file);
  bytes[500] = 'y'.charCodeAt(0);
  writeFileSync(file, bytes);
  const n = nodeOf(victim);
  const auditor = new ObjectAuditor({ devicesRoot: n.devicesRoot, hash: cl.hash, filesPerSecond: 0, bytesPerSecond: 0, log: quietLog });
  const stats = await auditor.auditOnce();
  assert.equal(stats.quarantined, 1);
  assert.ok(stats.checked >= 1);
  assert.ok(!existsSync(file));
  assert.ok(existsSync(join(n.devicesRoot, victim.device, 'quarantined', 'objects')));
  assert.equal((await get(victim, part, 'precious')).status, 404);
  await replicateAll();
  const back = await get(victim, part, 'precious');
  assert.equal(back.status, 200);
  assert.equal(md5(back.text), md5(body));
  assert.equal((await auditor.auditOnce()).quarantined, 0);
});

test('the auditor keeps to files_per_second', async () => {
  const n = cl.nodes[0]!;
  const auditor = new ObjectAuditor({ devicesRoot: n.devicesRoot, hash: cl.hash, filesPerSecond: 50, bytesPerSecond: 0, log: quietLog });
  const t0 = performance.now();
  const stats = await auditor.auditOnce();
  const seconds = (performance.now() - t0) / 1000;
  assert.ok(stats.checked >= 10, `${stats.checked} files`);
  assert.ok(seconds >= (stats.checked - 1) / 50, `${stats.checked} files in ${seconds}s`);
});
