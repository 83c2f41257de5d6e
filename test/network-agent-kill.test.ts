/**
 * `kill -9` of each data-plane agent, a change made while it is dead, and its restart: the
 * agent resyncs to the server's state without disturbing established traffic longer than the
 * restart (root, network namespaces, dnsmasq, busybox and RabbitMQ; reported skipped with the
 * reason otherwise).
 *
 * The Neutron server (with identity) is one `nubo serve identity network` process; the agent
 * host's Linux bridge, DHCP and L3 agents are three `nubo serve network-...-agent --host H`
 * processes of their own, all talking over RabbitMQ (a vhost made for the test), as a second
 * host's agents would. The host is a namespace; "the outside" is a namespace on 203.0.113.0/24
 * behind the host's physical interface of the flat external network. A tenant network, a
 * router with SNAT and a floating IP for guest 1 (a namespace on its port's tap, leased by
 * `busybox udhcpc`) whose security group allows ICMP, TCP 5001 and TCP 5002-5003 in. Two probes run from
 * the outside to the floating IP all along: a ping every 100 ms and an established TCP
 * connection (busybox nc) carrying a line every 100 ms, both stamped where they arrive; a
 * third, a TCP connection to port 5002, is there to be cut.
 *
 * Then, in turn: the L2 agent is killed, the TCP 5002-5003 rule removed and a port for guest 2
 * made and plugged, guest 5 unplugged, and once the server shows the agent dead a port for
 * guest 4 made (its binding fails); the DHCP agent is killed and a port for guest 3 made; the L3 agent is killed, a
 * floating IP for guest 2 made and guest 3's (with a running ping to it) deleted, and an extra
 * route removed. Each agent is started again once the server shows it dead and must converge:
 * the new ports ACTIVE (guest 4's bound when the agent asks for it) and their taps in the
 * bridge, guest 5's port DOWN, the rule gone from iptables with the connection it allowed cut and new ones refused,
 * guest 2 and 3 leased by the dnsmasq the DHCP agent left (adopted, not a second one), the new
 * floating IP's NAT in the router and answering, the deleted one's NAT and running ping gone,
 * the route gone, the agent alive again, no iptables rule twice, and the two probes never
 * interrupted for longer than from the kill to the end of the resync (the longest gaps are
 * reported). Everything the test made is removed at the end, also when it fails.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { until } from '../src/common/testing/until.js';
import { namespaceSupportProblem } from '../src/services/neutron/agent/linux/capabilities.js';
import { cleanupDataPlane } from '../src/services/neutron/agent/linux/cleanup.js';
import { execute } from '../src/services/neutron/agent/linux/exec.js';
import { IpAddr, IpRoute } from '../src/services/neutron/agent/linux/ip-addr.js';
import { IpLink } from '../src/services/neutron/agent/linux/ip-link.js';
import { bridgeName, dhcpNamespace, routerNamespace, tapName } from '../src/services/neutron/agent/linux/names.js';
import { deleteNamespace, ensureNamespace, listNamespaces, namespacePids } from '../src/services/neutron/agent/linux/netns.js';
import { dhcpLease, pings, plugGuest, wget, writeUdhcpcScript } from '../src/services/neutron/testing/guests.js';
import { Outside } from '../src/services/neutron/testing/outside.js';
import { maxGap, type Probe, runningPing, tcpStream, type TcpStream } from '../src/services/neutron/testing/probes.js';
import { missingTool } from '../src/services/neutron/testing/tools.js';
import { adminLogin, kill9, killChildClouds, nuboUp } from './support/child-cloud.js';
import { freePort } from './support/ports.js';

type JsonRecord = Record<string, any>;

const amqp = process.env.NUBO_TEST_AMQP_URL;
const problem = namespaceSupportProblem() ?? missingTool(['dnsmasq', 'busybox', 'iptables-restore', 'iptables-save', 'conntrack', 'nft', 'rabbitmqctl']);
const skip = problem
  ? `needs root, network namespaces, dnsmasq, busybox, iptables, conntrack, nft and rabbitmqctl: ${problem}`
  : !amqp ? 'NUBO_TEST_AMQP_URL not set (the agents run as processes of their own over RabbitMQ)' : false;
const tag = Math.random().toString(16).slice(2, 8);
const host = `k${tag}`;
const template = 'nak-{host}';
const hostNs = template.replace('{host}', host);
const guestNs = (n: number): string => `nakg${tag}-${n}`;
const vhost = `nubo-agent-kill-${tag}`;
type AgentRole = 'network-l2-agent' | 'network-dhcp-agent' | 'network-l3-agent';
const AGENT_TYPES: Record<AgentRole, string> = { 'network-l2-agent': 'Linux bridge agent', 'network-dhcp-agent': 'DHCP agent', 'network-l3-agent': 'L3 agent' };

let dir: string;
let conf: string;
let server: ChildProcess | undefined;
const agents = new Map<AgentRole, ChildProcess>();
let pool: Pool | undefined;
let token: string;
let outside: Outside | undefined;
let script: string;
const probes: Probe[] = [];
const made = { networks: [] as string[], routers: [] as string[] };

function rabbitmqctl(args: string[]): void {
  const r = spawnSync('rabbitmqctl', args, { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, `rabbitmqctl ${args.join(' ')}: ${r.stderr}`);
}

function startAgent(role: AgentRole): Promise<ChildProcess> {
  return nuboUp({
    dataDir: join(dir, 'agents'), port: 0, logFile: join(dir, `${role}.log`),
    args: ['serve', role, '--host', host, '--config-file', conf], env: {},
  }).then((child) => { agents.set(role, child); return child; });
}

async function api(method: string, path: string, body?: unknown): Promise<JsonRecord> {
  const res = await pool!.request({
    method: method as 'GET', path: `/network${path}`,
    headers: { 'x-auth-token': token, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.body.text();
  assert.ok(res.statusCode < 300, `${method} ${path}: ${res.statusCode} ${text}`);
  return text ? JSON.parse(text) as JsonRecord : {};
}

async function agentAlive(role: AgentRole): Promise<boolean | undefined> {
  const { agents: list } = await api('GET', `/v2.0/agents?host=${host}`);
  return (list as JsonRecord[]).find((a) => a.agent_type === AGENT_TYPES[role])?.alive as boolean | undefined;
}

/** The rules (`-A` lines) of a namespace's iptables tables that appear more than once. */
async function duplicateRules(namespace: string): Promise<string[]> {
  const lines = (await execute('iptables-save', [], { namespace })).split('\n').filter((l) => l.startsWith('-A ') || l.startsWith('*'));
  const seen = new Set<string>();
  const twice: string[] = [];
  let table = '';
  for (const l of lines) {
    if (l.startsWith('*')) { table = l; continue; }
    const key = `${table} ${l}`;
    if (seen.has(key)) twice.push(key);
    seen.add(key);
  }
  return twice;
}

