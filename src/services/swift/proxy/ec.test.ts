/**
 * Erasure-coded storage policy end to end: three storage nodes (two devices each) in this
 * process, a 4+2 liberasurecode_rs_vand policy (segments of 4096 bytes) on the ring object-1
 * (6 replicas: every device a primary), the proxy in front.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { startHarness, type Harness } from '../../../common/testing/harness.js';
import { swift } from '../index.js';
import { ECDiskFileManager, parseECFile } from '../obj/ec-diskfile.js';
import { ObjectReconstructor, type ReconstructionStats } from '../obj/reconstructor.js';
import { buildProxy } from '../service.js';
import { startCluster, quietLog, type ClusterNode, type TestCluster } from '../testing/cluster.js';
import { StoragePolicies } from '../utils/storage-policy.js';

const S = 4096;
const POLICY = `1:ec42:erasure_coding:liberasurecode_rs_vand:4:2:${S}`;
const TOKEN = 'proj-ec:member';
const ACCOUNT = 'AUTH_proj-ec';
let cl: TestCluster;
let h: Harness;
let base: string;
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

before(async () => {
  cl = await startCluster({ nodes: 3, devicesPerNode: 2, partPower: 3, policies: [POLICY] });
  h = await startHarness({
    project: swift, role: 'object-proxy',
    overrides: {
      'swift.swift_dir': cl.swiftDir, 'swift.all_in_one_devices': '', 'swift.ring_check_interval': '0', 'swift.storage_policies': POLICY,
      'swift_hash.swift_hash_path_prefix': cl.hash.prefix, 'swift_hash.swift_hash_path_suffix': cl.hash.suffix,
      'proxy_server.conn_timeout': '0.5', 'proxy_server.node_timeout': '5', 'proxy_server.recheck_container_existence': '0',
    },
    create: buildProxy,
  });
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(h.app.server.address() as { port: number }).port}/object`;
});
after(async () => {
  await h?.close();
  await cl?.close();
});

async function call(method: string, path: string, opts: { body?: Buffer; headers?: Record<string, string> } = {}) {
  const res = await request(`${base}${path}`, { method: method as 'PUT', headers: { 'x-auth-token': TOKEN, ...opts.headers }, ...(opts.body ? { body: opts.body } : {}) });
  return { status: res.statusCode, buf: Buffer.from(await res.body.arrayBuffer()), headers: res.headers as Record<string, string> };
}

const ecRing = () => cl.rings.get('object-1');
const nodeOf = (device: string): ClusterNode => cl.nodes.find((n) => n.devices.includes(device))!;
const ecFiles = (n: ClusterNode) => new ECDiskFileManager(n.devicesRoot, cl.hash, 1);

/** One reconstructor pass on every node: the totals of their statistics. */
async function reconstructAll(): Promise<ReconstructionStats> {
  const policy = new StoragePolicies([POLICY]).ec(1)!;
  const total: ReconstructionStats = { partitions: 0, rebuilt: 0, reverted: 0, deletesSent: 0, failures: 0 };
  for (const n of cl.nodes) {
    const s = await new ObjectReconstructor({ ring: ecRing, policy, hash: cl.hash, locality: { devicesRoot: n.devicesRoot, node: { ip: '127.0.0.1', port: n.ports.object } }, timeouts: cl.timeouts, log: quietLog }).reconstructOnce();
    for (const k of Object.keys(total) as Array<keyof ReconstructionStats>) total[k] += s[k];
  }
  return total;
}

/** The fragment archive files of an object, one per primary in ring order: [path, frag index, durable, body]. */
function archives(container: string, name: string) {
  const { part, nodes } = ecRing().getNodes(ACCOUNT, container, name);
  return nodes.map((dev) => {
    const dir = ecFiles(nodeOf(dev.device)).hashDir(dev.device, part, ACCOUNT, container, name);
    let files: string[] = [];
    try {
      files = readdirSync(dir);
    } catch {
      // none
    }
    const data = files.map(parseECFile).find((f) => f?.ext === 'data');
    if (!data) return { dev, dir, file: undefined };
    const raw = readFileSync(join(dir, data.name));
    const jsonLen = raw.readUInt32BE(raw.length - 12);
    return { dev, dir, file: data, body: raw.subarray(0, raw.length - 12 - jsonLen) };
  });
}

