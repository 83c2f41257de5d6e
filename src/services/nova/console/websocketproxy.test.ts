// The console proxy (nova-novncproxy / nova-serialproxy) on Nova's token table (SQLite):
// tokens refused when unknown, expired, for an instance gone, moved or whose console moved;
// the token read from the query, noVNC's path=?token= and a cookie; Nova's Origin check; bytes
// relayed both ways to a fake console server (a VNC banner and echoes) with WebSocket clients;
// the guest's end closing the WebSocket; noVNC's files served; the RFB security negotiation;
// a console served on a UNIX socket (a QEMU in a network namespace) reached through its path.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Kysely } from 'kysely';
import { request, WebSocket as ClientSocket } from 'undici';
import { migrate, openDatabase, parseDatabaseUrl, type Database } from '../../../common/db/index.js';
import { createLogger } from '../../../common/log/logger.js';
import { until } from '../../../common/testing/until.js';
import { ConsoleAuthTokenRepo } from '../db/console-auth-tokens.js';
import { novaMigrations } from '../db/migrations/index.js';
import type { NovaDB } from '../db/schema.js';
import type { Instance } from '../objects/index.js';
import { upgradeStatus as statusOf } from '../testing/console-client.js';
import { ConsoleTokenCheck, type ConnectInfo } from './connect-info.js';
import { RfbSecurityProxy } from './securityproxy/rfb.js';
import { requestToken } from './websocketproxy.js';
import { WebFiles } from './web-files.js';
import { WebSocketProxy } from './websocketproxy.js';

const work = mkdtempSync(join(tmpdir(), 'nubo-consoles-proxy-'));
const log = createLogger({ level: 'silent' });
let database: Database<NovaDB>;
let tokens: ConsoleAuthTokenRepo;
let proxy: WebSocketProxy;
let proxyPort = 0;
let guest: Server;
let guestPort = 0;
const guestSockets: Socket[] = [];
const guestGot: Buffer[] = [];

/** What the compute hosts know: the instance's host, and where its console is served now. */
const instances = new Map<string, { host: string | null; console: { address: string; port: number; unixSocket?: string } | null }>();
const compute = {
  async validateConsolePort(_ctx: unknown, host: string, instance: Instance, port: number, _type: string, at: { host?: string; unixSocket?: string } = {}): Promise<boolean> {
    const i = instances.get(instance.uuid);
    if (!i || i.host !== host || !i.console) throw new Error('InstanceNotFound');
    return i.console.port === port && (at.host === undefined || i.console.address === at.host) && i.console.unixSocket === at.unixSocket;
  },
};

before(async () => {
  database = await openDatabase<NovaDB>(parseDatabaseUrl('sqlite', { service: 'nova', dataDir: work }), { createIfMissing: true });
  await migrate(database, novaMigrations, { table: 'nova_migrations' });
  tokens = new ConsoleAuthTokenRepo(database.db as Kysely<NovaDB>);
  // the guest's console: a VNC-like banner on connect, then whatever it is sent comes back in capitals
  guest = createServer((s) => {
    guestSockets.push(s);
    s.write('RFB 003.008\n');
    s.on('data', (d: Buffer) => { guestGot.push(d); s.write(d.toString('latin1').toUpperCase()); });
    s.on('error', () => undefined);
  });
  guest.listen(0, '127.0.0.1');
  await once(guest, 'listening');
  guestPort = (guest.address() as AddressInfo).port;
  const web = join(work, 'novnc');
  mkdirSync(join(web, 'core'), { recursive: true });
  writeFileSync(join(web, 'vnc_lite.html'), '<html>noVNC lite</html>');
  writeFileSync(join(web, 'core', 'rfb.js'), 'export default 1;');
  writeFileSync(join(work, 'secret.txt'), 'not to be served');
  proxy = new WebSocketProxy({
    name: 'test-proxy', log, allowedOrigins: ['console.example'], web: new WebFiles(web),
    connectInfo: new ConsoleTokenCheck({
      tokens, log, compute,
      instances: { find: async (uuid: string) => (instances.has(uuid) ? ({ uuid, data: { host: instances.get(uuid)!.host } } as unknown as Instance) : undefined) },
    }),
  });
  proxyPort = await proxy.listen('127.0.0.1', 0);
});

