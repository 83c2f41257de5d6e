/**
 * Scale-out: identity, image and network as three processes on PostgreSQL and RabbitMQ, as
 * separate hosts would run them. The image and network services validate tokens against
 * identity over HTTP and cache them; a token revoked at identity stops working there at once
 * (token cache invalidations on the bus). Nova's roles (API, conductor and scheduler, two
 * compute hosts) as processes of their own boot and delete a server over RabbitMQ.
 * Runs when NUBO_TEST_POSTGRES_URL and NUBO_TEST_AMQP_URL are set.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from 'amqplib';
import { request } from 'undici';
import { parse } from 'yaml';
import { freePort } from './support/ports.js';

const pg = process.env.NUBO_TEST_POSTGRES_URL;
const amqp = process.env.NUBO_TEST_AMQP_URL;
const skip = !pg ? 'NUBO_TEST_POSTGRES_URL not set' : !amqp ? 'NUBO_TEST_AMQP_URL not set' : false;
const root = resolve(import.meta.dirname, '..');
const children: ChildProcess[] = [];
const dataDir = mkdtempSync(join(tmpdir(), 'nubo-scale-'));
/** Durable queues the services' token cache listeners declared (one per host, port and service). */
const poolQueues: string[] = [];

after(async () => {
  for (const c of children) c.kill('SIGTERM');
  await Promise.all(children.map((c) => new Promise((ok) => (c.exitCode !== null ? ok(null) : c.once('exit', ok)))));
  rmSync(dataDir, { recursive: true, force: true });
  if (poolQueues.length > 0) {
    const conn = await connect(amqp!);
    const ch = await conn.createChannel();
    for (const q of poolQueues) await ch.deleteQueue(q);
    await conn.close();
  }
});

function serve(service: string, port: number, conf: string, extra: string[] = []): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/cmd/nubo.ts'), 'serve', ...service.split(' '), '--port', String(port), '--config-file', conf, ...extra], {
    env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`${service} not ready:\n${out}`)), 180_000);
    const onData = (d: Buffer) => { out += d; if (out.includes('nubo: ready')) { clearTimeout(timer); ok(); } };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => { clearTimeout(timer); fail(new Error(`${service} exited ${code}:\n${out}`)); });
  });
}

/** The nubo.conf of a scaled-out cloud in `dir`: PostgreSQL and RabbitMQ shared, each service at its endpoint. */
function writeConf(dir: string, suffix: string, endpoints: Record<string, string>, defaults: string[] = []): string {
  const dbUrl = new URL(pg!);
  dbUrl.pathname = `/nubo_so_${suffix}_{service}`;
  const conf = join(dir, 'nubo.conf');
  writeFileSync(conf, [
    '[DEFAULT]', `data_dir = ${dir}`, `transport_url = ${amqp!.replace(/^amqp:/, 'rabbit:')}`, `control_exchange = nubo_so_${suffix}`,
    'log_level = warn', ...defaults,
    '[database]', `connection = ${decodeURI(dbUrl.toString())}`,
    '[endpoints]', ...Object.entries(endpoints).map(([service, url]) => `${service} = ${url}`),
    '[identity]', 'password_hash_rounds = 4', '',
  ].join('\n'));
  const sync = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cmd/nubo.ts'), 'db', 'sync', '--config-file', conf], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
  assert.equal(sync.status, 0, sync.stderr);
  return conf;
}

/** The databases `writeConf`'s db sync made. */
function dropDatabases(suffix: string): void {
  for (const svc of ['keystone', 'glance', 'neutron', 'placement', 'nova']) {
    spawnSync('psql', [pg!.replace(/\/[^/]*$/, '/postgres'), '-qc', `DROP DATABASE IF EXISTS nubo_so_${suffix}_${svc} WITH (FORCE)`], { encoding: 'utf8' });
  }
}

