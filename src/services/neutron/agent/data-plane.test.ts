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
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createLogger } from '../../../common/log/logger.js';
import { PeriodicTasks } from '../../../common/service/periodic.js';
import { NeutronContext } from '../common/context.js';
import { dhcpLease as udhcpc, pings, plugGuest as plug, writeUdhcpcScript } from '../testing/guests.js';
import { ADMIN, type Harness, startHarness } from '../testing/harness.js';
import { missingTool } from '../testing/tools.js';
import { until } from '../../../common/testing/until.js';
import { DhcpAgent } from './dhcp/dhcp-agent.js';
import { namespaceSupportProblem } from './linux/capabilities.js';
import { cleanupDataPlane } from './linux/cleanup.js';
import { execute } from './linux/exec.js';
import { BridgeFdb, FLOODING_ENTRY } from './linux/bridge.js';
import { IpAddr } from './linux/ip-addr.js';
import { IpLink } from './linux/ip-link.js';
import { bridgeName, dhcpNamespace, tapName, vxlanName } from './linux/names.js';
import { deleteNamespace, ensureNamespace, listNamespaces } from './linux/netns.js';
import { LinuxBridgeAgent } from './linuxbridge/lb-agent.js';

type JsonRecord = Record<string, any>;

const skip = namespaceSupportProblem() ?? missingTool(['dnsmasq', 'busybox']);
const tag = randomBytes(3).toString('hex');
const template = `nubo-t${tag}-{host}`;
const hosts = { a: `dpa${tag}`, b: `dpb${tag}` };
const hostNs = (h: string): string => template.replace('{host}', h);
const guestNs = (n: number): string => `nubo-g${tag}-${n}`;
const silent = createLogger({ level: 'silent' });
/** How long a step may take: generous, as this suite runs beside others on a loaded 2-core machine. */
const WAIT = 60_000;

let h: Harness;
let dir: string;
let script: string;
let periodic: PeriodicTasks;
const lb: Record<'a' | 'b', LinuxBridgeAgent | undefined> = { a: undefined, b: undefined };
let dhcp: DhcpAgent;
const queued: JsonRecord[] = [];
const made = { networks: [] as string[] };

const portOf = async (id: string): Promise<JsonRecord> => (await h.request('GET', `/v2.0/ports/${id}`, ADMIN)).body.port;

const lbPeriodic: Record<'a' | 'b', PeriodicTasks | undefined> = { a: undefined, b: undefined };

/** (Re)starts host `which`'s Linux bridge agent (a restart: the old one stops, its kernel state stays); `unicast`: l2population-style flooding. */
async function startLb(which: 'a' | 'b', unicast = false): Promise<LinuxBridgeAgent> {
  await lbPeriodic[which]?.stop();
  await lb[which]?.stop();
  const p = new PeriodicTasks(silent);
  const agent = new LinuxBridgeAgent({
    transport: h.transport, host: hosts[which], log: silent, periodic: p, reportInterval: 30, pollingInterval: 0.1, availabilityZone: 'nova',
    hostNamespace: hostNs(hosts[which]), interfaceMappings: new Map([['dpnet', which === 'a' ? 'phya' : 'phyb']]),
    vxlan: { localIp: which === 'a' ? '198.51.100.1' : '198.51.100.2', group: unicast ? '' : '224.0.0.1', l2population: unicast, arpResponder: unicast, dstport: 4789, ttl: 0 },
  });
  await agent.start();
  p.start();
  lb[which] = agent;
  lbPeriodic[which] = p;
  return agent;
}

function newDhcpAgent(p: PeriodicTasks): DhcpAgent {
  return new DhcpAgent({
    transport: h.transport, host: hosts.a, log: silent, periodic: p, reportInterval: 30, availabilityZone: 'nova', hostNamespace: hostNs(hosts.a),
    confDir: join(dir, 'dhcp'), resyncInterval: 1, checkChildProcessesInterval: 1,
    settings: { binary: 'dnsmasq', dnsServers: [], leaseDuration: 86400, leaseMax: 1000, dnsDomain: 'openstacklocal' },
  });
}

