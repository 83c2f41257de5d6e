/**
 * The proxy's middlewares end to end over real HTTP: SLO, object versioning, tempurl,
 * formpost, bulk delete and extract-archive, staticweb, object expiry and its expirer, and the
 * container and account quotas.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { swift as swiftProject } from '../index.js';
import { swiftForTests } from '../testing/harness.js';

const OWNER = 'proj-m:member';
const ACCT = '/v1/AUTH_proj-m';
const md5 = (b: string | Buffer) => createHash('md5').update(b).digest('hex');

const swift = swiftForTests();
const { call } = swift;

test('SLO: a manifest is checked segment by segment, reads as its segments (ranges too), and deletes with them', async () => {
  await call('PUT', `${ACCT}/slo`, { token: OWNER });
  const a = Buffer.alloc(1000, 'a');
  const b = Buffer.alloc(500, 'b');
  await call('PUT', `${ACCT}/slo/seg-a`, { token: OWNER, body: a });
  await call('PUT', `${ACCT}/slo/seg-b`, { token: OWNER, body: b });

  let r = await call('PUT', `${ACCT}/slo/bad?multipart-manifest=put`, {
    token: OWNER, body: JSON.stringify([{ path: '/slo/seg-a', etag: 'nope', size_bytes: 1000 }, { path: '/slo/missing', size_bytes: 5 }]),
  });
  assert.equal(r.status, 400);
  assert.match(r.text, /Errors:\n\/slo\/seg-a, Etag Mismatch\n\/slo\/missing, 404 Not Found\n/);
  r = await call('PUT', `${ACCT}/slo/bad?multipart-manifest=put`, { token: OWNER, body: '{"not": "a list"}' });
  assert.equal(r.status, 400);
  assert.match(r.text, /Manifest must be a list/);
  r = await call('PUT', `${ACCT}/slo/bad?multipart-manifest=put`, { token: OWNER, body: JSON.stringify([{ path: 'noslash' }, { path: '/slo/seg-a', range: '5-2' }]) });
  assert.equal(r.status, 400);
  assert.match(r.text, /Index 0: path does not refer to an object.*\nIndex 1: invalid range/);

  const manifest = [{ path: '/slo/seg-a', etag: md5(a), size_bytes: 1000 }, { path: '/slo/seg-b', etag: null, size_bytes: null, range: '100-199' }];
  r = await call('PUT', `${ACCT}/slo/big?multipart-manifest=put`, { token: OWNER, body: JSON.stringify(manifest) });
  assert.equal(r.status, 201, r.text);
  const etag = md5(md5(a) + `${md5(b)}:100-199;`);
  assert.equal(r.headers.etag, `"${etag}"`);

  r = await call('HEAD', `${ACCT}/slo/big`, { token: OWNER });
  assert.equal(r.headers['x-static-large-object'], 'True');
  assert.equal(r.headers['content-length'], '1100');
  assert.equal(r.headers.etag, `"${etag}"`);
  assert.equal(r.headers['content-type'], 'application/octet-stream');
  // listings show the whole object's size (swift_bytes on the stored content type), never the parameter
  r = await call('GET', `${ACCT}/slo?format=json&prefix=big`, { token: OWNER });
  const [listed] = JSON.parse(r.text) as Array<{ name: string; bytes: number; content_type: string }>;
  assert.deepEqual([listed!.name, listed!.bytes, listed!.content_type], ['big', 1100, 'application/octet-stream']);
  r = await call('HEAD', `${ACCT}/slo/big?multipart-manifest=get`, { token: OWNER });
  assert.equal(r.headers['content-type'], 'application/octet-stream');
  r = await call('GET', `${ACCT}/slo/big`, { token: OWNER });
  assert.equal(r.status, 200);
  assert.deepEqual(r.buf, Buffer.concat([a, b.subarray(100, 200)]));
  r = await call('GET', `${ACCT}/slo/big`, { token: OWNER, headers: { range: 'bytes=990-1009' } });
  assert.equal(r.status, 206);
  assert.equal(r.headers['content-range'], 'bytes 990-1009/1100');
  assert.equal(r.text, 'a'.repeat(10) + 'b'.repeat(10));
  r = await call('GET', `${ACCT}/slo/big`, { token: OWNER, headers: { 'if-match': `"${etag}"` } });
  assert.equal(r.status, 200, 'the condition is the large object\'s, not the manifest\'s');
  r = await call('GET', `${ACCT}/slo/big`, { token: OWNER, headers: { 'if-none-match': etag } });
  assert.equal(r.status, 304);

  r = await call('GET', `${ACCT}/slo/big?multipart-manifest=get`, { token: OWNER });
  assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
  const stored = JSON.parse(r.text);
  assert.deepEqual(stored.map((s: { name: string; bytes: number; range?: string }) => [s.name, s.bytes, s.range]), [['/slo/seg-a', 1000, undefined], ['/slo/seg-b', 500, '100-199']]);
  r = await call('GET', `${ACCT}/slo/big?multipart-manifest=get&format=raw`, { token: OWNER });
  assert.deepEqual(JSON.parse(r.text), [{ etag: md5(a), path: '/slo/seg-a', size_bytes: 1000 }, { etag: md5(b), path: '/slo/seg-b', range: '100-199', size_bytes: 500 }]);

  // a manifest of manifests
  r = await call('PUT', `${ACCT}/slo/bigger?multipart-manifest=put`, { token: OWNER, body: JSON.stringify([{ path: '/slo/big' }, { path: '/slo/seg-b', range: '-3' }]) });
  assert.equal(r.status, 201, r.text);
  r = await call('GET', `${ACCT}/slo/bigger`, { token: OWNER, headers: { range: 'bytes=1095-' } });
  assert.equal(r.text, 'b'.repeat(8));

  assert.equal((await call('PUT', `${ACCT}/slo/x`, { token: OWNER, body: 'x', headers: { 'x-static-large-object': 'true' } })).status, 400);

  // a copy is of the content (a plain object); with ?multipart-manifest=get, of the manifest
  r = await call('PUT', `${ACCT}/slo/copied`, { token: OWNER, headers: { 'x-copy-from': 'slo/big', 'content-length': '0', 'x-object-meta-k': 'v' } });
  assert.equal(r.status, 201);
  r = await call('GET', `${ACCT}/slo/copied`, { token: OWNER });
  assert.equal(r.headers['x-static-large-object'], undefined);
  assert.equal(r.headers.etag, md5(Buffer.concat([a, b.subarray(100, 200)])));
  assert.equal(r.headers['x-object-meta-k'], 'v');
  assert.equal(r.buf.length, 1100);
  r = await call('COPY', `${ACCT}/slo/big?multipart-manifest=get`, { token: OWNER, headers: { destination: 'slo/manifest-copy' } });
  assert.equal(r.status, 201);
  r = await call('HEAD', `${ACCT}/slo/manifest-copy`, { token: OWNER });
  assert.equal(r.headers['x-static-large-object'], 'True');
  assert.equal(r.headers['content-length'], '1100');

  r = await call('DELETE', `${ACCT}/slo/big?multipart-manifest=delete`, { token: OWNER, headers: { accept: 'application/json' } });
  assert.equal(r.status, 200);
  const out = JSON.parse(r.text);
  assert.equal(out['Number Deleted'], 3);
  assert.equal(out['Response Status'], '200 OK');
  for (const name of ['big', 'seg-a', 'seg-b']) assert.equal((await call('HEAD', `${ACCT}/slo/${name}`, { token: OWNER })).status, 404, name);
});

test('versioning: stack mode keeps and restores older versions, history mode keeps them and a delete marker', async () => {
  await call('PUT', `${ACCT}/vers`, { token: OWNER });
  let r = await call('PUT', `${ACCT}/docs`, { token: OWNER, headers: { 'x-versions-location': 'vers' } });
  assert.equal(r.status, 201);
  assert.equal((await call('HEAD', `${ACCT}/docs`, { token: OWNER })).headers['x-versions-location'], 'vers');
  assert.equal((await call('POST', `${ACCT}/docs`, { token: OWNER, headers: { 'x-versions-location': 'a', 'x-history-location': 'b' } })).status, 400);
  for (const v of ['one', 'two', 'three']) await call('PUT', `${ACCT}/docs/file`, { token: OWNER, body: v });
  r = await call('GET', `${ACCT}/vers?format=json`, { token: OWNER });
  const names = JSON.parse(r.text).map((o: { name: string }) => o.name);
  assert.equal(names.length, 2);
  assert.ok(names.every((n: string) => n.startsWith('004file/')));
  assert.equal((await call('DELETE', `${ACCT}/docs/file`, { token: OWNER })).status, 204);
  assert.equal((await call('GET', `${ACCT}/docs/file`, { token: OWNER })).text, 'two');
  await call('DELETE', `${ACCT}/docs/file`, { token: OWNER });
  assert.equal((await call('GET', `${ACCT}/docs/file`, { token: OWNER })).text, 'one');
  await call('DELETE', `${ACCT}/docs/file`, { token: OWNER });
  assert.equal((await call('GET', `${ACCT}/docs/file`, { token: OWNER })).status, 404);
  assert.equal((await call('GET', `${ACCT}/vers`, { token: OWNER })).status, 204, 'no version is left');

  await call('PUT', `${ACCT}/hist`, { token: OWNER });
  r = await call('POST', `${ACCT}/docs`, { token: OWNER, headers: { 'x-history-location': 'hist' } });
  r = await call('HEAD', `${ACCT}/docs`, { token: OWNER });
  assert.equal(r.headers['x-history-location'], 'hist');
  assert.ok(!r.headers['x-versions-location'], 'one mode at a time');
  await call('PUT', `${ACCT}/docs/h`, { token: OWNER, body: 'v1' });
  await call('DELETE', `${ACCT}/docs/h`, { token: OWNER });
  assert.equal((await call('GET', `${ACCT}/docs/h`, { token: OWNER })).status, 404);
  r = await call('GET', `${ACCT}/hist?format=json`, { token: OWNER });
  assert.deepEqual(JSON.parse(r.text).map((o: { content_type: string }) => o.content_type), ['application/octet-stream', 'application/x-deleted;swift_versions_deleted=1']);
});

function tempUrl(method: string, path: string, key: string, expires: number, digest: 'sha1' | 'sha256' = 'sha256', prefix?: string): string {
  const signed = prefix !== undefined ? `prefix:${path.slice(0, path.lastIndexOf('/') + 1)}${prefix}` : path;
  const sig = createHmac(digest, key).update(`${method}\n${expires}\n${signed}`).digest('hex');
  return `${path}?temp_url_sig=${sig}&temp_url_expires=${expires}${prefix !== undefined ? `&temp_url_prefix=${prefix}` : ''}`;
}

test('tempurl: account and container keys sign one method on one object (or a prefix) until it expires', async () => {
  await call('POST', ACCT, { token: OWNER, headers: { 'x-account-meta-temp-url-key': 'secret' } });
  await call('PUT', `${ACCT}/tu`, { token: OWNER, headers: { 'x-container-meta-temp-url-key-2': 'ckey' } });
  await call('PUT', `${ACCT}/tu/doc.txt`, { token: OWNER, body: 'temp content', headers: { 'x-object-meta-private': 'p', 'x-object-meta-public-x': 'y' } });
  const exp = Math.floor(Date.now() / 1000) + 600;
  const path = `${ACCT}/tu/doc.txt`;
  let r = await call('GET', tempUrl('GET', path, 'secret', exp));
  assert.equal(r.status, 200);
  assert.equal(r.text, 'temp content');
  assert.equal(r.headers['content-disposition'], 'attachment; filename="doc.txt"; filename*=UTF-8\'\'doc.txt');
  assert.equal(r.headers['x-object-meta-private'], undefined);
  assert.equal(r.headers['x-object-meta-public-x'], 'y');
  assert.equal((await call('GET', `${tempUrl('GET', path, 'secret', exp, 'sha1')}&inline`)).headers['content-disposition'], 'inline');
  assert.equal((await call('HEAD', tempUrl('GET', path, 'ckey', exp))).status, 200, 'a GET signature allows HEAD, a container key its container');
  assert.equal((await call('GET', tempUrl('GET', path, 'wrong', exp))).status, 401);
  assert.equal((await call('GET', tempUrl('GET', path, 'secret', Math.floor(Date.now() / 1000) - 1))).status, 401, 'expired');
  assert.equal((await call('DELETE', tempUrl('GET', path, 'secret', exp))).status, 401, 'another method');
  r = await call('PUT', tempUrl('PUT', `${ACCT}/tu/up`, 'secret', exp), { body: 'uploaded' });
  assert.equal(r.status, 201);
  assert.equal((await call('GET', `${ACCT}/tu/up`, { token: OWNER })).text, 'uploaded');
  assert.equal((await call('PUT', tempUrl('PUT', `${ACCT}/tu/m`, 'secret', exp), { body: '', headers: { 'x-object-manifest': 'tu/x' } })).status, 400);
  r = await call('GET', tempUrl('GET', `${ACCT}/tu/doc.txt`, 'secret', exp, 'sha256', 'doc'));
  assert.equal(r.status, 200, 'a prefix signature');
  const iso = new Date(exp * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const isoSig = createHmac('sha256', 'secret').update(`GET\n${exp}\n${path}`).digest('hex');
  assert.equal((await call('GET', `${path}?temp_url_sig=${isoSig}&temp_url_expires=${iso}`)).status, 200, 'an ISO 8601 expiry, signed as its timestamp');
  r = await call('GET', tempUrl('GET', `${ACCT}/tu/`, 'secret', exp, 'sha256', ''));
  assert.equal(r.status, 401, 'a container root only for a staticweb page, not its listing');
  // the endpoint's mount may be part of the signed path, as clients sign the URL they use
  r = await call('GET', tempUrl('GET', `/object${path}`, 'secret', exp).slice('/object'.length));
  assert.equal(r.status, 200);
});

function form(fields: Record<string, string>, files: Array<{ name: string; filename: string; body: string }>): { body: string; type: string } {
  const boundary = 'XyZzY';
  const parts = Object.entries(fields).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
  for (const f of files) parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="${f.name}"; filename="${f.filename}"\r\nContent-Type: text/plain\r\n\r\n${f.body}\r\n`);
  return { body: `${parts.join('')}--${boundary}--\r\n`, type: `multipart/form-data; boundary=${boundary}` };
}

test('formpost: signed forms upload their files, within max_file_size and max_file_count, until they expire', async () => {
  await call('POST', ACCT, { token: OWNER, headers: { 'x-account-meta-temp-url-key': 'secret' } });
  await call('PUT', `${ACCT}/fp`, { token: OWNER });
  const path = `${ACCT}/fp/up-`;
  const sign = (expires: number, maxSize = 100, maxCount = 2, redirect = '') => createHmac('sha1', 'secret').update(`${path}\n${redirect}\n${maxSize}\n${maxCount}\n${expires}`).digest('hex');
  const exp = Math.floor(Date.now() / 1000) + 600;
  let f = form({ redirect: '', max_file_size: '100', max_file_count: '2', expires: String(exp), signature: sign(exp) }, [{ name: 'f1', filename: 'a.txt', body: 'hello' }, { name: 'f2', filename: 'b.txt', body: 'world' }]);
  let r = await call('POST', path, { body: f.body, headers: { 'content-type': f.type } });
  assert.equal(r.status, 201, r.text);
  assert.equal((await call('GET', `${ACCT}/fp/up-a.txt`, { token: OWNER })).text, 'hello');
  assert.equal((await call('GET', `${ACCT}/fp/up-b.txt`, { token: OWNER })).text, 'world');

  f = form({ redirect: 'http://example.com/done', max_file_size: '100', max_file_count: '1', expires: String(exp), signature: sign(exp, 100, 1, 'http://example.com/done') }, [{ name: 'f1', filename: 'c.txt', body: 'c' }, { name: 'f2', filename: 'd.txt', body: 'd' }]);
  r = await call('POST', path, { body: f.body, headers: { 'content-type': f.type } });
  assert.equal(r.status, 303);
  assert.equal(r.headers.location, 'http://example.com/done?status=400&message=max%20file%20count%20exceeded');

  f = form({ redirect: '', max_file_size: '3', max_file_count: '2', expires: String(exp), signature: sign(exp, 3) }, [{ name: 'f1', filename: 'e.txt', body: 'too long' }]);
  r = await call('POST', path, { body: f.body, headers: { 'content-type': f.type } });
  assert.equal(r.status, 400);
  assert.equal(r.text, 'FormPost: max_file_size exceeded');
  assert.equal((await call('HEAD', `${ACCT}/fp/up-e.txt`, { token: OWNER })).status, 404);

  const past = Math.floor(Date.now() / 1000) - 10;
  f = form({ redirect: '', max_file_size: '100', max_file_count: '2', expires: String(past), signature: sign(past) }, [{ name: 'f1', filename: 'x', body: 'x' }]);
  r = await call('POST', path, { body: f.body, headers: { 'content-type': f.type } });
  assert.equal(r.status, 401);
  assert.equal(r.text, 'FormPost: Form Expired');
  f = form({ redirect: '', max_file_size: '100', max_file_count: '2', expires: String(exp), signature: 'bad' }, [{ name: 'f1', filename: 'x', body: 'x' }]);
  r = await call('POST', path, { body: f.body, headers: { 'content-type': f.type } });
  assert.equal(r.status, 401);
  assert.equal(r.text, 'FormPost: Invalid Signature');
});

async function tarball(files: Record<string, string>, pax?: Record<string, string>): Promise<Buffer> {
  const pack = tar.pack();
  for (const [name, body] of Object.entries(files)) pack.entry({ name, ...(pax ? { pax } : {}) }, body);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

test('bulk: extract-archive makes containers and objects from a tar(.gz), bulk-delete deletes a list', async () => {
  const archive = await tarball({ 'bulk1/a.txt': 'A', 'bulk1/dir/b.txt': 'BB', 'bulk2/c.txt': 'CCC', 'top.txt': 'ignored' }, { 'SCHILY.xattr.user.meta.color': 'red' });
  let r = await call('PUT', `${ACCT}?extract-archive=tar`, { token: OWNER, body: archive, headers: { accept: 'application/json' } });
  assert.equal(r.status, 200);
  let out = JSON.parse(r.text);
  assert.equal(out['Number Files Created'], 3);
  assert.equal(out['Response Status'], '201 Created');
  r = await call('GET', `${ACCT}/bulk1/dir/b.txt`, { token: OWNER });
  assert.equal(r.text, 'BB');
  assert.equal(r.headers['x-object-meta-color'], 'red');
  r = await call('PUT', `${ACCT}/bulk2/sub?extract-archive=tar.gz`, { token: OWNER, body: gzipSync(await tarball({ 'd.txt': 'D' })) });
  assert.match(r.text, /Number Files Created: 1\n/);
  assert.equal((await call('GET', `${ACCT}/bulk2/sub/d.txt`, { token: OWNER })).text, 'D');
  r = await call('PUT', `${ACCT}?extract-archive=tar.gz`, { token: OWNER, body: 'not gzip' });
  assert.match(r.text, /Response Status: 400 Bad Request\n/);
  assert.equal((await call('PUT', `${ACCT}?extract-archive=zip`, { token: OWNER, body: 'x' })).status, 400);
  assert.match((await call('PUT', `${ACCT}?extract-archive=tar`, { token: 'proj-other:member', body: archive })).text, /401 Unauthorized|403 Forbidden/, 'each subrequest is authorized');

  r = await call('DELETE', `${ACCT}?bulk-delete`, { token: OWNER, body: 'bulk1/a.txt\n/bulk1/dir%2Fb.txt\nbulk1\nbulk1/nothing\nbulk2\n', headers: { 'content-type': 'text/plain' } });
  assert.equal(r.status, 200);
  assert.match(r.text, /Number Deleted: 3\nNumber Not Found: 1\nResponse Body: \nResponse Status: 400 Bad Request\nErrors:\nbulk2, 409 Conflict\n/);
  assert.equal((await call('HEAD', `${ACCT}/bulk1`, { token: OWNER })).status, 404);
  r = await call('POST', `${ACCT}?bulk-delete`, { token: OWNER, body: 'bulk2/c.txt\nbulk2/sub/d.txt\nbulk2', headers: { accept: 'application/xml' } });
  assert.match(r.text, /<delete>\n<number_deleted>3<\/number_deleted>\n<number_not_found>0<\/number_not_found>/);
  out = await call('HEAD', `${ACCT}/bulk2`, { token: OWNER });
  assert.equal(out.status, 404);
});

test('staticweb: index, listings with CSS and error pages for anonymous readers of a public container', async () => {
  await call('PUT', `${ACCT}/site`, { token: OWNER, headers: { 'x-container-read': '.r:*,.rlistings', 'x-container-meta-web-index': 'index.html' } });
  await call('PUT', `${ACCT}/site/index.html`, { token: OWNER, body: '<h1>home</h1>' });
  await call('PUT', `${ACCT}/site/docs/index.html`, { token: OWNER, body: 'docs home' });
  await call('PUT', `${ACCT}/site/404error.html`, { token: OWNER, body: 'custom not found' });
  let r = await call('GET', `${ACCT}/site`);
  assert.equal(r.status, 301);
  assert.equal(r.headers.location, `/object${ACCT}/site/`);
  r = await call('GET', `${ACCT}/site/`);
  assert.equal(r.text, '<h1>home</h1>');
  assert.equal((await call('GET', `${ACCT}/site/docs/`)).text, 'docs home');
  assert.equal((await call('GET', `${ACCT}/site/docs`)).status, 301);
  r = await call('GET', `${ACCT}/site`, { token: OWNER });
  assert.equal(r.status, 200, 'the owner gets the plain listing');
  assert.match(r.text, /^404error.html\n/);

  await call('POST', `${ACCT}/site`, { token: OWNER, headers: { 'x-container-meta-web-index': '', 'x-container-meta-web-listings': 'true', 'x-container-meta-web-listings-css': 'style.css', 'x-container-meta-web-error': 'error.html' } });
  r = await call('GET', `${ACCT}/site/`);
  assert.equal(r.status, 200);
  assert.match(String(r.headers['content-type']), /^text\/html/);
  assert.ok(r.text.includes('<link rel="stylesheet" type="text/css" href="style.css" />'));
  assert.ok(r.text.includes('<a href="./index%2Ehtml">index.html</a>'));
  assert.ok(r.text.includes('<a href="./docs/">docs/</a>'));
  r = await call('GET', `${ACCT}/site/nothing`);
  assert.equal(r.status, 404);
  assert.equal(r.text, 'custom not found');
  r = await call('GET', `${ACCT}/site/docs/`);
  assert.ok(r.text.includes('href="../style.css"'));
  assert.ok(r.text.includes('<a href="../">../</a>'));
});

test('expiry: X-Delete-After/-At are checked, expired objects answer 404, and the expirer removes them', async () => {
  await call('PUT', `${ACCT}/exp`, { token: OWNER });
  const now = Math.floor(Date.now() / 1000);
  assert.equal((await call('PUT', `${ACCT}/exp/o`, { token: OWNER, body: 'x', headers: { 'x-delete-at': String(now - 10) } })).status, 400);
  let r = await call('PUT', `${ACCT}/exp/o`, { token: OWNER, body: 'x', headers: { 'x-delete-after': 'soon' } });
  assert.equal(r.status, 400);
  assert.equal(r.text, 'Non-integer X-Delete-After');
  assert.equal((await call('PUT', `${ACCT}/exp/o`, { token: OWNER, body: 'x', headers: { 'x-delete-after': '4' } })).status, 201);
  const written = Date.now() / 1000;
  await call('PUT', `${ACCT}/exp/keep`, { token: OWNER, body: 'k', headers: { 'x-delete-after': '3600' } });
  r = await call('HEAD', `${ACCT}/exp/o`, { token: OWNER });
  const deleteAt = Number(r.headers['x-delete-at']);
  assert.ok(deleteAt >= now + 4 && deleteAt <= written + 4, 'X-Delete-After became X-Delete-At');
  assert.equal((await call('POST', `${ACCT}/exp/keep`, { token: OWNER, headers: { 'x-delete-at': String(now - 1) } })).status, 400);

  const later = deleteAt + 1;
  assert.equal((await swift.sw.proxy.expireObjects(now - 100)).expired, 0, 'nothing is due yet');
  await new Promise((res) => setTimeout(res, (deleteAt + 1.1) * 1000 - Date.now()));
  assert.equal((await call('GET', `${ACCT}/exp/o`, { token: OWNER })).status, 404, 'past X-Delete-At: gone for clients');
  let listing = (await call('GET', `${ACCT}/exp`, { token: OWNER })).text;
  assert.equal(listing, 'keep\no\n', 'still listed until the expirer runs');
  assert.ok(Date.now() / 1000 >= later);
  // swift-object-expirer --once, as an operator runs it
  const expirer = swiftProject.commands!.find((c) => c.name === 'expirer')!;
  assert.equal(await expirer.run(swift.sw.config), '1 objects expired, 0 entries dropped (object gone or rewritten), 0 errors\n');
  listing = (await call('GET', `${ACCT}/exp`, { token: OWNER })).text;
  assert.equal(listing, 'keep\n');
  assert.equal((await call('GET', `${ACCT}/exp/keep`, { token: OWNER })).text, 'k');
});

test('quotas: container bytes and count (413), account bytes set by the reseller admin only', async () => {
  assert.equal((await call('PUT', `${ACCT}/q`, { token: OWNER, headers: { 'x-container-meta-quota-bytes': 'lots' } })).status, 400);
  await call('PUT', `${ACCT}/q`, { token: OWNER, headers: { 'x-container-meta-quota-bytes': '10', 'x-container-meta-quota-count': '2' } });
  assert.equal((await call('PUT', `${ACCT}/q/a`, { token: OWNER, body: '12345' })).status, 201);
  let r = await call('PUT', `${ACCT}/q/b`, { token: OWNER, body: '123456' });
  assert.equal(r.status, 413);
  assert.equal(r.text, 'Upload exceeds quota.');
  assert.equal((await call('PUT', `${ACCT}/q/b`, { token: OWNER, body: '12' })).status, 201);
  assert.equal((await call('PUT', `${ACCT}/q/c`, { token: OWNER, body: '1' })).status, 413, 'the count');

  const acct = '/v1/AUTH_proj-quota';
  assert.equal((await call('POST', acct, { token: 'proj-quota:member', headers: { 'x-account-meta-quota-bytes': '100' } })).status, 403);
  assert.equal((await call('POST', acct, { token: 'ops:ResellerAdmin', headers: { 'x-account-meta-quota-bytes': 'x' } })).status, 400);
  assert.equal((await call('POST', acct, { token: 'ops:ResellerAdmin', headers: { 'x-account-meta-quota-bytes': '8' } })).status, 204);
  await call('PUT', `${acct}/c`, { token: 'proj-quota:member' });
  assert.equal((await call('PUT', `${acct}/c/a`, { token: 'proj-quota:member', body: '12345' })).status, 201);
  for (let i = 0; i < 300 && (await call('HEAD', acct, { token: 'proj-quota:member' })).headers['x-account-bytes-used'] !== '5'; i++) await new Promise((res) => setTimeout(res, 100));
  assert.equal((await call('PUT', `${acct}/c/b`, { token: 'proj-quota:member', body: '12345' })).status, 413);
  assert.equal((await call('POST', acct, { token: 'proj-quota:member', headers: { 'x-remove-account-meta-quota-bytes': 'x' } })).status, 403);
  assert.equal((await call('POST', acct, { token: 'ops:ResellerAdmin', headers: { 'x-remove-account-meta-quota-bytes': 'x' } })).status, 204);
  assert.equal((await call('PUT', `${acct}/c/b`, { token: 'proj-quota:member', body: '12345' })).status, 201);
});

test('healthcheck and crossdomain answer below the endpoint', async () => {
  const h = await call('GET', '/healthcheck');
  assert.equal(h.text, 'OK');
  const c = await call('GET', '/crossdomain.xml');
  assert.match(c.text, /^<\?xml version="1.0"\?>\n<!DOCTYPE cross-domain-policy SYSTEM "http:\/\/www.adobe.com\/xml\/dtds\/cross-domain-policy.dtd" >\n<cross-domain-policy>\n<allow-access-from domain="\*" secure="false" \/>\n<\/cross-domain-policy>$/);
});
