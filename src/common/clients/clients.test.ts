/**
 * The typed service clients against a stand-in cloud on loopback: the method, path (with the
 * API version added only where the catalog endpoint lacks one), query, headers (microversions,
 * acting for a user) and body each sends, and what it makes of the answer.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { ComputeClient } from './compute.js';
import { IdentityClient } from './identity.js';
import { ImageClient } from './image.js';
import { NetworkClient } from './network.js';
import { ObjectClient } from './object.js';
import { ServiceClientError, type ServiceSession } from './session.js';
import { readJson, readText, sendJson, StubCloud, type SeenRequest } from './testing/stub-cloud.js';
import { VolumeClient } from './volume.js';

let cloud: StubCloud;
let session: ServiceSession;
/** JSON bodies received, by "METHOD path". */
const bodies = new Map<string, unknown>();

before(async () => {
  cloud = await StubCloud.start(['image', 'network', 'compute', 'volumev3', 'object-store']);
  cloud.endpoints.set('compute', `${cloud.base}/compute/v2.1`);
  cloud.endpoints.set('volumev3', `${cloud.base}/volumev3/v3/proj1`);
  cloud.endpoints.set('object-store', `${cloud.base}/object-store/v1/AUTH_proj1`);
  session = cloud.session();
});
after(() => cloud.close());

/** Answer METHOD path with JSON, keeping the request's JSON body. */
function answer(method: string, path: string, status: number, body: unknown, headers: Record<string, string> = {}): void {
  cloud.route(method, path, async (req, res) => {
    const received = await readJson(req);
    if (received !== undefined) bodies.set(`${method} ${path}`, received);
    if (status === 204) {
      res.writeHead(204, headers);
      res.end();
    } else {
      sendJson(res, status, body, headers);
    }
  });
}

function last(method: string, pathWithQuery: string): SeenRequest {
  const hit = cloud.seen.filter((s) => s.method === method && s.url === pathWithQuery).at(-1);
  assert.ok(hit, `${method} ${pathWithQuery} was requested (seen: ${cloud.seen.map((s) => `${s.method} ${s.url}`).join(', ')})`);
  return hit;
}

describe('IdentityClient', () => {
  const identity = () => new IdentityClient(session);

  test('validateToken sends the subject token and maps the body', async () => {
    answer('GET', '/identity/v3/auth/tokens', 200, { token: {
      methods: ['password'], user: { id: 'u1', name: 'alice', domain: { id: 'default', name: 'Default' } },
      project: { id: 'p1', name: 'demo', domain: { id: 'default', name: 'Default' } }, roles: [{ id: 'r1', name: 'member' }],
      expires_at: '2030-01-01T00:00:00.000000Z', issued_at: '2029-01-01T00:00:00.000000Z', audit_ids: ['a1'],
    } });
    const info = await identity().validateToken('user-tok', { allowExpired: true });
    assert.equal(info.userId, 'u1');
    assert.equal(info.projectId, 'p1');
    assert.deepEqual(info.roles, ['member']);
    const req = last('GET', '/identity/v3/auth/tokens?allow_expired=1');
    assert.equal(req.headers['x-subject-token'], 'user-tok');
    assert.match(String(req.headers['x-auth-token']), /^svc-token-/);
  });

  test('services, registered limits, limits and projects', async () => {
    answer('GET', '/identity/v3/services', 200, { services: [{ id: 's1', type: 'image', name: 'glance' }] });
    answer('GET', '/identity/v3/registered_limits', 200, { registered_limits: [{ id: 'rl', service_id: 's1', resource_name: 'image_count_total', default_limit: 5 }] });
    answer('GET', '/identity/v3/limits', 200, { limits: [{ id: 'l', service_id: 's1', project_id: 'p1', resource_name: 'image_count_total', resource_limit: 2 }] });
    answer('GET', '/identity/v3/projects/p%201', 200, { project: { id: 'p 1', name: 'demo', domain_id: 'default', enabled: true } });
    answer('GET', '/identity/v3/projects', 200, { projects: [{ id: 'p1', name: 'demo', domain_id: 'default', enabled: true }] });
    const c = identity();
    assert.equal((await c.listServices({ type: 'image' }))[0]!.id, 's1');
    last('GET', '/identity/v3/services?type=image');
    assert.equal((await c.listRegisteredLimits({ serviceId: 's1', regionId: 'RegionOne' }))[0]!.default_limit, 5);
    last('GET', '/identity/v3/registered_limits?service_id=s1&region_id=RegionOne');
    assert.equal((await c.listLimits({ projectId: 'p1', serviceId: 's1' }))[0]!.resource_limit, 2);
    last('GET', '/identity/v3/limits?project_id=p1&service_id=s1');
    assert.equal((await c.getProject('p 1')).name, 'demo');
    assert.equal((await c.listProjects({ name: 'demo', enabled: true })).length, 1);
    last('GET', '/identity/v3/projects?name=demo&enabled=true');
  });
});

