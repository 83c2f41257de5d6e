import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAddValue, parseSearch, RingBuilder, RingBuilderError } from './builder.js';
import { runRingCommand } from './cli.js';
import { saveBuilder, writeRing } from './files.js';
import { hashPath } from './hash.js';
import { deserializeRing, serializeRing } from './ring-data.js';
import { Ring } from './ring.js';

/** A deterministic PRNG so rebalances are reproducible. */
function seeded(seed: number): (n: number) => number {
  let x = seed;
  return (n) => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x % n;
  };
}

test("hash_path gives upstream's digests (swift test_utils.test_hash_path)", () => {
  const conf = { prefix: '', suffix: 'endcap' };
  assert.equal(hashPath(conf, 'a'), '1c84525acb02107ea475dcd3d09c2c58');
  assert.equal(hashPath(conf, 'a', 'c'), '33379ecb053aa5c9e356c68997cbb59e');
  assert.equal(hashPath(conf, 'a', 'c', 'o'), '06fbf0b514e5199dfc4e00f42eb5ea83');
  assert.equal(hashPath({ prefix: 'abcdef', suffix: 'endcap' }, 'a', 'c', 'o'), '363f9b535bfb7d17a43a46a358afca0e');
});

test('device values and search values parse as swift-ring-builder reads them', () => {
  assert.deepEqual(parseAddValue('r2z3-10.0.0.1:6200R10.1.0.1:6300/sdb1_fast', 100), {
    region: 2, zone: 3, ip: '10.0.0.1', port: 6200, replication_ip: '10.1.0.1', replication_port: 6300, device: 'sdb1', weight: 100, meta: 'fast',
  });
  assert.equal(parseAddValue('z1-127.0.0.1:6200/d1', 1).region, 1);
  assert.deepEqual(parseSearch('d3'), { id: 3 });
  assert.deepEqual(parseSearch('r1z2-127.0.0.1:6200/d1'), { region: 1, zone: 2, ip: '127.0.0.1', port: 6200, device: 'd1' });
  assert.throws(() => parseAddValue('bogus', 1), RingBuilderError);
  assert.throws(() => parseSearch(''), RingBuilderError);
});

function cluster(partPower: number, replicas: number, devs: Array<[zone: number, ip: string, weight: number, region?: number]>, now = () => 1e12): RingBuilder {
  const b = RingBuilder.create(partPower, replicas, 1, { random: seeded(7), now });
  devs.forEach(([zone, ip, weight, region], i) => b.addDevice({ region: region ?? 1, zone, ip, port: 6200, device: `d${i}`, weight }));
  return b;
}

function partsOf(b: RingBuilder): Map<number, number> {
  const m = new Map<number, number>();
  for (const t of b.state.replica2part2dev!) for (const id of t) m.set(id, (m.get(id) ?? 0) + 1);
  return m;
}

test('a rebalance gives every partition its replicas on distinct devices, in proportion to weight', () => {
  const b = cluster(8, 3, [[1, '10.0.0.1', 100], [2, '10.0.0.2', 100], [3, '10.0.0.3', 100], [4, '10.0.0.4', 200]]);
  const r = b.rebalance();
  assert.equal(r.partsMoved, 256);
  const counts = partsOf(b);
  // 768 part-replicas over weights 1:1:1:2 would give the heavy one 307.2, but it can hold one
  // replica of each of the 256 partitions: 256 for it, the other 512 shared, 170.67 each
  assert.equal(counts.get(3), 256);
  for (const id of [0, 1, 2]) assert.ok(Math.abs(counts.get(id)! - 170.67) <= 1, `device ${id} has ${counts.get(id)}`);
  for (let p = 0; p < 256; p++) assert.equal(new Set(b.state.replica2part2dev!.map((t) => t[p])).size, 3);
  assert.ok(r.balance < 2, `balance ${r.balance}`);
});

