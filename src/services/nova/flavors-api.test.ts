// The flavor resources as clients see them: DevStack's default flavors on first start, list and
// detail with their filters, sorting and paging, show per microversion, admin create / update /
// delete with nova's validation and conflicts, extra specs with the 2.86 validation, private
// flavors and their access list, and policy (a member may read but not manage).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { NotificationListener } from '../../common/messaging/index.js';
import { startHarness, type Harness } from '../../common/testing/harness.js';
import type { Kysely } from 'kysely';
import { NovaRepos } from './db/repos.js';
import type { NovaDB } from './db/schema.js';
import { nova } from './index.js';

const ADMIN = 'padmin:admin,member,reader';
const MEMBER = 'p1:member,reader';
const OTHER = 'p2:member,reader';

describe('flavors API', () => {
  let h: Harness;
  const call = (method: string, path: string, token = ADMIN, body?: unknown, version = '2.1') =>
    h.request(method, `/v2.1${path}`, token, body, { 'openstack-api-version': `compute ${version}` });

  const events: Array<{ eventType: string; payload: any }> = [];
  let listener: NotificationListener<unknown> | undefined;

  before(async () => {
    h = await startHarness({ project: nova });
    listener = new NotificationListener(h.transport, [{ topic: 'versioned_notifications' }], [{
      info: (_ctx, _publisher, eventType, payload) => { events.push({ eventType, payload }); },
    }]);
    await listener.start();
  });
  after(async () => { await listener?.stop(); await h?.close(); });

  test('DevStack\'s flavors exist after the first start, and a restart does not duplicate them', async () => {
    const res = await call('GET', '/flavors/detail', MEMBER);
    assert.equal(res.status, 200);
    const byName = Object.fromEntries(res.body.flavors.map((f: any) => [f.name, f]));
    assert.deepEqual(
      ['m1.tiny', 'm1.small', 'm1.medium', 'm1.large', 'm1.xlarge', 'cirros256', 'ds512M', 'ds1G', 'ds2G', 'ds4G']
        .map((n) => [byName[n].id, byName[n].ram, byName[n].disk, byName[n].vcpus]),
      [['1', 512, 1, 1], ['2', 2048, 20, 1], ['3', 4096, 40, 2], ['4', 8192, 80, 4], ['5', 16384, 160, 8],
        ['c1', 256, 1, 1], ['d1', 512, 5, 1], ['d2', 1024, 10, 1], ['d3', 2048, 10, 2], ['d4', 4096, 20, 4]],
    );
    // The next start runs it again: nothing is added or changed.
    await new NovaRepos(h.db.db as Kysely<NovaDB>).flavors.ensureDefaults();
    assert.equal((await call('GET', '/flavors', MEMBER)).body.flavors.length, 10);
  });

  test('[api] default_flavors = false: no flavors on first start', async () => {
    const bare = await startHarness({ project: nova, overrides: { 'api.default_flavors': 'false' } });
    try {
      const res = await bare.request('GET', '/v2.1/flavors', MEMBER);
      assert.deepEqual(res.body, { flavors: [] });
    } finally {
      await bare.close();
    }
  });

  test('GET /flavors: brief entries with links, sorted by flavorid; description from 2.55', async () => {
    const res = await call('GET', '/flavors', MEMBER);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.flavors.map((f: any) => f.id), ['1', '2', '3', '4', '5', 'c1', 'd1', 'd2', 'd3', 'd4']);
    assert.deepEqual(Object.keys(res.body.flavors[0]).sort(), ['id', 'links', 'name']);
    assert.equal(res.body.flavors[0].links[0].rel, 'self');
    assert.match(res.body.flavors[0].links[0].href, /\/compute\/v2\.1\/flavors\/1$/);
    assert.match(res.body.flavors[0].links[1].href, /\/compute\/flavors\/1$/);
    assert.ok(!('flavors_links' in res.body));
    const v255 = await call('GET', '/flavors', MEMBER, undefined, '2.55');
    assert.equal(v255.body.flavors[0].description, null);
  });

  test('show per microversion: swap "" then 0 (2.75), description (2.55), extra_specs (2.61)', async () => {
    const v21 = (await call('GET', '/flavors/1', MEMBER)).body.flavor;
    assert.deepEqual(v21, {
      id: '1', name: 'm1.tiny', ram: 512, disk: 1, swap: '', 'OS-FLV-EXT-DATA:ephemeral': 0, 'OS-FLV-DISABLED:disabled': false, vcpus: 1,
      'os-flavor-access:is_public': true, rxtx_factor: 1, links: v21.links,
    });
    const v261 = (await call('GET', '/flavors/1', MEMBER, undefined, '2.61')).body.flavor;
    assert.equal(v261.description, null);
    assert.deepEqual(v261.extra_specs, {});
    assert.equal(v261.swap, '');
    assert.equal((await call('GET', '/flavors/1', MEMBER, undefined, '2.75')).body.flavor.swap, 0);
    const missing = await call('GET', '/flavors/nope', MEMBER);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.itemNotFound.message, 'Flavor nope could not be found.');
  });

  test('filters, sorting and paging with next links', async () => {
    const ids = async (q: string, token = MEMBER) => (await call('GET', `/flavors${q}`, token)).body.flavors.map((f: any) => f.id);
    assert.deepEqual(await ids('?minRam=4096'), ['3', '4', '5', 'd4']);
    assert.deepEqual(await ids('?minDisk=80'), ['4', '5']);
    assert.deepEqual(await ids('?minDisk=10&minRam=2048'), ['2', '3', '4', '5', 'd3', 'd4']);
    assert.deepEqual(await ids('?sort_key=memory_mb&sort_dir=desc&minRam=1024'), ['5', '4', '3', 'd4', '2', 'd3', 'd2']);
    assert.deepEqual(await ids('?sort_key=name&limit=3'), ['c1', 'd2', 'd3']);
    const page = (await call('GET', '/flavors?limit=2', MEMBER)).body;
    assert.deepEqual(page.flavors.map((f: any) => f.id), ['1', '2']);
    assert.match(page.flavors_links[0].href, /\/v2\.1\/flavors\?limit=2&marker=2$/);
    assert.deepEqual(await ids('?limit=2&marker=2'), ['3', '4']);
    const detailPage = (await call('GET', '/flavors/detail?limit=1&marker=4', MEMBER)).body;
    assert.match(detailPage.flavors_links[0].href, /\/flavors\/detail\?limit=1&marker=5$/);
    for (const [q, message] of [
      ['?minRam=abc', 'Invalid minRam filter [abc]'], ['?minDisk=1.5', 'Invalid minDisk filter [1.5]'], ['?marker=nope', 'marker [nope] not found'],
      ['?limit=-1', undefined], ['?sort_key=bogus', undefined], ['?sort_dir=up', undefined],
    ] as const) {
      const res = await call('GET', `/flavors${q}`, MEMBER);
      assert.equal(res.status, 400, q);
      if (message) assert.equal(res.body.badRequest.message, message);
    }
    assert.equal((await call('GET', '/flavors?foo=1', MEMBER, undefined, '2.74')).status, 200);
    assert.equal((await call('GET', '/flavors?foo=1', MEMBER, undefined, '2.75')).status, 400);
  });

  test('create (admin): given or generated ids, defaults, validation and conflicts', async () => {
    const created = await call('POST', '/flavors', ADMIN, { flavor: { name: 'c1.big', ram: 1024, vcpus: 2, disk: 10, id: 'cx1', swap: 512, 'OS-FLV-EXT-DATA:ephemeral': 5, rxtx_factor: 2.5 } });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    assert.deepEqual({ ...created.body.flavor, links: undefined }, {
      id: 'cx1', name: 'c1.big', ram: 1024, disk: 10, swap: 512, 'OS-FLV-EXT-DATA:ephemeral': 5, 'OS-FLV-DISABLED:disabled': false, vcpus: 2,
      'os-flavor-access:is_public': true, rxtx_factor: 2.5, links: undefined,
    });
    const auto = await call('POST', '/flavors', ADMIN, { flavor: { name: 'auto', ram: '256', vcpus: '1', disk: '0', description: 'made at 2.61' } }, '2.61');
    assert.equal(auto.status, 200);
    assert.match(auto.body.flavor.id, /^[0-9a-f-]{36}$/);
    assert.equal(auto.body.flavor.description, 'made at 2.61');
    assert.deepEqual(auto.body.flavor.extra_specs, {});
    const numericId = await call('POST', '/flavors', ADMIN, { flavor: { name: 'num', ram: 64, vcpus: 1, disk: 0, id: 42 } });
    assert.equal(numericId.body.flavor.id, '42');

    const dupName = await call('POST', '/flavors', ADMIN, { flavor: { name: 'c1.big', ram: 1, vcpus: 1, disk: 0 } });
    assert.equal(dupName.status, 409);
    assert.equal(dupName.body.conflictingRequest.message, 'Flavor with name c1.big already exists.');
    const dupId = await call('POST', '/flavors', ADMIN, { flavor: { name: 'other', ram: 1, vcpus: 1, disk: 0, id: '1' } });
    assert.equal(dupId.status, 409);
    assert.equal(dupId.body.conflictingRequest.message, 'Flavor with ID 1 already exists.');

    const bad: Array<[Record<string, unknown>, string | undefined]> = [
      [{ name: 'x', ram: 0, vcpus: 1, disk: 0 }, undefined],
      [{ name: 'x', ram: '0', vcpus: 1, disk: 0 }, 'Invalid input received: ram must be >= 1'],
      [{ name: 'x', ram: '99999999999', vcpus: 1, disk: 0 }, 'Invalid input received: ram must be <= 2147483647'],
      [{ name: 'x', ram: 1, vcpus: -1, disk: 0 }, undefined],
      [{ name: 'x', ram: 1, vcpus: 1, disk: -1 }, undefined],
      [{ name: 'x', ram: 1, vcpus: 1, disk: 0, swap: 'a' }, undefined],
      [{ name: 'x', ram: 1, vcpus: 1, disk: 0, rxtx_factor: 0 }, undefined],
      [{ name: 'x', ram: 1, vcpus: 1, disk: 0, rxtx_factor: '0' }, "Invalid input received: 'rxtx_factor' argument must be a float between 0 and 3.40282e+38"],
      [{ name: ' x', ram: 1, vcpus: 1, disk: 0 }, undefined],
      [{ name: 'x', ram: 1, vcpus: 1, disk: 0, id: 'a/b' }, undefined],
      [{ name: 'x', ram: 1, vcpus: 1, disk: 0, 'os-flavor-access:is_public': 'maybe' }, undefined],
      [{ name: 'x', ram: 1, vcpus: 1, disk: 0, description: 'only from 2.55' }, undefined],
      [{ name: 'x', ram: 1, vcpus: 1 }, undefined],
      [{ name: 'x', ram: 1, vcpus: 1, disk: 0, extra: true }, undefined],
    ];
    for (const [flavor, message] of bad) {
      const res = await call('POST', '/flavors', ADMIN, { flavor });
      assert.equal(res.status, 400, JSON.stringify(flavor));
      if (message) assert.equal(res.body.badRequest.message, message);
    }
    const forbidden = await call('POST', '/flavors', MEMBER, { flavor: { name: 'mine', ram: 1, vcpus: 1, disk: 0 } });
    assert.equal(forbidden.status, 403);
    assert.equal(forbidden.body.forbidden.message, "Policy doesn't allow os_compute_api:os-flavor-manage:create to be performed.");
  });

  test('update the description (2.55, admin) and delete (202, admin)', async () => {
    await call('POST', '/flavors', ADMIN, { flavor: { name: 'doomed', ram: 128, vcpus: 1, disk: 1, id: 'd1' } });
    assert.equal((await call('PUT', '/flavors/d1', ADMIN, { flavor: { description: 'x' } }, '2.54')).status, 404);
    const updated = await call('PUT', '/flavors/d1', ADMIN, { flavor: { description: 'small and doomed' } }, '2.55');
    assert.equal(updated.status, 200);
    assert.equal(updated.body.flavor.description, 'small and doomed');
    assert.equal((await call('PUT', '/flavors/d1', ADMIN, { flavor: { name: 'renamed', description: 'x' } }, '2.55')).status, 400);
    assert.equal((await call('PUT', '/flavors/d1', MEMBER, { flavor: { description: 'x' } }, '2.55')).status, 403);
    assert.equal((await call('PUT', '/flavors/nope', ADMIN, { flavor: { description: 'x' } }, '2.55')).status, 404);
    assert.equal((await call('DELETE', '/flavors/d1', MEMBER)).status, 403);
    const deleted = await call('DELETE', '/flavors/d1', ADMIN);
    assert.equal(deleted.status, 202);
    assert.equal(deleted.text, '');
    assert.equal((await call('GET', '/flavors/d1', ADMIN)).status, 404);
    assert.equal((await call('DELETE', '/flavors/d1', ADMIN)).status, 404);
  });

  test('extra specs: CRUD, number values, URI mismatch, 2.86 validation, policy', async () => {
    await call('POST', '/flavors', ADMIN, { flavor: { name: 'specs', ram: 128, vcpus: 1, disk: 1, id: 's1' } });
    const path = '/flavors/s1/os-extra_specs';
    const created = await call('POST', path, ADMIN, { extra_specs: { 'hw:cpu_policy': 'dedicated', 'quota:cpu_shares': 1024, 'my:own': 'x' } });
    assert.equal(created.status, 200);
    assert.deepEqual(created.body, { extra_specs: { 'hw:cpu_policy': 'dedicated', 'quota:cpu_shares': 1024, 'my:own': 'x' } });
    assert.deepEqual((await call('GET', path, MEMBER)).body, { extra_specs: { 'hw:cpu_policy': 'dedicated', 'quota:cpu_shares': '1024', 'my:own': 'x' } });
    assert.deepEqual((await call('GET', `${path}/hw:cpu_policy`, MEMBER)).body, { 'hw:cpu_policy': 'dedicated' });
    const show61 = (await call('GET', '/flavors/s1', MEMBER, undefined, '2.61')).body.flavor;
    assert.equal(show61.extra_specs['hw:cpu_policy'], 'dedicated');

    const updated = await call('PUT', `${path}/hw:cpu_policy`, ADMIN, { 'hw:cpu_policy': 'shared' });
    assert.equal(updated.status, 200);
    assert.deepEqual(updated.body, { 'hw:cpu_policy': 'shared' });
    const mismatch = await call('PUT', `${path}/hw:cpu_policy`, ADMIN, { 'hw:mem_page_size': 'large' });
    assert.equal(mismatch.status, 400);
    assert.equal(mismatch.body.badRequest.message, 'Request body and URI mismatch');
    assert.equal((await call('PUT', `${path}/a`, ADMIN, { a: '1', b: '2' })).status, 400);

    // Before 2.86 any value goes; from 2.86 known namespaces are checked.
    assert.equal((await call('POST', path, ADMIN, { extra_specs: { 'hw:cpu_policy': 'bogus' } }, '2.85')).status, 200);
    const badValue = await call('POST', path, ADMIN, { extra_specs: { 'hw:cpu_policy': 'bogus' } }, '2.86');
    assert.equal(badValue.status, 400);
    assert.equal(badValue.body.badRequest.message, "Validation failed; 'bogus' is not one of: dedicated, shared, mixed.");
    const unknownKey = await call('POST', path, ADMIN, { extra_specs: { 'hw:no_such_thing': '1' } }, '2.86');
    assert.equal(unknownKey.status, 400);
    assert.equal(unknownKey.body.badRequest.message, "Validation failed; extra spec 'hw:no_such_thing' does not appear to be a valid extra spec.");
    assert.equal((await call('POST', path, ADMIN, { extra_specs: { 'hw:numa_nodes': 'two' } }, '2.86')).status, 400);
    assert.equal((await call('POST', path, ADMIN, { extra_specs: { 'trait:HW_CPU_X86_AVX2': 'required', 'resources1:VCPU': '2', 'vendor:knob': 'on' } }, '2.86')).status, 200);
    assert.equal((await call('POST', path, ADMIN, { extra_specs: { 'bad/key': 'x' } })).status, 400);
    assert.equal((await call('POST', path, ADMIN, { extra_specs: { k: 'x'.repeat(256) } })).status, 400);
    assert.equal((await call('POST', path, ADMIN, { extra_specs: { k: true } })).status, 400);
    assert.equal((await call('POST', path, ADMIN, { specs: {} })).status, 400);

    assert.equal((await call('POST', path, MEMBER, { extra_specs: { a: 'b' } })).status, 403);
    assert.equal((await call('DELETE', `${path}/my:own`, MEMBER)).status, 403);
    const deleted = await call('DELETE', `${path}/my:own`, ADMIN);
    assert.equal(deleted.status, 200);
    const gone = await call('GET', `${path}/my:own`, MEMBER);
    assert.equal(gone.status, 404);
    assert.equal(gone.body.itemNotFound.message, 'Flavor s1 has no extra specs with key my:own.');
    assert.equal((await call('DELETE', `${path}/my:own`, ADMIN)).status, 404);
    assert.equal((await call('GET', '/flavors/nope/os-extra_specs', MEMBER)).status, 404);
  });

  test('private flavors: invisible without access, shared with addTenantAccess, unshared with removeTenantAccess', async () => {
    const created = await call('POST', '/flavors', ADMIN, { flavor: { name: 'secret', ram: 128, vcpus: 1, disk: 1, id: 'p1f', 'os-flavor-access:is_public': false } });
    assert.equal(created.body.flavor['os-flavor-access:is_public'], false);
    const visible = async (token: string) => (await call('GET', '/flavors', token)).body.flavors.some((f: any) => f.id === 'p1f');
    assert.equal(await visible(MEMBER), false);
    assert.equal((await call('GET', '/flavors/p1f', MEMBER)).status, 404);
    assert.equal((await call('GET', '/flavors/p1f/os-extra_specs', MEMBER)).status, 404);
    // An admin sees private flavors with is_public=false or none, not by default.
    assert.equal(await visible(ADMIN), false);
    const ids = async (q: string) => (await call('GET', `/flavors${q}`, ADMIN)).body.flavors.map((f: any) => f.id);
    assert.ok((await ids('?is_public=false')).includes('p1f'));
    assert.ok(!(await ids('?is_public=false')).includes('1'));
    assert.ok((await ids('?is_public=None')).includes('p1f'));
    assert.ok((await ids('?is_public=None')).includes('1'));
    assert.equal((await call('GET', '/flavors?is_public=maybe', ADMIN)).body.badRequest.message, 'Invalid is_public filter [maybe]');
    // Nor can a member page from it.
    assert.equal((await call('GET', '/flavors?marker=p1f', MEMBER)).body.badRequest.message, 'marker [p1f] not found');
    assert.equal((await call('GET', '/flavors?marker=p1f&is_public=none', ADMIN)).status, 200);
    // A member's is_public filter is ignored.
    assert.equal((await call('GET', '/flavors?is_public=false', MEMBER)).body.flavors.some((f: any) => f.id === 'p1f'), false);

    const action = (body: unknown, token = ADMIN, version = '2.1') => call('POST', '/flavors/p1f/action', token, body, version);
    const added = await action({ addTenantAccess: { tenant: 'p1' } });
    assert.equal(added.status, 200);
    assert.deepEqual(added.body, { flavor_access: [{ flavor_id: 'p1f', tenant_id: 'p1' }] });
    assert.equal(await visible(MEMBER), true);
    assert.equal((await call('GET', '/flavors/p1f', MEMBER)).status, 200);
    assert.equal(await visible(OTHER), false);
    const dup = await action({ addTenantAccess: { tenant: 'p1' } });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.conflictingRequest.message, 'Flavor access already exists for flavor p1f and project p1 combination.');
    assert.deepEqual((await call('GET', '/flavors/p1f/os-flavor-access', ADMIN)).body, { flavor_access: [{ flavor_id: 'p1f', tenant_id: 'p1' }] });
    // Zed keeps the deprecated admin_or_owner rule beside the new default (enforce_new_defaults off).
    assert.equal((await call('GET', '/flavors/p1f/os-flavor-access', MEMBER)).status, 200);
    assert.equal((await action({ addTenantAccess: { tenant: 'p2' } }, MEMBER)).status, 403);

    const removed = await action({ removeTenantAccess: { tenant: 'p1' } });
    assert.deepEqual(removed.body, { flavor_access: [] });
    assert.equal(await visible(MEMBER), false);
    const notThere = await action({ removeTenantAccess: { tenant: 'p1' } });
    assert.equal(notThere.status, 404);
    assert.equal(notThere.body.itemNotFound.message, 'Flavor access not found for p1f / p1 combination.');

    const publicList = await call('GET', '/flavors/1/os-flavor-access', ADMIN);
    assert.equal(publicList.status, 404);
    assert.equal(publicList.body.itemNotFound.message, 'Access list not available for public flavors.');
    assert.equal((await call('POST', '/flavors/1/action', ADMIN, { addTenantAccess: { tenant: 'p1' } }, '2.7')).status, 409);
    assert.equal((await call('POST', '/flavors/1/action', ADMIN, { addTenantAccess: { tenant: 'p9' } }, '2.6')).status, 200);
    assert.equal((await call('POST', '/flavors/nope/action', ADMIN, { addTenantAccess: { tenant: 'p1' } })).status, 404);
    assert.equal((await action({ shareIt: {} })).body.badRequest.message, 'There is no such action: shareIt');
    assert.equal((await action({ addTenantAccess: {} })).status, 400);
    assert.equal((await action([])).status, 400);
  });

  test('flavor.create, flavor.update (with the projects) and flavor.delete notifications', async () => {
    await call('POST', '/flavors', ADMIN, { flavor: { name: 'noisy', ram: 128, vcpus: 1, disk: 1, id: 'n1', 'os-flavor-access:is_public': false } });
    await call('POST', '/flavors/n1/action', ADMIN, { addTenantAccess: { tenant: 'p7' } });
    await call('POST', '/flavors/n1/os-extra_specs', ADMIN, { extra_specs: { a: 'b' } });
    await call('DELETE', '/flavors/n1', ADMIN);
    const deadline = Date.now() + 5000;
    const mine = () => events.filter((e) => e.payload['nova_object.data'].flavorid === 'n1');
    while (mine().length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(mine().map((e) => e.eventType), ['flavor.create', 'flavor.update', 'flavor.update', 'flavor.delete']);
    const payload = (i: number) => mine()[i]!.payload['nova_object.data'];
    assert.equal(mine()[0]!.payload['nova_object.name'], 'FlavorPayload');
    assert.equal(payload(0).flavorid, 'n1');
    assert.deepEqual(payload(0).projects, []);
    assert.deepEqual(payload(1).projects, ['p7']);
    assert.deepEqual(payload(2).extra_specs, { a: 'b' });
    assert.equal(payload(3).projects, null);
  });
});
