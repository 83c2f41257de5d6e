/**
 * The proxy's symlink and CORS middlewares and the SLO's slo_etag in listings, end to end
 * over real HTTP (Swift 2.30's behaviour).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { proxyClient, startTestSwift, swiftForTests } from '../testing/harness.js';

const OWNER = 'proj-sy:member';
const OTHER = 'proj-zz:member';
const ACCT = '/v1/AUTH_proj-sy';
const md5 = (b: string | Buffer) => createHash('md5').update(b).digest('hex');
const EMPTY = md5('');

const swift = swiftForTests();
const { call } = swift;

interface Listed { name: string; hash: string; bytes: number; content_type: string; symlink_path?: string; symlink_etag?: string; symlink_bytes?: number; slo_etag?: string }
async function listing(container: string): Promise<Map<string, Listed>> {
  const r = await call('GET', `${ACCT}/${container}?format=json`, { token: OWNER });
  assert.equal(r.status, 200, r.text);
  return new Map((JSON.parse(r.text) as Listed[]).map((o) => [o.name, o]));
}

test('symlinks: made by PUT, followed by GET/HEAD, read with ?symlink=get, listed, copied, limited', async () => {
  await call('PUT', `${ACCT}/sy`, { token: OWNER });
  await call('PUT', `${ACCT}/sy/target`, { token: OWNER, body: 'hello world', headers: { 'content-type': 'text/plain', 'x-object-meta-color': 'blue' } });

  let r = await call('PUT', `${ACCT}/sy/link`, { token: OWNER, headers: { 'x-symlink-target': 'sy/target' } });
  assert.equal(r.status, 201, r.text);
  r = await call('GET', `${ACCT}/sy/link`, { token: OWNER });
  assert.equal(r.status, 200);
  assert.equal(r.text, 'hello world');
  assert.equal(r.headers['content-location'], `${ACCT}/sy/target`);
  assert.equal(r.headers['x-object-meta-color'], 'blue');
  assert.equal(r.headers['x-object-sysmeta-symlink-target'], undefined, 'sysmeta is never shown');
  r = await call('GET', `${ACCT}/sy/link`, { token: OWNER, headers: { range: 'bytes=6-' } });
  assert.equal(r.status, 206, 'a range is the target\'s, not the empty link\'s');
  assert.equal(r.text, 'world');
  r = await call('HEAD', `${ACCT}/sy/link`, { token: OWNER });
  assert.equal(r.headers['content-length'], '11');
  r = await call('GET', `${ACCT}/sy/link?symlink=get`, { token: OWNER });
  assert.equal(r.status, 200);
  assert.equal(r.text, '');
  assert.equal(r.headers['x-symlink-target'], 'sy/target');
  assert.equal(r.headers['content-type'], 'application/symlink');
  assert.equal(r.headers.etag, EMPTY);

  // a static link: the target's etag checked, its size kept
  r = await call('PUT', `${ACCT}/sy/static`, { token: OWNER, headers: { 'x-symlink-target': 'sy/target', 'x-symlink-target-etag': `"${md5('hello world')}"` } });
  assert.equal(r.status, 201, r.text);
  r = await call('HEAD', `${ACCT}/sy/static?symlink=get`, { token: OWNER });
  assert.equal(r.headers['x-symlink-target-etag'], md5('hello world'));
  assert.equal(r.headers['x-symlink-target-bytes'], '11');
  assert.equal(r.headers['content-type'], 'text/plain', 'a static link takes its target\'s type');
  r = await call('PUT', `${ACCT}/sy/bad-etag`, { token: OWNER, headers: { 'x-symlink-target': 'sy/target', 'x-symlink-target-etag': md5('other') } });
  assert.equal(r.status, 409);
  assert.match(r.text, /does not match X-Symlink-Target-Etag/);
  assert.equal(r.headers['content-location'], `${ACCT}/sy/target`);
  r = await call('PUT', `${ACCT}/sy/bad-etag`, { token: OWNER, headers: { 'x-symlink-target': 'sy/missing', 'x-symlink-target-etag': md5('x') } });
  assert.equal(r.status, 409);
  assert.match(r.text, /X-Symlink-Target does not exist/);
  // the target changed under a static link: 409 on GET
  await call('PUT', `${ACCT}/sy/target`, { token: OWNER, body: 'changed', headers: { 'content-type': 'text/plain' } });
  r = await call('GET', `${ACCT}/sy/static`, { token: OWNER });
  assert.equal(r.status, 409);
  assert.equal(r.headers['content-location'], `${ACCT}/sy/target`);
  r = await call('GET', `${ACCT}/sy/link`, { token: OWNER });
  assert.equal(r.text, 'changed', 'a soft link follows whatever is there');

  // listings: symlink_path, and symlink_etag/symlink_bytes of static links; the hash is the link's
  const listed = await listing('sy');
  assert.equal(listed.get('link')!.symlink_path, `${ACCT}/sy/target`);
  assert.equal(listed.get('link')!.hash, EMPTY);
  assert.equal(listed.get('link')!.bytes, 0);
  assert.equal(listed.get('link')!.symlink_etag, undefined);
  assert.deepEqual([listed.get('static')!.symlink_etag, listed.get('static')!.symlink_bytes], [md5('hello world'), 11]);
  assert.equal(listed.get('target')!.symlink_path, undefined);

  // a dangling link answers 404 with where it pointed; DELETE removes the link only
  await call('PUT', `${ACCT}/sy/dangling`, { token: OWNER, headers: { 'x-symlink-target': 'sy/nowhere' } });
  r = await call('GET', `${ACCT}/sy/dangling`, { token: OWNER });
  assert.equal(r.status, 404);
  assert.equal(r.headers['content-location'], `${ACCT}/sy/nowhere`);

  // chains: symloop_max (2) links followed, the third is too many
  await call('PUT', `${ACCT}/sy/l1`, { token: OWNER, headers: { 'x-symlink-target': 'sy/link' } });
  await call('PUT', `${ACCT}/sy/l2`, { token: OWNER, headers: { 'x-symlink-target': 'sy/l1' } });
  assert.equal((await call('GET', `${ACCT}/sy/l1`, { token: OWNER })).text, 'changed');
  r = await call('GET', `${ACCT}/sy/l2`, { token: OWNER });
  assert.equal(r.status, 409);
  assert.match(r.text, /Too many levels of symbolic links, maximum allowed is 2/);
  await call('PUT', `${ACCT}/sy/loop-a`, { token: OWNER, headers: { 'x-symlink-target': 'sy/loop-b' } });
  await call('PUT', `${ACCT}/sy/loop-b`, { token: OWNER, headers: { 'x-symlink-target': 'sy/loop-a' } });
  assert.equal((await call('GET', `${ACCT}/sy/loop-a`, { token: OWNER })).status, 409);

  // a copy of a link is of its target's content; with ?symlink=get, of the link
  r = await call('COPY', `${ACCT}/sy/link`, { token: OWNER, headers: { destination: 'sy/copied' } });
  assert.equal(r.status, 201, r.text);
  r = await call('GET', `${ACCT}/sy/copied?symlink=get`, { token: OWNER });
  assert.deepEqual([r.text, r.headers['x-symlink-target']], ['changed', undefined]);
  r = await call('COPY', `${ACCT}/sy/link?symlink=get`, { token: OWNER, headers: { destination: 'sy/link-copy' } });
  assert.equal(r.status, 201, r.text);
  r = await call('GET', `${ACCT}/sy/link-copy?symlink=get`, { token: OWNER });
  assert.equal(r.headers['x-symlink-target'], 'sy/target');
  assert.equal((await listing('sy')).get('link-copy')!.symlink_path, `${ACCT}/sy/target`);

  // POST applies to the link and answers 307 to the target
  r = await call('POST', `${ACCT}/sy/link`, { token: OWNER, headers: { 'x-object-meta-a': 'b' } });
  assert.equal(r.status, 307);
  assert.equal(r.headers.location, `${ACCT}/sy/target`);
});

test('symlinks: bad input is refused (412/400), never a 500; other accounts are authorized on their own', async () => {
  const put = (name: string, headers: Record<string, string>, body?: string) => call('PUT', `${ACCT}/sy2/${name}`, { token: OWNER, headers, ...(body !== undefined ? { body } : {}) });
  await call('PUT', `${ACCT}/sy2`, { token: OWNER });
  for (const target of ['/sy2/x', 'noslash', 'sy2/', '/', '%ZZ/x']) {
    const r = await put('l', { 'x-symlink-target': target });
    assert.equal(r.status, 412, target);
    assert.match(r.text, /X-Symlink-Target header must be of the form <container name>\/<object name>/);
  }
  let r = await put('l', { 'x-symlink-target': 'sy2/l' });
  assert.equal(r.status, 400);
  assert.match(r.text, /Symlink cannot target itself/);
  r = await put('l', { 'x-symlink-target': 'sy2/x' }, 'not empty');
  assert.equal(r.status, 400);
  assert.match(r.text, /zero byte body/);
  r = await put('l', { 'x-symlink-target': 'sy2/x', 'x-symlink-target-etag': 'a;b' });
  assert.equal(r.status, 400);
  assert.match(r.text, /Bad X-Symlink-Target-Etag format/);
  r = await put('l', { 'x-symlink-target': 'sy2/x', 'x-symlink-target-account': 'a/b' });
  assert.equal(r.status, 412);
  r = await call('POST', `${ACCT}/sy2/l`, { token: OWNER, headers: { 'x-symlink-target': 'sy2/x' } });
  assert.equal(r.status, 400);
  // a client's sysmeta is dropped (gatekeeper): this is a plain object
  r = await put('fake', { 'x-object-sysmeta-symlink-target': 'sy2/x' }, 'data');
  assert.equal(r.status, 201);
  assert.equal((await call('GET', `${ACCT}/sy2/fake`, { token: OWNER })).text, 'data');

  // a link into another account: followed with the caller's own rights there
  await call('PUT', '/v1/AUTH_proj-zz/theirs', { token: OTHER });
  await call('PUT', '/v1/AUTH_proj-zz/theirs/secret', { token: OTHER, body: 's3cret' });
  r = await put('cross', { 'x-symlink-target': 'theirs/secret', 'x-symlink-target-account': 'AUTH_proj-zz' });
  assert.equal(r.status, 201);
  r = await call('GET', `${ACCT}/sy2/cross`, { token: OWNER });
  assert.equal(r.status, 403, 'the owner of the link has no right on the target');
  assert.equal(r.headers['content-location'], '/v1/AUTH_proj-zz/theirs/secret');
  assert.equal((await listing('sy2')).get('cross')!.symlink_path, '/v1/AUTH_proj-zz/theirs/secret');
  r = await put('cross-static', { 'x-symlink-target': 'theirs/secret', 'x-symlink-target-account': 'AUTH_proj-zz', 'x-symlink-target-etag': md5('s3cret') });
  assert.equal(r.status, 403);
});

test('symlinks: a versioned container keeps an overwritten link as a link (its sysmeta copied)', async () => {
  await call('PUT', `${ACCT}/sy-old`, { token: OWNER });
  await call('PUT', `${ACCT}/sy-v`, { token: OWNER, headers: { 'x-versions-location': 'sy-old' } });
  await call('PUT', `${ACCT}/sy-v/t`, { token: OWNER, body: 'target' });
  assert.equal((await call('PUT', `${ACCT}/sy-v/l`, { token: OWNER, headers: { 'x-symlink-target': 'sy-v/t' } })).status, 201);
  await call('PUT', `${ACCT}/sy-v/l`, { token: OWNER, body: 'plain now' });
  assert.equal((await call('GET', `${ACCT}/sy-v/l`, { token: OWNER })).text, 'plain now');
  const [old] = [...(await listing('sy-old')).values()];
  assert.equal(old!.symlink_path, `${ACCT}/sy-v/t`);
  assert.equal((await call('DELETE', `${ACCT}/sy-v/l`, { token: OWNER })).status, 204);
  const r = await call('GET', `${ACCT}/sy-v/l`, { token: OWNER });
  assert.deepEqual([r.text, r.headers['content-location']], ['target', `${ACCT}/sy-v/t`], 'the restored version is the link');
});

test('SLO: listings show slo_etag and the manifest\'s hash; a static link to an SLO lists it too', async () => {
  await call('PUT', `${ACCT}/big`, { token: OWNER });
  await call('PUT', `${ACCT}/big/s1`, { token: OWNER, body: 'aaaa' });
  await call('PUT', `${ACCT}/big/s2`, { token: OWNER, body: 'bb' });
  const manifest = JSON.stringify([{ path: '/big/s1' }, { path: '/big/s2' }]);
  let r = await call('PUT', `${ACCT}/big/obj?multipart-manifest=put`, { token: OWNER, body: manifest });
  assert.equal(r.status, 201, r.text);
  const sloEtag = md5(md5('aaaa') + md5('bb'));
  const listed = (await listing('big')).get('obj')!;
  assert.equal(listed.slo_etag, `"${sloEtag}"`);
  assert.equal(listed.bytes, 6);
  r = await call('HEAD', `${ACCT}/big/obj?multipart-manifest=get`, { token: OWNER });
  assert.equal(listed.hash, r.headers.etag, 'the hash is the stored manifest\'s');
  assert.equal((await listing('big')).get('s1')!.slo_etag, undefined);
  const xml = await call('GET', `${ACCT}/big?format=xml`, { token: OWNER });
  assert.doesNotMatch(xml.text, /slo_etag/, 'the parameter is never shown on the hash');

  // a static link to an SLO names its manifest's etag (X-Manifest-Etag), not the SLO's
  r = await call('PUT', `${ACCT}/big/to-slo`, { token: OWNER, headers: { 'x-symlink-target': 'big/obj', 'x-symlink-target-etag': sloEtag } });
  assert.equal(r.status, 409);
  r = await call('PUT', `${ACCT}/big/to-slo`, { token: OWNER, headers: { 'x-symlink-target': 'big/obj', 'x-symlink-target-etag': listed.hash } });
  assert.equal(r.status, 201, r.text);
  const link = (await listing('big')).get('to-slo')!;
  assert.deepEqual([link.slo_etag, link.symlink_etag, link.symlink_bytes, link.hash], [`"${sloEtag}"`, listed.hash, 6, EMPTY]);
  r = await call('GET', `${ACCT}/big/to-slo`, { token: OWNER });
  assert.equal(r.text, 'aaaabb');
});

test('CORS: preflight OPTIONS and actual requests by the container\'s metadata; /info', async () => {
  await call('PUT', `${ACCT}/web`, { token: OWNER, headers: {
    'x-container-meta-access-control-allow-origin': 'http://a.example http://b.example',
    'x-container-meta-access-control-max-age': '600',
    'x-container-meta-access-control-expose-headers': 'X-Custom-One x-custom-two',
  } });
  await call('PUT', `${ACCT}/web/page`, { token: OWNER, body: 'hi', headers: { 'x-object-meta-shown': '1' } });
  // OPTIONS without an Origin: Allow (no token needed, as keystoneauth lets OPTIONS through)
  let r = await call('OPTIONS', `${ACCT}/web/page`);
  assert.equal(r.status, 200);
  assert.equal(r.headers.allow, 'DELETE, GET, HEAD, OPTIONS, POST, PUT');
  assert.equal(r.headers['access-control-allow-origin'], undefined);
  // a preflight of an allowed origin
  r = await call('OPTIONS', `${ACCT}/web/page`, { headers: { origin: 'http://b.example', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'x-auth-token, content-type' } });
  assert.equal(r.status, 200);
  assert.equal(r.headers['access-control-allow-origin'], 'http://b.example');
  assert.equal(r.headers['access-control-allow-methods'], 'DELETE, GET, HEAD, OPTIONS, POST, PUT');
  assert.equal(r.headers['access-control-allow-headers'], 'x-auth-token, content-type');
  assert.equal(r.headers['access-control-max-age'], '600');
  assert.equal(r.headers.vary, 'Origin, Access-Control-Request-Headers');
  r = await call('OPTIONS', `${ACCT}/web`, { headers: { origin: 'http://a.example', 'access-control-request-method': 'GET' } });
  assert.equal(r.status, 200);
  // refused: another origin, a method Swift has not, a container without CORS, one that is not there
  for (const [path, origin, method] of [['web/page', 'http://evil.example', 'GET'], ['web/page', 'http://a.example', 'PATCH'], ['web/page', 'http://a.example', ''], ['sy', 'http://a.example', 'GET'], ['nothere/x', 'http://a.example', 'GET']] as const) {
    r = await call('OPTIONS', `${ACCT}/${path}`, { headers: { origin, ...(method ? { 'access-control-request-method': method } : {}) } });
    assert.equal(r.status, 401, `${path} ${origin} ${method}`);
    assert.equal(r.headers['access-control-allow-origin'], undefined);
  }
  // an account's OPTIONS answers Allow only
  r = await call('OPTIONS', ACCT, { headers: { origin: 'http://a.example', 'access-control-request-method': 'GET' } });
  assert.equal(r.status, 200);
  assert.equal(r.headers['access-control-allow-origin'], undefined);

  // actual requests
  r = await call('GET', `${ACCT}/web/page`, { token: OWNER, headers: { origin: 'http://a.example' } });
  assert.equal(r.status, 200);
  assert.equal(r.headers['access-control-allow-origin'], 'http://a.example');
  const exposed = r.headers['access-control-expose-headers']!.split(', ');
  for (const h of ['cache-control', 'content-language', 'content-type', 'expires', 'last-modified', 'pragma', 'etag', 'x-timestamp', 'x-trans-id', 'x-openstack-request-id', 'x-object-meta-shown', 'x-custom-one', 'x-custom-two']) assert.ok(exposed.includes(h), h);
  assert.equal(r.headers.vary, 'Origin');
  r = await call('GET', `${ACCT}/web/missing`, { token: OWNER, headers: { origin: 'http://a.example' } });
  assert.equal(r.status, 404);
  assert.equal(r.headers['access-control-allow-origin'], 'http://a.example', 'errors carry them too');
  r = await call('GET', `${ACCT}/web?format=json`, { token: OWNER, headers: { origin: 'http://a.example' } });
  assert.equal(r.headers['access-control-allow-origin'], 'http://a.example');
  // strict_cors_mode (the default): nothing for an origin the container does not allow
  r = await call('GET', `${ACCT}/web/page`, { token: OWNER, headers: { origin: 'http://evil.example' } });
  assert.equal(r.status, 200);
  assert.equal(r.headers['access-control-allow-origin'], undefined);
  assert.equal(r.headers['access-control-expose-headers'], undefined);
  // '*'
  await call('POST', `${ACCT}/web`, { token: OWNER, headers: { 'x-container-meta-access-control-allow-origin': '*' } });
  r = await call('HEAD', `${ACCT}/web/page`, { token: OWNER, headers: { origin: 'http://any.example' } });
  assert.equal(r.headers['access-control-allow-origin'], '*');
  r = await call('OPTIONS', `${ACCT}/web/page`, { headers: { origin: 'http://any.example', 'access-control-request-method': 'GET' } });
  assert.equal(r.headers['access-control-allow-origin'], '*');

  const info = JSON.parse((await call('GET', '/info')).text.toString());
  assert.equal(info.swift.strict_cors_mode, true);
  assert.deepEqual(info.symlink, { symloop_max: 2, static_links: true });
  assert.equal(info.cors, undefined, 'Swift registers no cors section');
});

test('CORS: [proxy_server] cors_allow_origin, cors_expose_headers, strict_cors_mode = false; symloop_max', async () => {
  const sw = await startTestSwift({
    'proxy_server.cors_allow_origin': 'http://ops.example', 'proxy_server.cors_expose_headers': 'x-ops-header',
    'proxy_server.strict_cors_mode': 'false', 'proxy_server.symloop_max': '3',
  });
  try {
    const base = await sw.listen();
    const c = proxyClient(() => base);
    await c('PUT', `${ACCT}/plain`, { token: OWNER });
    await c('PUT', `${ACCT}/plain/o`, { token: OWNER, body: 'x' });
    let r = await c('OPTIONS', `${ACCT}/plain/o`, { headers: { origin: 'http://ops.example', 'access-control-request-method': 'GET' } });
    assert.equal(r.status, 200, 'the operator\'s origin is allowed on every container');
    assert.equal(r.headers['access-control-allow-origin'], 'http://ops.example');
    r = await c('GET', `${ACCT}/plain/o`, { token: OWNER, headers: { origin: 'http://other.example' } });
    assert.equal(r.headers['access-control-allow-origin'], 'http://other.example', 'not strict: any origin gets the headers');
    assert.ok(r.headers['access-control-expose-headers']!.split(', ').includes('x-ops-header'));
    const info = JSON.parse((await c('GET', '/info')).text);
    assert.equal(info.swift.strict_cors_mode, false);
    assert.equal(info.symlink.symloop_max, 3);
    // three links in a row now
    await c('PUT', `${ACCT}/plain/l1`, { token: OWNER, headers: { 'x-symlink-target': 'plain/o' } });
    await c('PUT', `${ACCT}/plain/l2`, { token: OWNER, headers: { 'x-symlink-target': 'plain/l1' } });
    await c('PUT', `${ACCT}/plain/l3`, { token: OWNER, headers: { 'x-symlink-target': 'plain/l2' } });
    assert.equal((await c('GET', `${ACCT}/plain/l3`, { token: OWNER })).text, 'x');
  } finally {
    await sw.close();
  }
});
