/**
 * QoS over the bus, as the Linux bridge agent's QoS extension uses it: device details carry
 * the port's and its network's policy ids, `pull` gives the policy as an object primitive
 * with its rules, a rule change is a port_update fanout of each port the policy applies to
 * (its own or its network's), and the extension turns the primitive into tap limits.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { until } from '../../../common/testing/until.js';
import { AgentRuntime, type L2AgentHandlers } from '../agent/agent-base.js';
import { limitsOf } from '../agent/linuxbridge/qos-extension.js';
import { L2PluginApi } from '../agent/plugin-api.js';
import { ADMIN, type Harness, startHarness } from '../testing/harness.js';

let h: Harness;
let l2: AgentRuntime;
const updates: string[] = [];

before(async () => {
  h = await startHarness();
  const handlers = {
    port_update: async (_ctx: unknown, args: { port: { id: string } }) => { updates.push(args.port.id); },
    port_delete: async () => {}, network_update: async () => {}, network_delete: async () => {},
    security_groups_rule_updated: async () => {}, security_groups_member_updated: async () => {},
  } as unknown as L2AgentHandlers;
  l2 = new AgentRuntime(h.transport, { binary: 'neutron-linuxbridge-agent', host: 'qoshost', topic: 'N/A', agentType: 'Linux bridge agent', configurations: () => ({}) }, {
    kind: 'l2', handlers,
  }, 30, h.periodic);
  await l2.start();
});
after(async () => {
  await l2.stop();
  await h.close();
});

async function api(method: string, url: string, body?: unknown): Promise<Record<string, any>> {
  const r = await h.request(method, url, ADMIN, body);
  assert.ok(r.status < 300, `${method} ${url}: ${JSON.stringify(r.body)}`);
  return r.body;
}

describe('QoS RPC', () => {
  test('details, pull and port_update on rule changes', async () => {
    const own = (await api('POST', '/v2.0/qos/policies', { policy: { name: 'own' } })).policy;
    const viaNet = (await api('POST', '/v2.0/qos/policies', { policy: { name: 'net' } })).policy;
    const net = (await api('POST', '/v2.0/networks', { network: { name: 'qrpc', qos_policy_id: viaNet.id } })).network;
    const p1 = (await api('POST', '/v2.0/ports', { port: { network_id: net.id, qos_policy_id: own.id } })).port;
    const p2 = (await api('POST', '/v2.0/ports', { port: { network_id: net.id } })).port;
    const plugin = new L2PluginApi(h.transport, 'qoshost');
    const details = await plugin.getDevicesDetailsList({}, [`tap${p1.id.slice(0, 11)}`, `tap${p2.id.slice(0, 11)}`], 'lbqoshost');
    assert.deepEqual(details.map((d) => [d.qos_policy_id, d.network_qos_policy_id]), [[own.id, viaNet.id], [null, viaNet.id]]);

    updates.length = 0;
    await api('POST', `/v2.0/qos/policies/${own.id}/bandwidth_limit_rules`, { bandwidth_limit_rule: { max_kbps: 1000, max_burst_kbps: 10, direction: 'ingress' } });
    await until(() => updates.includes(p1.id), 'port_update of the port with its own policy');
    await api('POST', `/v2.0/qos/policies/${viaNet.id}/bandwidth_limit_rules`, { bandwidth_limit_rule: { max_kbps: 500 } });
    await until(() => updates.includes(p2.id), 'port_update of the port on the network with the policy');
    // p1 has its own policy: the network's does not apply to it
    assert.ok(!updates.slice(updates.indexOf(p1.id) + 1).includes(p1.id));

    const pulled = await plugin.pullResource({}, 'QosPolicy', '1.10', own.id);
    assert.equal(pulled?.['versioned_object.name'], 'QosPolicy');
    assert.deepEqual(limitsOf(pulled), { ingress: { maxKbps: 1000, burstKb: 10 } });
    assert.deepEqual(limitsOf(await plugin.pullResource({}, 'QosPolicy', '1.10', viaNet.id)), { egress: { maxKbps: 500, burstKb: 0 } });
    assert.equal(await plugin.pullResource({}, 'QosPolicy', '1.10', '9efe63d0-836f-4cc2-b00c-468e63aa614e'), null);
  });
});
