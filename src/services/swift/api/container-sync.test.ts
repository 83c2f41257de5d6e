/**
 * Container sync end to end over real HTTP: containers of two accounts synced to each other
 * through a realm of container-sync-realms.conf (Tempest's test_container_synchronization), the
 * daemon's passes (rows sent with their timestamps and metadata, deletes, a failed row tried
 * again), the middleware's signature and key checks, and the X-Container-Sync-To checks.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { proxyClient, startTestSwift, type TestSwift } from '../testing/harness.js';

const A = 'proj-sa:member';
const B = 'proj-sb:member';
const REALM_KEY = 'realm-secret';

let sw: TestSwift;
let base = '';
let swiftDir = '';
const call = proxyClient(() => base);

const realms = (endpoint: string) => `[DEFAULT]\nmtime_check_interval = 0\n\n[realm1]\nkey = ${REALM_KEY}\ncluster_name1 = ${endpoint}\n`;

before(async () => {
  swiftDir = mkdtempSync(join(tmpdir(), 'nubo-csync-'));
  writeFileSync(join(swiftDir, 'container-sync-realms.conf'), realms('http://127.0.0.1:1/v1/'));
  sw = await startTestSwift({ 'swift.swift_dir': swiftDir, 'container_sync.interval': '3600', 'proxy_server.recheck_container_existence': '0' }, { daemons: true });
  base = await sw.listen();
  writeFileSync(join(swiftDir, 'container-sync-realms.conf'), realms(`${base}/v1/`));
});
after(async () => {
  await sw?.close();
  rmSync(swiftDir, { recursive: true, force: true });
});

const syncPass = () => sw.periodic.runNow('swift container-sync');
const names = async (token: string, path: string) => JSON.parse((await call('GET', `${path}?format=json`, { token })).text).map((o: { name: string }) => o.name) as string[];

test('two containers of two accounts synced to each other through a realm, as Tempest does', async () => {
  for (const [token, acct, cont, other] of [[A, 'AUTH_proj-sa', 'left', 'AUTH_proj-sb/right'], [B, 'AUTH_proj-sb', 'right', 'AUTH_proj-sa/left']] as const) {
    const r = await call('PUT', `/v1/${acct}/${cont}`, { token, headers: { 'x-container-sync-key': 'shared', 'x-container-sync-to': `//realm1/name1/${other}` } });
    assert.equal(r.status, 201, r.text);
  }
  let r = await call('PUT', '/v1/AUTH_proj-sa/left/from-left', { token: A, body: 'tfel morf', headers: { 'content-type': 'text/x-left', 'x-object-meta-color': 'red' } });
  assert.equal(r.status, 201);
  r = await call('PUT', '/v1/AUTH_proj-sb/right/dir/from right', { token: B, body: 'thgir morf' });
  assert.equal(r.status, 201);
  const original = (await call('HEAD', '/v1/AUTH_proj-sa/left/from-left', { token: A })).headers;

  await syncPass();
  assert.deepEqual(await names(A, '/v1/AUTH_proj-sa/left'), ['dir/from right', 'from-left']);
  assert.deepEqual(await names(B, '/v1/AUTH_proj-sb/right'), ['dir/from right', 'from-left']);
  r = await call('GET', '/v1/AUTH_proj-sb/right/from-left', { token: B });
  assert.equal(r.text, 'tfel morf');
  // the copy has the original's time, type, ETag and metadata
  assert.equal(r.headers['x-timestamp'], original['x-timestamp']);
  assert.equal(r.headers['content-type'], 'text/x-left');
  assert.equal(r.headers.etag, original.etag);
  assert.equal(r.headers['x-object-meta-color'], 'red');
  assert.equal((await call('GET', '/v1/AUTH_proj-sa/left/dir/from%20right', { token: A })).text, 'thgir morf');

  // a second pass sends nothing again; a delete is sent on
  await syncPass();
  r = await call('DELETE', '/v1/AUTH_proj-sa/left/from-left', { token: A });
  assert.equal(r.status, 204);
  await syncPass();
  assert.equal((await call('HEAD', '/v1/AUTH_proj-sb/right/from-left', { token: B })).status, 404);
  // ... and the delete that came back found nothing to do
  assert.deepEqual(await names(A, '/v1/AUTH_proj-sa/left'), ['dir/from right']);
});

test('a newer object on the other side is not overwritten by an older synced copy', async () => {
  await call('PUT', '/v1/AUTH_proj-sb/newer', { token: B });
  await call('PUT', '/v1/AUTH_proj-sa/older', { token: A, headers: { 'x-container-sync-key': 'k2', 'x-container-sync-to': '//realm1/name1/AUTH_proj-sb/newer' } });
  await call('PUT', '/v1/AUTH_proj-sa/older/obj', { token: A, body: 'old' });
  await call('PUT', '/v1/AUTH_proj-sb/newer/obj', { token: B, body: 'new' });
  // the target container has no key yet: the signed PUT is refused and the row is kept for later
  await syncPass();
  assert.equal((await call('GET', '/v1/AUTH_proj-sb/newer/obj', { token: B })).text, 'new');
  await call('POST', '/v1/AUTH_proj-sb/newer', { token: B, headers: { 'x-container-sync-key': 'k2' } });
  await call('PUT', '/v1/AUTH_proj-sa/older/only-here', { token: A, body: 'sent' });
  await syncPass();
  assert.equal((await call('GET', '/v1/AUTH_proj-sb/newer/obj', { token: B })).text, 'new');
  assert.equal((await call('GET', '/v1/AUTH_proj-sb/newer/only-here', { token: B })).text, 'sent');
});

test('a row that failed is sent on a later pass', async () => {
  await call('PUT', '/v1/AUTH_proj-sa/early', { token: A, headers: { 'x-container-sync-key': 'k3', 'x-container-sync-to': '//realm1/name1/AUTH_proj-sb/late' } });
  await call('PUT', '/v1/AUTH_proj-sa/early/one', { token: A, body: '1' });
  await syncPass(); // the target container is not there yet: 404
  await call('PUT', '/v1/AUTH_proj-sb/late', { token: B, headers: { 'x-container-sync-key': 'k3' } });
  await call('PUT', '/v1/AUTH_proj-sa/early/two', { token: A, body: '2' });
  await syncPass();
  await syncPass();
  assert.deepEqual(await names(B, '/v1/AUTH_proj-sb/late'), ['one', 'two']);
});

test('synced requests: a valid signature or key lets in with its timestamp, anything else is 401', async () => {
  await call('PUT', '/v1/AUTH_proj-sb/inbox', { token: B, headers: { 'x-container-sync-key': 'inbox-key' } });
  const path = '/object/v1/AUTH_proj-sb/inbox/signed';
  const ts = '1700000000.00000';
  const sig = (key: string, method = 'PUT') => createHmac('sha1', REALM_KEY).update(`${method}\n${path}\n${ts}\nnonce1\n${key}`).digest('hex');
  let r = await call('PUT', '/v1/AUTH_proj-sb/inbox/signed', { body: 'x', headers: { 'x-timestamp': ts, 'x-container-sync-auth': `realm1 nonce1 ${sig('inbox-key')}` } });
  assert.equal(r.status, 201, r.text);
  r = await call('HEAD', '/v1/AUTH_proj-sb/inbox/signed', { token: B });
  assert.equal(r.headers['x-timestamp'], ts);

  for (const auth of [`realm1 nonce1 ${sig('wrong-key')}`, `realm2 nonce1 ${sig('inbox-key')}`, 'realm1 only-two', `realm1 nonce1 ${sig('inbox-key', 'DELETE')}`]) {
    r = await call('PUT', '/v1/AUTH_proj-sb/inbox/signed', { body: 'y', headers: { 'x-timestamp': ts, 'x-container-sync-auth': auth } });
    assert.equal(r.status, 401, auth);
    assert.match(r.headers['www-authenticate']!, /^SwiftContainerSync /);
    assert.match(r.text, /X-Container-Sync-Auth header not valid/);
  }
  // the older way: the container's key itself, with an X-Timestamp
  r = await call('PUT', '/v1/AUTH_proj-sb/inbox/keyed', { body: 'z', headers: { 'x-timestamp': ts, 'x-container-sync-key': 'inbox-key' } });
  assert.equal(r.status, 201);
  r = await call('PUT', '/v1/AUTH_proj-sb/inbox/keyed', { body: 'z', headers: { 'x-timestamp': ts, 'x-container-sync-key': 'nope' } });
  assert.equal(r.status, 401);
  // a signature lets in one container only
  r = await call('GET', '/v1/AUTH_proj-sb', { headers: { 'x-container-sync-auth': `realm1 nonce1 ${sig('inbox-key')}` } });
  assert.equal(r.status, 401);
  // the key is shown to the owner, never to others
  r = await call('HEAD', '/v1/AUTH_proj-sb/inbox', { token: B });
  assert.equal(r.headers['x-container-sync-key'], 'inbox-key');
});

test('X-Container-Sync-To is checked: realms, clusters, hosts, schemes, versioning; /info lists the realms', async () => {
  const bad: Array<[string, RegExp]> = [
    ['//nope/name1/AUTH_x/c', /No realm key for 'nope'/],
    ['//realm1/nope/AUTH_x/c', /No cluster endpoint for 'realm1' 'nope'/],
    ['//realm1/name1/AUTH_x', /Invalid X-Container-Sync-To format/],
    ['http://192.0.2.1:8080/v1/AUTH_x/c', /Invalid host '192.0.2.1'/],
    ['ftp://127.0.0.1/v1/AUTH_x/c', /Invalid scheme 'ftp'/],
    ['http://127.0.0.1:8080', /Path required/],
    ['http://127.0.0.1:8080/v1/AUTH_x/c?q=1', /Params, queries, and fragments not allowed/],
  ];
  for (const [value, message] of bad) {
    const r = await call('PUT', '/v1/AUTH_proj-sa/checked', { token: A, headers: { 'x-container-sync-to': value } });
    assert.equal(r.status, 400, value);
    assert.match(r.text, message);
  }
  let r = await call('PUT', '/v1/AUTH_proj-sa/checked', { token: A, headers: { 'x-container-sync-to': 'http://127.0.0.1:8080/v1/AUTH_x/c' } });
  assert.equal(r.status, 201);
  await call('PUT', '/v1/AUTH_proj-sa/versioned', { token: A, headers: { 'x-versions-enabled': 'true' } });
  r = await call('POST', '/v1/AUTH_proj-sa/versioned', { token: A, headers: { 'x-container-sync-to': '//realm1/name1/AUTH_x/c' } });
  assert.equal(r.status, 400);
  assert.match(r.text, /Cannot configure container sync on a container with object versioning configured/);

  const info = JSON.parse((await call('GET', '/info')).text) as { container_sync?: { realms: Record<string, unknown> } };
  assert.deepEqual(info.container_sync, { realms: { REALM1: { clusters: { NAME1: {} } } } });
});