after(async () => {
  await proxy.close();
  for (const s of guestSockets) s.destroy();
  await new Promise<void>((ok) => guest.close(() => ok()));
  await database.close();
  rmSync(work, { recursive: true, force: true });
});

let n = 0;
/** An instance on host `compute-1` whose console is the fake guest, and a token for it. */
async function consoleToken(opts: { ttl?: number; type?: string; base?: string } = {}): Promise<{ uuid: string; token: string }> {
  const uuid = `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
  instances.set(uuid, { host: 'compute-1', console: { address: '127.0.0.1', port: guestPort } });
  const token = await tokens.authorize({
    consoleType: opts.type ?? 'novnc', host: '127.0.0.1', port: guestPort, internalAccessPath: null, instanceUuid: uuid,
    accessUrlBase: opts.base ?? 'http://127.0.0.1:6080/vnc_auto.html',
  }, opts.ttl ?? 600);
  return { uuid, token };
}

const upgradeStatus = (path: string, headers: Record<string, string> = {}): Promise<number> => statusOf(proxyPort, path, headers);

function openWs(path: string): Promise<{ ws: ClientSocket; received: Buffer[] }> {
  const ws = new ClientSocket(`ws://127.0.0.1:${proxyPort}${path}`, ['binary']);
  ws.binaryType = 'arraybuffer';
  const received: Buffer[] = [];
  ws.addEventListener('message', (e) => received.push(Buffer.from(e.data as ArrayBuffer)));
  return new Promise((ok, fail) => {
    ws.addEventListener('open', () => ok({ ws, received }));
    ws.addEventListener('error', () => fail(new Error('the WebSocket did not open')));
  });
}

const text = (bufs: Buffer[]): string => Buffer.concat(bufs).toString('latin1');

test('the token is read from the query, from noVNC\'s path parameter, or from a cookie', () => {
  assert.equal(requestToken({ url: '/?token=abc', headers: {} }), 'abc');
  assert.equal(requestToken({ url: `/vnc_lite.html?path=${encodeURIComponent('?token=def')}`, headers: {} }), 'def');
  assert.equal(requestToken({ url: '/websockify', headers: { cookie: 'a=1; token=ghi; b=2' } }), 'ghi');
  assert.equal(requestToken({ url: '/', headers: {} }), '');
});

test('bytes both ways between a WebSocket and the console: the RFB banner, then echoes', async () => {
  const { token } = await consoleToken();
  const { ws, received } = await openWs(`/?token=${token}`);
  assert.equal(ws.protocol, 'binary');
  await until(() => text(received).includes('RFB 003.008\n'), 'the RFB banner through the proxy');
  ws.send(new TextEncoder().encode('hello guest'));
  await until(() => text(received).includes('HELLO GUEST'), 'the guest\'s answer');
  assert.equal(text(guestGot), 'hello guest');
  ws.send('text frames too');
  await until(() => text(received).includes('TEXT FRAMES TOO'), 'a text message relayed');
  const big = Buffer.alloc(300_000, 'a'); // more than a socket buffer: back-pressure both ways
  ws.send(big);
  await until(() => text(received).split('A').length - 1 >= big.length, 'a large message relayed whole');
  const closed = once(ws, 'close');
  ws.close();
  await closed;
  await until(() => guestSockets.every((s) => s.destroyed || s.readableEnded), 'the proxy ended its connection to the guest');
});

