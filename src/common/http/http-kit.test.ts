import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyPluginAsync } from 'fastify';
import { createHttpApp } from './app.js';
import { mountService } from './service-mount.js';
import { jsonErrorFault, typedFault, textFault } from '../testing/faults.js';
import { useMicroversions } from './microversion.js';
import { createLogger } from '../log/logger.js';
import { Conflict, NotFound, Unauthorized } from '../errors.js';
import type { TokenInfo, TokenValidator } from '../auth/token-info.js';

const info: TokenInfo = {
  userId: 'u1', userName: 'alice', userDomainId: 'default', userDomainName: 'Default', projectId: 'p1', projectName: 'demo',
  projectDomainId: 'default', projectDomainName: 'Default', system: false, roles: ['member'], roleIds: ['r1'], methods: ['password'],
  expiresAt: '2099-01-01T00:00:00Z', issuedAt: '2026-01-01T00:00:00Z', auditIds: ['a'], isAdminProject: false,
};
const validator: TokenValidator = {
  async validate(token) {
    if (token === 'good') return info;
    throw new Unauthorized();
  },
};

class NetworkNotFound extends NotFound {}

const routes: FastifyPluginAsync = async (app) => {
  app.get('/', { config: { public: true } }, async () => ({ versions: [] }));
  app.get('/whoami', async (req) => ({ user: req.ctx.userId, project: req.ctx.projectId, req: req.ctx.requestId, global: req.ctx.globalRequestId ?? null }));
  app.post('/things', {
    schema: { body: { type: 'object', required: ['thing'], additionalProperties: false, properties: { thing: { type: 'object', additionalProperties: false, properties: { name: { type: 'string' }, size: { type: 'integer' } } } } } },
  }, async (req, reply) => reply.code(201).send(req.body));
  app.get('/things', { schema: { querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1 } } } } }, async (req) => ({ limit: (req.query as { limit?: number }).limit ?? null }));
  app.get('/conflict', async () => { throw new Conflict('Duplicate entry.'); });
  app.get('/net', async () => { throw new NetworkNotFound('Network x could not be found.'); });
  app.get('/boom', async () => { throw new Error('secret internal detail'); });
};

async function makeApp() {
  const app = createHttpApp({ log: createLogger({ level: 'silent' }), bodyLimit: 1024, keepAliveTimeout: 1000 });
  await mountService(app, routes, { prefix: '/identity', fault: jsonErrorFault, validator, authUri: 'http://x/identity' });
  await mountService(app, routes, { prefix: '/network', fault: typedFault, validator, authUri: 'http://x/identity' });
  await mountService(app, routes, { prefix: '/image', fault: textFault, validator, authUri: 'http://x/identity' });
  await mountService(app, async (scope) => {
    useMicroversions(scope, { serviceType: 'compute', legacyHeader: 'X-OpenStack-Nova-API-Version', min: '2.1', max: '2.93' });
    scope.get('/v', { config: { public: true } }, async (req) => ({ v: String(req.apiVersion), new: req.apiVersion.atLeast('2.50') }));
    await routes(scope, {});
  }, { prefix: '/compute', fault: jsonErrorFault, validator, authUri: 'http://x/identity' });
  return app;
}

