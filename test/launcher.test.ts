/**
 * The launcher as an operator meets it: the all-in-one cloud answers its healthcheck and
 * version documents, writes a private clouds.yaml, keeps state across restarts; a bad config
 * value, a database that is down and a broker that is down each stop it with one actionable line.
 */
import { test, describe, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { request } from 'undici';
import { parse } from 'yaml';
import { startTestCloud, type TestCloud } from './support/cloud.js';

const root = resolve(import.meta.dirname, '..');

function runCli(args: string[], env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const dataDir = mkdtempSync(join(tmpdir(), 'nubo-cli-'));
  try {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cmd/nubo.ts'), ...args], {
      env: { PATH: process.env.PATH ?? '', NUBO_DATA_DIR: dataDir, NUBO_BIND: '127.0.0.1:0', ...env },
      encoding: 'utf8', timeout: 60_000,
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function assertOneLineError(r: { status: number | null; stderr: string }, pattern: RegExp): void {
  assert.equal(r.status, 1, r.stderr);
  const lines = r.stderr.trim().split('\n').filter((l) => !l.includes('ExperimentalWarning') && !l.includes('--trace-warnings'));
  assert.equal(lines.length, 1, `expected one line, got:\n${r.stderr}`);
  assert.match(lines[0]!, /^nubo: error: /);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
}

describe('nubo up (in-process)', () => {
  let cloud: TestCloud;
  before(async () => { cloud = await startTestCloud(); });
  after(async () => { await cloud?.close(); });

  test('healthcheck and every service root answer', async () => {
    const hc = await request(`${cloud.url}/healthcheck`);
    assert.equal(hc.statusCode, 200);
    assert.equal(await hc.body.text(), 'OK');
    for (const prefix of ['/identity', '/image', '/network', '/placement', '/compute', '/compute-metadata']) {
      const res = await request(`${cloud.url}${prefix}/`);
      await res.body.dump();
      assert.ok(res.statusCode === 200 || res.statusCode === 300, `${prefix}/ -> ${res.statusCode}`);
    }
    const info = await request(`${cloud.url}/object/info`);
    assert.equal(info.statusCode, 200, 'object storage answers its /info');
    assert.ok(((await info.body.json()) as { swift?: unknown }).swift);
    const v3 = await request(`${cloud.url}/identity/v3`);
    assert.equal(v3.statusCode, 200);
    assert.equal(((await v3.body.json()) as { version: { id: string } }).version.id.startsWith('v3'), true);
  });

  test('clouds.yaml is private and its credentials work', async () => {
    const path = join(cloud.dataDir, 'clouds.yaml');
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(statSync(join(cloud.dataDir, 'secrets.conf')).mode & 0o777, 0o600);
    const doc = parse(readFileSync(path, 'utf8')) as { clouds: { nubo: { auth: { auth_url: string; password: string } } } };
    assert.equal(doc.clouds.nubo.auth.auth_url, `${cloud.url}/identity/v3`);
    assert.equal(doc.clouds.nubo.auth.password, cloud.adminPassword);
    assert.ok((await cloud.adminToken()).length > 20);
  });

  test('the catalog lists every enabled service at this server', async () => {
    const res = await request(`${cloud.url}/identity/v3/auth/catalog`, { headers: { 'x-auth-token': await cloud.adminToken() } });
    const body = (await res.body.json()) as { catalog: Array<{ type: string; endpoints: Array<{ url: string; interface: string }> }> };
    const types = body.catalog.map((s) => s.type).sort();
    assert.deepEqual(types, ['block-storage', 'compute', 'identity', 'image', 'network', 'object-store', 'placement', 's3', 'volumev3']);
    for (const s of body.catalog) if (s.type !== 's3') for (const e of s.endpoints) assert.ok(e.url.startsWith(cloud.url), e.url);
    // the S3 API on its own listener, at the root of it (DevStack's s3 endpoint)
    const s3 = body.catalog.find((s) => s.type === 's3')!;
    assert.match(s3.endpoints[0]!.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(s3.endpoints[0]!.url, cloud.url);
    const objectStore = body.catalog.find((s) => s.type === 'object-store')!;
    // the account URL of the token's project (the admin project), as keystone fills in $(project_id)s
    assert.match(objectStore.endpoints[0]!.url, new RegExp(`^${cloud.url}/object/v1/AUTH_[0-9a-f]{32}$`));
  });

  test('placement takes identity tokens: the admin claims resources as Nova will', async () => {
    const headers = { 'x-auth-token': await cloud.adminToken(), 'openstack-api-version': 'placement 1.39', 'content-type': 'application/json' };
    const rp = await request(`${cloud.url}/placement/resource_providers`, { method: 'POST', headers, body: JSON.stringify({ name: 'launcher-cn' }) });
    assert.equal(rp.statusCode, 200);
    const { uuid, generation } = (await rp.body.json()) as { uuid: string; generation: number };
    const inv = await request(`${cloud.url}/placement/resource_providers/${uuid}/inventories`, {
      method: 'PUT', headers, body: JSON.stringify({ resource_provider_generation: generation, inventories: { VCPU: { total: 4 } } }),
    });
    assert.equal(inv.statusCode, 200);
    await inv.body.dump();
    const cands = await request(`${cloud.url}/placement/allocation_candidates?resources=VCPU:1&in_tree=${uuid}`, { headers });
    const body = (await cands.body.json()) as { allocation_requests: unknown[] };
    assert.equal(body.allocation_requests.length, 1);
  });
});

test('a restart keeps state: same admin password, same users', async () => {
  const first = await startTestCloud();
  const dataDir = first.dataDir;
  const password = first.adminPassword;
  const token = await first.adminToken();
  const created = await request(`${first.url}/identity/v3/projects`, {
    method: 'POST', headers: { 'x-auth-token': token, 'content-type': 'application/json' },
    body: JSON.stringify({ project: { name: 'kept-across-restart', domain_id: 'default' } }),
  });
  assert.equal(created.statusCode, 201);
  await first.cloud.close(); // keep the data dir
  const second = await startTestCloud({ overrides: { 'DEFAULT.data_dir': dataDir } });
  try {
    assert.equal(second.adminPassword, password);
    const list = await request(`${second.url}/identity/v3/projects?name=kept-across-restart`, { headers: { 'x-auth-token': await second.adminToken() } });
    assert.equal(((await list.body.json()) as { projects: unknown[] }).projects.length, 1);
  } finally {
    await second.close();
  }
});

describe('operator errors are one actionable line', () => {
  test('a bad config value names the key and its source', () => {
    assertOneLineError(runCli(['up'], { NUBO_BIND: 'not-a-host-port' }), /\[DEFAULT\] bind.*NUBO_BIND/);
  });

  test('a database that is down', () => {
    assertOneLineError(runCli(['up'], { NUBO_DATABASE__CONNECTION: 'postgresql://nubo@127.0.0.1:1/nubo_{service}' }), /cannot connect to database.*127\.0\.0\.1:1/);
  });

  test('a broker that is down', () => {
    assertOneLineError(runCli(['up'], { NUBO_DEFAULT__TRANSPORT_URL: 'rabbit://guest:guest@127.0.0.1:1/' }), /message broker.*127\.0\.0\.1:1/);
  });

  test('an unknown role', () => {
    assertOneLineError(runCli(['serve', 'nosuch'], {}), /unknown role "nosuch"; known: identity, image, network, network-sim-agent, network-l2-agent, network-dhcp-agent, network-l3-agent, network-metadata-agent, placement, compute-api, metadata-api, conductor, scheduler, compute, volume-api, volume-scheduler, volume, backup, account-server, container-server, object-server, object-proxy, s3api$/);
  });

  test('an unknown service in enabled_services', () => {
    assertOneLineError(runCli(['up'], { NUBO_DEFAULT__ENABLED_SERVICES: 'identity,nosuch' }), /unknown service "nosuch".*known: identity, image, network, placement, compute, volume, object/);
  });
});

describe('commands generated from the registry of projects', () => {
  test('nubo config sample lists every group and option, commented out', () => {
    const r = runCli(['config', 'sample'], {});
    assert.equal(r.status, 0, r.stderr);
    for (const line of ['[DEFAULT]', '#enabled_services = identity,image,network,placement,compute,volume,object', '[oslo_policy]', '#policy_file = {project}-policy.yaml', '#enforce_scope =', '[endpoints]', '#image =', '[service_users]', '#network = <secret>', '[glance_store]']) {
      assert.ok(r.stdout.split('\n').includes(line), `missing line ${line}`);
    }
  });

  test('a top-level project command: nubo ring (swift-ring-builder)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nubo-ring-cli-'));
    try {
      const builder = join(dir, 'object.builder');
      assert.equal(runCli(['ring', builder, 'create', '4', '2', '1'], {}).status, 0);
      let r = runCli(['ring', builder, 'add', '--region', '1', '--zone', '1', '--ip', '127.0.0.1', '--port', '6200', '--device', 'sdb', '--weight', '100'], {});
      assert.equal(r.status, 0, r.stderr);
      assert.equal(runCli(['ring', builder, 'add', 'r1z2-127.0.0.1:6200/sdc', '100'], {}).status, 0);
      r = runCli(['ring', builder, 'rebalance'], {});
      assert.match(r.stdout, /Reassigned 16 \(100\.00%\) partitions/);
      r = runCli(['ring', builder], {});
      assert.match(r.stdout, /16 partitions, 2\.000000 replicas, 1 regions, 2 zones, 2 devices/);
      assertOneLineError(runCli(['ring', builder, 'set_weight', 'd9', '1'], {}), /no device matches "d9"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a project command: nubo identity fernet-rotate', () => {
    const r = runCli(['identity', 'fernet-rotate'], {});
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^nubo: created the Fernet key repository .*fernet-keys\n$/);
  });
});