test('the token in noVNC\'s path parameter or in a cookie opens the console too', async () => {
  const { token } = await consoleToken();
  const a = await openWs(`/?path=${encodeURIComponent(`?token=${token}`)}`);
  await until(() => text(a.received).includes('RFB 003.008'), 'the banner (path parameter)');
  a.ws.close();
  assert.equal(await upgradeStatus('/websockify', { Cookie: `token=${token}` }), 101);
  assert.equal(await upgradeStatus('/', { Cookie: `token=${token}` }), 101, 'a token may be used again until it expires');
});

test('refused: no token, an unknown token, an expired token, an instance deleted, moved, or whose console moved', async () => {
  assert.equal(await upgradeStatus('/'), 401);
  assert.equal(await upgradeStatus('/?token=not-a-token'), 401);
  const expired = await consoleToken({ ttl: 0 });
  assert.equal(await upgradeStatus(`/?token=${expired.token}`), 401);

  const gone = await consoleToken();
  instances.delete(gone.uuid);
  assert.equal(await upgradeStatus(`/?token=${gone.token}`), 401);

  const moved = await consoleToken();
  instances.set(moved.uuid, { host: 'compute-2', console: { address: '127.0.0.2', port: guestPort } });
  assert.equal(await upgradeStatus(`/?token=${moved.token}`), 401, 'its new host serves it elsewhere');

  const restarted = await consoleToken();
  instances.get(restarted.uuid)!.console = { address: '127.0.0.1', port: guestPort + 1 };
  assert.equal(await upgradeStatus(`/?token=${restarted.token}`), 401, 'the guest\'s console is on another port now');

  const off = await consoleToken();
  instances.get(off.uuid)!.console = null;
  assert.equal(await upgradeStatus(`/?token=${off.token}`), 401, 'no console served (the guest is off)');

  const ok = await consoleToken();
  assert.equal(await upgradeStatus(`/?token=${ok.token}`), 101);
});

test('a browser\'s Origin must name this host or an allowed origin, with the console URL\'s scheme', async () => {
  const { token } = await consoleToken();
  assert.equal(await upgradeStatus(`/?token=${token}`, { Origin: 'http://evil.example' }), 403);
  assert.equal(await upgradeStatus(`/?token=${token}`, { Origin: 'https://127.0.0.1:6080' }), 403, 'https for an http console URL');
  assert.equal(await upgradeStatus(`/?token=${token}`, { Origin: 'http://127.0.0.1:6080' }), 101);
  assert.equal(await upgradeStatus(`/?token=${token}`, { Origin: 'http://console.example' }), 101);
  const serial = await consoleToken({ type: 'serial', base: 'ws://127.0.0.1:6083/' });
  assert.equal(await upgradeStatus(`/?token=${serial.token}`, { Origin: 'http://127.0.0.1' }), 101, 'http for a ws console URL');
});

test('the guest\'s end of the console closing closes the WebSocket', async () => {
  const before = guestSockets.length;
  const { token } = await consoleToken();
  const { ws } = await openWs(`/?token=${token}`);
  await until(() => guestSockets.length > before, 'the proxy connected to the guest');
  const closed = once(ws, 'close');
  guestSockets[guestSockets.length - 1]!.end();
  const [event] = await closed as [{ code: number }];
  assert.equal(event.code, 1000);
});

test('a console that cannot be reached is a 502', async () => {
  const { uuid, token } = await consoleToken();
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const closedPort = (probe.address() as AddressInfo).port;
  await new Promise<void>((ok) => probe.close(() => ok()));
  await database.db.updateTable('console_auth_tokens').set({ port: closedPort }).where('instance_uuid', '=', uuid).execute();
  instances.get(uuid)!.console = { address: '127.0.0.1', port: closedPort };
  assert.equal(await upgradeStatus(`/?token=${token}`), 502);
});

