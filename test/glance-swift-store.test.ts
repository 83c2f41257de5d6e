/**
 * Glance's swift store in the all-in-one cloud (identity, image and object storage in this
 * process), with `[glance_store] stores = file,swift` and `default_store = swift`:
 *
 * - single tenant (Glance's service user's account, its own token): a small image goes up in one
 *   PUT, one above swift_store_large_object_size (1 MB here, 1 MB segments: glance_store's MB of 1000 KiB) as segments and a DLO
 *   manifest, one without a Content-Length as segments too; each comes back byte-exact with its
 *   md5 checksum and sha512 os_hash_value, also in ranges across segments; the objects are seen
 *   in the `glance` container through Swift's API, and are gone after the image is deleted;
 *   Swift's refusal (a container quota: 413) is Glance's 413 and the image stays queued;
 * - multi-tenant: the image is stored in its owner's account (container glance_<id>) with the
 *   user's token, readable by another project once the image is public (the container's read
 *   ACL), and the container is gone after the delete;
 * - Swift failing (swift_store_endpoint pointing at a stand-in answering 507, 503, or nothing
 *   listening): Glance answers 413 and 503, never 500, and the image stays queued.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import { startTestCloud, type TestCloud } from './support/cloud.js';

const MiB = 1024 * 1024;
/** glance_store's MB: 1000 KiB. */
const MB = 1000 * 1024;
const md5 = (b: Buffer): string => createHash('md5').update(b).digest('hex');
const sha512 = (b: Buffer): string => createHash('sha512').update(b).digest('hex');

interface Res { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer; json: any }

async function call(url: string, method: string, token: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res> {
  const isData = Buffer.isBuffer(body) || body instanceof Readable;
  const res = await request(url, {
    method: method as 'GET',
    headers: {
      'x-auth-token': token,
      ...(body === undefined ? {} : { 'content-type': isData ? 'application/octet-stream' : 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: isData ? (body as Buffer | Readable) : JSON.stringify(body) }),
  });
  const bytes = Buffer.from(await res.body.arrayBuffer());
  let json: any;
  try { json = JSON.parse(bytes.toString('utf8')); } catch { json = undefined; }
  return { status: res.statusCode, headers: res.headers, body: bytes, json };
}

async function login(cloud: TestCloud, user: string, password: string, project: string): Promise<{ token: string; projectId: string; catalog: any[] }> {
  const res = await request(`${cloud.url}/identity/v3/auth/tokens`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ auth: {
      identity: { methods: ['password'], password: { user: { name: user, domain: { id: 'default' }, password } } },
      scope: { project: { name: project, domain: { id: 'default' } } },
    } }),
  });
  const body = (await res.body.json()) as any;
  assert.equal(res.statusCode, 201, JSON.stringify(body));
  return { token: String(res.headers['x-subject-token']), projectId: body.token.project.id, catalog: body.token.catalog };
}

function storageUrlOf(catalog: any[]): string {
  return catalog.find((s) => s.type === 'object-store').endpoints.find((e: any) => e.interface === 'public').url;
}

/** Glance's service user's password, from the data dir's secrets.conf. */
function glancePassword(dataDir: string): string {
  const text = readFileSync(join(dataDir, 'secrets.conf'), 'utf8');
  const section = text.slice(text.indexOf('[service_users]'));
  return /^image\s*=\s*(\S+)/m.exec(section)![1]!;
}

const storeOverrides = {
  'glance_store.stores': 'file,swift',
  'glance_store.default_store': 'swift',
  'glance_store.swift_store_create_container_on_put': 'true',
  'glance_store.swift_store_large_object_size': '1',
  'glance_store.swift_store_large_object_chunk_size': '1',
  'image.show_image_direct_url': 'true',
  'swift.all_in_one_part_power': '6',
};

async function newImage(cloud: TestCloud, token: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await call(`${cloud.url}/image/v2/images`, 'POST', token, { name: 'img', disk_format: 'raw', container_format: 'bare', ...extra });
  assert.equal(res.status, 201, res.body.toString());
  return res.json.id;
}

