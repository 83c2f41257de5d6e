/**
 * One request id followed through the cloud: an API call that binds a port carries the
 * caller's X-Openstack-Request-Id; the server's cast to the L2 agents carries it over the bus;
 * the agent's log line while handling it names it; the agent's own RPC call back to the server
 * (update_device_up) is served under it; and the notification of the API call carries it.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { createLogger } from '../../../common/log/logger.js';
import { NotificationListener, type MessageContext } from '../../../common/messaging/index.js';
import { AgentRuntime, type L2AgentHandlers } from '../agent/agent-base.js';
import { L2PluginApi } from '../agent/plugin-api.js';
import { ADMIN, startHarness, type Harness } from '../testing/harness.js';
import { until } from '../../../common/testing/until.js';

type Line = Record<string, unknown>;
const lines: Line[] = [];
const sink = new Writable({
  write(chunk: Buffer, _enc, done) {
    for (const text of chunk.toString().split('\n')) if (text.trim()) lines.push(JSON.parse(text) as Line);
    done();
  },
});
const log = createLogger({ level: 'debug', destination: sink });

let h: Harness;
let agent: AgentRuntime;
const notifications: Array<{ ctxt: MessageContext; event: string }> = [];
let listener: NotificationListener;

before(async () => {
  h = await startHarness({ log });
  const plugin = new L2PluginApi(h.transport, 'compute1');
  const handlers = {
    async port_update(ctx: MessageContext, args: { port: { id: string } }) {
      log.info({ port: args.port.id }, 'agent: port_update received, wiring the device');
      await plugin.updateDeviceUp(ctx, `tap${args.port.id}`, 'agent-compute1');
    },
    async port_delete() {}, async network_update() {}, async network_delete() {},
    async security_groups_rule_updated() {}, async security_groups_member_updated() {},
  } as unknown as L2AgentHandlers;
  agent = new AgentRuntime(h.transport, { binary: 'neutron-linuxbridge-agent', host: 'compute1', topic: 'N/A', agentType: 'Linux bridge agent', configurations: () => ({}) }, { kind: 'l2', handlers }, 30, h.periodic);
  await agent.start();
  listener = new NotificationListener(h.transport, [{ topic: 'notifications' }], [{
    info: (ctxt, _publisher, event) => { notifications.push({ ctxt, event }); },
  }], { pool: 'request-id-test' });
  await listener.start();
});

after(async () => {
  await listener.stop();
  await agent.stop();
  await h.close();
});

test('the caller\'s request id reaches the agent\'s log line and the notification; the agent\'s call back sets the port ACTIVE', async () => {
  const net = (await h.request('POST', '/v2.0/networks', ADMIN, { network: { name: 'traced' } })).body.network;
  await h.request('POST', '/v2.0/subnets', ADMIN, { subnet: { network_id: net.id, cidr: '10.9.0.0/24', ip_version: 4 } });
  const port = (await h.request('POST', '/v2.0/ports', ADMIN, { port: { network_id: net.id, device_owner: 'compute:nova', device_id: randomUUID() } })).body.port;

  const flow = `req-${randomUUID()}`;
  const res = await h.request('PUT', `/v2.0/ports/${port.id}`, ADMIN, { port: { 'binding:host_id': 'compute1' } }, { 'x-openstack-request-id': flow });
  assert.equal(res.status, 200);
  const serverId = String(res.headers['x-openstack-request-id']);
  assert.notEqual(serverId, flow);

  await until(() => lines.some((l) => l.msg === 'agent: port_update received, wiring the device' && l.port === port.id), 'the agent\'s log line');
  const agentLine = lines.find((l) => l.msg === 'agent: port_update received, wiring the device' && l.port === port.id)!;
  assert.equal(agentLine.global_req_id, flow, 'the agent logs the flow\'s global request id');
  assert.equal(agentLine.req_id, serverId, 'and the server\'s request id of the API call');

  await until(() => notifications.some((n) => n.event === 'port.update.end' && n.ctxt.global_request_id === flow), 'port.update.end');
  const note = notifications.find((n) => n.event === 'port.update.end' && n.ctxt.global_request_id === flow)!;
  assert.equal(note.ctxt.request_id, serverId);

  // The agent's call back to the server (update_device_up, under the same ids) set the port ACTIVE.
  for (let i = 0; i < 300; i++) {
    if ((await h.request('GET', `/v2.0/ports/${port.id}`, ADMIN)).body.port.status === 'ACTIVE') break;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal((await h.request('GET', `/v2.0/ports/${port.id}`, ADMIN)).body.port.status, 'ACTIVE');
});