/** Guest `n` on `host`'s tap of the port. */
const plugGuest = (n: number, host: string, port: JsonRecord): Promise<void> => plug(guestNs(n), hostNs(host), port);

/** Two ports on the network, one per host, plugged as guests 1 and 2 with static addresses (no DHCP); they are ACTIVE on return. */
async function twoGuests(net: JsonRecord, cidr: string): Promise<JsonRecord[]> {
  const ports: JsonRecord[] = [];
  for (const [n, host] of [[1, hosts.a], [2, hosts.b]] as const) {
    const p = (await h.request('POST', '/v2.0/ports', ADMIN, { port: { network_id: net.id, device_id: randomUUID(), device_owner: 'compute:nova', 'binding:host_id': host } })).body.port;
    await plugGuest(n, host, p);
    await new IpAddr(guestNs(n)).add(`${p.fixed_ips[0].ip_address}/${cidr.split('/')[1]}`, 'eth0');
    ports.push(p);
  }
  for (const p of ports) await until(async () => (await portOf(p.id)).status === 'ACTIVE', `port ${p.id} ACTIVE`, WAIT);
  return ports;
}

/** Guest `fromGuest` gets a reply from `to`, pinging once a second until it does (the first packets over a new VXLAN wait for ARP and learning; the suite may run on a loaded machine). */
const ping = (fromGuest: number, to: string): Promise<void> => until(() => pings(guestNs(fromGuest), to), `guest ${fromGuest} pings ${to}`, WAIT);

async function unplugAll(net: JsonRecord, ports: JsonRecord[]): Promise<void> {
  for (const n of [1, 2]) await deleteNamespace(guestNs(n));
  for (const p of ports) await until(async () => (await portOf(p.id)).status === 'DOWN', `port ${p.id} DOWN once unplugged`, WAIT);
  for (const p of ports) assert.equal((await h.request('DELETE', `/v2.0/ports/${p.id}`, ADMIN)).status, 204);
  assert.equal((await h.request('DELETE', `/v2.0/networks/${net.id}`, ADMIN)).status, 204);
  for (const host of [hosts.a, hosts.b]) await until(async () => !(await new IpLink(hostNs(host)).exists(bridgeName(net.id))), `${host}'s bridge removed`, WAIT);
}

/** busybox udhcpc in guest `n`: the lease it got, as the script printed it. */
const dhcpLease = (n: number): Promise<Record<string, string>> => udhcpc(guestNs(n), script);

/** Each test is reported skipped, with the reason, where namespaces cannot be made. */
const skipped = { skip: skip ? `needs root, network namespaces, dnsmasq and busybox: ${skip}` : false };

