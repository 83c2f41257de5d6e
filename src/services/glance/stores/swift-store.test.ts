/**
 * The swift store against a stand-in Swift (a loopback HTTP server): location URIs, the
 * requests of a plain and a segmented upload, Swift's errors as store errors, cleanup of
 * segments after a failure, and the account references of swift_store_config_file.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, afterEach, before, describe, test } from 'node:test';
import { ServiceSession } from '../../../common/clients/index.js';
import { StubCloud } from '../../../common/clients/testing/stub-cloud.js';
import { SingleTenantAccess, singleTenantContainer } from './swift-access.js';
import { BadStoreUri, parseSwiftUri, referenceUri, storageUri } from './swift-location.js';
import { readSwiftReferences } from './swift-references.js';
import { SwiftStore } from './swift-store.js';
import { DataNotFound, SizeMismatch, StorageFull, StoreConfigurationError, StoreUnavailable } from './store.js';

const KiB = 1024;
const md5 = (b: Buffer): string => createHash('md5').update(b).digest('hex');

async function readAll(s: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

describe('swift locations', () => {
  test('storage URL, reference and credential shapes, as glance_store writes them', () => {
    const uri = storageUri('http://127.0.0.1:8880/object/v1/AUTH_p1/', 'glance', 'id-1');
    assert.equal(uri, 'swift+http://127.0.0.1:8880/object/v1/AUTH_p1/glance/id-1');
    assert.deepEqual(parseSwiftUri(uri), { kind: 'storage', storageUrl: 'http://127.0.0.1:8880/object/v1/AUTH_p1', container: 'glance', object: 'id-1' });
    assert.deepEqual(parseSwiftUri('swift://swift.example.com/v1/AUTH_p/glance_x/x'), { kind: 'storage', storageUrl: 'https://swift.example.com/v1/AUTH_p', container: 'glance_x', object: 'x' });
    assert.equal(referenceUri('ref1', 'glance', 'id-1'), 'swift+config://ref1/glance/id-1');
    assert.deepEqual(parseSwiftUri('swift+config://ref1/glance/id-1'), { kind: 'reference', reference: 'ref1', container: 'glance', object: 'id-1' });
    assert.deepEqual(parseSwiftUri('swift+http://service:glance:s%40cret@keystone:5000/v3/glance/id-1'), {
      kind: 'credentials', authUrl: 'http://keystone:5000/v3', user: 'service:glance', key: 's@cret', container: 'glance', object: 'id-1',
    });
    assert.throws(() => parseSwiftUri('swift://user:pass@http://authurl.com/v1/container/obj'), BadStoreUri);
    assert.throws(() => parseSwiftUri('swift+http://host/only'), BadStoreUri);
    assert.throws(() => parseSwiftUri('file:///var/lib/x'), BadStoreUri);
  });

  test('multiple containers: the first N characters of the id, dashes not counted', () => {
    assert.equal(singleTenantContainer('glance', 0, 'fdae39a1-bac5-4238-aba4-69bcc726e848'), 'glance');
    assert.equal(singleTenantContainer('glance', 3, 'FDAE39a1-bac5'), 'glance_fda');
    assert.equal(singleTenantContainer('glance', 10, 'fdae39a1-bac5-4238'), 'glance_fdae39a1-ba');
  });
});

describe('swift store against a stand-in Swift', () => {
  let cloud: StubCloud;
  const objects = new Map<string, { data: Buffer; headers: Record<string, string> }>();
  const containers = new Set<string>();
  /** Status to answer object PUTs with (after reading the body), by object name suffix. */
  let failPut: { match: RegExp; status: number } | undefined;
  const account = '/object-store';

  before(async () => {
    cloud = await StubCloud.start(['object-store']);
    cloud.route('HEAD', /^\/object-store\/[^/]+$/, (_req, res, url) => {
      res.writeHead(containers.has(url.pathname.split('/')[2]!) ? 204 : 404).end();
    });
    cloud.route('PUT', /^\/object-store\/[^/]+$/, (req, res, url) => {
      req.resume();
      containers.add(url.pathname.split('/')[2]!);
      res.writeHead(201).end();
    });
    cloud.route('GET', /^\/object-store\/[^/]+$/, (_req, res, url) => {
      const c = url.pathname.split('/')[2]!;
      const prefix = url.searchParams.get('prefix') ?? '';
      const names = [...objects.keys()].filter((k) => k.startsWith(`${c}/${prefix}`)).sort().map((k) => ({ name: k.slice(c.length + 1), bytes: objects.get(k)!.data.length }));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(names));
    });
    cloud.route('PUT', /^\/object-store\/[^/]+\/.+$/, async (req, res, url) => {
      const parts: Buffer[] = [];
      for await (const c of req) parts.push(c as Buffer);
      const key = url.pathname.slice(account.length + 1);
      if (failPut && failPut.match.test(key)) return void res.writeHead(failPut.status).end('no');
      const data = Buffer.concat(parts);
      const headers: Record<string, string> = {};
      if (req.headers['x-object-manifest']) headers['x-object-manifest'] = String(req.headers['x-object-manifest']);
      objects.set(key, { data, headers });
      res.writeHead(201, { etag: md5(data) }).end();
    });
    cloud.route('HEAD', /^\/object-store\/[^/]+\/.+$/, (_req, res, url) => {
      const o = objects.get(url.pathname.slice(account.length + 1));
      res.writeHead(o ? 200 : 404, o?.headers ?? {}).end();
    });
    cloud.route('GET', /^\/object-store\/[^/]+\/.+$/, (req, res, url) => {
      const o = objects.get(url.pathname.slice(account.length + 1));
      if (!o) return void res.writeHead(404).end();
      if (url.pathname.endsWith('/boom')) return void res.writeHead(503).end('down');
      const m = /bytes=(\d+)-(\d*)/.exec(String(req.headers.range ?? ''));
      if (m) return void res.writeHead(206).end(o.data.subarray(Number(m[1]), m[2] ? Number(m[2]) + 1 : undefined));
      res.writeHead(200).end(o.data);
    });
    cloud.route('DELETE', /^\/object-store\/[^/]+\/.+$/, (_req, res, url) => {
      res.writeHead(objects.delete(url.pathname.slice(account.length + 1)) ? 204 : 404).end();
    });
  });
  after(async () => { await cloud.close(); });
  afterEach(() => { failPut = undefined; });

  function store(o: { create?: boolean; session?: ServiceSession } = {}): SwiftStore {
    const session = o.session ?? cloud.session();
    const access = new SingleTenantAccess({
      session, endpoint: { serviceType: 'object-store', interface: 'public', region: 'RegionOne' }, container: 'glance', containersSeed: 0,
      sessionFor: () => session,
    });
    return new SwiftStore({ id: 'swift', access, largeObjectSize: 100 * KiB, chunkSize: 40 * KiB, createContainerOnPut: o.create ?? true });
  }

  test('a small image is one PUT with its length; a large one 40 KiB segments and a manifest; both read back, ranges too', async () => {
    const s = store();
    const small = randomBytes(10 * KiB);
    const a = await s.add('small', Readable.from([small]), { hashAlgo: 'sha512', expectedSize: small.length });
    assert.equal(a.location, `swift+http://${cloud.base.slice('http://'.length)}/object-store/glance/small`);
    assert.equal(a.checksum, md5(small));
    assert.equal(cloud.requests('/object-store/glance/small').find((r) => r.method === 'PUT')!.headers['content-length'], String(small.length));
    const large = randomBytes(100 * KiB + 5);
    const b = await s.add('large', Readable.from([large.subarray(0, 3), large.subarray(3)]), { hashAlgo: 'sha512', expectedSize: large.length });
    assert.equal(b.size, large.length);
    assert.equal(b.hashValue, createHash('sha512').update(large).digest('hex'));
    assert.deepEqual([...objects.keys()].filter((k) => k.startsWith('glance/large')).sort(), ['glance/large', 'glance/large-00001', 'glance/large-00002', 'glance/large-00003']);
    assert.equal(objects.get('glance/large-00003')!.data.length, 20 * KiB + 5);
    assert.equal(objects.get('glance/large')!.headers['x-object-manifest'], 'glance/large-');
    assert.ok((await readAll(await s.get(a.location))).equals(small));
    assert.ok((await readAll(await s.get(a.location, { offset: 5, length: 10 }))).equals(small.subarray(5, 15)));
    await s.delete(b.location);
    assert.deepEqual([...objects.keys()].filter((k) => k.startsWith('glance/large')), []);
    await s.delete(b.location); // already gone: no error
    await assert.rejects(s.get(b.location), DataNotFound);
  });

  test('507 from Swift is StorageFull, 503 StoreUnavailable; a failed segment takes the written ones with it', async () => {
    const s = store();
    failPut = { match: /^glance\/full$/, status: 507 };
    await assert.rejects(s.add('full', Readable.from([randomBytes(KiB)]), { hashAlgo: 'sha512', expectedSize: KiB }), StorageFull);
    failPut = { match: /^glance\/seg-00002$/, status: 503 };
    await assert.rejects(s.add('seg', Readable.from([randomBytes(120 * KiB)]), { hashAlgo: 'sha512' }), StoreUnavailable);
    assert.deepEqual([...objects.keys()].filter((k) => k.startsWith('glance/seg')), []);
    objects.set('glance/boom', { data: Buffer.from('x'), headers: {} });
    await assert.rejects(s.get(`swift+http://${cloud.base.slice(7)}/object-store/glance/boom`), StoreUnavailable);
  });

  test('a size other than announced fails and leaves nothing; so does a missing container without create_container_on_put', async () => {
    const s = store();
    await assert.rejects(s.add('short', Readable.from([randomBytes(KiB)]), { hashAlgo: 'sha512', expectedSize: 2 * KiB }), SizeMismatch);
    await assert.rejects(s.add('long', Readable.from([randomBytes(150 * KiB)]), { hashAlgo: 'sha512', expectedSize: 120 * KiB }), SizeMismatch);
    assert.deepEqual([...objects.keys()].filter((k) => /^glance\/(short|long)/.test(k)), []);
    containers.clear();
    await assert.rejects(store({ create: false }).add('x', Readable.from([Buffer.from('x')]), { hashAlgo: 'sha512', expectedSize: 1 }), StoreConfigurationError);
  });

  test('swift_store_config_file: data in the reference\'s account, logged in with its credentials; locations swift+config://ref1/...', async () => {
    const logins: string[] = [];
    const access = new SingleTenantAccess({
      session: cloud.session(), endpoint: { serviceType: 'object-store', interface: 'public', region: 'RegionOne' }, container: 'glance', containersSeed: 0,
      references: { default: 'ref1', all: new Map([['ref1', { name: 'ref1', authUrl: `${cloud.base}/identity`, credentials: { projectName: 'service', username: 'glance-swift', password: 'pw', userDomainName: 'Default', projectDomainName: 'Default' } }]]) },
      sessionFor: (authUrl, credentials) => {
        logins.push(`${credentials.projectName}:${credentials.username}@${authUrl}`);
        return new ServiceSession({ authUrl, credentials, region: 'RegionOne' });
      },
    });
    const s = new SwiftStore({ id: 'swift', access, largeObjectSize: 100 * KiB, chunkSize: 40 * KiB, createContainerOnPut: true });
    const data = randomBytes(KiB);
    const added = await s.add('viaref', Readable.from([data]), { hashAlgo: 'sha512', expectedSize: data.length });
    assert.equal(added.location, 'swift+config://ref1/glance/viaref');
    assert.ok((await readAll(await s.get(added.location))).equals(data));
    assert.deepEqual(logins, [`service:glance-swift@${cloud.base}/identity`], 'one session for the reference, reused');
    await assert.rejects(s.get('swift+config://nosuch/glance/viaref'), DataNotFound);
    await s.delete(added.location);
    assert.equal(objects.has('glance/viaref'), false);
  });

  test('an unreachable Swift is StoreUnavailable', async () => {
    const closed = await StubCloud.start(['object-store']);
    closed.endpoints.set('object-store', 'http://127.0.0.1:1/v1/AUTH_x');
    try {
      await assert.rejects(store({ session: closed.session() }).add('x', Readable.from([Buffer.from('x')]), { hashAlgo: 'sha512', expectedSize: 1 }), StoreUnavailable);
    } finally {
      await closed.close();
    }
  });
});

describe('swift_store_config_file references', () => {
  let dir: string;
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'nubo-swiftref-')); });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  test('DevStack\'s glance-swift-store.conf shape; broken references are refused', async () => {
    const path = join(dir, 'ok.conf');
    await writeFile(path, '[ref1]\nuser = service:glance-swift\nkey = pw\nauth_address = http://127.0.0.1:8880/identity/v3\nuser_domain_name = Default\nproject_domain_name = Default\nauth_version = 3\n');
    const refs = readSwiftReferences(path);
    assert.deepEqual(refs.get('ref1'), {
      name: 'ref1', authUrl: 'http://127.0.0.1:8880/identity',
      credentials: { projectName: 'service', username: 'glance-swift', password: 'pw', userDomainName: 'Default', projectDomainName: 'Default' },
    });
    const bad = join(dir, 'bad.conf');
    await writeFile(bad, '[ref1]\nuser = glance\nkey = pw\nauth_address = http://x/v3\n');
    assert.throws(() => readSwiftReferences(bad), /project:user/);
    await writeFile(bad, '[ref1]\nuser = a:b\nkey = pw\nauth_address = http://x/v2.0\nauth_version = 2\n');
    assert.throws(() => readSwiftReferences(bad), /auth_version 2/);
  });
});
