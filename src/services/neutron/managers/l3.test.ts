/**
 * Routers, floating IPs and port forwardings through the API: interfaces by subnet and port,
 * the gateway on an external network, floating IP association through a router (and the
 * ExternalGatewayForFloatingIPNotFound check), extra routes, and the in-use guards.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN, type Harness, startHarness, tokenFor } from '../testing/harness.js';

let h: Harness;
const A = tokenFor('l3-a');
let publicNet: { id: string };

before(async () => {
  h = await startHarness();
  publicNet = (await h.request('POST', '/v2.0/networks', ADMIN, { network: { name: 'public', 'router:external': true } })).body.network;
  await h.request('POST', '/v2.0/subnets', ADMIN, { subnet: { network_id: publicNet.id, cidr: '172.24.4.0/24', ip_version: 4 } });
});
after(() => h.close());

async function privateNet(cidr: string) {
  const n = (await h.request('POST', '/v2.0/networks', A, { network: { name: 'priv' } })).body.network;
  const s = (await h.request('POST', '/v2.0/subnets', A, { subnet: { network_id: n.id, cidr, ip_version: 4 } })).body.subnet;
  return { n, s };
}

describe('routers and floating IPs', () => {
  test('interface by subnet, gateway, floating IP association and the guards', async () => {
    const { n, s } = await privateNet('10.50.0.0/24');
    const port = (await h.request('POST', '/v2.0/ports', A, { port: { network_id: n.id } })).body.port;
    const fip = await h.request('POST', '/v2.0/floatingips', A, { floatingip: { floating_network_id: publicNet.id } });
    assert.equal(fip.status, 201);
    assert.match(fip.body.floatingip.floating_ip_address, /^172\.24\.4\./);
    assert.equal(fip.body.floatingip.status, 'DOWN');
    // no router connects the port's subnet to the external network yet
    let r = await h.request('PUT', `/v2.0/floatingips/${fip.body.floatingip.id}`, A, { floatingip: { port_id: port.id } });
    assert.equal(r.status, 404);
    assert.equal(r.body.NeutronError.type, 'ExternalGatewayForFloatingIPNotFound');

    const router = (await h.request('POST', '/v2.0/routers', A, { router: { name: 'r1' } })).body.router;
    r = await h.request('PUT', `/v2.0/routers/${router.id}/add_router_interface`, A, { subnet_id: s.id });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.subnet_id, s.id);
    assert.deepEqual(r.body.subnet_ids, [s.id]);
    const ifacePort = (await h.request('GET', `/v2.0/ports/${r.body.port_id}`, A)).body.port;
    assert.equal(ifacePort.device_owner, 'network:router_interface');
    assert.equal(ifacePort.fixed_ips[0].ip_address, '10.50.0.1');
    r = await h.request('PUT', `/v2.0/routers/${router.id}/add_router_interface`, A, { subnet_id: s.id });
    assert.equal(r.status, 400);
    // the interface port cannot be deleted through the port API
    assert.equal((await h.request('DELETE', `/v2.0/ports/${ifacePort.id}`, A)).status, 409);

    r = await h.request('PUT', `/v2.0/routers/${router.id}`, A, { router: { external_gateway_info: { network_id: publicNet.id } } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const gw = r.body.router.external_gateway_info;
    assert.equal(gw.network_id, publicNet.id);
    assert.equal(gw.enable_snat, true);
    assert.equal(gw.external_fixed_ips.length, 1);
    // members may not turn SNAT off
    r = await h.request('PUT', `/v2.0/routers/${router.id}`, A, { router: { external_gateway_info: { network_id: publicNet.id, enable_snat: false } } });
    assert.equal(r.status, 403);

    r = await h.request('PUT', `/v2.0/floatingips/${fip.body.floatingip.id}`, A, { floatingip: { port_id: port.id } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.floatingip.router_id, router.id);
    assert.equal(r.body.floatingip.fixed_ip_address, port.fixed_ips[0].ip_address);
    assert.equal(r.body.floatingip.port_details.network_id, n.id);

    // the interface and the gateway are needed by the floating IP
    r = await h.request('PUT', `/v2.0/routers/${router.id}/remove_router_interface`, A, { subnet_id: s.id });
    assert.equal(r.status, 409);
    assert.equal(r.body.NeutronError.type, 'RouterInterfaceInUseByFloatingIP');
    r = await h.request('PUT', `/v2.0/routers/${router.id}`, A, { router: { external_gateway_info: {} } });
    assert.equal(r.status, 409);
    assert.equal((await h.request('DELETE', `/v2.0/routers/${router.id}`, A)).status, 409);

    // extra routes need a connected next hop
    r = await h.request('PUT', `/v2.0/routers/${router.id}`, A, { router: { routes: [{ destination: '10.60.0.0/16', nexthop: '10.50.0.50' }] } });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.router.routes, [{ destination: '10.60.0.0/16', nexthop: '10.50.0.50' }]);
    r = await h.request('PUT', `/v2.0/routers/${router.id}`, A, { router: { routes: [{ destination: '10.60.0.0/16', nexthop: '10.70.0.1' }] } });
    assert.equal(r.status, 400);

    // deleting the port disassociates; then everything comes apart
    assert.equal((await h.request('DELETE', `/v2.0/ports/${port.id}`, A)).status, 204);
    const after = (await h.request('GET', `/v2.0/floatingips/${fip.body.floatingip.id}`, A)).body.floatingip;
    assert.equal(after.port_id, null);
    assert.equal(after.router_id, null);
    await h.request('PUT', `/v2.0/routers/${router.id}`, A, { router: { routes: [] } });
    r = await h.request('PUT', `/v2.0/routers/${router.id}/remove_router_interface`, A, { subnet_id: s.id });
    assert.equal(r.status, 200);
    assert.equal((await h.request('GET', `/v2.0/ports/${ifacePort.id}`, A)).status, 404);
    assert.equal((await h.request('DELETE', `/v2.0/floatingips/${fip.body.floatingip.id}`, A)).status, 204);
    assert.equal((await h.request('DELETE', `/v2.0/routers/${router.id}`, A)).status, 204);
  });

  test('gateway needs an external network; a missing network is 404', async () => {
    const { n } = await privateNet('10.51.0.0/24');
    const router = (await h.request('POST', '/v2.0/routers', A, { router: { name: 'r2' } })).body.router;
    let r = await h.request('PUT', `/v2.0/routers/${router.id}`, A, { router: { external_gateway_info: { network_id: n.id } } });
    assert.equal(r.status, 400);
    r = await h.request('PUT', `/v2.0/routers/${router.id}`, A, { router: { external_gateway_info: { network_id: router.id } } });
    assert.equal(r.status, 404);
    const fip = await h.request('POST', '/v2.0/floatingips', A, { floatingip: { floating_network_id: n.id } });
    assert.equal(fip.status, 400);
  });

  test('port forwardings on a floating IP', async () => {
    const { n, s } = await privateNet('10.52.0.0/24');
    const port = (await h.request('POST', '/v2.0/ports', A, { port: { network_id: n.id } })).body.port;
    const router = (await h.request('POST', '/v2.0/routers', A, { router: { name: 'r3', external_gateway_info: { network_id: publicNet.id } } })).body.router;
    await h.request('PUT', `/v2.0/routers/${router.id}/add_router_interface`, A, { subnet_id: s.id });
    const fip = (await h.request('POST', '/v2.0/floatingips', A, { floatingip: { floating_network_id: publicNet.id } })).body.floatingip;
    const body = { port_forwarding: { external_port: 2222, internal_port: 22, internal_ip_address: port.fixed_ips[0].ip_address, protocol: 'tcp', internal_port_id: port.id } };
    let r = await h.request('POST', `/v2.0/floatingips/${fip.id}/port_forwardings`, A, body);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const pf = r.body.port_forwarding;
    assert.equal(pf.external_port, 2222);
    // Upstream answers a duplicate with BadRequest naming the conflicting values.
    r = await h.request('POST', `/v2.0/floatingips/${fip.id}/port_forwardings`, A, body);
    assert.equal(r.status, 400);
    assert.match(r.body.NeutronError.message, /duplicate port forwarding/);
    // A port with port forwardings cannot also get the floating IP itself.
    r = await h.request('PUT', `/v2.0/floatingips/${fip.id}`, A, { floatingip: { port_id: port.id } });
    assert.equal(r.status, 409);
    const list = await h.request('GET', `/v2.0/floatingips/${fip.id}/port_forwardings`, A);
    assert.equal(list.body.port_forwardings.length, 1);
    const shown = (await h.request('GET', `/v2.0/floatingips/${fip.id}`, A)).body.floatingip;
    assert.equal(shown.router_id, router.id);
    assert.equal(shown.port_forwardings[0].external_port, 2222);
    r = await h.request('PUT', `/v2.0/floatingips/${fip.id}/port_forwardings/${pf.id}`, A, { port_forwarding: { external_port: 2223 } });
    assert.equal(r.body.port_forwarding.external_port, 2223);
    assert.equal((await h.request('GET', `/v2.0/floatingips/${fip.id}/port_forwardings/${pf.id}`, tokenFor('other'))).status, 404);
    assert.equal((await h.request('DELETE', `/v2.0/floatingips/${fip.id}`, A)).status, 409);
    assert.equal((await h.request('DELETE', `/v2.0/floatingips/${fip.id}/port_forwardings/${pf.id}`, A)).status, 204);
    assert.equal((await h.request('DELETE', `/v2.0/floatingips/${fip.id}`, A)).status, 204);
  });

  test('a blank floating IP update disassociates it; a body without content-type is JSON', async () => {
    const { n, s } = await privateNet('10.53.0.0/24');
    const port = (await h.request('POST', '/v2.0/ports', A, { port: { network_id: n.id } })).body.port;
    const router = (await h.request('POST', '/v2.0/routers', A, { router: { name: 'r4', external_gateway_info: { network_id: publicNet.id } } })).body.router;
    await h.request('PUT', `/v2.0/routers/${router.id}/add_router_interface`, A, { subnet_id: s.id });
    const fip = (await h.request('POST', '/v2.0/floatingips', A, { floatingip: { floating_network_id: publicNet.id, port_id: port.id } })).body.floatingip;
    assert.equal(fip.port_id, port.id);
    assert.equal(fip.fixed_ip_address, port.fixed_ips[0].ip_address);
    const res = await h.app.inject({
      method: 'PUT', url: `/network/v2.0/floatingips/${fip.id}`,
      headers: { 'x-auth-token': A }, payload: JSON.stringify({ floatingip: {} }),
    });
    assert.equal(res.statusCode, 200, res.body);
    const updated = JSON.parse(res.body).floatingip;
    assert.equal(updated.port_id, null);
    assert.equal(updated.fixed_ip_address, null);
    assert.equal(updated.router_id, null);
    const bad = await h.app.inject({ method: 'PUT', url: `/network/v2.0/floatingips/${fip.id}`, headers: { 'x-auth-token': A }, payload: '{not json' });
    assert.equal(bad.statusCode, 400);
    assert.equal(JSON.parse(bad.body).NeutronError.message, 'Body contains invalid data');
  });
});

test('ports without a project (router gateways, floating IPs) create no default security group', async () => {
  const router = (await h.request('POST', '/v2.0/routers', A, { router: { name: 'gw-only', external_gateway_info: { network_id: publicNet.id } } })).body.router;
  assert.ok(router.external_gateway_info);
  await h.request('POST', '/v2.0/floatingips', A, { floatingip: { floating_network_id: publicNet.id } });
  const groups = (await h.request('GET', '/v2.0/security-groups?name=default', ADMIN)).body.security_groups as Array<{ project_id: string }>;
  assert.deepEqual(groups.filter((g) => !g.project_id), []);
});
