// Remote consoles of a real guest (compute_driver = qemu) through the console proxies the
// cloud runs (roles serialproxy and novncproxy): the serial console URL of
// POST /servers/{id}/remote-consoles opened with a WebSocket client reaches the guest's getty
// (what is typed gets its answer, which the console log keeps too); the noVNC URL's token opens
// the guest's VNC server (the RFB banner, the proxy's security negotiation, the guest's
// ServerInit); the tokens are refused once the server is stopped or deleted.
// One guest, TCG: slow, and skipped without QEMU or the guest image.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { freePort } from '../../common/testing/free-port.js';
import { until } from '../../common/testing/until.js';
import { BootCloud } from './testing/boot-cloud.js';
import { openConsole } from './testing/console-client.js';
import { guestImage } from './testing/guest-image.js';

const work = mkdtempSync(join(tmpdir(), 'nubo-qemu-consoles-'));
after(() => rmSync(work, { recursive: true, force: true }));
const image = guestImage(work);

test('consoles of a qemu guest: the serial console reaches its getty, the VNC console answers RFB, both through the proxies', { skip: image.skip ?? false, timeout: 600_000 }, async (t) => {
  const vncPort = await freePort();
  const serialPort = await freePort();
  const b = await BootCloud.start({
    'DEFAULT.compute_driver': 'qemu', 'DEFAULT.shutdown_timeout': '5',
    'vnc.novncproxy_host': '127.0.0.1', 'vnc.novncproxy_port': String(vncPort), 'vnc.novncproxy_base_url': `http://127.0.0.1:${vncPort}/vnc_auto.html`,
    'serial_console.enabled': 'true', 'serial_console.serialproxy_host': '127.0.0.1', 'serial_console.serialproxy_port': String(serialPort),
    'serial_console.base_url': `ws://127.0.0.1:${serialPort}/`,
  });
  try {
    assert.ok(b.cloud.cloud.roles.includes('novncproxy') && b.cloud.cloud.roles.includes('serialproxy'), 'the proxies run in all-in-one with the qemu driver');
    const imageId = await b.uploadImage('nubo-guest', image.path!);
    const created = await b.boot({ imageRef: imageId, networks: 'none' }, {}, '2.37');
    assert.equal(created.status, 202, JSON.stringify(created.body));
    const id = created.body.server.id;
    const server = await b.waitFor(id, ['ACTIVE', 'ERROR'], 120_000);
    assert.equal(server.status, 'ACTIVE', JSON.stringify(server.fault));
    const consoleLog = async () => (await b.compute('POST', `/servers/${id}/action`, { 'os-getConsoleOutput': {} })).body.output as string;
    await until(async () => /nubo-init: \[[\d.]+\] up: /.test(await consoleLog()), 'the guest\'s init finished (console log)', 240_000);

    // the serial console: getty on ttyS0 answers what is typed; the console log keeps it too
    const serial = await b.compute('POST', `/servers/${id}/remote-consoles`, { remote_console: { protocol: 'serial', type: 'serial' } }, '2.6');
    assert.equal(serial.status, 200, JSON.stringify(serial.body));
    const serialUrl = serial.body.remote_console.url as string;
    assert.match(serialUrl, new RegExp(`^ws://127\\.0\\.0\\.1:${serialPort}/\\?token=[0-9a-f-]{36}$`));
    const sc = await openConsole(serialUrl);
    sc.ws.send(new TextEncoder().encode('\r'));
    await until(() => /login: *$/m.test(sc.output()), 'the guest\'s login prompt over the serial console', 60_000);
    sc.ws.send(new TextEncoder().encode('root\r'));
    await until(() => /Password: *$/m.test(sc.output()), 'getty asking root\'s password', 60_000);
    t.diagnostic(`serial console: ${JSON.stringify(sc.output().slice(-120))}`);
    await until(async () => /Password:/.test(await consoleLog()), 'the console log has what the serial console showed');
    sc.ws.close();

    // the VNC console: noVNC's URL carries the token in its path parameter, the WebSocket gets the RFB banner
    const vnc = await b.compute('POST', `/servers/${id}/remote-consoles`, { remote_console: { protocol: 'vnc', type: 'novnc' } }, '2.6');
    assert.equal(vnc.status, 200, JSON.stringify(vnc.body));
    const page = new URL(vnc.body.remote_console.url as string);
    assert.equal(`${page.origin}${page.pathname}`, `http://127.0.0.1:${vncPort}/vnc_auto.html`);
    const wsPath = page.searchParams.get('path')!;
    assert.match(wsPath, /^\?token=/);
    const vc = await openConsole(`ws://127.0.0.1:${vncPort}/${wsPath}`);
    await until(() => vc.output().startsWith('RFB 003.008\n'), 'the RFB banner of the guest\'s VNC server');
    // noVNC's side of RFB 3.8 through the proxy's security negotiation: None, then the guest's ServerInit
    vc.ws.send(new TextEncoder().encode('RFB 003.008\n'));
    await until(() => vc.output().length >= 14, 'the security types the proxy offers');
    assert.deepEqual([...Buffer.from(vc.output().slice(12, 14), 'latin1')], [1, 1], 'None only');
    vc.ws.send(new Uint8Array([1]));
    await until(() => vc.output().length >= 18, 'the SecurityResult');
    assert.deepEqual([...Buffer.from(vc.output().slice(14, 18), 'latin1')], [0, 0, 0, 0], 'security passed');
    vc.ws.send(new Uint8Array([1])); // ClientInit
    await until(() => vc.output().length >= 18 + 24, 'the ServerInit');
    const init = Buffer.from(vc.output().slice(18), 'latin1');
    const nameLength = init.readUInt32BE(20);
    await until(() => Buffer.from(vc.output().slice(18), 'latin1').length >= 24 + nameLength, 'the desktop name');
    const desktop = Buffer.from(vc.output().slice(18), 'latin1').subarray(24, 24 + nameLength).toString('utf8');
    t.diagnostic(`VNC ServerInit: ${init.readUInt16BE(0)}x${init.readUInt16BE(2)}, desktop "${desktop}"`);
    assert.ok(init.readUInt16BE(0) > 0 && init.readUInt16BE(2) > 0, 'a framebuffer size');
    assert.match(desktop, /^QEMU \(instance-[0-9a-f]{8}\)$/, 'the guest\'s QEMU name');
    vc.ws.close();
    // the legacy action (until 2.5) gives a URL that works the same
    const legacy = await b.compute('POST', `/servers/${id}/action`, { 'os-getVNCConsole': { type: 'novnc' } }, '2.5');
    assert.equal(legacy.status, 200);
    const legacyPath = new URL(legacy.body.console.url as string).searchParams.get('path')!;
    const lc = await openConsole(`ws://127.0.0.1:${vncPort}/${legacyPath}`);
    await until(() => lc.output().startsWith('RFB 003.008\n'), 'the RFB banner (legacy action\'s token)');
    lc.ws.close();

    // stopped: no console is served, the API says so; deleted: the tokens open nothing
    assert.equal((await b.compute('POST', `/servers/${id}/action`, { 'os-stop': null })).status, 202);
    await b.waitFor(id, ['SHUTOFF'], 90_000);
    await assert.rejects(openConsole(serialUrl), /did not open/, 'a stopped guest\'s console token opens nothing');
    const whileOff = await b.compute('POST', `/servers/${id}/remote-consoles`, { remote_console: { protocol: 'serial', type: 'serial' } }, '2.6');
    assert.equal(whileOff.status, 400, JSON.stringify(whileOff.body));
    assert.equal((await b.compute('DELETE', `/servers/${id}`)).status, 204);
    await b.waitFor(id, ['DELETED'], 60_000);
    await assert.rejects(openConsole(`ws://127.0.0.1:${vncPort}/${wsPath}`), /did not open/);
  } finally {
    await b.close();
  }
});