async function download(cloud: TestCloud, token: string, id: string, range?: string): Promise<Res> {
  return call(`${cloud.url}/image/v2/images/${id}/file`, 'GET', token, undefined, range ? { range } : {});
}

describe('glance swift store, single tenant (the Glance service user\'s account)', () => {
  let cloud: TestCloud;
  let admin: string;
  let glance: { token: string; projectId: string; catalog: any[] };
  let account: string;

  before(async () => {
    cloud = await startTestCloud({ services: ['identity', 'image', 'object'], overrides: storeOverrides });
    admin = await cloud.adminToken();
    glance = await login(cloud, 'glance', glancePassword(cloud.dataDir), 'service');
    account = storageUrlOf(glance.catalog);
  });
  after(async () => { await cloud?.close(); });

  const listing = async (prefix: string): Promise<string[]> => {
    const res = await call(`${account}/glance?format=json&prefix=${prefix}`, 'GET', glance.token);
    assert.equal(res.status, 200, res.body.toString());
    return (res.json as Array<{ name: string }>).map((o) => o.name);
  };

  /** Upload `data` to a new image: active, with the data's size, md5 checksum and sha512 os_hash_value. */
  async function uploadActive(data: Buffer): Promise<{ id: string; image: any }> {
    const id = await newImage(cloud, admin);
    const up = await call(`${cloud.url}/image/v2/images/${id}/file`, 'PUT', admin, data);
    assert.equal(up.status, 204, up.body.toString());
    const image = (await call(`${cloud.url}/image/v2/images/${id}`, 'GET', admin)).json;
    assert.equal(image.status, 'active');
    assert.equal(image.size, data.length);
    assert.equal(image.checksum, md5(data));
    assert.equal(image.os_hash_algo, 'sha512');
    assert.equal(image.os_hash_value, sha512(data));
    return { id, image };
  }

  test('stores: /v2/info/stores lists file and swift, swift the default', async () => {
    const res = await call(`${cloud.url}/image/v2/info/stores`, 'GET', admin);
    assert.equal(res.status, 200, res.body.toString());
    assert.deepEqual(res.json.stores.map((s: any) => [s.id, s.default === 'true']), [['file', false], ['swift', true]]);
  });

  test('a small image: one object in the glance container, downloaded byte-exact, deleted with the image', async () => {
    const data = randomBytes(300 * 1024);
    const { id, image } = await uploadActive(data);
    assert.equal(image.direct_url, `swift+http://${account.replace(/^http:\/\//, '')}/glance/${id}`);
    assert.deepEqual(image.stores.split(','), ['swift']);
    assert.deepEqual(await listing(id), [id]);
    const obj = await call(`${account}/glance/${id}`, 'HEAD', glance.token);
    assert.equal(obj.headers['etag'], md5(data));
    assert.equal(obj.headers['x-object-manifest'], undefined);

    const down = await download(cloud, admin, id);
    assert.equal(down.status, 200);
    assert.equal(down.headers['content-md5'], md5(data));
    assert.ok(down.body.equals(data));
    const part = await download(cloud, admin, id, 'bytes=1000-1999');
    assert.equal(part.status, 206);
    assert.ok(part.body.equals(data.subarray(1000, 2000)));

    assert.equal((await call(`${cloud.url}/image/v2/images/${id}`, 'DELETE', admin)).status, 204);
    assert.deepEqual(await listing(id), []);
  });

  test('an image above swift_store_large_object_size: 1 MB segments and a DLO manifest; byte-exact; segments deleted with it', async () => {
    const data = randomBytes(2 * MiB + 512 * 1024 + 123);
    const { id, image } = await uploadActive(data);
    assert.deepEqual(await listing(id), [id, `${id}-00001`, `${id}-00002`, `${id}-00003`]);
    const manifest = await call(`${account}/glance/${id}`, 'HEAD', glance.token);
    assert.equal(manifest.headers['x-object-manifest'], `glance/${id}-`);
    assert.equal(manifest.headers['content-length'], String(data.length));
    const seg = await call(`${account}/glance/${id}-00003`, 'HEAD', glance.token);
    assert.equal(seg.headers['content-length'], String(data.length - 2 * MB));

    const down = await download(cloud, admin, id);
    assert.equal(down.status, 200);
    assert.equal(md5(down.body), image.checksum);
    assert.equal(sha512(down.body), image.os_hash_value);
    assert.ok(down.body.equals(data));
    const across = await download(cloud, admin, id, `bytes=${MB - 10}-${MB + 9}`);
    assert.equal(across.status, 206);
    assert.ok(across.body.equals(data.subarray(MB - 10, MB + 10)));

    assert.equal((await call(`${cloud.url}/image/v2/images/${id}`, 'DELETE', admin)).status, 204);
    assert.deepEqual(await listing(id), []);
  });

  test('data sent without a Content-Length goes up as segments too', async () => {
    const data = randomBytes(MiB + 4096);
    const id = await newImage(cloud, admin);
    const chunks = [data.subarray(0, 1000), data.subarray(1000, MiB), data.subarray(MiB)];
    const up = await call(`${cloud.url}/image/v2/images/${id}/file`, 'PUT', admin, Readable.from(chunks));
    assert.equal(up.status, 204, up.body.toString());
    assert.deepEqual(await listing(id), [id, `${id}-00001`, `${id}-00002`]);
    const down = await download(cloud, admin, id);
    assert.ok(down.body.equals(data));
    assert.equal((await call(`${cloud.url}/image/v2/images/${id}`, 'DELETE', admin)).status, 204);
    assert.deepEqual(await listing(id), []);
  });

  /** Poll the image until `ok` (the import runs in the background). */
  async function until(id: string, ok: (image: any) => boolean): Promise<any> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const image = (await call(`${cloud.url}/image/v2/images/${id}`, 'GET', admin)).json;
      if (ok(image)) return image;
      if (Date.now() > deadline) throw new Error(`timed out waiting for image ${id}: ${JSON.stringify(image)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  test('interoperable import: glance-direct into swift, then copy-image of a file image into swift', async () => {
    const data = randomBytes(MiB + 99);
    const id = await newImage(cloud, admin);
    assert.equal((await call(`${cloud.url}/image/v2/images/${id}/stage`, 'PUT', admin, data)).status, 204);
    const imp = await call(`${cloud.url}/image/v2/images/${id}/import`, 'POST', admin, { method: { name: 'glance-direct' } });
    assert.equal(imp.status, 202, imp.body.toString());
    const image = await until(id, (i) => i.status === 'active');
    assert.equal(image.stores, 'swift');
    assert.equal(image.os_hash_value, sha512(data));
    assert.deepEqual(await listing(id), [id, `${id}-00001`, `${id}-00002`]);
    assert.ok((await download(cloud, admin, id)).body.equals(data));

    const small = randomBytes(50 * 1024);
    const fid = await newImage(cloud, admin);
    assert.equal((await call(`${cloud.url}/image/v2/images/${fid}/file`, 'PUT', admin, small, { 'x-image-meta-store': 'file' })).status, 204);
    assert.equal((await call(`${cloud.url}/image/v2/images/${fid}`, 'GET', admin)).json.stores, 'file');
    const copy = await call(`${cloud.url}/image/v2/images/${fid}/import`, 'POST', admin, { method: { name: 'copy-image' }, stores: ['swift'] });
    assert.equal(copy.status, 202, copy.body.toString());
    await until(fid, (i) => String(i.stores).split(',').sort().join(',') === 'file,swift');
    assert.deepEqual(await listing(fid), [fid]);
    const swiftCopy = await call(`${account}/glance/${fid}`, 'GET', glance.token);
    assert.ok(swiftCopy.body.equals(small));
    for (const gone of [id, fid]) assert.equal((await call(`${cloud.url}/image/v2/images/${gone}`, 'DELETE', admin)).status, 204);
    assert.deepEqual([...await listing(id), ...await listing(fid)], []);
  });

  test('Swift refusing the data (a container quota: 413) is Glance\'s 413; the image stays queued with nothing stored', async () => {
    assert.ok([201, 202].includes((await call(`${account}/glance`, 'PUT', glance.token)).status));
    const used = Number((await call(`${account}/glance`, 'HEAD', glance.token)).headers['x-container-bytes-used']);
    assert.equal((await call(`${account}/glance`, 'POST', glance.token, undefined, { 'x-container-meta-quota-bytes': String(used + 1000) })).status, 204);
    try {
      const id = await newImage(cloud, admin);
      const up = await call(`${cloud.url}/image/v2/images/${id}/file`, 'PUT', admin, randomBytes(200 * 1024));
      assert.equal(up.status, 413, up.body.toString());
      assert.match(up.body.toString(), /Image storage media is full/);
      const image = (await call(`${cloud.url}/image/v2/images/${id}`, 'GET', admin)).json;
      assert.equal(image.status, 'queued');
      assert.deepEqual(await listing(id), []);
    } finally {
      await call(`${account}/glance`, 'POST', glance.token, undefined, { 'x-remove-container-meta-quota-bytes': '1' });
    }
  });
});

describe('glance swift store, multi-tenant (the owner\'s account, the user\'s token)', () => {
  let cloud: TestCloud;
  let owner: { token: string; projectId: string; catalog: any[] };
  let other: { token: string; projectId: string; catalog: any[] };

  async function projectUser(admin: string, name: string): Promise<void> {
    const ks = `${cloud.url}/identity/v3`;
    const project = (await call(`${ks}/projects`, 'POST', admin, { project: { name, domain_id: 'default' } })).json.project;
    const user = (await call(`${ks}/users`, 'POST', admin, { user: { name, password: `${name}-pw`, domain_id: 'default' } })).json.user;
    const roles = (await call(`${ks}/roles?name=member`, 'GET', admin)).json.roles;
    assert.equal((await call(`${ks}/projects/${project.id}/users/${user.id}/roles/${roles[0].id}`, 'PUT', admin)).status, 204);
  }

  before(async () => {
    cloud = await startTestCloud({ services: ['identity', 'image', 'object'], overrides: { ...storeOverrides, 'glance_store.swift_store_multi_tenant': 'true' } });
    const admin = await cloud.adminToken();
    await projectUser(admin, 'demo');
    await projectUser(admin, 'alt');
    owner = await login(cloud, 'demo', 'demo-pw', 'demo');
    other = await login(cloud, 'alt', 'alt-pw', 'alt');
  });
  after(async () => { await cloud?.close(); });

  test('stored in the owner\'s account, container glance_<id>; public makes it readable by another project; delete removes the container', async () => {
    const data = randomBytes(MiB + 777);
    const id = await newImage(cloud, owner.token);
    const up = await call(`${cloud.url}/image/v2/images/${id}/file`, 'PUT', owner.token, data);
    assert.equal(up.status, 204, up.body.toString());
    const account = storageUrlOf(owner.catalog);
    const image = (await call(`${cloud.url}/image/v2/images/${id}`, 'GET', owner.token)).json;
    assert.equal(image.direct_url, `swift+http://${account.replace(/^http:\/\//, '')}/glance_${id}/${id}`);
    const objects = await call(`${account}/glance_${id}?format=json`, 'GET', owner.token);
    assert.deepEqual(objects.json.map((o: any) => o.name), [id, `${id}-00001`, `${id}-00002`]);
    assert.ok((await download(cloud, owner.token, id)).body.equals(data));

    // shared (the default) and not a member: Glance does not show it; the container is closed to the other project
    assert.equal((await download(cloud, other.token, id)).status, 404);
    assert.equal((await call(`${account}/glance_${id}/${id}`, 'GET', other.token)).status, 403);
    const pub = await call(`${cloud.url}/image/v2/images/${id}`, 'PATCH', owner.token, [{ op: 'replace', path: '/visibility', value: 'community' }],
      { 'content-type': 'application/openstack-images-v2.1-json-patch' });
    assert.equal(pub.status, 200, pub.body.toString());
    assert.equal((await call(`${account}/glance_${id}`, 'HEAD', owner.token)).headers['x-container-read'], '*:*');
    const theirs = await download(cloud, other.token, id);
    assert.equal(theirs.status, 200, theirs.body.toString());
    assert.ok(theirs.body.equals(data));

    assert.equal((await call(`${cloud.url}/image/v2/images/${id}`, 'DELETE', owner.token)).status, 204);
    assert.equal((await call(`${account}/glance_${id}`, 'HEAD', owner.token)).status, 404);
  });
});

