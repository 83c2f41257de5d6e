/**
 * The trunk API (trunk, trunk-details) through app.inject: create, show, list, update, delete,
 * add/remove/get subports, trunk_details on the parent port, upstream's 400/404/409 answers,
 * disabled trunks, ports in use, MTU and inherited segmentation, other projects, list queries,
 * tags, revisions and the status the server sets.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { NeutronContext } from '../common/context.js';
import { apiCalls, type Body } from '../testing/api-calls.js';
import { ADMIN, type Harness, startHarness, tokenFor } from '../testing/harness.js';

let h: Harness;
const A = tokenFor('proj-a');
const B = tokenFor('proj-b');

before(async () => {
  h = await startHarness();
});
after(() => h.close());

const { ok, fails } = apiCalls(() => h);

async function network(token = A, body: Body = {}): Promise<Body> {
  return (await ok('POST', '/v2.0/networks', token, { network: { name: 'n', ...body } }, 201)).network;
}

async function port(token = A, net?: Body, body: Body = {}): Promise<Body> {
  const n = net ?? await network(token);
  return (await ok('POST', '/v2.0/ports', token, { port: { network_id: n.id, ...body } }, 201)).port;
}

async function trunk(token: string, body: Body): Promise<Body> {
  return (await ok('POST', '/v2.0/trunks', token, { trunk: body }, 201)).trunk;
}

const vlan = (portId: string, id: number) => ({ port_id: portId, segmentation_type: 'vlan', segmentation_id: id });

describe('trunks', () => {
  test('create, show, list and delete a trunk; the parent port shows trunk_details', async () => {
    const parent = await port();
    const t = await trunk(A, { port_id: parent.id });
    for (const k of ['id', 'name', 'description', 'admin_state_up', 'status', 'port_id', 'sub_ports', 'tenant_id', 'project_id', 'tags',
      'created_at', 'updated_at', 'revision_number']) assert.ok(k in t, k);
    assert.deepEqual([t.name, t.description, t.admin_state_up, t.status, t.port_id, t.sub_ports, t.project_id, t.tenant_id],
      ['', '', true, 'DOWN', parent.id, [], 'proj-a', 'proj-a']);
    assert.deepEqual((await ok('GET', `/v2.0/trunks/${t.id}`, A)).trunk, t);
    assert.ok((await ok('GET', '/v2.0/trunks', A)).trunks.some((x: Body) => x.id === t.id));
    assert.deepEqual((await ok('GET', `/v2.0/ports/${parent.id}`, A)).port.trunk_details, { trunk_id: t.id, sub_ports: [] });
    const other = await port();
    assert.ok(!('trunk_details' in (await ok('GET', `/v2.0/ports/${other.id}`, A)).port));
    await ok('DELETE', `/v2.0/trunks/${t.id}`, A, undefined, 204);
    await fails('GET', `/v2.0/trunks/${t.id}`, A, undefined, 404, 'TrunkNotFound');
    assert.ok(!('trunk_details' in (await ok('GET', `/v2.0/ports/${parent.id}`, A)).port));
  });

  test('subports: on create, added, removed and listed, in the order they came; trunk_details carries their MACs', async () => {
    const parent = await port();
    const [p1, p2, p3] = [await port(), await port(), await port()];
    const t = await trunk(A, { port_id: parent.id, name: 'tr', description: 'd', sub_ports: [vlan(p1.id, 2)] });
    assert.deepEqual(t.sub_ports, [vlan(p1.id, 2)]);
    const added = (await ok('PUT', `/v2.0/trunks/${t.id}/add_subports`, A, { sub_ports: [vlan(p3.id, 4), { ...vlan(p2.id, 3), segmentation_id: '3' }] })).sub_ports;
    assert.deepEqual(added, [vlan(p1.id, 2), vlan(p3.id, 4), vlan(p2.id, 3)]);
    assert.deepEqual((await ok('GET', `/v2.0/trunks/${t.id}/get_subports`, A)).sub_ports, added);
    const details = (await ok('GET', `/v2.0/ports/${parent.id}`, A)).port.trunk_details;
    assert.deepEqual(details, { trunk_id: t.id, sub_ports: added.map((s: Body) => ({ ...s, mac_address: [p1, p3, p2].find((p) => p.id === s.port_id)!.mac_address })) });
    const listed = (await ok('GET', `/v2.0/ports?id=${parent.id}`, A)).ports[0];
    assert.deepEqual(listed.trunk_details, details);
    const after = (await ok('PUT', `/v2.0/trunks/${t.id}/remove_subports`, A, { sub_ports: [{ port_id: p3.id }] })).sub_ports;
    assert.deepEqual(after, [vlan(p1.id, 2), vlan(p2.id, 3)]);
    // a subport may be deleted with its trunk
    await ok('DELETE', `/v2.0/trunks/${t.id}`, A, undefined, 204);
    await ok('DELETE', `/v2.0/ports/${p1.id}`, A, undefined, 204);
  });

  test('bad subports are 400 with upstream\'s messages', async () => {
    const parent = await port();
    const sub = await port();
    const cases: Array<[unknown, string]> = [
      [[{ port_id: sub.id, segmentation_type: 'vlan' }], 'missing segmentation information'],
      [[{ port_id: sub.id, segmentation_id: 3 }], 'missing segmentation information'],
      [[{ segmentation_type: 'vlan', segmentation_id: 3 }], 'A valid port UUID must be specified'],
      [[{ port_id: 'nope', segmentation_type: 'vlan', segmentation_id: 3 }], "Invalid UUID for subport: 'nope'"],
      [[vlan(sub.id, 2), vlan(sub.id, 3)], 'Non unique UUID for subport'],
      [[vlan(sub.id, 2), vlan(randomUUID(), 2)], 'is not unique'],
      [{ port_id: sub.id }, 'is not a list'],
      [['x'], 'is not a dict'],
    ];
    for (const [subports, text] of cases) {
      const e = await fails('POST', '/v2.0/trunks', A, { trunk: { port_id: parent.id, sub_ports: subports } }, 400);
      assert.match(e.message, new RegExp(text), JSON.stringify(subports));
    }
    for (const [seg, text] of [[vlan(sub.id, 0), "Segmentation ID '0' is not in range"], [vlan(sub.id, 4095), "Segmentation ID '4095' is not in range"],
      [{ ...vlan(sub.id, 5), segmentation_type: 'vxlan' }, "Unknown segmentation_type 'vxlan'"],
      [{ ...vlan(sub.id, 5), segmentation_id: 'five' }, "Invalid subport details: segmentation_id 'five' is not an integer"]] as const) {
      const e = await fails('POST', '/v2.0/trunks', A, { trunk: { port_id: parent.id, sub_ports: [seg] } }, 400, 'InvalidInput');
      assert.equal(e.message, `Invalid input for operation: ${text}.`);
    }
    const t = await trunk(A, { port_id: parent.id });
    await fails('PUT', `/v2.0/trunks/${t.id}/add_subports`, A, { sub_ports: vlan(sub.id, 2) }, 400, 'InvalidInput');
    await fails('PUT', `/v2.0/trunks/${t.id}/add_subports`, A, {}, 400, 'InvalidInput');
    await fails('PUT', `/v2.0/trunks/${t.id}/add_subports`, A, { sub_ports: [{ port_id: sub.id, segmentation_type: 'vlan' }] }, 400, 'InvalidInput');
    await fails('PUT', `/v2.0/trunks/${t.id}/remove_subports`, A, { sub_ports: vlan(sub.id, 2) }, 400, 'InvalidInput');
    await fails('POST', '/v2.0/trunks', A, { trunk: { port_id: 'x' } }, 400);
    await fails('POST', '/v2.0/trunks', A, { trunk: { sub_ports: [] } }, 400);
    await fails('POST', '/v2.0/trunks', A, { trunk: { port_id: sub.id, status: 'ACTIVE' } }, 400);
    await fails('PUT', `/v2.0/trunks/${t.id}`, A, { trunk: { port_id: sub.id } }, 400);
    await fails('GET', '/v2.0/trunks?status=DOWN', A, undefined, 400);
  });

  test('missing ports and trunks are 404', async () => {
    const parent = await port();
    await fails('POST', '/v2.0/trunks', A, { trunk: { port_id: randomUUID() } }, 404, 'PortNotFound');
    await fails('POST', '/v2.0/trunks', A, { trunk: { port_id: parent.id, sub_ports: [vlan(randomUUID(), 2)] } }, 404, 'PortNotFound');
    const t = await trunk(A, { port_id: parent.id });
    await fails('PUT', `/v2.0/trunks/${t.id}/add_subports`, A, { sub_ports: [vlan(randomUUID(), 2)] }, 404, 'PortNotFound');
    await fails('PUT', `/v2.0/trunks/${randomUUID()}/add_subports`, A, { sub_ports: [vlan(parent.id, 2)] }, 404);
    const sub = await port();
    await fails('PUT', `/v2.0/trunks/${t.id}/remove_subports`, A, { sub_ports: [vlan(sub.id, 2)] }, 404, 'SubPortNotFound');
  });

  test('ports in use: 409s as upstream', async () => {
    const parent = await port();
    const [s1, s2] = [await port(), await port()];
    const t = await trunk(A, { port_id: parent.id, sub_ports: [vlan(s1.id, 2)] });
    await fails('POST', '/v2.0/trunks', A, { trunk: { port_id: parent.id } }, 409, 'ParentPortInUse');
    await fails('POST', '/v2.0/trunks', A, { trunk: { port_id: s1.id } }, 409, 'TrunkPortInUse');
    await fails('PUT', `/v2.0/trunks/${t.id}/add_subports`, A, { sub_ports: [vlan(parent.id, 3)] }, 409, 'ParentPortInUse');
    await fails('PUT', `/v2.0/trunks/${t.id}/add_subports`, A, { sub_ports: [vlan(s1.id, 3)] }, 409, 'TrunkPortInUse');
    const e = await fails('PUT', `/v2.0/trunks/${t.id}/add_subports`, A, { sub_ports: [vlan(s2.id, 2)] }, 409, 'DuplicateSubPort');
    assert.equal(e.message, `segmentation_type vlan and segmentation_id 2 already in use on trunk ${t.id}.`);
    const other = await trunk(A, { port_id: (await port()).id });
    await fails('PUT', `/v2.0/trunks/${other.id}/add_subports`, A, { sub_ports: [vlan(s1.id, 2)] }, 409, 'TrunkPortInUse');
    const withDevice = await port(A, undefined, { device_id: 'some-server' });
    await fails('PUT', `/v2.0/trunks/${t.id}/add_subports`, A, { sub_ports: [vlan(withDevice.id, 5)] }, 409, 'PortInUse');
    let pe = await fails('DELETE', `/v2.0/ports/${parent.id}`, A, undefined, 409, 'PortInUseAsTrunkParent');
    assert.equal(pe.message, `Port ${parent.id} is currently a parent port for trunk ${t.id}.`);
    pe = await fails('DELETE', `/v2.0/ports/${s1.id}`, A, undefined, 409, 'PortInUseAsSubPort');
    assert.equal(pe.message, `Port ${s1.id} is currently a subport for trunk ${t.id}.`);
  });

  test('a disabled trunk can be updated but not deleted or have its subports changed (TrunkDisabled)', async () => {
    const parent = await port();
    const sub = await port();
    const t = await trunk(A, { port_id: parent.id, admin_state_up: false, sub_ports: [vlan(sub.id, 7)] });
    assert.equal(t.admin_state_up, false);
    await fails('PUT', `/v2.0/trunks/${t.id}/add_subports`, A, { sub_ports: [vlan((await port()).id, 2)] }, 409, 'TrunkDisabled');
    await fails('PUT', `/v2.0/trunks/${t.id}/remove_subports`, A, { sub_ports: [{ port_id: sub.id }] }, 409, 'TrunkDisabled');
    // upstream checks removals' bodies only once the trunk is known to be enabled
    await fails('PUT', `/v2.0/trunks/${t.id}/remove_subports`, A, { sub_ports: { port_id: sub.id } }, 409, 'TrunkDisabled');
    const e = await fails('DELETE', `/v2.0/trunks/${t.id}`, A, undefined, 409, 'TrunkDisabled');
    assert.equal(e.message, `Trunk ${t.id} is currently disabled.`);
    const up = (await ok('PUT', `/v2.0/trunks/${t.id}`, A, { trunk: { admin_state_up: true, name: 'again', description: 'x' } })).trunk;
    assert.deepEqual([up.admin_state_up, up.name, up.description], [true, 'again', 'x']);
    assert.ok(up.revision_number > t.revision_number);
    await ok('DELETE', `/v2.0/trunks/${t.id}`, A, undefined, 204);
  });

  test('MTU: a subport on a network with a larger MTU than the parent\'s is refused; inherit takes the network\'s VLAN', async () => {
    const vxlanNet = await network(A);
    const vlanNet = await network(ADMIN, { 'provider:network_type': 'vlan', 'provider:physical_network': 'physnet1', 'provider:segmentation_id': 1234, tenant_id: 'proj-a' });
    const small = await port(A, vxlanNet);
    const large = await port(A, vlanNet);
    const e = await fails('POST', '/v2.0/trunks', A, { trunk: { port_id: small.id, sub_ports: [vlan(large.id, 2)] } }, 409, 'SubPortMtuGreaterThanTrunkPortMtu');
    assert.equal(e.message, `MTU 1500 of subport ${large.id} cannot be greater than MTU 1450 of trunk ${small.id}.`);
    const t = await trunk(A, { port_id: small.id });
    await fails('PUT', `/v2.0/trunks/${t.id}/add_subports`, A, { sub_ports: [vlan(large.id, 2)] }, 409, 'SubPortMtuGreaterThanTrunkPortMtu');
    const t2 = await trunk(A, { port_id: (await port(A, vlanNet)).id, sub_ports: [{ port_id: large.id, segmentation_type: 'inherit' }] });
    assert.deepEqual(t2.sub_ports, [vlan(large.id, 1234)]);
    await fails('PUT', `/v2.0/trunks/${t2.id}/add_subports`, A, { sub_ports: [{ port_id: (await port(A, vxlanNet)).id, segmentation_type: 'inherit' }] }, 400, 'InvalidInput');
  });

  test('other projects: trunks invisible (404), ports of others not usable (404), admin sees all', async () => {
    const parent = await port();
    const t = await trunk(A, { port_id: parent.id });
    await fails('GET', `/v2.0/trunks/${t.id}`, B, undefined, 404);
    await fails('PUT', `/v2.0/trunks/${t.id}`, B, { trunk: { name: 'x' } }, 404);
    await fails('DELETE', `/v2.0/trunks/${t.id}`, B, undefined, 404);
    await fails('PUT', `/v2.0/trunks/${t.id}/add_subports`, B, { sub_ports: [] }, 404);
    await fails('GET', `/v2.0/trunks/${t.id}/get_subports`, B, undefined, 404);
    assert.ok(!(await ok('GET', '/v2.0/trunks', B)).trunks.some((x: Body) => x.id === t.id));
    await fails('POST', '/v2.0/trunks', B, { trunk: { port_id: (await port()).id } }, 404, 'PortNotFound');
    const bParent = await port(B);
    await fails('POST', '/v2.0/trunks', B, { trunk: { port_id: bParent.id, sub_ports: [vlan((await port()).id, 2)] } }, 404, 'PortNotFound');
    await fails('POST', '/v2.0/trunks', B, { trunk: { port_id: bParent.id, tenant_id: 'proj-a' } }, 400);
    assert.equal((await ok('GET', `/v2.0/trunks/${t.id}`, ADMIN)).trunk.id, t.id);
    const reader = 'proj-a:reader';
    await ok('GET', `/v2.0/trunks/${t.id}/get_subports`, reader);
    await fails('PUT', `/v2.0/trunks/${t.id}/add_subports`, reader, { sub_ports: [] }, 403);
    await fails('POST', '/v2.0/trunks', reader, { trunk: { port_id: (await port()).id } }, 403);
  });

  test('filters, sorting, pagination, fields, tags, If-Match', async () => {
    const tag = `t-${randomUUID().slice(0, 8)}`;
    const made: Body[] = [];
    for (const n of ['c', 'a', 'b']) made.push(await trunk(A, { port_id: (await port()).id, name: `${tag}-${n}`, tags: [tag] }));
    const names = (q: string) => ok('GET', `/v2.0/trunks?${q}`, A).then((b) => b.trunks.map((x: Body) => x.name));
    assert.deepEqual(await names(`tags=${tag}&sort_key=name&sort_dir=desc`), [`${tag}-c`, `${tag}-b`, `${tag}-a`]);
    assert.deepEqual(await names(`name=${tag}-a`), [`${tag}-a`]);
    assert.deepEqual(await names(`port_id=${made[2]!.port_id}`), [`${tag}-b`]);
    assert.deepEqual(await names(`tags=${tag}&admin_state_up=false`), []);
    const page = await ok('GET', `/v2.0/trunks?tags=${tag}&sort_key=name&sort_dir=asc&limit=2`, A);
    assert.deepEqual(page.trunks.map((x: Body) => x.name), [`${tag}-a`, `${tag}-b`]);
    assert.ok(page.trunks_links.some((l: Body) => l.rel === 'next'));
    const fieldsOnly = (await ok('GET', `/v2.0/trunks/${made[0]!.id}?fields=id&fields=status`, A)).trunk;
    assert.deepEqual(fieldsOnly, { id: made[0]!.id, status: 'DOWN' });
    await ok('PUT', `/v2.0/trunks/${made[0]!.id}/tags/extra`, A, undefined, 201);
    assert.deepEqual((await ok('GET', `/v2.0/trunks/${made[0]!.id}/tags`, A)).tags.sort(), ['extra', tag].sort());
    const shown = (await ok('GET', `/v2.0/trunks/${made[0]!.id}`, A)).trunk;
    assert.ok(shown.revision_number > made[0]!.revision_number);
    const r = await h.request('PUT', `/v2.0/trunks/${made[0]!.id}`, A, { trunk: { name: 'x' } }, { 'If-Match': 'revision_number=999' });
    assert.equal(r.status, 412);
  });

  test('status: DOWN at creation, ACTIVE when the parent port goes ACTIVE, DOWN again when subports change', async () => {
    const parent = await port();
    const t = await trunk(A, { port_id: parent.id });
    const ctx = NeutronContext.admin();
    await h.service.managers.ports.setStatus(ctx, parent.id, 'ACTIVE');
    assert.equal((await ok('GET', `/v2.0/trunks/${t.id}`, A)).trunk.status, 'ACTIVE');
    const added = (await ok('PUT', `/v2.0/trunks/${t.id}/add_subports`, A, { sub_ports: [vlan((await port()).id, 9)] }));
    assert.equal(added.status, 'DOWN');
  });

  test('bound ports: no trunk driver serves them, so they cannot become parents and their trunk cannot be deleted', async () => {
    const bound = await port(ADMIN, await network(ADMIN), { 'binding:host_id': 'compute-x' });
    await fails('POST', '/v2.0/trunks', ADMIN, { trunk: { port_id: bound.id } }, 409, 'ParentPortInUse');
    const parent = await port(ADMIN, await network(ADMIN));
    const t = await trunk(ADMIN, { port_id: parent.id });
    await ok('PUT', `/v2.0/ports/${parent.id}`, ADMIN, { port: { 'binding:host_id': 'compute-x' } });
    await fails('DELETE', `/v2.0/trunks/${t.id}`, ADMIN, undefined, 409, 'TrunkInUse');
    await ok('PUT', `/v2.0/ports/${parent.id}`, ADMIN, { port: { 'binding:host_id': '' } });
    await ok('DELETE', `/v2.0/trunks/${t.id}`, ADMIN, undefined, 204);
  });
});
