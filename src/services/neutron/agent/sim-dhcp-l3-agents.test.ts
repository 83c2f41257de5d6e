/**
 * The simulated DHCP and L3 agents beside the simulated L2 agent: they show in /v2.0/agents as
 * a DHCP and an L3 agent; networks are scheduled on the DHCP one; routers on the L3 one, whose
 * sync binds the router's ports to its host, so they go ACTIVE through the L2 agent; floating
 * IPs of its routers are reported ACTIVE.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createLogger } from '../../../common/log/logger.js';
import { until } from '../../../common/testing/until.js';
import { ADMIN, type Harness, startHarness } from '../testing/harness.js';
import { SimDhcpAgent } from './sim-dhcp-agent.js';
import { SimL2Agent } from './sim-l2-agent.js';
import { SimL3Agent } from './sim-l3-agent.js';

type JsonRecord = Record<string, any>;
let h: Harness;
let agents: Array<{ stop(): Promise<void> }> = [];

before(async () => {
  h = await startHarness();
  const common = { transport: h.transport, host: 'sim1', log: createLogger({ level: 'silent' }), reportInterval: 30, availabilityZone: 'nova', periodic: h.periodic };
  const l2 = new SimL2Agent({ ...common, physicalNetworks: ['*'], tunnelTypes: ['vxlan'] });
  const dhcp = new SimDhcpAgent(common);
  const l3 = new SimL3Agent(common);
  for (const a of [l2, dhcp, l3]) await a.start();
  agents = [l3, dhcp, l2];
});
after(async () => {
  for (const a of agents) await a.stop();
  await h.close();
});

const get = async (path: string): Promise<JsonRecord> => (await h.request('GET', path, ADMIN)).body;
const post = async (path: string, body: JsonRecord): Promise<JsonRecord> => {
  const r = await h.request('POST', path, ADMIN, body);
  assert.ok(r.status < 300, `${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
};

describe('simulated DHCP and L3 agents', () => {
  test('show in /v2.0/agents as a DHCP agent and an L3 agent of the host, simulated', async () => {
    const list = (await get('/v2.0/agents?host=sim1')).agents as JsonRecord[];
    assert.deepEqual(list.map((a) => a.agent_type).sort(), ['DHCP agent', 'L3 agent', 'Nubo simulated L2 agent']);
    for (const a of list) {
      assert.equal(a.alive, true);
      assert.equal(a.configurations.simulated, true);
    }
  });

  test('a network with a DHCP subnet is hosted by the DHCP agent; a router by the L3 agent, its ports bound there and ACTIVE; its floating IPs ACTIVE', async () => {
    const net = (await post('/v2.0/networks', { network: { name: 'sim-tenant' } })).network;
    const subnet = (await post('/v2.0/subnets', { subnet: { network_id: net.id, cidr: '10.93.0.0/24', ip_version: 4 } })).subnet;
    const dhcpAgents = (await get(`/v2.0/networks/${net.id}/dhcp-agents`)).agents as JsonRecord[];
    assert.deepEqual(dhcpAgents.map((a) => [a.agent_type, a.host]), [['DHCP agent', 'sim1']]);
    // the agent-scheduler API by hand: taken off the agent, then added back (201 with a JSON null, as upstream)
    assert.equal((await h.request('DELETE', `/v2.0/agents/${dhcpAgents[0]!.id}/dhcp-networks/${net.id}`, ADMIN)).status, 204);
    assert.deepEqual((await get(`/v2.0/networks/${net.id}/dhcp-agents`)).agents, []);
    const added = await h.request('POST', `/v2.0/agents/${dhcpAgents[0]!.id}/dhcp-networks`, ADMIN, { network_id: net.id });
    assert.deepEqual([added.status, added.body], [201, null]);
    assert.equal((await get(`/v2.0/networks/${net.id}/dhcp-agents`)).agents.length, 1);

    const ext = (await post('/v2.0/networks', { network: { name: 'sim-ext', 'router:external': true, 'provider:network_type': 'flat', 'provider:physical_network': 'physnet1' } })).network;
    await post('/v2.0/subnets', { subnet: { network_id: ext.id, cidr: '198.51.100.0/24', ip_version: 4, enable_dhcp: false } });
    const router = (await post('/v2.0/routers', { router: { name: 'sim-router', external_gateway_info: { network_id: ext.id } } })).router;
    const iface = (await h.request('PUT', `/v2.0/routers/${router.id}/add_router_interface`, ADMIN, { subnet_id: subnet.id })).body;
    const l3Agents = (await get(`/v2.0/routers/${router.id}/l3-agents`)).agents as JsonRecord[];
    assert.deepEqual(l3Agents.map((a) => [a.agent_type, a.host]), [['L3 agent', 'sim1']]);
    for (const [what, portId] of [['interface', iface.port_id], ['gateway', undefined]] as const) {
      await until(async () => {
        const ports = (await get(`/v2.0/ports?device_id=${router.id}`)).ports as JsonRecord[];
        const p = portId ? ports.find((x) => x.id === portId) : ports.find((x) => x.device_owner === 'network:router_gateway');
        return p?.status === 'ACTIVE' && p['binding:host_id'] === 'sim1';
      }, `the router's ${what} port bound to sim1 and ACTIVE`);
    }

    const port = (await post('/v2.0/ports', { port: { network_id: net.id, device_owner: 'compute:nova', device_id: 'a0b1c2d3-0000-4000-8000-000000000001', 'binding:host_id': 'sim1' } })).port;
    const fip = (await post('/v2.0/floatingips', { floatingip: { floating_network_id: ext.id, port_id: port.id } })).floatingip;
    assert.equal(fip.status, 'DOWN');
    await until(async () => (await get(`/v2.0/floatingips/${fip.id}`)).floatingip.status === 'ACTIVE', 'the floating IP ACTIVE');
    assert.equal((await h.request('PUT', `/v2.0/floatingips/${fip.id}`, ADMIN, { floatingip: { port_id: null } })).status, 200);
    await until(async () => (await get(`/v2.0/floatingips/${fip.id}`)).floatingip.status === 'DOWN', 'the disassociated floating IP DOWN');
  });
});
