// os-keypairs as clients see it: generated RSA key pairs whose fingerprint and public key match
// what OpenSSH derives from the private key, imported ssh and x509 keys with nova's
// fingerprints, garbage refused, names checked per microversion, status codes and bodies per
// microversion, other users' key pairs (admin only, 2.10), paging (2.35), the key_pairs quota.
import assert from 'node:assert/strict';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { NotificationListener } from '../../common/messaging/index.js';
import { startHarness, type Harness } from '../../common/testing/harness.js';
import { nova } from './index.js';

const ADMIN = 'padmin:admin,member,reader';
const MEMBER = 'p1:member,reader';
const OTHER = 'p2:member,reader';

/** An OpenSSH public key line of a fresh Ed25519 key, and its MD5 fingerprint computed independently. */
function ed25519Line(comment = 'me@host'): { line: string; md5: string } {
  const { publicKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  const str = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  const blob = Buffer.concat([str(Buffer.from('ssh-ed25519')), str(raw)]);
  return { line: `ssh-ed25519 ${blob.toString('base64')} ${comment}`, md5: createHash('md5').update(blob).digest('hex').match(/../g)!.join(':') };
}

describe('os-keypairs API', () => {
  let h: Harness;
  const call = (method: string, path: string, token = MEMBER, body?: unknown, version = '2.1') =>
    h.request(method, `/v2.1${path}`, token, body, { 'openstack-api-version': `compute ${version}` });

  const events: Array<{ eventType: string; payload: any }> = [];
  let listener: NotificationListener<unknown> | undefined;

  before(async () => {
    h = await startHarness({ project: nova, overrides: { 'quota.key_pairs': '4' } });
    listener = new NotificationListener(h.transport, [{ topic: 'versioned_notifications' }], [{
      info: (_ctx, _publisher, eventType, payload) => { events.push({ eventType, payload }); },
    }]);
    await listener.start();
  });
  after(async () => { await listener?.stop(); await h?.close(); });

  test('generate (no public_key): a real RSA pair, nova\'s fingerprint, 200 at 2.1 without type', async () => {
    const res = await call('POST', '/os-keypairs', MEMBER, { keypair: { name: 'gen' } });
    assert.equal(res.status, 200);
    const kp = res.body.keypair;
    assert.deepEqual(Object.keys(kp).sort(), ['fingerprint', 'name', 'private_key', 'public_key', 'user_id']);
    assert.equal(kp.user_id, 'user-p1');
    assert.match(kp.private_key, /^-----BEGIN RSA PRIVATE KEY-----\n/);
    assert.match(kp.public_key, /^ssh-rsa AAAA\S+ Generated-by-Nova$/);
    // The public key is the private key's, and the fingerprint the MD5 of its blob.
    const fromPrivate = createPublicKey(createPrivateKey(kp.private_key)).export({ format: 'jwk' });
    const blob = Buffer.from(kp.public_key.split(' ')[1], 'base64');
    assert.ok(blob.includes(Buffer.from(fromPrivate.n!, 'base64url')));
    assert.equal(kp.fingerprint, createHash('md5').update(blob).digest('hex').match(/../g)!.join(':'));
    assert.equal((await call('GET', '/os-keypairs/gen')).body.keypair.fingerprint, kp.fingerprint);
  });

  test('import at 2.2: 201 with type; x509 certificates; garbage and mismatched types are 400', async () => {
    const { line, md5 } = ed25519Line();
    const res = await call('POST', '/os-keypairs', MEMBER, { keypair: { name: 'imported', public_key: line } }, '2.2');
    assert.equal(res.status, 201);
    assert.deepEqual(res.body.keypair, { type: 'ssh', name: 'imported', public_key: line, fingerprint: md5, user_id: 'user-p1' });

    for (const public_key of ['garbage', 'ssh-rsa AAAA', `ssh-rsa ${line.split(' ')[1]}`, '']) {
      const bad = await call('POST', '/os-keypairs', MEMBER, { keypair: { name: 'bad', public_key } }, '2.2');
      assert.equal(bad.status, 400, public_key);
      assert.equal(bad.body.badRequest.message, 'Keypair data is invalid: failed to generate fingerprint');
    }
    const notCert = await call('POST', '/os-keypairs', MEMBER, { keypair: { name: 'bad', type: 'x509', public_key: line } }, '2.2');
    assert.equal(notCert.status, 400);
    assert.match(notCert.body.badRequest.message, /^Keypair data is invalid: failed to generate X509 fingerprint/);

    const x509 = await call('POST', '/os-keypairs', OTHER, { keypair: { name: 'winrm', type: 'x509' } }, '2.2');
    assert.equal(x509.status, 201);
    assert.equal(x509.body.keypair.type, 'x509');
    assert.match(x509.body.keypair.public_key, /^-----BEGIN CERTIFICATE-----/);
    assert.ok(Buffer.from(x509.body.keypair.private_key, 'base64').length > 1000);
    const pem = x509.body.keypair.public_key.replace(/-----[A-Z ]+-----|\s/g, '');
    assert.equal(x509.body.keypair.fingerprint, createHash('sha1').update(Buffer.from(pem, 'base64')).digest('hex').match(/../g)!.join(':'));
    const reimported = await call('POST', '/os-keypairs', OTHER, { keypair: { name: 'winrm2', type: 'x509', public_key: x509.body.keypair.public_key } }, '2.2');
    assert.equal(reimported.body.keypair.fingerprint, x509.body.keypair.fingerprint);
    assert.equal((await call('POST', '/os-keypairs', MEMBER, { keypair: { name: 't', type: 'rsa' } }, '2.2')).status, 400);
    assert.equal((await call('POST', '/os-keypairs', MEMBER, { keypair: { name: 't', type: 'ssh' } }, '2.1')).status, 400);
  });

  test('names: duplicates 409, characters per microversion, 2.92 requires public_key', async () => {
    const dup = await call('POST', '/os-keypairs', MEMBER, { keypair: { name: 'gen' } });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.conflictingRequest.message, "Key pair 'gen' already exists.");
    const { line } = ed25519Line();
    const at = await call('POST', '/os-keypairs', MEMBER, { keypair: { name: 'me@home.x', public_key: line } }, '2.91');
    assert.equal(at.status, 400);
    assert.match(at.body.badRequest.message, /^An invalid 'name' value was provided\. The name must be: Only expected characters: \[_- 0123456789a/);
    assert.equal((await call('POST', '/os-keypairs', MEMBER, { keypair: { name: 'me@home.x', public_key: line } }, '2.92')).status, 201);
    for (const name of ['', ' lead', 'x'.repeat(256), 'a/b']) {
      assert.equal((await call('POST', '/os-keypairs', MEMBER, { keypair: { name, public_key: line } }, '2.92')).status, 400, name);
    }
    const noKey = await call('POST', '/os-keypairs', MEMBER, { keypair: { name: 'nokey' } }, '2.92');
    assert.equal(noKey.status, 400);
    assert.equal((await call('POST', '/os-keypairs', MEMBER, { keypair: { name: 'x', extra: 1 } })).status, 400);
    assert.equal((await call('POST', '/os-keypairs', MEMBER, {})).status, 400);
  });

  test('list, show and delete per microversion; another user\'s key pairs only for an admin (2.10)', async () => {
    const list21 = (await call('GET', '/os-keypairs')).body.keypairs;
    assert.deepEqual(list21.map((k: any) => k.keypair.name), ['gen', 'imported', 'me@home.x']);
    assert.deepEqual(Object.keys(list21[0].keypair).sort(), ['fingerprint', 'name', 'public_key']);
    assert.equal((await call('GET', '/os-keypairs', MEMBER, undefined, '2.2')).body.keypairs[0].keypair.type, 'ssh');

    const show = (await call('GET', '/os-keypairs/imported', MEMBER, undefined, '2.2')).body.keypair;
    assert.deepEqual(Object.keys(show).sort(), ['created_at', 'deleted', 'deleted_at', 'fingerprint', 'id', 'name', 'public_key', 'type', 'updated_at', 'user_id']);
    assert.match(show.created_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/);
    assert.equal(show.deleted, false);
    const missing = await call('GET', '/os-keypairs/nope');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.itemNotFound.message, 'Keypair nope not found for user user-p1');

    // Another user's key pair: not visible by name, reachable by an admin with user_id from 2.10.
    assert.equal((await call('GET', '/os-keypairs/winrm')).status, 404);
    assert.equal((await call('GET', '/os-keypairs/winrm?user_id=user-p2', MEMBER, undefined, '2.10')).status, 403);
    assert.equal((await call('GET', '/os-keypairs/winrm?user_id=user-p2', ADMIN, undefined, '2.10')).status, 200);
    assert.equal((await call('GET', '/os-keypairs/winrm?user_id=user-p2', ADMIN, undefined, '2.9')).status, 404);
    assert.deepEqual((await call('GET', '/os-keypairs?user_id=user-p2', ADMIN, undefined, '2.10')).body.keypairs.map((k: any) => k.keypair.name), ['winrm', 'winrm2']);
    assert.equal((await call('GET', '/os-keypairs?user_id=user-p2', MEMBER, undefined, '2.10')).status, 403);
    const forOther = await call('POST', '/os-keypairs', ADMIN, { keypair: { name: 'given', user_id: 'user-p2', public_key: ed25519Line().line } }, '2.10');
    assert.equal(forOther.status, 201);
    assert.equal(forOther.body.keypair.user_id, 'user-p2');
    assert.equal((await call('POST', '/os-keypairs', MEMBER, { keypair: { name: 'given', user_id: 'user-p2', public_key: ed25519Line().line } }, '2.10')).status, 403);
    assert.equal((await call('DELETE', '/os-keypairs/given?user_id=user-p2', MEMBER, undefined, '2.10')).status, 403);
    assert.equal((await call('DELETE', '/os-keypairs/given?user_id=user-p2', ADMIN, undefined, '2.10')).status, 204);

    assert.equal((await call('GET', '/os-keypairs/gen?foo=1', MEMBER, undefined, '2.75')).status, 400);
    assert.equal((await call('GET', '/os-keypairs/gen?foo=1', MEMBER, undefined, '2.74')).status, 200);

    const del21 = await call('DELETE', '/os-keypairs/me@home.x');
    assert.equal(del21.status, 202);
    assert.equal((await call('DELETE', '/os-keypairs/me@home.x')).status, 404);
  });

  test('paging from 2.35: limit, marker and the next link; a bad marker is 400', async () => {
    const page = (await call('GET', '/os-keypairs?limit=1', MEMBER, undefined, '2.35')).body;
    assert.deepEqual(page.keypairs.map((k: any) => k.keypair.name), ['gen']);
    assert.match(page.keypairs_links[0].href, /\/v2\.1\/os-keypairs\?limit=1&marker=gen$/);
    const next = (await call('GET', '/os-keypairs?limit=1&marker=gen', MEMBER, undefined, '2.35')).body;
    assert.deepEqual(next.keypairs.map((k: any) => k.keypair.name), ['imported']);
    const bad = await call('GET', '/os-keypairs?marker=zzz', MEMBER, undefined, '2.35');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.badRequest.message, 'Marker zzz could not be found.');
    assert.equal((await call('GET', '/os-keypairs?limit=x', MEMBER, undefined, '2.35')).status, 400);
    // Before 2.35 limit and marker are not read.
    assert.equal((await call('GET', '/os-keypairs?limit=1&marker=zzz', MEMBER, undefined, '2.34')).body.keypairs.length, 2);
  });

  test('the key_pairs quota ([quota] key_pairs = 4 here) is a 403', async () => {
    assert.equal((await call('POST', '/os-keypairs', MEMBER, { keypair: { name: 'third', public_key: ed25519Line().line } })).status, 200);
    assert.equal((await call('POST', '/os-keypairs', MEMBER, { keypair: { name: 'fourth', public_key: ed25519Line().line } })).status, 200);
    const over = await call('POST', '/os-keypairs', MEMBER, { keypair: { name: 'fifth', public_key: ed25519Line().line } });
    assert.equal(over.status, 403);
    assert.equal(over.body.forbidden.message, 'Quota exceeded, too many key pairs.');
    assert.equal((await call('POST', '/os-keypairs', MEMBER, { keypair: { name: 'fifth' } })).status, 403);
    assert.equal((await call('DELETE', '/os-keypairs/fourth', MEMBER, undefined, '2.2')).status, 204);
    assert.equal((await call('POST', '/os-keypairs', MEMBER, { keypair: { name: 'fifth', public_key: ed25519Line().line } })).status, 200);
  });

  test('keypair.import / keypair.delete notifications with a KeypairPayload', async () => {
    const { line, md5 } = ed25519Line();
    await call('POST', '/os-keypairs', OTHER, { keypair: { name: 'noisy', public_key: line } });
    await call('DELETE', '/os-keypairs/noisy', OTHER);
    const deadline = Date.now() + 5000;
    const mine = () => events.filter((e) => e.payload['nova_object.data'].name === 'noisy');
    while (mine().length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(mine().map((e) => e.eventType), ['keypair.import.start', 'keypair.import.end', 'keypair.delete.start', 'keypair.delete.end']);
    assert.equal(mine()[1]!.payload['nova_object.name'], 'KeypairPayload');
    assert.deepEqual(mine()[1]!.payload['nova_object.data'], { name: 'noisy', user_id: 'user-p2', public_key: line, fingerprint: md5, type: 'ssh' });
  });
});
