/** EC2 credentials through /v3/users/{id}/credentials/OS-EC2, then POST /v3/ec2tokens and /v3/s3tokens with signatures made as clients make them. */
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { authFixture, type AuthFixture } from '../testing/auth-fixture.js';

let f: AuthFixture;
let admin: string;
let userId: string;
let projectId: string;
let cred: { access: string; secret: string };

const hmac = (key: string | Buffer, msg: string): Buffer => createHmac('sha256', key).update(msg).digest();
const json = (r: { body: string }): any => JSON.parse(r.body);
const amzNow = (): string => new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');

before(async () => {
  f = await authFixture();
  admin = await f.adminToken();
  projectId = await f.makeProject('s3proj');
  userId = await f.makeUser('s3user', 'pw', [{ role: 'member', projectId }]);
  const user = await f.login('s3user', 'pw', { project: { id: projectId } });
  const r = await f.call(user, { method: 'POST', url: `/identity/v3/users/${userId}/credentials/OS-EC2`, payload: { tenant_id: projectId } });
  assert.equal(r.statusCode, 201);
  cred = json(r).credential;
});
after(async () => { await f.close(); });

/** A SigV4 string to sign and its signature, as the S3 layer sends them to s3tokens. */
function sigV4(secret: string, date = amzNow(), service = 's3'): { token: string; signature: string } {
  const scope = `${date.slice(0, 8)}/RegionOne/${service}/aws4_request`;
  const sts = ['AWS4-HMAC-SHA256', date, scope, createHash('sha256').update('GET\n/\n\nhost:x\n\nhost\nUNSIGNED-PAYLOAD').digest('hex')].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date.slice(0, 8)), 'RegionOne'), service), 'aws4_request');
  return { token: Buffer.from(sts).toString('base64url'), signature: hmac(key, sts).toString('hex') };
}

describe('POST /v3/s3tokens', () => {
  test('a SigV4 string to sign signed with the secret gives a project-scoped token body', async () => {
    const r = await f.call(admin, { method: 'POST', url: '/identity/v3/s3tokens', payload: { credentials: { access: cred.access, ...sigV4(cred.secret) } } });
    assert.equal(r.statusCode, 200, r.body);
    const t = json(r).token;
    assert.deepEqual(t.methods, ['ec2credential']);
    assert.equal(t.user.id, userId);
    assert.equal(t.project.id, projectId);
    assert.deepEqual(t.roles.map((x: { name: string }) => x.name).sort(), ['member', 'reader']);
    assert.ok(Array.isArray(t.catalog));
  });

  test('a SigV2 string to sign (HMAC-SHA1, base64)', async () => {
    const sts = 'GET\n\n\nThu, 03 Dec 2026 10:00:00 GMT\n/bucket/key';
    const signature = createHmac('sha1', cred.secret).update(sts).digest('base64');
    const r = await f.call(admin, { method: 'POST', url: '/identity/v3/s3tokens', payload: { credentials: { access: cred.access, token: Buffer.from(sts).toString('base64url'), signature } } });
    assert.equal(r.statusCode, 200, r.body);
  });

  test('a wrong secret, an unknown key, another service, no body, no token', async () => {
    const bad = await f.call(admin, { method: 'POST', url: '/identity/v3/s3tokens', payload: { credentials: { access: cred.access, ...sigV4('not-the-secret') } } });
    assert.equal(bad.statusCode, 401);
    assert.equal(json(bad).error.message, 'Credential signature mismatch');
    const unknown = await f.call(admin, { method: 'POST', url: '/identity/v3/s3tokens', payload: { credentials: { access: 'nope', ...sigV4(cred.secret) } } });
    assert.equal(unknown.statusCode, 404);
    const ec2 = await f.call(admin, { method: 'POST', url: '/identity/v3/s3tokens', payload: { credentials: { access: cred.access, ...sigV4(cred.secret, amzNow(), 'ec2') } } });
    assert.equal(ec2.statusCode, 401);
    assert.equal((await f.call(admin, { method: 'POST', url: '/identity/v3/s3tokens', payload: {} })).statusCode, 400);
    assert.equal((await f.call(admin, { method: 'POST', url: '/identity/v3/s3tokens', payload: { credentials: {} } })).statusCode, 401);
    assert.equal((await f.app.inject({ method: 'POST', url: '/identity/v3/s3tokens', payload: { credentials: { access: cred.access, ...sigV4(cred.secret) } } })).statusCode, 401);
    assert.equal((await f.call(admin, { method: 'GET', url: '/identity/v3/s3tokens' })).statusCode, 405);
  });

  test('a plain member may not validate others\' signatures (service or admin only)', async () => {
    const user = await f.login('s3user', 'pw', { project: { id: projectId } });
    const r = await f.call(user, { method: 'POST', url: '/identity/v3/s3tokens', payload: { credentials: { access: cred.access, ...sigV4(cred.secret) } } });
    assert.equal(r.statusCode, 403);
  });

  test('a deleted credential no longer authenticates', async () => {
    const user = await f.login('s3user', 'pw', { project: { id: projectId } });
    const c = json(await f.call(user, { method: 'POST', url: `/identity/v3/users/${userId}/credentials/OS-EC2`, payload: { tenant_id: projectId } })).credential;
    const ok = await f.call(admin, { method: 'POST', url: '/identity/v3/s3tokens', payload: { credentials: { access: c.access, ...sigV4(c.secret) } } });
    assert.equal(ok.statusCode, 200);
    assert.equal((await f.call(user, { method: 'DELETE', url: `/identity/v3/users/${userId}/credentials/OS-EC2/${c.access}` })).statusCode, 204);
    const gone = await f.call(admin, { method: 'POST', url: '/identity/v3/s3tokens', payload: { credentials: { access: c.access, ...sigV4(c.secret) } } });
    assert.equal(gone.statusCode, 404);
  });
});

