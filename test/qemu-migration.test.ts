/**
 * Moves of a real guest between two compute hosts (root, network namespaces, QEMU, dnsmasq and
 * iptables needed; skipped with the reason otherwise). One cloud in this process plays two hosts
 * ([DEFAULT] hosts) with `compute_driver = qemu` (TCG) and the Linux data plane; each host is a
 * namespace `mg<tag>-<host>` (Neutron's [data_plane] host_namespace and Nova's [qemu]
 * host_namespace) where its Linux bridge agent works and its QEMUs run, with its own instances
 * path. The two namespaces are joined by an underlay veth on 198.51.100.0/24 that carries QEMU's
 * live-migration stream and NBD copy ([qemu] live_migration_inbound_addr per host). The guest
 * is on a flat provider network whose physical interface in each host namespace is a veth to
 * "the outside" (a namespace on 203.0.113.0/24 with a bridge joining both), so the outside pings
 * the guest's address wherever it runs; its address comes from dnsmasq.
 *
 * The guest (`nubo image build`'s image, with a config drive) boots on host A; then a resize to
 * a larger flavor (to B) and its confirm, a cold migration (to A) and its revert (back on B), a
 * cold migration (to A) and its confirm, and a live migration (to B). After each move the
 * server's host is the new one, one QEMU runs for it, in that host's namespace, and the guest
 * answers pings from the outside (the live-migrated guest without a reboot). Everything the test
 * made goes at the end, also when it fails.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { until } from '../src/common/testing/until.js';
import { cleanupDataPlane } from '../src/services/neutron/agent/linux/cleanup.js';
import { dhcpNamespace } from '../src/services/neutron/agent/linux/names.js';
import { ensureNamespace, listNamespaces, namespacePids } from '../src/services/neutron/agent/linux/netns.js';
import { Outside } from '../src/services/neutron/testing/outside.js';
import { BootCloud } from '../src/services/nova/testing/boot-cloud.js';
import { kernelAndRamdisk } from '../src/services/nova/testing/guest-image.js';
import { dataPlaneGuest } from './support/data-plane-guest.js';

const { work, image } = dataPlaneGuest('nubo-qmove-', ['dnsmasq', 'iptables-restore', 'conntrack', 'nft', 'mcopy', 'busybox']);

const tag = randomBytes(3).toString('hex');
const hosts = { a: `mg${tag}a`, b: `mg${tag}b` };
const template = `mg${tag}-{host}`;
const hostNs = (host: string): string => template.replace('{host}', host);
const underlay = { [hosts.a]: '198.51.100.1', [hosts.b]: '198.51.100.2' };
const outsideNs = `mgo${tag}`;
const made = { networks: [] as string[] };
let b: BootCloud | undefined;
let outside: Outside | undefined;

after(async () => {
  const ours = (n: string): boolean => Object.values(hosts).some((h) => n === hostNs(h)) || made.networks.some((id) => n === dhcpNamespace(id));
  const namespaces = await listNamespaces().catch(() => [] as string[]);
  // QEMU runs in the host namespaces: the cleanup stops whatever a failed test left there
  const leftQemu: number[] = [];
  for (const host of Object.values(hosts)) if (namespaces.includes(hostNs(host))) leftQemu.push(...await namespacePids(hostNs(host)));
  await b?.close().catch(() => undefined);
  await outside?.stop().catch(() => undefined);
  await cleanupDataPlane({ hostNamespaceTemplate: template, match: ours }).catch(() => undefined);
  for (const pid of leftQemu) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  rmSync(work, { recursive: true, force: true });
  if (!image.skip) assert.deepEqual((await listNamespaces()).filter((n) => n.includes(tag) || ours(n)), [], 'every namespace the test made is gone');
});

function sh(cmd: string, args: string[], timeoutMs = 30_000): Promise<{ ok: boolean; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs }, (err, stdout, stderr) => resolve({ ok: !err, out: `${stdout}${stderr}`.trim() }));
  });
}

async function must(cmd: string, args: string[]): Promise<void> {
  const r = await sh(cmd, args);
  assert.ok(r.ok, `${cmd} ${args.join(' ')}: ${r.out}`);
}

const ok = async (method: string, path: string, body?: unknown): Promise<any> => {
  const r = await b!.call(method, `/network${path}`, body);
  assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
};

/** The pids of the QEMUs of server `id`, with the network namespace each runs in. */
async function qemusOf(id: string): Promise<Array<{ pid: number; netns: string }>> {
  const out: Array<{ pid: number; netns: string }> = [];
  for (const p of readdirSync('/proc').filter((f) => /^\d+$/.test(f))) {
    let cmdline = '';
    try { cmdline = readFileSync(`/proc/${p}/cmdline`, 'utf8'); } catch { continue; }
    if (!cmdline.startsWith('qemu-system') || !cmdline.includes(`\0-uuid\0${id}\0`)) continue;
    out.push({ pid: Number(p), netns: (await sh('ip', ['netns', 'identify', p])).out });
  }
  return out;
}

