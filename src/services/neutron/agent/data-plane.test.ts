/**
 * The Linux data plane end to end, on the kernel (root and network namespaces needed; skipped
 * with the reason otherwise): two agent hosts, each a namespace `nubo-t<tag>-<host>` joined by
 * an underlay veth on 198.51.100.0/24, each with a Linux bridge agent (VXLAN from its underlay
 * address), host A with the DHCP agent. A tenant (VXLAN) network and subnet get a dnsmasq in
 * qdhcp-<network> on host A; two ports bound one per host stand in for guests: namespaces with
 * a veth whose host end is the port's tap and whose guest end has the port's MAC. The ports go
 * ACTIVE (nova hears network-vif-plugged), the guests get their addresses from dnsmasq with
 * `busybox udhcpc` and ping each other across the VXLAN; a restarted DHCP agent adopts its
 * dnsmasq; deleting ports, subnet and network takes the bridges, dnsmasq and namespace away; and
 * the cleanup leaves nothing of what the test made.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createLogger } from '../../../common/log/logger.js';
import { PeriodicTasks } from '../../../common/service/periodic.js';
import { ADMIN, type Harness, startHarness } from '../testing/harness.js';
import { DhcpAgent } from './dhcp/dhcp-agent.js';
import { namespaceSupportProblem } from './linux/capabilities.js';
import { cleanupDataPlane } from './linux/cleanup.js';
import { execute } from './linux/exec.js';
import { IpAddr } from './linux/ip-addr.js';
import { IpLink } from './linux/ip-link.js';
import { bridgeName, dhcpNamespace, tapName, vxlanName } from './linux/names.js';
import { deleteNamespace, ensureNamespace, listNamespaces } from './linux/netns.js';
import { LinuxBridgeAgent } from './linuxbridge/lb-agent.js';

type JsonRecord = Record<string, any>;

function toolsProblem(): string | undefined {
  for (const [tool, args] of [['dnsmasq', ['--version']], ['busybox', ['--help']]] as const) {
    try { execFileSync(tool, [...args], { stdio: 'ignore' }); } catch { return `${tool} is not installed (Debian ${tool === 'dnsmasq' ? 'dnsmasq-base' : 'busybox-static'})`; }
  }
  return undefined;
}

const skip = namespaceSupportProblem() ?? toolsProblem();
const tag = randomBytes(3).toString('hex');
const template = `nubo-t${tag}-{host}`;
const hosts = { a: `dpa${tag}`, b: `dpb${tag}` };
const hostNs = (h: string): string => template.replace('{host}', h);
const guestNs = (n: number): string => `nubo-g${tag}-${n}`;
const silent = createLogger({ level: 'silent' });

let h: Harness;
let dir: string;
let periodic: PeriodicTasks;
const lb: Record<'a' | 'b', LinuxBridgeAgent | undefined> = { a: undefined, b: undefined };
let dhcp: DhcpAgent;
const queued: JsonRecord[] = [];
const made = { networks: [] as string[] };

async function until(pred: () => Promise<boolean> | boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await pred()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`timed out waiting for ${what}`);
}

const portOf = async (id: string): Promise<JsonRecord> => (await h.request('GET', `/v2.0/ports/${id}`, ADMIN)).body.port;

function newLbAgent(which: 'a' | 'b', p: PeriodicTasks): LinuxBridgeAgent {
  return new LinuxBridgeAgent({
    transport: h.transport, host: hosts[which], log: silent, periodic: p, reportInterval: 30, pollingInterval: 0.1, availabilityZone: 'nova',
    hostNamespace: hostNs(hosts[which]), interfaceMappings: new Map(),
    vxlan: { localIp: which === 'a' ? '198.51.100.1' : '198.51.100.2', group: '224.0.0.1', dstport: 4789, ttl: 0 },
  });
}

function newDhcpAgent(p: PeriodicTasks): DhcpAgent {
  return new DhcpAgent({
    transport: h.transport, host: hosts.a, log: silent, periodic: p, reportInterval: 30, availabilityZone: 'nova', hostNamespace: hostNs(hosts.a),
    confDir: join(dir, 'dhcp'), resyncInterval: 1, checkChildProcessesInterval: 1,
    settings: { binary: 'dnsmasq', dnsServers: [], leaseDuration: 86400, leaseMax: 1000, dnsDomain: 'openstacklocal' },
  });
}

/** What os-vif and the hypervisor do for a guest: its namespace, the tap in the host namespace, eth0 with the port's MAC. */
async function plugGuest(n: number, host: string, port: JsonRecord): Promise<void> {
  await ensureNamespace(guestNs(n));
  await new IpLink(hostNs(host)).addVeth(tapName(port.id), 'eth0', guestNs(n));
  const guest = new IpLink(guestNs(n));
  await guest.setAddress('eth0', port.mac_address);
  await guest.setUp('eth0');
  await new IpLink(hostNs(host)).setUp(tapName(port.id));
}