describe('http kit', () => {
  test('healthcheck and public routes need no token; request id header is set', async () => {
    const app = await makeApp();
    const hc = await app.inject('/healthcheck');
    assert.equal(hc.statusCode, 200);
    assert.equal(hc.body, 'OK');
    const root = await app.inject('/identity/');
    assert.equal(root.statusCode, 200);
    assert.match(String(root.headers['x-openstack-request-id']), /^req-[0-9a-f-]{36}$/);
  });

  test('missing or bad token gives 401 with WWW-Authenticate in the service format', async () => {
    const app = await makeApp();
    for (const token of [undefined, 'bad']) {
      const res = await app.inject({ url: '/identity/whoami', headers: token ? { 'x-auth-token': token } : {} });
      assert.equal(res.statusCode, 401);
      assert.equal(res.headers['www-authenticate'], 'Keystone uri="http://x/identity"');
      assert.equal(res.json().error.code, 401);
      assert.equal(res.json().error.title, 'Unauthorized');
    }
  });

  test('a valid token gives the request context; a caller request id becomes the global id', async () => {
    const app = await makeApp();
    const incoming = 'req-11111111-2222-3333-4444-555555555555';
    const res = await app.inject({ url: '/identity/whoami', headers: { 'x-auth-token': 'good', 'x-openstack-request-id': incoming } });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.user, 'u1');
    assert.equal(body.project, 'p1');
    assert.equal(body.global, incoming);
    assert.equal(res.headers['x-openstack-request-id'], body.req);
    assert.notEqual(body.req, incoming);
    const junk = await app.inject({ url: '/identity/whoami', headers: { 'x-auth-token': 'good', 'x-openstack-request-id': 'junk' } });
    assert.equal(junk.json().global, null);
  });

  test('body validation: unknown fields and wrong types are 400, never stripped or coerced', async () => {
    const app = await makeApp();
    const h = { 'x-auth-token': 'good', 'content-type': 'application/json' };
    const ok = await app.inject({ method: 'POST', url: '/identity/things', headers: h, payload: { thing: { name: 'a', size: 1 } } });
    assert.equal(ok.statusCode, 201);
    const extra = await app.inject({ method: 'POST', url: '/identity/things', headers: h, payload: { thing: { name: 'a', bogus: 1 } } });
    assert.equal(extra.statusCode, 400);
    assert.match(extra.json().error.message, /bogus/);
    const type = await app.inject({ method: 'POST', url: '/identity/things', headers: h, payload: { thing: { size: '5' } } });
    assert.equal(type.statusCode, 400);
    assert.match(type.json().error.message, /thing\.size/);
    const malformed = await app.inject({ method: 'POST', url: '/identity/things', headers: h, payload: '{"thing": ' });
    assert.equal(malformed.statusCode, 400);
    const big = await app.inject({ method: 'POST', url: '/identity/things', headers: h, payload: { thing: { name: 'x'.repeat(2000) } } });
    assert.equal(big.statusCode, 413);
  });

  test('query strings are coerced and validated', async () => {
    const app = await makeApp();
    const h = { 'x-auth-token': 'good' };
    assert.equal((await app.inject({ url: '/identity/things?limit=5', headers: h })).json().limit, 5);
    assert.equal((await app.inject({ url: '/identity/things?limit=abc', headers: h })).statusCode, 400);
  });

  test('each mounted service renders errors with its own fault renderer', async () => {
    const app = await makeApp();
    const h = { 'x-auth-token': 'good' };
    const ks = await app.inject({ url: '/identity/conflict', headers: h });
    assert.deepEqual(ks.json(), { error: { code: 409, title: 'Conflict', message: 'Duplicate entry.' } });
    const nn = await app.inject({ url: '/network/net', headers: h });
    assert.equal(nn.statusCode, 404);
    assert.deepEqual(nn.json(), { fault: { type: 'NetworkNotFound', message: 'Network x could not be found.' } });
    const img = await app.inject({ url: '/image/conflict', headers: h });
    assert.equal(img.statusCode, 409);
    assert.match(img.body, /^409 Conflict/);
    const missing = await app.inject({ url: '/network/nowhere', headers: h });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().fault.type, 'NotFound');
  });

  test('unexpected errors are a 500 that hides internals', async () => {
    const app = await makeApp();
    const res = await app.inject({ url: '/identity/boom', headers: { 'x-auth-token': 'good' } });
    assert.equal(res.statusCode, 500);
    assert.doesNotMatch(res.body, /secret internal detail/);
  });

  test('microversions: default, explicit, latest, legacy header, out of range', async () => {
    const app = await makeApp();
    const get = (headers: Record<string, string>) => app.inject({ url: '/compute/v', headers });
    const d = await get({});
    assert.equal(d.json().v, '2.1');
    assert.equal(d.headers['openstack-api-version'], 'compute 2.1');
    assert.match(String(d.headers.vary), /OpenStack-API-Version/);
    assert.equal((await get({ 'openstack-api-version': 'compute 2.60' })).json().new, true);
    assert.equal((await get({ 'openstack-api-version': 'compute latest' })).json().v, '2.93');
    assert.equal((await get({ 'openstack-api-version': 'volume 3.5' })).json().v, '2.1');
    assert.equal((await get({ 'x-openstack-nova-api-version': '2.10' })).json().v, '2.10');
    const bad = await get({ 'openstack-api-version': 'compute 2.999' });
    assert.equal(bad.statusCode, 406);
    assert.equal((await get({ 'openstack-api-version': 'compute two' })).statusCode, 400);
  });
});

test('one request log line with the request id once, user, project, status and duration', async () => {
  const lines: string[] = [];
  const destination = { write(s: string) { lines.push(s); return true; } } as unknown as NodeJS.WritableStream;
  const app = createHttpApp({ log: createLogger({ level: 'info', destination }), bodyLimit: 1024, keepAliveTimeout: 1000 });
  await mountService(app, routes, { prefix: '/identity', fault: jsonErrorFault, validator, authUri: 'http://x/identity' });
  const res = await app.inject({ url: '/identity/whoami', headers: { 'x-auth-token': 'good' } });
  const requestLines = lines.filter((l) => l.includes('"msg":"request"'));
  assert.equal(requestLines.length, 1);
  const line = requestLines[0]!;
  assert.equal(line.match(/"req_id"/g)?.length, 1, line);
  const rec = JSON.parse(line);
  assert.equal(rec.req_id, res.headers['x-openstack-request-id']);
  assert.equal(rec.user, 'u1');
  assert.equal(rec.project, 'p1');
  assert.equal(rec.status, 200);
  assert.equal(rec.method, 'GET');
  assert.equal(rec.path, '/identity/whoami');
  assert.equal(typeof rec.duration_ms, 'number');
});
