/**
 * GET/DELETE /v2.0/auto-allocated-topology/{project_id}: the network, subnets (one per default
 * subnet pool) and router made from the default external network, once per project; the
 * dry-run check, the failures without a default external network, and who may ask.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN, type Harness, startHarness, tokenFor } from '../testing/harness.js';

let h: Harness;
const A = tokenFor('aat-a');

before(async () => {
  h = await startHarness();
});
after(() => h.close());

async function post(path: string, kind: string, body: Record<string, unknown>) {
  const r = await h.request('POST', `/v2.0/${path}`, ADMIN, { [kind]: body });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body[kind];
}

async function autoResources(token: string) {
  const named = async (path: string, key: string) => ((await h.request('GET', `/v2.0/${path}`, token)).body[key] as Array<{ name: string; id: string }>)
    .filter((x) => x.name.startsWith('auto_allocated_'));
  return { networks: await named('networks', 'networks'), subnets: await named('subnets', 'subnets'), routers: await named('routers', 'routers') };
}

describe('auto-allocated topology', () => {
  test('without a default external network: 409 and nothing left behind', async () => {
    const r = await h.request('GET', '/v2.0/auto-allocated-topology/aat-a', A);
    assert.equal(r.status, 409);
    assert.equal(r.body.NeutronError.type, 'AutoAllocationFailure');
    assert.equal(r.body.NeutronError.message, 'Deployment error: No default router:external network.');
    const left = await autoResources(A);
    assert.deepEqual([left.networks.length, left.subnets.length, left.routers.length], [0, 0, 0]);
  });

  test('made once from the default external network and the default pools, then deleted', async () => {
    const ext = await post('networks', 'network', { name: 'public', 'router:external': true, is_default: true });
    await post('subnets', 'subnet', { network_id: ext.id, cidr: '172.24.4.0/24', ip_version: 4 });
    await post('subnetpools', 'subnetpool', { name: 'v4', prefixes: ['10.100.0.0/16'], default_prefixlen: 26, is_default: true, shared: true });
    await post('subnetpools', 'subnetpool', { name: 'v6', prefixes: ['fd00:100::/48'], default_prefixlen: 64, is_default: true, shared: true });

    const dry = await h.request('GET', '/v2.0/auto-allocated-topology/aat-a?fields=dry-run', A);
    assert.equal(dry.status, 200, JSON.stringify(dry.body));
    assert.deepEqual(dry.body.auto_allocated_topology, { id: 'dry-run=pass', tenant_id: 'aat-a' });

    // "None" is what clients send when they name no project: the caller's
    const first = await h.request('GET', '/v2.0/auto-allocated-topology/None', A);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    const netId = first.body.auto_allocated_topology.id;
    assert.equal(first.body.auto_allocated_topology.tenant_id, 'aat-a');
    const net = (await h.request('GET', `/v2.0/networks/${netId}`, A)).body.network;
    assert.equal(net.admin_state_up, true);
    assert.equal(net.tenant_id, 'aat-a');
    let res = await autoResources(A);
    assert.deepEqual([res.networks.length, res.subnets.length, res.routers.length], [1, 2, 1]);
    const subnets = (await h.request('GET', `/v2.0/subnets?network_id=${netId}`, A)).body.subnets as Array<{ cidr: string; ip_version: number }>;
    assert.ok(subnets.some((s) => s.ip_version === 4 && s.cidr.startsWith('10.100.') && s.cidr.endsWith('/26')));
    assert.ok(subnets.some((s) => s.ip_version === 6 && s.cidr.endsWith('/64')));
    const router = res.routers[0]!;
    const rtr = (await h.request('GET', `/v2.0/routers/${router.id}`, A)).body.router;
    assert.equal(rtr.external_gateway_info.network_id, ext.id);
    const ifaces = (await h.request('GET', `/v2.0/ports?device_id=${router.id}&device_owner=network:router_interface`, A)).body.ports;
    assert.equal(ifaces.length, 2);

    // idempotent
    const again = await h.request('GET', '/v2.0/auto-allocated-topology/aat-a', A);
    assert.equal(again.body.auto_allocated_topology.id, netId);
    res = await autoResources(A);
    assert.deepEqual([res.networks.length, res.subnets.length, res.routers.length], [1, 2, 1]);

    // another project may not ask for (or delete) this one's; admins may
    assert.equal((await h.request('GET', '/v2.0/auto-allocated-topology/aat-a', tokenFor('aat-b'))).status, 403);
    assert.equal((await h.request('DELETE', '/v2.0/auto-allocated-topology/aat-a', tokenFor('aat-b'))).status, 403);
    assert.equal((await h.request('GET', '/v2.0/auto-allocated-topology/aat-a', ADMIN)).body.auto_allocated_topology.id, netId);

    assert.equal((await h.request('DELETE', '/v2.0/auto-allocated-topology/None', A)).status, 204);
    res = await autoResources(A);
    assert.deepEqual([res.networks.length, res.subnets.length, res.routers.length], [0, 0, 0]);
    assert.equal((await h.request('GET', `/v2.0/networks/${netId}`, A)).status, 404);
    // nothing to delete is fine
    assert.equal((await h.request('DELETE', '/v2.0/auto-allocated-topology/aat-a', A)).status, 204);
  });

  test('an unknown field is a 400', async () => {
    const r = await h.request('GET', '/v2.0/auto-allocated-topology/aat-a?fields=bogus', A);
    assert.equal(r.status, 400);
  });
});
