/**
 * VIF plugging end to end: a boot waits (vif_plugging_timeout > 0, vif_plugging_is_fatal) for
 * the network-vif-plugged event Neutron sends when its L2 agent (the network-sim-agent role of
 * the compute's host) reports the bound port up. With that agent running the server goes
 * ACTIVE with an ACTIVE port; without it the port stays DOWN and the build fails as nova's
 * does ("Virtual Interface creation failed").
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BootCloud } from './testing/boot-cloud.js';

const FATAL = { 'DEFAULT.vif_plugging_timeout': '20', 'DEFAULT.vif_plugging_is_fatal': 'true', 'DEFAULT.send_events_interval': '1' };

describe('vif plugging through the simulated L2 agent', () => {
  test('with the agent the port goes ACTIVE and the build completes', async () => {
    const c = await BootCloud.start(FATAL);
    try {
      const agents = (await c.call('GET', '/network/v2.0/agents?agent_type=Nubo%20simulated%20L2%20agent')).body.agents;
      assert.equal(agents.length, 1);
      assert.equal(agents[0].alive, true);
      const boot = await c.boot({ name: 'plugged' });
      assert.equal(boot.status, 202, JSON.stringify(boot.body));
      const server = await c.waitFor(boot.body.server.id, ['ACTIVE', 'ERROR'], 30_000);
      assert.equal(server.status, 'ACTIVE', JSON.stringify(server.fault));
      const hypervisor = server['OS-EXT-SRV-ATTR:host'];
      assert.equal(agents[0].host, hypervisor);
      const [port] = await c.ports(server.id);
      assert.equal(port.status, 'ACTIVE');
      assert.equal(port['binding:vif_type'], 'tap');
      assert.equal(port['binding:host_id'], hypervisor);
    } finally {
      await c.close();
    }
  });

  test('without the agent the port stays DOWN and the build fails when the event does not come', async () => {
    const c = await BootCloud.startWithoutL2Agent({ ...FATAL, 'DEFAULT.vif_plugging_timeout': '2' });
    try {
      assert.deepEqual((await c.call('GET', '/network/v2.0/agents')).body.agents, []);
      const started = Date.now();
      const boot = await c.boot({ name: 'unplugged' });
      assert.equal(boot.status, 202, JSON.stringify(boot.body));
      const server = await c.waitFor(boot.body.server.id, ['ACTIVE', 'ERROR'], 30_000);
      assert.equal(server.status, 'ERROR');
      // nova's answer to VirtualInterfaceCreateException from spawn, after waiting vif_plugging_timeout
      assert.match(server.fault.message, /Failed to allocate the network\(s\), not rescheduling/);
      assert.ok(Date.now() - started >= 2000, 'the build waited for the event');
      assert.deepEqual(await c.ports(server.id), []);
    } finally {
      await c.close();
    }
  });

  test('after a start with DevStack\'s networks, a server boots on the network named private', async () => {
    const c = await BootCloud.start({
      ...FATAL, 'default_networks.create_public_network': 'true', 'default_networks.create_private_network': 'true', 'default_networks.create_router': 'true',
    });
    try {
      // what `openstack server create --flavor m1.tiny --network private` does
      const [net] = (await c.call('GET', '/network/v2.0/networks?name=private')).body.networks;
      const boot = await c.boot({ name: 'devstack', flavorRef: '1', networks: [{ uuid: net.id }] });
      assert.equal(boot.status, 202, JSON.stringify(boot.body));
      const server = await c.waitFor(boot.body.server.id, ['ACTIVE', 'ERROR'], 30_000);
      assert.equal(server.status, 'ACTIVE', JSON.stringify(server.fault));
      assert.equal(server.flavor.original_name, 'm1.tiny');
      assert.match(server.addresses.private[0].addr, /^10\.0\.0\.\d+$/);
    } finally {
      await c.close();
    }
  });
});