/** The dnsmasq processes serving the network (their command line names it). */
function dnsmasqPids(networkId: string): number[] {
  const r = spawnSync('pgrep', ['-f', `dnsmasq.*${networkId}`], { encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean).map(Number);
}

async function newPort(networkId: string, group: string, n: number, vifType = 'bridge'): Promise<JsonRecord> {
  const { port } = await api('POST', '/v2.0/ports', { port: {
    network_id: networkId, name: `nak-p${n}-${tag}`, device_owner: 'compute:nova', device_id: crypto.randomUUID(), 'binding:host_id': host, security_groups: [group],
  } });
  assert.equal(port['binding:vif_type'], vifType, `port ${n}'s binding on ${host}`);
  return port;
}

/** No stamp for `ms`: the flow stopped. */
const silent = (probe: Probe, ms: number): boolean => (probe.stamps.at(-1) ?? 0) < Date.now() - ms;
const portActive = async (id: string): Promise<boolean> => (await api('GET', `/v2.0/ports/${id}`)).port.status === 'ACTIVE';
const reachable = (url: string): Promise<boolean> => wget(outside!.o.namespace, url, 3000).then(() => true, () => false);

describe('kill -9 of each data-plane agent running as its own process over RabbitMQ, then restart: it resyncs without disturbing established traffic', () => {
  before(async () => {
    if (skip) return;
    dir = mkdtempSync(join(tmpdir(), 'nak-'));
    chmodSync(dir, 0o755);
    script = writeUdhcpcScript(dir);
    rabbitmqctl(['add_vhost', vhost]);
    rabbitmqctl(['set_permissions', '-p', vhost, new URL(amqp!).username || 'guest', '.*', '.*', '.*']);
    const transport = new URL(amqp!.replace(/^amqp:/, 'rabbit:'));
    transport.pathname = `/${encodeURIComponent(vhost)}`;
    // the agent host, its underlay address (VXLAN's local IP) and the outside behind its external interface
    await ensureNamespace(hostNs);
    await new IpLink(hostNs).addVeth('nakul', 'nakulp');
    await new IpAddr(hostNs).add('198.51.100.1/24', 'nakul');
    await new IpLink(hostNs).setUp('nakul');
    outside = new Outside({ namespace: `nako${tag}`, hostNamespace: hostNs, hostDevice: 'nakext', cidr: '203.0.113.1/24' });
    await outside.start();

    conf = join(dir, 'nubo.conf');
    writeFileSync(conf, [
      '[DEFAULT]', `transport_url = ${transport.toString()}`, `control_exchange = nubo_ak_${tag}`, 'log_level = info', 'agent_down_time = 8',
      '[identity]', 'password_hash_rounds = 4',
      '[tracing]', 'enabled = false',
      '[default_networks]', 'use_subnetpool = false', 'create_public_network = false', 'create_private_network = false', 'create_router = false',
      '[ml2]', 'mechanism_drivers = linuxbridge',
      '[data_plane]', 'enabled = true', `host_namespace = ${template}`,
      '[agent]', 'polling_interval = 0.2', 'report_interval = 1',
      '[linux_bridge]', 'physical_interface_mappings = nakext:nakext',
      '[vxlan]', 'local_ip = 198.51.100.1',
      '',
    ].join('\n'));
    const port = await freePort();
    server = await nuboUp({ dataDir: join(dir, 'server'), port, logFile: join(dir, 'server.log'), args: ['serve', 'identity', 'network', '--config-file', conf], env: {} });
    for (const role of Object.keys(AGENT_TYPES) as AgentRole[]) await startAgent(role);
    pool = new Pool(`http://127.0.0.1:${port}`, { connections: 8 });
    token = (await adminLogin(pool, join(dir, 'server'))).token;
  });

  after(async () => {
    if (skip) return;
    for (const p of probes.splice(0)) p.stop();
    await pool?.close();
    for (const child of [...agents.values(), server]) if (child) await kill9(child);
    killChildClouds();
    await outside?.stop().catch(() => undefined);
    for (const n of [1, 2, 3, 4, 5]) {
      for (const pid of await namespacePids(guestNs(n))) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
      await deleteNamespace(guestNs(n));
    }
    await cleanupDataPlane({
      hostNamespaceTemplate: template,
      match: (n) => n === hostNs || made.networks.some((id) => n === dhcpNamespace(id)) || made.routers.some((id) => n === routerNamespace(id)),
    });
    if (dir) rmSync(dir, { recursive: true, force: true });
    spawnSync('rabbitmqctl', ['delete_vhost', vhost], { timeout: 60_000 });
    const left = (await listNamespaces()).filter((n) => n.includes(tag) || n === hostNs || made.networks.some((id) => n === dhcpNamespace(id)) || made.routers.some((id) => n === routerNamespace(id)));
    assert.deepEqual(left, [], 'every namespace the test made is gone');
    assert.deepEqual(made.networks.flatMap(dnsmasqPids), [], 'no dnsmasq of the test is left');
  });

  test('each agent killed and restarted resyncs: ports, leases, firewall and NAT, with established flows kept', { skip, timeout: 600_000 }, async (t) => {
    for (const role of Object.keys(AGENT_TYPES) as AgentRole[]) {
      await until(async () => (await agentAlive(role)) === true, `${AGENT_TYPES[role]} on ${host} alive`, 60_000);
    }
    // the topology
    const { network: ext } = await api('POST', '/v2.0/networks', { network: { name: `nak-ext-${tag}`, 'router:external': true, 'provider:network_type': 'flat', 'provider:physical_network': 'nakext' } });
    made.networks.push(ext.id);
    await api('POST', '/v2.0/subnets', { subnet: { network_id: ext.id, cidr: '203.0.113.0/24', ip_version: 4, gateway_ip: '203.0.113.1', enable_dhcp: false, allocation_pools: [{ start: '203.0.113.100', end: '203.0.113.150' }] } });
    const { network: net } = await api('POST', '/v2.0/networks', { network: { name: `nak-net-${tag}` } });
    made.networks.push(net.id);
    const { subnet } = await api('POST', '/v2.0/subnets', { subnet: { network_id: net.id, cidr: '10.93.0.0/24', ip_version: 4, name: `nak-sub-${tag}` } });
    const { router } = await api('POST', '/v2.0/routers', { router: { name: `nak-r-${tag}`, external_gateway_info: { network_id: ext.id } } });
    made.routers.push(router.id);
    await api('PUT', `/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: subnet.id });
    const { security_group: group } = await api('POST', '/v2.0/security-groups', { security_group: { name: `nak-sg-${tag}` } });
    const allow = (extra: JsonRecord): Promise<JsonRecord> => api('POST', '/v2.0/security-group-rules', { security_group_rule: { security_group_id: group.id, direction: 'ingress', ethertype: 'IPv4', remote_ip_prefix: '0.0.0.0/0', ...extra } });
    await allow({ protocol: 'icmp' });
    await allow({ protocol: 'tcp', port_range_min: 5001, port_range_max: 5001 });
    const rule5002 = (await allow({ protocol: 'tcp', port_range_min: 5002, port_range_max: 5003 })).security_group_rule;

    // guest 1, leased, with a floating IP, serving HTTP on 5003
    const p1 = await newPort(net.id, group.id, 1);
    await plugGuest(guestNs(1), hostNs, p1);
    await until(() => portActive(p1.id), 'port 1 ACTIVE', 60_000);
    await until(async () => (await api('GET', `/v2.0/ports?network_id=${net.id}&device_owner=network:dhcp`)).ports.some((p: JsonRecord) => p.status === 'ACTIVE'), 'the DHCP port ACTIVE', 60_000);
    const lease1 = await dhcpLease(guestNs(1), script);
    assert.equal(lease1.ip, p1.fixed_ips[0].ip_address);
    const { floatingip: fip1 } = await api('POST', '/v2.0/floatingips', { floatingip: { floating_network_id: ext.id, port_id: p1.id } });
    await until(async () => (await api('GET', `/v2.0/floatingips/${fip1.id}`)).floatingip.status === 'ACTIVE', 'floating IP 1 ACTIVE', 60_000);
    const www = join(dir, 'www');
    mkdirSync(www);
    writeFileSync(join(www, 'index.html'), 'guest 1\n');
    await execute('busybox', ['httpd', '-p', '5003', '-h', www], { namespace: guestNs(1) });
    const fipUrl = `http://${fip1.floating_ip_address}:5003/`;
    await until(() => reachable(fipUrl), 'guest 1 serving on its floating IP, port 5003', 30_000);

    // the probes: a ping and an established TCP connection, from the outside to the floating IP
    const ping = runningPing(outside!.o.namespace, fip1.floating_ip_address);
    probes.push(ping);
    const tcp: TcpStream = await tcpStream({ server: guestNs(1), client: outside!.o.namespace, to: fip1.floating_ip_address, port: 5001 });
    probes.push(tcp);
    // and one the rule removed while the L2 agent is dead allows: it must be cut after the restart, as when the agent runs
    const doomed = await tcpStream({ server: guestNs(1), client: outside!.o.namespace, to: fip1.floating_ip_address, port: 5002 });
    probes.push(doomed);
    await until(() => ping.stamps.length >= 5 && tcp.stamps.length >= 5, 'the probes running', 30_000)
      .catch((err: Error) => { throw new Error(`${err.message}: ${ping.stamps.length} ping replies, ${tcp.stamps.length} lines on the TCP connection (open: ${tcp.open})`); });

    /** kill -9, the change while dead, the agent seen dead, the restart, alive again, the resync; then the probes' gaps. */
    const cycle = async (role: AgentRole, change: () => Promise<void>, resynced: () => Promise<void>, onceDead?: () => Promise<void>): Promise<void> => {
      const killedAt = Date.now();
      await kill9(agents.get(role)!);
      agents.delete(role);
      await change();
      await until(async () => (await agentAlive(role)) === false, `${AGENT_TYPES[role]} shown dead`, 60_000);
      await onceDead?.();
      const restartAt = Date.now();
      await startAgent(role);
      await until(async () => (await agentAlive(role)) === true, `${AGENT_TYPES[role]} alive again`, 60_000);
      await resynced();
      const resyncedAt = Date.now();
      await sleep(2000); // the probes go on after the resync
      assert.ok(tcp.open, `the established TCP connection survived the ${AGENT_TYPES[role]}'s kill and restart`);
      const gaps = { ping: maxGap(ping.stamps, killedAt, resyncedAt + 2000), tcp: maxGap(tcp.stamps, killedAt, resyncedAt + 2000) };
      t.diagnostic(`${AGENT_TYPES[role]}: dead ${restartAt - killedAt} ms, restart to resynced ${resyncedAt - restartAt} ms; longest gap of the running ping ${gaps.ping} ms, of the TCP stream ${gaps.tcp} ms`);
      for (const [probe, gap] of Object.entries(gaps)) assert.ok(gap < resyncedAt - killedAt, `the ${probe} probe interrupted ${gap} ms, longer than the kill to resync (${resyncedAt - killedAt} ms)`);
      for (const ns of [hostNs, routerNamespace(router.id), dhcpNamespace(net.id)]) assert.deepEqual(await duplicateRules(ns), [], `no iptables rule twice in ${ns}`);
    };

    // the L2 agent: a rule removed, a port plugged and one unplugged while it is dead, and one more made once the server knows it dead (its binding fails)
    const p5 = await newPort(net.id, group.id, 5);
    await plugGuest(guestNs(5), hostNs, p5);
    await until(() => portActive(p5.id), 'port 5 ACTIVE', 60_000);
    let p2!: JsonRecord;
    let p4!: JsonRecord;
    await cycle('network-l2-agent', async () => {
      await api('DELETE', `/v2.0/security-group-rules/${rule5002.id}`);
      await deleteNamespace(guestNs(5));
      p2 = await newPort(net.id, group.id, 2);
      await plugGuest(guestNs(2), hostNs, p2);
    }, async () => {
      await until(() => portActive(p2.id), 'port 2 ACTIVE', 60_000);
      await until(async () => (await new IpLink(hostNs).get(tapName(p2.id)))?.master === bridgeName(net.id), 'port 2\'s tap in the bridge', 30_000);
      await until(async () => !/--dport 5002|--dports 5002/.test(await execute('iptables-save', ['-t', 'filter'], { namespace: hostNs })), 'the TCP 5002-5003 rule gone from iptables', 30_000);
      await until(() => silent(doomed, 1500), 'the TCP connection the removed rule allowed cut', 30_000);
      await until(() => portActive(p4.id), 'port 4, whose binding failed, ACTIVE', 60_000);
      assert.equal((await api('GET', `/v2.0/ports/${p4.id}`)).port['binding:vif_type'], 'bridge', 'port 4 bound once its agent asked for it');
      await until(async () => (await api('GET', `/v2.0/ports/${p5.id}`)).port.status === 'DOWN', 'port 5, unplugged while the agent was down, DOWN', 30_000);
    }, async () => {
      p4 = await newPort(net.id, group.id, 4, 'binding_failed');
      await plugGuest(guestNs(4), hostNs, p4);
    });
    assert.equal(await reachable(fipUrl), false, 'TCP 5003 no longer reaches guest 1');
    const lease2 = await dhcpLease(guestNs(2), script);
    assert.equal(lease2.ip, p2.fixed_ips[0].ip_address);

    // the DHCP agent: a port made while it is dead, its guest leased by the dnsmasq left running
    const [dnsmasq] = dnsmasqPids(net.id);
    assert.ok(dnsmasq, 'dnsmasq serves the network');
    let p3!: JsonRecord;
    await cycle('network-dhcp-agent', async () => {
      p3 = await newPort(net.id, group.id, 3);
      await plugGuest(guestNs(3), hostNs, p3);
      await until(() => portActive(p3.id), 'port 3 ACTIVE', 60_000);
    }, async () => {
      await until(() => readFileSync(join(dir, 'agents', 'dhcp', host, net.id, 'host'), 'utf8').includes(p3.mac_address), 'port 3 in dnsmasq\'s hosts file', 60_000);
    });
    assert.deepEqual(dnsmasqPids(net.id), [dnsmasq], 'the dnsmasq of before, adopted, and no second one');
    const lease3 = await dhcpLease(guestNs(3), script);
    assert.equal(lease3.ip, p3.fixed_ips[0].ip_address);

    // the L3 agent: a floating IP made and one deleted while it is dead; a ping to the deleted one must stop after the restart
    const { floatingip: fip3 } = await api('POST', '/v2.0/floatingips', { floatingip: { floating_network_id: ext.id, port_id: p3.id } });
    await until(() => pings(outside!.o.namespace, fip3.floating_ip_address), 'the outside pings floating IP 3', 30_000);
    const ping3 = runningPing(outside!.o.namespace, fip3.floating_ip_address);
    probes.push(ping3);
    await until(() => ping3.stamps.length >= 3, 'a running ping to floating IP 3', 30_000);
    // and an extra route, removed while the agent is dead
    const extraRoute = async (): Promise<boolean> => (await new IpRoute(routerNamespace(router.id)).list(4)).some((r) => r.dst === '198.18.0.0/24');
    await api('PUT', `/v2.0/routers/${router.id}`, { router: { routes: [{ destination: '198.18.0.0/24', nexthop: p3.fixed_ips[0].ip_address }] } });
    await until(extraRoute, 'the extra route in the router', 30_000);
    let fip2!: JsonRecord;
    await cycle('network-l3-agent', async () => {
      fip2 = (await api('POST', '/v2.0/floatingips', { floatingip: { floating_network_id: ext.id, port_id: p2.id } })).floatingip;
      await api('DELETE', `/v2.0/floatingips/${fip3.id}`);
      await api('PUT', `/v2.0/routers/${router.id}`, { router: { routes: [] } });
    }, async () => {
      await until(() => silent(ping3, 1500), 'the running ping to the deleted floating IP 3 stopped', 30_000);
      await until(async () => !(await extraRoute()), 'the extra route removed', 30_000);
      await until(async () => (await api('GET', `/v2.0/floatingips/${fip2.id}`)).floatingip.status === 'ACTIVE', 'floating IP 2 ACTIVE', 60_000);
      const nat = await execute('iptables-save', ['-t', 'nat'], { namespace: routerNamespace(router.id) });
      assert.match(nat, new RegExp(`-d ${fip2.floating_ip_address.replace(/\./g, '\\.')}/32 -j DNAT --to-destination ${p2.fixed_ips[0].ip_address.replace(/\./g, '\\.')}`));
      assert.ok(!nat.includes(`${fip3.floating_ip_address}/32`), 'no NAT of the deleted floating IP 3 left');
    });
    await until(() => pings(outside!.o.namespace, fip2.floating_ip_address), 'the outside pings floating IP 2', 30_000);
    const proxies = spawnSync('pgrep', ['-f', router.id], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
    assert.ok(proxies.length <= 1, `one metadata proxy for the router, not ${proxies.length}`);
  });
});
