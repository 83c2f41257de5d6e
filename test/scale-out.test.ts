/**
 * Scale-out: identity, image and network as three processes on PostgreSQL and RabbitMQ, as
 * separate hosts would run them. The image and network services validate tokens against
 * identity over HTTP and cache them; a token revoked at identity stops working there at once
 * (token cache invalidations on the bus). Runs when NUBO_TEST_POSTGRES_URL and
 * NUBO_TEST_AMQP_URL are set.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from 'amqplib';
import { request } from 'undici';
import { parse } from 'yaml';

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

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok));
  const port = (s.address() as AddressInfo).port;
  await new Promise((ok) => s.close(ok));
  return port;
}

function serve(service: string, port: number, conf: string): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/cmd/nubo.ts'), 'serve', service, '--port', String(port), '--config-file', conf], {
    env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`${service} not ready:\n${out}`)), 60_000);
    const onData = (d: Buffer) => { out += d; if (out.includes('nubo: ready at')) { clearTimeout(timer); ok(); } };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => { clearTimeout(timer); fail(new Error(`${service} exited ${code}:\n${out}`)); });
  });
}

test('identity, image and network run as separate processes on PostgreSQL and RabbitMQ', { skip, timeout: 180_000 }, async () => {
  const suffix = Math.random().toString(36).slice(2, 8);
  const dbUrl = new URL(pg!);
  dbUrl.pathname = `/nubo_so_${suffix}_{service}`;
  const [idPort, imgPort, netPort] = [await freePort(), await freePort(), await freePort()];
  poolQueues.push(`nubo-token-cache.${hostname()}.${imgPort}.image`, `nubo-token-cache.${hostname()}.${netPort}.network`);
  const conf = join(dataDir, 'nubo.conf');
  writeFileSync(conf, [
    '[DEFAULT]', `data_dir = ${dataDir}`, `transport_url = ${amqp!.replace(/^amqp:/, 'rabbit:')}`, `control_exchange = nubo_so_${suffix}`,
    'log_level = warn',
    '[database]', `connection = ${decodeURI(dbUrl.toString())}`,
    '[endpoints]', `identity = http://127.0.0.1:${idPort}/identity`, `image = http://127.0.0.1:${imgPort}/image`, `network = http://127.0.0.1:${netPort}/network`,
    '[identity]', 'password_hash_rounds = 4', '',
  ].join('\n'));
  try {
    const sync = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cmd/nubo.ts'), 'db', 'sync', '--config-file', conf], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    assert.equal(sync.status, 0, sync.stderr);
    await serve('identity', idPort, conf);
    await Promise.all([serve('image', imgPort, conf), serve('network', netPort, conf)]);

    const clouds = parse(readFileSync(join(dataDir, 'clouds.yaml'), 'utf8')) as { clouds: { nubo: { auth: { password: string } } } };
    const logIn = async () => {
      const res = await request(`http://127.0.0.1:${idPort}/identity/v3/auth/tokens`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ auth: { identity: { methods: ['password'], password: { user: { name: 'admin', domain: { id: 'default' }, password: clouds.clouds.nubo.auth.password } } }, scope: { project: { name: 'admin', domain: { id: 'default' } } } } }),
      });
      assert.equal(res.statusCode, 201);
      return { token: String(res.headers['x-subject-token']), body: (await res.body.json()) as { token: { catalog: Array<{ type: string; endpoints: Array<{ url: string }> }> } } };
    };
    const { token, body } = await logIn();
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
    const victim = (await logIn()).token;
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
    for (const svc of ['keystone', 'glance', 'neutron']) {
      spawnSync('psql', [pg!.replace(/\/[^/]*$/, '/postgres'), '-qc', `DROP DATABASE IF EXISTS nubo_so_${suffix}_${svc}`], { encoding: 'utf8' });
    }
  }
});
