/**
 * Nova's `networks: auto` (2.37) against Nubo's Neutron in all-in-one: a project with no network
 * of its own asks Neutron's auto-allocated-topology API, a dry run when the server is created (400
 * when Neutron cannot make one: no default external network or subnet pool) and for real when the
 * host allocates the ports; the servers of a multi-create all land on that one network.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BootCloud } from '../src/services/nova/testing/boot-cloud.js';

describe('networks: auto through Neutron\'s auto-allocated topology', () => {
  let b: BootCloud;
  before(async () => {
    b = await BootCloud.start({ 'DEFAULT.enabled_services': 'identity,image,network,placement,compute', 'DEFAULT.hosts': 'c1', 'DEFAULT.vif_plugging_timeout': '0' });
  });
  after(async () => { await b?.close(); });

  test('no default topology: 400 at once; with a default external network and subnet pool: the servers share a network made for the project', async () => {
    const { token, projectId } = await b.projectUserToken('auto');
    const server = { name: 'auto', imageRef: b.imageId, flavorRef: '1', networks: 'auto' };
    const many = { ...server, min_count: 2 };
    const refused = await b.computeAs(token, 'POST', '/servers', { server }, '2.37');
    assert.equal(refused.status, 400, JSON.stringify(refused.body));
    assert.equal(refused.body.badRequest.message, `Unable to automatically allocate a network for project ${projectId}`);

    // what DevStack sets up: a default external network, and a shared default subnet pool
    const ext = await b.call('POST', '/network/v2.0/networks', { network: { name: 'ext', 'router:external': true, is_default: true } });
    assert.equal(ext.status, 201, JSON.stringify(ext.body));
    assert.equal((await b.call('POST', '/network/v2.0/subnets', { subnet: { network_id: ext.body.network.id, cidr: '203.0.113.0/24', ip_version: 4 } })).status, 201);
    const pool = await b.call('POST', '/network/v2.0/subnetpools', { subnetpool: { name: 'shared-default-subnetpool-v4', prefixes: ['10.9.0.0/22'], default_prefixlen: 26, shared: true, is_default: true } });
    assert.equal(pool.status, 201, JSON.stringify(pool.body));

    const created = await b.computeAs(token, 'POST', '/servers', { server: many }, '2.37');
    assert.equal(created.status, 202, JSON.stringify(created.body));
    const listed = (await b.computeAs(token, 'GET', '/servers?name=auto')).body.servers;
    assert.equal(listed.length, 2);
    const networks = new Set<string>();
    for (const s of listed) {
      const done = await b.waitFor(s.id, ['ACTIVE', 'ERROR'], 30_000);
      assert.equal(done.status, 'ACTIVE', JSON.stringify(done.fault));
      for (const p of await b.ports(s.id)) networks.add(p.network_id);
    }
    assert.equal(networks.size, 1, 'one network for the project');
    const topology = (await b.call('GET', `/network/v2.0/auto-allocated-topology/${projectId}`)).body.auto_allocated_topology;
    assert.deepEqual([...networks], [topology.id]);
    for (const s of listed) assert.equal((await b.computeAs(token, 'DELETE', `/servers/${s.id}`)).status, 204);
  });
});
