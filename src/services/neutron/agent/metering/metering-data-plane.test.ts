/**
 * The metering agent on the kernel (root and network namespaces needed; skipped with the
 * reason otherwise). One agent host namespace runs the Linux bridge agent, the L3 agent and the
 * metering agent; "the outside" (../../testing/outside.ts) is on 203.0.113.0/24 behind the
 * external network. A guest (static address, as its port has it) behind a router with a
 * gateway: a label with an egress rule for 203.0.113.0/24 gets its chains in the router's
 * namespace, counts exactly the guest's pings to the outside (5 echo requests of 1028 bytes),
 * and an `l3.meter` notification carries them; traffic the rule does not match is not
 * counted; the rule's and the label's deletions take their iptables rules and chains away.
 * Everything the test made is removed at the end.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createLogger } from '../../../../common/log/logger.js';
import { NotificationListener, Notifier } from '../../../../common/messaging/index.js';
import { PeriodicTasks } from '../../../../common/service/periodic.js';
import { until } from '../../../../common/testing/until.js';
import { adminApi, type JsonRecord, startHostNamespace, testL3Agent, UNDERLAY_IP } from '../../testing/agent-host.js';
import { ping, plugGuest } from '../../testing/guests.js';
import { type Harness, startHarness } from '../../testing/harness.js';
import { Outside } from '../../testing/outside.js';
import { missingTool } from '../../testing/tools.js';
import type { L3Agent } from '../l3/l3-agent.js';
import { namespaceSupportProblem } from '../linux/capabilities.js';
import { cleanupDataPlane } from '../linux/cleanup.js';
import { execute } from '../linux/exec.js';
import { namespaceDeviceName, routerNamespace } from '../linux/names.js';
import { deleteNamespace, listNamespaces } from '../linux/netns.js';
import { LinuxBridgeAgent } from '../linuxbridge/lb-agent.js';
import { labelChain, rulesChain } from './meter-rules.js';
import { MeteringAgent, type MeterPayload } from './metering-agent.js';

const skip = namespaceSupportProblem() ?? missingTool(['busybox', 'iptables', 'iptables-restore', 'iptables-save']);
const skipped = { skip: skip ? `needs root, network namespaces, busybox and iptables: ${skip}` : false };
const tag = randomBytes(3).toString('hex');
const host = `mth${tag}`;
const template = `nubo-t${tag}-{host}`;
const hostNs = template.replace('{host}', host);
const guestNs = `nubo-g${tag}-1`;
const silent = createLogger({ level: 'silent' });

let h: Harness;
let dir: string;
let periodic: PeriodicTasks;
let lb: LinuxBridgeAgent;
let l3: L3Agent;
let metering: MeteringAgent;
let outside: Outside;
let listener: NotificationListener<unknown>;
const meters: Array<{ publisher: string; payload: MeterPayload }> = [];
const made = { networks: [] as string[], routers: [] as string[] };
const { get, ok } = adminApi(() => h);

describe('metering agent: labels counted on the router\'s gateway, l3.meter notifications', () => {
  before(async () => {
    if (skip) return;
    dir = mkdtempSync(join(tmpdir(), 'nubo-meter-'));
    h = await startHarness({ overrides: { 'default_networks.create_public_network': 'false', 'default_networks.create_private_network': 'false', 'default_networks.create_router': 'false' } });
    listener = new NotificationListener(h.transport, [{ topic: 'notifications' }], [{
      info: (_ctx, publisher, eventType, payload) => { if (eventType === 'l3.meter') meters.push({ publisher, payload: payload as MeterPayload }); },
    }]);
    await listener.start();
    await startHostNamespace(hostNs);
    outside = new Outside({ namespace: `nubo-o${tag}`, hostNamespace: hostNs, hostDevice: 'extphy', cidr: '203.0.113.1/24' });
    await outside.start();
    periodic = new PeriodicTasks(silent);
    lb = new LinuxBridgeAgent({
      transport: h.transport, host, log: silent, periodic, reportInterval: 30, pollingInterval: 0.1, availabilityZone: 'nova', hostNamespace: hostNs,
      interfaceMappings: new Map([['extnet', 'extphy']]), vxlan: { localIp: UNDERLAY_IP, group: '', dstport: 4789, ttl: 0 },
    });
    l3 = testL3Agent({ h, host, hostNs, dir, periodic, log: silent, metadata: false });
    metering = new MeteringAgent({
      transport: h.transport, host, log: silent, periodic, stateReportInterval: 30, availabilityZone: 'nova',
      measureInterval: 1, reportInterval: 1, syncInterval: 2, notifier: new Notifier(h.transport, { publisherId: `metering.${host}`, topics: ['notifications'] }),
    });
    for (const a of [lb, l3, metering]) await a.start();
    periodic.start();
  });

  after(async () => {
    if (skip) return;
    await periodic?.stop();
    for (const a of [lb, l3, metering]) await a?.stop().catch(() => undefined);
    await listener?.stop();
    await outside?.stop().catch(() => undefined);
    await deleteNamespace(guestNs);
    await cleanupDataPlane({
      hostNamespaceTemplate: template,
      match: (n) => n.startsWith(`nubo-t${tag}-`) || made.routers.some((id) => n === routerNamespace(id)),
    });
    await h?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    const left = (await listNamespaces()).filter((n) => n.includes(tag) || made.routers.some((id) => n === routerNamespace(id)));
    assert.deepEqual(left, [], 'every namespace the test made is gone');
  });

  test('the metering agent reports state', skipped, async () => {
    await until(async () => ((await get('/v2.0/agents')).agents as JsonRecord[]).some((a) => a.host === host && a.agent_type === 'Metering agent' && a.alive), 'metering agent alive');
    const agent = ((await get('/v2.0/agents')).agents as JsonRecord[]).find((a) => a.host === host && a.agent_type === 'Metering agent')!;
    assert.equal(agent.binary, 'neutron-metering-agent');
    assert.equal(agent.configurations.measure_interval, 1);
  });

  test('an egress label rule counts a guest\'s traffic to the outside; l3.meter carries it; deletions take the chains away', skipped, async (t) => {
    const ext = (await ok('POST', '/v2.0/networks', { network: { name: `ext-${tag}`, 'router:external': true, 'provider:network_type': 'flat', 'provider:physical_network': 'extnet' } })).network;
    made.networks.push(ext.id);
    await ok('POST', '/v2.0/subnets', { subnet: { network_id: ext.id, cidr: '203.0.113.0/24', ip_version: 4, gateway_ip: '203.0.113.1', enable_dhcp: false, allocation_pools: [{ start: '203.0.113.100', end: '203.0.113.150' }] } });
    const net = (await ok('POST', '/v2.0/networks', { network: { name: `tenant-${tag}` } })).network;
    made.networks.push(net.id);
    const subnet = (await ok('POST', '/v2.0/subnets', { subnet: { network_id: net.id, cidr: '10.93.0.0/24', ip_version: 4, enable_dhcp: false } })).subnet;
    const router = (await ok('POST', '/v2.0/routers', { router: { name: `r-${tag}`, external_gateway_info: { network_id: ext.id, enable_snat: true } } })).router;
    made.routers.push(router.id);
    await ok('PUT', `/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: subnet.id });
    const ns = routerNamespace(router.id);
    await until(() => l3.routers.has(router.id), 'the router processed by the L3 agent');
    const qg = ((await get(`/v2.0/ports?device_id=${router.id}&device_owner=network:router_gateway`)).ports as JsonRecord[])[0]!;
    const qgDev = namespaceDeviceName('qg-', qg.id);

    // the guest, addressed as its port is
    const port = (await ok('POST', '/v2.0/ports', { port: { network_id: net.id, device_id: randomUUID(), device_owner: 'compute:nova', 'binding:host_id': host, port_security_enabled: false } })).port;
    await plugGuest(guestNs, hostNs, port);
    await execute('ip', ['addr', 'add', `${port.fixed_ips[0].ip_address}/24`, 'dev', 'eth0'], { namespace: guestNs });
    await execute('ip', ['route', 'add', 'default', 'via', '10.93.0.1'], { namespace: guestNs });
    await until(async () => (await get(`/v2.0/ports/${port.id}`)).port.status === 'ACTIVE', 'guest port ACTIVE');
    await until(() => ping(guestNs, '203.0.113.1').then(() => true, () => false), 'the guest reaches the outside');

    // a label of the router's project with one egress rule to the outside, and one for elsewhere
    const label = (await ok('POST', '/v2.0/metering/metering-labels', { metering_label: { name: `meter-${tag}`, tenant_id: router.project_id } })).metering_label;
    const rule = (await ok('POST', '/v2.0/metering/metering-label-rules', {
      metering_label_rule: { metering_label_id: label.id, direction: 'egress', destination_ip_prefix: '203.0.113.0/24' },
    })).metering_label_rule;
    const other = (await ok('POST', '/v2.0/metering/metering-labels', { metering_label: { name: `other-${tag}`, tenant_id: router.project_id } })).metering_label;
    await ok('POST', '/v2.0/metering/metering-label-rules', { metering_label_rule: { metering_label_id: other.id, direction: 'egress', destination_ip_prefix: '192.0.2.0/24' } });
    const expected = `-A ${rulesChain(label.id)} -d 203.0.113.0/24 -o ${qgDev} -j ${labelChain(label.id)}`;
    const filter = () => execute('iptables-save', ['-t', 'filter'], { namespace: ns });
    await until(async () => (await filter()).split('\n').includes(expected), 'the label rule in the router namespace');
    const saved = await filter();
    assert.ok(saved.split('\n').includes('-A FORWARD -j neutron-meter-FORWARD'), saved);
    assert.ok(saved.split('\n').includes(`-A neutron-meter-FORWARD -j ${rulesChain(label.id)}`), saved);
    assert.equal(labelChain(label.id), `neutron-meter-l-${label.id.slice(0, 12)}`);

    // what was counted before (the reachability probe came before the rule) is reported and done with
    await until(() => meters.some((m) => m.payload.label_id === label.id), 'a first l3.meter for the label');
    const start = meters.length;
    // 5 echo requests of 1000 bytes of data: 5 packets of 1028 bytes leave by the gateway
    await ping(guestNs, '203.0.113.1', 5).catch(() => undefined);
    await execute('busybox', ['ping', '-c', '5', '-s', '1000', '-W', '1', '203.0.113.1'], { namespace: guestNs });
    const since = () => meters.slice(start).filter((m) => m.payload.label_id === label.id);
    const total = () => since().reduce((acc, m) => ({ pkts: acc.pkts + m.payload.pkts, bytes: acc.bytes + m.payload.bytes }), { pkts: 0, bytes: 0 });
    await until(() => total().pkts >= 10, 'l3.meter notifications carry the pings');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(total(), { pkts: 10, bytes: 5 * (56 + 28) + 5 * 1028 });
    const last = since().at(-1)!;
    assert.equal(last.publisher, `metering.${host}`);
    assert.equal(last.payload.host, host);
    assert.equal(last.payload.project_id, router.project_id);
    assert.equal(last.payload.tenant_id, router.project_id);
    assert.ok(last.payload.first_update <= last.payload.last_update && typeof last.payload.time === 'number');
    t.diagnostic(`l3.meter for the label after the pings: ${JSON.stringify(total())}`);
    // the other label's rule matches nothing the guest sent
    assert.equal(meters.filter((m) => m.payload.label_id === other.id).reduce((n, m) => n + m.payload.pkts, 0), 0);

    // the rule's deletion empties the rule chain; the label's removes the chains
    await ok('DELETE', `/v2.0/metering/metering-label-rules/${rule.id}`);
    await until(async () => !(await filter()).includes(`-A ${rulesChain(label.id)} `), 'the rule gone from iptables');
    await ok('DELETE', `/v2.0/metering/metering-labels/${label.id}`);
    await until(async () => !(await filter()).includes(labelChain(label.id)), 'the label chains gone');
    assert.ok((await filter()).includes(`:${labelChain(other.id)} `), 'the other label stays');
    await ok('DELETE', `/v2.0/metering/metering-labels/${other.id}`);
    await until(async () => !(await filter()).includes('neutron-meter-l-'), 'no label chain left');

    await deleteNamespace(guestNs);
    await ok('DELETE', `/v2.0/ports/${port.id}`);
    await ok('PUT', `/v2.0/routers/${router.id}/remove_router_interface`, { subnet_id: subnet.id });
    await ok('DELETE', `/v2.0/routers/${router.id}`);
    await until(async () => !(await listNamespaces()).includes(ns), 'the router namespace removed');
    await until(() => !metering.driver.routerIds().includes(router.id), 'the metering agent forgot the router');
  });
});
