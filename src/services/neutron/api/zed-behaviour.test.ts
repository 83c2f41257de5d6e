/**
 * Behaviour neutron-tempest-plugin's API tests expect of Neutron Zed: quota limits below usage
 * refused only with `check_limit` (quota-check-limit), `service_types` on subnets open to
 * members, a router gateway on an external network without subnets (a port without IPs),
 * NetworkNotFound for a floating IP on a network the caller cannot see, and `is_default` on
 * external networks with its RBAC guard.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN, type Harness, startHarness, tokenFor } from '../testing/harness.js';

let h: Harness;
const A = tokenFor('zed-a');
const B = tokenFor('zed-b');

before(async () => {
  h = await startHarness();
});
after(() => h.close());

async function create(kind: string, token: string, body: Record<string, unknown>) {
  const path = kind === 'rbac_policy' ? 'rbac-policies' : `${kind}s`;
  const r = await h.request('POST', `/v2.0/${path}`, token, { [kind]: body });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body[kind];
}

describe('quota-check-limit', () => {
  test('a limit below usage is set unless the body asks for check_limit', async () => {
    const C = tokenFor('zed-quota');
    await create('network', C, { name: 'q1' });
    await create('network', C, { name: 'q2' });
    const ext = await h.request('GET', '/v2.0/extensions/quota-check-limit', ADMIN);
    assert.equal(ext.status, 200);
    let r = await h.request('PUT', '/v2.0/quotas/zed-quota', ADMIN, { quota: { network: 1, check_limit: true } });
    assert.equal(r.status, 400);
    assert.equal(r.body.NeutronError.message, 'Quota limit 1 for network must be greater than or equal to already used 2');
    r = await h.request('PUT', '/v2.0/quotas/zed-quota', ADMIN, { quota: { network: 3, check_limit: true } });
    assert.equal(r.status, 200);
    r = await h.request('PUT', '/v2.0/quotas/zed-quota', ADMIN, { quota: { network: -1, check_limit: true } });
    assert.equal(r.status, 200);
    // no check_limit (or false): the lower limit is taken, and the next create is over quota
    r = await h.request('PUT', '/v2.0/quotas/zed-quota', ADMIN, { quota: { network: 1 } });
    assert.equal(r.status, 200);
    assert.equal(r.body.quota.network, 1);
    r = await h.request('PUT', '/v2.0/quotas/zed-quota', ADMIN, { quota: { network: 0, check_limit: false } });
    assert.equal(r.status, 200);
    r = await h.request('POST', '/v2.0/networks', C, { network: {} });
    assert.equal(r.status, 409);
    assert.equal(r.body.NeutronError.type, 'OverQuota');
  });
});

describe('subnet service_types', () => {
  test('members set and change service_types on their subnets', async () => {
    const n = await create('network', A, { name: 'svc' });
    const s = await create('subnet', A, { network_id: n.id, cidr: '10.81.0.0/24', ip_version: 4, service_types: ['test:type_1', 'network:distributed'] });
    assert.deepEqual([...s.service_types].sort(), ['network:distributed', 'test:type_1']);
    const bad = await h.request('POST', '/v2.0/subnets', A, { subnet: { network_id: n.id, cidr: '10.81.1.0/24', ip_version: 4, service_types: ['foo:bar'] } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.NeutronError.type, 'InvalidSubnetServiceType');
    const r = await h.request('PUT', `/v2.0/subnets/${s.id}`, A, { subnet: { service_types: ['compute:'] } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.subnet.service_types, ['compute:']);
  });
});

describe('router gateway without external subnets', () => {
  test('the gateway is set with a port that has no IPs', async () => {
    const ext = await create('network', ADMIN, { name: 'ext-empty', 'router:external': true });
    const router = await create('router', A, { name: 'r-empty', external_gateway_info: { network_id: ext.id } });
    assert.equal(router.external_gateway_info.network_id, ext.id);
    assert.deepEqual(router.external_gateway_info.external_fixed_ips, []);
    const ports = await h.request('GET', `/v2.0/ports?device_id=${router.id}&device_owner=network:router_gateway`, ADMIN);
    assert.equal(ports.body.ports.length, 1);
    assert.deepEqual(ports.body.ports[0].fixed_ips, []);
    // and on update of a router that had none
    const other = await create('router', A, { name: 'r-later' });
    const r = await h.request('PUT', `/v2.0/routers/${other.id}`, A, { router: { external_gateway_info: { network_id: ext.id } } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.router.external_gateway_info.network_id, ext.id);
  });
});

describe('floating IPs on networks the caller cannot see', () => {
  test('NetworkNotFound until an access_as_external policy lets the project see it', async () => {
    const n = await create('network', ADMIN, { name: 'ext-rbac' });
    await create('rbac_policy', ADMIN, { object_type: 'network', object_id: n.id, action: 'access_as_external', target_tenant: 'admin-proj' });
    await create('subnet', ADMIN, { network_id: n.id, cidr: '10.82.0.0/24', ip_version: 4, enable_dhcp: false });
    let r = await h.request('POST', '/v2.0/floatingips', B, { floatingip: { floating_network_id: n.id } });
    assert.equal(r.status, 404);
    assert.equal(r.body.NeutronError.type, 'NetworkNotFound');
    await create('rbac_policy', ADMIN, { object_type: 'network', object_id: n.id, action: 'access_as_external', target_tenant: 'zed-b' });
    r = await h.request('POST', '/v2.0/floatingips', B, { floatingip: { floating_network_id: n.id } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    // a visible network that is not external stays a 400
    const internal = await create('network', B, { name: 'internal' });
    r = await h.request('POST', '/v2.0/floatingips', B, { floatingip: { floating_network_id: internal.id } });
    assert.equal(r.status, 400);
  });
});

describe('is_default on external networks', () => {
  test('admins mark one default external network; its wildcard policy cannot go', async () => {
    const e1 = await create('network', ADMIN, { name: 'ext-d1', 'router:external': true });
    assert.equal(e1.is_default, false);
    const internal = await create('network', A, { name: 'not-ext' });
    assert.ok(!('is_default' in internal));
    let r = await h.request('PUT', `/v2.0/networks/${e1.id}`, A, { network: { is_default: true } });
    assert.equal(r.status, 403);
    r = await h.request('PUT', `/v2.0/networks/${e1.id}`, ADMIN, { network: { is_default: true } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.network.is_default, true);
    // an update without is_default keeps it
    r = await h.request('PUT', `/v2.0/networks/${e1.id}`, ADMIN, { network: { description: 'gman' } });
    assert.equal(r.body.network.is_default, true);
    assert.deepEqual((await h.request('GET', '/v2.0/networks?is_default=true', ADMIN)).body.networks.map((n: { id: string }) => n.id), [e1.id]);
    // only one default at a time
    r = await h.request('POST', '/v2.0/networks', ADMIN, { network: { name: 'ext-d2', 'router:external': true, is_default: true } });
    assert.equal(r.status, 409);
    assert.equal(r.body.NeutronError.type, 'DefaultExternalNetworkExists');
    const policy = (await h.request('GET', `/v2.0/rbac-policies?object_id=${e1.id}&action=access_as_external&target_tenant=*`, ADMIN)).body.rbac_policies[0];
    r = await h.request('DELETE', `/v2.0/rbac-policies/${policy.id}`, ADMIN);
    assert.equal(r.status, 409);
    assert.equal(r.body.NeutronError.type, 'RbacPolicyInUse');
    assert.match(r.body.NeutronError.message, /Default external networks must be shared to everyone/);
    r = await h.request('PUT', `/v2.0/networks/${e1.id}`, ADMIN, { network: { is_default: false } });
    assert.equal(r.body.network.is_default, false);
    assert.equal((await h.request('DELETE', `/v2.0/rbac-policies/${policy.id}`, ADMIN)).status, 204);
  });
});
