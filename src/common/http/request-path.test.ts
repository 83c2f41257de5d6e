// What every request gets from the HTTP kit, whatever its outcome: X-Openstack-Request-Id,
// the caller's global request id, one request line with method/path/status/duration/user/
// project, and the request ids on every line written while it is served.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AddressInfo } from 'node:net';
import type { FastifyPluginAsync } from 'fastify';
import { request } from 'undici';
import { createHttpApp } from './app.js';
import { mountService } from './service-mount.js';
import { jsonErrorFault } from '../testing/faults.js';
import { createLogger } from '../log/logger.js';
import { currentScope } from '../log/request-scope.js';
import { Unauthorized } from '../errors.js';
import { tokenInfoFromBody } from '../auth/token-body.js';
import type { TokenValidator } from '../auth/token-info.js';

const info = tokenInfoFromBody({
  methods: ['password'], user: { id: 'u1', name: 'alice', domain: { id: 'default', name: 'Default' } },
  project: { id: 'p1', name: 'demo', domain: { id: 'default', name: 'Default' } }, roles: [{ id: 'r1', name: 'member' }],
  expires_at: '2099-01-01T00:00:00Z', issued_at: '2026-01-01T00:00:00Z', audit_ids: ['a'],
});
const validator: TokenValidator = { validate: async (token) => { if (token === 'good') return info; throw new Unauthorized(); } };

async function makeApp() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = { write(s: string) { lines.push(JSON.parse(s)); return true; } } as unknown as NodeJS.WritableStream;
  const log = createLogger({ level: 'info', destination });
  const serviceLog = log.child({ service: 'test' });
  const routes: FastifyPluginAsync = async (app) => {
    app.get('/', { config: { public: true } }, async () => ({ versions: [] }));
    app.get('/work', async () => {
      await sleep(1);
      serviceLog.info('after an await');
      await Promise.resolve();
      setImmediate(() => serviceLog.info('in a callback'));
      await sleep(1);
      return { ok: true };
    });
    app.post('/things', {
      schema: { body: { type: 'object', additionalProperties: false, properties: { name: { type: 'string' } } } },
    }, async (req, reply) => reply.code(201).send(req.body));
    app.get('/boom', async () => { throw new Error('internal'); });
  };
  const app = createHttpApp({ log, bodyLimit: 64, keepAliveTimeout: 1000 });
  await mountService(app, routes, { prefix: '/svc', fault: jsonErrorFault, validator, authUri: 'http://x/identity' });
  return { app, lines };
}

const GLOBAL = 'req-11111111-2222-3333-4444-555555555555';

test('every outcome carries X-Openstack-Request-Id and gets one request line with that id', async () => {
  const { app, lines } = await makeApp();
  const json = { 'content-type': 'application/json', 'x-auth-token': 'good' };
  const cases = [
    { req: { url: '/healthcheck' }, status: 200 },
    { req: { url: '/svc/' }, status: 200 },
    { req: { url: '/svc/work', headers: { 'x-auth-token': 'good' } }, status: 200 },
    { req: { url: '/svc/work', method: 'HEAD' as const, headers: { 'x-auth-token': 'good' } }, status: 200 },
    { req: { url: '/svc/work' }, status: 401 },
    { req: { url: '/svc/work', headers: { 'x-auth-token': 'bad' } }, status: 401 },
    { req: { url: '/svc/nowhere', headers: { 'x-auth-token': 'good' } }, status: 404 },
    { req: { url: '/nowhere' }, status: 404 },
    { req: { url: '/svc/things', method: 'POST' as const, headers: json, payload: { bogus: 1 } }, status: 400 },
    { req: { url: '/svc/things', method: 'POST' as const, headers: json, payload: '{"name": ' }, status: 400 },
    { req: { url: '/svc/things', method: 'POST' as const, headers: json, payload: { name: 'x'.repeat(100) } }, status: 413 },
    { req: { url: '/svc/boom', headers: { 'x-auth-token': 'good' } }, status: 500 },
  ];
  for (const c of cases) {
    lines.length = 0;
    const res = await app.inject(c.req);
    const what = `${c.req.method ?? 'GET'} ${c.req.url}`;
    assert.equal(res.statusCode, c.status, what);
    const id = res.headers['x-openstack-request-id'];
    assert.match(String(id), /^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, what);
    await sleep(5); // the handler's setImmediate line
    const requestLines = lines.filter((l) => l.msg === 'request');
    assert.equal(requestLines.length, 1, what);
    assert.equal(requestLines[0]!.req_id, id, what);
    assert.equal(requestLines[0]!.status, c.status, what);
    for (const l of lines) assert.equal(l.req_id, id, `${what}: ${JSON.stringify(l)}`);
  }
});

