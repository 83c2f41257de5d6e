/**
 * object_versioning (X-Versions-Enabled) end to end over real HTTP: versions as links into the
 * hidden versions container, ?version-id reads, deletes and restores, delete markers, the
 * ?versions listing and its paging, the null version, and the container's and account's views.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { until } from '../../../common/testing/until.js';
import { swiftForTests } from '../testing/harness.js';

const OWNER = 'proj-ov:member';
const ACCT = '/v1/AUTH_proj-ov';
const MARKER = 'application/x-deleted;swift_versions_deleted=1';
const md5 = (s: string) => createHash('md5').update(s).digest('hex');

const swift = swiftForTests();
const { call } = swift;

interface Version { name: string; version_id: string; is_latest: boolean; content_type: string; bytes: number; hash: string; last_modified: string }

async function versions(container: string, query = ''): Promise<Version[]> {
  const r = await call('GET', `${ACCT}/${container}?versions&format=json${query}`, { token: OWNER });
  assert.equal(r.status, 200, r.text);
  return JSON.parse(r.text) as Version[];
}

test('object_versioning: /info, enabling (the hidden container never shown), legacy refused', async () => {
  const info = JSON.parse((await call('GET', '/info')).text) as Record<string, unknown>;
  assert.deepEqual(info.object_versioning, {});

  let r = await call('PUT', `${ACCT}/ov-a`, { token: OWNER, headers: { 'x-versions-enabled': 'true' } });
  assert.equal(r.status, 201);
  r = await call('HEAD', `${ACCT}/ov-a`, { token: OWNER });
  assert.equal(r.headers['x-versions-enabled'], 'True');
  assert.ok(!Object.keys(r.headers).some((k) => k.includes('sysmeta')), 'sysmeta stays inside');
  r = await call('GET', `${ACCT}?format=json`, { token: OWNER });
  assert.deepEqual((JSON.parse(r.text) as Array<{ name: string }>).map((c) => c.name), ['ov-a']);
  r = await call('GET', `${ACCT}`, { token: OWNER });
  assert.equal(r.text, 'ov-a\n');
  // clients cannot reach the reserved namespace
  r = await call('GET', `${ACCT}/%00versions%00ov-a?format=json`, { token: OWNER });
  assert.equal(r.status, 412);
  r = await call('PUT', `${ACCT}/ov-a/x`, { token: OWNER, headers: { 'x-copy-from': '%00versions%00ov-a/%00x%001' }, body: '' });
  assert.equal(r.status, 412);

  r = await call('POST', `${ACCT}/ov-a`, { token: OWNER, headers: { 'x-versions-enabled': 'false' } });
  assert.equal(r.status, 204);
  assert.equal((await call('HEAD', `${ACCT}/ov-a`, { token: OWNER })).headers['x-versions-enabled'], 'False');

  await call('PUT', `${ACCT}/ov-legacy`, { token: OWNER, headers: { 'x-versions-location': 'ov-old' } });
  r = await call('POST', `${ACCT}/ov-legacy`, { token: OWNER, headers: { 'x-versions-enabled': 'true' } });
  assert.equal(r.status, 400);
  assert.match(r.text, /legacy versioned writes/);
  // the legacy mode's objects are null versions to the versions API (test_object_versioning.py TestVersionsLocationWithVersioning)
  await call('PUT', `${ACCT}/ov-old`, { token: OWNER });
  await call('PUT', `${ACCT}/ov-legacy/o`, { token: OWNER, body: 'one' });
  await call('PUT', `${ACCT}/ov-legacy/o`, { token: OWNER, body: 'two' });
  assert.deepEqual((await versions('ov-legacy')).map((v) => [v.name, v.version_id, v.is_latest, v.bytes]), [['o', 'null', true, 3]]);
  assert.equal((await call('DELETE', `${ACCT}/ov-legacy/o?version-id=null`, { token: OWNER })).status, 204);
  assert.equal((await call('GET', `${ACCT}/ov-legacy/o`, { token: OWNER })).text, 'one', 'the stack mode restored the older one');
  r = await call('PUT', `${ACCT}/ov-both`, { token: OWNER, headers: { 'x-versions-enabled': 'true', 'x-history-location': 'ov-old' } });
  assert.equal(r.status, 400);
  assert.equal((await call('HEAD', `${ACCT}/ov-both`, { token: OWNER })).status, 404);
  // a POST to a missing container enables nothing
  r = await call('POST', `${ACCT}/ov-missing`, { token: OWNER, headers: { 'x-versions-enabled': 'true' } });
  assert.equal(r.status, 404);
});

test('object_versioning: each PUT a version, reads by ?version-id, DELETE leaves a marker, a version restored', async () => {
  await call('PUT', `${ACCT}/ov-b`, { token: OWNER, headers: { 'x-versions-enabled': 'true' } });
  let r = await call('PUT', `${ACCT}/ov-b/doc.txt`, { token: OWNER, body: 'version one', headers: { 'x-object-meta-n': '1' } });
  assert.equal(r.status, 201);
  assert.equal(r.headers.etag, md5('version one'));
  const v1 = r.headers['x-object-version-id']!;
  assert.match(v1, /^\d{10}\.\d{5}$/);
  r = await call('PUT', `${ACCT}/ov-b/doc.txt`, { token: OWNER, body: 'version two!', headers: { 'content-type': 'text/x-two' } });
  const v2 = r.headers['x-object-version-id']!;
  assert.ok(v2 > v1);

  r = await call('GET', `${ACCT}/ov-b/doc.txt`, { token: OWNER });
  assert.equal(r.text, 'version two!');
  assert.equal(r.headers['x-object-version-id'], v2);
  assert.equal(r.headers['content-type'], 'text/x-two');
  assert.equal(r.headers['content-location'], `${ACCT}/ov-b/doc.txt?version-id=${v2}`);
  r = await call('GET', `${ACCT}/ov-b/doc.txt?version-id=${v1}`, { token: OWNER });
  assert.equal(r.text, 'version one');
  assert.equal(r.headers['x-object-version-id'], v1);
  assert.equal(r.headers['x-object-meta-n'], '1');
  assert.equal(r.headers['content-type'], 'text/plain', 'the type guessed from the object\'s name, not the version\'s');
  assert.equal((await call('HEAD', `${ACCT}/ov-b/doc.txt?version-id=1.5`, { token: OWNER })).status, 404);
  assert.equal((await call('GET', `${ACCT}/ov-b/doc.txt?version-id=null`, { token: OWNER })).status, 404, 'the current object is a version');
  assert.equal((await call('GET', `${ACCT}/ov-b/doc.txt?version-id=bogus`, { token: OWNER })).status, 400);
  assert.equal((await call('POST', `${ACCT}/ov-b/doc.txt?version-id=${v1}`, { token: OWNER })).status, 400);

  // the listing shows the current version's size and etag; the container's bytes count every version
  r = await call('GET', `${ACCT}/ov-b?format=json`, { token: OWNER });
  const [listed] = JSON.parse(r.text) as Array<Record<string, unknown>>;
  assert.equal(listed!.bytes, 12);
  assert.equal(listed!.hash, md5('version two!'));
  assert.equal(listed!.version_symlink, true);
  assert.equal(listed!.symlink_path, `${ACCT}/ov-b/doc.txt?version-id=${v2}`);
  r = await call('GET', `${ACCT}/ov-b?format=xml`, { token: OWNER });
  assert.match(r.text, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<container name="ov-b"><object><name>doc.txt<\/name><hash>[0-9a-f]{32}<\/hash><bytes>12<\/bytes><content_type>text\/x-two<\/content_type><last_modified>[^<]+<\/last_modified><\/object><\/container>$/);
  assert.equal(r.headers['content-type'], 'application/xml; charset=utf-8');
  assert.equal((await call('GET', `${ACCT}/ov-b`, { token: OWNER })).text, 'doc.txt\n');
  r = await call('HEAD', `${ACCT}/ov-b`, { token: OWNER });
  assert.equal(r.headers['x-container-bytes-used'], String(11 + 12));
  assert.equal(r.headers['x-container-object-count'], '1');

  let list = await versions('ov-b');
  assert.deepEqual(list.map((v) => [v.name, v.version_id, v.is_latest, v.bytes, v.content_type]), [
    ['doc.txt', v2, true, 12, 'text/x-two'], ['doc.txt', v1, false, 11, 'text/plain'],
  ]);
  assert.equal(list[1]!.hash, md5('version one'));

  // a POST updates the current version's metadata, and makes no version
  r = await call('POST', `${ACCT}/ov-b/doc.txt`, { token: OWNER, headers: { 'x-object-meta-color': 'blue' } });
  assert.equal(r.status, 202);
  assert.equal((await call('HEAD', `${ACCT}/ov-b/doc.txt?version-id=${v2}`, { token: OWNER })).headers['x-object-meta-color'], 'blue');
  assert.equal((await versions('ov-b')).length, 2);

  r = await call('DELETE', `${ACCT}/ov-b/doc.txt`, { token: OWNER });
  assert.equal(r.status, 204);
  const marker = r.headers['x-object-version-id']!;
  assert.ok(marker > v2);
  assert.equal((await call('GET', `${ACCT}/ov-b/doc.txt`, { token: OWNER })).status, 404);
  r = await call('GET', `${ACCT}/ov-b/doc.txt?version-id=${marker}`, { token: OWNER });
  assert.equal(r.status, 404);
  assert.equal(r.headers['content-type'], MARKER);
  assert.equal(r.headers['x-object-version-id'], marker);
  list = await versions('ov-b');
  assert.deepEqual(list.map((v) => [v.version_id, v.is_latest, v.content_type]), [[marker, true, MARKER], [v2, false, 'text/x-two'], [v1, false, 'text/plain']]);
  assert.equal(list[0]!.hash, md5(''));
  assert.equal((await call('GET', `${ACCT}/ov-b?format=json`, { token: OWNER })).text, '[]');

  // PUT ?version-id: that version current again (zero bytes only)
  assert.equal((await call('PUT', `${ACCT}/ov-b/doc.txt?version-id=${v1}`, { token: OWNER, body: 'x' })).status, 400);
  assert.equal((await call('PUT', `${ACCT}/ov-b/doc.txt?version-id=null`, { token: OWNER, body: '' })).status, 400);
  assert.equal((await call('PUT', `${ACCT}/ov-b/doc.txt?version-id=1.5`, { token: OWNER, body: '' })).status, 404);
  r = await call('PUT', `${ACCT}/ov-b/doc.txt?version-id=${v1}`, { token: OWNER, body: '' });
  assert.equal(r.status, 201);
  assert.equal(r.headers['x-object-version-id'], v1);
  r = await call('GET', `${ACCT}/ov-b/doc.txt`, { token: OWNER });
  assert.equal(r.text, 'version one');
  assert.equal(r.headers['x-object-version-id'], v1);
  list = await versions('ov-b');
  // as Swift's: a delete marker newer than the current version still reads as latest
  assert.deepEqual(list.map((v) => [v.version_id, v.is_latest]), [[marker, true], [v2, false], [v1, true]]);

  // COPY ?version-id: that version copied over the object, as a new version
  r = await call('COPY', `${ACCT}/ov-b/doc.txt?version-id=${v2}`, { token: OWNER, headers: { destination: 'ov-b/doc.txt' } });
  assert.equal(r.status, 201, r.text);
  const v3 = r.headers['x-object-version-id']!;
  assert.equal(r.headers['x-copied-from'], 'ov-b/doc.txt');
  assert.equal(r.headers['x-copied-from-version-id'], v2);
  assert.ok(v3 > marker);
  assert.equal((await call('GET', `${ACCT}/ov-b/doc.txt`, { token: OWNER })).text, 'version two!');
  list = await versions('ov-b');
  assert.deepEqual(list.map((v) => [v.version_id, v.is_latest, v.bytes]), [[v3, true, 12], [marker, false, 0], [v2, false, 12], [v1, false, 11]]);
});

test('object_versioning: DELETE ?version-id, and the container deleted only without versions', async () => {
  await call('PUT', `${ACCT}/ov-c`, { token: OWNER, headers: { 'x-versions-enabled': 'true' } });
  const v1 = (await call('PUT', `${ACCT}/ov-c/o`, { token: OWNER, body: 'one' })).headers['x-object-version-id']!;
  const v2 = (await call('PUT', `${ACCT}/ov-c/o`, { token: OWNER, body: 'two' })).headers['x-object-version-id']!;

  // an older version: only it goes
  let r = await call('DELETE', `${ACCT}/ov-c/o?version-id=${v1}`, { token: OWNER });
  assert.equal(r.status, 204);
  assert.equal(r.headers['x-object-version-id'], v1);
  assert.equal(r.headers['x-object-current-version-id'], v2);
  assert.equal((await call('GET', `${ACCT}/ov-c/o`, { token: OWNER })).text, 'two');
  // the current one: the object goes with it (no marker)
  r = await call('DELETE', `${ACCT}/ov-c/o?version-id=${v2}`, { token: OWNER });
  assert.equal(r.status, 204);
  assert.equal(r.headers['x-object-current-version-id'], 'null');
  assert.equal((await call('GET', `${ACCT}/ov-c/o`, { token: OWNER })).status, 404);
  assert.deepEqual(await versions('ov-c'), []);

  await call('PUT', `${ACCT}/ov-c/p`, { token: OWNER, body: 'p' });
  r = await call('DELETE', `${ACCT}/ov-c/p`, { token: OWNER });
  assert.equal(r.status, 204);
  // only a delete marker is left, yet the container may not go
  r = await call('DELETE', `${ACCT}/ov-c`, { token: OWNER });
  assert.equal(r.status, 409);
  assert.match(r.text, /Delete all versions before deleting container/);
  await call('POST', `${ACCT}/ov-c`, { token: OWNER, headers: { 'x-versions-enabled': 'false' } });
  assert.equal((await call('DELETE', `${ACCT}/ov-c`, { token: OWNER })).status, 409);
  for (const v of await versions('ov-c')) {
    assert.equal((await call('DELETE', `${ACCT}/ov-c/${v.name}?version-id=${v.version_id}`, { token: OWNER })).status, 204);
  }
  assert.equal((await call('DELETE', `${ACCT}/ov-c`, { token: OWNER })).status, 204);
  assert.equal((await call('HEAD', `${ACCT}/ov-c`, { token: OWNER })).status, 404);
  // made again, it starts with no versions (its versions container went with it)
  await call('PUT', `${ACCT}/ov-c`, { token: OWNER });
  assert.deepEqual(await versions('ov-c'), []);
});

test('object_versioning: the null version (before and while suspended), and paging with version_marker', async () => {
  await call('PUT', `${ACCT}/ov-d`, { token: OWNER });
  await call('PUT', `${ACCT}/ov-d/a`, { token: OWNER, body: 'plain' });
  let r = await call('GET', `${ACCT}/ov-d/a?version-id=null`, { token: OWNER });
  assert.equal(r.text, 'plain');
  assert.equal((await call('GET', `${ACCT}/ov-d/a?version-id=1.5`, { token: OWNER })).status, 400, 'never versioned');
  assert.deepEqual((await versions('ov-d')).map((v) => [v.name, v.version_id, v.is_latest]), [['a', 'null', true]]);

  await call('POST', `${ACCT}/ov-d`, { token: OWNER, headers: { 'x-versions-enabled': 'true' } });
  const v1 = (await call('PUT', `${ACCT}/ov-d/a`, { token: OWNER, body: 'new' })).headers['x-object-version-id']!;
  let list = await versions('ov-d');
  assert.equal(list.length, 2);
  const old = list[1]!;
  assert.deepEqual([old.is_latest, old.bytes, list[0]!.version_id], [false, 5, v1]);
  assert.equal((await call('GET', `${ACCT}/ov-d/a?version-id=${old.version_id}`, { token: OWNER })).text, 'plain', 'the plain object was kept as a version');

  // suspended: a PUT replaces the object plainly (the null version), older versions stay
  await call('POST', `${ACCT}/ov-d`, { token: OWNER, headers: { 'x-versions-enabled': 'false' } });
  r = await call('PUT', `${ACCT}/ov-d/a`, { token: OWNER, body: 'null again' });
  assert.equal(r.headers['x-object-version-id'], undefined);
  assert.equal((await call('GET', `${ACCT}/ov-d/a?version-id=null`, { token: OWNER })).text, 'null again');
  assert.equal((await call('GET', `${ACCT}/ov-d/a`, { token: OWNER })).headers['x-object-version-id'], 'null');
  await call('PUT', `${ACCT}/ov-d/b`, { token: OWNER, body: 'b' });
  list = await versions('ov-d');
  assert.deepEqual(list.map((v) => [v.name, v.version_id, v.is_latest]), [['a', 'null', true], ['a', v1, false], ['a', old.version_id, false], ['b', 'null', true]]);

  // pages: limit, then marker and version_marker
  let page = await versions('ov-d', '&limit=2');
  assert.deepEqual(page.map((v) => v.version_id), ['null', v1]);
  page = await versions('ov-d', `&limit=2&marker=a&version_marker=${v1}`);
  assert.deepEqual(page.map((v) => [v.name, v.version_id]), [['a', old.version_id], ['b', 'null']]);
  page = await versions('ov-d', '&marker=a&version_marker=null');
  assert.deepEqual(page.map((v) => v.version_id), [v1, old.version_id, 'null']);
  page = await versions('ov-d', '&marker=a');
  assert.deepEqual(page.map((v) => v.name), ['b']);
  page = await versions('ov-d', '&prefix=b');
  assert.deepEqual(page.map((v) => v.name), ['b']);
  assert.equal((await call('GET', `${ACCT}/ov-d?versions&version_marker=${v1}`, { token: OWNER })).status, 400);
  assert.equal((await call('GET', `${ACCT}/ov-d?versions&marker=a&version_marker=x`, { token: OWNER })).status, 400);
  assert.equal((await call('GET', `${ACCT}/ov-d?versions&delimiter=1`, { token: OWNER })).status, 400);
  assert.equal((await call('GET', `${ACCT}/ov-d?versions&format=xml`, { token: OWNER })).status, 406);
  assert.equal((await call('GET', `${ACCT}/ov-d?versions`, { token: OWNER, headers: { accept: 'text/plain' } })).status, 406);
  r = await call('GET', `${ACCT}/ov-d?versions`, { token: OWNER });
  assert.equal(r.status, 200);
  assert.equal((JSON.parse(r.text) as Version[]).length, 4);
});

test('object_versioning: container ACLs let in the current version, a version itself is the owner\'s; a manifest is versioned whole', async () => {
  const acct = '/v1/AUTH_proj-ovz';
  const owner = 'proj-ovz:member';
  await call('PUT', `${acct}/shared`, { token: owner, headers: { 'x-versions-enabled': 'true', 'x-container-read': 'proj-ovb:*', 'x-container-write': 'proj-ovb:*' } });
  const v1 = (await call('PUT', `${acct}/shared/o`, { token: owner, body: 'data' })).headers['x-object-version-id']!;
  let r = await call('GET', `${acct}/shared/o`, { token: 'proj-ovb:member' });
  assert.equal(r.status, 200);
  assert.equal(r.text, 'data');
  assert.equal(r.headers['x-object-version-id'], v1);
  assert.equal((await call('GET', `${acct}/shared/o?version-id=${v1}`, { token: 'proj-ovb:member' })).status, 403);
  assert.equal((await call('DELETE', `${acct}/shared/o?version-id=${v1}`, { token: 'proj-ovb:member' })).status, 403);
  assert.equal((await call('GET', `${acct}/shared/o`, { token: 'proj-ovc:member' })).status, 403);
  // a writer by ACL makes versions too
  r = await call('PUT', `${acct}/shared/o`, { token: 'proj-ovb:member', body: 'from b' });
  assert.equal(r.status, 201);
  assert.ok(r.headers['x-object-version-id']! > v1);
  assert.equal((await call('GET', `${acct}/shared/o?version-id=${v1}`, { token: owner })).text, 'data');

  // a static large object: its manifest is the version, read whole through the link
  await call('PUT', `${acct}/segs`, { token: owner });
  await call('PUT', `${acct}/segs/1`, { token: owner, body: 'a'.repeat(5) });
  await call('PUT', `${acct}/segs/2`, { token: owner, body: 'b'.repeat(7) });
  r = await call('PUT', `${acct}/shared/big?multipart-manifest=put`, { token: owner, body: JSON.stringify([{ path: '/segs/1' }, { path: '/segs/2' }]) });
  assert.equal(r.status, 201, r.text);
  const slo = r.headers['x-object-version-id']!;
  r = await call('GET', `${acct}/shared/big`, { token: owner });
  assert.equal(r.text, 'aaaaabbbbbbb');
  assert.equal(r.headers['x-object-version-id'], slo);
  assert.equal(r.headers['x-static-large-object'], 'True');
  r = await call('GET', `${acct}/shared?format=json&prefix=big`, { token: owner });
  assert.equal((JSON.parse(r.text) as Array<{ bytes: number }>)[0]!.bytes, 12);
  await call('PUT', `${acct}/shared/big`, { token: owner, body: 'small' });
  r = await call('GET', `${acct}/shared/big?version-id=${slo}`, { token: owner });
  assert.equal(r.text, 'aaaaabbbbbbb');
  const list = await (async () => JSON.parse((await call('GET', `${acct}/shared?versions&prefix=big`, { token: owner })).text) as Version[])();
  assert.deepEqual(list.map((v) => [v.bytes, v.is_latest]), [[5, true], [12, false]]);
});

test('object_versioning: the account lists a versioned container with its versions\' bytes, never its versions container', async () => {
  const acct = '/v1/AUTH_proj-ova';
  const owner = 'proj-ova:member';
  await call('PUT', `${acct}/kept`, { token: owner, headers: { 'x-versions-enabled': 'true' } });
  await call('PUT', `${acct}/plain`, { token: owner });
  await call('PUT', `${acct}/kept/o`, { token: owner, body: '1234' });
  await call('PUT', `${acct}/kept/o`, { token: owner, body: '123456' });
  const listed = async () => JSON.parse((await call('GET', `${acct}?format=json`, { token: owner })).text) as Array<{ name: string; bytes: number; count: number }>;
  await until(async () => (await listed()).find((c) => c.name === 'kept')?.bytes === 10, 'the versions\' bytes counted in the listing');
  assert.deepEqual((await listed()).map((c) => [c.name, c.count]), [['kept', 1], ['plain', 0]]);
  assert.deepEqual(JSON.parse((await call('GET', `${acct}?format=json&limit=1&marker=kept`, { token: owner })).text).map((c: { name: string }) => c.name), ['plain']);
  assert.equal((await call('GET', acct, { token: owner })).text, 'kept\nplain\n');
});

test('object_versioning: X-Delete-After expires the link, never the version', async () => {
  await call('PUT', `${ACCT}/ov-e`, { token: OWNER, headers: { 'x-versions-enabled': 'true' } });
  const r = await call('PUT', `${ACCT}/ov-e/short`, { token: OWNER, body: 'brief', headers: { 'x-delete-after': '1', 'x-object-meta-color': 'blue' } });
  const v = r.headers['x-object-version-id']!;
  const p = await call('PUT', `${ACCT}/ov-e/posted`, { token: OWNER, body: 'p' });
  assert.equal((await call('POST', `${ACCT}/ov-e/posted`, { token: OWNER, headers: { 'x-delete-after': '1', 'x-object-meta-color': 'red' } })).status, 202);
  await until(async () => (await call('HEAD', `${ACCT}/ov-e/short`, { token: OWNER })).status === 404
    && (await call('HEAD', `${ACCT}/ov-e/posted`, { token: OWNER })).status === 404, 'the links expired');
  let head = await call('HEAD', `${ACCT}/ov-e/short?version-id=${v}`, { token: OWNER });
  assert.equal(head.status, 200);
  assert.equal(head.headers['x-object-meta-color'], 'blue');
  head = await call('HEAD', `${ACCT}/ov-e/posted?version-id=${p.headers['x-object-version-id']}`, { token: OWNER });
  assert.equal(head.status, 200);
  assert.equal(head.headers['x-object-meta-color'], 'red');
  assert.equal(head.headers['x-delete-at'], undefined);
  // the expirer's own DELETE (of an entry it finds due) deletes the link alone: no delete marker
  const deleteAt = Math.floor(Date.now() / 1000) + 3600;
  await call('PUT', `${ACCT}/ov-e/later`, { token: OWNER, body: 'l', headers: { 'x-delete-at': String(deleteAt) } });
  assert.equal((await swift.sw.proxy.expireObjects(deleteAt + 1)).expired, 3, 'the three links (a link\'s own X-Delete-At is the one that counts)');
  assert.equal((await call('GET', `${ACCT}/ov-e?format=json`, { token: OWNER })).text, '[]');
  assert.equal((await call('HEAD', `${ACCT}/ov-e/later`, { token: OWNER })).status, 404);
  assert.deepEqual((await versions('ov-e')).map((x) => [x.name, x.content_type]), [['later', 'application/octet-stream'], ['posted', 'application/octet-stream'], ['short', 'application/octet-stream']]);
});

test('object_versioning with tempurl: a signed PUT makes a version, a signed GET reads the current one (its version-id dropped, as Swift)', async () => {
  const acct = '/v1/AUTH_proj-ovt';
  const owner = 'proj-ovt:member';
  await call('POST', acct, { token: owner, headers: { 'x-account-meta-temp-url-key': 'k' } });
  await call('PUT', `${acct}/tv`, { token: owner, headers: { 'x-versions-enabled': 'true' } });
  const v1 = (await call('PUT', `${acct}/tv/o`, { token: owner, body: 'first' })).headers['x-object-version-id']!;
  const expires = Math.floor(Date.now() / 1000) + 600;
  const signed = (method: string) => `${acct}/tv/o?temp_url_sig=${createHmac('sha256', 'k').update(`${method}\n${expires}\n${acct}/tv/o`).digest('hex')}&temp_url_expires=${expires}`;
  let r = await call('PUT', signed('PUT'), { body: 'second' });
  assert.equal(r.status, 201);
  assert.ok(r.headers['x-object-version-id']! > v1);
  r = await call('GET', `${signed('GET')}&version-id=${v1}`);
  assert.equal(r.status, 200);
  assert.equal(r.text, 'second');
  assert.equal((JSON.parse((await call('GET', `${acct}/tv?versions`, { token: owner })).text) as Version[]).length, 2);
});