test('replicas spread over regions and zones before devices', () => {
  // 2 regions; region 1 has two zones of two devices, region 2 one zone of two
  const b = cluster(8, 3, [[1, 'a', 100], [1, 'a', 100, 1], [2, 'b', 100], [2, 'b', 100], [1, 'c', 100, 2], [1, 'c', 100, 2]]);
  b.state.devs[1]!.device = 'x';
  b.rebalance();
  const devs = b.devices();
  for (let p = 0; p < 256; p++) {
    const ids = b.state.replica2part2dev!.map((t) => t[p]!);
    const regions = new Set(ids.map((id) => devs.find((d) => d.id === id)!.region));
    const zones = new Set(ids.map((id) => { const d = devs.find((x) => x.id === id)!; return `${d.region}/${d.zone}`; }));
    assert.equal(regions.size, 2, `part ${p} is in ${regions.size} regions`);
    assert.equal(zones.size, 3, `part ${p} is in ${zones.size} zones`);
  }
});

test('adding a device moves about its share; min_part_hours holds partitions back; removing moves only its partitions', () => {
  let now = 1e12;
  const b = cluster(10, 3, [[1, 'a', 100], [2, 'b', 100], [3, 'c', 100], [4, 'd', 100]], () => now);
  b.rebalance();
  const before = b.state.replica2part2dev!.map((t) => [...t]);
  now += 2 * 3600_000;
  b.addDevice({ region: 1, zone: 5, ip: 'e', port: 6200, device: 'd4', weight: 100 });
  const r = b.rebalance();
  // the new device wants 1/5 of 3072 part-replicas = 614; about that many replicas move, each to the new device
  assert.ok(Math.abs(r.replicasMoved - 614) <= 20, `moved ${r.replicasMoved} replicas`);
  assert.ok(Math.abs(partsOf(b).get(4)! - 614) <= 3, `new device has ${partsOf(b).get(4)}`);
  let changed = 0;
  b.state.replica2part2dev!.forEach((t, r2) => t.forEach((id, p) => { if (before[r2]![p] !== id) { changed++; assert.equal(id, 4); } }));
  assert.equal(changed, r.replicasMoved);

  // right away (min_part_hours = 1), the partitions just moved stay put
  const moved = new Set(b.state.last_part_moves.map((t, p) => (t === now ? p : -1)).filter((p) => p >= 0));
  b.setWeight(4, 300);
  const snapshot = b.state.replica2part2dev!.map((t) => [...t]);
  b.rebalance();
  for (const p of moved) for (let r2 = 0; r2 < 3; r2++) assert.equal(b.state.replica2part2dev![r2]![p], snapshot[r2]![p]);

  // removing a device moves exactly its replicas, even within min_part_hours
  now += 1;
  const onDev0 = partsOf(b).get(0)!;
  const snap2 = b.state.replica2part2dev!.map((t) => [...t]);
  b.removeDevice(0);
  const r3 = b.rebalance();
  assert.equal(partsOf(b).get(0), undefined);
  assert.equal(b.state.devs[0], null);
  let changed2 = 0;
  b.state.replica2part2dev!.forEach((t, r2) => t.forEach((id, p) => { if (snap2[r2]![p] !== id) changed2++; }));
  assert.ok(changed2 >= onDev0 && r3.replicasMoved >= onDev0);
  for (let p = 0; p < 1024; p++) assert.equal(new Set(b.state.replica2part2dev!.map((t) => t[p])).size, 3);
});

test('a rebalance refuses fewer weighted devices than replicas', () => {
  const b = cluster(4, 3, [[1, 'a', 100], [2, 'b', 100]]);
  assert.throws(() => b.rebalance(), /requires at least 3 devices/);
});

test('the ring file is Swift\'s R1NG format and round-trips', () => {
  const b = cluster(6, 3, [[1, 'a', 1], [2, 'b', 1], [3, 'c', 1]]);
  b.rebalance();
  const data = b.ringData();
  const gz = serializeRing(data);
  const back = deserializeRing(gz);
  assert.equal(back.partShift, 26);
  assert.deepEqual(back.replica2part2dev.map((t) => [...t]), data.replica2part2dev.map((t) => [...t]));
  assert.equal(back.devs[1]!.ip, 'b');
  assert.throws(() => deserializeRing(Buffer.from('junk')), /gzip/);
});

