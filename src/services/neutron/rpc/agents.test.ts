/**
 * Agents over the bus: the agent-side runtime reports state and appears alive in
 * /v2.0/agents (dead once its heartbeat is older than agent_down_time); a DHCP agent gets the
 * network scheduled and receives subnet/port notifications; L2 agents get port_update fanouts;
 * update_device_up moves a port to ACTIVE and queues nova's network-vif-plugged.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { NotificationListener, RpcClient } from '../../../common/messaging/index.js';
import { AgentRuntime, type DhcpAgentHandlers, type L2AgentHandlers } from '../agent/agent-base.js';
import { DhcpPluginApi, L2PluginApi } from '../agent/plugin-api.js';
import { ADMIN, type Harness, startHarness, tokenFor } from '../testing/harness.js';
import { until } from '../../../common/testing/until.js';
import { TOPIC_REPORTS } from './topics.js';

let h: Harness;
type JsonRecord = Record<string, unknown>;
const received: Array<{ method: string; args: JsonRecord }> = [];
const runtimes: AgentRuntime[] = [];
const A = tokenFor('agents-a');

function recorder<T extends object>(methods: string[]): T {
  const o: Record<string, unknown> = {};
  for (const m of methods) o[m] = async (_ctx: JsonRecord, args: JsonRecord) => { received.push({ method: m, args }); };
  return o as T;
}

before(async () => {
  h = await startHarness();
  const dhcp = new AgentRuntime(h.transport, { binary: 'neutron-dhcp-agent', host: 'net1', topic: 'dhcp_agent', agentType: 'DHCP agent', availabilityZone: 'nova', configurations: () => ({ networks: 0 }) }, {
    kind: 'dhcp',
    handlers: recorder<DhcpAgentHandlers>(['network_create_end', 'network_update_end', 'network_delete_end', 'subnet_create_end', 'subnet_update_end', 'subnet_delete_end', 'port_create_end', 'port_update_end', 'port_delete_end', 'agent_updated']),
  }, 30, h.periodic);
  const l2 = new AgentRuntime(h.transport, { binary: 'neutron-linuxbridge-agent', host: 'compute1', topic: 'N/A', agentType: 'Linux bridge agent', configurations: () => ({ interface_mappings: { physnet1: 'eth1' }, tunnel_types: ['vxlan'] }) }, {
    kind: 'l2',
    handlers: recorder<L2AgentHandlers>(['port_update', 'port_delete', 'network_update', 'network_delete', 'security_groups_rule_updated', 'security_groups_member_updated']),
  }, 30, h.periodic);
  for (const r of [dhcp, l2]) {
    await r.start();
    runtimes.push(r);
  }
});
after(async () => {
  for (const r of runtimes) await r.stop();
  await h.close();
});

describe('notifications', () => {
  test('resource operations are notified as <resource>.<action>.start/end', async () => {
    const seen: Array<{ publisher: string; event: string; payload: JsonRecord }> = [];
    const listener = new NotificationListener(h.transport, [{ topic: 'notifications' }], [{
      info: (_ctx, publisher, event, payload) => { seen.push({ publisher, event, payload: payload as JsonRecord }); },
    }], { pool: 'neutron-test' });
    await listener.start();
    try {
      const net = (await h.request('POST', '/v2.0/networks', A, { network: { name: 'notified' } })).body.network;
      await h.request('DELETE', `/v2.0/networks/${net.id}`, A);
      await until(() => seen.some((s) => s.event === 'network.delete.end'), 'network.delete.end');
      const events = seen.map((s) => s.event);
      for (const e of ['network.create.start', 'network.create.end', 'network.delete.start', 'network.delete.end']) assert.ok(events.includes(e), e);
      const created = seen.find((s) => s.event === 'network.create.end')!;
      assert.equal(created.publisher, 'network.testhost');
      assert.equal((created.payload.network as JsonRecord).id, net.id);
      assert.equal(seen.find((s) => s.event === 'network.delete.end')!.payload.network_id, net.id);
    } finally {
      await listener.stop();
    }
  });
});

describe('agents', () => {
  test('report_state registers agents; they are alive, then dead without heartbeats', async () => {
    const list = await h.request('GET', '/v2.0/agents', ADMIN);
    const types = list.body.agents.map((a: JsonRecord) => a.agent_type).sort();
    assert.deepEqual(types, ['DHCP agent', 'Linux bridge agent']);
    const dhcp = list.body.agents.find((a: JsonRecord) => a.agent_type === 'DHCP agent');
    assert.equal(dhcp.alive, true);
    assert.equal(dhcp.host, 'net1');
    assert.match(dhcp.heartbeat_timestamp, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    assert.deepEqual((await h.request('GET', '/v2.0/availability_zones', A)).body.availability_zones, [{ name: 'nova', resource: 'network', state: 'available' }]);
    // a second report from the same agent is "alive"
    const client = new RpcClient(h.transport, { topic: TOPIC_REPORTS, version: '1.4' });
    const status = await client.call({}, 'report_state', { agent_state: { agent_state: { binary: 'neutron-dhcp-agent', host: 'net1', topic: 'dhcp_agent', agent_type: 'DHCP agent', configurations: {} } }, time: new Date().toISOString() });
    assert.equal(status, 'alive');
    // a heartbeat older than agent_down_time (75 s) means dead
    await h.database.db.updateTable('agents').set({ heartbeat_timestamp: new Date(Date.now() - 120_000).toISOString().replace(/\.\d+Z$/, 'Z') }).where('id', '=', String(dhcp.id)).execute();
    assert.equal((await h.request('GET', `/v2.0/agents/${dhcp.id}`, ADMIN)).body.agent.alive, false);
    assert.equal((await h.request('GET', '/v2.0/agents?alive=false', ADMIN)).body.agents.length, 1);
    assert.equal(await client.call({}, 'report_state', { agent_state: { agent_state: { binary: 'neutron-dhcp-agent', host: 'net1', topic: 'dhcp_agent', agent_type: 'DHCP agent' } }, time: new Date().toISOString() }), 'revived');
    assert.deepEqual((await h.request('GET', '/v2.0/agents', A)).body, { agents: [] });
  });

  test('DHCP agents get the network scheduled and are told about subnets and ports', async () => {
    received.length = 0;
    const net = (await h.request('POST', '/v2.0/networks', A, { network: { name: 'dhcp-net' } })).body.network;
    await h.request('POST', '/v2.0/subnets', A, { subnet: { network_id: net.id, cidr: '10.90.0.0/24', ip_version: 4 } });
    await until(() => received.some((r) => r.method === 'subnet_create_end'), 'subnet_create_end');
    assert.ok(received.some((r) => r.method === 'network_create_end' && (r.args.payload as JsonRecord).network !== undefined));
    const hosting = await h.request('GET', `/v2.0/networks/${net.id}/dhcp-agents`, ADMIN);
    assert.deepEqual(hosting.body.agents.map((a: JsonRecord) => a.host), ['net1']);
    const port = (await h.request('POST', '/v2.0/ports', A, { port: { network_id: net.id } })).body.port;
    await until(() => received.some((r) => r.method === 'port_create_end'), 'port_create_end');
    await h.request('DELETE', `/v2.0/ports/${port.id}`, A);
    await until(() => received.some((r) => r.method === 'port_delete_end'), 'port_delete_end');
    assert.equal((received.find((r) => r.method === 'port_delete_end')!.args.payload as JsonRecord).port_id, port.id);
  });

  test('L2: port_update fanout; device up makes the port ACTIVE and queues network-vif-plugged', async () => {
    received.length = 0;
    const net = (await h.request('POST', '/v2.0/networks', A, { network: { name: 'l2-net' } })).body.network;
    await h.request('POST', '/v2.0/subnets', A, { subnet: { network_id: net.id, cidr: '10.91.0.0/24', ip_version: 4 } });
    const serverId = '0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0';
    const port = (await h.request('POST', '/v2.0/ports', ADMIN, { port: { network_id: net.id, project_id: 'agents-a', device_owner: 'compute:nova', device_id: serverId, 'binding:host_id': 'compute1' } })).body.port;
    await h.request('PUT', `/v2.0/ports/${port.id}`, ADMIN, { port: { name: 'renamed' } });
    await until(() => received.some((r) => r.method === 'port_update'), 'port_update');
    const upd = received.find((r) => r.method === 'port_update')!.args;
    assert.equal((upd.port as JsonRecord).id, port.id);
    assert.equal(upd.network_type, 'vxlan');
    const queued: unknown[] = [];
    const original = h.service.nova.queue.bind(h.service.nova);
    h.service.nova.queue = (e) => { queued.push(e); original(e); };
    const api = new L2PluginApi(h.transport, 'compute1');
    const details = await api.getDevicesDetailsList({}, [`tap${String(port.id).slice(0, 11)}`], 'agent-1');
    assert.equal(details[0]!.port_id, port.id);
    assert.equal(details[0]!.mac_address, port.mac_address);
    await api.updateDeviceUp({}, String(port.id), 'agent-1');
    assert.equal((await h.request('GET', `/v2.0/ports/${port.id}`, ADMIN)).body.port.status, 'ACTIVE');
    await until(() => queued.length > 0, 'vif event');
    assert.deepEqual(queued[0], { server_uuid: serverId, name: 'network-vif-plugged', status: 'completed', tag: port.id });
    await api.updateDeviceDown({}, String(port.id), 'agent-1');
    assert.equal((await h.request('GET', `/v2.0/ports/${port.id}`, ADMIN)).body.port.status, 'DOWN');
  });

  test('L2: security group members change with ports created, readdressed, regrouped and deleted', async () => {
    const net = (await h.request('POST', '/v2.0/networks', A, { network: { name: 'sg-net' } })).body.network;
    const subnet = (await h.request('POST', '/v2.0/subnets', A, { subnet: { network_id: net.id, cidr: '10.92.0.0/24', ip_version: 4, allocation_pools: [{ start: '10.92.0.2', end: '10.92.0.99' }] } })).body.subnet;
    const sg = (await h.request('POST', '/v2.0/security-groups', A, { security_group: { name: 'members' } })).body.security_group;
    const memberCasts = () => received.filter((r) => r.method === 'security_groups_member_updated').map((r) => r.args.security_groups as string[]);
    const expectCast = async (what: string, groups: string[]) => {
      await until(() => memberCasts().some((g) => JSON.stringify([...g].sort()) === JSON.stringify([...groups].sort())), what);
      received.length = 0;
    };
    received.length = 0;
    const port = (await h.request('POST', '/v2.0/ports', A, { port: { network_id: net.id, security_groups: [sg.id] } })).body.port;
    await expectCast('member update on create', [sg.id]);
    // an address outside the pools: the one the port was given is always another
    const readdressed = await h.request('PUT', `/v2.0/ports/${port.id}`, A, { port: { fixed_ips: [{ subnet_id: subnet.id, ip_address: '10.92.0.177' }] } });
    assert.equal(readdressed.status, 200, JSON.stringify(readdressed.body));
    await expectCast('member update on a new address', [sg.id]);
    const def = (await h.request('GET', '/v2.0/security-groups?name=default', A)).body.security_groups[0];
    await h.request('PUT', `/v2.0/ports/${port.id}`, A, { port: { security_groups: [def.id] } });
    await expectCast('member update of both groups on regrouping', [sg.id, def.id]);
    await h.request('PUT', `/v2.0/ports/${port.id}`, A, { port: { name: 'quiet' } });
    await h.request('DELETE', `/v2.0/ports/${port.id}`, A);
    await until(() => memberCasts().length > 0, 'member update on delete');
    // the rename alone cast nothing: the delete's is the only cast since the regrouping
    assert.deepEqual(memberCasts(), [[def.id]]);
  });

  test('l2population: a host\'s first active port gets it the network\'s entries and tells the others; down and gone remove them', async () => {
    const fdb: Array<{ host: string; method: string; entries: Record<string, { segment_id: number; network_type: string; ports: Record<string, string[][]> }> }> = [];
    const l2popAgent = async (host: string, ip: string) => {
      const handlers = recorder<L2AgentHandlers>(['port_update', 'port_delete', 'network_update', 'network_delete', 'security_groups_rule_updated', 'security_groups_member_updated']);
      for (const method of ['add_fdb_entries', 'remove_fdb_entries']) {
        (handlers as unknown as Record<string, unknown>)[method] = async (_ctx: JsonRecord, args: JsonRecord) => { fdb.push({ host, method, entries: args.fdb_entries as never }); };
      }
      const r = new AgentRuntime(h.transport, {
        binary: 'neutron-linuxbridge-agent', host, topic: 'N/A', agentType: 'Linux bridge agent',
        configurations: () => ({ interface_mappings: {}, tunnel_types: ['vxlan'], tunneling_ip: ip, l2_population: true }),
      }, { kind: 'l2', handlers, l2population: true }, 30, h.periodic);
      await r.start();
      runtimes.push(r);
    };
    await l2popAgent('pop1', '192.0.2.1');
    await l2popAgent('pop2', '192.0.2.2');
    const net = (await h.request('POST', '/v2.0/networks', A, { network: { name: 'l2pop' } })).body.network;
    await h.request('POST', '/v2.0/subnets', A, { subnet: { network_id: net.id, cidr: '10.97.0.0/24', ip_version: 4, enable_dhcp: false } });
    const port = async (host: string) => (await h.request('POST', '/v2.0/ports', ADMIN, { port: { network_id: net.id, project_id: 'agents-a', device_owner: 'compute:nova', 'binding:host_id': host } })).body.port;
    const p1 = await port('pop1');
    const p2 = await port('pop2');
    const p3 = await port('pop2');
    const pair = (p: JsonRecord) => [p.mac_address, (p.fixed_ips as JsonRecord[])[0]!.ip_address];
    const flood = ['00:00:00:00:00:00', '0.0.0.0'];
    const segmentId = (await h.request('GET', `/v2.0/networks/${net.id}`, ADMIN)).body.network['provider:segmentation_id'];
    const seg = { segment_id: segmentId, network_type: 'vxlan' };
    const casts = async (what: string, n: number) => {
      await until(() => fdb.length >= n, what);
      return fdb.splice(0);
    };
    await new L2PluginApi(h.transport, 'pop1').updateDeviceUp({}, String(p1.id), 'lbpop1');
    // no other host has ports yet: only the fanout of pop1's flooding entry and pair (every agent hears a fanout)
    let got = await casts('p1 up', 2);
    for (const c of got) assert.deepEqual(c, { host: c.host, method: 'add_fdb_entries', entries: { [net.id]: { ...seg, ports: { '192.0.2.1': [flood, pair(p1)] } } } });
    await new L2PluginApi(h.transport, 'pop2').updateDeviceUp({}, String(p2.id), 'lbpop2');
    // pop2's first port: pop2 alone is sent pop1's entries, then everyone hears of pop2
    got = await casts('p2 up', 3);
    assert.deepEqual(got.filter((c) => c.entries[net.id]!.ports['192.0.2.1']), [{ host: 'pop2', method: 'add_fdb_entries', entries: { [net.id]: { ...seg, ports: { '192.0.2.1': [flood, pair(p1)] } } } }]);
    assert.deepEqual(got.filter((c) => c.entries[net.id]!.ports['192.0.2.2']).map((c) => c.entries), [1, 2].map(() => ({ [net.id]: { ...seg, ports: { '192.0.2.2': [flood, pair(p2)] } } })));
    // a second port on pop2: its pair alone
    await new L2PluginApi(h.transport, 'pop2').updateDeviceUp({}, String(p3.id), 'lbpop2');
    got = await casts('p3 up', 2);
    for (const c of got) assert.deepEqual(c.entries, { [net.id]: { ...seg, ports: { '192.0.2.2': [pair(p3)] } } });
    // p2 down: its pair goes; p3 deleted: pop2's last port, so its flooding entry goes too
    await new L2PluginApi(h.transport, 'pop2').updateDeviceDown({}, String(p2.id), 'lbpop2');
    got = await casts('p2 down', 2);
    for (const c of got) assert.deepEqual({ method: c.method, entries: c.entries }, { method: 'remove_fdb_entries', entries: { [net.id]: { ...seg, ports: { '192.0.2.2': [pair(p2)] } } } });
    assert.equal((await h.request('DELETE', `/v2.0/ports/${p3.id}`, ADMIN)).status, 204);
    got = await casts('p3 deleted', 2);
    for (const c of got) assert.deepEqual({ method: c.method, entries: c.entries }, { method: 'remove_fdb_entries', entries: { [net.id]: { ...seg, ports: { '192.0.2.2': [flood, pair(p3)] } } } });
  });

  test('a DHCP agent asking for its networks takes those no DHCP agent hosts yet (network_auto_schedule)', async () => {
    const net = (await h.request('POST', '/v2.0/networks', A, { network: { name: 'unhosted' } })).body.network;
    await h.request('POST', '/v2.0/subnets', A, { subnet: { network_id: net.id, cidr: '10.95.0.0/24', ip_version: 4 } });
    const noDhcp = (await h.request('POST', '/v2.0/networks', A, { network: { name: 'no-dhcp' } })).body.network;
    await h.request('POST', '/v2.0/subnets', A, { subnet: { network_id: noDhcp.id, cidr: '10.96.0.0/24', ip_version: 4, enable_dhcp: false } });
    // made while no DHCP agent was there: the binding the scheduler made is taken away
    const agentId = (await h.request('GET', '/v2.0/agents?agent_type=DHCP%20agent&host=net1', ADMIN)).body.agents[0].id;
    assert.equal((await h.request('DELETE', `/v2.0/agents/${agentId}/dhcp-networks/${net.id}`, ADMIN)).status, 204);
    assert.deepEqual((await h.request('GET', `/v2.0/networks/${net.id}/dhcp-agents`, ADMIN)).body.agents, []);
    const infos = await new DhcpPluginApi(h.transport, 'net1').getActiveNetworksInfo({});
    assert.ok(infos.some((n) => n.id === net.id));
    assert.ok(!infos.some((n) => n.id === noDhcp.id));
    assert.deepEqual((await h.request('GET', `/v2.0/networks/${net.id}/dhcp-agents`, ADMIN)).body.agents.map((a: JsonRecord) => a.host), ['net1']);
  });
});