test('noVNC\'s files: vnc_auto.html is vnc_lite.html, scripts by type, nothing outside the directory', async () => {
  const page = await request(`http://127.0.0.1:${proxyPort}/vnc_auto.html?path=%3Ftoken%3Dx`);
  assert.equal(page.statusCode, 200);
  assert.match(String(page.headers['content-type']), /^text\/html/);
  assert.equal(await page.body.text(), '<html>noVNC lite</html>');
  const js = await request(`http://127.0.0.1:${proxyPort}/core/rfb.js`);
  assert.match(String(js.headers['content-type']), /^text\/javascript/);
  await js.body.dump();
  for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/core/../../secret.txt', '/missing.html']) {
    const res = await request(`http://127.0.0.1:${proxyPort}${path}`);
    await res.body.dump();
    assert.equal(res.statusCode, 404, path);
  }
  const post = await request(`http://127.0.0.1:${proxyPort}/vnc_lite.html`, { method: 'POST', body: 'x' });
  await post.body.dump();
  assert.equal(post.statusCode, 405);
});

/** A VNC server speaking RFB 3.8 that offers `types`; after the handshake it answers ClientInit with "SERVERINIT". */
async function rfbServer(types: number[]): Promise<{ port: number; chosen: number[]; close(): Promise<void> }> {
  const chosen: number[] = [];
  const sockets: Socket[] = [];
  const server = createServer((s) => {
    sockets.push(s);
    s.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    let step = 0;
    s.write('RFB 003.008\n');
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (step === 0 && buf.length >= 12) {
        buf = buf.subarray(12);
        step = 1;
        s.write(Buffer.from([types.length, ...types]));
      }
      if (step === 1 && buf.length >= 1) {
        chosen.push(buf[0]!);
        const ok = types.includes(buf[0]!);
        buf = buf.subarray(1);
        step = 2;
        s.write(Buffer.from([0, 0, 0, ok ? 0 : 1]));
        if (!ok) s.end();
      }
      if (step === 2 && buf.length >= 1) {
        step = 3;
        s.write('SERVERINIT');
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port, chosen,
    close: () => new Promise<void>((ok) => { for (const s of sockets) s.destroy(); server.close(() => ok()); }),
  };
}

/** A noVNC proxy negotiating RFB security (None) in front of `vncPort`, and a binary client of it collecting what it gets. */
async function securedClient(vncPort: number): Promise<{ secured: WebSocketProxy; ws: ClientSocket; got: Buffer[] }> {
  const secured = new WebSocketProxy({
    name: 'test-novncproxy', log, allowedOrigins: [], securityProxy: new RfbSecurityProxy(['none']),
    connectInfo: { connectInfo: async () => ({ instance_uuid: 'u', host: '127.0.0.1', port: vncPort, internal_access_path: null, console_type: 'novnc' } as ConnectInfo) },
  });
  const port = await secured.listen('127.0.0.1', 0);
  const ws = new ClientSocket(`ws://127.0.0.1:${port}/?token=t`, ['binary']);
  ws.binaryType = 'arraybuffer';
  const got: Buffer[] = [];
  ws.addEventListener('message', (e) => got.push(Buffer.from(e.data as ArrayBuffer)));
  return { secured, ws, got };
}

test('RFB security: the proxy offers the client None and chooses None with the server, then relays', async () => {
  const vnc = await rfbServer([2, 1]);
  const { secured, ws, got } = await securedClient(vnc.port);
  try {
    await once(ws, 'open');
    await until(() => text(got) === 'RFB 003.008\n', 'the server\'s version');
    ws.send(new TextEncoder().encode('RFB 003.008\n'));
    await until(() => Buffer.concat(got).length >= 14, 'the security types');
    assert.deepEqual([...Buffer.concat(got).subarray(12)], [1, 1], 'only None is offered to the client');
    ws.send(new Uint8Array([1]));
    await until(() => Buffer.concat(got).length >= 18, 'the SecurityResult');
    assert.deepEqual([...Buffer.concat(got).subarray(14, 18)], [0, 0, 0, 0]);
    assert.deepEqual(vnc.chosen, [1], 'None chosen with the server');
    ws.send(new Uint8Array([1])); // ClientInit, shared
    await until(() => text(got).endsWith('SERVERINIT'), 'the ServerInit relayed');
    ws.close();
  } finally {
    await secured.close();
    await vnc.close();
  }
});

test('RFB security: a server without None is refused to the client with a reason', async () => {
  const vnc = await rfbServer([2]);
  const { secured, ws, got } = await securedClient(vnc.port);
  try {
    const closed = once(ws, 'close');
    await once(ws, 'open');
    await until(() => text(got) === 'RFB 003.008\n', 'the server\'s version');
    ws.send(new TextEncoder().encode('RFB 003.008\n'));
    await until(() => Buffer.concat(got).length >= 14, 'the security types');
    ws.send(new Uint8Array([1]));
    await closed;
    const failure = Buffer.concat(got).subarray(14);
    assert.deepEqual([...failure.subarray(0, 4)], [0, 0, 0, 1], 'SecurityResult failed');
    assert.equal(failure.subarray(8).toString('utf8'), 'Unable to negotiate security with server');
    assert.deepEqual(vnc.chosen, [0], 'the server was told the invalid type 0');
  } finally {
    await secured.close();
    await vnc.close();
  }
  assert.throws(() => new RfbSecurityProxy(['vencrypt']), /not supported/);
});

test('the compute hosts\' periodic cleanup removes the expired tokens only', async () => {
  const live = await consoleToken();
  const dead = await consoleToken({ ttl: 0 });
  const count = async (uuid: string) => (await database.db.selectFrom('console_auth_tokens').select('instance_uuid').where('instance_uuid', '=', uuid).execute()).length;
  assert.equal(await count(dead.uuid), 1);
  assert.ok(await tokens.destroyExpired() >= 1);
  assert.equal(await count(dead.uuid), 0);
  assert.equal(await count(live.uuid), 1);
  assert.ok(await tokens.validate(live.token));
});

test('a console on a UNIX socket: the proxy connects to the path the token names, bytes go both ways; a token naming another socket is refused', async () => {
  const path = join(work, 'serial.sock');
  const got: Buffer[] = [];
  const sockets: Socket[] = [];
  const server = createServer((s) => {
    sockets.push(s);
    s.write('login: ');
    s.on('data', (d: Buffer) => { got.push(d); s.write(`[${d.toString('latin1')}]`); });
    s.on('error', () => undefined);
  });
  server.listen(path);
  await once(server, 'listening');
  try {
    const uuid = '00000000-0000-4000-8000-0000000000ff';
    instances.set(uuid, { host: 'compute-1', console: { address: '127.0.0.1', port: 0, unixSocket: path } });
    const authorize = (unixSocket: string | null) => tokens.authorize({
      consoleType: 'serial', host: '127.0.0.1', port: 0, internalAccessPath: null, unixSocket, instanceUuid: uuid, accessUrlBase: 'ws://127.0.0.1:6083/',
    }, 600);
    const token = await authorize(path);
    assert.equal((await tokens.validate(token))?.unix_socket, path, 'the token record keeps the socket');
    const { ws, received } = await openWs(`/?token=${token}`);
    await until(() => text(received) === 'login: ', 'the console\'s first bytes through the UNIX socket');
    ws.send(new TextEncoder().encode('root'));
    await until(() => text(received).endsWith('[root]'), 'the console\'s answer');
    assert.equal(text(got), 'root');
    ws.close();
    assert.equal(await upgradeStatus(`/?token=${await authorize(join(work, 'other.sock'))}`), 401, 'another socket than the console\'s');
    assert.equal(await upgradeStatus(`/?token=${await authorize(null)}`), 401, 'a TCP token for a console on a socket');
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise<void>((ok) => server.close(() => ok()));
  }
});