test('/info lists the EC policy beside Policy-0 (name and aliases only, as upstream\'s get_policy_info)', async () => {
  const r = await request(`${base}/info`);
  const info = await r.body.json() as { swift: { policies: Array<Record<string, unknown>> } };
  assert.deepEqual(info.swift.policies, [{ name: 'Policy-0', aliases: 'Policy-0', default: true }, { name: 'ec42', aliases: 'ec42' }]);
});

test('a container on the EC policy (X-Storage-Policy); an unknown policy is 400, another policy for it 409', async () => {
  assert.equal((await call('PUT', `/v1/${ACCOUNT}/ec`, { headers: { 'x-storage-policy': 'EC42' } })).status, 201);
  const head = await call('HEAD', `/v1/${ACCOUNT}/ec`);
  assert.equal(head.headers['x-storage-policy'], 'ec42');
  const bad = await call('PUT', `/v1/${ACCOUNT}/other`, { headers: { 'x-storage-policy': 'gold' } });
  assert.equal(bad.status, 400);
  assert.match(bad.buf.toString(), /Invalid X-Storage-Policy 'gold'/);
  assert.equal((await call('PUT', `/v1/${ACCOUNT}/ec`, { headers: { 'x-storage-policy': 'Policy-0' } })).status, 409);
  assert.equal((await call('PUT', `/v1/${ACCOUNT}/ec`)).status, 202);
  assert.equal((await call('PUT', `/v1/${ACCOUNT}/rep`)).status, 201);
  assert.equal((await call('HEAD', `/v1/${ACCOUNT}/rep`)).headers['x-storage-policy'], 'Policy-0');
});

// up to 64 KiB the proxy sends each archive whole in one request; above, streamed segment by segment
const SIZES = [0, 1, S - 1, S, S + 1, 3 * S + 5, 40_000, 100_003];

test('PUT and GET are byte-exact for every size; each primary holds its durable fragment archive', async () => {
  for (const size of SIZES) {
    const body = randomBytes(size);
    const name = `obj-${size}`;
    const put = await call('PUT', `/v1/${ACCOUNT}/ec/${name}`, { body, headers: { 'content-type': 'application/x-test', 'x-object-meta-color': 'blue' } });
    assert.equal(put.status, 201, `PUT ${size}`);
    assert.equal(put.headers.etag, md5(body));
    const get = await call('GET', `/v1/${ACCOUNT}/ec/${name}`);
    assert.equal(get.status, 200);
    assert.ok(get.buf.equals(body), `GET ${size} byte-exact`);
    assert.equal(get.headers.etag, md5(body));
    assert.equal(get.headers['content-length'], String(size));
    assert.equal(get.headers['x-object-meta-color'], 'blue');
    assert.equal(get.headers['content-type'], 'application/x-test');
    assert.ok(!Object.keys(get.headers).some((k) => k.startsWith('x-object-sysmeta-')), 'no sysmeta shown');
    const arch = archives('ec', name);
    const segs = Math.ceil(size / S);
    const expectLen = segs === 0 ? 0 : (segs - 1) * (S / 4) + Math.ceil((size - (segs - 1) * S) / 4);
    arch.forEach((a, i) => {
      assert.equal(a.file?.fragIndex, i, `archive ${i} of ${size} on its primary`);
      assert.equal(a.file?.durable, true);
      assert.equal(a.body!.length, expectLen);
    });
    // the data fragments are the data (systematic code)
    if (size === S) assert.ok(Buffer.concat(arch.slice(0, 4).map((a) => a.body!)).equals(body));
  }
  const listing = await call('GET', `/v1/${ACCOUNT}/ec?format=json`);
  const rows = JSON.parse(listing.buf.toString()) as Array<{ name: string; bytes: number; hash: string }>;
  assert.equal(rows.find((r) => r.name === `obj-${3 * S + 5}`)?.bytes, 3 * S + 5, 'listed with the object\'s size, not an archive\'s');
  const head = await call('HEAD', `/v1/${ACCOUNT}/ec/obj-${S + 1}`);
  assert.equal(head.status, 200);
  assert.equal(head.headers['content-length'], String(S + 1));
});

