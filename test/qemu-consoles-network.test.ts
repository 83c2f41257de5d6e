/**
 * Remote consoles of a QEMU guest WITH a Neutron network: its QEMU runs in the compute host's
 * network namespace ([qemu] host_namespace, where its tap is), so VNC and the serial console
 * listen on UNIX sockets in the instance's directory, and the proxies (serialproxy, novncproxy,
 * in the root namespace) reach them through the filesystem: the serial URL gets the guest's
 * login prompt, the noVNC URL the RFB banner. A TCP listener there would be out of their reach.
 * The data plane's agents run in `cn<tag>-{host}`; the test removes every namespace and process
 * it made, also on failure. One guest, TCG: slow; skipped without root, namespaces, dnsmasq or
 * the guest image.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { freePort } from '../src/common/testing/free-port.js';
import { until } from '../src/common/testing/until.js';
import { namespaceSupportProblem } from '../src/services/neutron/agent/linux/capabilities.js';
import { cleanupDataPlane } from '../src/services/neutron/agent/linux/cleanup.js';
import { dhcpNamespace } from '../src/services/neutron/agent/linux/names.js';
import { ensureNamespace, listNamespaces, namespacePids } from '../src/services/neutron/agent/linux/netns.js';
import { BootCloud } from '../src/services/nova/testing/boot-cloud.js';
import { openConsole } from '../src/services/nova/testing/console-client.js';
import { guestImage, has } from '../src/services/nova/testing/guest-image.js';

const work = mkdtempSync(join(tmpdir(), 'nubo-consoles-net-'));
chmodSync(work, 0o755); // dnsmasq rereads its files (under work) as nobody
const tools = ['dnsmasq', 'iptables-restore', 'conntrack', 'nft'].find((t) => !has(t));
const problem = namespaceSupportProblem() ?? (tools ? `${tools} is not installed` : undefined);
const image = problem ? { skip: problem } : guestImage(work);

const tag = randomBytes(3).toString('hex');
const host = `cn${tag}`;
const template = `cn${tag}-{host}`;
const hostNs = template.replace('{host}', host);
const networks: string[] = [];
let b: BootCloud | undefined;

after(async () => {
  // QEMU runs in the host namespace: the cleanup stops whatever a failed test left there
  const leftQemu = (await listNamespaces().catch(() => [] as string[])).includes(hostNs) ? await namespacePids(hostNs) : [];
  await b?.close().catch(() => undefined);
  await cleanupDataPlane({ hostNamespaceTemplate: template, match: (n) => n === hostNs || networks.some((id) => n === dhcpNamespace(id)) }).catch(() => undefined);
  for (const pid of leftQemu) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  rmSync(work, { recursive: true, force: true });
  if (!image.skip) {
    const left = (await listNamespaces()).filter((n) => n.includes(tag) || networks.some((id) => n === dhcpNamespace(id)));
    assert.deepEqual(left, [], 'every namespace the test made is gone');
  }
});

test('consoles of a qemu guest with a network (QEMU in the host namespace): the serial login prompt and the RFB banner through the proxies, over UNIX sockets', {
  skip: image.skip ?? false, timeout: 600_000,
}, async (t) => {
  const vncPort = await freePort();
  const serialPort = await freePort();
  await ensureNamespace(hostNs);
  b = await BootCloud.start({
    'DEFAULT.compute_driver': 'qemu', 'DEFAULT.host': host, 'DEFAULT.shutdown_timeout': '5', 'DEFAULT.vif_plugging_timeout': '120', 'DEFAULT.vif_plugging_is_fatal': 'true',
    'data_plane.enabled': 'true', 'data_plane.host_namespace': template, 'qemu.host_namespace': template,
    'vxlan.local_ip': '198.51.100.1', 'vxlan.l2_population': 'true', 'dhcp_agent.dhcp_confs': join(work, 'dhcp'),
    'vnc.novncproxy_host': '127.0.0.1', 'vnc.novncproxy_port': String(vncPort), 'vnc.novncproxy_base_url': `http://127.0.0.1:${vncPort}/vnc_auto.html`,
    'serial_console.enabled': 'true', 'serial_console.serialproxy_host': '127.0.0.1', 'serial_console.serialproxy_port': String(serialPort),
    'serial_console.base_url': `ws://127.0.0.1:${serialPort}/`,
  });
  networks.push(b.networkId);
  const imageId = await b.uploadImage('nubo-guest', image.path!);
  const created = await b.boot({ imageRef: imageId, networks: [{ uuid: b.networkId }] }, {}, '2.37');
  assert.equal(created.status, 202, JSON.stringify(created.body));
  const id = created.body.server.id;
  const server = await b.waitFor(id, ['ACTIVE', 'ERROR'], 180_000);
  assert.equal(server.status, 'ACTIVE', JSON.stringify(server.fault));
  const inNamespace = (await namespacePids(hostNs)).map((pid) => { try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8'); } catch { return ''; } });
  assert.ok(inNamespace.some((cmdline) => cmdline.includes(id)), 'the guest\'s QEMU runs in the host namespace');
  const consoleLog = async () => (await b!.compute('POST', `/servers/${id}/action`, { 'os-getConsoleOutput': {} })).body.output as string;
  await until(async () => /nubo-init: \[[\d.]+\] up: /.test(await consoleLog()), 'the guest\'s init finished (console log)', 300_000);

  // the serial console: the token names the UNIX socket in the instance's directory
  const serial = await b.compute('POST', `/servers/${id}/remote-consoles`, { remote_console: { protocol: 'serial', type: 'serial' } }, '2.6');
  assert.equal(serial.status, 200, JSON.stringify(serial.body));
  const serialUrl = serial.body.remote_console.url as string;
  const sc = await openConsole(serialUrl);
  sc.ws.send(new TextEncoder().encode('\r'));
  await until(() => /login: *$/m.test(sc.output()), 'the guest\'s login prompt over the serial console', 60_000);
  t.diagnostic(`serial console: ${JSON.stringify(sc.output().slice(-80))}`);
  // typed into THIS guest (its console log has it; a TCP port of the same number in the root namespace could be another guest's)
  sc.ws.send(new TextEncoder().encode(`${host}\r`));
  await until(() => /Password: *$/m.test(sc.output()), 'getty asking the password', 60_000);
  sc.ws.close();
  await until(async () => (await consoleLog()).includes(host), 'the guest\'s console log has what was typed on its serial console');
  const rows = await b.repos.db.selectFrom('console_auth_tokens').select(['console_type', 'port', 'unix_socket']).where('instance_uuid', '=', id).execute();
  assert.deepEqual(rows.map((r) => [r.console_type, r.port, r.unix_socket?.endsWith(`/${id}/serial.sock`)]), [['serial', 0, true]], JSON.stringify(rows));

  // the VNC console: the RFB banner of QEMU's VNC server on its UNIX socket
  const vnc = await b.compute('POST', `/servers/${id}/remote-consoles`, { remote_console: { protocol: 'vnc', type: 'novnc' } }, '2.6');
  assert.equal(vnc.status, 200, JSON.stringify(vnc.body));
  const wsPath = new URL(vnc.body.remote_console.url as string).searchParams.get('path')!;
  const vc = await openConsole(`ws://127.0.0.1:${vncPort}/${wsPath}`);
  await until(() => vc.output().startsWith('RFB 003.008\n'), 'the RFB banner of the guest\'s VNC server');
  const vncRow = await b.repos.db.selectFrom('console_auth_tokens').select(['port', 'unix_socket']).where('instance_uuid', '=', id).where('console_type', '=', 'novnc').executeTakeFirstOrThrow();
  assert.deepEqual([vncRow.port, vncRow.unix_socket?.endsWith(`/${id}/vnc.sock`)], [0, true], 'the token names this guest\'s VNC socket');
  vc.ws.close();

  // deleted: the tokens open nothing, QEMU is gone from the namespace
  assert.equal((await b.compute('DELETE', `/servers/${id}`)).status, 204);
  await b.waitFor(id, ['DELETED'], 90_000);
  await assert.rejects(openConsole(serialUrl), /did not open/, 'a deleted guest\'s console token opens nothing');
});
