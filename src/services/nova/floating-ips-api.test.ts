// os-networks, os-tenant-networks, os-floating-ip-pools, os-floating-ips and the
// addFloatingIp / removeFloatingIp actions proxied to Neutron: nova's views, the NAT to the
// server's port in Neutron, errors as nova answers them, another project's objects invisible,
// 404 from 2.36 (and the actions gone from 2.44).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BootCloud } from './testing/boot-cloud.js';

describe('network proxy APIs and floating IPs', () => {
  let b: BootCloud;
  let other: { token: string; projectId: string };
  let publicId = '';
  let serverId = '';
  let fip: any;

  before(async () => {
    b = await BootCloud.start({ 'DEFAULT.hosts': 'c1', 'DEFAULT.vif_plugging_timeout': '0', 'neutron.default_floating_pool': 'public' });
    other = await b.projectUserToken('fip-other');
    const pub = await b.call('POST', '/network/v2.0/networks', { network: { name: 'public', 'router:external': true } });
    assert.equal(pub.status, 201, JSON.stringify(pub.body));
    publicId = pub.body.network.id;
    assert.equal((await b.call('POST', '/network/v2.0/subnets', { subnet: { network_id: publicId, cidr: '172.24.4.0/24', ip_version: 4 } })).status, 201);
    const privSubnet = (await b.call('GET', `/network/v2.0/subnets?network_id=${b.networkId}`)).body.subnets[0].id;
    const router = await b.call('POST', '/network/v2.0/routers', { router: { name: 'r1', external_gateway_info: { network_id: publicId } } });
    assert.equal(router.status, 201, JSON.stringify(router.body));
    const iface = await b.call('PUT', `/network/v2.0/routers/${router.body.router.id}/add_router_interface`, { subnet_id: privSubnet });
    assert.equal(iface.status, 200, JSON.stringify(iface.body));
    const created = await b.boot({ name: 'fipvm' });
    assert.equal(created.status, 202, JSON.stringify(created.body));
    serverId = created.body.server.id;
    await b.waitFor(serverId, ['ACTIVE']);
  });
  after(async () => { await b?.close(); });

  test('os-networks and os-tenant-networks', async () => {
    const list = await b.compute('GET', '/os-networks');
    assert.equal(list.status, 200, JSON.stringify(list.body));
    const priv = list.body.networks.find((n: any) => n.id === b.networkId);
    assert.equal(priv.label, 'private');
    assert.equal(priv.cidr, null);
    assert.ok('project_id' in priv, 'an admin sees the admin fields');
    const shown = await b.compute('GET', `/os-networks/${b.networkId}`);
    assert.equal(shown.status, 200);
    assert.deepEqual(shown.body.network, priv);
    const missing = await b.compute('GET', '/os-networks/00000000-0000-0000-0000-000000000000');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.itemNotFound.message, 'Network not found');
    const theirs = await b.computeAs(other.token, 'GET', '/os-networks');
    assert.equal(theirs.status, 200);
    assert.ok(!theirs.body.networks.some((n: any) => n.id === b.networkId), "the admin project's private network is not theirs");
    assert.ok(theirs.body.networks.every((n: any) => !('project_id' in n)));
    assert.equal((await b.computeAs(other.token, 'GET', `/os-networks/${b.networkId}`)).status, 404);
    assert.equal((await b.compute('GET', '/os-networks', undefined, '2.36')).status, 404);
    assert.equal((await b.compute('POST', '/os-networks', { network: { label: 'x' } })).status, 410);
    assert.equal((await b.compute('DELETE', `/os-networks/${b.networkId}`)).status, 410);
    assert.equal((await b.compute('POST', `/os-networks/${b.networkId}/action`, { disassociate: null })).status, 410);
    const tenant = await b.compute('GET', '/os-tenant-networks');
    assert.equal(tenant.status, 200);
    assert.deepEqual(tenant.body.networks.find((n: any) => n.id === b.networkId), { id: b.networkId, cidr: 'None', label: 'private' });
    assert.deepEqual((await b.compute('GET', `/os-tenant-networks/${b.networkId}`)).body.network, { id: b.networkId, cidr: 'None', label: 'private' });
    assert.equal((await b.compute('GET', '/os-tenant-networks/00000000-0000-0000-0000-000000000000')).status, 404);
    assert.equal((await b.compute('GET', '/os-tenant-networks', undefined, '2.36')).status, 404);
  });

  test('pools and allocation', async () => {
    const pools = await b.compute('GET', '/os-floating-ip-pools');
    assert.equal(pools.status, 200);
    assert.deepEqual(pools.body.floating_ip_pools, [{ name: 'public' }]);
    assert.equal((await b.compute('GET', '/os-floating-ip-pools', undefined, '2.36')).status, 404);
    const res = await b.compute('POST', '/os-floating-ips', { pool: 'public' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    fip = res.body.floating_ip;
    assert.deepEqual(Object.keys(fip).sort(), ['fixed_ip', 'id', 'instance_id', 'ip', 'pool']);
    assert.equal(fip.pool, 'public');
    assert.equal(fip.fixed_ip, null);
    assert.equal(fip.instance_id, null);
    assert.match(fip.ip, /^172\.24\.4\./);
    const byDefault = await b.compute('POST', '/os-floating-ips', { pool: null });
    assert.equal(byDefault.status, 200, JSON.stringify(byDefault.body));
    assert.equal(byDefault.body.floating_ip.pool, 'public');
    const unknown = await b.compute('POST', '/os-floating-ips', { pool: 'nowhere' });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.itemNotFound.message, 'Floating IP pool not found.');
    assert.equal((await b.compute('POST', '/os-floating-ips', { pool: 5 })).status, 400);
    assert.equal((await b.compute('POST', '/os-floating-ips', { pool: 'public' }, '2.36')).status, 404);
    const list = await b.compute('GET', '/os-floating-ips');
    assert.equal(list.status, 200);
    assert.ok(list.body.floating_ips.some((f: any) => f.id === fip.id));
    assert.deepEqual((await b.compute('GET', `/os-floating-ips/${fip.id}`)).body.floating_ip, fip);
    const missing = await b.compute('GET', '/os-floating-ips/00000000-0000-0000-0000-000000000000');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.itemNotFound.message, 'Floating IP not found for ID 00000000-0000-0000-0000-000000000000');
    assert.equal((await b.compute('DELETE', `/os-floating-ips/${byDefault.body.floating_ip.id}`)).status, 202);
  });

  test("another project does not see the floating IP", async () => {
    assert.equal((await b.computeAs(other.token, 'GET', `/os-floating-ips/${fip.id}`)).status, 404);
    assert.equal((await b.computeAs(other.token, 'DELETE', `/os-floating-ips/${fip.id}`)).status, 404);
    assert.deepEqual((await b.computeAs(other.token, 'GET', '/os-floating-ips')).body.floating_ips, []);
    assert.equal((await b.computeAs(other.token, 'POST', `/servers/${serverId}/action`, { addFloatingIp: { address: fip.ip } })).status, 404);
  });

  test('addFloatingIp and removeFloatingIp', async () => {
    const port = (await b.ports(serverId))[0];
    const fixed = port.fixed_ips[0].ip_address;
    const bad: Array<[unknown, number]> = [
      [{ addFloatingIp: {} }, 400],
      [{ addFloatingIp: { address: 'not-an-ip' } }, 400],
      [{ addFloatingIp: { address: fip.ip, fixed_address: '10.9.9.9' } }, 400],
      [{ addFloatingIp: { address: '172.24.4.250' } }, 404],
      [{ removeFloatingIp: { address: fip.ip } }, 409],
    ];
    for (const [body, status] of bad) {
      const res = await b.compute('POST', `/servers/${serverId}/action`, body);
      assert.equal(res.status, status, `${JSON.stringify(body)}: ${JSON.stringify(res.body)}`);
    }
    const add = await b.compute('POST', `/servers/${serverId}/action`, { addFloatingIp: { address: fip.ip } });
    assert.equal(add.status, 202, JSON.stringify(add.body));
    const inNeutron = (await b.call('GET', `/network/v2.0/floatingips/${fip.id}`)).body.floatingip;
    assert.equal(inNeutron.port_id, port.id);
    assert.equal(inNeutron.fixed_ip_address, fixed);
    const shown = (await b.compute('GET', `/os-floating-ips/${fip.id}`)).body.floating_ip;
    assert.equal(shown.instance_id, serverId);
    assert.equal(shown.fixed_ip, fixed);
    const addresses = (await b.compute('GET', `/servers/${serverId}`)).body.server.addresses;
    assert.ok(JSON.stringify(addresses).includes(fip.ip), JSON.stringify(addresses));
    assert.equal((await b.compute('POST', `/servers/${serverId}/action`, { addFloatingIp: { address: fip.ip } }, '2.44')).status, 400);
    const remove = await b.compute('POST', `/servers/${serverId}/action`, { removeFloatingIp: { address: fip.ip } });
    assert.equal(remove.status, 202, JSON.stringify(remove.body));
    assert.equal((await b.call('GET', `/network/v2.0/floatingips/${fip.id}`)).body.floatingip.port_id, null);
    assert.equal((await b.compute('POST', `/servers/${serverId}/action`, { removeFloatingIp: { address: fip.ip } })).status, 409);
    assert.equal((await b.compute('POST', `/servers/${serverId}/action`, { removeFloatingIp: { address: '172.24.4.251' } })).status, 404);
  });

  test('release: 202, then 404', async () => {
    assert.equal((await b.compute('POST', `/servers/${serverId}/action`, { addFloatingIp: { address: fip.ip } })).status, 202);
    assert.equal((await b.compute('DELETE', `/os-floating-ips/${fip.id}`, undefined, '2.36')).status, 404);
    assert.equal((await b.compute('DELETE', `/os-floating-ips/${fip.id}`)).status, 202);
    assert.equal((await b.compute('GET', `/os-floating-ips/${fip.id}`)).status, 404);
    const addresses = (await b.compute('GET', `/servers/${serverId}`)).body.server.addresses;
    assert.ok(!JSON.stringify(addresses).includes(fip.ip), JSON.stringify(addresses));
  });
});
