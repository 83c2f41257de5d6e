/**
 * The consistency daemons as roles of the all-in-one cloud and as `nubo swift-daemon`: a
 * replica removed from disk comes back after one object-replicator pass, the auditor and the
 * database replicators run over the devices, an account deleted by the reseller admin
 * (allow_account_management) is emptied by the account reaper, and bad arguments are operator
 * errors.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { OperatorError } from '../../../common/errors.js';
import { startTestSwift, type TestSwift } from '../testing/harness.js';
import { quietLog } from '../testing/cluster.js';
import { runDaemonCommand } from './build.js';

let sw: TestSwift;
let base: string;
const OWNER = 'proj-r:member';
const ADMIN = 'ops:ResellerAdmin';
const hourly = Object.fromEntries(['object_replicator', 'object_reconstructor', 'object_auditor', 'container_replicator', 'account_replicator', 'account_reaper'].map((g) => [`${g}.interval`, '3600']));

before(async () => {
  sw = await startTestSwift({ 'proxy_server.allow_account_management': 'true', ...hourly }, { daemons: true });
  base = `${await sw.listen()}/v1`;
});
after(async () => { await sw.close(); });

async function call(method: string, path: string, token: string, body?: string) {
  const res = await request(`${base}${path}`, { method: method as 'PUT', headers: { 'x-auth-token': token, ...(body !== undefined ? { 'content-type': 'text/plain' } : {}) }, ...(body !== undefined ? { body } : {}) });
  return { status: res.statusCode, text: await res.body.text(), headers: res.headers };
}

const devicesRoot = () => join(sw.dataDir, 'swift', 'node');

/** Every hash directory holding a file of `ext`, as [device, path]. */
function hashDirs(ext: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const dev of readdirSync(devicesRoot())) {
    const objects = join(devicesRoot(), dev, 'objects');
    let parts: string[] = [];
    try { parts = readdirSync(objects); } catch { continue; }
    for (const p of parts.filter((x) => /^\d+$/.test(x))) {
      for (const s of readdirSync(join(objects, p)).filter((x) => /^[0-9a-f]{3}$/.test(x))) {
        for (const h of readdirSync(join(objects, p, s))) {
          if (readdirSync(join(objects, p, s, h)).some((f) => f.endsWith(ext))) out.push([dev, join(objects, p, s, h)]);
        }
      }
    }
  }
  return out;
}

test('the daemons are roles with periodic passes', () => {
  for (const d of ['object-replicator', 'object-auditor', 'container-replicator', 'account-replicator', 'account-reaper']) {
    assert.ok(sw.periodic.names.includes(`swift ${d}`), d);
  }
});

test('a replica lost from disk is back after one object-replicator pass; the auditor and DB replicators pass clean', async () => {
  assert.equal((await call('PUT', '/AUTH_proj-r/keep', OWNER)).status, 201);
  for (let i = 0; i < 5; i++) assert.equal((await call('PUT', `/AUTH_proj-r/keep/o${i}`, OWNER, `body ${i}`)).status, 201);
  const before = hashDirs('.data');
  assert.equal(before.length, 15, 'three copies of five objects');
  const [, lost] = before.find(([dev]) => dev === 'd2')!;
  rmSync(lost, { recursive: true });
  assert.equal(hashDirs('.data').length, 14);
  await sw.periodic.runNow('swift object-replicator');
  assert.deepEqual(hashDirs('.data').map(([, p]) => p).sort(), before.map(([, p]) => p).sort());

  const log = { ...quietLog, info: () => undefined };
  const audit = JSON.parse(await runDaemonCommand(['object-auditor', '--once'], { config: sw.config, dataDir: sw.dataDir, log })) as { checked: number; quarantined: number };
  assert.equal(audit.checked, 15);
  assert.equal(audit.quarantined, 0);
  for (const d of ['container-replicator', 'account-replicator']) {
    const stats = JSON.parse(await runDaemonCommand([d, '--once', '--devices', 'd1,d2,d3'], { config: sw.config, dataDir: sw.dataDir, log })) as { failure: number; attempted: number };
    assert.equal(stats.failure, 0, d);
    assert.ok(stats.attempted >= 1, d);
  }
  const one = JSON.parse(await runDaemonCommand(['object-replicator', '--once', '--devices=d1', '--partitions', '0,1'], { config: sw.config, dataDir: sw.dataDir, log })) as { partitions: number };
  assert.ok(one.partitions <= 2);
});

test('swift-daemon refuses bad arguments as operator errors', async () => {
  const ctx = { config: sw.config, dataDir: sw.dataDir, log: quietLog };
  await assert.rejects(runDaemonCommand(['object-replicator'], ctx), (e: unknown) => e instanceof OperatorError && /--once/.test(e.message));
  await assert.rejects(runDaemonCommand(['nosuch', '--once'], ctx), (e: unknown) => e instanceof OperatorError && /known: object-replicator/.test(e.message));
  await assert.rejects(runDaemonCommand(['object-replicator', '--once', '--partitions', 'x'], ctx), OperatorError);
  await assert.rejects(runDaemonCommand(['object-auditor', '--once', '--partitions', '1'], ctx), OperatorError);
  await assert.rejects(runDaemonCommand(['object-auditor', '--once', '--bogus'], ctx), OperatorError);
  await assert.rejects(runDaemonCommand(['object-auditor', '--once', '--devices'], ctx), OperatorError);
});

test('account management: the reseller admin deletes an account, the reaper removes its data', async () => {
  assert.equal((await call('PUT', '/AUTH_proj-x/c1', ADMIN)).status, 201);
  assert.equal((await call('PUT', '/AUTH_proj-x/c2', ADMIN)).status, 201);
  for (let i = 0; i < 4; i++) assert.equal((await call('PUT', `/AUTH_proj-x/c${1 + (i % 2)}/obj${i}`, ADMIN, `x${i}`)).status, 201);
  const info = JSON.parse((await call('GET', '/../info', OWNER)).text) as { swift: { allow_account_management: boolean } };
  assert.equal(info.swift.allow_account_management, true);
  // the owner may not delete its account; a query on a DELETE is refused
  assert.equal((await call('DELETE', '/AUTH_proj-r', OWNER)).status, 403);
  // (?bulk-delete would be the bulk middleware's, before the proxy, as in Swift's pipeline)
  assert.equal((await call('DELETE', '/AUTH_proj-x?junk=1', ADMIN)).status, 400);
  assert.equal((await call('DELETE', '/AUTH_proj-x', ADMIN)).status, 204);
  assert.equal((await call('DELETE', '/AUTH_proj-x', ADMIN)).status, 404);
  // a deleted account is not created again before it is reaped and reclaimed
  assert.equal((await call('PUT', '/AUTH_proj-x', ADMIN)).status, 403);
  assert.equal((await call('PUT', '/AUTH_proj-x/c3', ADMIN)).status, 403, 'nor by autocreate');
  const dataBefore = hashDirs('.data').length;

  await sw.periodic.runNow('swift account-reaper');
  assert.equal(hashDirs('.data').length, dataBefore - 12, 'the three copies of four objects are tombstones now');
  for (const c of ['c1', 'c2']) assert.equal((await call('HEAD', `/AUTH_proj-x/${c}`, ADMIN)).status, 404, c);
  // the other account is untouched
  assert.equal((await call('GET', '/AUTH_proj-r/keep/o1', OWNER)).text, 'body 1');
  // a fresh account can be made by the reseller admin
  assert.equal((await call('PUT', '/AUTH_proj-new', ADMIN)).status, 201);
  assert.equal((await call('HEAD', '/AUTH_proj-new', ADMIN)).status, 204);
});
