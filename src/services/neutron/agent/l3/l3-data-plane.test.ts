/**
 * Routers, NAT, floating IPs, security groups and metadata end to end, on the kernel (root and
 * network namespaces needed; each test is reported skipped with the reason otherwise). One
 * agent host namespace `nubo-t<tag>-<host>` runs the Linux bridge agent (with the iptables
 * firewall), the DHCP agent, the L3 agent and the metadata agent; "the outside"
 * (../../testing/outside.ts) is a namespace on 203.0.113.0/24 whose veth is the physical
 * interface of the flat external network. A tenant network and subnet, a router with its
 * gateway and an interface, two guests (namespaces on the ports' taps) that get their
 * addresses from dnsmasq with `busybox udhcpc`: each pings the router and reaches the outside
 * through SNAT (the outside sees the gateway IP); a floating IP makes guest 1 reachable from the
 * outside only once a security-group rule allows it (or an address group it names holds the
 * outside's address), and removing the rule cuts a running ping
 * within a second; metadata read from a guest at 169.254.169.254 reaches a stand-in of Nova's
 * metadata API with a valid signature; a port forwarding of another floating IP reaches a
 * web server in guest 2; extra routes and enable_snat=false take effect; a
 * restarted L3 agent adopts its router; deleting the router removes its namespace. Hairpin NAT
 * (two more guests behind a router of their own): a guest reaches the other's floating IP and
 * a port forwarding from inside, as the gateway IP or as its own floating IP, and its own
 * floating IP; deleting a floating IP takes the path away. A guest on
 * an isolated network reads metadata through the proxy of its DHCP namespace. Everything
 * the test made is removed at the end.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createLogger } from '../../../../common/log/logger.js';
import { PeriodicTasks } from '../../../../common/service/periodic.js';
import { dhcpLease as udhcpc, ping, pings, plugGuest as plug, wget, writeUdhcpcScript } from '../../testing/guests.js';
import { adminApi, type JsonRecord, startHostNamespace, testL3Agent, UNDERLAY_IP } from '../../testing/agent-host.js';
import { ADMIN, type Harness, startHarness } from '../../testing/harness.js';
import { Outside, startAddressResponder } from '../../testing/outside.js';
import { missingTool } from '../../testing/tools.js';
import { until } from '../../../../common/testing/until.js';
import { DhcpAgent } from '../dhcp/dhcp-agent.js';
import { IptablesFirewall } from '../firewall/iptables-firewall.js';
import { namespaceSupportProblem } from '../linux/capabilities.js';
import { cleanupDataPlane } from '../linux/cleanup.js';
import { execute } from '../linux/exec.js';
import { IpAddr, IpRoute } from '../linux/ip-addr.js';
import { IpLink } from '../linux/ip-link.js';
import { dhcpNamespace, namespaceDeviceName, routerNamespace } from '../linux/names.js';
import { deleteNamespace, ensureNamespace, listNamespaces } from '../linux/netns.js';
import { LinuxBridgeAgent } from '../linuxbridge/lb-agent.js';
import { IsolatedMetadataProxies } from '../metadata/dhcp-metadata.js';
import { MetadataAgent } from '../metadata/metadata-agent.js';
import { L3Agent } from './l3-agent.js';

const skip = namespaceSupportProblem() ?? missingTool(['dnsmasq', 'busybox', 'iptables-restore', 'conntrack', 'nft']);
const skipped = { skip: skip ? `needs root, network namespaces, dnsmasq, busybox, iptables, conntrack and nft: ${skip}` : false };
const tag = randomBytes(3).toString('hex');
const host = `l3h${tag}`;
const template = `nubo-t${tag}-{host}`;
const hostNs = template.replace('{host}', host);
const guestNs = (n: number): string => `nubo-g${tag}-${n}`;
const SECRET = `secret-${tag}`;
const silent = createLogger({ level: 'silent' });

let h: Harness;
let dir: string;
let script: string;
let periodic: PeriodicTasks;
let l3Periodic: PeriodicTasks;
let lb: LinuxBridgeAgent;
let dhcp: DhcpAgent;
let l3: L3Agent;
let metadata: MetadataAgent;
let firewall: IptablesFirewall;
let outside: Outside;
let nova: Server;
/** What the stand-in of Nova's metadata API received last. */
let novaSaw: IncomingHttpHeaders | undefined;
const made = { networks: [] as string[], routers: [] as string[] };

