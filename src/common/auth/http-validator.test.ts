/**
 * ServiceSession + HttpTokenValidator against a stand-in identity (a real HTTP server on
 * loopback, clients/testing/stub-cloud.ts) that validates one user token.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ServiceSession } from '../clients/session.js';
import { sendJson, StubCloud } from '../clients/testing/stub-cloud.js';
import { runInScope } from '../log/request-scope.js';
import { HttpTokenValidator } from './http-validator.js';

let cloud: StubCloud;
let session: ServiceSession;
let validations = 0;
before(async () => {
  cloud = await StubCloud.start(['image']);
  session = cloud.session();
  cloud.route('GET', '/identity/v3/auth/tokens', (req, res) => {
    validations++;
    if (req.headers['x-subject-token'] !== 'user-token') return sendJson(res, 404, { error: { code: 404 } });
    sendJson(res, 200, { token: {
      methods: ['password'], user: { id: 'u1', name: 'alice', domain: { id: 'default', name: 'Default' } },
      project: { id: 'p1', name: 'demo', domain: { id: 'default', name: 'Default' } },
      roles: [{ id: 'r1', name: 'member' }], expires_at: new Date(Date.now() + 3600_000).toISOString(),
      issued_at: new Date().toISOString(), audit_ids: ['audit-1'], is_admin_project: false,
    } });
  });
  cloud.route('GET', '/image/v2/images', (_req, res) => sendJson(res, 200, { images: [] }));
});
after(() => cloud.close());

test('the session logs in once, finds endpoints in the catalog and passes the flow request id on', async () => {
  const flowId = 'req-11111111-2222-3333-4444-555555555555';
  const res = await runInScope({ requestId: 'req-00000000-0000-0000-0000-000000000000', globalRequestId: flowId }, () =>
    session.request<{ images: unknown[] }>('image', 'GET', '/v2/images'));
  assert.deepEqual(res.body, { images: [] });
  await session.request('image', 'GET', '/v2/images');
  assert.equal(cloud.logins, 1);
  const call = cloud.requests('/image/v2/images')[0]!;
  assert.match(String(call.headers['x-auth-token']), /^svc-token-/);
  assert.equal(call.headers['x-openstack-request-id'], flowId);
});

test('acting for a user sends the user token and the service token', async () => {
  await session.request('image', 'GET', '/v2/images', { userToken: 'user-token' });
  const call = cloud.requests('/image/v2/images').at(-1)!;
  assert.equal(call.headers['x-auth-token'], 'user-token');
  assert.match(String(call.headers['x-service-token']), /^svc-token-/);
});

test('the HTTP validator maps the token, caches it, and rejects unknown tokens with 401', async () => {
  const validator = new HttpTokenValidator(session, { cacheSeconds: 60 });
  const before = validations;
  const info = await validator.validate('user-token');
  assert.equal(info.userId, 'u1');
  assert.equal(info.projectId, 'p1');
  assert.deepEqual(info.roles, ['member']);
  await validator.validate('user-token');
  assert.equal(validations - before, 1, 'second validation is served from the cache');
  validator.forget({ auditId: 'audit-1' });
  await validator.validate('user-token');
  assert.equal(validations - before, 2, 'forget() drops the cached token');
  await assert.rejects(validator.validate('bogus'), (err: { status?: number }) => err.status === 401);
});

test('a token validated with allow_expired asks identity every time', async () => {
  const validator = new HttpTokenValidator(session, { cacheSeconds: 60 });
  await validator.validate('user-token', { allowExpired: true });
  await validator.validate('user-token', { allowExpired: true });
  assert.equal(cloud.requests('/identity/v3/auth/tokens?allow_expired=1').length, 2);
});