/** The cloud's admin logs in at identity (the password from the clouds.yaml the bootstrap wrote in `dir`). */
async function logIn(idPort: number, dir: string): Promise<{ token: string; body: { token: { catalog: Array<{ type: string; endpoints: Array<{ url: string }> }> } } }> {
  const clouds = parse(readFileSync(join(dir, 'clouds.yaml'), 'utf8')) as { clouds: { nubo: { auth: { password: string } } } };
  const res = await request(`http://127.0.0.1:${idPort}/identity/v3/auth/tokens`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ auth: { identity: { methods: ['password'], password: { user: { name: 'admin', domain: { id: 'default' }, password: clouds.clouds.nubo.auth.password } } }, scope: { project: { name: 'admin', domain: { id: 'default' } } } } }),
  });
  assert.equal(res.statusCode, 201);
  return { token: String(res.headers['x-subject-token']), body: (await res.body.json()) as { token: { catalog: Array<{ type: string; endpoints: Array<{ url: string }> }> } } };
}

test('identity, image and network run as separate processes on PostgreSQL and RabbitMQ', { skip, timeout: 420_000 }, async () => {
  const suffix = Math.random().toString(36).slice(2, 8);
  const [idPort, imgPort, netPort] = [await freePort(), await freePort(), await freePort()];
  poolQueues.push(`nubo-token-cache.${hostname()}.${imgPort}.image`, `nubo-token-cache.${hostname()}.${netPort}.network`);
  try {
    const conf = writeConf(dataDir, suffix, {
      identity: `http://127.0.0.1:${idPort}/identity`, image: `http://127.0.0.1:${imgPort}/image`, network: `http://127.0.0.1:${netPort}/network`,
    });
    await serve('identity', idPort, conf);
    await Promise.all([serve('image', imgPort, conf), serve('network', netPort, conf)]);

    const { token, body } = await logIn(idPort, dataDir);
    const imageUrl = body.token.catalog.find((s) => s.type === 'image')!.endpoints[0]!.url;
    assert.equal(imageUrl, `http://127.0.0.1:${imgPort}/image`);

    const net = await request(`http://127.0.0.1:${netPort}/network/v2.0/networks`, {
      method: 'POST', headers: { 'x-auth-token': token, 'content-type': 'application/json' }, body: JSON.stringify({ network: { name: 'scaled' } }),
    });
    assert.equal(net.statusCode, 201, await net.body.text());
    const images = await request(`http://127.0.0.1:${imgPort}/image/v2/images`, { headers: { 'x-auth-token': token } });
    assert.equal(images.statusCode, 200);
    await images.body.dump();
    const denied = await request(`http://127.0.0.1:${imgPort}/image/v2/images`, { headers: { 'x-auth-token': 'not-a-token' } });
    assert.equal(denied.statusCode, 401);
    await denied.body.dump();

    // A token the image and network services validated (and cached for 300 s) is revoked at
    // identity: both refuse it within moments.
    const status = async (url: string, t: string): Promise<number> => {
      const res = await request(url, { headers: { 'x-auth-token': t } });
      await res.body.dump();
      return res.statusCode;
    };
    const targets = [`http://127.0.0.1:${imgPort}/image/v2/images`, `http://127.0.0.1:${netPort}/network/v2.0/networks`];
    const victim = (await logIn(idPort, dataDir)).token;
    for (const url of targets) {
      assert.equal(await status(url, victim), 200);
      assert.equal(await status(url, victim), 200);
    }
    const revoke = await request(`http://127.0.0.1:${idPort}/identity/v3/auth/tokens`, { method: 'DELETE', headers: { 'x-auth-token': token, 'x-subject-token': victim } });
    assert.equal(revoke.statusCode, 204);
    await revoke.body.dump();
    for (const url of targets) {
      const deadline = Date.now() + 5000;
      let last = await status(url, victim);
      while (last !== 401 && Date.now() < deadline) {
        await sleep(50);
        last = await status(url, victim);
      }
      assert.equal(last, 401, `${url} still accepts the revoked token`);
    }
    assert.equal(await status(targets[0]!, token), 200, 'other tokens still work');
  } finally {
    dropDatabases(suffix);
  }
});