describe('Linux data plane: bridges, VXLAN between two hosts, dnsmasq, udhcpc', () => {
  before(async () => {
    if (skip) return;
    dir = mkdtempSync(join(tmpdir(), 'nubo-dp-'));
    chmodSync(dir, 0o755); // dnsmasq rereads its files as nobody
    script = writeUdhcpcScript(dir);
    h = await startHarness({ overrides: { 'ml2_type_vlan.network_vlan_ranges': 'physnet1:1000:2999,dpnet' } });
    const original = h.service.nova.queue.bind(h.service.nova);
    h.service.nova.queue = (e) => { if (e) queued.push(e); original(e); };
    // the two hosts and their underlay
    for (const host of Object.values(hosts)) await ensureNamespace(hostNs(host));
    await new IpLink(hostNs(hosts.a)).addVeth('ula', 'ulb', hostNs(hosts.b));
    await new IpAddr(hostNs(hosts.a)).add('198.51.100.1/24', 'ula');
    await new IpAddr(hostNs(hosts.b)).add('198.51.100.2/24', 'ulb');
    // the "physical" network dpnet: a cable between the hosts
    await new IpLink(hostNs(hosts.a)).addVeth('phya', 'phyb', hostNs(hosts.b));
    for (const l of ['ula', 'phya']) await new IpLink(hostNs(hosts.a)).setUp(l);
    for (const l of ['ulb', 'phyb']) await new IpLink(hostNs(hosts.b)).setUp(l);
    periodic = new PeriodicTasks(silent);
    await startLb('a');
    await startLb('b');
    dhcp = newDhcpAgent(periodic);
    await dhcp.start();
    periodic.start();
  });

  after(async () => {
    if (skip) return;
    await periodic?.stop();
    for (const p of Object.values(lbPeriodic)) await p?.stop();
    for (const a of [lb.a, lb.b, dhcp]) await a?.stop().catch(() => undefined);
    const ids = made.networks;
    await cleanupDataPlane({ hostNamespaceTemplate: template, match: (n) => n.startsWith(`nubo-t${tag}-`) || ids.some((id) => n === dhcpNamespace(id)) });
    for (const n of [1, 2]) await deleteNamespace(guestNs(n));
    await h?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('agents report state: the Linux bridge agents with their tunneling IPs, the DHCP agent', skipped, async () => {
    const agents = (await h.request('GET', '/v2.0/agents', ADMIN)).body.agents as JsonRecord[];
    const lbA = agents.find((a) => a.host === hosts.a && a.agent_type === 'Linux bridge agent');
    assert.equal(lbA?.alive, true);
    assert.equal(lbA?.binary, 'neutron-linuxbridge-agent');
    assert.deepEqual(lbA?.configurations.tunnel_types, ['vxlan']);
    assert.equal(lbA?.configurations.tunneling_ip, '198.51.100.1');
    assert.equal(agents.find((a) => a.host === hosts.a && a.agent_type === 'DHCP agent')?.alive, true);
  });

  test('two guests on two hosts get their addresses from dnsmasq and ping each other over VXLAN; teardown removes it all', skipped, async () => {
    const net = (await h.request('POST', '/v2.0/networks', ADMIN, { network: { name: `dp-${tag}` } })).body.network;
    made.networks.push(net.id);
    assert.equal(net['provider:network_type'], 'vxlan');
    const vni = net['provider:segmentation_id'] as number;
    const subnet = (await h.request('POST', '/v2.0/subnets', ADMIN, {
      subnet: { network_id: net.id, cidr: '10.77.0.0/24', ip_version: 4, dns_nameservers: ['192.0.2.53'], host_routes: [{ destination: '192.0.2.0/24', nexthop: '10.77.0.254' }] },
    })).body.subnet;
    // the network is scheduled to the DHCP agent: its port goes ACTIVE once host A's bridge holds its tap
    await until(() => dhcp.driver.active(net.id), 'dnsmasq running', WAIT);
    const dhcpPort = (await h.request('GET', `/v2.0/ports?network_id=${net.id}&device_owner=network:dhcp`, ADMIN)).body.ports[0];
    assert.ok(dhcpPort, 'the DHCP port exists');
    assert.equal(dhcpPort['binding:vif_type'], 'bridge');
    await until(async () => (await portOf(dhcpPort.id)).status === 'ACTIVE', 'DHCP port ACTIVE', WAIT);
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
    for (const p of ports) await until(async () => (await portOf(p.id)).status === 'ACTIVE', `port ${p.id} ACTIVE`, WAIT);
    for (const p of ports) await until(() => queued.some((e) => e.name === 'network-vif-plugged' && e.tag === p.id), 'network-vif-plugged', WAIT);

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
    // dnsmasq writes its lease file after it has answered, so the file may lag the client a little
    await until(() => dhcp.driver.leases(net.id).some((l) => l.mac === ports[1]!.mac_address && l.ip === lease2.ip), 'dnsmasq recorded the lease', WAIT);

    await ping(1, lease2.ip!);
    await ping(2, lease1.ip!);
    await ping(2, dhcpPort.fixed_ips[0].ip_address);

    // a port created later reaches dnsmasq's hosts file (port_create_end -> reload)
    const late = (await h.request('POST', '/v2.0/ports', ADMIN, { port: { network_id: net.id, fixed_ips: [{ subnet_id: subnet.id, ip_address: '10.77.0.99' }] } })).body.port;
    await until(() => dhcp.served.get(net.id)?.info.ports.some((p) => p.id === late.id) === true, 'the DHCP agent heard of the new port', WAIT);

    // a restarted DHCP agent adopts its dnsmasq (same pid) and the serving goes on
    const pidBefore = execFileSync('cat', [join(dir, 'dhcp', net.id, 'pid')], { encoding: 'utf8' }).trim();
    await dhcp.stop();
    const p2 = new PeriodicTasks(silent);
    dhcp = newDhcpAgent(p2);
    await dhcp.start();
    p2.start();
    await until(() => dhcp.served.has(net.id), 'the restarted DHCP agent serves the network again', WAIT);
    assert.equal(execFileSync('cat', [join(dir, 'dhcp', net.id, 'pid')], { encoding: 'utf8' }).trim(), pidBefore);
    assert.ok(dhcp.driver.active(net.id));

    // a dnsmasq that dies is respawned by the process monitor
    process.kill(Number(pidBefore), 'SIGKILL');
    const pidFile = join(dir, 'dhcp', net.id, 'pid');
    await until(() => { try { return readFileSync(pidFile, 'utf8').trim() !== pidBefore && dhcp.driver.active(net.id); } catch { return false; } }, 'dnsmasq respawned', WAIT);
    await dhcpLease(1);

    // DHCP turned off on the subnet: dnsmasq stops, the namespace and the DHCP port go
    await h.request('PUT', `/v2.0/subnets/${subnet.id}`, ADMIN, { subnet: { enable_dhcp: false } });
    await until(async () => !(await listNamespaces()).includes(dhcpNamespace(net.id)), 'qdhcp namespace removed once DHCP is off', WAIT);
    assert.equal(dhcp.driver.active(net.id), false);
    // the agent releases its port after it has taken the namespace down (release_dhcp_port)
    await until(async () => (await h.request('GET', `/v2.0/ports/${dhcpPort.id}`, ADMIN)).status === 404, 'the DHCP port released', WAIT);
    await p2.stop();

    // teardown: guests unplugged -> ports DOWN; ports, subnet, network deleted -> dnsmasq, qdhcp namespace and bridges gone
    for (const n of [1, 2]) await deleteNamespace(guestNs(n));
    for (const p of ports) await until(async () => (await portOf(p.id)).status === 'DOWN', `port ${p.id} DOWN once unplugged`, WAIT);
    await until(async () => !(await new IpLink(hostNs(hosts.b)).exists(bridgeName(net.id))), "host B's bridge removed with its last tap", WAIT);
    for (const p of [...ports, late]) assert.equal((await h.request('DELETE', `/v2.0/ports/${p.id}`, ADMIN)).status, 204);
    assert.equal((await h.request('DELETE', `/v2.0/networks/${net.id}`, ADMIN)).status, 204);
    await until(async () => !(await listNamespaces()).includes(dhcpNamespace(net.id)), 'qdhcp namespace removed', WAIT);
    assert.equal(dhcp.driver.active(net.id), false);
    await until(async () => !(await new IpLink(hostNs(hosts.a)).exists(bridgeName(net.id))), "host A's bridge removed", WAIT);
    assert.equal(await new IpLink(hostNs(hosts.a)).exists(vxlanName(vni)), false);
  });

  test('a flat provider network over the physical interface of each host: the interface joins the bridge, the guests ping', skipped, async () => {
    const net = (await h.request('POST', '/v2.0/networks', ADMIN, { network: { name: `dp-flat-${tag}`, 'provider:network_type': 'flat', 'provider:physical_network': 'dpnet' } })).body.network;
    made.networks.push(net.id);
    await h.request('POST', '/v2.0/subnets', ADMIN, { subnet: { network_id: net.id, cidr: '10.78.0.0/24', ip_version: 4, enable_dhcp: false } });
    const ports = await twoGuests(net, '10.78.0.0/24');
    assert.equal((await new IpLink(hostNs(hosts.a)).get('phya'))?.master, bridgeName(net.id));
    assert.equal((await new IpLink(hostNs(hosts.b)).get('phyb'))?.master, bridgeName(net.id));
    await ping(1, ports[1]!.fixed_ips[0].ip_address);
    await unplugAll(net, ports);
    // the physical interface is unplugged, not deleted
    assert.equal((await new IpLink(hostNs(hosts.a)).get('phya'))?.master, undefined);
  });

  test('a VLAN provider network: the <interface>.<vlan> subinterface of each host joins the bridge (skipped where the kernel has no 802.1Q)', skipped, async (t) => {
    const net = (await h.request('POST', '/v2.0/networks', ADMIN, {
      network: { name: `dp-vlan-${tag}`, 'provider:network_type': 'vlan', 'provider:physical_network': 'dpnet', 'provider:segmentation_id': 1234 },
    })).body.network;
    assert.equal(net['provider:segmentation_id'], 1234);
    made.networks.push(net.id);
    try {
      await execute('ip', ['-n', hostNs(hosts.a), 'link', 'add', 'link', 'phya', 'name', 'vlanprobe', 'type', 'vlan', 'id', '4001']);
      await new IpLink(hostNs(hosts.a)).delete('vlanprobe');
    } catch (err) {
      assert.equal((await h.request('DELETE', `/v2.0/networks/${net.id}`, ADMIN)).status, 204);
      t.skip(`this kernel makes no 802.1Q VLAN devices: ${(err as Error).message}`);
      return;
    }
    await h.request('POST', '/v2.0/subnets', ADMIN, { subnet: { network_id: net.id, cidr: '10.81.0.0/24', ip_version: 4, enable_dhcp: false } });
    const ports = await twoGuests(net, '10.81.0.0/24');
    assert.equal((await new IpLink(hostNs(hosts.a)).get('phya.1234'))?.master, bridgeName(net.id));
    await ping(1, ports[1]!.fixed_ips[0].ip_address);
    await unplugAll(net, ports);
    assert.equal(await new IpLink(hostNs(hosts.a)).exists('phya.1234'), false);
  });

  test('a restarted Linux bridge agent resyncs without rewiring: same bridge, ports ACTIVE again, traffic flows', skipped, async () => {
    const net = (await h.request('POST', '/v2.0/networks', ADMIN, { network: { name: `dp-restart-${tag}` } })).body.network;
    made.networks.push(net.id);
    await h.request('POST', '/v2.0/subnets', ADMIN, { subnet: { network_id: net.id, cidr: '10.79.0.0/24', ip_version: 4, enable_dhcp: false } });
    const ports = await twoGuests(net, '10.79.0.0/24');
    const bridgeBefore = (await new IpLink(hostNs(hosts.b)).get(bridgeName(net.id)))?.ifindex;
    // host B's agent dies; while it is gone the server marks its port DOWN (as after a lost report)
    await lbPeriodic.b?.stop();
    await lb.b?.stop();
    await h.service.managers.ports.setStatus(NeutronContext.admin(), ports[1]!.id, 'DOWN');
    await ping(1, ports[1]!.fixed_ips[0].ip_address); // the kernel keeps forwarding without the agent
    const restarted = await startLb('b');
    await restarted.iterations(2);
    await until(async () => (await portOf(ports[1]!.id)).status === 'ACTIVE', 'port ACTIVE after the restart', WAIT);
    assert.equal((await new IpLink(hostNs(hosts.b)).get(bridgeName(net.id)))?.ifindex, bridgeBefore);
    assert.equal(restarted.devices.get(tapName(ports[1]!.id))?.up, true);
    await ping(2, ports[0]!.fixed_ips[0].ip_address);
    await unplugAll(net, ports);
  });

  test('l2population: each VXLAN device floods to the peer with ports on the network, forwards its ports\' MACs there and answers their ARP', skipped, async () => {
    await startLb('a', true);
    await startLb('b', true);
    const net = (await h.request('POST', '/v2.0/networks', ADMIN, { network: { name: `dp-unicast-${tag}` } })).body.network;
    made.networks.push(net.id);
    await h.request('POST', '/v2.0/subnets', ADMIN, { subnet: { network_id: net.id, cidr: '10.80.0.0/24', ip_version: 4, enable_dhcp: false } });
    const ports = await twoGuests(net, '10.80.0.0/24');
    const vxlan = vxlanName(net['provider:segmentation_id']);
    const entries = (host: string) => new BridgeFdb(hostNs(host)).list(vxlan);
    const neighbours = async (host: string) => JSON.parse(execFileSync('ip', ['-n', hostNs(host), '-j', 'neigh', 'show', 'dev', vxlan], { encoding: 'utf8' }) || '[]') as JsonRecord[];
    // host A: a flooding entry to B and port 2's MAC behind B (and B the other way round), from the server's casts
    for (const [here, peer, port] of [[hosts.a, '198.51.100.2', ports[1]!], [hosts.b, '198.51.100.1', ports[0]!]] as const) {
      await until(async () => {
        const fdb = await entries(here);
        return fdb.some((e) => e.mac === FLOODING_ENTRY && e.dst === peer) && fdb.some((e) => e.mac === port.mac_address && e.dst === peer);
      }, `${here}: flooding to ${peer} and ${String(port.mac_address)} behind it`, WAIT);
      // the ARP responder: a permanent neighbour entry for the remote port on a proxying VXLAN device
      const neigh = await neighbours(here);
      assert.ok(neigh.some((n) => n.dst === port.fixed_ips[0].ip_address && n.lladdr === port.mac_address && (n.state as string[]).includes('PERMANENT')), JSON.stringify(neigh));
    }
    const link = await new IpLink(hostNs(hosts.a)).get(vxlan);
    assert.equal(link?.linkinfo?.info_data?.group, undefined);
    assert.equal(link?.linkinfo?.info_data?.proxy, true);
    await ping(1, ports[1]!.fixed_ips[0].ip_address);
    // guest 2 leaves: its port goes DOWN, and host A drops its MAC and, B having no port left there, the flooding entry
    // (what the VXLAN device learned from traffic stays until it ages out, as with Neutron's agent)
    await deleteNamespace(guestNs(2));
    await until(async () => (await portOf(ports[1]!.id)).status === 'DOWN', 'port 2 DOWN', WAIT);
    const programmed = (e: { mac: string; dst?: string; state?: string }) => e.dst === '198.51.100.2' && (e.mac === FLOODING_ENTRY || e.state === 'permanent');
    await until(async () => !(await entries(hosts.a)).some(programmed), `${hosts.a} forgets 198.51.100.2`, WAIT)
      .catch(async (err: Error) => assert.fail(`${err.message}: ${JSON.stringify(await entries(hosts.a))}`));
    assert.ok(!(await neighbours(hosts.a)).some((n) => n.dst === ports[1]!.fixed_ips[0].ip_address));
    await unplugAll(net, ports);
  });

  test('nubo netns cleanup removes the host namespaces it is pointed at and the processes in them', skipped, async () => {
    const report = await cleanupDataPlane({ hostNamespaceTemplate: template, match: (n) => n.startsWith(`nubo-t${tag}-`) });
    assert.deepEqual(report.namespaces.sort(), [hostNs(hosts.a), hostNs(hosts.b)].sort());
    const left = (await listNamespaces()).filter((n) => n.startsWith(`nubo-t${tag}-`));
    assert.deepEqual(left, []);
  });
});
