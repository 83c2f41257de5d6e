/**
 * Sharing: a network shared with one project (RBAC access_as_shared) or with everyone
 * (`shared`), exposed as external (access_as_external), and the guards that keep a grant
 * other projects depend on.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN, type Harness, startHarness, tokenFor } from '../testing/harness.js';

let h: Harness;
const OWNER = tokenFor('rbac-owner');
const OTHER = tokenFor('rbac-other');
const THIRD = tokenFor('rbac-third');

before(async () => {
  h = await startHarness();
});
after(() => h.close());

const visible = async (token: string, id: string) => (await h.request('GET', `/v2.0/networks/${id}`, token)).status === 200;

describe('RBAC', () => {
  test('share a network with one project, then withdraw it', async () => {
    const net = (await h.request('POST', '/v2.0/networks', OWNER, { network: { name: 'to-share' } })).body.network;
    const sub = (await h.request('POST', '/v2.0/subnets', OWNER, { subnet: { network_id: net.id, cidr: '10.80.0.0/24', ip_version: 4 } })).body.subnet;
    assert.equal(await visible(OTHER, net.id), false);
    const pol = await h.request('POST', '/v2.0/rbac-policies', OWNER, { rbac_policy: { object_type: 'network', object_id: net.id, action: 'access_as_shared', target_tenant: 'rbac-other' } });
    assert.equal(pol.status, 201, JSON.stringify(pol.body));
    assert.equal(pol.body.rbac_policy.target_tenant, 'rbac-other');
    assert.equal(await visible(OTHER, net.id), true);
    assert.equal(await visible(THIRD, net.id), false);
    assert.equal((await h.request('GET', `/v2.0/networks/${net.id}`, OTHER)).body.network.shared, true);
    assert.equal((await h.request('GET', `/v2.0/networks/${net.id}`, OWNER)).body.network.shared, false);
    assert.equal((await h.request('GET', `/v2.0/subnets/${sub.id}`, OTHER)).status, 200);
    // the other project may plug a port into it, but may not change the network
    const port = await h.request('POST', '/v2.0/ports', OTHER, { port: { network_id: net.id } });
    assert.equal(port.status, 201);
    assert.equal((await h.request('PUT', `/v2.0/networks/${net.id}`, OTHER, { network: { name: 'x' } })).status, 403);
    // the policy is the owner's; the port depends on it
    assert.equal((await h.request('GET', `/v2.0/rbac-policies/${pol.body.rbac_policy.id}`, OTHER)).status, 404);
    const del = await h.request('DELETE', `/v2.0/rbac-policies/${pol.body.rbac_policy.id}`, OWNER);
    assert.equal(del.status, 409);
    assert.equal(del.body.NeutronError.type, 'RbacPolicyInUse');
    assert.equal((await h.request('DELETE', `/v2.0/ports/${port.body.port.id}`, OTHER)).status, 204);
    assert.equal((await h.request('DELETE', `/v2.0/rbac-policies/${pol.body.rbac_policy.id}`, OWNER)).status, 204);
    assert.equal(await visible(OTHER, net.id), false);
  });

  test('only admins share with everyone; shared networks are visible to all', async () => {
    const net = (await h.request('POST', '/v2.0/networks', OWNER, { network: { name: 'wild' } })).body.network;
    const wild = await h.request('POST', '/v2.0/rbac-policies', OWNER, { rbac_policy: { object_type: 'network', object_id: net.id, action: 'access_as_shared', target_tenant: '*' } });
    assert.equal(wild.status, 403);
    const upd = await h.request('PUT', `/v2.0/networks/${net.id}`, ADMIN, { network: { shared: true } });
    assert.equal(upd.status, 200);
    assert.equal(upd.body.network.shared, true);
    assert.equal(await visible(THIRD, net.id), true);
    const list = await h.request('GET', '/v2.0/networks?shared=true&fields=id', THIRD);
    assert.ok(list.body.networks.some((n: { id: string }) => n.id === net.id));
    const dup = await h.request('POST', '/v2.0/rbac-policies', ADMIN, { rbac_policy: { object_type: 'network', object_id: net.id, action: 'access_as_shared', target_tenant: '*' } });
    assert.equal(dup.status, 409);
  });

  test('access_as_external makes a network external for its target', async () => {
    const net = (await h.request('POST', '/v2.0/networks', ADMIN, { network: { name: 'ext' } })).body.network;
    const pol = await h.request('POST', '/v2.0/rbac-policies', ADMIN, { rbac_policy: { object_type: 'network', object_id: net.id, action: 'access_as_external', target_tenant: 'rbac-other' } });
    assert.equal(pol.status, 201);
    const seen = await h.request('GET', `/v2.0/networks/${net.id}`, OTHER);
    assert.equal(seen.status, 200);
    assert.equal(seen.body.network['router:external'], true);
    assert.equal(await visible(THIRD, net.id), false);
    const bad = await h.request('POST', '/v2.0/rbac-policies', ADMIN, { rbac_policy: { object_type: 'network', object_id: net.id, action: 'access_as_owner', target_tenant: 'x' } });
    assert.equal(bad.status, 400);
  });

  test('security groups can be shared too', async () => {
    const sg = (await h.request('POST', '/v2.0/security-groups', OWNER, { security_group: { name: 'shared-sg' } })).body.security_group;
    assert.equal((await h.request('GET', `/v2.0/security-groups/${sg.id}`, OTHER)).status, 404);
    const pol = await h.request('POST', '/v2.0/rbac-policies', OWNER, { rbac_policy: { object_type: 'security_group', object_id: sg.id, action: 'access_as_shared', target_tenant: 'rbac-other' } });
    assert.equal(pol.status, 201);
    const shown = await h.request('GET', `/v2.0/security-groups/${sg.id}`, OTHER);
    assert.equal(shown.status, 200);
    assert.equal(shown.body.security_group.shared, true);
  });

  test('address scopes and subnet pools: shared through RBAC, and the shared filter sees grants', async () => {
    const scope = (await h.request('POST', '/v2.0/address-scopes', OWNER, { address_scope: { name: 'sc', ip_version: 4 } })).body.address_scope;
    const pool = (await h.request('POST', '/v2.0/subnetpools', OWNER, { subnetpool: { name: 'sp', prefixes: ['10.90.0.0/16'], default_prefixlen: 24 } })).body.subnetpool;
    assert.equal((await h.request('GET', `/v2.0/address-scopes/${scope.id}`, OTHER)).status, 404);
    for (const [type, id] of [['address_scope', scope.id], ['subnetpool', pool.id]]) {
      const pol = await h.request('POST', '/v2.0/rbac-policies', OWNER, { rbac_policy: { object_type: type, object_id: id, action: 'access_as_shared', target_tenant: 'rbac-other' } });
      assert.equal(pol.status, 201, JSON.stringify(pol.body));
    }
    assert.equal((await h.request('GET', `/v2.0/address-scopes/${scope.id}`, OTHER)).body.address_scope.shared, true);
    assert.equal((await h.request('GET', `/v2.0/address-scopes/${scope.id}`, OWNER)).body.address_scope.shared, false);
    assert.deepEqual((await h.request('GET', '/v2.0/address-scopes?shared=True', OTHER)).body.address_scopes.map((s: { id: string }) => s.id), [scope.id]);
    assert.deepEqual((await h.request('GET', '/v2.0/subnetpools?shared=true', OTHER)).body.subnetpools.map((s: { id: string }) => s.id), [pool.id]);
    assert.deepEqual((await h.request('GET', '/v2.0/subnetpools?shared=false', OWNER)).body.subnetpools.map((s: { id: string }) => s.id), [pool.id]);
    // a pool in that scope can be shared only with projects that can use the scope
    const scoped = (await h.request('POST', '/v2.0/subnetpools', OWNER, { subnetpool: { name: 'sp2', prefixes: ['10.91.0.0/16'], address_scope_id: scope.id } })).body.subnetpool;
    let r = await h.request('POST', '/v2.0/rbac-policies', OWNER, { rbac_policy: { object_type: 'subnetpool', object_id: scoped.id, action: 'access_as_shared', target_tenant: 'rbac-third' } });
    assert.equal(r.status, 400);
    assert.equal(r.body.NeutronError.type, 'RbacPolicyInitError');
    r = await h.request('POST', '/v2.0/rbac-policies', OWNER, { rbac_policy: { object_type: 'subnetpool', object_id: scoped.id, action: 'access_as_shared', target_tenant: 'rbac-other' } });
    assert.equal(r.status, 201);
  });
});