describe('ImageClient', () => {
  const image = { id: 'i1', name: 'cirros', status: 'queued', visibility: 'private', tags: [] };

  test('create, show, update (JSON patch), delete under /v2 of an unversioned endpoint', async () => {
    answer('POST', '/image/v2/images', 201, image);
    answer('GET', '/image/v2/images/i1', 200, image);
    answer('PATCH', '/image/v2/images/i1', 200, { ...image, name: 'renamed' });
    answer('DELETE', '/image/v2/images/i1', 204, undefined);
    const c = new ImageClient(session);
    assert.equal((await c.createImage({ name: 'cirros', disk_format: 'qcow2', container_format: 'bare', hw_rng_model: 'virtio' })).id, 'i1');
    assert.deepEqual(bodies.get('POST /image/v2/images'), { name: 'cirros', disk_format: 'qcow2', container_format: 'bare', hw_rng_model: 'virtio' });
    assert.equal((await c.getImage('i1')).status, 'queued');
    assert.equal((await c.updateImage('i1', [{ op: 'replace', path: '/name', value: 'renamed' }])).name, 'renamed');
    assert.equal(last('PATCH', '/image/v2/images/i1').headers['content-type'], 'application/openstack-images-v2.1-json-patch');
    assert.deepEqual(bodies.get('PATCH /image/v2/images/i1'), [{ op: 'replace', path: '/name', value: 'renamed' }]);
    await c.deleteImage('i1');
    last('DELETE', '/image/v2/images/i1');
  });

  test('data goes up from a stream and comes down as one, for a user', async () => {
    let stored = Buffer.alloc(0);
    cloud.route('PUT', '/image/v2/images/i2/file', async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      stored = Buffer.concat(chunks);
      res.writeHead(204);
      res.end();
    });
    cloud.route('GET', '/image/v2/images/i2/file', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-md5': createHash('md5').update(stored).digest('hex') });
      res.end(stored);
    });
    const c = new ImageClient(session).forUser('user-tok');
    const data = Buffer.from('0123456789'.repeat(1000));
    await c.uploadData('i2', Readable.from([data.subarray(0, 5000), data.subarray(5000)]), { size: data.length });
    const put = last('PUT', '/image/v2/images/i2/file');
    assert.equal(put.headers['content-length'], String(data.length));
    assert.equal(put.headers['x-auth-token'], 'user-tok');
    assert.match(String(put.headers['x-service-token']), /^svc-token-/);
    assert.deepEqual(stored, data);
    const down = await c.downloadData('i2');
    const chunks: Buffer[] = [];
    for await (const chunk of down.body) chunks.push(chunk as Buffer);
    assert.deepEqual(Buffer.concat(chunks), data);
    assert.equal(down.headers['content-md5'], createHash('md5').update(data).digest('hex'));
  });

  test('a missing image is a ServiceClientError 404', async () => {
    await assert.rejects(new ImageClient(session).getImage('nope'), (e: unknown) => e instanceof ServiceClientError && e.status === 404);
    await assert.rejects(new ImageClient(session).downloadData('nope'), (e: unknown) => e instanceof ServiceClientError && e.status === 404);
  });
});