const { get, ok } = adminApi(() => h);
const newL3Agent = (p: PeriodicTasks): L3Agent => testL3Agent({ h, host, hostNs, dir, periodic: p, log: silent, metadata: true });

/** Guest `n` on the host's tap of the port. */
const plugGuest = (n: number, port: JsonRecord): Promise<void> => plug(guestNs(n), hostNs, port);
/** busybox udhcpc in guest `n`: the lease it got and applied. */
const dhcpLease = (n: number): Promise<Record<string, string>> => udhcpc(guestNs(n), script);

describe('L3 agent: routers, SNAT, floating IPs with security groups, metadata', () => {
  before(async () => {
    if (skip) return;
    dir = mkdtempSync(join(tmpdir(), 'nubo-l3-'));
    chmodSync(dir, 0o755); // dnsmasq rereads its files as nobody
    script = writeUdhcpcScript(dir);
    h = await startHarness({ overrides: { 'default_networks.create_public_network': 'false', 'default_networks.create_private_network': 'false', 'default_networks.create_router': 'false' } });
    // the stand-in of Nova's metadata API: it checks the proxy's signature as Nova does and answers with the instance id
    nova = createServer((req, res) => {
      novaSaw = req.headers;
      const id = String(req.headers['x-instance-id'] ?? '');
      const expected = createHmac('sha256', SECRET).update(id).digest('hex');
      if (!id || req.headers['x-instance-id-signature'] !== expected) return void res.writeHead(403).end('Invalid proxy request signature.');
      res.writeHead(200, { 'content-type': 'text/plain' }).end(req.url === '/compute-metadata/latest/meta-data/instance-id' ? id : `unexpected path ${req.url}`);
    });
    await new Promise<void>((r) => nova.listen(0, '127.0.0.1', () => r()));
    await startHostNamespace(hostNs);
    outside = new Outside({ namespace: `nubo-o${tag}`, hostNamespace: hostNs, hostDevice: 'extphy', cidr: '203.0.113.1/24' });
    await outside.start();
    periodic = new PeriodicTasks(silent);
    firewall = new IptablesFirewall({ netns: hostNs, log: silent });
    lb = new LinuxBridgeAgent({
      transport: h.transport, host, log: silent, periodic, reportInterval: 30, pollingInterval: 0.1, availabilityZone: 'nova', hostNamespace: hostNs,
      interfaceMappings: new Map([['extnet', 'extphy']]), vxlan: { localIp: UNDERLAY_IP, group: '', dstport: 4789, ttl: 0 }, firewall,
    });
    dhcp = new DhcpAgent({
      transport: h.transport, host, log: silent, periodic, reportInterval: 30, availabilityZone: 'nova', hostNamespace: hostNs,
      confDir: join(dir, 'dhcp'), resyncInterval: 1, checkChildProcessesInterval: 1,
      settings: { binary: 'dnsmasq', dnsServers: [], leaseDuration: 86400, leaseMax: 1000, dnsDomain: 'openstacklocal', isolatedMetadata: true },
      extension: new IsolatedMetadataProxies(join(dir, 'dhcp-metadata'), join(dir, 'mp.sock')),
    });
    metadata = new MetadataAgent({
      transport: h.transport, host, log: silent, periodic, reportInterval: 30, socketPath: join(dir, 'mp.sock'),
      novaMetadataUrl: `http://127.0.0.1:${(nova.address() as AddressInfo).port}/compute-metadata`, sharedSecret: SECRET,
    });
    l3Periodic = new PeriodicTasks(silent);
    l3 = newL3Agent(l3Periodic);
    for (const a of [lb, dhcp, metadata, l3]) await a.start();
    periodic.start();
    l3Periodic.start();
  });

  after(async () => {
    if (skip) return;
    await periodic?.stop();
    await l3Periodic?.stop();
    for (const a of [lb, dhcp, l3, metadata]) await a?.stop().catch(() => undefined);
    await firewall?.destroy().catch(() => undefined);
    await outside?.stop().catch(() => undefined);
    for (const n of [1, 2, 3, 4, 5]) await deleteNamespace(guestNs(n));
    await cleanupDataPlane({
      hostNamespaceTemplate: template,
      match: (n) => n.startsWith(`nubo-t${tag}-`) || made.networks.some((id) => n === dhcpNamespace(id)) || made.routers.some((id) => n === routerNamespace(id)),
    });
    await new Promise<void>((r) => (nova ? nova.close(() => r()) : r()));
    await h?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    const left = (await listNamespaces()).filter((n) => n.includes(tag) || made.routers.some((id) => n === routerNamespace(id)));
    assert.deepEqual(left, [], 'every namespace the test made is gone');
  });

  test('the L3 and metadata agents report state', skipped, async () => {
    const agents = (await get('/v2.0/agents')).agents as JsonRecord[];
    assert.equal(agents.find((a) => a.host === host && a.agent_type === 'L3 agent')?.alive, true);
    assert.equal(agents.find((a) => a.host === host && a.agent_type === 'L3 agent')?.binary, 'neutron-l3-agent');
    assert.equal(agents.find((a) => a.host === host && a.agent_type === 'Metadata agent')?.alive, true);
  });

  test('a guest on an isolated network reads metadata through the DHCP namespace\'s proxy (enable_isolated_metadata)', skipped, async () => {
    const net = (await ok('POST', '/v2.0/networks', { network: { name: `isolated-${tag}` } })).network;
    made.networks.push(net.id);
    await ok('POST', '/v2.0/subnets', { subnet: { network_id: net.id, cidr: '10.91.0.0/24', ip_version: 4 } });
    const port = (await ok('POST', '/v2.0/ports', { port: { network_id: net.id, device_id: randomUUID(), device_owner: 'compute:nova', 'binding:host_id': host } })).port;
    await plugGuest(3, port);
    await until(async () => (await get(`/v2.0/ports/${port.id}`)).port.status === 'ACTIVE', 'guest port ACTIVE');
    await until(() => dhcp.driver.active(net.id), 'dnsmasq running');
    const dhcpIp = ((await get(`/v2.0/ports?network_id=${net.id}&device_owner=network:dhcp`)).ports[0]).fixed_ips[0].ip_address as string;
    const lease = await dhcpLease(3);
    assert.match(lease.routes ?? '', new RegExp(`169\\.254\\.169\\.254/32,${dhcpIp.replace(/\./g, '\\.')}`));
    assert.equal(await wget(guestNs(3), 'http://169.254.169.254/latest/meta-data/instance-id'), port.device_id);
    assert.equal(novaSaw?.['x-forwarded-for'], lease.ip);
    await deleteNamespace(guestNs(3));
    await until(async () => (await get(`/v2.0/ports/${port.id}`)).port.status === 'DOWN', 'guest port DOWN');
    await ok('DELETE', `/v2.0/ports/${port.id}`);
    await ok('DELETE', `/v2.0/networks/${net.id}`);
    await until(async () => !(await listNamespaces()).includes(dhcpNamespace(net.id)), 'qdhcp namespace removed');
  });

  test('guests get DHCP leases, ping the router, reach the outside by SNAT and, with a floating IP and a rule, are reached from it', skipped, async (t) => {
    const ext = (await ok('POST', '/v2.0/networks', { network: { name: `ext-${tag}`, 'router:external': true, 'provider:network_type': 'flat', 'provider:physical_network': 'extnet' } })).network;
    made.networks.push(ext.id);
    await ok('POST', '/v2.0/subnets', { subnet: { network_id: ext.id, cidr: '203.0.113.0/24', ip_version: 4, gateway_ip: '203.0.113.1', enable_dhcp: false, allocation_pools: [{ start: '203.0.113.100', end: '203.0.113.150' }] } });
    const net = (await ok('POST', '/v2.0/networks', { network: { name: `tenant-${tag}` } })).network;
    made.networks.push(net.id);
    const subnet = (await ok('POST', '/v2.0/subnets', { subnet: { network_id: net.id, cidr: '10.90.0.0/24', ip_version: 4 } })).subnet;
    const router = (await ok('POST', '/v2.0/routers', { router: { name: `r-${tag}`, external_gateway_info: { network_id: ext.id } } })).router;
    made.routers.push(router.id);
    const gwIp = router.external_gateway_info.external_fixed_ips[0].ip_address as string;
    await ok('PUT', `/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: subnet.id });
    const ns = routerNamespace(router.id);

    // the router's namespace: qr- with the subnet's gateway, qg- with the gateway IP, the default route out
    const routerPorts = (await get(`/v2.0/ports?device_id=${router.id}`)).ports as JsonRecord[];
    const qr = routerPorts.find((p) => p.device_owner === 'network:router_interface')!;
    const qg = routerPorts.find((p) => p.device_owner === 'network:router_gateway')!;
    const has = (dev: string): Promise<boolean> => new IpLink(ns).exists(dev).catch(() => false);
    await until(async () => (await has(namespaceDeviceName('qr-', qr.id))) && (await has(namespaceDeviceName('qg-', qg.id))), 'qr- and qg- devices');
    await until(() => l3.routers.has(router.id), 'the router processed');
    assert.deepEqual((await new IpAddr(ns).list(namespaceDeviceName('qr-', qr.id))).filter((a) => a.scope === 'global').map((a) => `${a.local}/${a.prefixlen}`), ['10.90.0.1/24']);
    assert.equal((await new IpLink(ns).get(namespaceDeviceName('qr-', qr.id)))?.address, qr.mac_address);
    assert.equal((await new IpRoute(ns).list(4)).find((r) => r.dst === 'default')?.gateway, '203.0.113.1');
    for (const p of [qr, qg]) await until(async () => (await get(`/v2.0/ports/${p.id}`)).port.status === 'ACTIVE', `router port ${p.device_owner} ACTIVE`);
    const nat = await execute('iptables-save', ['-t', 'nat'], { namespace: ns });
    assert.match(nat, new RegExp(`-A neutron-l3-agent-snat -o ${namespaceDeviceName('qg-', qg.id)} -j SNAT --to-source ${gwIp.replace(/\./g, '\\.')}`));
    await until(() => outside.exec('busybox', ['ping', '-c', '1', '-W', '1', gwIp]).then(() => true, () => false), 'the outside pings the gateway IP');

    // two guests
    const ports: JsonRecord[] = [];
    for (const n of [1, 2]) {
      const p = (await ok('POST', '/v2.0/ports', { port: { network_id: net.id, device_id: randomUUID(), device_owner: 'compute:nova', 'binding:host_id': host } })).port;
      await plugGuest(n, p);
      ports.push(p);
    }
    for (const p of ports) await until(async () => (await get(`/v2.0/ports/${p.id}`)).port.status === 'ACTIVE', `guest port ${p.id} ACTIVE`);
    await until(() => dhcp.driver.active(net.id), 'dnsmasq running');
    const leases = [await dhcpLease(1), await dhcpLease(2)];
    assert.equal(leases[0]!.ip, ports[0]!.fixed_ips[0].ip_address);
    assert.equal(leases[1]!.router, '10.90.0.1');
    for (const n of [1, 2]) await until(() => pings(guestNs(n), '10.90.0.1'), `guest ${n} pings the router`);
    await ping(guestNs(1), leases[1]!.ip!);
    // SNAT: the outside sees the router's gateway IP
    for (const n of [1, 2]) assert.match(await wget(guestNs(n), 'http://203.0.113.1/'), new RegExp(`you are ${gwIp.replace(/\./g, '\\.')}\\n`));
    await ping(guestNs(2), '203.0.113.1');

    // a floating IP for guest 1: ACTIVE once the agent configured it; the guest leaves as it
    const fip = (await ok('POST', '/v2.0/floatingips', { floatingip: { floating_network_id: ext.id, port_id: ports[0]!.id } })).floatingip;
    const fipAddress = fip.floating_ip_address as string;
    await until(async () => (await get(`/v2.0/floatingips/${fip.id}`)).floatingip.status === 'ACTIVE', 'floating IP ACTIVE');
    assert.match(await wget(guestNs(1), 'http://203.0.113.1/'), new RegExp(`you are ${fipAddress.replace(/\./g, '\\.')}\\n`));
    assert.match(await wget(guestNs(2), 'http://203.0.113.1/'), new RegExp(`you are ${gwIp.replace(/\./g, '\\.')}\\n`));
    // the default security group lets nothing in from the outside
    assert.equal(await pings(outside.o.namespace, fipAddress), false, 'no ICMP from the outside without a rule');
    const sg = ports[0]!.security_groups[0] as string;
    const rule = (await ok('POST', '/v2.0/security-group-rules', { security_group_rule: { security_group_id: sg, direction: 'ingress', ethertype: 'IPv4', protocol: 'icmp', remote_ip_prefix: '0.0.0.0/0' } })).security_group_rule;
    const allowedAt = Date.now();
    await until(() => pings(outside.o.namespace, fipAddress), 'the outside pings the floating IP once the rule exists', 5000);
    const allowMs = Date.now() - allowedAt;
    assert.ok(allowMs < 3000, `rule to traffic took ${allowMs} ms`);
    t.diagnostic(`security-group rule create -> floating IP answers the outside's ping: ${allowMs} ms`);

    // removing the rule cuts a running ping within a second
    const pinger = spawn('ip', ['netns', 'exec', outside.o.namespace, 'busybox', 'ping', '-i', '0.1', fipAddress], { stdio: ['ignore', 'pipe', 'ignore'] });
    const replies: number[] = [];
    pinger.stdout.on('data', (d: Buffer) => { for (const l of d.toString().split('\n')) if (/bytes from/.test(l)) replies.push(Date.now()); });
    await until(() => replies.length >= 3, 'the running ping gets replies');
    const removedAt = Date.now();
    assert.equal((await h.request('DELETE', `/v2.0/security-group-rules/${rule.id}`, ADMIN)).status, 204);
    await new Promise((r) => setTimeout(r, 2000));
    pinger.kill('SIGTERM');
    const last = replies[replies.length - 1]!;
    assert.ok(last - removedAt < 1000, `replies went on ${last - removedAt} ms after the rule was removed`);
    t.diagnostic(`rule delete -> last reply of a running ping (every 100 ms): ${last - removedAt} ms`);
    assert.equal(await pings(outside.o.namespace, fipAddress), false);

    // a rule naming an address group: the outside (203.0.113.1) gets in only while the group holds its address
    const ag = (await ok('POST', '/v2.0/address-groups', { address_group: { name: `ag-${tag}`, addresses: ['198.51.100.0/24'] } })).address_group;
    const agRule = (await ok('POST', '/v2.0/security-group-rules', { security_group_rule: { security_group_id: sg, direction: 'ingress', ethertype: 'IPv4', protocol: 'icmp', remote_address_group_id: ag.id } })).security_group_rule;
    assert.equal(await pings(outside.o.namespace, fipAddress), false, 'the outside is not in the address group');
    await ok('PUT', `/v2.0/address-groups/${ag.id}/add_addresses`, { addresses: ['203.0.113.0/28'] });
    await until(() => pings(outside.o.namespace, fipAddress), 'the outside pings the floating IP once its prefix is in the address group', 5000);
    await ok('PUT', `/v2.0/address-groups/${ag.id}/remove_addresses`, { addresses: ['203.0.113.0/28'] });
    await until(async () => !(await pings(outside.o.namespace, fipAddress)), 'the outside is cut once its prefix left the address group', 5000);
    assert.equal((await h.request('DELETE', `/v2.0/security-group-rules/${agRule.id}`, ADMIN)).status, 204);
    assert.equal((await h.request('DELETE', `/v2.0/address-groups/${ag.id}`, ADMIN)).status, 204);

    // metadata from guest 1: the router's proxy -> the metadata agent -> "Nova", signed
    const body = await wget(guestNs(1), 'http://169.254.169.254/latest/meta-data/instance-id');
    assert.equal(body, ports[0]!.device_id);
    assert.equal(novaSaw?.['x-forwarded-for'], leases[0]!.ip);
    assert.equal(novaSaw?.['x-tenant-id'], ports[0]!.project_id);
    assert.equal(await wget(guestNs(1), 'http://10.90.0.1:9697/latest/meta-data/instance-id', 2000).then(() => 'open', () => 'closed'), 'closed', 'the proxy port itself is not reachable');

    // a port forwarding: TCP 8080 of a second floating IP to guest 2's web server on port 80, once a rule lets TCP 80 in
    mkdirSync(join(dir, 'www'));
    writeFileSync(join(dir, 'www', 'index.html'), 'guest 2\n');
    const httpd = spawn('ip', ['netns', 'exec', guestNs(2), 'busybox', 'httpd', '-f', '-p', '80', '-h', join(dir, 'www')], { stdio: 'ignore' });
    try {
      const pfFip = (await ok('POST', '/v2.0/floatingips', { floatingip: { floating_network_id: ext.id } })).floatingip;
      const pf = (await ok('POST', `/v2.0/floatingips/${pfFip.id}/port_forwardings`, {
        port_forwarding: { protocol: 'tcp', internal_ip_address: leases[1]!.ip, internal_port: 80, external_port: 8080, internal_port_id: ports[1]!.id },
      })).port_forwarding;
      await ok('POST', '/v2.0/security-group-rules', { security_group_rule: { security_group_id: sg, direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', port_range_min: 80, port_range_max: 80, remote_ip_prefix: '0.0.0.0/0' } });
      const url = `http://${pfFip.floating_ip_address}:8080/`;
      await until(() => outside.exec('busybox', ['wget', '-q', '-O', '-', url], 3000).then((o) => o === 'guest 2\n', () => false), 'the port forwarding reaches guest 2');
      await ok('DELETE', `/v2.0/floatingips/${pfFip.id}/port_forwardings/${pf.id}`);
      await until(() => outside.exec('busybox', ['wget', '-q', '-O', '-', url], 2000).then(() => false, () => true), 'the forwarding gone');
      await ok('DELETE', `/v2.0/floatingips/${pfFip.id}`);
    } finally {
      httpd.kill('SIGTERM');
    }

    // extra routes
    await ok('PUT', `/v2.0/routers/${router.id}`, { router: { routes: [{ destination: '192.0.2.0/24', nexthop: '10.90.0.50' }] } });
    await until(async () => (await new IpRoute(ns).list(4)).some((r) => r.dst === '192.0.2.0/24' && r.gateway === '10.90.0.50'), 'the extra route');
    await ok('PUT', `/v2.0/routers/${router.id}`, { router: { routes: [] } });
    await until(async () => !(await new IpRoute(ns).list(4)).some((r) => r.dst === '192.0.2.0/24'), 'the extra route removed');

    // a restarted L3 agent adopts its router: same metadata proxy, traffic goes on
    const pidFile = join(dir, 'l3', router.id, 'metadata-proxy.pid');
    const pidBefore = execFileSync('cat', [pidFile], { encoding: 'utf8' }).trim();
    await l3Periodic.stop();
    await l3.stop();
    l3Periodic = new PeriodicTasks(silent);
    l3 = newL3Agent(l3Periodic);
    await l3.start();
    l3Periodic.start();
    await until(() => l3.routers.has(router.id), 'the restarted agent runs the router again');
    assert.equal(execFileSync('cat', [pidFile], { encoding: 'utf8' }).trim(), pidBefore);
    assert.equal((await get(`/v2.0/floatingips/${fip.id}`)).floatingip.status, 'ACTIVE');
    assert.match(await wget(guestNs(1), 'http://203.0.113.1/'), /you are /);

    // the floating IP goes: DOWN, guest 1 leaves by SNAT again
    await ok('PUT', `/v2.0/floatingips/${fip.id}`, { floatingip: { port_id: null } });
    await until(async () => (await get(`/v2.0/floatingips/${fip.id}`)).floatingip.status === 'DOWN', 'floating IP DOWN once disassociated');
    await until(async () => !(await new IpAddr(ns).list(namespaceDeviceName('qg-', qg.id))).some((a) => a.local === fipAddress), 'the floating IP off qg-');
    assert.match(await wget(guestNs(1), 'http://203.0.113.1/'), new RegExp(`you are ${gwIp.replace(/\./g, '\\.')}\\n`));

    // enable_snat=false: no SNAT rule, the guest's traffic leaves un-NATed (the outside has no route back)
    await ok('PUT', `/v2.0/routers/${router.id}`, { router: { external_gateway_info: { network_id: ext.id, enable_snat: false } } });
    await until(async () => !/-o qg-\S+ -j SNAT --to-source/.test(await execute('iptables-save', ['-t', 'nat'], { namespace: ns })), 'SNAT rule removed');
    assert.equal(await pings(guestNs(2), '203.0.113.1'), false);

    // teardown: the router goes with its namespace
    await ok('DELETE', `/v2.0/floatingips/${fip.id}`);
    await ok('PUT', `/v2.0/routers/${router.id}/remove_router_interface`, { subnet_id: subnet.id });
    await until(async () => !(await has(namespaceDeviceName('qr-', qr.id))), 'qr- removed with the interface');
    await ok('DELETE', `/v2.0/routers/${router.id}`);
    await until(async () => !(await listNamespaces()).includes(ns), 'qrouter namespace removed');
    for (const n of [1, 2]) await deleteNamespace(guestNs(n));
    for (const p of ports) await until(async () => (await get(`/v2.0/ports/${p.id}`)).port.status === 'DOWN', `port ${p.id} DOWN`);
    for (const p of ports) await ok('DELETE', `/v2.0/ports/${p.id}`);
    await ok('DELETE', `/v2.0/networks/${net.id}`);
    await ok('DELETE', `/v2.0/networks/${ext.id}`);
  });

  test('hairpin NAT: guests reach floating IPs and port forwardings of their own router, and their own floating IP', skipped, async () => {
    const ext = (await ok('POST', '/v2.0/networks', { network: { name: `ext-hp-${tag}`, 'router:external': true, 'provider:network_type': 'flat', 'provider:physical_network': 'extnet' } })).network;
    made.networks.push(ext.id);
    await ok('POST', '/v2.0/subnets', { subnet: { network_id: ext.id, cidr: '203.0.113.0/24', ip_version: 4, gateway_ip: '203.0.113.1', enable_dhcp: false, allocation_pools: [{ start: '203.0.113.160', end: '203.0.113.200' }] } });
    const net = (await ok('POST', '/v2.0/networks', { network: { name: `tenant-hp-${tag}` } })).network;
    made.networks.push(net.id);
    const subnet = (await ok('POST', '/v2.0/subnets', { subnet: { network_id: net.id, cidr: '10.92.0.0/24', ip_version: 4 } })).subnet;
    const router = (await ok('POST', '/v2.0/routers', { router: { name: `r-hp-${tag}`, external_gateway_info: { network_id: ext.id } } })).router;
    made.routers.push(router.id);
    const gwIp = router.external_gateway_info.external_fixed_ips[0].ip_address as string;
    await ok('PUT', `/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: subnet.id });
    // a group of their own letting ICMP and TCP in from anywhere (hairpin traffic arrives from a floating or gateway IP)
    const sg = (await ok('POST', '/v2.0/security-groups', { security_group: { name: `hp-${tag}` } })).security_group;
    for (const protocol of ['icmp', 'tcp']) {
      await ok('POST', '/v2.0/security-group-rules', { security_group_rule: { security_group_id: sg.id, direction: 'ingress', ethertype: 'IPv4', protocol, remote_ip_prefix: '0.0.0.0/0' } });
    }
    const ports: JsonRecord[] = [];
    for (const n of [4, 5]) {
      const p = (await ok('POST', '/v2.0/ports', { port: { network_id: net.id, device_id: randomUUID(), device_owner: 'compute:nova', 'binding:host_id': host, security_groups: [sg.id] } })).port;
      await plugGuest(n, p);
      ports.push(p);
    }
    for (const p of ports) await until(async () => (await get(`/v2.0/ports/${p.id}`)).port.status === 'ACTIVE', `guest port ${p.id} ACTIVE`);
    await until(() => dhcp.driver.active(net.id), 'dnsmasq running');
    const [ip4, ip5] = [(await dhcpLease(4)).ip!, (await dhcpLease(5)).ip!];
    await until(() => l3.routers.has(router.id), 'the router processed');
    for (const n of [4, 5]) await until(() => pings(guestNs(n), '10.92.0.1'), `guest ${n} pings the router`);
    const responders = [await startAddressResponder(guestNs(4), ip4, 80), await startAddressResponder(guestNs(5), ip5, 80)];
    const youAre = (ip: string): RegExp => new RegExp(`you are ${ip.replace(/\./g, '\\.')}\\n`);
    const floating = async (portId?: string): Promise<JsonRecord> => {
      const f = (await ok('POST', '/v2.0/floatingips', { floatingip: { floating_network_id: ext.id, ...(portId ? { port_id: portId } : {}) } })).floatingip;
      if (portId) await until(async () => (await get(`/v2.0/floatingips/${f.id}`)).floatingip.status === 'ACTIVE', `floating IP ${f.floating_ip_address} ACTIVE`);
      return f;
    };
    try {
      // guest 4, without a floating IP, reaches a port forwarding (8080 of a floating IP to guest 5's
      // port 80) and, once the forwarding is gone, guest 5's floating IP: it arrives as the gateway IP
      const pfFip = await floating();
      const pf = (await ok('POST', `/v2.0/floatingips/${pfFip.id}/port_forwardings`, {
        port_forwarding: { protocol: 'tcp', internal_ip_address: ip5, internal_port: 80, external_port: 8080, internal_port_id: ports[1]!.id },
      })).port_forwarding;
      const atPf = `http://${pfFip.floating_ip_address}:8080/`;
      await until(() => wget(guestNs(4), atPf, 2000).then((b) => youAre(gwIp).test(b), () => false), 'guest 4 reaches the port forwarding');
      await ok('DELETE', `/v2.0/floatingips/${pfFip.id}/port_forwardings/${pf.id}`);
      await ok('DELETE', `/v2.0/floatingips/${pfFip.id}`);
      await until(() => wget(guestNs(4), atPf, 2000).then(() => false, () => true), 'the port forwarding unreachable once deleted');
      const fip5 = await floating(ports[1]!.id);
      const at5 = fip5.floating_ip_address as string;
      await until(() => pings(guestNs(4), at5), 'guest 4 pings guest 5\'s floating IP');
      assert.match(await wget(guestNs(4), `http://${at5}/`), youAre(gwIp));

      // guest 4 with a floating IP of its own: it arrives as it, and reaches itself through it
      const fip4 = await floating(ports[0]!.id);
      const at4 = fip4.floating_ip_address as string;
      assert.match(await wget(guestNs(4), `http://${at5}/`), youAre(at4));
      await ping(guestNs(4), at4);
      assert.match(await wget(guestNs(4), `http://${at4}/`), youAre(at4));
      const nat = await execute('iptables-save', ['-t', 'nat'], { namespace: routerNamespace(router.id) });
      assert.equal(nat.split('\n').filter((l) => l.includes('--ctstate DNAT -j SNAT')).length, 1, 'one hairpin rule');

      // the floating IPs deleted: the hairpin paths are gone with them
      await ok('DELETE', `/v2.0/floatingips/${fip5.id}`);
      await until(() => wget(guestNs(4), `http://${at5}/`, 2000).then(() => false, () => true), 'guest 5\'s floating IP unreachable once deleted');
      assert.equal(await pings(guestNs(4), at5), false);
      await ok('DELETE', `/v2.0/floatingips/${fip4.id}`);
      await until(() => wget(guestNs(4), `http://${at4}/`, 2000).then(() => false, () => true), 'guest 4\'s own floating IP unreachable once deleted');
      assert.equal(await pings(guestNs(4), at4), false);
    } finally {
      for (const r of responders) r.kill('SIGTERM');
    }

    // teardown
    await ok('PUT', `/v2.0/routers/${router.id}/remove_router_interface`, { subnet_id: subnet.id });
    await ok('DELETE', `/v2.0/routers/${router.id}`);
    await until(async () => !(await listNamespaces()).includes(routerNamespace(router.id)), 'qrouter namespace removed');
    for (const n of [4, 5]) await deleteNamespace(guestNs(n));
    for (const p of ports) await until(async () => (await get(`/v2.0/ports/${p.id}`)).port.status === 'DOWN', `port ${p.id} DOWN`);
    for (const p of ports) await ok('DELETE', `/v2.0/ports/${p.id}`);
    await ok('DELETE', `/v2.0/security-groups/${sg.id}`);
    await ok('DELETE', `/v2.0/networks/${net.id}`);
    await ok('DELETE', `/v2.0/networks/${ext.id}`);
  });
});