/** busybox udhcpc in the guest: the lease it got, as the script printed it. */
async function dhcpLease(n: number): Promise<Record<string, string>> {
  const out = await execute('busybox', ['udhcpc', '-i', 'eth0', '-O', 'staticroutes', '-f', '-q', '-n', '-t', '10', '-T', '1', '-s', join(dir, 'udhcpc.sh')], { namespace: guestNs(n), timeoutMs: 30_000 });
  const line = out.split('\n').find((l) => l.startsWith('LEASE '));
  assert.ok(line, `udhcpc printed no lease:\n${out}`);
  return Object.fromEntries(line.slice(6).split(' ').map((kv) => kv.split('=') as [string, string]));
}

describe('Linux data plane: bridges, VXLAN between two hosts, dnsmasq, udhcpc', { skip: skip ? `needs root and network namespaces: ${skip}` : false }, () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nubo-dp-'));
    chmodSync(dir, 0o755); // dnsmasq rereads its files as nobody
    writeFileSync(join(dir, 'udhcpc.sh'), [
      '#!/bin/sh',
      'case "$1" in bound|renew)',
      '  ip addr flush dev "$interface"',
      '  ip addr add "$ip/$mask" dev "$interface"',
      '  [ -n "$mtu" ] && ip link set dev "$interface" mtu "$mtu"',
      '  [ -n "$router" ] && ip route replace default via "${router%% *}" dev "$interface"',
      '  echo "LEASE ip=$ip mask=$mask router=$router mtu=$mtu dns=$(echo $dns | tr " " ",") routes=$(echo $staticroutes | tr " " ",")";;',
      'esac',
    ].join('\n'), { mode: 0o755 });
    h = await startHarness();
    const original = h.service.nova.queue.bind(h.service.nova);
    h.service.nova.queue = (e) => { if (e) queued.push(e); original(e); };
    // the two hosts and their underlay
    for (const host of Object.values(hosts)) await ensureNamespace(hostNs(host));
    await new IpLink(hostNs(hosts.a)).addVeth('ula', 'ulb', hostNs(hosts.b));
    await new IpAddr(hostNs(hosts.a)).add('198.51.100.1/24', 'ula');
    await new IpAddr(hostNs(hosts.b)).add('198.51.100.2/24', 'ulb');
    await new IpLink(hostNs(hosts.a)).setUp('ula');
    await new IpLink(hostNs(hosts.b)).setUp('ulb');
    periodic = new PeriodicTasks(silent);
    lb.a = newLbAgent('a', periodic);
    lb.b = newLbAgent('b', periodic);
    dhcp = newDhcpAgent(periodic);
    for (const a of [lb.a, lb.b, dhcp]) await a.start();
    periodic.start();
  });

  after(async () => {
    await periodic?.stop();
    for (const a of [lb.a, lb.b, dhcp]) await a?.stop().catch(() => undefined);
    const ids = made.networks;
    await cleanupDataPlane({ hostNamespaceTemplate: template, match: (n) => n.startsWith(`nubo-t${tag}-`) || ids.some((id) => n === dhcpNamespace(id)) });
    for (const n of [1, 2]) await deleteNamespace(guestNs(n));
    await h?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('agents report state: the Linux bridge agents with their tunneling IPs, the DHCP agent', async () => {
    const agents = (await h.request('GET', '/v2.0/agents', ADMIN)).body.agents as JsonRecord[];
    const lbA = agents.find((a) => a.host === hosts.a && a.agent_type === 'Linux bridge agent');
    assert.equal(lbA?.alive, true);
    assert.equal(lbA?.binary, 'neutron-linuxbridge-agent');
    assert.deepEqual(lbA?.configurations.tunnel_types, ['vxlan']);
    assert.equal(lbA?.configurations.tunneling_ip, '198.51.100.1');
    assert.equal(agents.find((a) => a.host === hosts.a && a.agent_type === 'DHCP agent')?.alive, true);
  });

  test('two guests on two hosts get their addresses from dnsmasq and ping each other over VXLAN; teardown removes it all', async () => {
    const net = (await h.request('POST', '/v2.0/networks', ADMIN, { network: { name: `dp-${tag}` } })).body.network;
    made.networks.push(net.id);
    assert.equal(net['provider:network_type'], 'vxlan');
    const vni = net['provider:segmentation_id'] as number;
    const subnet = (await h.request('POST', '/v2.0/subnets', ADMIN, {
      subnet: { network_id: net.id, cidr: '10.77.0.0/24', ip_version: 4, dns_nameservers: ['192.0.2.53'], host_routes: [{ destination: '192.0.2.0/24', nexthop: '10.77.0.254' }] },
    })).body.subnet;
    // the network is scheduled to the DHCP agent: its port goes ACTIVE once host A's bridge holds its tap
    await until(() => dhcp.driver.active(net.id), 'dnsmasq running');
    const dhcpPort = (await h.request('GET', `/v2.0/ports?network_id=${net.id}&device_owner=network:dhcp`, ADMIN)).body.ports[0];
    assert.ok(dhcpPort, 'the DHCP port exists');
    assert.equal(dhcpPort['binding:vif_type'], 'bridge');
    await until(async () => (await portOf(dhcpPort.id)).status === 'ACTIVE', 'DHCP port ACTIVE');
    assert.ok((await listNamespaces()).includes(dhcpNamespace(net.id)));

    const server = randomUUID();
    const ports: JsonRecord[] = [];
    for (const host of [hosts.a, hosts.b]) {
      const p = (await h.request('POST', '/v2.0/ports', ADMIN, {
        port: { network_id: net.id, device_id: server, device_owner: 'compute:nova', 'binding:host_id': host },
      })).body.port;
      assert.equal(p['binding:vif_type'], 'bridge', 'bound by the linuxbridge driver');
      ports.push(p);
    }
    await plugGuest(1, hosts.a, ports[0]!);
    await plugGuest(2, hosts.b, ports[1]!);
    for (const p of ports) await until(async () => (await portOf(p.id)).status === 'ACTIVE', `port ${p.id} ACTIVE`);
    for (const p of ports) await until(() => queued.some((e) => e.name === 'network-vif-plugged' && e.tag === p.id), 'network-vif-plugged');

    // what each host's kernel holds: the bridge with the VXLAN device and the taps, at the network's MTU
    for (const [host, taps] of [[hosts.a, [ports[0]!.id, dhcpPort.id]], [hosts.b, [ports[1]!.id]]] as const) {
      const links = await new IpLink(hostNs(host)).list();
      const bridge = links.find((l) => l.ifname === bridgeName(net.id));
      assert.equal(bridge?.mtu, net.mtu);
      assert.equal(links.find((l) => l.ifname === vxlanName(vni))?.master, bridgeName(net.id));
      for (const id of taps) assert.equal(links.find((l) => l.ifname === tapName(id))?.master, bridgeName(net.id));
    }

    const lease1 = await dhcpLease(1);
    const lease2 = await dhcpLease(2);
    assert.equal(lease1.ip, ports[0]!.fixed_ips[0].ip_address);
    assert.equal(lease2.ip, ports[1]!.fixed_ips[0].ip_address);
    assert.equal(lease1.mask, '24');
    assert.equal(lease1.router, subnet.gateway_ip);
    assert.equal(lease1.mtu, String(net.mtu));
    assert.equal(lease1.dns, '192.0.2.53');
    assert.match(lease2.routes ?? '', /192\.0\.2\.0\/24,10\.77\.0\.254/);
    assert.ok(dhcp.driver.leases(net.id).some((l) => l.mac === ports[1]!.mac_address && l.ip === lease2.ip), 'dnsmasq recorded the lease');

    await execute('busybox', ['ping', '-c', '2', '-W', '2', lease2.ip!], { namespace: guestNs(1) });
    await execute('busybox', ['ping', '-c', '2', '-W', '2', lease1.ip!], { namespace: guestNs(2) });
    await execute('busybox', ['ping', '-c', '1', '-W', '2', dhcpPort.fixed_ips[0].ip_address], { namespace: guestNs(2) });

    // a port created later reaches dnsmasq's hosts file (port_create_end -> reload)
    const late = (await h.request('POST', '/v2.0/ports', ADMIN, { port: { network_id: net.id, fixed_ips: [{ subnet_id: subnet.id, ip_address: '10.77.0.99' }] } })).body.port;
    await until(() => dhcp.served.get(net.id)?.info.ports.some((p) => p.id === late.id) === true, 'the DHCP agent heard of the new port');

    // a restarted DHCP agent adopts its dnsmasq (same pid) and the serving goes on
    const pidBefore = execFileSync('cat', [join(dir, 'dhcp', net.id, 'pid')], { encoding: 'utf8' }).trim();
    await dhcp.stop();
    const p2 = new PeriodicTasks(silent);
    dhcp = newDhcpAgent(p2);
    await dhcp.start();
    p2.start();
    await until(() => dhcp.served.has(net.id), 'the restarted DHCP agent serves the network again');
    assert.equal(execFileSync('cat', [join(dir, 'dhcp', net.id, 'pid')], { encoding: 'utf8' }).trim(), pidBefore);
    assert.ok(dhcp.driver.active(net.id));
    await p2.stop();

    // teardown: guests unplugged -> ports DOWN; ports, subnet, network deleted -> dnsmasq, qdhcp namespace and bridges gone
    for (const n of [1, 2]) await deleteNamespace(guestNs(n));
    for (const p of ports) await until(async () => (await portOf(p.id)).status === 'DOWN', `port ${p.id} DOWN once unplugged`);
    await until(async () => !(await new IpLink(hostNs(hosts.b)).exists(bridgeName(net.id))), "host B's bridge removed with its last tap");
    for (const p of [...ports, late]) assert.equal((await h.request('DELETE', `/v2.0/ports/${p.id}`, ADMIN)).status, 204);
    assert.equal((await h.request('DELETE', `/v2.0/networks/${net.id}`, ADMIN)).status, 204);
    await until(async () => !(await listNamespaces()).includes(dhcpNamespace(net.id)), 'qdhcp namespace removed');
    assert.equal(dhcp.driver.active(net.id), false);
    await until(async () => !(await new IpLink(hostNs(hosts.a)).exists(bridgeName(net.id))), "host A's bridge removed");
    assert.equal(await new IpLink(hostNs(hosts.a)).exists(vxlanName(vni)), false);
  });

  test('nubo netns cleanup removes the host namespaces it is pointed at and the processes in them', async () => {
    const report = await cleanupDataPlane({ hostNamespaceTemplate: template, match: (n) => n.startsWith(`nubo-t${tag}-`) });
    assert.deepEqual(report.namespaces.sort(), [hostNs(hosts.a), hostNs(hosts.b)].sort());
    const left = (await listNamespaces()).filter((n) => n.startsWith(`nubo-t${tag}-`));
    assert.deepEqual(left, []);
  });
});