describe('NetworkClient', () => {
  const port = { id: 'pt1', network_id: 'n1', device_id: 'srv1', status: 'DOWN', fixed_ips: [] };

  test('ports: create, show, update, list with repeated filters, delete', async () => {
    answer('POST', '/network/v2.0/ports', 201, { port });
    answer('GET', '/network/v2.0/ports/pt1', 200, { port });
    answer('PUT', '/network/v2.0/ports/pt1', 200, { port: { ...port, 'binding:host_id': 'h1' } });
    answer('GET', '/network/v2.0/ports', 200, { ports: [port] });
    answer('DELETE', '/network/v2.0/ports/pt1', 204, undefined);
    const c = new NetworkClient(session);
    assert.equal((await c.createPort({ network_id: 'n1', device_id: 'srv1', device_owner: 'compute:nova' })).id, 'pt1');
    assert.deepEqual(bodies.get('POST /network/v2.0/ports'), { port: { network_id: 'n1', device_id: 'srv1', device_owner: 'compute:nova' } });
    assert.equal((await c.getPort('pt1')).network_id, 'n1');
    assert.equal((await c.updatePort('pt1', { 'binding:host_id': 'h1' }))['binding:host_id'], 'h1');
    assert.deepEqual(bodies.get('PUT /network/v2.0/ports/pt1'), { port: { 'binding:host_id': 'h1' } });
    assert.equal((await c.listPorts({ device_id: 'srv1', fields: ['id', 'status'] })).length, 1);
    last('GET', '/network/v2.0/ports?device_id=srv1&fields=id&fields=status');
    await c.deletePort('pt1');
    last('DELETE', '/network/v2.0/ports/pt1');
  });

  test('networks and security groups', async () => {
    answer('GET', '/network/v2.0/networks/n1', 200, { network: { id: 'n1', name: 'private', mtu: 1450 } });
    answer('GET', '/network/v2.0/networks', 200, { networks: [{ id: 'n1' }, { id: 'n2' }] });
    answer('GET', '/network/v2.0/security-groups', 200, { security_groups: [{ id: 'sg1', name: 'default', security_group_rules: [] }] });
    const c = new NetworkClient(session);
    assert.equal((await c.getNetwork('n1')).mtu, 1450);
    assert.equal((await c.listNetworks({ shared: true })).length, 2);
    last('GET', '/network/v2.0/networks?shared=true');
    assert.equal((await c.listSecurityGroups({ name: ['default'], project_id: 'p1' }))[0]!.id, 'sg1');
    last('GET', '/network/v2.0/security-groups?name=default&project_id=p1');
  });
});

describe('ComputeClient', () => {
  test('external events go below a versioned endpoint as is, with the microversion headers', async () => {
    cloud.route('POST', '/compute/v2.1/os-server-external-events', async (req, res) => {
      const { events } = (await readJson(req)) as { events: Array<Record<string, unknown>> };
      const results = events.map((e) => ({ ...e, code: e['server_uuid'] === 'gone' ? 404 : 200 }));
      sendJson(res, results.every((r) => r.code === 200) ? 200 : 207, { events: results });
    });
    const c = new ComputeClient(session);
    const results = await c.createServerExternalEvents([
      { name: 'network-vif-plugged', server_uuid: 's1', tag: 'pt1', status: 'completed' },
      { name: 'network-changed', server_uuid: 'gone', tag: 'pt2' },
    ]);
    assert.deepEqual(results.map((r) => r.code), [200, 404]);
    const req = last('POST', '/compute/v2.1/os-server-external-events');
    assert.equal(req.headers['openstack-api-version'], 'compute 2.1');
    assert.equal(req.headers['x-openstack-nova-api-version'], '2.1');
  });

  test('servers show, at another microversion; no server is ServiceClientError 404', async () => {
    answer('GET', '/compute/v2.1/servers/s1', 200, { server: { id: 's1', name: 'vm', status: 'ACTIVE' } });
    const c = new ComputeClient(session);
    assert.equal((await c.getServer('s1', { microversion: '2.47' })).status, 'ACTIVE');
    assert.equal(last('GET', '/compute/v2.1/servers/s1').headers['openstack-api-version'], 'compute 2.47');
    await assert.rejects(c.getServer('nope'), (e: unknown) => e instanceof ServiceClientError && e.status === 404);
  });
});