test('Nova\'s roles as separate processes boot and delete a server on PostgreSQL and RabbitMQ', { skip, timeout: 480_000 }, async () => {
  const suffix = Math.random().toString(36).slice(2, 8);
  const dir = mkdtempSync(join(tmpdir(), 'nubo-scale-nova-'));
  const [idPort, apisPort, novaPort, workerPort, c1Port, c2Port] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
  poolQueues.push(...['image', 'network', 'placement'].map((s) => `nubo-token-cache.${hostname()}.${apisPort}.${s}`), `nubo-token-cache.${hostname()}.${novaPort}.compute`);
  const apis = `http://127.0.0.1:${apisPort}`;
  try {
    const conf = writeConf(dir, suffix, {
      identity: `http://127.0.0.1:${idPort}/identity`, image: `${apis}/image`, network: `${apis}/network`, placement: `${apis}/placement`,
      compute: `http://127.0.0.1:${novaPort}/compute`,
    }, ['vif_plugging_timeout = 0']);
    await serve('identity', idPort, conf);
    await serve('image network placement', apisPort, conf);
    await Promise.all([
      serve('compute-api', novaPort, conf), serve('conductor scheduler', workerPort, conf),
      serve('compute', c1Port, conf, ['--host', 'so-c1']), serve('compute', c2Port, conf, ['--host', 'so-c2']),
    ]);
    const { token } = await logIn(idPort, dir);
    const call = async (method: string, url: string, body?: unknown): Promise<{ status: number; body: any }> => {
      const res = await request(url, { method: method as 'GET', headers: { 'x-auth-token': token, 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
      const text = await res.body.text();
      return { status: res.statusCode, body: text ? JSON.parse(text) : undefined };
    };
    const image = await call('POST', `${apis}/image/v2/images`, { name: 'img', disk_format: 'raw', container_format: 'bare' });
    const upload = await request(`${apis}/image/v2/images/${image.body.id}/file`, { method: 'PUT', headers: { 'x-auth-token': token, 'content-type': 'application/octet-stream' }, body: Buffer.alloc(512) });
    await upload.body.dump();
    const net = await call('POST', `${apis}/network/v2.0/networks`, { network: { name: 'n' } });
    await call('POST', `${apis}/network/v2.0/subnets`, { subnet: { network_id: net.body.network.id, cidr: '10.9.0.0/24', ip_version: 4 } });
    // the compute hosts report to placement when they start; wait for both
    const deadline = Date.now() + 30_000;
    while ((await call('GET', `${apis}/placement/resource_providers`)).body.resource_providers.length < 2 && Date.now() < deadline) await sleep(200);
    const created = await call('POST', `http://127.0.0.1:${novaPort}/compute/v2.1/servers`, {
      server: { name: 'scaled', imageRef: image.body.id, flavorRef: '1', networks: [{ uuid: net.body.network.id }] },
    });
    assert.equal(created.status, 202, JSON.stringify(created.body));
    const id = created.body.server.id;
    let server: any;
    while (Date.now() < deadline + 30_000) {
      server = (await call('GET', `http://127.0.0.1:${novaPort}/compute/v2.1/servers/${id}`)).body.server;
      if (['ACTIVE', 'ERROR'].includes(server.status)) break;
      await sleep(100);
    }
    assert.equal(server.status, 'ACTIVE', JSON.stringify(server));
    assert.ok(['so-c1', 'so-c2'].includes(server['OS-EXT-SRV-ATTR:host']));
    const ports = (await call('GET', `${apis}/network/v2.0/ports?device_id=${id}`)).body.ports;
    assert.equal(ports[0]['binding:host_id'], server['OS-EXT-SRV-ATTR:host']);
    assert.equal((await call('DELETE', `http://127.0.0.1:${novaPort}/compute/v2.1/servers/${id}`)).status, 204);
    let gone = 200;
    while (gone !== 404 && Date.now() < deadline + 60_000) {
      gone = (await call('GET', `http://127.0.0.1:${novaPort}/compute/v2.1/servers/${id}`)).status;
      if (gone !== 404) await sleep(100);
    }
    assert.equal(gone, 404);
    assert.deepEqual((await call('GET', `${apis}/placement/allocations/${id}`)).body.allocations, {});
  } finally {
    for (const c of children.splice(0)) c.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
    dropDatabases(suffix);
  }
});
