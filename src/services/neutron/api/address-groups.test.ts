/**
 * Address groups (address-group, rbac-address-group, security-groups-remote-address-group)
 * through app.inject: create/show/list/update/delete with addresses normalised, add_addresses
 * and remove_addresses with upstream's 400/404 answers, other projects' groups invisible, RBAC
 * sharing, security group rules naming a group (one remote only; unknown group 404; a used
 * group cannot be deleted), and what the agents get: the group's addresses in
 * security_group_info_for_devices and a security_groups_rule_updated cast when they change.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { RpcClient } from '../../../common/messaging/index.js';
import { until } from '../../../common/testing/until.js';
import { AgentRuntime, type L2AgentHandlers } from '../agent/agent-base.js';
import { TOPIC_PLUGIN } from '../rpc/topics.js';
import { apiCalls, type Body } from '../testing/api-calls.js';
import { ADMIN, type Harness, startHarness, tokenFor } from '../testing/harness.js';

let h: Harness;
const A = tokenFor('ag-a');
const B = tokenFor('ag-b');
const casts: Array<{ method: string; args: Record<string, unknown> }> = [];
let l2: AgentRuntime | undefined;

before(async () => {
  h = await startHarness();
  const record = (method: string) => async (_ctx: unknown, args: Record<string, unknown>) => { casts.push({ method, args }); };
  const handlers = Object.fromEntries(['port_update', 'port_delete', 'network_update', 'network_delete', 'security_groups_rule_updated', 'security_groups_member_updated']
    .map((m) => [m, record(m)])) as unknown as L2AgentHandlers;
  l2 = new AgentRuntime(h.transport, { binary: 'neutron-linuxbridge-agent', host: 'ag-compute', topic: 'N/A', agentType: 'Linux bridge agent', configurations: () => ({}) },
    { kind: 'l2', handlers }, 30, h.periodic);
  await l2.start();
});
after(async () => {
  await l2?.stop();
  await h.close();
});

const { ok, fails } = apiCalls(() => h);

async function group(token: string, body: Body = {}): Promise<Body> {
  return (await ok('POST', '/v2.0/address-groups', token, { address_group: { name: 'ag', ...body } }, 201)).address_group;
}

async function sg(token: string): Promise<Body> {
  return (await ok('POST', '/v2.0/security-groups', token, { security_group: { name: 'sg' } }, 201)).security_group;
}

const rule = (sgId: string, extra: Body) => ({ security_group_rule: { security_group_id: sgId, direction: 'ingress', ...extra } });
const sorted = (list: string[]) => [...list].sort();

describe('address groups', () => {
  test('the extensions are listed', async () => {
    const aliases = (await ok('GET', '/v2.0/extensions', A)).extensions.map((e: Body) => e.alias);
    for (const a of ['address-group', 'rbac-address-group', 'security-groups-remote-address-group']) assert.ok(aliases.includes(a), a);
  });

  test('lifecycle: create normalises addresses, show, list, update, delete', async () => {
    const g = await group(A, { description: 'd', addresses: ['10.10.10.3/32', '192.168.0.10/24', '2001:db8::f00/64'] });
    assert.deepEqual(sorted(g.addresses), ['10.10.10.3/32', '192.168.0.0/24', '2001:db8::/64']);
    for (const k of ['id', 'name', 'description', 'project_id', 'tenant_id', 'addresses', 'revision_number', 'created_at', 'updated_at', 'tags']) assert.ok(k in g, k);
    assert.ok(!('shared' in g), 'shared is not shown');
    assert.deepEqual([g.name, g.description, g.project_id, g.revision_number], ['ag', 'd', 'ag-a', 0]);
    assert.deepEqual((await ok('GET', `/v2.0/address-groups/${g.id}`, A)).address_group, g);
    assert.ok((await ok('GET', '/v2.0/address-groups?name=ag', A)).address_groups.some((x: Body) => x.id === g.id));
    const u = (await ok('PUT', `/v2.0/address-groups/${g.id}`, A, { address_group: { description: 'new', name: 'renamed' } })).address_group;
    assert.deepEqual([u.name, u.description, u.revision_number], ['renamed', 'new', 1]);
    assert.deepEqual(sorted(u.addresses), sorted(g.addresses));
    await fails('PUT', `/v2.0/address-groups/${g.id}`, A, { address_group: { addresses: ['10.0.0.0/8'] } }, 400);
    await ok('DELETE', `/v2.0/address-groups/${g.id}`, A, undefined, 204);
    await fails('GET', `/v2.0/address-groups/${g.id}`, A, undefined, 404, 'AddressGroupNotFound');
  });

  test('create refuses what is not a subnet (a bare address too, as validate_subnet)', async () => {
    for (const bad of ['10.20.30.40', 'this is bad IP address', '10.0.0.0/33', 7]) {
      await fails('POST', '/v2.0/address-groups', A, { address_group: { addresses: [bad] } }, 400);
    }
    await fails('POST', '/v2.0/address-groups', A, { address_group: { addresses: '10.0.0.0/8' } }, 400);
    const empty = await group(A, { addresses: null });
    assert.deepEqual(empty.addresses, []);
  });

  test('add_addresses and remove_addresses', async () => {
    const g = await group(A, { addresses: ['10.10.10.3/32'] });
    const added = (await ok('PUT', `/v2.0/address-groups/${g.id}/add_addresses`, A, { addresses: ['10.20.30.40', '172.16.5.1/16', '2001:db8::1'] })).address_group;
    assert.deepEqual(sorted(added.addresses), ['10.10.10.3/32', '10.20.30.40/32', '172.16.0.0/16', '2001:db8::1/128']);
    assert.ok(!('shared' in added));
    assert.equal(added.revision_number, 1);
    let e = await fails('PUT', `/v2.0/address-groups/${g.id}/add_addresses`, A, { addresses: ['10.20.30.40/32', '10.99.0.0/16'] }, 400, 'AddressesAlreadyExist');
    assert.match(e.message, /Addresses \['10\.20\.30\.40\/32'\] already exist in the address group/);
    await fails('PUT', `/v2.0/address-groups/${g.id}/add_addresses`, A, { addresses: ['this is bad IP address'] }, 400);
    await fails('PUT', `/v2.0/address-groups/${g.id}/add_addresses`, A, {}, 400);
    e = await fails('PUT', `/v2.0/address-groups/${g.id}/remove_addresses`, A, { addresses: ['10.200.200.200'] }, 404, 'AddressesNotFound');
    assert.match(e.message, /Addresses \['10\.200\.200\.200\/32'\] not found/);
    await fails('PUT', `/v2.0/address-groups/${g.id}/remove_addresses`, A, { addresses: ['this is bad IP address'] }, 400);
    const unchanged = (await ok('GET', `/v2.0/address-groups/${g.id}`, A)).address_group;
    assert.deepEqual(sorted(unchanged.addresses), sorted(added.addresses), 'failed calls change nothing');
    const removed = (await ok('PUT', `/v2.0/address-groups/${g.id}/remove_addresses`, A, { addresses: ['10.10.10.3', '172.16.9.9/16'] })).address_group;
    assert.deepEqual(sorted(removed.addresses), ['10.20.30.40/32', '2001:db8::1/128']);
  });

  test('other projects do not see a group (404) until an RBAC policy shares it, and cannot change it then', async () => {
    const g = await group(A, { addresses: ['10.1.0.0/16'] });
    await fails('GET', `/v2.0/address-groups/${g.id}`, B, undefined, 404);
    assert.ok(!(await ok('GET', '/v2.0/address-groups', B)).address_groups.some((x: Body) => x.id === g.id));
    for (const [method, url, body] of [['PUT', `/v2.0/address-groups/${g.id}`, { address_group: { name: 'x' } }],
      ['PUT', `/v2.0/address-groups/${g.id}/add_addresses`, { addresses: ['10.9.0.0/16'] }],
      ['DELETE', `/v2.0/address-groups/${g.id}`, undefined]] as const) await fails(method, url, B, body, 404);
    await fails('POST', '/v2.0/rbac-policies', B, { rbac_policy: { object_type: 'address_group', object_id: g.id, action: 'access_as_shared', target_tenant: 'ag-b' } }, 404);
    const policy = (await ok('POST', '/v2.0/rbac-policies', A, { rbac_policy: { object_type: 'address_group', object_id: g.id, action: 'access_as_shared', target_tenant: 'ag-b' } }, 201)).rbac_policy;
    assert.equal(policy.object_type, 'address_group');
    assert.equal((await ok('GET', `/v2.0/address-groups/${g.id}`, B)).address_group.id, g.id);
    await fails('PUT', `/v2.0/address-groups/${g.id}`, B, { address_group: { name: 'x' } }, 404);
    await fails('PUT', `/v2.0/address-groups/${g.id}/add_addresses`, B, { addresses: ['10.9.0.0/16'] }, 403);
    // B's rule uses the shared group: the policy cannot go, nor can the group
    const bsg = await sg(B);
    const r = (await ok('POST', '/v2.0/security-group-rules', B, rule(bsg.id, { protocol: 'tcp', remote_address_group_id: g.id }), 201)).security_group_rule;
    await fails('DELETE', `/v2.0/rbac-policies/${policy.id}`, A, undefined, 409, 'RbacPolicyInUse');
    await fails('DELETE', `/v2.0/address-groups/${g.id}`, A, undefined, 409, 'AddressGroupInUse');
    await ok('DELETE', `/v2.0/security-group-rules/${r.id}`, B, undefined, 204);
    await ok('DELETE', `/v2.0/rbac-policies/${policy.id}`, A, undefined, 204);
    await fails('GET', `/v2.0/address-groups/${g.id}`, B, undefined, 404);
    await ok('DELETE', `/v2.0/address-groups/${g.id}`, A, undefined, 204);
  });

  test('security group rules with remote_address_group_id', async () => {
    const g = await group(A, { addresses: ['10.2.0.0/16'] });
    const s = await sg(A);
    const r = (await ok('POST', '/v2.0/security-group-rules', A, rule(s.id, { protocol: 'tcp', port_range_min: 22, port_range_max: 22, remote_address_group_id: g.id }), 201)).security_group_rule;
    assert.deepEqual([r.remote_address_group_id, r.remote_ip_prefix, r.remote_group_id], [g.id, null, null]);
    assert.equal((await ok('GET', `/v2.0/security-group-rules?remote_address_group_id=${g.id}`, A)).security_group_rules.length, 1);
    await fails('POST', '/v2.0/security-group-rules', A, rule(s.id, { protocol: 'tcp', port_range_min: 22, port_range_max: 22, remote_address_group_id: g.id }), 409, 'SecurityGroupRuleExists');
    await fails('POST', '/v2.0/security-group-rules', A, rule(s.id, { remote_address_group_id: g.id, remote_ip_prefix: '10.0.0.0/8' }), 400, 'SecurityGroupMultipleRemoteEntites');
    await fails('POST', '/v2.0/security-group-rules', A, rule(s.id, { remote_address_group_id: g.id, remote_group_id: s.id }), 400, 'SecurityGroupMultipleRemoteEntites');
    await fails('POST', '/v2.0/security-group-rules', A, rule(s.id, { remote_address_group_id: '0d8b3cd0-64ec-4b02-9a8b-0b1d4c2d9f11' }), 404, 'AddressGroupNotFound');
    const other = await group(B);
    await fails('POST', '/v2.0/security-group-rules', A, rule(s.id, { remote_address_group_id: other.id }), 404, 'AddressGroupNotFound');
    await fails('DELETE', `/v2.0/address-groups/${g.id}`, A, undefined, 409, 'AddressGroupInUse');
    // an admin may name any project's group
    await ok('POST', '/v2.0/security-group-rules', ADMIN, rule(s.id, { protocol: 'udp', remote_address_group_id: other.id }), 201);
  });

  test('tags on address groups', async () => {
    const g = await group(A, { tags: ['red'] });
    assert.deepEqual(g.tags, ['red']);
    await ok('PUT', `/v2.0/address-groups/${g.id}/tags/blue`, A, undefined, 201);
    assert.deepEqual((await ok('GET', `/v2.0/address-groups/${g.id}`, A)).address_group.tags, ['blue', 'red']);
    assert.deepEqual((await ok('GET', '/v2.0/address-groups?tags=blue', A)).address_groups.map((x: Body) => x.id), [g.id]);
  });
});

describe('address groups and the agents', () => {
  test('security_group_info_for_devices carries the groups\' addresses; changing them casts security_groups_rule_updated', async () => {
    const net = (await ok('POST', '/v2.0/networks', A, { network: { name: 'agnet' } }, 201)).network;
    await ok('POST', '/v2.0/subnets', A, { subnet: { network_id: net.id, cidr: '10.88.0.0/24', ip_version: 4 } }, 201);
    const g = await group(A, { addresses: ['192.0.2.10/32', '198.51.100.0/24', '2001:db8:1::/64'] });
    const s = await sg(A);
    await ok('POST', '/v2.0/security-group-rules', A, rule(s.id, { protocol: 'icmp', remote_address_group_id: g.id }), 201);
    const p = (await ok('POST', '/v2.0/ports', A, { port: { network_id: net.id, security_groups: [s.id] } }, 201)).port;

    const client = new RpcClient(h.transport, { topic: TOPIC_PLUGIN, version: '1.3' });
    const info = await client.call({}, 'security_group_info_for_devices', { devices: [`tap${p.id.slice(0, 11)}`], call_version: '1.3' }) as {
      devices: Record<string, { security_group_remote_address_groups: string[] }>;
      security_groups: Record<string, Array<Record<string, unknown>>>;
      sg_member_ips: Record<string, Record<string, Array<[string, string | null]>>>;
    };
    assert.deepEqual(info.devices[p.id]!.security_group_remote_address_groups, [g.id]);
    assert.ok(info.security_groups[s.id]!.some((r) => r.protocol === 'icmp' && r.remote_address_group_id === g.id && !('source_ip_prefix' in r)));
    assert.deepEqual(info.sg_member_ips[g.id], { IPv4: [['192.0.2.10/32', null], ['198.51.100.0/24', null]] }, 'the ethertypes rules name, MAC null');

    casts.length = 0;
    await ok('PUT', `/v2.0/address-groups/${g.id}/add_addresses`, A, { addresses: ['203.0.113.7'] });
    await until(() => casts.some((c) => c.method === 'security_groups_rule_updated'), 'security_groups_rule_updated after add_addresses');
    assert.deepEqual(casts.find((c) => c.method === 'security_groups_rule_updated')!.args.security_groups, [s.id]);
    casts.length = 0;
    await ok('PUT', `/v2.0/address-groups/${g.id}/remove_addresses`, A, { addresses: ['192.0.2.10'] });
    await until(() => casts.some((c) => c.method === 'security_groups_rule_updated'), 'security_groups_rule_updated after remove_addresses');
    const again = await client.call({}, 'security_group_info_for_devices', { devices: [`tap${p.id.slice(0, 11)}`], call_version: '1.3' }) as typeof info;
    assert.deepEqual(again.sg_member_ips[g.id], { IPv4: [['198.51.100.0/24', null], ['203.0.113.7/32', null]] });
  });
});
