/**
 * The API through app.inject: shapes, policy, filters, sorting, pagination, fields, tags,
 * If-Match revision constraints, quotas, subnets (IPv4 and SLAAC) and the fault format.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN, type Harness, startHarness, tokenFor } from '../testing/harness.js';

let h: Harness;
const A = tokenFor('proj-a');
const B = tokenFor('proj-b');

before(async () => {
  h = await startHarness({ overrides: { 'quotas.quota_network': '20' } });
});
after(() => h.close());

async function net(token: string, body: Record<string, unknown> = {}) {
  const r = await h.request('POST', '/v2.0/networks', token, { network: { name: 'n', ...body } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.network;
}

describe('networks', () => {
  test('create shows Neutron\'s attributes; admin sees provider attributes, members do not', async () => {
    const n = await net(A, { name: 'shape' });
    for (const k of ['id', 'name', 'tenant_id', 'project_id', 'admin_state_up', 'status', 'subnets', 'shared', 'router:external', 'mtu',
      'port_security_enabled', 'availability_zone_hints', 'availability_zones', 'description', 'created_at', 'updated_at', 'revision_number', 'tags']) {
      assert.ok(k in n, k);
    }
    assert.equal(n.status, 'ACTIVE');
    assert.equal(n.tenant_id, 'proj-a');
    assert.ok(!('provider:network_type' in n));
    const asAdmin = await h.request('GET', `/v2.0/networks/${n.id}`, ADMIN);
    assert.equal(asAdmin.body.network['provider:network_type'], 'vxlan');
    assert.equal(asAdmin.body.network.mtu, 1450);
  });

  test('policy: members cannot create shared or external networks or provider segments', async () => {
    for (const body of [{ shared: true }, { 'router:external': true }, { 'provider:network_type': 'vxlan' }]) {
      const r = await h.request('POST', '/v2.0/networks', A, { network: body });
      assert.equal(r.status, 403, JSON.stringify(body));
      assert.equal(r.body.NeutronError.type, 'PolicyNotAuthorized');
    }
    const r = await h.request('POST', '/v2.0/networks', ADMIN, { network: { 'provider:network_type': 'vlan', 'provider:physical_network': 'physnet1', 'provider:segmentation_id': 1500 } });
    assert.equal(r.status, 201);
    assert.equal(r.body.network['provider:segmentation_id'], 1500);
    const dup = await h.request('POST', '/v2.0/networks', ADMIN, { network: { 'provider:network_type': 'vlan', 'provider:physical_network': 'physnet1', 'provider:segmentation_id': 1500 } });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.NeutronError.type, 'VlanIdInUse');
  });

  test('bad bodies are 400 with Neutron\'s messages', async () => {
    let r = await h.request('POST', '/v2.0/networks', A, { network: { bogus: 1 } });
    assert.equal(r.status, 400);
    assert.equal(r.body.NeutronError.message, "Unrecognized attribute(s) 'bogus'");
    r = await h.request('POST', '/v2.0/networks', A, { network: { admin_state_up: 'maybe' } });
    assert.equal(r.status, 400);
    assert.equal(r.body.NeutronError.type, 'InvalidInput');
    r = await h.request('POST', '/v2.0/networks', A, { nope: {} });
    assert.equal(r.status, 400);
    assert.equal(r.body.NeutronError.message, "Unable to find 'network' in request body");
    r = await h.request('GET', '/v2.0/networks/00000000-0000-0000-0000-000000000000', A);
    assert.equal(r.status, 404);
    assert.equal(r.body.NeutronError.type, 'NetworkNotFound');
    r = await h.request('GET', '/v2.0/networks?bogus=1', A);
    assert.equal(r.status, 400);
  });

  test('another project sees nothing, not even by id', async () => {
    const n = await net(A, { name: 'private' });
    assert.equal((await h.request('GET', `/v2.0/networks/${n.id}`, B)).status, 404);
    assert.equal((await h.request('PUT', `/v2.0/networks/${n.id}`, B, { network: { name: 'x' } })).status, 404);
    assert.equal((await h.request('DELETE', `/v2.0/networks/${n.id}`, B)).status, 404);
    const list = await h.request('GET', '/v2.0/networks', B);
    assert.ok(!list.body.networks.some((x: { id: string }) => x.id === n.id));
    const port = await h.request('POST', '/v2.0/ports', B, { port: { network_id: n.id } });
    assert.equal(port.status, 404);
  });

  test('filters (repeated = OR), fields, sorting and pagination links', async () => {
    const names = ['pg-c', 'pg-a', 'pg-b', 'pg-d'];
    for (const name of names) await net(A, { name, description: 'page' });
    let r = await h.request('GET', '/v2.0/networks?description=page&sort_key=name&sort_dir=asc&fields=name', A);
    assert.deepEqual(r.body.networks, [{ name: 'pg-a' }, { name: 'pg-b' }, { name: 'pg-c' }, { name: 'pg-d' }]);
    r = await h.request('GET', '/v2.0/networks?name=pg-a&name=pg-d&fields=name&sort_key=name&sort_dir=desc', A);
    assert.deepEqual(r.body.networks, [{ name: 'pg-d' }, { name: 'pg-a' }]);
    r = await h.request('GET', '/v2.0/networks?description=page&sort_key=name&sort_dir=asc&limit=2', A);
    assert.deepEqual(r.body.networks.map((x: { name: string }) => x.name), ['pg-a', 'pg-b']);
    const next = r.body.networks_links.find((l: { rel: string }) => l.rel === 'next');
    assert.ok(next, JSON.stringify(r.body.networks_links));
    const nextUrl = new URL(next.href);
    assert.equal(nextUrl.pathname, '/network/v2.0/networks');
    r = await h.request('GET', `/v2.0/networks${nextUrl.search}`, A);
    assert.deepEqual(r.body.networks.map((x: { name: string }) => x.name), ['pg-c', 'pg-d']);
    r = await h.request('GET', '/v2.0/networks?sort_key=name', A);
    assert.equal(r.status, 400);
    r = await h.request('GET', '/v2.0/networks?sort_key=subnets&sort_dir=asc', A);
    assert.equal(r.status, 400);
  });

  test('tags: API and tags/tags-any/not-tags/not-tags-any filters', async () => {
    const n1 = await net(A, { name: 'tag1' });
    const n2 = await net(A, { name: 'tag2' });
    assert.deepEqual((await h.request('PUT', `/v2.0/networks/${n1.id}/tags`, A, { tags: ['red', 'blue'] })).body, { tags: ['red', 'blue'] });
    assert.equal((await h.request('PUT', `/v2.0/networks/${n2.id}/tags/red`, A)).status, 201);
    assert.equal((await h.request('GET', `/v2.0/networks/${n2.id}/tags/red`, A)).status, 204);
    assert.equal((await h.request('GET', `/v2.0/networks/${n2.id}/tags/blue`, A)).status, 404);
    const ids = async (q: string) => (await h.request('GET', `/v2.0/networks?${q}&fields=id`, A)).body.networks.map((x: { id: string }) => x.id).sort();
    assert.deepEqual(await ids('tags=red,blue'), [n1.id]);
    assert.deepEqual(await ids('tags-any=blue,red'), [n1.id, n2.id].sort());
    assert.ok(!(await ids('not-tags=red,blue')).includes(n1.id));
    assert.ok((await ids('not-tags=red,blue')).includes(n2.id));
    assert.ok(!(await ids('not-tags-any=red')).includes(n2.id));
    assert.equal((await h.request('DELETE', `/v2.0/networks/${n1.id}/tags/red`, A)).status, 204);
    assert.deepEqual((await h.request('GET', `/v2.0/networks/${n1.id}/tags`, A)).body, { tags: ['blue'] });
    assert.equal((await h.request('DELETE', `/v2.0/networks/${n1.id}/tags`, A)).status, 204);
    assert.deepEqual((await h.request('GET', `/v2.0/networks/${n1.id}`, A)).body.network.tags, []);
    assert.equal((await h.request('GET', `/v2.0/networks/${n1.id}/tags`, B)).status, 404);
  });

  test('revision_number grows and If-Match constrains updates (412)', async () => {
    const n = await net(A, { name: 'rev' });
    const r1 = await h.request('PUT', `/v2.0/networks/${n.id}`, A, { network: { name: 'rev2' } }, { 'if-match': `revision_number=${n.revision_number}` });
    assert.equal(r1.status, 200);
    assert.equal(r1.body.network.revision_number, n.revision_number + 1);
    const stale = await h.request('PUT', `/v2.0/networks/${n.id}`, A, { network: { name: 'rev3' } }, { 'if-match': `revision_number=${n.revision_number}` });
    assert.equal(stale.status, 412);
    assert.equal(stale.body.NeutronError.type, 'RevisionNumberConstraintFailed');
    const del = await h.request('DELETE', `/v2.0/networks/${n.id}`, A, undefined, { 'if-match': 'revision_number=999' });
    assert.equal(del.status, 412);
  });

  test('quota: OverQuota (409) once the limit is reached', async () => {
    const C = tokenFor('proj-quota');
    assert.equal((await h.request('PUT', '/v2.0/quotas/proj-quota', ADMIN, { quota: { network: 2 } })).status, 200);
    await net(C);
    await net(C);
    const r = await h.request('POST', '/v2.0/networks', C, { network: {} });
    assert.equal(r.status, 409);
    assert.equal(r.body.NeutronError.type, 'OverQuota');
    const details = await h.request('GET', '/v2.0/quotas/proj-quota/details.json', ADMIN);
    assert.deepEqual(details.body.quota.network, { limit: 2, used: 2, reserved: 0 });
    assert.equal((await h.request('PUT', '/v2.0/quotas/proj-quota', C, { quota: { network: 5 } })).status, 403);
    assert.equal((await h.request('GET', '/v2.0/quotas/proj-quota', C)).body.quota.network, 2);
    assert.equal((await h.request('DELETE', '/v2.0/quotas/proj-quota', ADMIN)).status, 204);
    assert.equal((await h.request('GET', '/v2.0/quotas/proj-quota', ADMIN)).body.quota.network, 20);
  });

  test('a security group needs room for its two egress rules (quota_limit_check)', async () => {
    const C = tokenFor('proj-sgquota');
    assert.equal((await h.request('PUT', '/v2.0/quotas/proj-sgquota', ADMIN, { quota: { security_group_rule: 1 } })).status, 200);
    const r = await h.request('POST', '/v2.0/security-groups', C, { security_group: { name: 'x' } });
    assert.equal(r.status, 409);
    assert.equal(r.body.NeutronError.type, 'OverQuota');
  });
});

describe('subnets and ports', () => {
  test('IPv4 subnet defaults, pools and gateway validation', async () => {
    const n = await net(A);
    let r = await h.request('POST', '/v2.0/subnets', A, { subnet: { network_id: n.id, cidr: '192.168.50.0/24', ip_version: 4, dns_nameservers: ['8.8.8.8'], host_routes: [{ destination: '10.1.0.0/16', nexthop: '192.168.50.5' }] } });
    assert.equal(r.status, 201);
    assert.equal(r.body.subnet.gateway_ip, '192.168.50.1');
    assert.deepEqual(r.body.subnet.allocation_pools, [{ start: '192.168.50.2', end: '192.168.50.254' }]);
    assert.deepEqual(r.body.subnet.dns_nameservers, ['8.8.8.8']);
    r = await h.request('POST', '/v2.0/subnets', A, { subnet: { network_id: n.id, cidr: '192.168.50.128/25', ip_version: 4 } });
    assert.equal(r.status, 400);
    assert.match(r.body.NeutronError.message, /overlaps with another subnet/);
    r = await h.request('POST', '/v2.0/subnets', A, { subnet: { network_id: n.id, cidr: '192.168.60.0/24', ip_version: 4, gateway_ip: '192.168.60.10', allocation_pools: [{ start: '192.168.60.5', end: '192.168.60.20' }] } });
    assert.equal(r.status, 409);
    assert.equal(r.body.NeutronError.type, 'GatewayConflictWithAllocationPools');
    r = await h.request('POST', '/v2.0/subnets', A, { subnet: { network_id: n.id, cidr: '192.168.61.0/24', ip_version: 4, gateway_ip: null } });
    assert.equal(r.body.subnet.gateway_ip, null);
    assert.deepEqual(r.body.subnet.allocation_pools, [{ start: '192.168.61.1', end: '192.168.61.254' }]);
    r = await h.request('POST', '/v2.0/subnets', A, { subnet: { network_id: n.id, cidr: '192.168.62.0/24', ip_version: 6 } });
    assert.equal(r.status, 400);
  });

  test('SLAAC subnets give ports their EUI-64 address', async () => {
    const n = await net(A);
    const s = await h.request('POST', '/v2.0/subnets', A, { subnet: { network_id: n.id, cidr: '2001:db8:1::/64', ip_version: 6, ipv6_ra_mode: 'slaac', ipv6_address_mode: 'slaac' } });
    assert.equal(s.status, 201);
    const p = await h.request('POST', '/v2.0/ports', A, { port: { network_id: n.id, mac_address: 'fa:16:3e:aa:bb:cc' } });
    assert.equal(p.status, 201);
    assert.deepEqual(p.body.port.fixed_ips, [{ subnet_id: s.body.subnet.id, ip_address: '2001:db8:1:0:f816:3eff:feaa:bbcc' }]);
    const bad = await h.request('POST', '/v2.0/subnets', A, { subnet: { network_id: n.id, cidr: '2001:db8:2::/80', ip_version: 6, ipv6_address_mode: 'slaac' } });
    assert.equal(bad.status, 400);
    // 2^64 - 2 addresses: written as an exact JSON integer
    const res = await h.app.inject({ method: 'GET', url: `/network/v2.0/network-ip-availabilities/${n.id}`, headers: { 'x-auth-token': ADMIN } });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /"total_ips":18446744073709551614,/);
    assert.match(res.body, /"used_ips":1/);
  });

  test('port security off refuses security groups; unknown groups are 404; ports without IPs may have groups', async () => {
    const n = await net(A);
    let r = await h.request('POST', '/v2.0/ports', A, { port: { network_id: n.id, port_security_enabled: false, security_groups: ['00000000-0000-0000-0000-000000000000'] } });
    assert.equal(r.status, 400);
    assert.equal(r.body.NeutronError.type, 'PortSecurityAndIPRequiredForSecurityGroups');
    r = await h.request('POST', '/v2.0/ports', A, { port: { network_id: n.id, security_groups: ['00000000-0000-0000-0000-000000000000'] } });
    assert.equal(r.status, 404);
    const sg = (await h.request('POST', '/v2.0/security-groups', A, { security_group: { name: 'noip' } })).body.security_group;
    r = await h.request('POST', '/v2.0/ports', A, { port: { network_id: n.id, security_groups: [sg.id] } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.deepEqual(r.body.port.fixed_ips, []);
    assert.deepEqual(r.body.port.security_groups, [sg.id]);
  });

  test('ports: MAC uniqueness, fixed IP requests, default security group, dns assignment, delete frees the IP', async () => {
    const n = await net(A);
    const s = (await h.request('POST', '/v2.0/subnets', A, { subnet: { network_id: n.id, cidr: '10.20.0.0/24', ip_version: 4 } })).body.subnet;
    const p1 = await h.request('POST', '/v2.0/ports', A, { port: { network_id: n.id, fixed_ips: [{ ip_address: '10.20.0.10' }], dns_name: 'web1' } });
    assert.equal(p1.status, 201);
    assert.equal(p1.body.port.fixed_ips[0].ip_address, '10.20.0.10');
    assert.match(p1.body.port.mac_address, /^fa:16:3e:/);
    assert.equal(p1.body.port.security_groups.length, 1);
    assert.deepEqual(p1.body.port.dns_assignment, [{ hostname: 'web1', ip_address: '10.20.0.10', fqdn: 'web1.openstacklocal.' }]);
    assert.equal(p1.body.port.status, 'DOWN');
    const sameIp = await h.request('POST', '/v2.0/ports', A, { port: { network_id: n.id, fixed_ips: [{ subnet_id: s.id, ip_address: '10.20.0.10' }] } });
    assert.equal(sameIp.status, 409);
    assert.equal(sameIp.body.NeutronError.type, 'IpAddressInUse');
    const sameMac = await h.request('POST', '/v2.0/ports', A, { port: { network_id: n.id, mac_address: p1.body.port.mac_address } });
    assert.equal(sameMac.status, 409);
    assert.equal(sameMac.body.NeutronError.type, 'MacAddressInUse');
    const outside = await h.request('POST', '/v2.0/ports', A, { port: { network_id: n.id, fixed_ips: [{ ip_address: '10.99.0.1' }] } });
    assert.equal(outside.status, 400);
    assert.equal(outside.body.NeutronError.type, 'InvalidIpForNetwork');
    const byIp = await h.request('GET', '/v2.0/ports?fixed_ips=ip_address%3D10.20.0.10', A);
    assert.deepEqual(byIp.body.ports.map((p: { id: string }) => p.id), [p1.body.port.id]);
    const upd = await h.request('PUT', `/v2.0/ports/${p1.body.port.id}`, A, { port: { fixed_ips: [{ ip_address: '10.20.0.11' }] } });
    assert.equal(upd.status, 200);
    assert.equal(upd.body.port.fixed_ips[0].ip_address, '10.20.0.11');
    assert.equal((await h.request('DELETE', `/v2.0/ports/${p1.body.port.id}`, A)).status, 204);
    const reuse = await h.request('POST', '/v2.0/ports', A, { port: { network_id: n.id, fixed_ips: [{ ip_address: '10.20.0.11' }] } });
    assert.equal(reuse.status, 201);
    const inUse = await h.request('DELETE', `/v2.0/networks/${n.id}`, A);
    assert.equal(inUse.status, 409);
    assert.equal(inUse.body.NeutronError.type, 'NetworkInUse');
  });

  test('bindings: admin binds a port; noop binds without wiring it (stays DOWN)', async () => {
    const n = await net(A);
    await h.request('POST', '/v2.0/subnets', A, { subnet: { network_id: n.id, cidr: '10.21.0.0/24', ip_version: 4 } });
    const p = await h.request('POST', '/v2.0/ports', ADMIN, { port: { network_id: n.id, project_id: 'proj-a', 'binding:host_id': 'compute1', device_owner: 'compute:nova', device_id: '11111111-2222-3333-4444-555555555555' } });
    assert.equal(p.status, 201, JSON.stringify(p.body));
    assert.equal(p.body.port['binding:vif_type'], 'other');
    assert.equal(p.body.port.status, 'DOWN');
    const member = await h.request('GET', `/v2.0/ports/${p.body.port.id}`, A);
    assert.ok(!('binding:vif_type' in member.body.port));
    const denied = await h.request('POST', '/v2.0/ports', A, { port: { network_id: n.id, 'binding:host_id': 'compute1' } });
    assert.equal(denied.status, 403);
  });
});

describe('security groups', () => {
  test('default group, rules by name or number, duplicates 409, bad ranges 400', async () => {
    const list = await h.request('GET', '/v2.0/security-groups', tokenFor('proj-sg'));
    assert.equal(list.body.security_groups.length, 1);
    const def = list.body.security_groups[0];
    assert.equal(def.name, 'default');
    assert.equal(def.security_group_rules.length, 4);
    const sg = (await h.request('POST', '/v2.0/security-groups', tokenFor('proj-sg'), { security_group: { name: 'web' } })).body.security_group;
    assert.equal(sg.security_group_rules.length, 2);
    let r = await h.request('POST', '/v2.0/security-group-rules', tokenFor('proj-sg'), { security_group_rule: { security_group_id: sg.id, direction: 'ingress', protocol: 'tcp', port_range_min: 22, port_range_max: 22 } });
    assert.equal(r.status, 201);
    r = await h.request('POST', '/v2.0/security-group-rules', tokenFor('proj-sg'), { security_group_rule: { security_group_id: sg.id, direction: 'ingress', protocol: '6', port_range_min: 22, port_range_max: 22 } });
    assert.equal(r.status, 409);
    assert.equal(r.body.NeutronError.type, 'SecurityGroupRuleExists');
    r = await h.request('POST', '/v2.0/security-group-rules', tokenFor('proj-sg'), { security_group_rule: { security_group_id: sg.id, direction: 'ingress', protocol: 'tcp', port_range_min: 30, port_range_max: 20 } });
    assert.equal(r.status, 400);
    assert.equal(r.body.NeutronError.type, 'SecurityGroupInvalidPortRange');
    r = await h.request('POST', '/v2.0/security-groups', tokenFor('proj-sg'), { security_group: { name: 'default' } });
    assert.equal(r.status, 409);
    r = await h.request('DELETE', `/v2.0/security-groups/${def.id}`, tokenFor('proj-sg'));
    assert.equal(r.status, 409);
    assert.equal((await h.request('GET', `/v2.0/security-groups/${sg.id}`, B)).status, 404);
  });

  test('stateful: true by default, settable while no port uses the group, 409 once one does', async () => {
    const T = tokenFor('proj-sf');
    let r = await h.request('POST', '/v2.0/security-groups', T, { security_group: { name: 'sf' } });
    assert.equal(r.body.security_group.stateful, true);
    const id = r.body.security_group.id;
    r = await h.request('PUT', `/v2.0/security-groups/${id}`, T, { security_group: { stateful: false } });
    assert.equal(r.status, 200);
    assert.equal(r.body.security_group.stateful, false);
    r = await h.request('POST', '/v2.0/security-groups', T, { security_group: { name: 'sl', stateful: false } });
    assert.equal(r.body.security_group.stateful, false);
    const n = await net(T);
    r = await h.request('POST', '/v2.0/ports', T, { port: { network_id: n.id, security_groups: [id] } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    r = await h.request('PUT', `/v2.0/security-groups/${id}`, T, { security_group: { stateful: true } });
    assert.equal(r.status, 409);
    assert.equal(r.body.NeutronError.type, 'SecurityGroupInUse');
    r = await h.request('PUT', `/v2.0/security-groups/${id}`, T, { security_group: { stateful: false, name: 'same' } });
    assert.equal(r.status, 200, 'the same value is no change');
    assert.equal((await h.request('GET', `/v2.0/security-groups?stateful=false&name=same`, T)).body.security_groups.length, 1);
  });
});

describe('other collections', () => {
  test('extensions, versions, availability zones, service providers', async () => {
    const ext = await h.request('GET', '/v2.0/extensions', A);
    assert.ok(ext.body.extensions.some((e: { alias: string }) => e.alias === 'router'));
    assert.equal((await h.request('GET', '/v2.0/extensions/router', A)).body.extension.alias, 'router');
    assert.equal((await h.request('GET', '/v2.0/extensions/nope', A)).status, 404);
    const v = await h.request('GET', '/v2.0/', A);
    assert.ok(v.body.resources.some((r: { name: string }) => r.name === 'port'));
    assert.deepEqual((await h.request('GET', '/v2.0/availability_zones', A)).body, { availability_zones: [] });
    assert.deepEqual((await h.request('GET', '/v2.0/service-providers', A)).body, { service_providers: [] });
    assert.equal((await h.request('GET', '/v2.0/networks', '')).status, 401);
  });
});
