/**
 * The storage servers over HTTP, as the proxy reaches them: object PUT/GET/HEAD/POST/DELETE on
 * DiskFiles (timestamps, tombstones, .meta, ETag checks, ranges, conditions), container rows
 * from object updates, listings, account reports.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { AccountServer } from '../account/server.js';
import { ContainerServer } from '../container/server.js';
import { backendCall, backendPath } from '../utils/backend-client.js';
import { listenStorage, type StorageListener } from '../utils/storage-listener.js';
import { ObjectServer } from './server.js';
import { ObjectUpdater } from './updater.js';

const dir = mkdtempSync(join(tmpdir(), 'nubo-swift-servers-'));
const hash = { prefix: '', suffix: 'test' };
const log = { warn: () => undefined, error: (o: unknown) => console.error(o) };
const timeouts = { connMs: 1000, nodeMs: 5000 };
let obj: StorageListener;
let cont: StorageListener;
let acct: StorageListener;
let objectServer: ObjectServer;
let containerServer: ContainerServer;
let accountServer: AccountServer;

before(async () => {
  objectServer = new ObjectServer({ devices: dir, hash, maxFileSize: 1 << 20, timeouts, log });
  containerServer = new ContainerServer({ devices: dir, hash, listingLimit: 100, timeouts, log });
  accountServer = new AccountServer({ devices: dir, hash, listingLimit: 100, timeouts, log });
  obj = await listenStorage('127.0.0.1', 0, (q, s, c) => objectServer.handle(q, s, c));
  cont = await listenStorage('127.0.0.1', 0, (q, s) => containerServer.handle(q, s));
  acct = await listenStorage('127.0.0.1', 0, (q, s) => accountServer.handle(q, s));
});

after(async () => {
  await Promise.all([obj.close(), cont.close(), acct.close()]);
  await containerServer.close();
  accountServer.close();
  rmSync(dir, { recursive: true, force: true });
});

const at = (l: StorageListener) => ({ ip: '127.0.0.1', port: l.port });
const md5 = (s: string) => createHash('md5').update(s).digest('hex');

test('account and container databases: create, report, list, metadata, delete', async () => {
  let r = await backendCall(at(acct), 'PUT', backendPath('d1', 0, 'AUTH_a'), { 'X-Timestamp': '1000000001.00000', 'X-Account-Meta-Color': 'blue' }, timeouts);
  assert.equal(r.status, 201);
  r = await backendCall(at(acct), 'PUT', backendPath('d1', 0, 'AUTH_a'), { 'X-Timestamp': '1000000002.00000' }, timeouts);
  assert.equal(r.status, 202);
  r = await backendCall(at(cont), 'PUT', backendPath('d1', 5, 'AUTH_a', 'photos'), {
    'X-Timestamp': '1000000003.00000', 'X-Container-Meta-Owner': 'me',
    'X-Account-Host': `127.0.0.1:${acct.port}`, 'X-Account-Device': 'd1', 'X-Account-Partition': '0',
  }, timeouts);
  assert.equal(r.status, 201);
  r = await backendCall(at(acct), 'GET', `${backendPath('d1', 0, 'AUTH_a')}?format=json`, {}, timeouts);
  assert.equal(r.status, 200);
  assert.deepEqual(JSON.parse(r.text), [{ name: 'photos', count: 0, bytes: 0, last_modified: '2001-09-09T01:46:43.000000' }]);
  assert.equal(r.headers['x-account-container-count'], '1');
  assert.equal(r.headers['x-account-meta-color'], 'blue');

  // object rows: newest timestamp wins, deletes count down
  for (const [name, ts, size] of [['a/1.jpg', '1000000004.00000', 10], ['a/2.jpg', '1000000004.00001', 20], ['b.txt', '1000000004.00002', 5], ['a/1.jpg', '1000000003.99999', 99]] as const) {
    r = await backendCall(at(cont), 'PUT', backendPath('d1', 5, 'AUTH_a', 'photos', name), { 'X-Timestamp': ts, 'X-Size': String(size), 'X-Content-Type': 'image/jpeg', 'X-Etag': 'x' }, timeouts);
    assert.equal(r.status, 201);
  }
  r = await backendCall(at(cont), 'HEAD', backendPath('d1', 5, 'AUTH_a', 'photos'), {}, timeouts);
  assert.equal(r.status, 204);
  assert.equal(r.headers['x-container-object-count'], '3');
  assert.equal(r.headers['x-container-bytes-used'], '35');
  assert.equal(r.headers['x-container-meta-owner'], 'me');
  r = await backendCall(at(cont), 'GET', `${backendPath('d1', 5, 'AUTH_a', 'photos')}?delimiter=/`, {}, timeouts);
  assert.equal(r.text, 'a/\nb.txt\n');
  r = await backendCall(at(cont), 'GET', `${backendPath('d1', 5, 'AUTH_a', 'photos')}?prefix=a/&format=json&reverse=true&limit=1`, {}, timeouts);
  assert.deepEqual(JSON.parse(r.text).map((o: { name: string; bytes: number }) => [o.name, o.bytes]), [['a/2.jpg', 20]]);
  r = await backendCall(at(cont), 'GET', `${backendPath('d1', 5, 'AUTH_a', 'photos')}?marker=a/1.jpg&end_marker=b.txt&format=xml`, {}, timeouts);
  assert.match(r.text, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<container name="photos"><object><name>a\/2.jpg<\/name><hash>x<\/hash><bytes>20<\/bytes><content_type>image\/jpeg<\/content_type><last_modified>[^<]+<\/last_modified><\/object><\/container>$/);
  r = await backendCall(at(cont), 'GET', `${backendPath('d1', 5, 'AUTH_a', 'photos')}?limit=100000`, {}, timeouts);
  assert.equal(r.status, 412);
  r = await backendCall(at(cont), 'DELETE', backendPath('d1', 5, 'AUTH_a', 'photos'), { 'X-Timestamp': '1000000005.00000' }, timeouts);
  assert.equal(r.status, 409, 'a container with objects is not deleted');
  for (const name of ['a/1.jpg', 'a/2.jpg', 'b.txt']) {
    r = await backendCall(at(cont), 'DELETE', backendPath('d1', 5, 'AUTH_a', 'photos', name), { 'X-Timestamp': '1000000006.00000' }, timeouts);
    assert.equal(r.status, 204);
  }
  r = await backendCall(at(cont), 'GET', backendPath('d1', 5, 'AUTH_a', 'photos'), {}, timeouts);
  assert.equal(r.status, 204, 'an empty plain listing is 204');
  r = await backendCall(at(cont), 'DELETE', backendPath('d1', 5, 'AUTH_a', 'photos'), {
    'X-Timestamp': '1000000007.00000', 'X-Account-Host': `127.0.0.1:${acct.port}`, 'X-Account-Device': 'd1', 'X-Account-Partition': '0',
  }, timeouts);
  assert.equal(r.status, 204);
  r = await backendCall(at(cont), 'HEAD', backendPath('d1', 5, 'AUTH_a', 'photos'), {}, timeouts);
  assert.equal(r.status, 404);
  r = await backendCall(at(acct), 'HEAD', backendPath('d1', 0, 'AUTH_a'), {}, timeouts);
  assert.equal(r.headers['x-account-container-count'], '0');
  r = await backendCall(at(cont), 'PUT', backendPath('d1', 5, 'AUTH_a', 'c2'), { 'X-Timestamp': 'nonsense' }, timeouts);
  assert.equal(r.status, 400);
  r = await backendCall(at(cont), 'PUT', backendPath('d1', 5, 'AUTH_a', 'c2'), { 'X-Timestamp': '1000000008', 'X-Container-Meta-X': 'y'.repeat(300) }, timeouts);
  assert.equal(r.status, 400);
});

test('objects: write with ETag check and fsync, read with range and conditions, POST metadata, tombstones, timestamps', async () => {
  await backendCall(at(cont), 'PUT', backendPath('d1', 7, 'AUTH_a', 'c'), { 'X-Timestamp': '1000000001.00000' }, timeouts);
  const body = 'hello, object world';
  const put = (ts: string, extra: Record<string, string> = {}, data = body) => backendCall(at(obj), 'PUT', backendPath('d1', 3, 'AUTH_a', 'c', 'dir/o 1'), {
    'X-Timestamp': ts, 'Content-Type': 'text/plain', 'Content-Length': String(Buffer.byteLength(data)), 'X-Object-Meta-Color': 'red',
    'X-Container-Host': `127.0.0.1:${cont.port}`, 'X-Container-Device': 'd1', 'X-Container-Partition': '7', ...extra,
  }, timeouts, data);
  let r = await put('1000000002.00000', { ETag: md5('something else') });
  assert.equal(r.status, 422, 'a body that does not match its ETag is refused');
  r = await put('1000000002.00000', { ETag: md5(body) });
  assert.equal(r.status, 201);
  assert.equal(r.headers.etag, md5(body));
  r = await put('1000000001.50000');
  assert.equal(r.status, 409, 'an older write loses');
  assert.equal(r.headers['x-backend-timestamp'], '1000000002.00000');
  r = await put('1000000002.50000', { 'If-None-Match': '*' });
  assert.equal(r.status, 412);

  const path = backendPath('d1', 3, 'AUTH_a', 'c', 'dir/o 1');
  r = await backendCall(at(obj), 'GET', path, {}, timeouts);
  assert.equal(r.status, 200);
  assert.equal(r.text, body);
  assert.equal(r.headers['x-object-meta-color'], 'red');
  assert.equal(r.headers['content-type'], 'text/plain');
  r = await backendCall(at(obj), 'GET', path, { Range: 'bytes=7-12' }, timeouts);
  assert.equal(r.status, 206);
  assert.equal(r.text, 'object');
  assert.equal(r.headers['content-range'], `bytes 7-12/${body.length}`);
  r = await backendCall(at(obj), 'GET', path, { Range: 'bytes=-5' }, timeouts);
  assert.equal(r.text, 'world');
  r = await backendCall(at(obj), 'GET', path, { Range: 'bytes=100-' }, timeouts);
  assert.equal(r.status, 416);
  r = await backendCall(at(obj), 'GET', path, { 'If-None-Match': `"${md5(body)}"` }, timeouts);
  assert.equal(r.status, 304);
  r = await backendCall(at(obj), 'GET', path, { 'If-Match': '"nope"' }, timeouts);
  assert.equal(r.status, 412);
  r = await backendCall(at(obj), 'GET', path, { 'If-Modified-Since': new Date(Date.UTC(2030, 0, 1)).toUTCString() }, timeouts);
  assert.equal(r.status, 304);

  // the container heard of it
  r = await backendCall(at(cont), 'GET', `${backendPath('d1', 7, 'AUTH_a', 'c')}?format=json`, {}, timeouts);
  assert.deepEqual(JSON.parse(r.text).map((o: { name: string; hash: string; bytes: number }) => [o.name, o.hash, o.bytes]), [['dir/o 1', md5(body), body.length]]);

  r = await backendCall(at(obj), 'POST', path, { 'X-Timestamp': '1000000003.00000', 'X-Object-Meta-Shape': 'round' }, timeouts);
  assert.equal(r.status, 202);
  r = await backendCall(at(obj), 'HEAD', path, {}, timeouts);
  assert.equal(r.headers['x-object-meta-shape'], 'round');
  assert.equal(r.headers['x-object-meta-color'], undefined, 'a POST replaces the user metadata');
  assert.equal(r.headers['content-length'], String(body.length));
  assert.equal(r.headers['x-timestamp'], '1000000003.00000');

  r = await backendCall(at(obj), 'DELETE', path, { 'X-Timestamp': '1000000004.00000', 'X-Container-Host': `127.0.0.1:${cont.port}`, 'X-Container-Device': 'd1', 'X-Container-Partition': '7' }, timeouts);
  assert.equal(r.status, 204);
  r = await backendCall(at(obj), 'GET', path, {}, timeouts);
  assert.equal(r.status, 404);
  assert.equal(r.headers['x-backend-timestamp'], '1000000004.00000');
  const hashDir = objectServer.files.hashDir('d1', 3, 'AUTH_a', 'c', 'dir/o 1');
  assert.deepEqual(readdirSync(hashDir), ['1000000004.00000.ts'], 'the tombstone replaced the .data and .meta');
  r = await backendCall(at(cont), 'HEAD', backendPath('d1', 7, 'AUTH_a', 'c'), {}, timeouts);
  assert.equal(r.headers['x-container-object-count'], '0');

  r = await backendCall(at(obj), 'PUT', path, { 'X-Timestamp': '1000000005.00000', 'Content-Type': 'text/plain' }, timeouts, 'x');
  assert.equal(r.status, 201, 'a newer PUT revives it');
  r = await backendCall(at(obj), 'PUT', path, { 'Content-Type': 'text/plain', 'Content-Length': '1' }, timeouts, 'x');
  assert.equal(r.status, 400, 'no timestamp');
  r = await backendCall(at(obj), 'GET', '/d1/notanumber/a/c/o', {}, timeouts);
  assert.equal(r.status, 400);
  r = await backendCall(at(obj), 'GET', '/d1/1/a/c', {}, timeouts);
  assert.equal(r.status, 400);
});

test('a container update the container server missed waits in async_pending until the updater delivers it', async () => {
  await backendCall(at(cont), 'PUT', backendPath('d1', 9, 'AUTH_a', 'later'), { 'X-Timestamp': '1000000001.00000' }, timeouts);
  const port = cont.port;
  await cont.close();
  const r = await backendCall(at(obj), 'PUT', backendPath('d1', 4, 'AUTH_a', 'later', 'o'), {
    'X-Timestamp': '1000000002.00000', 'Content-Type': 'text/plain', 'X-Container-Host': `127.0.0.1:${port}`, 'X-Container-Device': 'd1', 'X-Container-Partition': '9',
  }, timeouts, 'data');
  assert.equal(r.status, 201, 'the object is stored all the same');
  const updater = new ObjectUpdater(dir, timeouts, log);
  assert.deepEqual(await updater.sweep(), { sent: 0, left: 1 });
  cont = await listenStorage('127.0.0.1', port, (q, s) => containerServer.handle(q, s));
  assert.deepEqual(await updater.sweep(), { sent: 1, left: 0 });
  const listing = await backendCall(at(cont), 'GET', backendPath('d1', 9, 'AUTH_a', 'later'), {}, timeouts);
  assert.equal(listing.text, 'o\n');
});

test('a container PUT the account server missed reaches it later through the container-updater', async () => {
  const ring = { getNodes: () => ({ part: 0, nodes: [{ ip: '127.0.0.1', port: acct.port, device: 'd1' }] }) };
  const withRing = new ContainerServer({ devices: dir, hash, listingLimit: 100, timeouts, log }, () => ring as never, 50);
  const l = await listenStorage('127.0.0.1', 0, (q, s) => withRing.handle(q, s));
  try {
    await backendCall(at(acct), 'PUT', backendPath('d1', 0, 'AUTH_late'), { 'X-Timestamp': '1000000001.00000' }, timeouts);
    // the proxy named an account server that is not there
    const r = await backendCall(at(l), 'PUT', backendPath('d1', 2, 'AUTH_late', 'box'), {
      'X-Timestamp': '1000000002.00000', 'X-Account-Host': '127.0.0.1:1', 'X-Account-Device': 'd1', 'X-Account-Partition': '0',
    }, timeouts);
    assert.equal(r.status, 201);
    let listing = '';
    for (let i = 0; i < 40 && listing !== 'box\n'; i++) {
      await new Promise((res) => setTimeout(res, 50));
      listing = (await backendCall(at(acct), 'GET', backendPath('d1', 0, 'AUTH_late'), {}, timeouts)).text;
    }
    assert.equal(listing, 'box\n');
  } finally {
    await l.close();
    await withRing.close();
  }
});
