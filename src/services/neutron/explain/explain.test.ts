/**
 * The path explainer through the API on Neutron's state (the seed's questions): DHCP disabled
 * ("no IP"), a dead DHCP agent, a port admin-down, no router interface and no router gateway
 * ("pings the router but not the outside"), SNAT disabled, no floating IP and a missing
 * security-group rule ("cannot reach the VM from outside"); each answer names the first
 * broken hop and its fix, and the healthy path has no broken hop. Kernel hops are unknown here
 * (the harness runs the simulated data plane), which the answers say.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { NeutronContext } from '../common/context.js';
import { AGENT_TYPE_NUBO_SIM } from '../rpc/topics.js';
import { ADMIN, type Harness, startHarness, tokenFor } from '../testing/harness.js';

type JsonRecord = Record<string, any>;

let h: Harness;
/** Each topology in a project of its own (security group quota). */
let project = 'explain-0';
let A = tokenFor(project);
const B = tokenFor('explain-b');
let ext: JsonRecord;
let dhcpAgentId: string;

const post = async (path: string, body: JsonRecord, token = A): Promise<JsonRecord> => {
  const r = await h.request('POST', path, token, body);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
};

async function explain(from: string, to: string, extra = '', token = A) {
  return h.request('GET', `/v2.0/nubo-explain?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}${extra}`, token);
}

async function heartbeat(): Promise<void> {
  const agents = h.service.managers.agents;
  await agents.createOrUpdate({ binary: 'nubo-sim-agent', host: 'cmp1', topic: 'N/A', agent_type: AGENT_TYPE_NUBO_SIM, configurations: { physical_networks: ['*'], tunnel_types: ['vxlan', 'geneve'] } });
  await agents.createOrUpdate({ binary: 'neutron-dhcp-agent', host: 'net1', topic: 'dhcp_agent', agent_type: 'DHCP agent', configurations: {} });
}

