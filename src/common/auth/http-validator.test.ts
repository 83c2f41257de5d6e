/**
 * ServiceSession + HttpTokenValidator against a small stand-in identity server (a real HTTP
 * server on loopback speaking the three Keystone calls they use).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ServiceSession } from '../clients/session.js';
import { runInScope } from '../log/request-scope.js';
import { HttpTokenValidator } from './http-validator.js';

const seen: Array<{ method: string; url: string; headers: IncomingMessage['headers'] }> = [];
let validations = 0;
let logins = 0;
const server = createServer((req, res) => {
  seen.push({ method: req.method!, url: req.url!, headers: req.headers });
  const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  if (req.method === 'POST' && req.url === '/identity/v3/auth/tokens') {
    logins++;
    return send(201, { token: { expires_at: new Date(Date.now() + 3600_000).toISOString(), catalog: [
      { type: 'image', endpoints: [{ interface: 'public', region_id: 'RegionOne', url: `http://127.0.0.1:${port()}/image` }] },
    ] } }, { 'x-subject-token': 'service-token' });
  }
  if (req.method === 'GET' && req.url?.startsWith('/identity/v3/auth/tokens')) {
    validations++;
    if (req.headers['x-auth-token'] !== 'service-token') return send(401, { error: { code: 401 } });
    if (req.headers['x-subject-token'] !== 'user-token') return send(404, { error: { code: 404 } });
    return send(200, { token: {
      methods: ['password'], user: { id: 'u1', name: 'alice', domain: { id: 'default', name: 'Default' } },
      project: { id: 'p1', name: 'demo', domain: { id: 'default', name: 'Default' } },
      roles: [{ id: 'r1', name: 'member' }], expires_at: new Date(Date.now() + 3600_000).toISOString(),
      issued_at: new Date().toISOString(), audit_ids: ['audit-1'], is_admin_project: false,
    } });
  }
  if (req.url === '/image/v2/images') return send(200, { images: [] });
  send(404, {});
});
await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
const port = () => (server.address() as AddressInfo).port;
after(() => new Promise<void>((ok) => server.close(() => ok())));

const session = new ServiceSession({
  authUrl: `http://127.0.0.1:${port()}/identity`, region: 'RegionOne',
  credentials: { username: 'glance', password: 'pw', projectName: 'service', userDomainName: 'Default', projectDomainName: 'Default' },
});

test('the session logs in once, finds endpoints in the catalog and passes the flow request id on', async () => {
  const flowId = 'req-11111111-2222-3333-4444-555555555555';
  const res = await runInScope({ requestId: 'req-00000000-0000-0000-0000-000000000000', globalRequestId: flowId }, () =>
    session.request<{ images: unknown[] }>('image', 'GET', '/v2/images'));
  assert.deepEqual(res.body, { images: [] });
  await session.request('image', 'GET', '/v2/images');
  assert.equal(logins, 1);
  const call = seen.find((s) => s.url === '/image/v2/images')!;
  assert.equal(call.headers['x-auth-token'], 'service-token');
  assert.equal(call.headers['x-openstack-request-id'], flowId);
});

test('acting for a user sends the user token and the service token', async () => {
  await session.request('image', 'GET', '/v2/images', { userToken: 'user-token' });
  const call = seen.filter((s) => s.url === '/image/v2/images').at(-1)!;
  assert.equal(call.headers['x-auth-token'], 'user-token');
  assert.equal(call.headers['x-service-token'], 'service-token');
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