test('the request line names method, path, status, duration, user and project', async () => {
  const { app, lines } = await makeApp();
  await app.inject({ url: '/svc/work?x=1', headers: { 'x-auth-token': 'good' } });
  await app.inject({ url: '/svc/' });
  const [authed, open] = lines.filter((l) => l.msg === 'request');
  assert.equal(authed!.method, 'GET');
  assert.equal(authed!.path, '/svc/work?x=1');
  assert.equal(authed!.status, 200);
  assert.equal(typeof authed!.duration_ms, 'number');
  assert.ok((authed!.duration_ms as number) >= 1, String(authed!.duration_ms));
  assert.equal(authed!.user, 'u1');
  assert.equal(authed!.project, 'p1');
  assert.equal(authed!.level, 30);
  assert.equal(open!.user, undefined);
  assert.equal(open!.project, undefined);
});

test("lines written while serving carry the request id and the caller's global id, even after awaits", async () => {
  const { app, lines } = await makeApp();
  const res = await app.inject({ url: '/svc/work', headers: { 'x-auth-token': 'good', 'x-openstack-request-id': GLOBAL } });
  await sleep(5);
  const id = res.headers['x-openstack-request-id'];
  assert.notEqual(id, GLOBAL);
  const service = lines.filter((l) => l.service === 'test');
  assert.deepEqual(service.map((l) => l.msg), ['after an await', 'in a callback']);
  for (const l of [...service, ...lines.filter((x) => x.msg === 'request')]) {
    assert.equal(l.req_id, id);
    assert.equal(l.global_req_id, GLOBAL);
  }
  // Concurrent requests keep their own ids.
  lines.length = 0;
  const [a, b] = await Promise.all([0, 1].map(() => app.inject({ url: '/svc/work', headers: { 'x-auth-token': 'good' } })));
  await sleep(5);
  for (const r of [a!, b!]) {
    const id = r.headers['x-openstack-request-id'];
    assert.equal(lines.filter((l) => l.req_id === id).length, 3);
    assert.equal(lines.filter((l) => l.req_id === id && l.global_req_id !== undefined).length, 0);
  }
});

test('the request scope offers the client of the request being served', async () => {
  const app = createHttpApp({ log: createLogger({ level: 'silent' }), bodyLimit: 64, keepAliveTimeout: 1000 });
  await mountService(app, async (s) => {
    s.get('/who', { config: { public: true } }, async () => {
      await sleep(1);
      const client = currentScope()?.client;
      return { ip: client?.ip, agent: client?.headers['user-agent'] };
    });
  }, { prefix: '/svc', fault: jsonErrorFault, validator, authUri: 'http://x/identity' });
  const res = await app.inject({ url: '/svc/who', headers: { 'user-agent': 'python-keystoneclient' }, remoteAddress: '10.1.2.3' });
  assert.deepEqual(res.json(), { ip: '10.1.2.3', agent: 'python-keystoneclient' });
});