test('Range GETs are mapped to segments and cut back to the range; conditions use the object\'s etag', async () => {
  const body = randomBytes(3 * S + 5);
  assert.equal((await call('PUT', `/v1/${ACCOUNT}/ec/ranged`, { body })).status, 201);
  const ranges: Array<[string, number, number]> = [
    ['bytes=0-0', 0, 0], ['bytes=10-20', 10, 20], [`bytes=${S - 2}-${S + 1}`, S - 2, S + 1], [`bytes=${S}-${2 * S - 1}`, S, 2 * S - 1],
    [`bytes=${S + 7}-`, S + 7, 3 * S + 4], ['bytes=-7', 3 * S - 2, 3 * S + 4], [`bytes=5-${10 * S}`, 5, 3 * S + 4], [`bytes=${3 * S}-${3 * S + 4}`, 3 * S, 3 * S + 4],
  ];
  for (const [range, start, end] of ranges) {
    const r = await call('GET', `/v1/${ACCOUNT}/ec/ranged`, { headers: { range } });
    assert.equal(r.status, 206, range);
    assert.equal(r.headers['content-range'], `bytes ${start}-${end}/${body.length}`, range);
    assert.ok(r.buf.equals(body.subarray(start, end + 1)), `${range} byte-exact`);
  }
  assert.equal((await call('GET', `/v1/${ACCOUNT}/ec/ranged`, { headers: { range: `bytes=${body.length}-` } })).status, 416);
  assert.equal((await call('GET', `/v1/${ACCOUNT}/ec/ranged`, { headers: { 'if-none-match': md5(body) } })).status, 304);
  assert.equal((await call('GET', `/v1/${ACCOUNT}/ec/ranged`, { headers: { 'if-match': 'nope' } })).status, 412);
  assert.equal((await call('GET', `/v1/${ACCOUNT}/ec/ranged`, { headers: { 'if-match': md5(body) } })).status, 200);
});

test('GET still works with m fragment archives gone (data fragments among them: decoded from parity)', async () => {
  const body = randomBytes(5 * S + 123);
  assert.equal((await call('PUT', `/v1/${ACCOUNT}/ec/degraded`, { body })).status, 201);
  const arch = archives('ec', 'degraded');
  rmSync(arch[0]!.dir, { recursive: true });
  rmSync(arch[2]!.dir, { recursive: true });
  const get = await call('GET', `/v1/${ACCOUNT}/ec/degraded`);
  assert.equal(get.status, 200);
  assert.ok(get.buf.equals(body));
  const r = await call('GET', `/v1/${ACCOUNT}/ec/degraded`, { headers: { range: `bytes=${S - 3}-${2 * S + 3}` } });
  assert.ok(r.buf.equals(body.subarray(S - 3, 2 * S + 4)));
  // one more archive gone: fewer than k
  rmSync(arch[4]!.dir, { recursive: true });
  assert.equal((await call('GET', `/v1/${ACCOUNT}/ec/degraded`)).status, 503);
  // lost for good: the rest removed too, so the reconstructor's pass below has nothing it cannot rebuild
  for (const i of [1, 3, 5]) rmSync(arch[i]!.dir, { recursive: true });
});

test('the reconstructor rebuilds a deleted fragment archive byte-exact on its primary', async () => {
  const body = randomBytes(2 * S + 77);
  assert.equal((await call('PUT', `/v1/${ACCOUNT}/ec/rebuild`, { body })).status, 201);
  const before = archives('ec', 'rebuild');
  for (const gone of [1, 5]) rmSync(before[gone]!.dir, { recursive: true });
  const { rebuilt, failures } = await reconstructAll();
  assert.equal(failures, 0);
  assert.ok(rebuilt >= 2, `rebuilt ${rebuilt}`);
  const after = archives('ec', 'rebuild');
  for (const i of [1, 5]) {
    assert.equal(after[i]!.file?.fragIndex, i);
    assert.equal(after[i]!.file?.durable, true);
    assert.equal(after[i]!.file?.timestamp, before[i]!.file?.timestamp);
    assert.ok(after[i]!.body!.equals(before[i]!.body!), `archive ${i} byte-exact`);
  }
  // the rebuilt archives serve reads: the other data archives gone, 1 and 5 are needed
  for (const gone of [0, 2]) rmSync(after[gone]!.dir, { recursive: true });
  const get = await call('GET', `/v1/${ACCOUNT}/ec/rebuild`);
  assert.ok(get.buf.equals(body));
});