describe('glance swift store, Swift failing', () => {
  let cloud: TestCloud;
  let admin: string;
  let swift: Server;
  /** What the stand-in Swift answers object PUTs and GETs with. */
  let answer = 201;
  let stored: Buffer | undefined;

  before(async () => {
    swift = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const isObject = req.url!.split('?')[0]!.split('/').length > 4;
        if (!isObject) return void res.writeHead(req.method === 'HEAD' ? 204 : 201).end();
        if (req.method === 'PUT' && answer === 201) stored = Buffer.concat(chunks);
        if (req.method === 'GET' && answer === 201) return void res.writeHead(200, { 'content-length': String(stored!.length) }).end(stored);
        res.writeHead(req.method === 'PUT' || req.method === 'GET' ? answer : 204, answer === 201 ? { etag: createHash('md5').update(stored!).digest('hex') } : {}).end();
      });
    });
    await new Promise<void>((ok) => swift.listen(0, '127.0.0.1', ok));
    const port = (swift.address() as AddressInfo).port;
    cloud = await startTestCloud({
      services: ['identity', 'image'],
      overrides: { ...storeOverrides, 'glance_store.swift_store_endpoint': `http://127.0.0.1:${port}/v1/AUTH_glance` },
    });
    admin = await cloud.adminToken();
  });
  after(async () => {
    await cloud?.close();
    swift?.closeAllConnections();
    await new Promise((ok) => swift?.close(ok));
  });

  test('507 Insufficient Storage is a 413, 503 a 503, and the image stays queued', async () => {
    for (const [status, expected, text] of [[507, 413, /Image storage media is full/], [503, 503, /Swift answered 503/]] as const) {
      answer = status;
      const id = await newImage(cloud, admin);
      const up = await call(`${cloud.url}/image/v2/images/${id}/file`, 'PUT', admin, randomBytes(4096));
      assert.equal(up.status, expected, up.body.toString());
      assert.match(up.body.toString(), text);
      assert.equal((await call(`${cloud.url}/image/v2/images/${id}`, 'GET', admin)).json.status, 'queued');
    }
  });

  test('a download Swift answers with 503 is a 503', async () => {
    answer = 201;
    const data = randomBytes(4096);
    const id = await newImage(cloud, admin);
    assert.equal((await call(`${cloud.url}/image/v2/images/${id}/file`, 'PUT', admin, data)).status, 204);
    assert.ok((await download(cloud, admin, id)).body.equals(data));
    answer = 503;
    const down = await download(cloud, admin, id);
    assert.equal(down.status, 503, down.body.toString());
  });

  test('nothing listening: 503', async () => {
    answer = 201;
    const id = await newImage(cloud, admin);
    swift.closeAllConnections();
    await new Promise((ok) => swift.close(ok));
    const up = await call(`${cloud.url}/image/v2/images/${id}/file`, 'PUT', admin, randomBytes(4096));
    assert.equal(up.status, 503, up.body.toString());
  });
});