test('the runtime ring: partitions from the hash, primaries, handoffs, reload on change', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nubo-ring-'));
  try {
    const b = cluster(8, 3, [[1, 'a', 100], [2, 'b', 100], [3, 'c', 100], [4, 'd', 100], [5, 'e', 100]]);
    b.rebalance();
    const path = join(dir, 'object.builder');
    saveBuilder(path, b);
    writeRing(path, b);
    const hash = { prefix: '', suffix: 'endcap' };
    let clock = 0;
    const ring = new Ring(join(dir, 'object.ring.gz'), hash, 1000, () => clock);
    const part = ring.getPart('a', 'c', 'o');
    // the top 8 bits of md5('/a/c/oendcap') = 06fb... → 0x06
    assert.equal(part, 0x06);
    const { nodes } = ring.getNodes('a', 'c', 'o');
    assert.equal(nodes.length, 3);
    assert.deepEqual(nodes.map((n) => n.id), b.state.replica2part2dev!.map((t) => t[part]));
    const handoffs = [...ring.getMoreNodes(part)];
    assert.equal(handoffs.length, 2);
    assert.deepEqual(new Set([...nodes, ...handoffs].map((n) => n.id)).size, 5);
    assert.ok(handoffs.every((h) => h.handoff));
    // the same partition always gets the same handoffs
    assert.deepEqual([...ring.getMoreNodes(part)].map((n) => n.id), handoffs.map((n) => n.id));

    // a new ring on disk is picked up once the reload interval passed
    b.setInfo(nodes[0]!.id, { ip: 'moved' });
    writeRing(path, b);
    utimesSync(join(dir, 'object.ring.gz'), new Date(), new Date(Date.now() + 5000));
    assert.notEqual(ring.getPartNodes(part)[0]!.ip, 'moved');
    clock += 1001;
    assert.equal(ring.getPartNodes(part)[0]!.ip, 'moved');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('nubo ring: create, add, rebalance, set_weight, remove, show', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nubo-ring-cli-'));
  try {
    assert.match(runRingCommand(['account.builder', 'create', '6', '3', '0'], dir), /created/);
    assert.match(runRingCommand(['account.builder', 'add', 'r1z1-127.0.0.1:6202/d1', '100', 'r1z2-127.0.0.1:6202/d2', '100'], dir), /got id 1/);
    runRingCommand(['account.builder', 'add', '--region', '1', '--zone', '3', '--ip', '127.0.0.1', '--port', '6202', '--device', 'd3', '--weight', '100'], dir);
    assert.match(runRingCommand(['account.builder', 'rebalance'], dir), /Reassigned 64 \(100.00%\) partitions/);
    assert.match(runRingCommand(['account.builder'], dir), /64 partitions, 3.000000 replicas, 1 regions, 3 zones, 3 devices, 0.00 balance[\s\S]*up-to-date/);
    runRingCommand(['account.builder', 'add', 'r1z4-127.0.0.1:6202/d4', '100'], dir);
    assert.match(runRingCommand(['account.builder', 'show'], dir), /obsolete/);
    runRingCommand(['account.builder', 'set_weight', '/d3', '50'], dir);
    runRingCommand(['account.builder', 'remove', '/d1'], dir);
    assert.match(runRingCommand(['account.builder', 'show'], dir), /d1 +0\.00 +64 .*\(removing\)/);
    runRingCommand(['account.builder', 'rebalance'], dir);
    const ring = new Ring(join(dir, 'account.ring.gz'), { prefix: '', suffix: 'x' });
    assert.equal(ring.devs[0], null);
    assert.equal(ring.replicaCount, 3);
    assert.throws(() => runRingCommand(['account.builder', 'set_weight', 'z9', '1'], dir), /no device matches/);
    assert.throws(() => runRingCommand(['account.builder', 'frobnicate'], dir), /unknown command/);
    assert.throws(() => runRingCommand(['nope.builder', 'show'], dir), /no builder file/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
