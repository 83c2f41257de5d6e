/**
 * The object store end to end through the proxy, over real HTTP: keystoneauth, accounts
 * (autocreate), containers, objects with metadata, conditions, ranges, copies, listings, the
 * quorum when a device fails, and a large object streamed through.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { rmSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { request as httpRequest } from 'node:http';
import { request } from 'undici';
import { swiftForTests } from '../testing/harness.js';

const OWNER = 'proj-a:member';
const md5 = (b: string | Buffer) => createHash('md5').update(b).digest('hex');

const swift = swiftForTests();
const { call } = swift;

test('/info is public and lists the core limits, the one policy and the middlewares of the pipeline', async () => {
  const r = await call('GET', '/info');
  assert.equal(r.status, 200);
  const info = JSON.parse(r.text);
  assert.equal(info.swift.max_file_size, 5368709122);
  assert.equal(info.swift.container_listing_limit, 10000);
  assert.deepEqual(info.swift.policies, [{ name: 'Policy-0', aliases: 'Policy-0', default: true }]);
  assert.deepEqual(Object.keys(info).sort(), ['account_quotas', 'bulk_delete', 'bulk_upload', 'container_quotas', 'container_sync', 'crossdomain', 'formpost', 'object_versioning', 'slo', 'staticweb', 'swift', 'symlink', 'tempurl', 'versioned_writes']);
  assert.equal(info.slo.max_manifest_segments, 1000);
  assert.deepEqual(info.tempurl.allowed_digests, ['sha1', 'sha256', 'sha512']);
  // no container-sync-realms.conf: no realms
  assert.deepEqual(info.container_sync, { realms: {} });
});

test('keystoneauth: the owner with an operator role, the reseller admin; nobody else', async () => {
  assert.equal((await call('HEAD', '/v1/AUTH_proj-a')).status, 401);
  const owner = await call('HEAD', '/v1/AUTH_proj-a', { token: OWNER });
  assert.equal(owner.status, 204);
  assert.equal(owner.headers['x-account-container-count'], '0');
  assert.equal((await call('HEAD', '/v1/AUTH_proj-a', { token: 'proj-a:reader' })).status, 403);
  assert.equal((await call('GET', '/v1/AUTH_proj-a', { token: 'proj-b:member' })).status, 403);
  assert.equal((await call('PUT', '/v1/AUTH_proj-a/c', { token: 'proj-b:admin' })).status, 403);
  assert.equal((await call('GET', '/v1/AUTH_proj-a', { token: 'ops:ResellerAdmin' })).status, 204);
  assert.equal((await call('GET', '/v1/OTHER_proj-a', { token: OWNER })).status, 403);
  const denied = await call('GET', '/v1/AUTH_proj-a/c', { token: 'proj-b:member' });
  assert.match(denied.text, /<h1>Forbidden<\/h1>/);
  assert.equal((await call('PUT', '/v1/AUTH_proj-a', { token: OWNER })).status, 405);
});

test('container ACLs: public read (.r:*, .rlistings), and read/write grants to other projects and users', async () => {
  // another account than the other tests', whose counts they check
  assert.equal((await call('PUT', '/v1/AUTH_proj-z/pub', { token: 'proj-z:member', headers: { 'x-container-read': '.r:*,.rlistings' } })).status, 201);
  assert.equal((await call('PUT', '/v1/AUTH_proj-z/pub/hello', { token: 'proj-z:member', body: 'hi' })).status, 201);
  let r = await call('GET', '/v1/AUTH_proj-z/pub/hello');
  assert.equal(r.status, 200, 'anyone reads a public object');
  assert.equal(r.text, 'hi');
  r = await call('GET', '/v1/AUTH_proj-z/pub');
  assert.equal(r.status, 200);
  assert.equal(r.text, 'hello\n');
  assert.equal(r.headers['x-container-read'], undefined, 'the ACL itself is the owner\'s business');
  assert.equal((await call('PUT', '/v1/AUTH_proj-z/pub/new', { body: 'x' })).status, 401);
  assert.equal((await call('GET', '/v1/AUTH_proj-z')).status, 401);
  assert.equal((await call('GET', '/v1/AUTH_proj-z/pub/hello', { token: 'not-a-token' })).status, 401, 'a token sent must be valid');
  assert.equal((await call('GET', '/v1/AUTH_proj-z/pub/hello', { token: 'proj-b:member' })).status, 200);
  assert.equal((await call('DELETE', '/v1/AUTH_proj-z/pub/hello', { token: 'proj-b:member' })).status, 403);

  await call('PUT', '/v1/AUTH_proj-z/shared', { token: 'proj-z:member', headers: { 'x-container-read': 'proj-b:*', 'x-container-write': 'proj-b:user-proj-b' } });
  assert.equal((await call('PUT', '/v1/AUTH_proj-z/shared/from-b', { token: 'proj-b:member', body: 'b' })).status, 201);
  r = await call('GET', '/v1/AUTH_proj-z/shared', { token: 'proj-b:reader' });
  assert.equal(r.text, 'from-b\n');
  assert.equal((await call('GET', '/v1/AUTH_proj-z/shared/from-b', { token: 'proj-c:member' })).status, 403);
  assert.equal((await call('PUT', '/v1/AUTH_proj-z/shared/x', { token: 'proj-c:member', body: 'c' })).status, 403);
  assert.equal((await call('POST', '/v1/AUTH_proj-z/shared', { token: 'proj-b:member', headers: { 'x-container-meta-a': 'b' } })).status, 403, 'container metadata is the owner\'s');
  assert.equal((await call('PUT', '/v1/AUTH_proj-z/shared/copy', { token: 'proj-b:member', headers: { 'x-copy-from': 'shared/from-b', 'content-length': '0' } })).status, 403);
  // the owner takes the grant back
  await call('POST', '/v1/AUTH_proj-z/shared', { token: 'proj-z:member', headers: { 'x-remove-container-write': 'x' } });
  assert.equal((await call('PUT', '/v1/AUTH_proj-z/shared/again', { token: 'proj-b:member', body: 'b' })).status, 403);
});

test('containers: create, metadata, listing in three formats, counts, delete only when empty', async () => {
  let r = await call('PUT', '/v1/AUTH_proj-a/photos', { token: OWNER, headers: { 'x-container-meta-owner': 'alice' } });
  assert.equal(r.status, 201);
  r = await call('PUT', '/v1/AUTH_proj-a/photos', { token: OWNER });
  assert.equal(r.status, 202);
  r = await call('POST', '/v1/AUTH_proj-a/photos', { token: OWNER, headers: { 'x-container-meta-color': 'green' } });
  assert.equal(r.status, 204);
  r = await call('HEAD', '/v1/AUTH_proj-a/photos', { token: OWNER });
  assert.equal(r.status, 204);
  assert.equal(r.headers['x-container-meta-owner'], 'alice');
  assert.equal(r.headers['x-container-meta-color'], 'green');
  assert.equal(r.headers['x-container-object-count'], '0');
  assert.equal(r.headers['x-storage-policy'], 'Policy-0');
  r = await call('PUT', '/v1/AUTH_proj-a/bad', { token: OWNER, headers: { 'x-container-meta-big': 'v'.repeat(300) } });
  assert.equal(r.status, 400);
  assert.equal((await call('PUT', `/v1/AUTH_proj-a/${'n'.repeat(257)}`, { token: OWNER })).status, 400);
  assert.equal((await call('PUT', '/v1/AUTH_proj-a/nul%00name', { token: OWNER })).status, 412);

  for (const name of ['a/1.txt', 'a/2.txt', 'b.txt']) {
    r = await call('PUT', `/v1/AUTH_proj-a/photos/${name}`, { token: OWNER, body: name });
    assert.equal(r.status, 201, name);
  }
  r = await call('GET', '/v1/AUTH_proj-a/photos', { token: OWNER });
  assert.equal(r.text, 'a/1.txt\na/2.txt\nb.txt\n');
  r = await call('GET', '/v1/AUTH_proj-a/photos?delimiter=/&format=json', { token: OWNER });
  const listing = JSON.parse(r.text);
  assert.deepEqual(listing.map((e: { name?: string; subdir?: string }) => e.subdir ?? e.name), ['a/', 'b.txt']);
  assert.equal(listing[1].hash, md5('b.txt'));
  assert.equal(listing[1].content_type, 'text/plain');
  r = await call('GET', '/v1/AUTH_proj-a/photos?prefix=a/&marker=a/1.txt', { token: OWNER, headers: { accept: 'application/xml' } });
  assert.match(r.text, /<container name="photos"><object><name>a\/2.txt<\/name>/);
  r = await call('GET', '/v1/AUTH_proj-a/photos?limit=1&reverse=on', { token: OWNER });
  assert.equal(r.text, 'b.txt\n');
  assert.equal((await call('GET', '/v1/AUTH_proj-a/photos?limit=10001', { token: OWNER })).status, 412);

  // the account hears of the container and, shortly after, of its objects
  let acct;
  for (let i = 0; i < 50; i++) {
    acct = await call('GET', '/v1/AUTH_proj-a?format=json', { token: OWNER });
    if (acct.headers['x-account-object-count'] === '3') break;
    await sleep(100);
  }
  assert.equal(acct!.headers['x-account-container-count'], '1');
  assert.equal(acct!.headers['x-account-object-count'], '3');
  assert.equal(acct!.headers['x-account-bytes-used'], String('a/1.txt'.length * 2 + 'b.txt'.length));
  assert.equal(acct!.headers['x-account-storage-policy-policy-0-container-count'], '1');
  const posted = await call('POST', '/v1/AUTH_proj-a/photos', { token: OWNER, headers: { 'x-container-meta-colour': 'blue' } });
  assert.equal(posted.status, 204);
  assert.equal(posted.headers['content-type'], 'text/html; charset=UTF-8', 'an empty answer names a content type, as Swift');
  assert.match(String(posted.headers['x-trans-id']), /^tx[0-9a-f]{21}-[0-9a-f]{10}$/);
  assert.equal(acct!.headers['x-account-storage-policy-policy-0-object-count'], '3');
  assert.equal(acct!.headers['x-account-storage-policy-policy-0-bytes-used'], acct!.headers['x-account-bytes-used']);
  assert.deepEqual(JSON.parse(acct!.text).map((c: { name: string; count: number }) => [c.name, c.count]), [['photos', 3]]);

  assert.equal((await call('DELETE', '/v1/AUTH_proj-a/photos', { token: OWNER })).status, 409);
  for (const name of ['a/1.txt', 'a/2.txt', 'b.txt']) assert.equal((await call('DELETE', `/v1/AUTH_proj-a/photos/${name}`, { token: OWNER })).status, 204);
  assert.equal((await call('DELETE', '/v1/AUTH_proj-a/photos', { token: OWNER })).status, 204);
  assert.equal((await call('HEAD', '/v1/AUTH_proj-a/photos', { token: OWNER })).status, 404);
  assert.equal((await call('DELETE', '/v1/AUTH_proj-a/photos', { token: OWNER })).status, 404);
});

test('objects: metadata, ETag, conditions, ranges, POST, copies, delete', async () => {
  await call('PUT', '/v1/AUTH_proj-a/docs', { token: OWNER });
  const body = 'The quick brown fox jumps over the lazy dog';
  let r = await call('PUT', '/v1/AUTH_proj-a/docs/fox.txt', { token: OWNER, body, headers: { etag: md5('other') } });
  assert.equal(r.status, 422, 'a wrong ETag is refused');
  r = await call('PUT', '/v1/AUTH_proj-a/docs/fox.txt', { token: OWNER, body, headers: { etag: md5(body), 'x-object-meta-animal': 'fox', 'content-type': 'text/x-fox' } });
  assert.equal(r.status, 201);
  assert.equal(r.headers.etag, md5(body));
  assert.equal((await call('PUT', '/v1/AUTH_proj-a/nocontainer/x', { token: OWNER, body: 'x' })).status, 404);
  assert.equal((await call('PUT', '/v1/AUTH_proj-a/docs/fox.txt', { token: OWNER, body: 'x', headers: { 'if-none-match': '*' } })).status, 412);

  r = await call('GET', '/v1/AUTH_proj-a/docs/fox.txt', { token: OWNER });
  assert.equal(r.status, 200);
  assert.equal(r.text, body);
  assert.equal(r.headers['content-type'], 'text/x-fox');
  assert.equal(r.headers['x-object-meta-animal'], 'fox');
  assert.ok(r.headers['last-modified'] && r.headers['x-timestamp']);
  assert.equal(r.headers['x-backend-timestamp'], undefined, 'backend headers stay inside');
  r = await call('HEAD', '/v1/AUTH_proj-a/docs/fox.txt', { token: OWNER });
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-length'], String(body.length));
  assert.equal(r.text, '');
  r = await call('GET', '/v1/AUTH_proj-a/docs/fox.txt', { token: OWNER, headers: { range: 'bytes=4-8' } });
  assert.equal(r.status, 206);
  assert.equal(r.text, 'quick');
  assert.equal((await call('GET', '/v1/AUTH_proj-a/docs/fox.txt', { token: OWNER, headers: { range: 'bytes=500-' } })).status, 416);
  assert.equal((await call('GET', '/v1/AUTH_proj-a/docs/fox.txt', { token: OWNER, headers: { 'if-none-match': md5(body) } })).status, 304);
  assert.equal((await call('GET', '/v1/AUTH_proj-a/docs/fox.txt', { token: OWNER, headers: { 'if-match': '"abc"' } })).status, 412);
  assert.equal((await call('GET', '/v1/AUTH_proj-a/docs/fox.txt', { token: OWNER, headers: { 'if-modified-since': 'Tue, 01 Jan 2999 00:00:00 GMT' } })).status, 304);
  assert.equal((await call('GET', '/v1/AUTH_proj-a/docs/fox.txt', { token: OWNER, headers: { 'if-modified-since': 'Tue, 01 Jan 2000 00:00:00 GMT' } })).status, 200);

  r = await call('POST', '/v1/AUTH_proj-a/docs/fox.txt', { token: OWNER, headers: { 'x-object-meta-color': 'brown' } });
  assert.equal(r.status, 202);
  r = await call('HEAD', '/v1/AUTH_proj-a/docs/fox.txt', { token: OWNER });
  assert.equal(r.headers['x-object-meta-color'], 'brown');
  assert.equal(r.headers['x-object-meta-animal'], undefined);
  assert.equal((await call('POST', '/v1/AUTH_proj-a/docs/nothing', { token: OWNER, headers: { 'x-object-meta-a': 'b' } })).status, 404);

  r = await call('PUT', '/v1/AUTH_proj-a/docs/copy1', { token: OWNER, headers: { 'x-copy-from': '/docs/fox.txt', 'content-length': '0', 'x-object-meta-extra': '1' } });
  assert.equal(r.status, 201);
  assert.equal(r.headers['x-copied-from'], 'docs/fox.txt');
  r = await call('GET', '/v1/AUTH_proj-a/docs/copy1', { token: OWNER });
  assert.equal(r.text, body);
  assert.equal(r.headers['x-object-meta-color'], 'brown');
  assert.equal(r.headers['x-object-meta-extra'], '1');
  r = await call('COPY', '/v1/AUTH_proj-a/docs/fox.txt', { token: OWNER, headers: { destination: 'docs/copy2', 'x-fresh-metadata': 'true' } });
  assert.equal(r.status, 201);
  r = await call('HEAD', '/v1/AUTH_proj-a/docs/copy2', { token: OWNER });
  assert.equal(r.headers.etag, md5(body));
  assert.equal(r.headers['x-object-meta-color'], undefined);
  assert.equal((await call('COPY', '/v1/AUTH_proj-a/docs/fox.txt', { token: OWNER, headers: { destination: 'nonsense' } })).status, 412);
  assert.equal((await call('PUT', '/v1/AUTH_proj-a/docs/c3', { token: OWNER, headers: { 'x-copy-from': 'docs/missing', 'content-length': '0' } })).status, 404);

  assert.equal((await call('DELETE', '/v1/AUTH_proj-a/docs/fox.txt', { token: OWNER })).status, 204);
  assert.equal((await call('GET', '/v1/AUTH_proj-a/docs/fox.txt', { token: OWNER })).status, 404);
  assert.equal((await call('DELETE', '/v1/AUTH_proj-a/docs/fox.txt', { token: OWNER })).status, 404);
  // a body announced larger than max_file_size is refused before it is sent
  const tooBig = await new Promise<number>((resolve, reject) => {
    const u = new URL(`${swift.base}/v1/AUTH_proj-a/docs/big`);
    const q = httpRequest({ host: u.hostname, port: u.port, path: u.pathname, method: 'PUT', headers: { 'x-auth-token': OWNER, 'content-length': '6000000000' } });
    q.on('response', (res) => { res.resume(); resolve(res.statusCode ?? 0); q.destroy(); });
    q.on('error', reject);
    q.flushHeaders();
  });
  assert.equal(tooBig, 413);
  r = await call('PUT', '/v1/AUTH_proj-a/docs/meta', { token: OWNER, body: 'x', headers: { 'x-object-meta-toolong': 'v'.repeat(257) } });
  assert.equal(r.status, 400);
});

test('a dynamic large object reads as its segments joined, with ranges and conditions', async () => {
  await call('PUT', '/v1/AUTH_proj-a/segs', { token: OWNER });
  await call('PUT', '/v1/AUTH_proj-a/files', { token: OWNER });
  const parts = ['alpha-', 'beta-', 'gamma'];
  for (const [i, p] of parts.entries()) assert.equal((await call('PUT', `/v1/AUTH_proj-a/segs/big/${String(i).padStart(8, '0')}`, { token: OWNER, body: p })).status, 201);
  let r = await call('PUT', '/v1/AUTH_proj-a/files/big', { token: OWNER, body: '', headers: { 'x-object-manifest': 'segs/big/', 'content-type': 'text/plain' } });
  assert.equal(r.status, 201);
  const etag = `"${md5(parts.map((p) => md5(p)).join(''))}"`;
  r = await call('GET', '/v1/AUTH_proj-a/files/big', { token: OWNER });
  assert.equal(r.status, 200);
  assert.equal(r.text, 'alpha-beta-gamma');
  assert.equal(r.headers.etag, etag);
  assert.equal(r.headers['content-type'], 'text/plain');
  r = await call('HEAD', '/v1/AUTH_proj-a/files/big', { token: OWNER });
  assert.equal(r.headers['content-length'], '16');
  r = await call('GET', '/v1/AUTH_proj-a/files/big', { token: OWNER, headers: { range: 'bytes=4-12' } });
  assert.equal(r.status, 206);
  assert.equal(r.text, 'a-beta-ga');
  assert.equal(r.headers['content-range'], 'bytes 4-12/16');
  assert.equal((await call('GET', '/v1/AUTH_proj-a/files/big', { token: OWNER, headers: { 'if-none-match': etag } })).status, 304);
  r = await call('GET', '/v1/AUTH_proj-a/files/big?multipart-manifest=get', { token: OWNER });
  assert.equal(r.text, '');
  assert.equal(r.headers['x-object-manifest'], 'segs/big/');
});

test('writes succeed on a quorum when a device fails, and reads fall through to the next replica', async () => {
  await call('PUT', '/v1/AUTH_proj-a/q', { token: OWNER });
  const devices = join(swift.sw.dataDir, 'swift', 'node');
  // d1 becomes unusable: a file where the device directory was
  rmSync(join(devices, 'd1'), { recursive: true, force: true });
  writeFileSync(join(devices, 'd1'), 'not a device');
  try {
    let r = await call('PUT', '/v1/AUTH_proj-a/q/obj', { token: OWNER, body: 'replicated' });
    assert.equal(r.status, 201, 'two of three replicas are a quorum');
    r = await call('GET', '/v1/AUTH_proj-a/q/obj', { token: OWNER });
    assert.equal(r.text, 'replicated');
    // and a second device gone: no quorum
    const d2 = join(devices, 'd2');
    rmSync(d2, { recursive: true, force: true });
    writeFileSync(d2, 'not a device');
    r = await call('PUT', '/v1/AUTH_proj-a/q/obj2', { token: OWNER, body: 'x' });
    assert.equal(r.status, 503);
    r = await call('GET', '/v1/AUTH_proj-a/q/obj', { token: OWNER });
    assert.equal(r.text, 'replicated', 'read from the one replica left');
  } finally {
    for (const d of ['d1', 'd2']) rmSync(join(devices, d), { force: true });
  }
});

test('a large object streams through without being held in memory', async () => {
  await call('PUT', '/v1/AUTH_proj-a/big', { token: OWNER });
  // Larger than the garbage the peak below may include: V8 collects Buffers that became garbage
  // when the memory outside its heap has grown by its limit (64 MiB over what the last collection
  // left), so up to about 64 MiB of them can be seen at once whatever the object's size (a run
  // with 48 MiB saw a peak of 49). Holding the object, or a replica's copy of it, shows above 128.
  const size = 128 * 1024 * 1024;
  const chunk = Buffer.alloc(1024 * 1024, 7);
  const hash = createHash('md5');
  let sent = 0;
  const body = new Readable({
    read() {
      if (sent >= size) return this.push(null);
      const c = Buffer.from(chunk);
      c.writeUInt32BE(sent, 0);
      hash.update(c);
      sent += c.length;
      this.push(c);
    },
  });
  // Buffers live outside the heap: their peak while 3 × 128 MiB go through shows what is held at once
  const base0 = process.memoryUsage().arrayBuffers;
  let peak = 0;
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().arrayBuffers - base0); }, 5);
  const r = await call('PUT', '/v1/AUTH_proj-a/big/blob', { token: OWNER, body, headers: { 'content-length': String(size) } });
  assert.equal(r.status, 201);
  const etag = hash.digest('hex');
  assert.equal(r.headers.etag, etag);
  const res = await request(`${swift.base}/v1/AUTH_proj-a/big/blob`, { headers: { 'x-auth-token': OWNER } });
  const got = createHash('md5');
  let n = 0;
  for await (const c of res.body) {
    got.update(c as Buffer);
    n += (c as Buffer).length;
  }
  assert.equal(n, size);
  assert.equal(got.digest('hex'), etag);
  clearInterval(sampler);
  // three replicas of 128 MiB went up and one came down (512 MiB of buffers, garbage included):
  // less than one copy was ever alive at once (put-stream.test.ts shows the backpressure itself)
  assert.ok(peak < size, `buffers peaked at ${Math.round(peak / 1048576)} MiB above the start`);
  // the three replicas are on disk, each on its own device
  const replicas = ['d1', 'd2', 'd3'].filter((d) => {
    try {
      return readdirSync(join(swift.sw.dataDir, 'swift', 'node', d, 'objects')).length > 0;
    } catch {
      return false;
    }
  });
  assert.equal(replicas.length, 3);
});
