import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestGlance, type TestGlance } from '../testing/harness.js';

const PATCH = 'application/openstack-images-v2.1-json-patch';
let g: TestGlance;
let alice: string;
let bob: string;
let admin: string;
let reader: string;

before(async () => {
  g = await startTestGlance();
  alice = g.token('alice', { project: 'p-alice', roles: ['member', 'reader'] });
  bob = g.token('bob', { project: 'p-bob', roles: ['member', 'reader'] });
  admin = g.token('admin', { project: 'p-admin', roles: ['admin', 'member', 'reader'] });
  reader = g.token('reader', { project: 'p-alice', roles: ['reader'] });
});
after(() => g.close());

async function call(method: string, url: string, token: string | undefined, body?: unknown, headers: Record<string, string> = {}) {
  const res = await g.app.inject({
    method: method as 'GET',
    url: `/image${url}`,
    headers: { ...(token ? { 'x-auth-token': token } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { payload: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const json = (() => { try { return res.json(); } catch { return undefined; } })();
  return { status: res.statusCode, body: json, text: res.body, headers: res.headers };
}

async function create(token: string, body: Record<string, unknown> = {}) {
  const r = await call('POST', '/v2/images', token, { name: 'img', disk_format: 'raw', container_format: 'bare', ...body });
  assert.equal(r.status, 201, r.text);
  return r.body as Record<string, any>;
}

describe('version discovery and schemas', () => {
  test('GET / answers 300 with the versions list, without a token', async () => {
    const r = await call('GET', '/', undefined);
    assert.equal(r.status, 300);
    const ids = r.body.versions.map((v: any) => v.id);
    assert.ok(ids.includes('v2.0') && ids.includes('v2.17'));
    assert.equal(r.body.versions.find((v: any) => v.status === 'CURRENT').id, 'v2.17');
    assert.equal(r.body.versions[0].links[0].href, 'http://nubo.test/image/v2/');
  });

  test('GET /versions answers 200', async () => {
    assert.equal((await call('GET', '/versions', undefined)).status, 200);
  });

  test('schemas are published', async () => {
    const image = await call('GET', '/v2/schemas/image', alice);
    assert.equal(image.body.name, 'image');
    assert.deepEqual(image.body.additionalProperties, { type: 'string' });
    assert.ok(image.body.properties.disk_format.enum.includes('qcow2'));
    assert.equal(image.body.properties.kernel_id.is_base, false);
    for (const name of ['images', 'member', 'members', 'task', 'tasks']) {
      assert.equal((await call('GET', `/v2/schemas/${name}`, alice)).body.name, name);
    }
  });

  test('info endpoints', async () => {
    assert.deepEqual((await call('GET', '/v2/info/import', alice)).body['import-methods'].value, ['glance-direct', 'web-download', 'copy-image']);
    assert.deepEqual((await call('GET', '/v2/info/stores', alice)).body, { stores: [{ id: 'file', default: 'true' }] });
    assert.equal((await call('GET', '/v2/info/stores/detail', alice)).status, 403);
    const detail = await call('GET', '/v2/info/stores/detail', admin);
    assert.equal(detail.body.stores[0].type, 'file');
  });

  test('requests without a token are 401 with keystonemiddleware body', async () => {
    const r = await call('GET', '/v2/images', undefined);
    assert.equal(r.status, 401);
    assert.equal(r.body.error.code, 401);
    assert.match(String(r.headers['www-authenticate']), /Keystone uri=/);
  });
});

describe('image records', () => {
  test('create answers 201 with Glance defaults and headers', async () => {
    const r = await call('POST', '/v2/images', alice, { name: 'cirros', disk_format: 'qcow2', container_format: 'bare', tags: ['a', 'a', 'b'], os_distro: 'cirros' });
    assert.equal(r.status, 201);
    assert.equal(r.headers['location'], `/v2/images/${r.body.id}`);
    assert.equal(r.headers['openstack-image-import-methods'], 'glance-direct,web-download,copy-image');
    assert.equal(r.headers['openstack-image-store-ids'], 'file');
    assert.equal(r.body.status, 'queued');
    assert.equal(r.body.visibility, 'shared');
    assert.equal(r.body.owner, 'p-alice');
    assert.equal(r.body.protected, false);
    assert.equal(r.body.os_hidden, false);
    assert.equal(r.body.size, null);
    assert.equal(r.body.os_distro, 'cirros');
    assert.deepEqual(r.body.tags.sort(), ['a', 'b']);
    assert.equal(r.body.self, `/v2/images/${r.body.id}`);
    assert.equal(r.body.file, `/v2/images/${r.body.id}/file`);
    assert.equal(r.body.schema, '/v2/schemas/image');
    assert.match(r.body.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(g.notifications.at(-1)?.eventType, 'image.create');
  });

  test('create with an id, and the id cannot be reused even after delete', async () => {
    const id = '11111111-2222-3333-4444-555555555555';
    await create(alice, { id });
    assert.equal((await call('DELETE', `/v2/images/${id}`, alice)).status, 204);
    assert.equal((await call('POST', '/v2/images', alice, { id })).status, 409);
  });

  test('create refuses bad input as Glance does', async () => {
    assert.equal((await call('POST', '/v2/images', alice, { disk_format: 'wrong' })).status, 400);
    assert.equal((await call('POST', '/v2/images', alice, { container_format: 'wrong' })).status, 400);
    assert.equal((await call('POST', '/v2/images', alice, { status: 'active' })).status, 403);
    assert.equal((await call('POST', '/v2/images', alice, { size: 5 })).status, 403);
    assert.equal((await call('POST', '/v2/images', alice, { self: 'x' })).status, 403);
    assert.equal((await call('POST', '/v2/images', alice, { os_glance_foo: 'bar' })).status, 403);
    assert.equal((await call('POST', '/v2/images', alice, { deleted: 'x' })).status, 403);
    assert.equal((await call('POST', '/v2/images', alice, { custom: 5 })).status, 400);
    assert.equal((await call('POST', '/v2/images', alice, { min_ram: -1 })).status, 400);
    assert.equal((await call('POST', '/v2/images', alice, { owner: 'p-bob' })).status, 403);
    assert.equal((await call('POST', '/v2/images', alice, { visibility: 'public' })).status, 403);
    assert.equal((await call('POST', '/v2/images', reader, {})).status, 403);
  });

  test('admins may publicize and create images for others; community by the owner', async () => {
    assert.equal((await create(admin, { visibility: 'public' })).visibility, 'public');
    assert.equal((await create(admin, { owner: 'p-bob' })).owner, 'p-bob');
    assert.equal((await create(alice, { visibility: 'community' })).visibility, 'community');
  });

  test('show: owner, admin; another project gets 404 for a private image', async () => {
    const img = await create(alice, { visibility: 'private' });
    assert.equal((await call('GET', `/v2/images/${img.id}`, alice)).status, 200);
    assert.equal((await call('GET', `/v2/images/${img.id}`, admin)).status, 200);
    const r = await call('GET', `/v2/images/${img.id}`, bob);
    assert.equal(r.status, 404);
    assert.equal(r.text, `404 Not Found\n\nNo image found with ID ${img.id}\n\n   `);
    assert.match(String(r.headers['content-type']), /^text\/plain/);
    assert.equal((await call('GET', '/v2/images/nope', alice)).status, 404);
  });

  test('errors follow webob content negotiation', async () => {
    const json = await call('GET', '/v2/images/nope', alice, undefined, { accept: 'application/json' });
    assert.deepEqual(json.body, { message: 'No image found with ID nope<br /><br />\n\n\n', code: '404 Not Found', title: 'Not Found' });
    const html = await call('GET', '/v2/images/nope', alice, undefined, { accept: '*/*' });
    assert.match(html.text, /^<html>\n <head>\n  <title>404 Not Found<\/title>/);
  });

  test('PATCH 2.1: replace, add, remove of core and custom properties', async () => {
    const img = await create(alice);
    const r = await call('PATCH', `/v2/images/${img.id}`, alice, [
      { op: 'replace', path: '/name', value: 'renamed' },
      { op: 'add', path: '/hw_disk_bus', value: 'scsi' },
      { op: 'add', path: '/min_ram', value: 512 },
      { op: 'replace', path: '/tags', value: ['x'] },
      { op: 'add', path: '/protected', value: true },
    ], { 'content-type': PATCH });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.name, 'renamed');
    assert.equal(r.body.hw_disk_bus, 'scsi');
    assert.equal(r.body.min_ram, 512);
    assert.deepEqual(r.body.tags, ['x']);
    assert.equal(r.body.protected, true);
    const r2 = await call('PATCH', `/v2/images/${img.id}`, alice, [{ op: 'remove', path: '/hw_disk_bus' }, { op: 'replace', path: '/protected', value: false }], { 'content-type': PATCH });
    assert.equal(r2.status, 200);
    assert.equal('hw_disk_bus' in r2.body, false);
    const shown = await call('GET', `/v2/images/${img.id}`, alice);
    assert.equal(shown.body.name, 'renamed');
  });

  test('PATCH 2.0 syntax and its add-on-existing conflict', async () => {
    const img = await create(alice);
    const v20 = 'application/openstack-images-v2.0-json-patch';
    assert.equal((await call('PATCH', `/v2/images/${img.id}`, alice, [{ add: '/foo', value: 'bar' }], { 'content-type': v20 })).status, 200);
    assert.equal((await call('PATCH', `/v2/images/${img.id}`, alice, [{ add: '/foo', value: 'baz' }], { 'content-type': v20 })).status, 409);
    assert.equal((await call('PATCH', `/v2/images/${img.id}`, alice, [{ op: 'add', path: '/foo', value: 'baz' }], { 'content-type': PATCH })).body.foo, 'baz');
  });

  test('PATCH refusals', async () => {
    const img = await create(alice);
    const patch = (ops: unknown, ct = PATCH, token = alice) => call('PATCH', `/v2/images/${img.id}`, token, ops, { 'content-type': ct });
    const wrongType = await patch([], 'application/json');
    assert.equal(wrongType.status, 415);
    assert.match(String(wrongType.headers['accept-patch']), /openstack-images-v2\.1-json-patch/);
    assert.equal((await patch({})).status, 400);
    assert.equal((await patch([{ op: 'move', path: '/name' }])).status, 400);
    assert.equal((await patch([{ op: 'replace', path: 'name', value: 'x' }])).status, 400);
    assert.equal((await patch([{ op: 'replace', path: '/a/b', value: 'x' }])).status, 400);
    assert.equal((await patch([{ op: 'replace', path: '/name' }])).status, 400);
    assert.equal((await patch([{ op: 'replace', path: '/status', value: 'active' }])).status, 403);
    assert.equal((await patch([{ op: 'replace', path: '/id', value: 'x' }])).status, 403);
    assert.equal((await patch([{ op: 'add', path: '/os_glance_foo', value: 'x' }])).status, 403);
    assert.equal((await patch([{ op: 'replace', path: '/nope', value: 'x' }])).status, 409);
    assert.equal((await patch([{ op: 'remove', path: '/nope' }])).status, 409);
    assert.equal((await patch([{ op: 'remove', path: '/name' }])).status, 403);
    assert.equal((await patch([{ op: 'add', path: '/custom', value: 1 }])).status, 400);
    assert.equal((await patch([{ op: 'replace', path: '/min_ram', value: 'x' }])).status, 400);
    assert.equal((await patch([{ op: 'replace', path: '/visibility', value: 'public' }])).status, 403);
    assert.equal((await patch([{ op: 'replace', path: '/owner', value: 'p-bob' }])).status, 403);
    assert.equal((await patch([{ op: 'add', path: '/locations/-', value: { url: 'http://x', metadata: {} } }])).status, 403);
    assert.equal((await patch([{ op: 'replace', path: '/name', value: 'x' }], PATCH, bob)).status, 404);
    assert.equal((await patch([{ op: 'replace', path: '/name', value: 'x' }], PATCH, reader)).status, 403);
  });

  test('a public image of another project can be seen but not changed (403)', async () => {
    const pub = await create(admin, { visibility: 'public' });
    assert.equal((await call('GET', `/v2/images/${pub.id}`, bob)).status, 200);
    assert.equal((await call('PATCH', `/v2/images/${pub.id}`, bob, [{ op: 'replace', path: '/name', value: 'x' }], { 'content-type': PATCH })).status, 403);
    assert.equal((await call('DELETE', `/v2/images/${pub.id}`, bob)).status, 403);
  });

  test('protected images cannot be deleted; deleted images are 404', async () => {
    const img = await create(alice, { protected: true });
    const r = await call('DELETE', `/v2/images/${img.id}`, alice);
    assert.equal(r.status, 403);
    assert.match(r.text, /is protected and cannot be deleted/);
    await call('PATCH', `/v2/images/${img.id}`, alice, [{ op: 'replace', path: '/protected', value: false }], { 'content-type': PATCH });
    assert.equal((await call('DELETE', `/v2/images/${img.id}`, alice)).status, 204);
    assert.equal((await call('GET', `/v2/images/${img.id}`, alice)).status, 404);
    assert.equal((await call('DELETE', `/v2/images/${img.id}`, alice)).status, 404);
    assert.equal(g.notifications.at(-1)?.eventType, 'image.delete');
  });

  test('tags', async () => {
    const img = await create(alice);
    assert.equal((await call('PUT', `/v2/images/${img.id}/tags/blue`, alice)).status, 204);
    assert.equal((await call('PUT', `/v2/images/${img.id}/tags/blue`, alice)).status, 204);
    assert.deepEqual((await call('GET', `/v2/images/${img.id}`, alice)).body.tags, ['blue']);
    assert.equal((await call('DELETE', `/v2/images/${img.id}/tags/blue`, alice)).status, 204);
    assert.equal((await call('DELETE', `/v2/images/${img.id}/tags/blue`, alice)).status, 404);
    assert.equal((await call('PUT', `/v2/images/${img.id}/tags/${'x'.repeat(256)}`, alice)).status, 400);
    assert.equal((await call('PUT', `/v2/images/${img.id}/tags/red`, bob)).status, 404);
  });

  test('deactivate needs an active image', async () => {
    const img = await create(alice);
    assert.equal((await call('POST', `/v2/images/${img.id}/actions/deactivate`, alice)).status, 403);
    assert.equal((await call('POST', `/v2/images/${img.id}/actions/reactivate`, alice)).status, 403);
  });
});

describe('listing', () => {
  let ids: string[] = [];
  before(async () => {
    const owner = g.token('lister', { project: 'p-list', roles: ['member', 'reader'] });
    ids = [];
    for (let i = 0; i < 5; i++) {
      const img = await create(owner, { name: `list-${i}`, disk_format: i % 2 ? 'qcow2' : 'raw', visibility: 'private', tags: [`t${i}`], color: i < 2 ? 'red' : 'blue', min_ram: i * 100 });
      ids.push(img.id);
    }
    await create(owner, { name: 'hidden', os_hidden: true, visibility: 'private' });
  });

  const list = async (qs: string) => {
    const r = await call('GET', `/v2/images${qs}${qs.includes('owner=') ? '' : `${qs ? '&' : '?'}owner=p-list`}`, 'lister');
    assert.equal(r.status, 200, r.text);
    return r.body;
  };

  test('default list: newest first, hidden images left out, links and schema', async () => {
    const body = await list('');
    assert.deepEqual(body.images.map((i: any) => i.id), [...ids].reverse());
    assert.equal(body.first, '/v2/images?owner=p-list');
    assert.equal(body.schema, '/v2/schemas/images');
    assert.equal(body.next, undefined);
    assert.deepEqual((await list('?os_hidden=true')).images.map((i: any) => i.name), ['hidden']);
  });

  test('filters', async () => {
    assert.equal((await list('?disk_format=qcow2')).images.length, 2);
    assert.equal((await list('?name=list-3')).images[0].id, ids[3]);
    assert.equal((await list('?name=in:list-1,list-2')).images.length, 2);
    assert.equal((await list('?tag=t4')).images[0].id, ids[4]);
    assert.equal((await list('?color=red')).images.length, 2);
    assert.equal((await list('?visibility=private&status=queued')).images.length, 5);
    assert.equal((await list('?owner=p-list')).images.length, 5);
    assert.equal((await list('?created_at=gte:2000-01-01T00:00:00Z')).images.length, 5);
    assert.equal((await list('?updated_at=lt:2000-01-01T00:00:00Z')).images.length, 0);
    assert.equal((await list('?min_ram=300')).images.length, 1);
    assert.equal((await call('GET', '/v2/images?visibility=bogus', 'lister')).status, 400);
    assert.equal((await call('GET', '/v2/images?os_hidden=maybe', 'lister')).status, 400);
    assert.equal((await call('GET', '/v2/images?created_at=gt:yesterday', 'lister')).status, 400);
    assert.equal((await call('GET', '/v2/images?member_status=bogus', 'lister')).status, 400);
    assert.equal((await call('GET', '/v2/images?changes-since=2020-01-01', 'lister')).status, 400);
  });

  test('sorting in both syntaxes', async () => {
    assert.deepEqual((await list('?sort_key=name&sort_dir=asc')).images.map((i: any) => i.name), ['list-0', 'list-1', 'list-2', 'list-3', 'list-4']);
    assert.deepEqual((await list('?sort=disk_format:asc,name:desc')).images.map((i: any) => i.name), ['list-3', 'list-1', 'list-4', 'list-2', 'list-0']);
    assert.equal((await call('GET', '/v2/images?sort=name:up', 'lister')).status, 400);
    assert.equal((await call('GET', '/v2/images?sort_key=owner', 'lister')).status, 400);
    assert.equal((await call('GET', '/v2/images?sort=name&sort_key=name', 'lister')).status, 400);
  });

  test('limit/marker pagination with next links', async () => {
    const seen: string[] = [];
    let url: string | undefined = '/v2/images?limit=2&sort_key=name&sort_dir=asc&owner=p-list';
    let pages = 0;
    while (url) {
      const body = await list(url.replace('/v2/images', ''));
      seen.push(...body.images.map((i: any) => i.name));
      url = body.next;
      if (++pages > 5) break;
    }
    assert.deepEqual(seen, ['list-0', 'list-1', 'list-2', 'list-3', 'list-4']);
    const first = await list('?limit=2&sort_key=name&sort_dir=asc');
    assert.equal(first.first, '/v2/images?limit=2&sort_key=name&sort_dir=asc&owner=p-list');
    assert.equal(first.next, `/v2/images?limit=2&sort_key=name&sort_dir=asc&owner=p-list&marker=${ids[1]}`);
    assert.equal((await call('GET', '/v2/images?limit=-1', 'lister')).status, 400);
    assert.equal((await call('GET', '/v2/images?limit=x', 'lister')).status, 400);
    assert.equal((await call('GET', '/v2/images?marker=00000000-0000-0000-0000-000000000000', 'lister')).status, 400);
  });

  test("others' private images are not listed; admins see them", async () => {
    const bobs = await call('GET', '/v2/images?owner=p-list', bob);
    assert.equal(bobs.body.images.length, 0);
    const admins = await call('GET', '/v2/images?owner=p-list', admin);
    assert.equal(admins.body.images.length, 5);
  });
});