test('a QEMU guest moves between two hosts: resize and confirm, cold migration and revert, cold migration and confirm, live migration; it answers pings after each', {
  skip: image.skip ?? false, timeout: 1_500_000,
}, async (t) => {
  for (const host of Object.values(hosts)) await ensureNamespace(hostNs(host));
  // the underlay between the hosts: QEMU's migration stream and NBD copy go over it
  await must('ip', ['-n', hostNs(hosts.a), 'link', 'add', 'mgul', 'type', 'veth', 'peer', 'name', 'mgul', 'netns', hostNs(hosts.b)]);
  for (const host of Object.values(hosts)) {
    await must('ip', ['-n', hostNs(host), 'addr', 'add', `${underlay[host]}/24`, 'dev', 'mgul']);
    await must('ip', ['-n', hostNs(host), 'link', 'set', 'mgul', 'up']);
  }
  // the outside: host A's physical interface by Outside's veth, host B's by a second one, bridged there
  outside = new Outside({ namespace: outsideNs, hostNamespace: hostNs(hosts.a), hostDevice: 'mgx', cidr: '203.0.113.1/24' });
  await outside.start();
  await must('ip', ['-n', hostNs(hosts.b), 'link', 'add', 'mgx', 'type', 'veth', 'peer', 'name', 'eth1', 'netns', outsideNs]);
  await must('ip', ['-n', hostNs(hosts.b), 'link', 'set', 'mgx', 'up']);
  for (const args of [['addr', 'del', '203.0.113.1/24', 'dev', 'eth0'], ['link', 'add', 'br0', 'type', 'bridge'], ['link', 'set', 'eth0', 'master', 'br0'],
    ['link', 'set', 'eth1', 'master', 'br0'], ['link', 'set', 'eth1', 'up'], ['addr', 'add', '203.0.113.1/24', 'dev', 'br0'], ['link', 'set', 'br0', 'up']]) {
    await must('ip', ['-n', outsideNs, ...args]);
  }

  b = await BootCloud.start({
    'DEFAULT.compute_driver': 'qemu', 'DEFAULT.host': hosts.a, 'DEFAULT.hosts': `${hosts.a},${hosts.b}`,
    'DEFAULT.vif_plugging_timeout': '120', 'DEFAULT.vif_plugging_is_fatal': 'true',
    'data_plane.enabled': 'true', 'data_plane.host_namespace': template, 'qemu.host_namespace': template,
    'qemu.live_migration_inbound_addr': Object.entries(underlay).map(([h, a]) => `${h}=${a}`).join(','), 'qemu.live_migration_port_range': '41000:41099',
    'vnc.novncproxy_port': '0', 'serial_console.serialproxy_port': '0',
    'linux_bridge.physical_interface_mappings': 'extnet:mgx', 'dhcp_agent.dhcp_confs': join(work, 'dhcp'), 'agent.polling_interval': '0.5',
  });
  made.networks.push(b.networkId); // the seeded private network: its DHCP namespace goes at the end too

  // the guest image, booted by its kernel and initramfs (the image's kernel_id/ramdisk_id)
  const { kernel, ramdisk } = kernelAndRamdisk(image.path!, work);
  const kernelId = await b.uploadImage('nubo-guest-kernel', kernel, { disk_format: 'aki', container_format: 'aki' });
  const ramdiskId = await b.uploadImage('nubo-guest-ramdisk', ramdisk, { disk_format: 'ari', container_format: 'ari' });
  const imageId = await b.uploadImage('nubo-guest', image.path!, {
    disk_format: 'qcow2', container_format: 'bare', kernel_id: kernelId, ramdisk_id: ramdiskId, os_command_line: 'console=ttyS0 quiet',
  });

  // the flat network the outside is on, with DHCP; pings allowed in the default security group
  const net = (await ok('POST', '/v2.0/networks', { network: { name: `mg-${tag}`, shared: true, 'provider:network_type': 'flat', 'provider:physical_network': 'extnet' } })).network;
  made.networks.push(net.id);
  const subnet = (await ok('POST', '/v2.0/subnets', { subnet: { network_id: net.id, cidr: '203.0.113.0/24', ip_version: 4, gateway_ip: '203.0.113.1', allocation_pools: [{ start: '203.0.113.100', end: '203.0.113.150' }] } })).subnet;
  const sg = (await ok('GET', '/v2.0/security-groups?name=default')).security_groups.find((g: any) => g.project_id === subnet.project_id);
  await ok('POST', '/v2.0/security-group-rules', { security_group_rule: { security_group_id: sg.id, direction: 'ingress', ethertype: 'IPv4', protocol: 'icmp', remote_ip_prefix: '0.0.0.0/0' } });
  const big = (await b.compute('POST', '/flavors', { flavor: { name: `mg-big-${tag}`, ram: 640, vcpus: 2, disk: 2 } })).body.flavor;

  const created = await b.boot({ imageRef: imageId, networks: [{ uuid: net.id }], config_drive: true, availability_zone: `nova:${hosts.a}` }, {}, '2.37');
  assert.equal(created.status, 202, JSON.stringify(created.body));
  const id = created.body.server.id as string;
  let server = await b.waitFor(id, ['ACTIVE', 'ERROR'], 300_000);
  assert.equal(server.status, 'ACTIVE', JSON.stringify(server.fault));
  const ip = server.addresses[net.name][0].addr as string;
  const consoleLog = async (): Promise<string> => (await b!.compute('POST', `/servers/${id}/action`, { 'os-getConsoleOutput': {} })).body.output as string;
  const action = async (body: unknown): Promise<void> => {
    const r = await b!.compute('POST', `/servers/${id}/action`, body, '2.56');
    assert.ok(r.status === 202 || r.status === 204, `${JSON.stringify(body)}: ${r.status} ${JSON.stringify(r.body)}`);
  };

  /** The server runs on `host`: its record says so, one QEMU runs for it, in that host's namespace, and it answers pings from the outside. */
  const runsOn = async (host: string, what: string): Promise<void> => {
    server = (await b!.compute('GET', `/servers/${id}`, undefined, '2.93')).body.server;
    assert.equal(server['OS-EXT-SRV-ATTR:host'], host, `${what}: the server's host`);
    const qemus = await qemusOf(id);
    assert.deepEqual(qemus.map((q) => q.netns), [hostNs(host)], `${what}: one QEMU, in ${host}'s namespace`);
    const t0 = Date.now();
    try {
      await until(async () => (await sh('ip', ['netns', 'exec', outsideNs, 'busybox', 'ping', '-c', '1', '-W', '2', ip])).ok, `${what}: the guest answering pings on ${ip}`, 300_000);
    } catch (err) {
      throw new Error(`${(err as Error).message}\nthe guest's console:\n${await consoleLog()}`);
    }
    t.diagnostic(`${what}: on ${host}, answering pings ${Date.now() - t0} ms after the move ended`);
  };
  await runsOn(hosts.a, 'booted');

  // resize to the larger flavor: to host B (the only other host), the disk grown, 2 vCPUs
  await action({ resize: { flavorRef: big.id } });
  server = await b.waitFor(id, ['VERIFY_RESIZE', 'ERROR'], 300_000);
  assert.equal(server.status, 'VERIFY_RESIZE', JSON.stringify(server.fault));
  await runsOn(hosts.b, 'resized');
  const cmdline = readFileSync(`/proc/${(await qemusOf(id))[0]!.pid}/cmdline`, 'utf8').split('\0');
  assert.equal(cmdline[cmdline.indexOf('-smp') + 1], '2');
  assert.equal(cmdline[cmdline.indexOf('-m') + 1], '640');
  const kept = join(b.cloud.dataDir, 'nova', hosts.a, 'instances', '_resize', id);
  assert.ok(existsSync(kept), 'the source keeps its copy until the confirm');
  await action({ confirmResize: null });
  server = await b.waitFor(id, ['ACTIVE', 'ERROR'], 120_000);
  assert.equal(server.status, 'ACTIVE');
  assert.equal(server.flavor.original_name, big.name);
  await until(() => !existsSync(kept), 'the source copy gone after the confirm', 60_000);

  // cold migration to A, reverted: the guest is back on B
  await action({ migrate: null });
  server = await b.waitFor(id, ['VERIFY_RESIZE', 'ERROR'], 300_000);
  assert.equal(server.status, 'VERIFY_RESIZE', JSON.stringify(server.fault));
  await runsOn(hosts.a, 'migrated');
  await action({ revertResize: null });
  server = await b.waitFor(id, ['ACTIVE', 'ERROR'], 300_000);
  assert.equal(server.status, 'ACTIVE', JSON.stringify(server.fault));
  await runsOn(hosts.b, 'reverted');

  // cold migration to A, confirmed
  await action({ migrate: null });
  server = await b.waitFor(id, ['VERIFY_RESIZE', 'ERROR'], 300_000);
  assert.equal(server.status, 'VERIFY_RESIZE', JSON.stringify(server.fault));
  await action({ confirmResize: null });
  server = await b.waitFor(id, ['ACTIVE', 'ERROR'], 120_000);
  await runsOn(hosts.a, 'migrated and confirmed');

  // live migration to B: the guest runs on without a reboot (B's console log has no boot); pings every 200 ms meanwhile
  const pinger = spawn('ip', ['netns', 'exec', outsideNs, 'busybox', 'ping', '-i', '0.2', ip], { stdio: ['ignore', 'pipe', 'ignore'] });
  const replies: number[] = [];
  pinger.stdout!.on('data', (d: Buffer) => { for (const m of d.toString().matchAll(/seq=(\d+)/g)) replies.push(Number(m[1])); });
  const t0 = Date.now();
  try {
    await action({ 'os-migrateLive': { host: null, block_migration: 'auto' } });
    await until(async () => {
      const s = (await b!.compute('GET', `/servers/${id}`, undefined, '2.93')).body.server;
      return s.status === 'ERROR' || (s.status === 'ACTIVE' && s['OS-EXT-SRV-ATTR:host'] === hosts.b);
    }, 'the live migration to end', 300_000);
    const tEnd = Date.now() - t0;
    const sent = replies.length;
    await until(() => replies.length > sent + 3, 'pings answered after the live migration', 60_000);
    const gaps = replies.slice(1).map((seq, i) => seq - replies[i]! - 1);
    t.diagnostic(`live migration to ${hosts.b}: ${tEnd} ms from the request; ${replies.length} pings answered, at most ${Math.max(0, ...gaps)} lost in a row (200 ms apart)`);
  } finally {
    pinger.kill('SIGTERM');
  }
  await runsOn(hosts.b, 'live-migrated');
  assert.doesNotMatch(await consoleLog(), /Linux version/, 'not booted again on B');
  const migrations = (await b.compute('GET', `/servers/${id}/migrations`, undefined, '2.80')).body;
  const live = (await b.compute('GET', `/os-migrations?instance_uuid=${id}&migration_type=live-migration`, undefined, '2.80')).body.migrations;
  assert.equal(live[0]?.status, 'completed', JSON.stringify({ migrations, live }));

  // delete: no QEMU, no files
  assert.equal((await b.compute('DELETE', `/servers/${id}`)).status, 204);
  await b.waitFor(id, ['DELETED'], 120_000);
  assert.deepEqual(await qemusOf(id), []);
  assert.deepEqual(readdirSync(join(b.cloud.dataDir, 'nova'), { recursive: true }).map(String).filter((f) => f.includes(id)), []);
});
