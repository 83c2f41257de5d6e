/**
 * The network of a running cloud built with the real `openstack` CLI, on the Linux data plane
 * (root, network namespaces and the tools needed; reported skipped with the reason otherwise).
 *
 * The cloud is `nubo up` (identity and network, `[data_plane] enabled`) on agent host A — its
 * Linux bridge, DHCP, L3 and metadata agents — and `nubo serve network-l2-agent --host B` is
 * host B's Linux bridge agent; both run in this process on one in-process bus. Each host is a
 * namespace `ne2h-<host>`, the two joined by an underlay veth on 198.51.100.0/24 that carries
 * VXLAN; "the outside" is a namespace on 203.0.113.0/24 whose veth is host A's physical
 * interface of the flat external network. The CLI, through the clouds.yaml the cloud wrote,
 * makes the external network and subnet, a tenant network and subnet, a router with its gateway
 * and interface, and two ports, one bound to each host; each port is plugged as a guest (a
 * namespace on the port's tap). Each guest gets its address from dnsmasq with `busybox udhcpc`
 * (guest 2 across VXLAN), pings the other and the router, and reaches the outside through SNAT
 * (the outside sees the router's gateway address). Each gets a floating IP and is reached from
 * the outside on it only once a security-group rule allows it; removing the rule cuts running
 * pings within a second of the DELETE. The CLI then takes the network down, which removes the
 * router's and the DHCP namespaces; everything the test made is removed at the end, also when
 * it fails.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import { startCloud, type RunningCloud } from '../src/cmd/cloud.js';
import { createLogger } from '../src/common/log/logger.js';
import { namespaceSupportProblem } from '../src/services/neutron/agent/linux/capabilities.js';
import { cleanupDataPlane } from '../src/services/neutron/agent/linux/cleanup.js';
import { IpAddr } from '../src/services/neutron/agent/linux/ip-addr.js';
import { IpLink } from '../src/services/neutron/agent/linux/ip-link.js';
import { bridgeName, dhcpNamespace, routerNamespace, vxlanName } from '../src/services/neutron/agent/linux/names.js';
import { deleteNamespace, ensureNamespace, listNamespaces } from '../src/services/neutron/agent/linux/netns.js';
import { dhcpLease, type Lease, ping, pings, plugGuest, wget, writeUdhcpcScript } from '../src/services/neutron/testing/guests.js';
import { Outside } from '../src/services/neutron/testing/outside.js';
import { type Probe, runningPing } from '../src/services/neutron/testing/probes.js';
import { missingTool } from '../src/services/neutron/testing/tools.js';
import { until } from '../src/common/testing/until.js';
import { OpenstackShell } from './support/openstack-shell.js';
import { startTestCloud, type TestCloud } from './support/cloud.js';

type JsonRecord = Record<string, any>;

const skip = namespaceSupportProblem() ?? missingTool(['dnsmasq', 'busybox', 'iptables-restore', 'conntrack', 'nft', 'openstack']);
const skipped = { skip: skip ? `needs root, network namespaces, dnsmasq, busybox, iptables, conntrack, nft and the openstack CLI: ${skip}` : false };
const tag = randomBytes(3).toString('hex');
const hosts = { a: `a${tag}`, b: `b${tag}` };
const template = 'ne2h-{host}';
const hostNs = (host: string): string => template.replace('{host}', host);
const guestNs = (n: number): string => `ne2g${tag}-${n}`;
const bus = `inproc://ne2-${tag}`;
/** The data plane's settings both hosts share: agent host namespaces, quick polling of taps. */
const dataPlane = {
  'tracing.enabled': 'false',
  'data_plane.enabled': 'true',
  'data_plane.host_namespace': template,
  'agent.polling_interval': '0.2',
};

let dir: string;
let cloud: TestCloud | undefined;
let hostB: RunningCloud | undefined;
let cli: OpenstackShell | undefined;
let outside: Outside | undefined;
let script: string;
const pingers: Probe[] = [];
const made = { networks: [] as string[], routers: [] as string[] };
/** When the cloud received each DELETE that it answered (request path -> ms since the epoch), from its request log. */
const deletes = new Map<string, number>();
/** The cloud's warnings and errors, shown when a step fails. */
const problems: string[] = [];