describe('VolumeClient', () => {
  test('found under its volumev3 alias; volume show and the attachment flow at 3.44 (3.54 with a mode)', async () => {
    const base = '/volumev3/v3/proj1';
    answer('GET', `${base}/volumes/v1`, 200, { volume: { id: 'v1', status: 'available', size: 1 } });
    answer('POST', `${base}/attachments`, 200, { attachment: { id: 'a1', volume_id: 'v1', instance: 's1', status: 'reserved', connection_info: null } });
    answer('PUT', `${base}/attachments/a1`, 200, { attachment: { id: 'a1', status: 'attaching', connection_info: { driver_volume_type: 'iscsi' } } });
    answer('POST', `${base}/attachments/a1/action`, 204, undefined);
    answer('DELETE', `${base}/attachments/a1`, 200, {});
    const c = new VolumeClient(session);
    assert.equal((await c.getVolume('v1')).status, 'available');
    assert.equal((await c.createAttachment('v1', 's1')).status, 'reserved');
    assert.deepEqual(bodies.get(`POST ${base}/attachments`), { attachment: { volume_uuid: 'v1', instance_uuid: 's1' } });
    assert.equal(last('POST', `${base}/attachments`).headers['openstack-api-version'], 'volume 3.44');
    await c.createAttachment('v1', 's1', { mode: 'ro' });
    assert.equal(last('POST', `${base}/attachments`).headers['openstack-api-version'], 'volume 3.54');
    const connector = { host: 'h1', ip: '10.0.0.1', initiator: 'iqn.x' };
    assert.deepEqual((await c.updateAttachment('a1', connector)).connection_info, { driver_volume_type: 'iscsi' });
    assert.deepEqual(bodies.get(`PUT ${base}/attachments/a1`), { attachment: { connector } });
    await c.completeAttachment('a1');
    assert.deepEqual(bodies.get(`POST ${base}/attachments/a1/action`), { 'os-complete': null });
    await c.deleteAttachment('a1');
    last('DELETE', `${base}/attachments/a1`);
    answer('POST', `${base}/volumes/v1/action`, 202, undefined);
    await c.beginDetaching('v1');
    assert.deepEqual(bodies.get(`POST ${base}/volumes/v1/action`), { 'os-begin_detaching': null });
    await c.rollDetaching('v1');
    assert.deepEqual(bodies.get(`POST ${base}/volumes/v1/action`), { 'os-roll_detaching': null });
    answer('DELETE', `${base}/volumes/v1`, 202, undefined);
    await c.deleteVolume('v1');
    last('DELETE', `${base}/volumes/v1`);
  });
});

