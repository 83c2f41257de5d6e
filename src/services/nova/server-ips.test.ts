// GET /servers/{id}/ips[/{label}], the x-compute-request-id header, the plain addresses of an
// update's answer before 2.75, accessIPv6 in netaddr's form, and the empty tenant id of
// os-simple-tenant-usage, on a cloud that boots for real.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BootCloud } from './testing/boot-cloud.js';

describe('server addresses', () => {
  let b: BootCloud;
  let id = '';

  before(async () => {
    b = await BootCloud.start({ 'DEFAULT.hosts': 'c1' });
    const created = await b.boot({ name: 'ips', accessIPv6: '0000:0000:0000:0000:0000:babe:220.12.22.2' });
    assert.equal(created.status, 202, JSON.stringify(created.body));
    id = created.body.server.id;
    await b.waitFor(id, ['ACTIVE']);
  });
  after(async () => { await b?.close(); });

  test('ips by network, one network, an unknown label (404), another server (404)', async () => {
    const all = await b.compute('GET', `/servers/${id}/ips`);
    assert.equal(all.status, 200);
    const [label] = Object.keys(all.body.addresses);
    assert.equal(label, 'private');
    assert.deepEqual(Object.keys(all.body.addresses.private[0]).sort(), ['addr', 'version']);
    const one = await b.compute('GET', `/servers/${id}/ips/private`);
    assert.deepEqual(one.body, { private: all.body.addresses.private });
    assert.equal((await b.compute('GET', `/servers/${id}/ips/nope`)).status, 404);
    assert.equal((await b.compute('GET', '/servers/00000000-0000-0000-0000-000000000000/ips')).status, 404);
  });

  test('the request id also as x-compute-request-id; accessIPv6 compressed; plain addresses in an update before 2.75', async () => {
    const res = await fetch(`${b.cloud.url}/compute/v2.1/servers/${id}`, { headers: { 'x-auth-token': await b.cloud.adminToken() } });
    assert.equal(res.headers.get('x-compute-request-id'), res.headers.get('x-openstack-request-id'));
    assert.equal(((await res.json()) as any).server.accessIPv6, '::babe:dc0c:1602');
    const updated = await b.compute('PUT', `/servers/${id}`, { server: { name: 'ips2' } }, '2.74');
    assert.deepEqual(Object.keys(updated.body.server.addresses.private[0]).sort(), ['addr', 'version']);
    const at275 = await b.compute('PUT', `/servers/${id}`, { server: { name: 'ips3' } }, '2.75');
    assert.ok('OS-EXT-IPS:type' in at275.body.server.addresses.private[0]);
    assert.deepEqual(at275.body.server.server_groups, []);
  });

  test('an empty tenant id in os-simple-tenant-usage is a 404, as nova routes it', async () => {
    assert.equal((await b.compute('GET', '/os-simple-tenant-usage/?start=2020-01-01T00:00:00')).status, 404);
    assert.equal((await b.compute('GET', '/os-simple-tenant-usage?start=2020-01-01T00:00:00')).status, 200);
  });
});