test('over HTTP, GET and HEAD /healthcheck are answered before Fastify, with the route\'s answer, the request id and the request line', async () => {
  const { app, lines } = await makeApp();
  let reachedFastify = 0;
  app.addHook('onRequest', (_req, _reply, done) => { reachedFastify++; done(); });
  await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const routed = { GET: await app.inject('/healthcheck'), HEAD: await app.inject({ method: 'HEAD', url: '/healthcheck' }) };
    assert.equal(reachedFastify, 2);
    // oslo.middleware's answers: GET 200 `OK`, HEAD 204 with neither body nor Content-Length.
    assert.equal(routed.GET.statusCode, 200);
    assert.equal(routed.HEAD.statusCode, 204);
    assert.equal(routed.HEAD.headers['content-length'], undefined);
    for (const [method, path] of [['GET', '/healthcheck'], ['HEAD', '/healthcheck'], ['GET', '/healthcheck/'], ['GET', '/healthcheck?auth_token=secret']] as const) {
      lines.length = 0;
      const res = await request(base + path, { method, headers: { 'x-openstack-request-id': GLOBAL } });
      const body = await res.body.text();
      const what = `${method} ${path}`;
      assert.equal(res.statusCode, routed[method].statusCode, what);
      assert.equal(body, method === 'HEAD' ? '' : 'OK', what);
      assert.equal(res.headers['content-type'], routed[method].headers['content-type'], what);
      assert.equal(res.headers['content-length'], routed[method].headers['content-length'], what);
      const id = String(res.headers['x-openstack-request-id']);
      assert.match(id, /^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, what);
      const [line, ...more] = lines.filter((l) => l.msg === 'request');
      assert.equal(more.length, 0, what);
      assert.deepEqual({ ...line, time: 0, pid: 0, duration_ms: 0 }, {
        level: 30, time: 0, pid: 0, req_id: id, global_req_id: GLOBAL, method, path: path.replace('secret', '***'), status: routed[method].statusCode, duration_ms: 0, msg: 'request',
      }, what);
    }
    assert.equal(reachedFastify, 2, 'the fast path passed nothing to Fastify');
    // Anything else on that path is Fastify's.
    const post = await request(`${base}/healthcheck`, { method: 'POST' });
    await post.body.dump();
    assert.equal(post.statusCode, 404);
    assert.equal(reachedFastify, 3);
  } finally {
    await app.close();
  }
});

test('a closing server leaves /healthcheck to Fastify, which answers 503', async () => {
  const { app } = await makeApp();
  let during: number | undefined;
  // preClose hooks run in order: the kit's (which marks the server closing) first, then this one,
  // before the server stops accepting connections.
  app.addHook('preClose', async () => {
    const res = await request(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}/healthcheck`);
    await res.body.dump();
    during = res.statusCode;
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const before = await request(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}/healthcheck`);
  await before.body.dump();
  assert.equal(before.statusCode, 200);
  await app.close();
  assert.equal(during, 503);
});

test("a service's request lane answers before Fastify with the caller in the request line, and what it declines reaches the route", async () => {
  const lines: Array<Record<string, unknown>> = [];
  const destination = { write(s: string) { lines.push(JSON.parse(s)); return true; } } as unknown as NodeJS.WritableStream;
  const app = createHttpApp({ log: createLogger({ level: 'info', destination }), bodyLimit: 64, keepAliveTimeout: 1000 });
  let routed = 0;
  await mountService(app, async (s) => {
    s.get('/hot', { config: { public: true } }, async () => { routed++; return { from: 'route' }; });
  }, {
    prefix: '/svc', fault: jsonErrorFault, validator, authUri: 'http://x/identity',
    lanes: { '/hot': ({ raw, query, requestId }) => (raw.headers['x-lane'] === 'yes'
      ? { status: 203, headers: ['content-type', 'application/json', 'x-seen', `${requestId}|${query}`], body: '{"from":"lane"}', user: 'u1', project: 'p1' }
      : undefined) },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/svc/hot?x=1`;
    const answered = await request(url, { headers: { 'x-lane': 'yes' } });
    assert.equal(answered.statusCode, 203);
    assert.equal(await answered.body.text(), '{"from":"lane"}');
    const id = String(answered.headers['x-openstack-request-id']);
    assert.equal(answered.headers['x-seen'], `${id}|x=1`, 'the lane gets the request id and the query');
    assert.equal(answered.headers['content-length'], '15');
    assert.equal(routed, 0);
    const head = await request(url, { method: 'HEAD', headers: { 'x-lane': 'yes' } });
    assert.equal(await head.body.text(), '');
    assert.equal(head.headers['content-length'], '15', 'HEAD: the length of the body it does not get');
    const line = lines.find((l) => l.msg === 'request' && l.req_id === id)!;
    assert.deepEqual([line.method, line.path, line.status, line.user, line.project], ['GET', '/svc/hot?x=1', 203, 'u1', 'p1']);

    const declined = await request(url);
    assert.deepEqual(await declined.body.json(), { from: 'route' });
    assert.equal(routed, 1);
  } finally {
    await app.close();
  }
});