describe('ObjectClient', () => {
  const account = '/object-store/v1/AUTH_proj1';

  test('account and container listings', async () => {
    answer('GET', account, 200, [{ name: 'c1', count: 2, bytes: 10 }], { 'x-account-container-count': '1' });
    answer('GET', `${account}/c1`, 200, [{ name: 'a/b', bytes: 5, hash: 'h', content_type: 'text/plain' }]);
    answer('PUT', `${account}/c2`, 201, '');
    const c = new ObjectClient(session);
    const acct = await c.getAccount();
    assert.equal(acct.items[0]!.name, 'c1');
    assert.equal(acct.headers['x-account-container-count'], '1');
    last('GET', `${account}?format=json`);
    assert.equal((await c.getContainer('c1', { prefix: 'a/', limit: 10 })).items[0]!.name, 'a/b');
    last('GET', `${account}/c1?format=json&prefix=a%2F&limit=10`);
    await c.putContainer('c2', { 'x-container-read': '.r:*' });
    assert.equal(last('PUT', `${account}/c2`).headers['x-container-read'], '.r:*');
  });

  test('another account by endpoint override, for a user; HEAD, POST and DELETE of containers and objects', async () => {
    const other = '/object-store/v1/AUTH_proj2';
    answer('HEAD', `${other}/c`, 204, '', { 'x-container-object-count': '3' });
    answer('POST', `${other}/c`, 204, '');
    answer('DELETE', `${other}/c`, 204, '');
    answer('HEAD', `${other}/c/o`, 204, '', { 'x-static-large-object': 'True' });
    answer('DELETE', `${other}/c/o`, 204, '');
    const c = new ObjectClient(session).forUser('user-token').at(`${cloud.base}${other}`);
    assert.equal((await c.headContainer('c'))['x-container-object-count'], '3');
    const head = last('HEAD', `${other}/c`);
    assert.equal(head.headers['x-auth-token'], 'user-token');
    assert.match(String(head.headers['x-service-token']), /^svc-token-/);
    await c.postContainer('c', { 'x-container-read': '*:*' });
    assert.equal(last('POST', `${other}/c`).headers['x-container-read'], '*:*');
    assert.equal((await c.headObject('c', 'o'))['x-static-large-object'], 'True');
    await c.deleteObject('c', 'o', { multipartManifest: true });
    last('DELETE', `${other}/c/o?multipart-manifest=delete`);
    await c.deleteContainer('c');
    last('DELETE', `${other}/c`);
  });

  test('authCatalog: the catalog of the token the client acts with', async () => {
    answer('GET', '/identity/v3/auth/catalog', 200, { catalog: [{ type: 'object-store', endpoints: [{ interface: 'public', url: 'http://x/v1/AUTH_p' }] }] });
    const catalog = await new IdentityClient(session).forUser('user-token').authCatalog();
    assert.equal(catalog[0]!.endpoints[0]!.url, 'http://x/v1/AUTH_p');
    assert.equal(last('GET', '/identity/v3/auth/catalog').headers['x-auth-token'], 'user-token');
  });

  test('objects go up and come down as streams; names keep their slashes', async () => {
    let stored = Buffer.alloc(0);
    const path = `${account}/c1/dir/my%20file`;
    cloud.route('PUT', path, async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      stored = Buffer.concat(chunks);
      res.writeHead(201, { etag: `"${createHash('md5').update(stored).digest('hex')}"` });
      res.end();
    });
    cloud.route('GET', path, (req, res) => {
      const range = /bytes=(\d+)-(\d+)/.exec(String(req.headers['range'] ?? ''));
      if (range) {
        res.writeHead(206, { 'content-type': 'text/plain' });
        res.end(stored.subarray(Number(range[1]), Number(range[2]) + 1));
      } else {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(stored);
      }
    });
    const c = new ObjectClient(session);
    const { etag } = await c.putObject('c1', 'dir/my file', Readable.from([Buffer.from('hello '), Buffer.from('world')]), { contentType: 'text/plain', headers: { 'x-object-meta-color': 'blue' } });
    assert.equal(etag, createHash('md5').update('hello world').digest('hex'));
    const put = last('PUT', path);
    assert.equal(put.headers['content-type'], 'text/plain');
    assert.equal(put.headers['x-object-meta-color'], 'blue');
    assert.equal(await readText((await c.getObject('c1', 'dir/my file')).body), 'hello world');
    const part = await c.getObject('c1', 'dir/my file', { range: 'bytes=0-4' });
    assert.equal(part.status, 206);
    assert.equal(await readText(part.body), 'hello');
  });
});
