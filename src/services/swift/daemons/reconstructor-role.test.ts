/**
 * An erasure-coded policy in the all-in-one cloud: with three devices, the object server builds
 * the 2+1 policy's ring object-1 (3 replicas) on first start; a container on it stores fragment
 * archives under objects-1/; one removed from disk comes back byte-exact after one pass of
 * `nubo swift-daemon object-reconstructor --once`; one damaged on disk is quarantined by the
 * object-auditor and rebuilt by the reconstructor.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { startTestSwift, type TestSwift } from '../testing/harness.js';
import { quietLog } from '../testing/cluster.js';
import { runDaemonCommand } from './build.js';

let sw: TestSwift;
let base: string;
const TOKEN = 'proj-rc:member';

before(async () => {
  sw = await startTestSwift({ 'swift.storage_policies': '1:ec21:erasure_coding:liberasurecode_rs_vand:2:1:1000', 'object_reconstructor.interval': '3600', 'proxy_server.recheck_container_existence': '0' }, { daemons: true });
  base = `${await sw.listen()}/v1/AUTH_proj-rc`;
});
after(async () => { await sw.close(); });

/** The fragment archive files under objects-1/ as [path, contents]. */
function archives(): Array<[string, Buffer]> {
  const out: Array<[string, Buffer]> = [];
  const root = join(sw.dataDir, 'swift', 'node');
  for (const dev of readdirSync(root)) {
    const objects = join(root, dev, 'objects-1');
    if (!existsSync(objects)) continue;
    for (const p of readdirSync(objects).filter((x) => /^\d+$/.test(x))) {
      for (const s of readdirSync(join(objects, p)).filter((x) => /^[0-9a-f]{3}$/.test(x))) {
        for (const h of readdirSync(join(objects, p, s))) {
          for (const f of readdirSync(join(objects, p, s, h))) if (f.endsWith('.data')) out.push([join(objects, p, s, h, f), readFileSync(join(objects, p, s, h, f))]);
        }
      }
    }
  }
  return out.sort((a, b) => a[0].localeCompare(b[0]));
}

test('all-in-one EC: archives under objects-1, one removed and rebuilt by the object-reconstructor role\'s pass', async () => {
  assert.equal((await request(`${base}/ec`, { method: 'PUT', headers: { 'x-auth-token': TOKEN, 'x-storage-policy': 'ec21' } })).statusCode, 201);
  const body = randomBytes(2500);
  const put = await request(`${base}/ec/o`, { method: 'PUT', headers: { 'x-auth-token': TOKEN }, body });
  await put.body.arrayBuffer();
  assert.equal(put.statusCode, 201);
  const before = archives();
  assert.deepEqual(before.map(([p]) => /#(\d)#d\.data$/.exec(p)?.[1]).sort(), ['0', '1', '2']);
  rmSync(before[1]![0]);
  const stats = JSON.parse(await runDaemonCommand(['object-reconstructor', '--once'], { config: sw.config, dataDir: sw.dataDir, log: { ...quietLog, info: () => undefined } })) as { policies: number; rebuilt: number; failures: number };
  assert.equal(stats.policies, 1);
  assert.equal(stats.failures, 0);
  assert.ok(stats.rebuilt >= 1);
  const after = archives();
  assert.deepEqual(after.map(([p]) => p), before.map(([p]) => p));
  assert.ok(after[1]![1].equals(before[1]![1]), 'rebuilt byte-exact (its metadata trailer too)');
  const get = await request(`${base}/ec/o`, { headers: { 'x-auth-token': TOKEN } });
  assert.ok(Buffer.from(await get.body.arrayBuffer()).equals(body));
});

test('a damaged archive is quarantined by the object-auditor and rebuilt by the reconstructor', async () => {
  const before = archives();
  const [path, good] = before[0]!;
  const bad = Buffer.from(good);
  bad[0] = bad[0]! ^ 0xff;
  writeFileSync(path, bad);
  const log = { ...quietLog, info: () => undefined };
  const audit = JSON.parse(await runDaemonCommand(['object-auditor', '--once'], { config: sw.config, dataDir: sw.dataDir, log })) as { checked: number; quarantined: number };
  assert.equal(audit.quarantined, 1);
  assert.ok(audit.checked >= 3);
  assert.ok(!existsSync(path));
  const stats = JSON.parse(await runDaemonCommand(['object-reconstructor', '--once'], { config: sw.config, dataDir: sw.dataDir, log })) as { rebuilt: number; failures: number };
  assert.equal(stats.failures, 0);
  assert.ok(readFileSync(path).equals(good), 'rebuilt byte-exact');
});
