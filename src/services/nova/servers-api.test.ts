// The servers API as clients see it, on a cloud that boots for real: list/show shapes per
// microversion, filters, paging and changes-since, update, stop/start with their notifications,
// console output, and bad input answered with Nova's error bodies (never a 500).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BootCloud } from './testing/boot-cloud.js';

describe('servers API', () => {
  let b: BootCloud;
  const ids: string[] = [];

  /** Boot and bring to ACTIVE (the test plays Neutron's agent and reports the port up). */
  async function active(server: Record<string, unknown> = {}, version = '2.1'): Promise<any> {
    const created = await b.boot(server, {}, version);
    assert.equal(created.status, 202, JSON.stringify(created.body));
    const id = created.body.server.id;
    ids.push(id);
    const deadline = Date.now() + 10_000;
    while ((await b.ports(id)).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await b.plugVifs(id);
    return b.waitFor(id, ['ACTIVE', 'ERROR']);
  }

  before(async () => {
    b = await BootCloud.start({ 'DEFAULT.hosts': 'c1' });
    await active({ name: 'alpha', metadata: { role: 'db' } });
    await active({ name: 'beta', tags: ['blue', 'green'], description: 'second' }, '2.52');
  });
  after(async () => { await b?.close(); });

  test('show at 2.1: flavor and image links, extended attributes for the admin, no 2.x fields', async () => {
    const res = await b.compute('GET', `/servers/${ids[0]}`);
    assert.equal(res.status, 200);
    const s = res.body.server;
    assert.equal(s.status, 'ACTIVE');
    assert.equal(s.flavor.id, '1');
    assert.match(s.flavor.links[0].href, /\/compute\/flavors\/1$/);
    assert.equal(s.image.id, b.imageId);
    assert.equal(s['OS-EXT-SRV-ATTR:host'], 'c1');
    assert.match(s['OS-EXT-SRV-ATTR:instance_name'], /^instance-[0-9a-f]{8}$/);
    assert.equal(s['OS-EXT-AZ:availability_zone'], 'nova');
    assert.match(s['OS-SRV-USG:launched_at'], /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000000$/);
    assert.equal(s.hostId.length, 56);
    assert.deepEqual(s.metadata, { role: 'db' });
    assert.deepEqual(s.security_groups, [{ name: 'default' }]);
    for (const key of ['locked', 'description', 'tags', 'OS-EXT-SRV-ATTR:hostname', 'host_status']) assert.ok(!(key in s), key);
  });

  test('show at 2.47 and later: the flavor inline, then locked, description, tags, host_status, hostname', async () => {
    const s47 = (await b.compute('GET', `/servers/${ids[1]}`, undefined, '2.47')).body.server;
    assert.deepEqual(s47.flavor, { vcpus: 1, ram: 512, disk: 1, ephemeral: 0, swap: 0, original_name: 'm1.tiny', extra_specs: {} });
    const latest = (await b.compute('GET', `/servers/${ids[1]}`, undefined, '2.93')).body.server;
    assert.equal(latest.locked, false);
    assert.equal(latest.locked_reason, null);
    assert.equal(latest.description, 'second');
    assert.deepEqual(latest.tags, ['blue', 'green']);
    assert.equal(latest.host_status, 'UP');
    assert.equal(latest['OS-EXT-SRV-ATTR:hostname'], 'beta');
    assert.deepEqual(latest.server_groups, []);
    assert.equal(latest.trusted_image_certificates, null);
  });

  test('list, detail, filters, sorting, paging and changes-since', async () => {
    const list = (await b.compute('GET', '/servers')).body;
    assert.deepEqual(Object.keys(list.servers[0]).sort(), ['id', 'links', 'name']);
    assert.deepEqual(list.servers.map((s: any) => s.name), ['beta', 'alpha']);
    const asc = (await b.compute('GET', '/servers/detail?sort_key=display_name&sort_dir=asc')).body.servers;
    assert.deepEqual(asc.map((s: any) => s.name), ['alpha', 'beta']);
    assert.deepEqual((await b.compute('GET', '/servers?name=^al')).body.servers.map((s: any) => s.name), ['alpha']);
    assert.deepEqual((await b.compute('GET', '/servers?status=ACTIVE')).body.servers.length, 2);
    assert.deepEqual((await b.compute('GET', '/servers?status=SHUTOFF')).body.servers, []);
    assert.deepEqual((await b.compute('GET', '/servers?tags=blue', undefined, '2.26')).body.servers.map((s: any) => s.name), ['beta']);
    assert.deepEqual((await b.compute('GET', '/servers?not-tags-any=green', undefined, '2.26')).body.servers.map((s: any) => s.name), ['alpha']);
    assert.deepEqual((await b.compute('GET', '/servers?flavor=1')).body.servers.length, 2);
    assert.deepEqual((await b.compute('GET', '/servers?flavor=999')).body.servers, []);
    const page1 = (await b.compute('GET', '/servers?limit=1')).body;
    assert.equal(page1.servers.length, 1);
    assert.match(page1.servers_links[0].href, /limit=1&marker=/);
    const page2 = (await b.compute('GET', `/servers?limit=1&marker=${page1.servers[0].id}`)).body;
    assert.equal(page2.servers[0].name, 'alpha');
    assert.deepEqual((await b.compute('GET', '/servers?changes-since=2999-01-01T00:00:00Z')).body.servers, []);
    const bad = await b.compute('GET', '/servers?changes-since=2030-01-01T00:00:00Z&changes-before=2020-01-01T00:00:00Z', undefined, '2.66');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.badRequest.message, 'The value of changes-since must be less than or equal to changes-before.');
    assert.equal((await b.compute('GET', '/servers?status=NOPE', undefined, '2.38')).status, 400);
    assert.equal((await b.compute('GET', '/servers?marker=00000000-0000-0000-0000-000000000000')).status, 400);
    assert.equal((await b.compute('GET', '/servers?bogus=1', undefined, '2.75')).status, 400);
    assert.equal((await b.compute('GET', '/servers?bogus=1', undefined, '2.74')).status, 200);
  });

  test('a member pages and sorts too: limit and sort keys are not search options (limit 0 lists nothing, bad limits are 400s)', async () => {
    const user = await b.projectUserToken('pager');
    for (const name of ['m-one', 'm-two']) {
      const res = await b.computeAs(user.token, 'POST', '/servers', { server: { name, imageRef: b.imageId, flavorRef: '1', networks: 'none' } }, '2.37');
      assert.equal(res.status, 202, JSON.stringify(res.body));
    }
    const list = (query: string) => b.computeAs(user.token, 'GET', `/servers${query}`);
    assert.equal((await list('')).body.servers.length, 2);
    const one = await list('?limit=1');
    assert.equal(one.body.servers.length, 1);
    assert.match(one.body.servers_links[0].href, /limit=1&marker=/);
    assert.equal((await b.computeAs(user.token, 'GET', '/servers/detail?limit=1')).body.servers.length, 1);
    assert.deepEqual((await list('?limit=0')).body.servers, []);
    assert.equal((await list('?limit=100000')).body.servers.length, 2);
    for (const bad of ['-1', 'testing']) assert.equal((await list(`?limit=${bad}`)).status, 400, bad);
    assert.deepEqual((await list('?sort_key=display_name&sort_dir=asc')).body.servers.map((s: any) => s.name), ['m-one', 'm-two']);
    assert.deepEqual((await list('?sort_key=display_name&sort_dir=desc')).body.servers.map((s: any) => s.name), ['m-two', 'm-one']);
  });

  test('update renames and describes; the answer has all attributes from 2.75', async () => {
    const res = await b.compute('PUT', `/servers/${ids[0]}`, { server: { name: 'alpha-2', description: 'renamed' } }, '2.75');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.server.name, 'alpha-2');
    assert.equal(res.body.server.description, 'renamed');
    assert.ok('OS-EXT-STS:vm_state' in res.body.server);
    const old = await b.compute('PUT', `/servers/${ids[0]}`, { server: { name: 'alpha' } }, '2.19');
    assert.ok(!('OS-EXT-STS:vm_state' in old.body.server));
    assert.equal((await b.compute('PUT', `/servers/${ids[0]}`, { server: { bogus: 1 } })).status, 400);
  });

  test('stop and start: SHUTOFF and back, with power_off/power_on notifications; console output', async () => {
    const id = ids[0]!;
    assert.equal((await b.compute('POST', `/servers/${id}/action`, { 'os-stop': null })).status, 202);
    const stopped = await b.waitFor(id, ['SHUTOFF']);
    assert.equal(stopped['OS-EXT-STS:power_state'], 4);
    const again = await b.compute('POST', `/servers/${id}/action`, { 'os-stop': null });
    assert.equal(again.status, 409);
    assert.match(again.body.conflictingRequest.message, /Cannot 'os-stop' instance .* while it is in vm_state stopped/);
    assert.equal((await b.compute('POST', `/servers/${id}/action`, { 'os-start': null })).status, 202);
    await b.waitFor(id, ['ACTIVE']);
    const types = b.notifications.filter((n) => n.payload?.['nova_object.data']?.uuid === id).map((n) => n.eventType);
    for (const t of ['instance.power_off.start', 'instance.power_off.end', 'instance.power_on.start', 'instance.power_on.end']) assert.ok(types.includes(t), t);
    // nova's _tail_log: the last `length` pieces of the log split at newlines (the last one empty)
    const console = await b.compute('POST', `/servers/${id}/action`, { 'os-getConsoleOutput': { length: 2 } });
    assert.equal(console.status, 200);
    assert.match(console.body.output, /^\[[^\n]*\] Powered on\n$/);
    const three = await b.compute('POST', `/servers/${id}/action`, { 'os-getConsoleOutput': { length: 3 } });
    assert.equal(three.body.output.split('\n').length, 3);
    assert.equal((await b.compute('POST', `/servers/${id}/action`, { 'os-getConsoleOutput': { length: 0 } })).body.output, '');
    const all = (await b.compute('POST', `/servers/${id}/action`, { 'os-getConsoleOutput': {} })).body.output;
    assert.ok(all.split('\n').length > 3, all);
  });

  test('bad input gets Nova error bodies, never a 500', async () => {
    const cases: Array<[string, string, unknown, number, string, string?]> = [
      ['POST', '/servers', { server: { name: 'x', imageRef: b.imageId, flavorRef: '999' } }, 400, 'badRequest'],
      ['POST', '/servers', { server: { name: 'x', imageRef: '00000000-0000-0000-0000-000000000001', flavorRef: '1' } }, 400, 'badRequest'],
      ['POST', '/servers', { server: { name: 'x', imageRef: b.imageId, flavorRef: '1', networks: [{ uuid: '00000000-0000-0000-0000-000000000002' }] } }, 400, 'badRequest'],
      ['POST', '/servers', { server: { name: 'x', imageRef: b.imageId, flavorRef: '1', networks: [{ port: '00000000-0000-0000-0000-000000000003' }] } }, 400, 'badRequest'],
      ['POST', '/servers', { server: { name: 'x', imageRef: b.imageId, flavorRef: '1', key_name: 'nokey' } }, 400, 'badRequest'],
      ['POST', '/servers', { server: { name: 'x', imageRef: b.imageId, flavorRef: '1', availability_zone: 'nowhere' } }, 400, 'badRequest'],
      ['POST', '/servers', { server: { name: 'x', imageRef: b.imageId, flavorRef: '1', min_count: 3, max_count: 2 } }, 400, 'badRequest'],
      ['POST', '/servers', { server: { name: 'x', imageRef: b.imageId, flavorRef: '1', user_data: 'not base64!' } }, 400, 'badRequest'],
      ['POST', '/servers', { server: { name: ' x', imageRef: b.imageId, flavorRef: '1' } }, 400, 'badRequest'],
      ['POST', '/servers', { server: { name: 'x', imageRef: b.imageId, flavorRef: '1', bogus: true } }, 400, 'badRequest'],
      ['POST', '/servers', { server: { name: 'x', imageRef: b.imageId, flavorRef: '1' }, 'os:scheduler_hints': { group: '00000000-0000-0000-0000-000000000004' } }, 400, 'badRequest'],
      ['POST', '/servers', '{"server": ', 400, 'badRequest'],
      ['POST', '/servers', [], 400, 'badRequest'],
      ['POST', '/servers', { server: { name: 'x', flavorRef: '1' } }, 400, 'badRequest'],
      ['GET', '/servers/00000000-0000-0000-0000-000000000005', undefined, 404, 'itemNotFound'],
      ['DELETE', '/servers/00000000-0000-0000-0000-000000000005', undefined, 404, 'itemNotFound'],
      ['POST', `/servers/${ids[1]}/action`, { 'os-nothing': null }, 400, 'badRequest'],
      ['POST', `/servers/${ids[1]}/action`, 'null', 400, 'badRequest'],
      ['POST', `/servers/${ids[1]}/action`, { 'os-getConsoleOutput': { length: 'abc' } }, 400, 'badRequest'],
      ['POST', '/os-server-external-events', { events: [{ name: 'nope', server_uuid: ids[1] }] }, 400, 'badRequest'],
      ['POST', '/os-server-external-events', { events: [{ name: 'network-changed', server_uuid: '00000000-0000-0000-0000-000000000006' }] }, 404, 'itemNotFound'],
    ];
    for (const [method, path, body, status, key] of cases) {
      const res = await b.compute(method, path, body);
      assert.equal(res.status, status, `${method} ${path} ${JSON.stringify(body)} -> ${res.status} ${JSON.stringify(res.body)}`);
      assert.equal(res.body[key].code, status, JSON.stringify(res.body));
    }
    const networksRequired = await b.compute('POST', '/servers', { server: { name: 'x', imageRef: b.imageId, flavorRef: '1' } }, '2.37');
    assert.equal(networksRequired.status, 400);
    const tooNew = await b.compute('GET', '/servers', undefined, '2.94');
    assert.equal(tooNew.status, 406);
  });

  test('networks none boots without a port; the quota on instances answers 403 with nova\'s message', async () => {
    const s = await b.boot({ name: 'lonely', networks: 'none' }, {}, '2.37');
    assert.equal(s.status, 202);
    ids.push(s.body.server.id);
    const server = await b.waitFor(s.body.server.id, ['ACTIVE', 'ERROR']);
    assert.equal(server.status, 'ACTIVE');
    assert.deepEqual(server.addresses, {});
    const project = server.tenant_id;
    await b.repos.db.insertInto('quotas').values({ project_id: project, resource: 'instances', hard_limit: 3, created_at: new Date().toISOString(), updated_at: null }).execute();
    try {
      const over = await b.boot({ name: 'over', min_count: 2 });
      assert.equal(over.status, 403, JSON.stringify(over.body));
      assert.equal(over.body.forbidden.message, 'Quota exceeded for instances: Requested 2, but already used 3 of 3 instances');
    } finally {
      await b.repos.db.deleteFrom('quotas').where('project_id', '=', project).execute();
    }
  });

  test('return_reservation_id and min/max count boot several servers named -1, -2', async () => {
    const res = await b.boot({ name: 'many', min_count: 2, return_reservation_id: true });
    assert.equal(res.status, 202);
    assert.match(res.body.reservation_id, /^r-[a-z0-9]{8}$/);
    const listed = (await b.compute('GET', `/servers/detail?reservation_id=${res.body.reservation_id}`)).body.servers;
    assert.deepEqual(listed.map((s: any) => s.name).sort(), ['many-1', 'many-2']);
    for (const s of listed) {
      await b.compute('DELETE', `/servers/${s.id}`);
    }
    for (const s of listed) await b.waitFor(s.id, ['DELETED']);
  });
});