/** A tenant network and subnet served by the DHCP agent, a router with interface and gateway, and a bound ACTIVE server port. */
async function topology(opts: { dhcp?: boolean; iface?: boolean; gateway?: boolean; snat?: boolean } = {}) {
  project = `explain-${Number(project.split('-')[1]) + 1}`;
  A = tokenFor(project);
  const net = (await post('/v2.0/networks', { network: { name: 'private' } })).network;
  const subnet = (await post('/v2.0/subnets', { subnet: { network_id: net.id, cidr: '10.0.0.0/24', ip_version: 4, enable_dhcp: opts.dhcp ?? true } })).subnet;
  const router = (await post('/v2.0/routers', { router: { name: 'r1' } })).router;
  if (opts.iface ?? true) assert.equal((await h.request('PUT', `/v2.0/routers/${router.id}/add_router_interface`, A, { subnet_id: subnet.id })).status, 200);
  if (opts.gateway ?? true) {
    const r = await h.request('PUT', `/v2.0/routers/${router.id}`, ADMIN, { router: { external_gateway_info: { network_id: ext.id, enable_snat: opts.snat ?? true } } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }
  const server = randomUUID();
  const sg = (await post('/v2.0/security-groups', { security_group: { name: `web-${server.slice(0, 6)}` } })).security_group;
  const port = (await post('/v2.0/ports', { port: { network_id: net.id, device_id: server, device_owner: 'compute:nova', security_groups: [sg.id] } })).port;
  const bound = await h.request('PUT', `/v2.0/ports/${port.id}`, ADMIN, { port: { 'binding:host_id': 'cmp1' } });
  assert.equal(bound.body.port['binding:vif_type'], 'tap');
  await h.service.managers.ports.setStatus(NeutronContext.admin(), port.id, 'ACTIVE', 'cmp1');
  return { net, subnet, router, server, sg, port };
}

const hopOf = (body: JsonRecord, name: string): JsonRecord => body.explanation.hops.find((x: JsonRecord) => x.hop === name);

before(async () => {
  h = await startHarness();
  ext = (await h.request('POST', '/v2.0/networks', ADMIN, { network: { name: 'public', 'router:external': true } })).body.network;
  await h.request('POST', '/v2.0/subnets', ADMIN, { subnet: { network_id: ext.id, cidr: '203.0.113.0/24', ip_version: 4, enable_dhcp: false } });
  await heartbeat();
  dhcpAgentId = (await h.service.managers.agents.byTypeAndHost('DHCP agent', 'net1'))[0]!.id;
});
after(() => h.close());

describe('nubo-path-explain', () => {
  test('the extension is listed', async () => {
    const r = await h.request('GET', '/v2.0/extensions/nubo-path-explain', A);
    assert.equal(r.status, 200);
    assert.equal(r.body.extension.name, 'Nubo path explainer');
  });

  test('a healthy path to the outside: every Neutron hop ok, the kernel hops unknown with why', async () => {
    await heartbeat();
    const t = await topology();
    const r = await explain(t.server, 'outside');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const e = r.body.explanation;
    assert.equal(e.first_broken_hop, null, e.summary);
    assert.equal(e.verdict, 'unknown');
    assert.ok(e.hops.filter((x: JsonRecord) => x.source === 'neutron').every((x: JsonRecord) => x.verdict === 'ok'), JSON.stringify(e.hops, null, 1));
    assert.match(hopOf(r.body, 'source tap in bridge').evidence, /data plane is simulated/);
    assert.match(hopOf(r.body, 'SNAT to the outside').evidence, /SNATs 10\.0\.0\.\d+ to 203\.0\.113\./);
  });

  test('DHCP disabled: "no IP"', async () => {
    await heartbeat();
    const t = await topology({ dhcp: false });
    const e = (await explain(t.port.fixed_ips[0].ip_address, 'outside')).body.explanation;
    assert.equal(e.first_broken_hop, 'source DHCP');
    assert.match(e.summary, /gets no IP address/);
    assert.equal(hopOf({ explanation: e }, 'source DHCP').fix, `openstack subnet set --dhcp ${t.subnet.id}`);
  });

  test('the DHCP agent is dead: "no IP", restart it', async () => {
    await heartbeat();
    const t = await topology();
    await h.database.db.updateTable('agents').set({ heartbeat_timestamp: new Date(Date.now() - 3600_000).toISOString() }).where('id', '=', dhcpAgentId).execute();
    const e = (await explain(t.port.id, 'outside')).body.explanation;
    assert.equal(e.first_broken_hop, 'source DHCP');
    assert.match(e.summary, /dead since/);
    assert.match(hopOf({ explanation: e }, 'source DHCP').fix, /^nubo serve network-dhcp-agent --host net1/);
    await heartbeat();
  });

  test('port admin-down', async () => {
    await heartbeat();
    const t = await topology();
    await h.request('PUT', `/v2.0/ports/${t.port.id}`, A, { port: { admin_state_up: false } });
    const e = (await explain(t.server, 'outside')).body.explanation;
    assert.equal(e.first_broken_hop, 'source port status');
    assert.equal(hopOf({ explanation: e }, 'source port status').fix, `openstack port set --enable ${t.port.id}`);
  });

  test('a binding that failed (no L2 agent on the host)', async () => {
    await heartbeat();
    const t = await topology();
    // what ML2 records when no mechanism driver binds the port on its host (here the noop driver would bind it as `other`)
    await h.database.db.updateTable('ports').set({ binding_host_id: 'nowhere', binding_vif_type: 'binding_failed' }).where('id', '=', t.port.id).execute();
    assert.equal((await h.request('GET', `/v2.0/ports/${t.port.id}`, ADMIN)).body.port['binding:vif_type'], 'binding_failed');
    const e = (await explain(t.server, 'outside')).body.explanation;
    assert.equal(e.first_broken_hop, 'source port binding');
    assert.match(e.summary, /binding of port .* on host nowhere failed/);
    assert.match(hopOf({ explanation: e }, 'source port binding').fix, /nubo serve network-l2-agent --host nowhere.*openstack port set --host nowhere/);
  });

  test('no router interface on the subnet: the gateway answers nobody', async () => {
    await heartbeat();
    const t = await topology({ iface: false });
    const e = (await explain(t.server, 'outside')).body.explanation;
    assert.equal(e.first_broken_hop, 'source router interface');
    assert.match(hopOf({ explanation: e }, 'source router interface').fix, new RegExp(`^openstack router add subnet <router> ${t.subnet.id}`));
  });

  test('router without gateway: "pings the router but not the outside"', async () => {
    await heartbeat();
    const t = await topology({ gateway: false });
    const e = (await explain(t.server, 'outside')).body.explanation;
    assert.equal(e.first_broken_hop, 'router external gateway');
    assert.match(e.summary, /can reach its router but not the outside/);
    assert.equal(hopOf({ explanation: e }, 'router external gateway').fix, `openstack router set --external-gateway ${ext.id} ${t.router.id}`);
  });

  test('SNAT disabled', async () => {
    await heartbeat();
    const t = await topology({ snat: false });
    const e = (await explain(t.server, 'outside')).body.explanation;
    assert.equal(e.first_broken_hop, 'SNAT to the outside');
    assert.equal(hopOf({ explanation: e }, 'SNAT to the outside').fix, `openstack router set --external-gateway ${ext.id} --enable-snat ${t.router.id}`);
  });

  test('no floating IP, then a missing security-group rule: "cannot reach the VM from outside"; with both, the path is whole', async () => {
    await heartbeat();
    const t = await topology();
    let e = (await explain('outside', t.server, '&protocol=tcp&port=22')).body.explanation;
    assert.equal(e.first_broken_hop, 'floating IP');
    assert.match(e.summary, /cannot be reached from the outside/);
    assert.match(hopOf({ explanation: e }, 'floating IP').fix, new RegExp(`^openstack server add floating ip ${t.server} \\$\\(openstack floating ip create ${ext.id}`));

    const fip = (await post('/v2.0/floatingips', { floatingip: { floating_network_id: ext.id, port_id: t.port.id } })).floatingip;
    e = (await explain('outside', fip.floating_ip_address, '&protocol=tcp&port=22')).body.explanation;
    assert.equal(e.first_broken_hop, 'destination security groups (ingress)');
    assert.match(e.summary, /no ingress rule .* allows tcp\/22 from the outside/);
    // an admin also sees the floating IP's own network:floatingip port holding the address: the floating IP is still what is meant
    assert.equal((await explain('outside', fip.floating_ip_address, '&protocol=tcp&port=22', ADMIN)).body.explanation.first_broken_hop, 'destination security groups (ingress)');
    assert.equal(hopOf({ explanation: e }, 'destination security groups (ingress)').fix,
      `openstack security group rule create --ingress --ethertype IPv4 --protocol tcp --dst-port 22 --remote-ip 0.0.0.0/0 ${t.sg.id}`);

    // a rule for another port or prefix does not count; the right one does
    await post('/v2.0/security-group-rules', { security_group_rule: { security_group_id: t.sg.id, direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', port_range_min: 80, port_range_max: 80 } });
    await post('/v2.0/security-group-rules', { security_group_rule: { security_group_id: t.sg.id, direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', port_range_min: 22, port_range_max: 22, remote_ip_prefix: '198.51.100.0/24' } });
    assert.equal((await explain('outside', fip.floating_ip_address, '&protocol=tcp&port=22')).body.explanation.first_broken_hop, 'destination security groups (ingress)');
    await post('/v2.0/security-group-rules', { security_group_rule: { security_group_id: t.sg.id, direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', port_range_min: 20, port_range_max: 30, remote_ip_prefix: '0.0.0.0/0' } });
    e = (await explain('outside', fip.floating_ip_address, '&protocol=tcp&port=22')).body.explanation;
    assert.equal(e.first_broken_hop, null, e.summary);
    assert.match(hopOf({ explanation: e }, 'floating IP').evidence, new RegExp(fip.floating_ip_address.replace(/\./g, '\\.')));
  });

  test('between two ports: remote_group_id, and port security off', async () => {
    await heartbeat();
    const t = await topology();
    const other = (await post('/v2.0/ports', { port: { network_id: t.net.id, device_id: randomUUID(), device_owner: 'compute:nova', security_groups: [t.sg.id] } })).port;
    await h.request('PUT', `/v2.0/ports/${other.id}`, ADMIN, { port: { 'binding:host_id': 'cmp1' } });
    await h.service.managers.ports.setStatus(NeutronContext.admin(), other.id, 'ACTIVE', 'cmp1');
    let e = (await explain(t.port.id, other.id, '&protocol=icmp')).body.explanation;
    assert.equal(e.first_broken_hop, 'destination security groups (ingress)');
    // a remote address group allows the source only while it holds the source's address
    const ag = (await post('/v2.0/address-groups', { address_group: { addresses: ['192.0.2.0/24'] } })).address_group;
    const agRule = (await post('/v2.0/security-group-rules', { security_group_rule: { security_group_id: t.sg.id, direction: 'ingress', ethertype: 'IPv4', protocol: 'icmp', remote_address_group_id: ag.id } })).security_group_rule;
    e = (await explain(t.port.id, other.id, '&protocol=icmp')).body.explanation;
    assert.equal(e.first_broken_hop, 'destination security groups (ingress)', 'the source is not in the address group');
    assert.equal((await h.request('PUT', `/v2.0/address-groups/${ag.id}/add_addresses`, A, { addresses: [t.port.fixed_ips[0].ip_address] })).status, 200);
    e = (await explain(t.port.id, other.id, '&protocol=icmp')).body.explanation;
    assert.equal(e.first_broken_hop, null, e.summary);
    assert.equal((await h.request('DELETE', `/v2.0/security-group-rules/${agRule.id}`, A)).status, 204);
    await post('/v2.0/security-group-rules', { security_group_rule: { security_group_id: t.sg.id, direction: 'ingress', ethertype: 'IPv4', protocol: 'icmp', remote_group_id: t.sg.id } });
    e = (await explain(t.port.id, other.id, '&protocol=icmp')).body.explanation;
    assert.equal(e.first_broken_hop, null, e.summary);
    assert.ok(!e.hops.some((x: JsonRecord) => x.hop.includes('router')), 'same network: no router hop');
    // tcp/22 is not allowed by the group; with port security off on the destination, nothing filters it
    assert.equal((await explain(t.port.id, other.id, '&port=22')).body.explanation.first_broken_hop, 'destination security groups (ingress)');
    assert.equal((await h.request('PUT', `/v2.0/ports/${other.id}`, A, { port: { security_groups: [], port_security_enabled: false } })).status, 200);
    e = (await explain(t.port.id, other.id, '&port=22')).body.explanation;
    assert.equal(e.first_broken_hop, null, e.summary);
    assert.match(hopOf({ explanation: e }, 'destination security groups (ingress)').evidence, /port security is disabled/);
  });

  test('bad input and other projects: 400, 404, 403', async () => {
    assert.equal((await h.request('GET', '/v2.0/nubo-explain?from=outside', A)).status, 400);
    assert.equal((await explain('outside', 'outside')).status, 400);
    assert.equal((await explain('outside', '10.9.9.9', '&protocol=tcp&port=99999')).status, 400);
    assert.equal((await explain('outside', '10.9.9.9', '&protocol=icmp&port=22')).status, 400);
    assert.equal((await explain('outside', '10.9.9.9', '&protocol=sctp')).status, 400);
    assert.equal((await explain('outside', randomUUID())).status, 404);
    assert.equal((await explain('outside', 'not-a-thing')).status, 404);
    await heartbeat();
    const t = await topology();
    // project B cannot see A's port
    const r = await explain('outside', t.port.id, '', B);
    assert.equal(r.status, 404);
    // a reader-less token is refused by policy
    assert.equal((await h.request('GET', `/v2.0/nubo-explain?from=outside&to=${t.port.id}`, `${project}:member`)).status, 403);
  });
});