test('an archive whose commit was lost (non-durable) is rebuilt durable by the reconstructor', async () => {
  const body = randomBytes(S + 500);
  assert.equal((await call('PUT', `/v1/${ACCOUNT}/ec/uncommitted`, { body })).status, 201);
  const before = archives('ec', 'uncommitted');
  const a = before[2]!;
  renameSync(join(a.dir, a.file!.name), join(a.dir, a.file!.name.replace('#d.data', '.data')));
  assert.equal(archives('ec', 'uncommitted')[2]!.file?.durable, false);
  assert.equal((await reconstructAll()).failures, 0);
  const after = archives('ec', 'uncommitted')[2]!;
  assert.equal(after.file?.durable, true);
  assert.ok(after.body!.equals(a.body!));
  assert.deepEqual(readdirSync(a.dir).length, 1, 'the non-durable file replaced');
});

test('the reconstructor sends a handoff\'s fragment archive home and removes it', async () => {
  const body = randomBytes(S + 9);
  assert.equal((await call('PUT', `/v1/${ACCOUNT}/ec/revert`, { body })).status, 201);
  const arch = archives('ec', 'revert');
  // archive 3 moved to the device of archive 0 (as a PUT while its primary was down leaves it)
  const from = arch[3]!;
  const to = arch[0]!;
  const raw = readFileSync(join(from.dir, from.file!.name));
  rmSync(from.dir, { recursive: true });
  mkdirSync(to.dir, { recursive: true });
  writeFileSync(join(to.dir, from.file!.name), raw);
  assert.equal((await reconstructAll()).reverted, 1);
  const after = archives('ec', 'revert');
  assert.equal(after[3]!.file?.fragIndex, 3);
  assert.ok(after[3]!.body!.equals(from.body!));
  assert.equal(after[0]!.file?.fragIndex, 0, 'only its own archive left on the handoff');
  assert.ok(!readdirSync(to.dir).some((f) => f.includes('#3')));
});

test('DELETE and POST reach every fragment archive', async () => {
  const body = randomBytes(100);
  assert.equal((await call('PUT', `/v1/${ACCOUNT}/ec/gone`, { body })).status, 201);
  assert.equal((await call('POST', `/v1/${ACCOUNT}/ec/gone`, { headers: { 'x-object-meta-k': 'v' } })).status, 202);
  assert.equal((await call('GET', `/v1/${ACCOUNT}/ec/gone`)).headers['x-object-meta-k'], 'v');
  assert.equal((await call('DELETE', `/v1/${ACCOUNT}/ec/gone`)).status, 204);
  assert.equal((await call('GET', `/v1/${ACCOUNT}/ec/gone`)).status, 404);
  assert.ok(archives('ec', 'gone').every((a) => a.file === undefined), 'no archive left');
});

test('a delete missed by a node that was down reaches it from the reconstructor', async () => {
  assert.equal((await call('PUT', `/v1/${ACCOUNT}/ec/missed-delete`, { body: randomBytes(S) })).status, 201);
  const down = nodeOf(archives('ec', 'missed-delete')[5]!.dev.device);
  await cl.stop(down);
  try {
    assert.equal((await call('DELETE', `/v1/${ACCOUNT}/ec/missed-delete`)).status, 204);
  } finally {
    await cl.start(down);
  }
  assert.ok(archives('ec', 'missed-delete').some((a) => a.file !== undefined), 'the node that was down still has its archives');
  assert.equal((await call('GET', `/v1/${ACCOUNT}/ec/missed-delete`)).status, 404, 'the newer tombstones win');
  const { deletesSent, failures } = await reconstructAll();
  assert.equal(failures, 0);
  assert.ok(deletesSent >= 1);
  assert.ok(archives('ec', 'missed-delete').every((a) => a.file === undefined), 'no archive left');
});

