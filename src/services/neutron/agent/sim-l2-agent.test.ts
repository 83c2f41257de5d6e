/**
 * The simulated L2 agent over Neutron's agent RPC: it shows in /v2.0/agents alive with its
 * host; the nubo_sim driver binds ports on its host with vif_type "tap" (noop binds the others,
 * which stay DOWN); a bound compute port goes ACTIVE through the agent's device reports and
 * nova's network-vif-plugged is queued; unbinding reports the device down.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createLogger } from '../../../common/log/logger.js';
import { PeriodicTasks } from '../../../common/service/periodic.js';
import { NeutronContext } from '../common/context.js';
import { ADMIN, type Harness, startHarness } from '../testing/harness.js';
import { SimL2Agent } from './sim-l2-agent.js';

type JsonRecord = Record<string, any>;
let h: Harness;
let agent: SimL2Agent;
const queued: JsonRecord[] = [];
const SERVER = '1f2e3d4c-5b6a-4798-8a9b-0c1d2e3f4a5b';

async function until(pred: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await pred()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`timed out waiting for ${what}`);
}

const portOf = async (id: string): Promise<JsonRecord> => (await h.request('GET', `/v2.0/ports/${id}`, ADMIN)).body.port;

const newAgent = (periodic = h.periodic): SimL2Agent => new SimL2Agent({
  transport: h.transport, host: 'sim1', log: createLogger({ level: 'silent' }), reportInterval: 30, availabilityZone: 'nova',
  physicalNetworks: ['physnet1'], tunnelTypes: ['vxlan'], periodic,
});

before(async () => {
  h = await startHarness();
  agent = newAgent();
  await agent.start();
  const original = h.service.nova.queue.bind(h.service.nova);
  h.service.nova.queue = (e) => { if (e) queued.push(e); original(e); };
});
after(async () => {
  await agent.stop();
  await h.close();
});

describe('simulated L2 agent', () => {
  test('shows in /v2.0/agents alive with its host, type and configuration', async () => {
    const agents = (await h.request('GET', '/v2.0/agents?agent_type=Nubo%20simulated%20L2%20agent', ADMIN)).body.agents;
    assert.equal(agents.length, 1);
    assert.equal(agents[0].host, 'sim1');
    assert.equal(agents[0].alive, true);
    assert.equal(agents[0].binary, 'neutron-nubo-sim-agent');
    assert.deepEqual(agents[0].configurations.physical_networks, ['physnet1']);
  });

  test('a compute port bound on its host goes DOWN -> ACTIVE and nova hears network-vif-plugged; unbinding takes it DOWN', async () => {
    const net = (await h.request('POST', '/v2.0/networks', ADMIN, { network: { name: 'sim-net' } })).body.network;
    await h.request('POST', '/v2.0/subnets', ADMIN, { subnet: { network_id: net.id, cidr: '10.92.0.0/24', ip_version: 4 } });
    const port = (await h.request('POST', '/v2.0/ports', ADMIN, { port: { network_id: net.id } })).body.port;
    assert.equal(port.status, 'DOWN');
    const bound = await h.request('PUT', `/v2.0/ports/${port.id}`, ADMIN, { port: { device_id: SERVER, device_owner: 'compute:nova', 'binding:host_id': 'sim1' } });
    assert.equal(bound.body.port['binding:vif_type'], 'tap');
    assert.deepEqual(bound.body.port['binding:vif_details'], { port_filter: false, connectivity: 'l2' });
    await until(async () => (await portOf(port.id)).status === 'ACTIVE', 'port ACTIVE');
    await agent.idle();
    assert.equal(agent.devices.get(port.id)?.up, true);
    await until(() => queued.some((e) => e.name === 'network-vif-plugged' && e.tag === port.id), 'network-vif-plugged');
    assert.deepEqual(queued.find((e) => e.name === 'network-vif-plugged'), { server_uuid: SERVER, name: 'network-vif-plugged', status: 'completed', tag: port.id });
    // admin down: the agent reports the device down
    await h.request('PUT', `/v2.0/ports/${port.id}`, ADMIN, { port: { admin_state_up: false } });
    await until(async () => agent.devices.get(port.id)?.up === false, 'device reported down on admin_state_up=false');
    assert.equal((await portOf(port.id)).status, 'DOWN');
    await h.request('PUT', `/v2.0/ports/${port.id}`, ADMIN, { port: { admin_state_up: true } });
    await until(async () => (await portOf(port.id)).status === 'ACTIVE', 'port ACTIVE again');
    // unbound: update_device_down, and nova hears network-vif-unplugged
    await h.request('PUT', `/v2.0/ports/${port.id}`, ADMIN, { port: { 'binding:host_id': '' } });
    await until(() => !agent.devices.has(port.id), 'device forgotten after unbind');
    await agent.idle();
    assert.equal((await portOf(port.id)).status, 'DOWN');
    await until(() => queued.some((e) => e.name === 'network-vif-unplugged' && e.tag === port.id), 'network-vif-unplugged');
  });

  test('ports on hosts without the agent, or on segments it cannot reach, are bound by noop and stay DOWN', async () => {
    const net = (await h.request('POST', '/v2.0/networks', ADMIN, { network: { name: 'sim-net2' } })).body.network;
    await h.request('POST', '/v2.0/subnets', ADMIN, { subnet: { network_id: net.id, cidr: '10.93.0.0/24', ip_version: 4 } });
    const flat = (await h.request('POST', '/v2.0/networks', ADMIN, {
      network: { name: 'sim-flat', 'provider:network_type': 'flat', 'provider:physical_network': 'elsewhere' },
    })).body.network;
    await h.request('POST', '/v2.0/subnets', ADMIN, { subnet: { network_id: flat.id, cidr: '10.94.0.0/24', ip_version: 4 } });
    const other = (await h.request('POST', '/v2.0/ports', ADMIN, { port: { network_id: net.id } })).body.port;
    const unreachable = (await h.request('POST', '/v2.0/ports', ADMIN, { port: { network_id: flat.id } })).body.port;
    const a = await h.request('PUT', `/v2.0/ports/${other.id}`, ADMIN, { port: { device_id: SERVER, device_owner: 'compute:nova', 'binding:host_id': 'nosuchhost' } });
    const b = await h.request('PUT', `/v2.0/ports/${unreachable.id}`, ADMIN, { port: { device_id: SERVER, device_owner: 'compute:nova', 'binding:host_id': 'sim1' } });
    assert.equal(a.body.port['binding:vif_type'], 'other');
    assert.equal(b.body.port['binding:vif_type'], 'other');
    await new Promise((r) => setTimeout(r, 100));
    await agent.idle();
    assert.equal((await portOf(other.id)).status, 'DOWN');
    assert.equal((await portOf(unreachable.id)).status, 'DOWN');
    assert.equal(agent.devices.has(unreachable.id), false);
  });

  test('a trunk\'s parent plugged on a host has its subports bound there and reported up, the trunk ACTIVE; they follow the parent to another host', async () => {
    const net = (await h.request('POST', '/v2.0/networks', ADMIN, { network: { name: 'sim-trunk' } })).body.network;
    await h.request('POST', '/v2.0/subnets', ADMIN, { subnet: { network_id: net.id, cidr: '10.93.0.0/24', ip_version: 4 } });
    const parent = (await h.request('POST', '/v2.0/ports', ADMIN, { port: { network_id: net.id } })).body.port;
    const sub = (await h.request('POST', '/v2.0/ports', ADMIN, { port: { network_id: net.id } })).body.port;
    const created = await h.request('POST', '/v2.0/trunks', ADMIN, { trunk: { port_id: parent.id, sub_ports: [{ port_id: sub.id, segmentation_type: 'vlan', segmentation_id: 100 }] } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const trunkId = created.body.trunk.id;
    const trunkOf = async (): Promise<JsonRecord> => (await h.request('GET', `/v2.0/trunks/${trunkId}`, ADMIN)).body.trunk;
    assert.equal((await trunkOf()).status, 'DOWN');
    await h.request('PUT', `/v2.0/ports/${parent.id}`, ADMIN, { port: { device_id: SERVER, device_owner: 'compute:nova', 'binding:host_id': 'sim1' } });
    await until(async () => (await portOf(sub.id)).status === 'ACTIVE', 'subport ACTIVE');
    const bound = await portOf(sub.id);
    assert.equal(bound['binding:host_id'], 'sim1');
    assert.equal(bound.device_owner, 'trunk:subport');
    assert.equal((await portOf(parent.id)).status, 'ACTIVE');
    await until(async () => (await trunkOf()).status === 'ACTIVE', 'trunk ACTIVE');

    // the parent moves to another host (a live migration): the subports follow it there
    const other = new SimL2Agent({
      transport: h.transport, host: 'sim2', log: createLogger({ level: 'silent' }), reportInterval: 30, availabilityZone: 'nova',
      physicalNetworks: ['physnet1'], tunnelTypes: ['vxlan'], periodic: new PeriodicTasks(createLogger({ level: 'silent' })),
    });
    await other.start();
    try {
      await h.request('PUT', `/v2.0/ports/${parent.id}`, ADMIN, { port: { 'binding:host_id': 'sim2' } });
      await until(async () => (await portOf(sub.id))['binding:host_id'] === 'sim2' && (await portOf(sub.id)).status === 'ACTIVE', 'subport ACTIVE on sim2');
      await other.idle();
      await agent.idle();
      assert.equal(other.devices.get(sub.id)?.up, true);
      assert.ok(!agent.devices.has(sub.id), 'the first host forgot the subport');
      assert.equal((await portOf(sub.id)).status, 'ACTIVE', 'the first host\'s down report does not touch a port bound elsewhere');
    } finally {
      await other.stop();
    }
  });

  test('a restarted agent resyncs the ports bound to its host', async () => {
    const net = (await h.request('POST', '/v2.0/networks', ADMIN, { network: { name: 'sim-resync' } })).body.network;
    const port = (await h.request('POST', '/v2.0/ports', ADMIN, { port: { network_id: net.id } })).body.port;
    await h.request('PUT', `/v2.0/ports/${port.id}`, ADMIN, { port: { device_id: SERVER, device_owner: 'compute:nova', 'binding:host_id': 'sim1' } });
    await until(async () => (await portOf(port.id)).status === 'ACTIVE', 'port ACTIVE');
    await agent.stop();
    // while no agent runs the device is reported down (as after a host reboot)
    await h.service.managers.ports.setStatus(NeutronContext.admin(), port.id, 'DOWN');
    // the restarted process: new periodic tasks
    agent = newAgent(new PeriodicTasks(createLogger({ level: 'silent' })));
    await agent.start();
    await until(async () => (await portOf(port.id)).status === 'ACTIVE', 'port ACTIVE after the restart');
    await agent.idle();
    assert.equal(agent.devices.get(port.id)?.up, true);
  });

  test('an agent whose server is not up yet still starts (its first report and resync fail and are retried on the interval)', async () => {
    const { getTransport } = await import('../../../common/messaging/index.js');
    const lonely = await getTransport(`inproc://sim-agent-alone-${process.pid}`);
    const periodic = new PeriodicTasks(createLogger({ level: 'silent' }));
    const alone = new SimL2Agent({
      transport: lonely, host: 'nowhere', log: createLogger({ level: 'silent' }), reportInterval: 1, availabilityZone: 'nova',
      physicalNetworks: ['*'], tunnelTypes: [], periodic,
    });
    const started = Date.now();
    await alone.start();
    assert.ok(Date.now() - started < 5000, 'start does not wait for the resync');
    await alone.stop();
    await lonely.close();
  });

  test('a dead agent binds nothing', async () => {
    await h.database.db.updateTable('agents').set({ heartbeat_timestamp: new Date(Date.now() - 120_000).toISOString().replace(/\.\d+Z$/, 'Z') })
      .where('host', '=', 'sim1').execute();
    const net = (await h.request('POST', '/v2.0/networks', ADMIN, { network: { name: 'sim-net3' } })).body.network;
    const port = (await h.request('POST', '/v2.0/ports', ADMIN, { port: { network_id: net.id } })).body.port;
    const bound = await h.request('PUT', `/v2.0/ports/${port.id}`, ADMIN, { port: { 'binding:host_id': 'sim1' } });
    assert.equal(bound.body.port['binding:vif_type'], 'other');
    assert.equal((await h.request('GET', '/v2.0/agents?host=sim1', ADMIN)).body.agents[0].alive, false);
  });
});