describe('POST /v3/ec2tokens', () => {
  const canonicalQs = (p: Record<string, string>): string => Object.keys(p).sort().map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(p[k]!)}`).join('&');

  test('SignatureVersion 2 (HmacSHA256 over verb, host, path and the sorted query): 200 with X-Subject-Token', async () => {
    const params: Record<string, string> = { Action: 'DescribeInstances', SignatureVersion: '2', SignatureMethod: 'HmacSHA256', Timestamp: new Date().toISOString(), AWSAccessKeyId: cred.access };
    const signature = createHmac('sha256', cred.secret).update(`GET\nec2.test:8788\n/\n${canonicalQs(params)}`).digest('base64');
    const r = await f.call(admin, { method: 'POST', url: '/identity/v3/ec2tokens', payload: { credentials: { access: cred.access, signature, host: 'ec2.test:8788', verb: 'GET', path: '/', params } } });
    assert.equal(r.statusCode, 200, r.body);
    assert.match(String(r.headers['x-subject-token']), /^gAAAAA/);
    assert.equal(json(r).token.project.id, projectId);
    // a client that signed without the port is accepted too
    const noPort = createHmac('sha256', cred.secret).update(`GET\nec2.test\n/\n${canonicalQs(params)}`).digest('base64');
    const r2 = await f.call(admin, { method: 'POST', url: '/identity/v3/ec2tokens', payload: { credentials: { access: cred.access, signature: noPort, host: 'ec2.test:8788', verb: 'GET', path: '/', params } } });
    assert.equal(r2.statusCode, 200);
  });

  test('SigV4 in an Authorization header', async () => {
    const date = amzNow();
    const headers = { Host: 'ec2.test', 'X-Amz-Date': date };
    const bodyHash = createHash('sha256').update('Action=DescribeInstances').digest('hex');
    const canonical = ['POST', '/', '', 'host:ec2.test\nx-amz-date:' + date + '\n', 'host;x-amz-date', bodyHash].join('\n');
    const scope = `${date.slice(0, 8)}/RegionOne/ec2/aws4_request`;
    const sts = ['AWS4-HMAC-SHA256', date, scope, createHash('sha256').update(canonical).digest('hex')].join('\n');
    const key = hmac(hmac(hmac(hmac(`AWS4${cred.secret}`, date.slice(0, 8)), 'RegionOne'), 'ec2'), 'aws4_request');
    const signature = hmac(key, sts).toString('hex');
    const Authorization = `AWS4-HMAC-SHA256 Credential=${cred.access}/${scope}, SignedHeaders=host;x-amz-date, Signature=${signature}`;
    const payload = { credentials: { access: cred.access, signature, host: 'ec2.test', verb: 'POST', path: '/', params: {}, headers: { ...headers, Authorization }, body_hash: bodyHash } };
    const r = await f.call(admin, { method: 'POST', url: '/identity/v3/ec2tokens', payload });
    assert.equal(r.statusCode, 200, r.body);
    const wrong = await f.call(admin, { method: 'POST', url: '/identity/v3/ec2tokens', payload: { credentials: { ...payload.credentials, body_hash: 'x' } } });
    assert.equal(wrong.statusCode, 401);
    assert.equal(json(wrong).error.message, 'Invalid EC2 signature.');
  });

  test('an expired timestamp and a missing signature are 401', async () => {
    const params: Record<string, string> = { Action: 'X', SignatureVersion: '2', Timestamp: '2001-01-01T00:00:00Z' };
    const signature = createHmac('sha256', cred.secret).update(`GET\nh\n/\n${canonicalQs({ ...params, SignatureMethod: 'HmacSHA256' })}`).digest('base64');
    const old = await f.call(admin, { method: 'POST', url: '/identity/v3/ec2tokens', payload: { credentials: { access: cred.access, signature, host: 'h', verb: 'GET', path: '/', params } } });
    assert.equal(old.statusCode, 401);
    assert.equal(json(old).error.message, 'Credential is expired');
    const none = await f.call(admin, { method: 'POST', url: '/identity/v3/ec2tokens', payload: { credentials: { access: cred.access, host: 'h', verb: 'GET', path: '/', params } } });
    assert.equal(json(none).error.message, 'EC2 signature not supplied.');
  });
});
