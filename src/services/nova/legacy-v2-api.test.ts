// The Compute API's other paths as clients meet them: every v2.1 route also with the project id
// after the version (links then name it, a project id that is not the token's is Nova's 400),
// and the legacy v2 API at /v2[/{project_id}]: microversion 2.1 whatever the headers say, no
// microversion headers, unknown body properties stripped (metadata keys still checked), links
// under /v2, its extension list, and Nova's 404 for an unknown path. Then a server created and
// shown through both on a cloud that boots (over HTTP, so through the server's request listener).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startHarness, type Harness } from '../../common/testing/harness.js';
import { nova } from './index.js';
import { BootCloud } from './testing/boot-cloud.js';

// Keystone's project ids are hex: the harness's shorthand tokens take them as they are.
const ADMIN_PROJECT = 'adad0001';
const PROJECT = 'abc123';
const OTHER_PROJECT = 'def456';
const ADMIN = `${ADMIN_PROJECT}:admin,member,reader`;
const MEMBER = `${PROJECT}:member,reader`;
const BASE = 'http://nubo.test/compute';
const VERSION_HEADERS = ['openstack-api-version', 'x-openstack-nova-api-version', 'vary'];

describe('compute API: project id in paths and the legacy v2 API', () => {
  let h: Harness;
  before(async () => { h = await startHarness({ project: nova }); });
  after(async () => { await h?.close(); });

  const flavorBody = (name: string, extra: Record<string, unknown> = {}) => ({ flavor: { name, ram: 256, vcpus: 1, disk: 1, ...extra } });

  test('v2.1 with the project id: the same routes, with the project id in self, bookmark and next links', async () => {
    const servers = await h.request('GET', `/v2.1/${PROJECT}/servers`, MEMBER);
    assert.equal(servers.status, 200);
    assert.deepEqual(servers.body, { servers: [] });
    assert.equal(servers.headers['openstack-api-version'], 'compute 2.1');

    const flavors = await h.request('GET', `/v2.1/${PROJECT}/flavors?limit=1`, MEMBER);
    assert.equal(flavors.status, 200);
    assert.deepEqual(flavors.body.flavors[0].links, [
      { rel: 'self', href: `${BASE}/v2.1/${PROJECT}/flavors/1` },
      { rel: 'bookmark', href: `${BASE}/${PROJECT}/flavors/1` },
    ]);
    assert.deepEqual(flavors.body.flavors_links, [{ rel: 'next', href: `${BASE}/v2.1/${PROJECT}/flavors?limit=1&marker=1` }]);
    // Without it, links without it.
    const plain = await h.request('GET', '/v2.1/flavors?limit=1', MEMBER);
    assert.deepEqual(plain.body.flavors[0].links.map((l: { href: string }) => l.href), [`${BASE}/v2.1/flavors/1`, `${BASE}/flavors/1`]);
    assert.equal(plain.body.flavors_links[0].href, `${BASE}/v2.1/flavors?limit=1&marker=1`);
  });

  test("a URL holding the caller's project id anywhere gives links with it (Nova's _get_project_id)", async () => {
    const flavors = await h.request('GET', `/v2.1/flavors?limit=1&note=${PROJECT}`, MEMBER);
    assert.equal(flavors.status, 200, JSON.stringify(flavors.body));
    assert.equal(flavors.body.flavors[0].links[0].href, `${BASE}/v2.1/${PROJECT}/flavors/1`);
    assert.equal(flavors.body.flavors[0].links[1].href, `${BASE}/${PROJECT}/flavors/1`);
    const other = await h.request('GET', `/v2.1/flavors?limit=1&note=${OTHER_PROJECT}`, MEMBER);
    assert.equal(other.body.flavors[0].links[0].href, `${BASE}/v2.1/flavors/1`);
  });

  test('v2.1 with the project id: create and show a flavor, with microversions', async () => {
    const created = await h.request('POST', `/v2.1/${ADMIN_PROJECT}/flavors`, ADMIN, flavorBody('pid.small', { id: 'pid-small', description: 'd' }), { 'openstack-api-version': 'compute 2.55' });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    assert.equal(created.body.flavor.description, 'd');
    assert.equal(created.body.flavor.links[0].href, `${BASE}/v2.1/${ADMIN_PROJECT}/flavors/pid-small`);
    const shown = await h.request('GET', `/v2.1/${PROJECT}/flavors/pid-small`, MEMBER, undefined, { 'openstack-api-version': 'compute 2.55' });
    assert.equal(shown.status, 200);
    assert.equal(shown.body.flavor.name, 'pid.small');
    assert.equal(shown.body.flavor.description, 'd');
    assert.equal(shown.headers['openstack-api-version'], 'compute 2.55');
    assert.equal(shown.body.flavor.links[1].href, `${BASE}/${PROJECT}/flavors/pid-small`);
  });

  test("a project id that is not the token's is a 400, also for an admin; an unknown path stays a 404", async () => {
    const message = `Malformed request URL: URL's project_id '${OTHER_PROJECT}' doesn't match Context's project_id '${PROJECT}'`;
    for (const version of ['v2.1', 'v2']) {
      const res = await h.request('GET', `/${version}/${OTHER_PROJECT}/servers`, MEMBER);
      assert.equal(res.status, 400, version);
      assert.deepEqual(res.body, { badRequest: { code: 400, message } });
    }
    const admin = await h.request('GET', `/v2.1/${OTHER_PROJECT}/flavors`, ADMIN);
    assert.equal(admin.status, 400);
    assert.equal(admin.body.badRequest.message, `Malformed request URL: URL's project_id '${OTHER_PROJECT}' doesn't match Context's project_id '${ADMIN_PROJECT}'`);
    // Checked before the body.
    const post = await h.request('POST', `/v2.1/${OTHER_PROJECT}/flavors`, ADMIN, flavorBody('nope'));
    assert.equal(post.status, 400);
    assert.match(post.body.badRequest.message, /^Malformed request URL/);
    assert.equal((await h.request('GET', `/v2.1/${OTHER_PROJECT}/nowhere`, MEMBER)).status, 404);
    // Not a project id (ProjectMapper's [0-9a-f-]+): not a route.
    assert.equal((await h.request('GET', '/v2.1/ABC123/servers', MEMBER)).status, 404);
    // Without a token: 401 first.
    assert.equal((await h.request('GET', `/v2.1/${OTHER_PROJECT}/servers`)).status, 401);
  });

  test('the legacy v2 API lists and shows, with and without the project id, and sends no microversion headers', async () => {
    for (const path of [`/v2/${PROJECT}/servers`, '/v2/servers', `/v2/${PROJECT}/servers/detail`]) {
      const res = await h.request('GET', path, MEMBER);
      assert.equal(res.status, 200, path);
      assert.deepEqual(res.body, { servers: [] });
      for (const header of VERSION_HEADERS) assert.ok(!(header in res.headers), `${path}: ${header}`);
      assert.equal(res.headers['x-compute-request-id'], res.headers['x-openstack-request-id']);
    }
    const flavors = await h.request('GET', `/v2/${PROJECT}/flavors/detail?limit=1`, MEMBER);
    assert.deepEqual(flavors.body.flavors[0].links, [
      { rel: 'self', href: `${BASE}/v2/${PROJECT}/flavors/1` },
      { rel: 'bookmark', href: `${BASE}/${PROJECT}/flavors/1` },
    ]);
    assert.equal(flavors.body.flavors_links[0].href, `${BASE}/v2/${PROJECT}/flavors/detail?limit=1&marker=1`);
    const bare = await h.request('GET', '/v2/flavors/1', MEMBER);
    assert.deepEqual(bare.body.flavor.links.map((l: { href: string }) => l.href), [`${BASE}/v2/flavors/1`, `${BASE}/flavors/1`]);
  });

  test('the legacy v2 API is 2.1 whatever the microversion headers ask for', async () => {
    const headers = { 'openstack-api-version': 'compute 2.61', 'x-openstack-nova-api-version': '2.61' };
    const legacy = await h.request('GET', `/v2/${PROJECT}/flavors/1`, MEMBER, undefined, headers);
    assert.equal(legacy.status, 200);
    // description (2.55) and extra_specs (2.61) are not there; swap is still '' (before 2.75).
    assert.ok(!('description' in legacy.body.flavor));
    assert.ok(!('extra_specs' in legacy.body.flavor));
    assert.equal(legacy.body.flavor.swap, '');
    for (const header of VERSION_HEADERS) assert.ok(!(header in legacy.headers), header);
    const v21 = await h.request('GET', `/v2.1/${PROJECT}/flavors/1`, MEMBER, undefined, headers);
    assert.ok('extra_specs' in v21.body.flavor);
    // A version out of range or malformed is not even looked at.
    for (const bad of ['compute 9.99', 'compute 2.x']) {
      assert.equal((await h.request('GET', `/v2/${PROJECT}/flavors/1`, MEMBER, undefined, { 'openstack-api-version': bad })).status, 200, bad);
      assert.notEqual((await h.request('GET', `/v2.1/${PROJECT}/flavors/1`, MEMBER, undefined, { 'openstack-api-version': bad })).status, 200, bad);
    }
  });

  test('the legacy v2 API strips unknown body properties; v2.1 refuses them', async () => {
    const strict = await h.request('POST', `/v2.1/${ADMIN_PROJECT}/flavors`, ADMIN, flavorBody('legacy.small', { id: 'legacy-small', bogus: 1 }));
    assert.equal(strict.status, 400);
    assert.match(strict.body.badRequest.message, /Additional properties are not allowed \('bogus' was unexpected\)/);

    const created = await h.request('POST', `/v2/${ADMIN_PROJECT}/flavors`, ADMIN, { ...flavorBody('legacy.small', { id: 'legacy-small', bogus: 1 }), junk: true });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    assert.equal(created.body.flavor.name, 'legacy.small');
    assert.ok(!('bogus' in created.body.flavor));
    assert.equal(created.body.flavor.links[0].href, `${BASE}/v2/${ADMIN_PROJECT}/flavors/legacy-small`);
    for (const header of VERSION_HEADERS) assert.ok(!(header in created.headers), header);
    // Still validated otherwise: a missing or mistyped field is a 400.
    const bad = await h.request('POST', `/v2/${ADMIN_PROJECT}/flavors`, ADMIN, { flavor: { name: 'x', ram: 'lots', vcpus: 1, disk: 1, bogus: 1 } });
    assert.equal(bad.status, 400);
    assert.doesNotMatch(bad.body.badRequest.message, /Additional properties/);

    const shown = await h.request('GET', '/v2/flavors/legacy-small', MEMBER);
    assert.equal(shown.status, 200);

    // A body key next to patternProperties (metadata, extra specs) must still match a pattern.
    const specs = await h.request('POST', '/v2/flavors/legacy-small/os-extra_specs', ADMIN, { extra_specs: { 'hw:cpu_policy': 'dedicated' }, bogus: 1 });
    assert.equal(specs.status, 200, JSON.stringify(specs.body));
    assert.deepEqual(specs.body, { extra_specs: { 'hw:cpu_policy': 'dedicated' } });
    const badKey = await h.request('POST', '/v2/flavors/legacy-small/os-extra_specs', ADMIN, { extra_specs: { 'bad/key': 'x' } });
    assert.equal(badKey.status, 400);
    assert.match(badKey.body.badRequest.message, /Additional properties are not allowed \('bad\/key' was unexpected\)/);
  });

  // Nova's *_v20 schemas: names with leading and trailing blanks (normalize_name strips them),
  // a key pair name of any printable characters.
  test("the legacy v2 API takes Nova's v2.0 names: blanks around them stripped; v2.1 refuses them", async () => {
    const spaced = await h.request('POST', `/v2.1/${ADMIN_PROJECT}/flavors`, ADMIN, flavorBody('  v20.flavor  ', { id: 'v20-flavor' }));
    assert.equal(spaced.status, 400);
    const flavor = await h.request('POST', `/v2/${ADMIN_PROJECT}/flavors`, ADMIN, flavorBody('  v20.flavor  ', { id: 'v20-flavor' }));
    assert.equal(flavor.status, 200, JSON.stringify(flavor.body));
    assert.equal(flavor.body.flavor.name, 'v20.flavor');
    assert.equal((await h.request('POST', '/v2/flavors', ADMIN, flavorBody('   ', { id: 'blank' }))).status, 400);

    assert.equal((await h.request('POST', '/v2.1/os-keypairs', MEMBER, { keypair: { name: ' k.1 ' } })).status, 400);
    const keypair = await h.request('POST', '/v2/os-keypairs', MEMBER, { keypair: { name: ' k.1 ' } });
    assert.equal(keypair.status, 200, JSON.stringify(keypair.body));
    assert.equal(keypair.body.keypair.name, 'k.1');

    assert.equal((await h.request('POST', '/v2.1/os-aggregates', ADMIN, { aggregate: { name: ' agg ', availability_zone: ' zone ' } })).status, 400);
    const aggregate = await h.request('POST', '/v2/os-aggregates', ADMIN, { aggregate: { name: ' agg ', availability_zone: ' zone ' } });
    assert.equal(aggregate.status, 200, JSON.stringify(aggregate.body));
    assert.equal(aggregate.body.aggregate.name, 'agg');
    assert.equal(aggregate.body.aggregate.availability_zone, 'zone');
    assert.equal((await h.request('POST', '/v2/os-aggregates', ADMIN, { aggregate: { name: 'agg2', availability_zone: 'a:b' } })).status, 400);
  });

  test('the legacy v2 API lists one extension more (OS-EXT-VIF-NET)', async () => {
    const legacy = (await h.request('GET', `/v2/${PROJECT}/extensions`, MEMBER)).body.extensions.map((e: { alias: string }) => e.alias);
    const v21 = (await h.request('GET', '/v2.1/extensions', MEMBER)).body.extensions.map((e: { alias: string }) => e.alias);
    assert.deepEqual(legacy.filter((a: string) => a !== 'OS-EXT-VIF-NET'), v21);
    assert.equal(legacy.indexOf('OS-EXT-VIF-NET'), legacy.indexOf('OS-EXT-STS') + 1);
    assert.equal((await h.request('GET', '/v2/extensions/OS-EXT-VIF-NET', MEMBER)).status, 200);
    assert.equal((await h.request('GET', '/v2.1/extensions/OS-EXT-VIF-NET', MEMBER)).status, 404);
  });

  test("an unknown path below /v2 is Nova's 404, without microversion headers; the version document stays", async () => {
    for (const path of [`/v2/${PROJECT}/nowhere`, '/v2/nowhere', `/v2/${PROJECT}/servers/detail/more`]) {
      const res = await h.request('GET', path, MEMBER, undefined, { 'openstack-api-version': 'compute 9.99' });
      assert.equal(res.status, 404, path);
      assert.deepEqual(res.body, { itemNotFound: { code: 404, message: 'The resource could not be found.' } });
      for (const header of VERSION_HEADERS) assert.ok(!(header in res.headers), `${path}: ${header}`);
    }
    for (const path of ['/v2', '/v2/']) {
      const res = await h.request('GET', path);
      assert.equal(res.status, 200, path);
      assert.equal(res.body.version.id, 'v2.0', path);
      assert.equal(res.headers['x-compute-request-id'], res.headers['x-openstack-request-id'], path);
    }
  });

  // As the real Nova 26 answers: `/v2.1/{project_id}/` is the API's (api-paste.ini's `/v2.1/+`,
  // behind authtoken), not the urlmap's version document.
  test('the version document under a project id needs a token, the slash and the caller\'s project', async () => {
    for (const [version, id] of [['v2.1', 'v2.1'], ['v2', 'v2.0']] as const) {
      for (const path of [`/${version}/${PROJECT}`, `/${version}/${PROJECT}/`]) {
        assert.equal((await h.request('GET', path)).status, 401, path);
      }
      const shown = await h.request('GET', `/${version}/${PROJECT}/`, MEMBER);
      assert.equal(shown.status, 200);
      assert.equal(shown.body.version.id, id);
      assert.equal(shown.body.version.links[0].href, `${BASE}/${version}/`);
      const noSlash = await h.request('GET', `/${version}/${PROJECT}`, MEMBER);
      assert.equal(noSlash.status, 404);
      assert.deepEqual(noSlash.body, { itemNotFound: { code: 404, message: 'The resource could not be found.' } });
      const other = await h.request('GET', `/${version}/${OTHER_PROJECT}/`, MEMBER);
      assert.equal(other.status, 400);
      assert.match(other.body.badRequest.message, /URL's project_id 'def456' doesn't match Context's project_id 'abc123'/);
    }
  });
});

describe('servers through the legacy v2 API and with the project id, on a cloud that boots', () => {
  let b: BootCloud;
  let project = '';
  before(async () => {
    b = await BootCloud.start({ 'DEFAULT.hosts': 'c1' });
    project = (await b.call('GET', '/identity/v3/projects?name=admin')).body.projects[0].id;
  });
  after(async () => { await b?.close(); });

  test('create at /v2/{project_id} with unknown properties at 2.93 asked: a 2.1 server, links under /v2 with the project id', async () => {
    const body = { server: { name: 'legacy', imageRef: b.imageId, flavorRef: '1', networks: [{ uuid: b.networkId }], bogus: 1 }, junk: true };
    const strict = await b.call('POST', `/compute/v2.1/${project}/servers`, body);
    assert.equal(strict.status, 400);
    const created = await b.call('POST', `/compute/v2/${project}/servers`, body, { 'openstack-api-version': 'compute 2.93' });
    assert.equal(created.status, 202, JSON.stringify(created.body));
    const id = created.body.server.id;
    const base = b.cloud.url;
    assert.deepEqual(created.body.server.links, [
      { rel: 'self', href: `${base}/compute/v2/${project}/servers/${id}` },
      { rel: 'bookmark', href: `${base}/compute/${project}/servers/${id}` },
    ]);
    const shown = await b.call('GET', `/compute/v2/${project}/servers/${id}`, undefined, { 'openstack-api-version': 'compute 2.93' });
    assert.equal(shown.status, 200);
    const s = shown.body.server;
    assert.equal(s.name, 'legacy');
    // 2.1: the flavor by reference with its bookmark (inline from 2.47), no 2.x fields.
    assert.deepEqual(s.flavor, { id: '1', links: [{ rel: 'bookmark', href: `${base}/compute/${project}/flavors/1` }] });
    for (const key of ['locked', 'description', 'tags', 'host_status']) assert.ok(!(key in s), key);
    const listed = await b.call('GET', `/compute/v2.1/${project}/servers?name=legacy`, undefined, { 'openstack-api-version': 'compute 2.47' });
    assert.equal(listed.body.servers[0].links[0].href, `${base}/compute/v2.1/${project}/servers/${id}`);
    assert.equal((await b.call('DELETE', `/compute/v2/${project}/servers/${id}`)).status, 204);
  });

  test("servers through the legacy v2 API: Nova's v2.0 names (stripped) and a null user_data", async () => {
    const body = { server: { name: '  spaced  ', imageRef: b.imageId, flavorRef: '1', networks: [{ uuid: b.networkId }], user_data: null } };
    assert.equal((await b.call('POST', `/compute/v2.1/${project}/servers`, body)).status, 400);
    const created = await b.call('POST', `/compute/v2/${project}/servers`, body);
    assert.equal(created.status, 202, JSON.stringify(created.body));
    const id = created.body.server.id;
    await b.waitFor(id, ['ACTIVE']);
    assert.equal((await b.call('GET', `/compute/v2/${project}/servers/${id}`)).body.server.name, 'spaced');
    assert.equal((await b.call('PUT', `/compute/v2.1/${project}/servers/${id}`, { server: { name: ' renamed ' } })).status, 400);
    const renamed = await b.call('PUT', `/compute/v2/${project}/servers/${id}`, { server: { name: ' renamed ' } });
    assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
    assert.equal(renamed.body.server.name, 'renamed');
    const rebuilt = await b.call('POST', `/compute/v2/${project}/servers/${id}/action`, { rebuild: { imageRef: b.imageId, name: ' rebuilt ' } });
    assert.equal(rebuilt.status, 202, JSON.stringify(rebuilt.body));
    assert.equal(rebuilt.body.server.name, 'rebuilt');
    await b.waitFor(id, ['ACTIVE']);
    assert.equal((await b.call('DELETE', `/compute/v2/${project}/servers/${id}`)).status, 204);
  });
});
