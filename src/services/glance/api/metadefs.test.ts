import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestGlance, type TestGlance } from '../testing/harness.js';

let g: TestGlance;
before(async () => {
  g = await startTestGlance();
  g.token('admin', { project: 'p-admin', roles: ['admin', 'member', 'reader'] });
  g.token('user', { project: 'p-user', roles: ['member', 'reader'] });
});
after(() => g.close());

async function call(token: string, method: string, url: string, json?: unknown, headers: Record<string, string> = {}) {
  const res = await g.app.inject({
    method: method as 'GET', url: `/image${url}`,
    headers: { 'x-auth-token': token, ...(json !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(json !== undefined ? { payload: JSON.stringify(json) } : {}),
  });
  return { status: res.statusCode, body: (() => { try { return res.json(); } catch { return undefined; } })(), text: res.body };
}
const NS = '/v2/metadefs/namespaces';

describe('metadata definitions', () => {
  test('schemas', async () => {
    const expected: Record<string, string> = {
      namespace: 'namespace', namespaces: 'namespaces', resource_type: 'resource_type_association', resource_types: 'resource_type_associations',
      object: 'object', objects: 'objects', property: 'property', properties: 'properties', tag: 'tag', tags: 'tags',
    };
    for (const [path, name] of Object.entries(expected)) assert.equal((await call('user', 'GET', `/v2/schemas/metadefs/${path}`)).body.name, name);
  });

  test('resource types are listed (the shipped ones)', async () => {
    const names = (await call('user', 'GET', '/v2/metadefs/resource_types')).body.resource_types.map((r: any) => r.name);
    assert.ok(names.includes('OS::Glance::Image'));
  });

  test('namespace lifecycle: create with associations, protected delete refused, update, delete', async () => {
    const created = await call('admin', 'POST', NS, {
      namespace: 'OS::Test::One', visibility: 'public', description: 'd', display_name: 'One', protected: true,
      resource_type_associations: [{ name: 'OS::Glance::Image', prefix: 'hw_' }],
      properties: { disk_bus: { title: 'Disk bus', type: 'string', enum: ['scsi', 'virtio'] } },
      objects: [{ name: 'obj', description: 'o', properties: { a: { title: 'A', type: 'integer' } } }],
      tags: [{ name: 't1' }],
    });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.self, `${NS}/OS::Test::One`);
    assert.equal(created.body.schema, '/v2/schemas/metadefs/namespace');
    assert.equal(created.body.owner, 'p-admin');
    assert.equal((await call('admin', 'POST', NS, { namespace: 'OS::Test::One' })).status, 409);
    assert.equal((await call('user', 'POST', NS, { namespace: 'OS::Test::Two' })).status, 403);
    assert.equal((await call('admin', 'POST', NS, { namespace: 'x', bogus: 1 })).status, 400);
    assert.equal((await call('admin', 'POST', NS, {})).status, 400);

    const listed = (await call('user', 'GET', NS)).body;
    assert.ok(listed.namespaces.some((n: any) => n.namespace === 'OS::Test::One'));
    assert.equal(listed.schema, '/v2/schemas/metadefs/namespaces');
    const shown = (await call('user', 'GET', `${NS}/OS::Test::One`)).body;
    assert.equal(shown.visibility, 'public');
    assert.deepEqual(shown.properties, { disk_bus: { title: 'Disk bus', type: 'string', enum: ['scsi', 'virtio'] } });
    assert.equal(shown.objects[0].name, 'obj');
    assert.deepEqual(shown.tags, [{ name: 't1' }]);
    assert.equal(shown.resource_type_associations[0].prefix, 'hw_');
    assert.equal((await call('user', 'GET', `${NS}/OS::Test::One/properties/hw_disk_bus?resource_type=OS::Glance::Image`)).body.name, 'disk_bus');

    assert.equal((await call('admin', 'DELETE', `${NS}/OS::Test::One`)).status, 403);
    const up = await call('admin', 'PUT', `${NS}/OS::Test::One`, { namespace: 'OS::Test::One', visibility: 'private', protected: false, description: 'x' });
    assert.equal(up.status, 200, up.text);
    assert.equal(up.body.visibility, 'private');
    assert.equal(up.body.protected, false);
    assert.equal((await call('user', 'GET', `${NS}/OS::Test::One`)).status, 404, 'private namespaces of others are hidden');
    assert.equal((await call('admin', 'DELETE', `${NS}/OS::Test::One`)).status, 204);
    assert.equal((await call('admin', 'GET', `${NS}/OS::Test::One`)).status, 404);
  });

  test('objects, properties, tags and associations of a namespace', async () => {
    const ns = 'OS::Test::Items';
    assert.equal((await call('admin', 'POST', NS, { namespace: ns, visibility: 'public' })).status, 201);
    const base = `${NS}/${ns}`;
    const obj = await call('admin', 'POST', `${base}/objects`, { name: 'o1', description: 'first' });
    assert.equal(obj.status, 201, obj.text);
    assert.equal(obj.body.self, `${base}/objects/o1`);
    assert.equal((await call('admin', 'PUT', `${base}/objects/o1`, { name: 'o2' })).body.name, 'o2');
    assert.deepEqual((await call('user', 'GET', `${base}/objects`)).body.objects.map((o: any) => o.name), ['o2']);
    assert.equal((await call('user', 'GET', `${base}/objects/o2`)).body.name, 'o2');
    assert.equal((await call('admin', 'DELETE', `${base}/objects/o2`)).status, 204);
    assert.equal((await call('admin', 'DELETE', `${base}/objects/o2`)).status, 404);

    const p = await call('admin', 'POST', `${base}/properties`, { name: 'hv', title: 'Hypervisor', type: 'string', enum: ['kvm', 'qemu'] });
    assert.equal(p.status, 201, p.text);
    assert.deepEqual(p.body, { name: 'hv', title: 'Hypervisor', type: 'string', enum: ['kvm', 'qemu'] });
    assert.equal((await call('admin', 'POST', `${base}/properties`, { name: 'bad', type: 'string' })).status, 400);
    assert.equal((await call('admin', 'PUT', `${base}/properties/hv`, { name: 'hv', title: 'HV', type: 'string' })).body.title, 'HV');
    assert.deepEqual(Object.keys((await call('user', 'GET', `${base}/properties`)).body.properties), ['hv']);
    assert.equal((await call('admin', 'DELETE', `${base}/properties/hv`)).status, 204);

    const tags = await call('admin', 'POST', `${base}/tags`, { tags: [{ name: 'a' }, { name: 'b' }] });
    assert.equal(tags.status, 201, tags.text);
    assert.deepEqual(tags.body, { tags: [{ name: 'a' }, { name: 'b' }] });
    assert.equal((await call('admin', 'POST', `${base}/tags`, { tags: [{ name: 'c' }] }, { 'x-openstack-append': 'true' })).status, 201);
    assert.equal((await call('user', 'GET', `${base}/tags`)).body.tags.length, 3);
    assert.equal((await call('admin', 'POST', `${base}/tags/d`)).status, 201);
    assert.equal((await call('admin', 'POST', `${base}/tags/d`)).status, 409);
    assert.equal((await call('admin', 'PUT', `${base}/tags/d`, { name: 'e' })).body.name, 'e');
    assert.equal((await call('user', 'GET', `${base}/tags/e`)).body.name, 'e');
    assert.equal((await call('admin', 'DELETE', `${base}/tags/e`)).status, 204);
    assert.equal((await call('admin', 'DELETE', `${base}/tags`)).status, 204);
    assert.deepEqual((await call('user', 'GET', `${base}/tags`)).body.tags, []);

    const assoc = await call('admin', 'POST', `${base}/resource_types`, { name: 'OS::Nova::Flavor', prefix: 'hw:' });
    assert.equal(assoc.status, 201, assoc.text);
    assert.equal(assoc.body.name, 'OS::Nova::Flavor');
    assert.equal((await call('admin', 'POST', `${base}/resource_types`, { name: 'OS::Nova::Flavor' })).status, 409);
    assert.deepEqual((await call('user', 'GET', `${base}/resource_types`)).body.resource_type_associations.map((a: any) => a.name), ['OS::Nova::Flavor']);
    assert.equal((await call('admin', 'POST', `${base}/resource_types`, { name: 'OS::New::Thing' })).status, 201);
    assert.ok((await call('user', 'GET', '/v2/metadefs/resource_types')).body.resource_types.some((r: any) => r.name === 'OS::New::Thing'));
    assert.equal((await call('admin', 'DELETE', `${base}/resource_types/OS::Nova::Flavor`)).status, 204);
    assert.equal((await call('admin', 'DELETE', `${base}/resource_types/OS::Nova::Flavor`)).status, 404);
    assert.equal((await call('user', 'GET', `${NS}?resource_types=OS::New::Thing`)).body.namespaces[0].namespace, ns);
  });
});
