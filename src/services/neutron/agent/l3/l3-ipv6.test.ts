/**
 * IPv6 through a router on the kernel (root, network namespaces and radvd needed; skipped with
 * the reason otherwise): one agent host namespace runs the Linux bridge agent (with the iptables
 * firewall) and the L3 agent; "the outside" (../../testing/outside.ts) is on 203.0.113.0/24
 * and 2001:db8:ff::/64 of a flat external network. A router with its gateway there and an
 * interface on a slaac subnet (2001:db8:1::/64) runs radvd in its namespace; a guest (a
 * namespace on its port's tap, its kernel accepting advertisements) takes from them the
 * port's EUI-64 address, the default route via the router's link-local address and the
 * network's MTU, pings the router's qr- address and, routed through the router's IPv6 default
 * route, the outside; an IPv6 extra route comes and goes; a second slaac subnet on the router is
 * advertised by the same radvd (its file reread) and the guest takes the port's second address.
 * radvd is respawned when killed, adopted by a restarted agent, stopped
 * when the interface goes and with the router; `nubo netns cleanup` stops it with the
 * namespace. Everything the test made is removed at the end, radvd processes included.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createLogger } from '../../../../common/log/logger.js';
import { PeriodicTasks } from '../../../../common/service/periodic.js';
import { until } from '../../../../common/testing/until.js';
import { eui64Address } from '../../common/mac.js';
import { canonicalIp, parseCidr } from '../../common/netaddr.js';
import { plugGuest } from '../../testing/guests.js';
import { adminApi, type JsonRecord, startHostNamespace, testL3Agent, UNDERLAY_IP } from '../../testing/agent-host.js';
import { type Harness, startHarness } from '../../testing/harness.js';
import { Outside } from '../../testing/outside.js';
import { missingTool } from '../../testing/tools.js';
import { IptablesFirewall } from '../firewall/iptables-firewall.js';
import { namespaceSupportProblem } from '../linux/capabilities.js';
import { cleanupDataPlane } from '../linux/cleanup.js';
import { execute } from '../linux/exec.js';
import { IpAddr, IpRoute } from '../linux/ip-addr.js';
import { IpLink } from '../linux/ip-link.js';
import { namespaceDeviceName, routerNamespace } from '../linux/names.js';
import { deleteNamespace, listNamespaces } from '../linux/netns.js';
import { LinuxBridgeAgent } from '../linuxbridge/lb-agent.js';
import { L3Agent } from './l3-agent.js';
import { kernelHasIpv6 } from './router-info.js';

const skip = namespaceSupportProblem() ?? (kernelHasIpv6() ? undefined : 'the kernel has no IPv6') ?? missingTool(['radvd', 'busybox', 'iptables-restore', 'ip6tables-restore', 'conntrack', 'nft']);
const skipped = { skip: skip ? `needs root, network namespaces, IPv6, radvd, busybox, iptables, conntrack and nft: ${skip}` : false };
const tag = randomBytes(3).toString('hex');
const host = `r6h${tag}`;
const template = `nubo-t${tag}-{host}`;
const hostNs = template.replace('{host}', host);
const guestNs = `nubo-g${tag}-6`;
const silent = createLogger({ level: 'silent' });

let h: Harness;
let dir: string;
let periodic: PeriodicTasks;
let l3Periodic: PeriodicTasks;
let lb: LinuxBridgeAgent;
let l3: L3Agent;
let firewall: IptablesFirewall;
let outside: Outside;
const made = { networks: [] as string[], routers: [] as string[] };

const { get, ok } = adminApi(() => h);
const newL3Agent = (p: PeriodicTasks): L3Agent => testL3Agent({ h, host, hostNs, dir, periodic: p, log: silent, metadata: false });

async function restartL3Agent(): Promise<void> {
  await l3Periodic.stop();
  await l3.stop();
  l3Periodic = new PeriodicTasks(silent);
  l3 = newL3Agent(l3Periodic);
  await l3.start();
  l3Periodic.start();
}

/** The pid in the router's radvd pid file (undefined: none). */
function radvdPid(routerId: string): number | undefined {
  try {
    return Number.parseInt(readFileSync(join(dir, 'l3', routerId, 'radvd.pid'), 'utf8'), 10);
  } catch {
    return undefined;
  }
}

