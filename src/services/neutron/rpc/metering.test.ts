/**
 * The metering service over the bus, without a data plane: the casts reach the metering agent
 * of the host whose L3 agent runs the router (not another host's), with the router's labels
 * and rules as the agent driver takes them; a shared label reaches every router, another
 * project's label none; router_deleted goes to every metering agent; get_sync_data_metering
 * answers per host.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { RpcClient } from '../../../common/messaging/index.js';
import { until } from '../../../common/testing/until.js';
import { AgentRuntime, type L3AgentHandlers, type MeteringAgentHandlers } from '../agent/agent-base.js';
import { ADMIN, type Harness, startHarness } from '../testing/harness.js';
import type { MeteringRouter } from '../types/metering.js';
import { AGENT_TYPE_L3, AGENT_TYPE_METERING, TOPIC_METERING_PLUGIN } from './topics.js';

type Args = Record<string, any>;
let h: Harness;
const received: Array<{ host: string; method: string; args: Args }> = [];
const runtimes: AgentRuntime[] = [];

function recorder<T extends object>(host: string, methods: string[]): T {
  const o: Record<string, unknown> = {};
  for (const m of methods) o[m] = async (_ctx: unknown, args: Args) => { received.push({ host, method: m, args }); };
  return o as T;
}

const METERING_CASTS = ['router_deleted', 'routers_updated', 'add_metering_label', 'remove_metering_label', 'add_metering_label_rule', 'remove_metering_label_rule', 'update_metering_label_rules'];

before(async () => {
  h = await startHarness({ overrides: { 'default_networks.create_public_network': 'false', 'default_networks.create_private_network': 'false', 'default_networks.create_router': 'false' } });
  const identity = (host: string, agentType: string, topic: string, binary: string) => ({ binary, host, topic, agentType, availabilityZone: 'nova', configurations: () => ({}) });
  runtimes.push(
    new AgentRuntime(h.transport, identity('mnet1', AGENT_TYPE_L3, 'l3_agent', 'neutron-l3-agent'), {
      kind: 'l3', handlers: recorder<L3AgentHandlers>('l3 agent', ['routers_updated', 'router_deleted', 'router_added_to_agent', 'router_removed_from_agent', 'agent_updated']),
    }, 30, h.periodic),
    ...['mnet1', 'mnet2'].map((host) => new AgentRuntime(h.transport, identity(host, AGENT_TYPE_METERING, 'metering_agent', 'neutron-metering-agent'), {
      kind: 'metering', handlers: recorder<MeteringAgentHandlers>(host, METERING_CASTS),
    }, 30, h.periodic)),
  );
  for (const r of runtimes) await r.start();
});
after(async () => {
  for (const r of runtimes) await r.stop();
  await h.close();
});

async function ok(method: string, url: string, body?: unknown): Promise<Args> {
  const r = await h.request(method, url, ADMIN, body);
  assert.ok(r.status < 300, `${method} ${url}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

const castsOf = (method: string) => received.filter((r) => r.method === method && r.host !== 'l3 agent');

describe('metering RPC', () => {
  test('casts go to the metering agent of the L3 agent\'s host, with labels and rules; sync data per host', async () => {
    const router = (await ok('POST', '/v2.0/routers', { router: { name: 'metered' } })).router;
    await until(async () => (await h.service.managers.agents.l3AgentsFor(router.id)).length === 1, 'router scheduled to the L3 agent');
    const label = (await ok('POST', '/v2.0/metering/metering-labels', { metering_label: { name: 'm', tenant_id: router.project_id } })).metering_label;
    await until(() => castsOf('add_metering_label').length === 1, 'add_metering_label');
    const [add] = castsOf('add_metering_label');
    assert.equal(add!.host, 'mnet1');
    const routers = add!.args.routers as MeteringRouter[];
    assert.deepEqual(routers.map((r) => r.id), [router.id]);
    assert.deepEqual(routers[0]!._metering_labels, [{ id: label.id, rules: [], shared: false, name: 'm' }]);
    assert.equal(routers[0]!.project_id, router.project_id);

    const rule = (await ok('POST', '/v2.0/metering/metering-label-rules', { metering_label_rule: { metering_label_id: label.id, direction: 'egress', remote_ip_prefix: '10.0.0.0/8' } })).metering_label_rule;
    await until(() => castsOf('add_metering_label_rule').length === 1, 'add_metering_label_rule');
    assert.deepEqual((castsOf('add_metering_label_rule')[0]!.args.routers as MeteringRouter[])[0]!._metering_labels, [{ id: label.id, rule }]);

    // each label created sends the whole data (as upstream's create_metering_label): another
    // project's label applies to none of this project's routers, a shared one to all
    await ok('POST', '/v2.0/metering/metering-labels', { metering_label: { name: 'theirs', tenant_id: 'someone-else' } });
    await until(() => castsOf('add_metering_label').length === 2, 'add_metering_label after another project\'s label');
    assert.deepEqual((castsOf('add_metering_label')[1]!.args.routers as MeteringRouter[])[0]!._metering_labels.map((l) => l.id), [label.id]);
    const shared = (await ok('POST', '/v2.0/metering/metering-labels', { metering_label: { name: 'everyone', tenant_id: 'someone-else', shared: true } })).metering_label;
    await until(() => castsOf('add_metering_label').length === 3, 'add_metering_label of the shared label');
    assert.deepEqual((castsOf('add_metering_label')[2]!.args.routers as MeteringRouter[])[0]!._metering_labels.map((l) => l.id).sort(), [label.id, shared.id].sort());

    const sync = (host: string) => new RpcClient(h.transport, { topic: TOPIC_METERING_PLUGIN, version: '1.0' }).prepare({}).call<MeteringRouter[]>({}, 'get_sync_data_metering', { host });
    const mine = await sync('mnet1');
    assert.deepEqual(mine.map((r) => r.id), [router.id]);
    assert.deepEqual(mine[0]!._metering_labels.find((l) => l.id === label.id)?.rules, [rule]);
    assert.deepEqual(await sync('mnet2'), []);

    await ok('DELETE', `/v2.0/metering/metering-label-rules/${rule.id}`);
    await until(() => castsOf('remove_metering_label_rule').length === 1, 'remove_metering_label_rule');
    await ok('DELETE', `/v2.0/metering/metering-labels/${label.id}`);
    await until(() => castsOf('remove_metering_label').length === 1, 'remove_metering_label');
    assert.deepEqual((castsOf('remove_metering_label')[0]!.args.routers as MeteringRouter[])[0]!._metering_labels.map((l) => l.id), [label.id]);
    assert.ok(METERING_CASTS.flatMap(castsOf).every((r) => r.host === 'mnet1'), 'nothing went to the host without the router');

    await ok('DELETE', `/v2.0/routers/${router.id}`);
    await until(() => castsOf('router_deleted').length === 2, 'router_deleted to both metering agents');
    assert.deepEqual(castsOf('router_deleted').map((r) => r.host).sort(), ['mnet1', 'mnet2']);
  });
});
