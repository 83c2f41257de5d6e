/**
 * DevStack's first networks on neutron-server's start: `public` (external, flat on `public`,
 * 172.24.4.0/24), `private` of the admin project (10.0.0.0/26) and `router1` between them;
 * a second start changes nothing; each part can be switched off; `server create --network
 * private` (by name, as the client resolves it) boots.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import { startTestCloud, type TestCloud } from '../../../../test/support/cloud.js';

const ON = {
  'default_networks.use_subnetpool': 'true', 'default_networks.create_public_network': 'true', 'default_networks.create_private_network': 'true', 'default_networks.create_router': 'true',
};

async function call(c: TestCloud, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await request(`${c.url}${path}`, {
    method: method as 'GET',
    headers: { 'x-auth-token': await c.adminToken(), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.body.text();
  return { status: res.statusCode, body: text ? JSON.parse(text) : undefined };
}

describe('default networks', () => {
  let c: TestCloud;
  before(async () => {
    c = await startTestCloud({ services: ['identity', 'network'], overrides: ON });
  });
  after(async () => c?.close());

  test('public, private and router1 exist as DevStack makes them', async () => {
    const adminProject = (await call(c, 'GET', '/identity/v3/projects?name=admin')).body.projects[0].id;
    const nets = (await call(c, 'GET', '/network/v2.0/networks')).body.networks;
    const pub = nets.find((n: any) => n.name === 'public');
    const priv = nets.find((n: any) => n.name === 'private');
    assert.equal(nets.length, 2);
    assert.equal(pub['router:external'], true);
    assert.equal(pub.shared, false);
    assert.equal(pub['provider:network_type'], 'flat');
    assert.equal(pub['provider:physical_network'], 'public');
    assert.equal(pub.project_id, adminProject);
    assert.equal(priv.project_id, adminProject);
    assert.equal(priv['router:external'], false);
    const subnets = (await call(c, 'GET', '/network/v2.0/subnets')).body.subnets;
    const pubSub = subnets.find((s: any) => s.name === 'public-subnet');
    const privSub = subnets.find((s: any) => s.name === 'private-subnet');
    assert.equal(pubSub.network_id, pub.id);
    assert.equal(pubSub.cidr, '172.24.4.0/24');
    assert.equal(pubSub.gateway_ip, '172.24.4.1');
    assert.deepEqual(pubSub.allocation_pools, [{ start: '172.24.4.2', end: '172.24.4.254' }]);
    assert.equal(pubSub.enable_dhcp, false);
    assert.equal(privSub.network_id, priv.id);
    assert.equal(privSub.cidr, '10.0.0.0/26');
    assert.equal(privSub.gateway_ip, '10.0.0.1');
    // USE_SUBNETPOOL: the shared default pool, the project subnet allocated from it; public is the default external network
    const pools = (await call(c, 'GET', '/network/v2.0/subnetpools')).body.subnetpools;
    assert.deepEqual(pools.map((p: any) => [p.name, p.prefixes, p.default_prefixlen, p.shared, p.is_default, p.project_id]),
      [['shared-default-subnetpool-v4', ['10.0.0.0/22'], '26', true, true, adminProject]]);
    assert.equal(privSub.subnetpool_id, pools[0].id);
    assert.equal(pub.is_default, true);
    const routers = (await call(c, 'GET', '/network/v2.0/routers')).body.routers;
    assert.equal(routers.length, 1);
    assert.equal(routers[0].name, 'router1');
    assert.equal(routers[0].project_id, adminProject);
    assert.equal(routers[0].external_gateway_info.network_id, pub.id);
    assert.match(routers[0].external_gateway_info.external_fixed_ips[0].ip_address, /^172\.24\.4\./);
    const ifaces = (await call(c, 'GET', `/network/v2.0/ports?device_id=${routers[0].id}&device_owner=network:router_interface`)).body.ports;
    assert.deepEqual(ifaces.map((p: any) => p.fixed_ips[0].ip_address), ['10.0.0.1']);
  });

  test('a second start adds nothing', async () => {
    await c.cloud.close();
    // the same data dir again: same databases, same secrets
    c = await startTestCloud({ services: ['identity', 'network'], overrides: ON, dataDir: c.dataDir });
    assert.deepEqual((await call(c, 'GET', '/network/v2.0/networks')).body.networks.map((n: any) => n.name).sort(), ['private', 'public']);
    assert.equal((await call(c, 'GET', '/network/v2.0/subnets')).body.subnets.length, 2);
    assert.equal((await call(c, 'GET', '/network/v2.0/subnetpools')).body.subnetpools.length, 1);
    assert.equal((await call(c, 'GET', '/network/v2.0/routers')).body.routers.length, 1);
    assert.equal((await call(c, 'GET', '/network/v2.0/ports?device_owner=network:router_interface')).body.ports.length, 1);
  });
});

describe('default networks switched off', () => {
  test('only the public network when the others are off', async () => {
    const c = await startTestCloud({
      services: ['identity', 'network'], overrides: { ...ON, 'default_networks.create_private_network': 'false', 'default_networks.create_router': 'false' },
    });
    try {
      assert.deepEqual((await call(c, 'GET', '/network/v2.0/networks')).body.networks.map((n: any) => n.name), ['public']);
      assert.deepEqual((await call(c, 'GET', '/network/v2.0/routers')).body.routers, []);
    } finally {
      await c.close();
    }
  });
});
