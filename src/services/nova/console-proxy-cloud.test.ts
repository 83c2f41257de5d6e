// The noVNC proxy role in a cloud on the fake driver (no QEMU needed): a console URL's token
// passes the database check and the compute host's validate_console_port over the bus, and
// only then does the proxy try the console (the fake hypervisor serves none: 502); a token
// never issued, one naming a UNIX socket for a console served on TCP, or one of a deleted
// server, is refused (401) before any connection.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { freePort } from '../../common/testing/free-port.js';
import { ConsoleAuthTokenRepo } from './db/console-auth-tokens.js';
import { BootCloud } from './testing/boot-cloud.js';
import { upgradeStatus } from './testing/console-client.js';

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
    // the same console facts but a UNIX socket: the host serves this console on TCP, validate_console_port says no
    const tokens = new ConsoleAuthTokenRepo(b.repos.db);
    const issued = await b.repos.db.selectFrom('console_auth_tokens').selectAll().where('instance_uuid', '=', id).executeTakeFirstOrThrow();
    const withSocket = await tokens.authorize({
      consoleType: issued.console_type, host: issued.host, port: issued.port, internalAccessPath: issued.internal_access_path, unixSocket: '/nonexistent/vnc.sock',
      instanceUuid: id, accessUrlBase: issued.access_url_base!,
    }, 600);
    assert.equal(await upgradeStatus(port, `/?token=${withSocket}`), 401, 'a token naming a socket the console is not on');
    assert.equal((await b.compute('DELETE', `/servers/${id}`)).status, 204);
    await b.waitFor(id, ['DELETED']);
    assert.equal(await upgradeStatus(port, `/${path}`), 401, 'a deleted server\'s token');
  } finally {
    await b.close();
  }
});