test('a PUT fails 503 with fewer than quorum (k+1) nodes, and nothing is durable', async () => {
  const down = cl.nodes[2]!;
  await cl.stop(down);
  try {
    for (const size of [3 * S, 100_000]) {
      const put = await call('PUT', `/v1/${ACCOUNT}/ec/noquorum`, { body: randomBytes(size) });
      assert.equal(put.status, 503, `${size} bytes`);
    }
    assert.ok(archives('ec', 'noquorum').every((a) => !a.file?.durable));
  } finally {
    await cl.start(down);
  }
  // the node back: it works again
  const body = randomBytes(S + 1);
  assert.equal((await call('PUT', `/v1/${ACCOUNT}/ec/quorum`, { body })).status, 201);
  assert.ok((await call('GET', `/v1/${ACCOUNT}/ec/quorum`)).buf.equals(body));
});

test('a chunked PUT (no Content-Length) and a wrong ETag (422, nothing durable)', async () => {
  const body = randomBytes(2 * S + 3);
  const res = await request(`${base}/v1/${ACCOUNT}/ec/chunked`, { method: 'PUT', headers: { 'x-auth-token': TOKEN }, body: Readable.from((async function* () { yield body.subarray(0, 100); yield body.subarray(100); })()) });
  await res.body.arrayBuffer();
  assert.equal(res.statusCode, 201);
  assert.ok((await call('GET', `/v1/${ACCOUNT}/ec/chunked`)).buf.equals(body));
  for (const size of [10, 100_000]) {
    const bad = await call('PUT', `/v1/${ACCOUNT}/ec/badetag`, { body: randomBytes(size), headers: { etag: md5(Buffer.from('x')) } });
    assert.equal(bad.status, 422);
    assert.equal((await call('GET', `/v1/${ACCOUNT}/ec/badetag`)).status, 404);
    assert.ok(archives('ec', 'badetag').every((a) => a.file === undefined), 'nothing written');
  }
});

test('objects of a Policy-0 container are replicated as before', async () => {
  const body = randomBytes(S);
  assert.equal((await call('PUT', `/v1/${ACCOUNT}/rep/plain`, { body })).status, 201);
  assert.ok((await call('GET', `/v1/${ACCOUNT}/rep/plain`)).buf.equals(body));
  const part = cl.rings.get('object').getPart(ACCOUNT, 'rep', 'plain');
  const copies = cl.rings.get('object').getPartNodes(part).filter((d) => {
    try {
      return readdirSync(nodeOf(d.device).files.hashDir(d.device, part, ACCOUNT, 'rep', 'plain')).some((f) => /^\d{10}\.\d{5}\.data$/.test(f));
    } catch {
      return false;
    }
  });
  assert.equal(copies.length, 3);
});

test('object_versioning on an EC container: its versions container keeps the EC policy, each version is fragment archives', async () => {
  assert.equal((await call('PUT', `/v1/${ACCOUNT}/ecv`, { headers: { 'x-storage-policy': 'ec42', 'x-versions-enabled': 'true' } })).status, 201);
  const body = randomBytes(3 * S + 100);
  const put = await call('PUT', `/v1/${ACCOUNT}/ecv/o`, { body });
  assert.equal(put.status, 201);
  const version = put.headers['x-object-version-id']!;
  await call('PUT', `/v1/${ACCOUNT}/ecv/o`, { body: Buffer.from('newer') });
  const old = await call('GET', `/v1/${ACCOUNT}/ecv/o?version-id=${version}`);
  assert.equal(md5(old.buf), md5(body));
  const inverted = (9999999999_99999n - BigInt(version.replace('.', ''))).toString().padStart(15, '0');
  const held = archives('\u0000versions\u0000ecv', `\u0000o\u0000${inverted.slice(0, 10)}.${inverted.slice(10)}`);
  assert.equal(held.filter((a) => a.file !== undefined).length, 6, 'a fragment archive on every primary of the EC ring');
});
