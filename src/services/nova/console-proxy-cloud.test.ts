// The noVNC proxy role in a cloud on the fake driver (no QEMU needed): a console URL's token
// passes the database check and the compute host's validate_console_port over the bus, and
// only then does the proxy try the console (the fake hypervisor serves none: 502); a token
// never issued, or one of a deleted server, is refused (401) before any connection.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, createServer, type AddressInfo } from 'node:net';
import { test } from 'node:test';
import { until } from '../../common/testing/until.js';
import { BootCloud } from './testing/boot-cloud.js';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((ok) => s.close(() => ok()));
  return port;
}

/** The HTTP status a WebSocket upgrade request for `path` gets from the proxy. */
async function upgradeStatus(port: number, path: string): Promise<number> {
  const sock = connect(port, '127.0.0.1');
  await once(sock, 'connect');
  sock.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n`
    + 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
  let text = '';
  sock.on('data', (c: Buffer) => { text += c.toString('latin1'); });
  sock.on('error', () => undefined);
  await until(() => text.includes('\r\n'), 'the proxy\'s answer');
  sock.destroy();
  return Number(/^HTTP\/1.1 (\d+)/.exec(text)?.[1]);
}

test('the novncproxy role checks tokens in the database and with the instance\'s host', async () => {
  const port = await freePort();
  const b = await BootCloud.start({
    'vnc.novncproxy_host': '127.0.0.1', 'vnc.novncproxy_port': String(port), 'vnc.novncproxy_base_url': `http://127.0.0.1:${port}/vnc_auto.html`,
  }, ['identity', 'image', 'network', 'network-sim-agent', 'placement', 'compute-api', 'conductor', 'scheduler', 'compute', 'novncproxy']);
  try {
    const created = await b.boot();
    assert.equal(created.status, 202);
    const id = created.body.server.id;
    await b.waitFor(id, ['ACTIVE']);
    const res = await b.compute('POST', `/servers/${id}/remote-consoles`, { remote_console: { protocol: 'vnc', type: 'novnc' } }, '2.6');
    assert.equal(res.status, 200);
    const path = new URL(res.body.remote_console.url).searchParams.get('path')!;
    assert.equal(await upgradeStatus(port, `/${path}`), 502, 'the token passed; the fake hypervisor has no console to reach');
    assert.equal(await upgradeStatus(port, '/?token=00000000-0000-4000-8000-000000000000'), 401);
    assert.equal((await b.compute('DELETE', `/servers/${id}`)).status, 204);
    await b.waitFor(id, ['DELETED']);
    assert.equal(await upgradeStatus(port, `/${path}`), 401, 'a deleted server\'s token');
  } finally {
    await b.close();
  }
});