/** Whether the process runs (a zombie not yet reaped by init does not). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
/** The radvd processes whose command line names a file of this test's directory. */
function ourRadvds(): number[] {
  const pids: number[] = [];
  for (const p of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
      if (cmd.startsWith('radvd\0') && cmd.includes(dir)) pids.push(Number(p));
    } catch { /* gone */ }
  }
  return pids;
}

/** The guest's IPv6 addresses of global scope (canonical) and its IPv6 default route. */
async function guestIpv6(): Promise<{ global: string[]; tentative: boolean; gateway?: string; protocol?: string }> {
  const addrs = (await new IpAddr(guestNs).list('eth0')).filter((a) => a.family === 'inet6' && a.scope === 'global') as Array<{ local: string; tentative?: boolean }>;
  const route = (await new IpRoute(guestNs).list(6)).find((r) => r.dst === 'default');
  return { global: addrs.map((a) => canonicalIp(a.local)!), tentative: addrs.some((a) => a.tentative), gateway: route?.gateway, protocol: route?.protocol };
}

const pings6 = (namespace: string, to: string): Promise<boolean> =>
  execute('busybox', ['ping6', '-c', '1', '-W', '1', to], { namespace }).then(() => true, () => false);

describe('L3 agent: IPv6 router advertisements (radvd) and routing', () => {
  before(async () => {
    if (skip) return;
    dir = mkdtempSync(join(tmpdir(), 'nubo-l3v6-'));
    h = await startHarness({ overrides: { 'default_networks.create_public_network': 'false', 'default_networks.create_private_network': 'false', 'default_networks.create_router': 'false' } });
    await startHostNamespace(hostNs);
    outside = new Outside({ namespace: `nubo-o${tag}`, hostNamespace: hostNs, hostDevice: 'extphy', cidr: '203.0.113.1/24' });
    await outside.start();
    await new IpAddr(outside.o.namespace).add('2001:db8:ff::1/64', 'eth0');
    periodic = new PeriodicTasks(silent);
    firewall = new IptablesFirewall({ netns: hostNs, log: silent });
    lb = new LinuxBridgeAgent({
      transport: h.transport, host, log: silent, periodic, reportInterval: 30, pollingInterval: 0.1, availabilityZone: 'nova', hostNamespace: hostNs,
      interfaceMappings: new Map([['extnet', 'extphy']]), vxlan: { localIp: UNDERLAY_IP, group: '', dstport: 4789, ttl: 0 }, firewall,
    });
    l3Periodic = new PeriodicTasks(silent);
    l3 = newL3Agent(l3Periodic);
    for (const a of [lb, l3]) await a.start();
    periodic.start();
    l3Periodic.start();
  });

  after(async () => {
    if (skip) return;
    await periodic?.stop();
    await l3Periodic?.stop();
    for (const a of [lb, l3]) await a?.stop().catch(() => undefined);
    await firewall?.destroy().catch(() => undefined);
    await outside?.stop().catch(() => undefined);
    await deleteNamespace(guestNs);
    await cleanupDataPlane({
      hostNamespaceTemplate: template,
      match: (n) => n.startsWith(`nubo-t${tag}-`) || made.routers.some((id) => n === routerNamespace(id)),
    });
    const radvds = dir ? ourRadvds() : [];
    for (const pid of radvds) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    await h?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    const left = (await listNamespaces()).filter((n) => n.includes(tag) || made.routers.some((id) => n === routerNamespace(id)));
    assert.deepEqual(left, [], 'every namespace the test made is gone');
    assert.deepEqual(radvds, [], 'no radvd of the test was left running');
  });

  test('a guest on a slaac subnet takes its address and default route from the router\'s advertisements and is routed over IPv6', skipped, async (t) => {
    const ext = (await ok('POST', '/v2.0/networks', { network: { name: `ext-${tag}`, 'router:external': true, 'provider:network_type': 'flat', 'provider:physical_network': 'extnet' } })).network;
    made.networks.push(ext.id);
    await ok('POST', '/v2.0/subnets', { subnet: { network_id: ext.id, cidr: '203.0.113.0/24', ip_version: 4, gateway_ip: '203.0.113.1', enable_dhcp: false, allocation_pools: [{ start: '203.0.113.100', end: '203.0.113.150' }] } });
    await ok('POST', '/v2.0/subnets', { subnet: { network_id: ext.id, cidr: '2001:db8:ff::/64', ip_version: 6, gateway_ip: '2001:db8:ff::1', enable_dhcp: false } });
    const net = (await ok('POST', '/v2.0/networks', { network: { name: `v6-${tag}` } })).network;
    made.networks.push(net.id);
    const subnet = (await ok('POST', '/v2.0/subnets', {
      subnet: { network_id: net.id, cidr: '2001:db8:1::/64', ip_version: 6, ipv6_ra_mode: 'slaac', ipv6_address_mode: 'slaac', dns_nameservers: ['2001:db8::53'] },
    })).subnet;
    const router = (await ok('POST', '/v2.0/routers', { router: { name: `r6-${tag}`, external_gateway_info: { network_id: ext.id } } })).router;
    made.routers.push(router.id);
    await ok('PUT', `/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: subnet.id });
    const ns = routerNamespace(router.id);
    const routerPorts = (await get(`/v2.0/ports?device_id=${router.id}`)).ports as JsonRecord[];
    const qr = routerPorts.find((p) => p.device_owner === 'network:router_interface')!;
    const qg = routerPorts.find((p) => p.device_owner === 'network:router_gateway')!;
    const qrDev = namespaceDeviceName('qr-', qr.id);
    const qgDev = namespaceDeviceName('qg-', qg.id);
    const qgV6 = (qg.fixed_ips as JsonRecord[]).find((f) => String(f.ip_address).includes(':'))!.ip_address as string;

    // the router: IPv6 forwarding, the interface's and the gateway's IPv6 addresses, the IPv6 default route, radvd in its namespace
    await until(() => l3.routers.has(router.id) && l3.radvd.active(router.id), 'the router processed with radvd running');
    assert.equal((await execute('sysctl', ['-n', 'net.ipv6.conf.all.forwarding'], { namespace: ns })).trim(), '1');
    const globals = async (dev: string): Promise<string[]> => (await new IpAddr(ns).list(dev)).filter((a) => a.scope === 'global').map((a) => `${a.local}/${a.prefixlen}`);
    assert.deepEqual(await globals(qrDev), ['2001:db8:1::1/64']);
    assert.ok((await globals(qgDev)).includes(`${qgV6}/64`), `qg- holds ${qgV6}`);
    const v6Default = (await new IpRoute(ns).list(6)).find((r) => r.dst === 'default');
    assert.equal(v6Default?.gateway, '2001:db8:ff::1');
    assert.equal(v6Default?.dev, qgDev);
    const pid = radvdPid(router.id)!;
    assert.equal((await execute('ip', ['netns', 'identify', String(pid)])).trim(), ns, 'radvd runs in the router\'s namespace');
    const conf = readFileSync(join(dir, 'l3', router.id, 'radvd.conf'), 'utf8');
    assert.match(conf, new RegExp(`interface ${qrDev}\\n`));
    assert.match(conf, /prefix 2001:db8:1::\/64\n\s*\{\n\s*AdvOnLink on;\n\s*AdvAutonomous on;/);
    assert.match(conf, /RDNSS 2001:db8::53 \{\};/);
    assert.match(conf, new RegExp(`AdvLinkMTU ${net.mtu};`));
    for (const p of [qr, qg]) await until(async () => (await get(`/v2.0/ports/${p.id}`)).port.status === 'ACTIVE', `router port ${p.device_owner} ACTIVE`);

    // the guest: its kernel takes advertisements; a new link sends a router solicitation
    const port = (await ok('POST', '/v2.0/ports', { port: { network_id: net.id, device_id: randomUUID(), device_owner: 'compute:nova', 'binding:host_id': host } })).port;
    const expected = canonicalIp(port.fixed_ips[0].ip_address)!;
    assert.equal(expected, canonicalIp(eui64Address(parseCidr('2001:db8:1::/64')!, port.mac_address)), 'Neutron gave the port its EUI-64 address');
    await plugGuest(guestNs, hostNs, port);
    await execute('sysctl', ['-q', '-w', 'net.ipv6.conf.eth0.disable_ipv6=0', 'net.ipv6.conf.eth0.accept_ra=1', 'net.ipv6.conf.eth0.autoconf=1'], { namespace: guestNs });
    await until(async () => (await get(`/v2.0/ports/${port.id}`)).port.status === 'ACTIVE', 'guest port ACTIVE');
    const started = Date.now();
    await new IpLink(guestNs).setDown('eth0');
    await new IpLink(guestNs).setUp('eth0');
    await until(async () => (await guestIpv6()).global.includes(expected), `the guest autoconfigures ${expected}`, 40_000);
    t.diagnostic(`link up -> SLAAC address: ${Date.now() - started} ms`);
    const guest = await guestIpv6();
    assert.deepEqual(guest.global, [expected], 'the address Neutron gave the port, and no other');
    assert.equal(guest.gateway, canonicalIp(eui64Address(parseCidr('fe80::/64')!, qr.mac_address)), 'default route via the router\'s link-local address');
    assert.equal(guest.protocol, 'ra');
    assert.equal((await execute('sysctl', ['-n', 'net.ipv6.conf.eth0.mtu'], { namespace: guestNs })).trim(), String(net.mtu), 'the network\'s MTU from the advertisement');
    await until(() => pings6(guestNs, '2001:db8:1::1'), 'the guest pings the router\'s qr- address');
    // routed: the outside reaches the tenant prefix through the router's gateway address (no NAT in IPv6)
    await outside.route('2001:db8:1::/64', qgV6);
    await until(() => pings6(guestNs, '2001:db8:ff::1'), 'the guest pings the outside through the router');

    // an IPv6 extra route
    await ok('PUT', `/v2.0/routers/${router.id}`, { router: { routes: [{ destination: '2001:db8:99::/64', nexthop: '2001:db8:1::50' }] } });
    await until(async () => (await new IpRoute(ns).list(6)).some((r) => r.dst === '2001:db8:99::/64' && r.gateway === '2001:db8:1::50'), 'the IPv6 extra route');
    await ok('PUT', `/v2.0/routers/${router.id}`, { router: { routes: [] } });
    await until(async () => !(await new IpRoute(ns).list(6)).some((r) => r.dst === '2001:db8:99::/64'), 'the IPv6 extra route removed');

    // a second slaac subnet on the router: radvd rereads its file (same process) and the guest takes the port's new address too
    const subnet2 = (await ok('POST', '/v2.0/subnets', { subnet: { network_id: net.id, cidr: '2001:db8:2::/64', ip_version: 6, ipv6_ra_mode: 'slaac', ipv6_address_mode: 'slaac' } })).subnet;
    await ok('PUT', `/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: subnet2.id });
    await until(() => /prefix 2001:db8:2::\/64/.test(readFileSync(join(dir, 'l3', router.id, 'radvd.conf'), 'utf8')), 'the second prefix in radvd.conf');
    assert.equal(radvdPid(router.id), pid, 'the same radvd, told to reread its file');
    const second = ((await get(`/v2.0/ports/${port.id}`)).port.fixed_ips as JsonRecord[]).find((f) => f.subnet_id === subnet2.id)?.ip_address as string;
    assert.ok(second, 'the guest port has an address on the second subnet');
    const rereadAt = Date.now();
    await until(async () => (await guestIpv6()).global.includes(canonicalIp(second)!), `the guest autoconfigures ${second}`, 40_000);
    t.diagnostic(`second prefix in radvd.conf -> its SLAAC address: ${Date.now() - rereadAt} ms`);

    // radvd killed: the process monitor respawns it; a restarted agent adopts the running one
    process.kill(pid, 'SIGKILL');
    await until(() => !alive(pid) && l3.radvd.active(router.id) && radvdPid(router.id) !== pid, 'radvd respawned');
    const respawned = radvdPid(router.id)!;
    await restartL3Agent();
    await until(() => l3.routers.has(router.id), 'the restarted agent runs the router again');
    assert.equal(radvdPid(router.id), respawned, 'the running radvd adopted, not restarted');
    assert.ok(alive(respawned));

    // the interfaces go: radvd stops, its file goes; one back: radvd again
    await ok('PUT', `/v2.0/routers/${router.id}/remove_router_interface`, { subnet_id: subnet2.id });
    await ok('PUT', `/v2.0/routers/${router.id}/remove_router_interface`, { subnet_id: subnet.id });
    const confFile = join(dir, 'l3', router.id, 'radvd.conf');
    await until(async () => !(await new IpLink(ns).exists(qrDev)) && !l3.radvd.active(router.id) && !existsSync(confFile), 'qr- removed, radvd stopped, its file gone');
    assert.equal(alive(respawned), false);
    await ok('PUT', `/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: subnet.id });
    await until(() => l3.radvd.active(router.id), 'radvd running again with the interface');
    const again = radvdPid(router.id)!;

    // the router set down: it is removed from the agent, radvd with it
    await ok('PUT', `/v2.0/routers/${router.id}`, { router: { admin_state_up: false } });
    await until(async () => !(await listNamespaces()).includes(ns) && !alive(again), 'the router namespace and its radvd gone');
    assert.equal(l3.radvd.active(router.id), false);

    await ok('PUT', `/v2.0/routers/${router.id}/remove_router_interface`, { subnet_id: subnet.id });
    await ok('DELETE', `/v2.0/routers/${router.id}`);
    await deleteNamespace(guestNs);
    await until(async () => (await get(`/v2.0/ports/${port.id}`)).port.status === 'DOWN', 'guest port DOWN');
    await ok('DELETE', `/v2.0/ports/${port.id}`);
    await ok('DELETE', `/v2.0/networks/${net.id}`);
  });

  test('`nubo netns cleanup` stops a router\'s radvd with its namespace', skipped, async () => {
    const net = (await ok('POST', '/v2.0/networks', { network: { name: `v6c-${tag}` } })).network;
    made.networks.push(net.id);
    const subnet = (await ok('POST', '/v2.0/subnets', { subnet: { network_id: net.id, cidr: 'fd00:6:1::/64', ip_version: 6, ipv6_ra_mode: 'dhcpv6-stateless', ipv6_address_mode: 'dhcpv6-stateless' } })).subnet;
    const router = (await ok('POST', '/v2.0/routers', { router: { name: `r6c-${tag}` } })).router;
    made.routers.push(router.id);
    await ok('PUT', `/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: subnet.id });
    await until(() => l3.radvd.active(router.id), 'radvd running');
    assert.match(readFileSync(join(dir, 'l3', router.id, 'radvd.conf'), 'utf8'), /AdvOtherConfigFlag on;/);
    const pid = radvdPid(router.id)!;
    // the agent stopped first, as `nubo netns cleanup` runs with the agents down
    await l3Periodic.stop();
    await l3.stop();
    const report = await cleanupDataPlane({ hostNamespaceTemplate: template, match: (n) => n === routerNamespace(router.id) });
    assert.deepEqual(report.namespaces, [routerNamespace(router.id)]);
    assert.ok(report.killed.includes(pid), `radvd ${pid} among the stopped processes ${report.killed.join(' ')}`);
    assert.equal(alive(pid), false);
    await ok('PUT', `/v2.0/routers/${router.id}/remove_router_interface`, { subnet_id: subnet.id });
    await ok('DELETE', `/v2.0/routers/${router.id}`);
    await ok('DELETE', `/v2.0/networks/${net.id}`);
  });
});