/** The cloud's log lines: the DELETEs' arrival times and the problems are kept, the rest dropped. */
const logSink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString().split('\n')) {
      if (!line) continue;
      let entry: JsonRecord;
      try { entry = JSON.parse(line); } catch { continue; }
      const at = typeof entry.time === 'number' ? entry.time : Date.parse(entry.time);
      if (entry.msg === 'request' && entry.method === 'DELETE' && entry.status < 300) deletes.set(entry.path, at - Number(entry.duration_ms ?? 0));
      else if (entry.level >= 40) problems.push(line);
    }
    done();
  },
});

async function api(path: string): Promise<JsonRecord> {
  const res = await request(`${cloud!.url}/network${path}`, { headers: { 'x-auth-token': await cloud!.adminToken() } });
  const body = (await res.body.json()) as JsonRecord;
  assert.equal(res.statusCode, 200, `GET ${path}: ${JSON.stringify(body)}`);
  return body;
}

/** A step that waits for the data plane, failing with the cloud's warnings and errors. */
async function awaiting(pred: () => Promise<boolean> | boolean, what: string, ms = 30_000): Promise<void> {
  try {
    await until(pred, what, ms);
  } catch (err) {
    throw new Error(`${(err as Error).message}\nthe cloud's warnings and errors:\n${problems.slice(-20).join('\n')}`);
  }
}

const escaped = (s: string): string => s.replace(/\./g, '\\.');

describe('the openstack CLI on a running cloud with the Linux data plane: two hosts, VXLAN, DHCP, a router, SNAT, floating IPs and a security group', () => {
  before(async () => {
    if (skip) return;
    dir = mkdtempSync(join(tmpdir(), 'ne2-'));
    chmodSync(dir, 0o755);
    script = writeUdhcpcScript(dir);
    // the two agent hosts, their underlay, and the outside behind host A's external interface
    for (const host of Object.values(hosts)) await ensureNamespace(hostNs(host));
    await new IpLink(hostNs(hosts.a)).addVeth('ne2ula', 'ne2ulb', hostNs(hosts.b));
    await new IpAddr(hostNs(hosts.a)).add('198.51.100.1/24', 'ne2ula');
    await new IpAddr(hostNs(hosts.b)).add('198.51.100.2/24', 'ne2ulb');
    await new IpLink(hostNs(hosts.a)).setUp('ne2ula');
    await new IpLink(hostNs(hosts.b)).setUp('ne2ulb');
    outside = new Outside({ namespace: `ne2o${tag}`, hostNamespace: hostNs(hosts.a), hostDevice: 'ne2ext', cidr: '203.0.113.1/24' });
    await outside.start();

    const log = createLogger({ level: 'info', destination: logSink });
    // nubo up on host A
    cloud = await startTestCloud({
      services: ['identity', 'network'], log, dataDir: join(dir, 'cloud'),
      overrides: {
        ...dataPlane, 'DEFAULT.transport_url': bus, 'DEFAULT.host': hosts.a,
        'linux_bridge.physical_interface_mappings': 'ne2ext:ne2ext', 'vxlan.local_ip': '198.51.100.1',
      },
    });
    // nubo serve network-l2-agent --host B
    hostB = await startCloud({
      env: {}, log, roles: ['network-l2-agent'],
      overrides: { ...dataPlane, 'DEFAULT.data_dir': join(dir, 'host-b'), 'DEFAULT.bind': '127.0.0.1:0', 'DEFAULT.transport_url': bus, 'DEFAULT.host': hosts.b, 'DEFAULT.hosts': hosts.b, 'vxlan.local_ip': '198.51.100.2' },
    });
    assert.ok(cloud.cloud.cloudsYaml, 'the cloud wrote its clouds.yaml');
    cli = new OpenstackShell(cloud.cloud.cloudsYaml);
  });

  after(async () => {
    if (skip) return;
    for (const p of pingers.splice(0)) p.stop();
    await cli?.close();
    await hostB?.close();
    await cloud?.cloud.close();
    await outside?.stop().catch(() => undefined);
    for (const n of [1, 2]) await deleteNamespace(guestNs(n));
    await cleanupDataPlane({
      hostNamespaceTemplate: template,
      match: (n) => Object.values(hosts).some((h) => n === hostNs(h)) || made.networks.some((id) => n === dhcpNamespace(id)) || made.routers.some((id) => n === routerNamespace(id)),
    });
    if (dir) rmSync(dir, { recursive: true, force: true });
    const left = (await listNamespaces()).filter((n) => n.includes(tag) || made.networks.some((id) => n === dhcpNamespace(id)) || made.routers.some((id) => n === routerNamespace(id)));
    assert.deepEqual(left, [], 'every namespace the test made is gone');
  });

  test('guests on two hosts get leases, ping each other and the router, leave by SNAT, and are reached on floating IPs only while a rule allows it', skipped, async (t) => {
    const os = cli!;
    const agents = await os.json<JsonRecord[]>('network agent list');
    for (const [host, type] of [[hosts.a, 'Linux bridge agent'], [hosts.b, 'Linux bridge agent'], [hosts.a, 'DHCP agent'], [hosts.a, 'L3 agent']]) {
      assert.ok(agents.some((a) => a.Host === host && a['Agent Type'] === type && a.Alive === true), `${type} on ${host} alive: ${JSON.stringify(agents)}`);
    }

    // the topology, all through the CLI
    const ext = await os.json(`network create --external --provider-network-type flat --provider-physical-network ne2ext ne2-ext-${tag}`);
    made.networks.push(ext.id);
    await os.json(`subnet create --network ${ext.id} --subnet-range 203.0.113.0/24 --gateway 203.0.113.1 --no-dhcp --allocation-pool start=203.0.113.100,end=203.0.113.150 ne2-ext-${tag}`);
    const net = await os.json(`network create ne2-net-${tag}`);
    made.networks.push(net.id);
    assert.equal(net['provider:network_type'], 'vxlan');
    const subnet = await os.json(`subnet create --network ${net.id} --subnet-range 10.92.0.0/24 ne2-sub-${tag}`);
    const router = await os.json(`router create ne2-r-${tag}`);
    made.routers.push(router.id);
    await os.run(`router set --external-gateway ${ext.id} ${router.id}`);
    await os.run(`router add subnet ${router.id} ${subnet.id}`);
    const gwIp = (await os.json(`router show ${router.id}`)).external_gateway_info.external_fixed_ips[0].ip_address as string;
    const ports: JsonRecord[] = [];
    for (const [n, host] of [[1, hosts.a], [2, hosts.b]] as const) {
      const port = await os.json(`port create --network ${net.id} --device-owner compute:nova --device ${randomUUID()} --host ${host} ne2-p${n}-${tag}`);
      assert.equal(port.binding_vif_type, 'bridge', `port ${n} bound by the linuxbridge driver on ${host}`);
      ports.push(port);
    }

    // the guests, one per host: ACTIVE once their taps are in the bridges; leases from dnsmasq on host A (guest 2's across VXLAN)
    await plugGuest(guestNs(1), hostNs(hosts.a), ports[0]!);
    await plugGuest(guestNs(2), hostNs(hosts.b), ports[1]!);
    for (const p of ports) await awaiting(async () => (await api(`/v2.0/ports/${p.id}`)).port.status === 'ACTIVE', `port ${p.name} ACTIVE`);
    await awaiting(async () => (await api(`/v2.0/ports?network_id=${net.id}&device_owner=network:dhcp`)).ports.some((p: JsonRecord) => p.status === 'ACTIVE'), 'the DHCP port ACTIVE');
    for (const host of [hosts.a, hosts.b]) {
      const links = await new IpLink(hostNs(host)).list();
      assert.equal(links.find((l) => l.ifname === vxlanName(net['provider:segmentation_id']))?.master, bridgeName(net.id), `${host}: the VXLAN device in the network's bridge`);
    }
    const leases: Lease[] = [];
    for (const n of [1, 2]) leases.push(await dhcpLease(guestNs(n), script));
    for (const [i, lease] of leases.entries()) {
      assert.equal(lease.ip, ports[i]!.fixed_ips[0].ip_address);
      assert.equal(lease.router, '10.92.0.1');
      assert.equal(lease.mtu, String(net.mtu));
    }

    // east-west over VXLAN, the router from both hosts, the outside by SNAT
    await ping(guestNs(1), leases[1]!.ip!, 3);
    await ping(guestNs(2), leases[0]!.ip!, 3);
    for (const n of [1, 2]) await awaiting(() => pings(guestNs(n), '10.92.0.1'), `guest ${n} pings the router`);
    for (const n of [1, 2]) {
      await ping(guestNs(n), '203.0.113.1', 2);
      assert.match(await wget(guestNs(n), 'http://203.0.113.1/'), new RegExp(`you are ${escaped(gwIp)}\\n`), `guest ${n} reaches the outside as the router's gateway address`);
    }

    // a floating IP each: the guests leave as it, but the default security group lets nothing in from the outside
    const fips: string[] = [];
    for (const p of ports) {
      const fip = await os.json(`floating ip create --port ${p.id} ${ext.id}`);
      await awaiting(async () => (await api(`/v2.0/floatingips/${fip.id}`)).floatingip.status === 'ACTIVE', `floating IP ${fip.floating_ip_address} ACTIVE`);
      fips.push(fip.floating_ip_address);
    }
    for (const [i, fip] of fips.entries()) {
      assert.match(await wget(guestNs(i + 1), 'http://203.0.113.1/'), new RegExp(`you are ${escaped(fip)}\\n`), `guest ${i + 1} leaves as its floating IP`);
      assert.equal(await pings(outside!.o.namespace, fip), false, `no ICMP reaches ${fip} from the outside without a rule`);
    }

    // a rule lets ICMP in: both floating IPs answer
    const group = ports[0]!.security_group_ids[0] as string;
    const rule = await os.json(`security group rule create --ingress --protocol icmp --remote-ip 0.0.0.0/0 ${group}`);
    const allowedAt = Date.now();
    for (const fip of fips) await awaiting(() => pings(outside!.o.namespace, fip), `the outside pings ${fip} once the rule exists`);
    t.diagnostic(`security group rule create -> both floating IPs answer the outside: ${Date.now() - allowedAt} ms`);

    // removing it cuts running pings within a second of the DELETE
    const replies = fips.map((fip) => {
      const probe = runningPing(outside!.o.namespace, fip);
      pingers.push(probe);
      return probe.stamps;
    });
    await awaiting(() => replies.every((r) => r.length >= 3), 'the running pings get replies');
    await os.run(`security group rule delete ${rule.id}`);
    const path = [...deletes.keys()].find((p) => p.endsWith(`/security-group-rules/${rule.id}`));
    assert.ok(path, 'the cloud logged the DELETE of the rule');
    const removedAt = deletes.get(path)!;
    await new Promise((r) => setTimeout(r, 2000)); // the window in which no reply may come
    for (const p of pingers.splice(0)) p.stop();
    for (const [i, r] of replies.entries()) {
      const after = r[r.length - 1]! - removedAt;
      assert.ok(after < 1000, `replies from ${fips[i]} went on ${after} ms after the DELETE`);
      t.diagnostic(`rule delete -> last reply of a running ping to ${fips[i]} (guest ${i + 1}, host ${i === 0 ? 'A' : 'B'}): ${after} ms`);
    }
    for (const fip of fips) assert.equal(await pings(outside!.o.namespace, fip), false, `${fip} unreachable again`);

    // the CLI takes it down: the router's namespace goes with the router, the DHCP namespace and the bridges with the network
    await os.run(`floating ip delete ${fips.join(' ')}`);
    await os.run(`router remove subnet ${router.id} ${subnet.id}`);
    await os.run(`router delete ${router.id}`);
    await awaiting(async () => !(await listNamespaces()).includes(routerNamespace(router.id)), 'the qrouter namespace removed');
    for (const n of [1, 2]) await deleteNamespace(guestNs(n));
    for (const p of ports) await awaiting(async () => (await api(`/v2.0/ports/${p.id}`)).port.status === 'DOWN', `port ${p.name} DOWN once unplugged`);
    await os.run(`port delete ${ports.map((p) => p.id).join(' ')}`);
    await os.run(`network delete ${net.id} ${ext.id}`);
    await awaiting(async () => !(await listNamespaces()).includes(dhcpNamespace(net.id)), 'the qdhcp namespace removed');
    for (const host of [hosts.a, hosts.b]) await awaiting(async () => !(await new IpLink(hostNs(host)).exists(bridgeName(net.id))), `${host}'s bridge removed`);
  });
});
