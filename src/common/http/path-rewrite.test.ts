// Path rewrites before routing: a project id after a version segment and an older version routed
// to a newer one's routes, the mark the route and the request scope read, the request as sent in
// the request line's path (originalUrl), and the relaxed body validation of Nova's legacy API.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyPluginAsync } from 'fastify';
import { createHttpApp } from './app.js';
import { mountService } from './service-mount.js';
import { currentRewrittenPath, rewrittenPath, usePathRewrites } from './path-rewrite.js';
import { relaxedBodyValidator } from './validation.js';
import { jsonErrorFault } from '../testing/faults.js';
import { createLogger } from '../log/logger.js';
import type { TokenValidator } from '../auth/token-info.js';

const validator: TokenValidator = { async validate() { throw new Error('no tokens here'); } };

const routes: FastifyPluginAsync = async (app) => {
  usePathRewrites(app, { versions: [{ version: 'v2.1' }, { version: 'v2', routedAs: 'v2.1' }], projectIdChars: '0123456789abcdef-' });
  const echo = (version: string) => async (req: { url: string; originalUrl: string; raw: import('node:http').IncomingMessage }) =>
    ({ version, url: req.url, original: req.originalUrl, path: rewrittenPath(req.raw) ?? null, scope: currentRewrittenPath() ?? null });
  for (const version of ['v2', 'v2.1']) {
    app.get(`/${version}`, { config: { public: true } }, echo(`${version} doc`));
  }
  app.get('/v2.1/things', { config: { public: true } }, echo('v2.1'));
  app.get('/v2.1/things/:id', { config: { public: true } }, echo('v2.1'));
};

describe('path rewrites', () => {
  test('rewrites the paths the project declares and marks them; leaves every other path alone', async () => {
    const app = createHttpApp({ log: createLogger({ level: 'silent' }), bodyLimit: 1024, keepAliveTimeout: 1000 });
    await mountService(app, routes, { prefix: '/svc', fault: jsonErrorFault, validator, authUri: 'http://x/identity' });
    await mountService(app, async (r) => { r.get('/v2.1/abc/things', { config: { public: true } }, async (req) => ({ url: req.url })); }, { prefix: '/other', fault: jsonErrorFault, validator, authUri: 'http://x/identity' });
    const get = async (url: string) => {
      const res = await app.inject({ method: 'GET', url });
      return { status: res.statusCode, body: res.statusCode === 200 ? res.json() : undefined };
    };
    const cases: Array<[string, string, string, { version: string; projectId: string | undefined } | null]> = [
      ['/svc/v2.1/things', 'v2.1', '/svc/v2.1/things', null],
      ['/svc/v2.1/things/x?a=1', 'v2.1', '/svc/v2.1/things/x?a=1', null],
      ['/svc/v2.1/abc-123/things?a=1', 'v2.1', '/svc/v2.1/things?a=1', { version: 'v2.1', projectId: 'abc-123' }],
      ['/svc/v2.1/fade/things/7', 'v2.1', '/svc/v2.1/things/7', { version: 'v2.1', projectId: 'fade' }],
      ['/svc/v2/abc/things', 'v2.1', '/svc/v2.1/things', { version: 'v2', projectId: 'abc' }],
      ['/svc/v2/things/7', 'v2.1', '/svc/v2.1/things/7', { version: 'v2', projectId: undefined }],
      ['/svc/v2', 'v2 doc', '/svc/v2', null],
      ['/svc/v2/', 'v2 doc', '/svc/v2/', null],
      ['/svc/v2/abc', 'v2 doc', '/svc/v2', { version: 'v2', projectId: 'abc' }],
      ['/svc/v2/abc/?x=1', 'v2 doc', '/svc/v2/?x=1', { version: 'v2', projectId: 'abc' }],
      ['/svc/v2.1/abc/', 'v2.1 doc', '/svc/v2.1/', { version: 'v2.1', projectId: 'abc' }],
    ];
    for (const [url, version, routed, path] of cases) {
      const res = await get(url);
      assert.equal(res.status, 200, url);
      assert.deepEqual(res.body, JSON.parse(JSON.stringify({ version, url: routed, original: url, path, scope: path })), url);
    }
    // Not a project id: no rewrite, so no route (the not-found handler asks for a token first);
    // another prefix is not concerned.
    for (const url of ['/svc/v2.1/ABC/things', '/svc/v2.1/abcx/things', '/svc/v3/abc/things']) assert.equal((await get(url)).status, 401, url);
    assert.deepEqual((await get('/other/v2.1/abc/things')).body, { url: '/other/v2.1/abc/things' });
    await app.close();
  });

  test('usePathRewrites needs the server of createHttpApp', async () => {
    const { default: Fastify } = await import('fastify');
    const bare = Fastify();
    bare.register(routes, { prefix: '/svc' });
    await assert.rejects(async () => { await bare.ready(); }, /path rewrites/);
  });
});

describe('relaxed body validation (the legacy v2 API)', () => {
  const schema = {
    type: 'object', required: ['server'], additionalProperties: false,
    properties: {
      server: {
        type: 'object', required: ['name'], additionalProperties: false,
        properties: {
          name: { type: 'string', minLength: 1 },
          metadata: { type: 'object', patternProperties: { '^[a-z]+$': { type: 'string' } }, additionalProperties: false },
          hints: { type: 'object', additionalProperties: { type: 'string' } },
          // A property named like the keyword is a property, not the keyword.
          properties: { type: 'object', properties: { additionalProperties: { type: 'integer' } }, additionalProperties: false },
        },
      },
    },
  };
  const validate = relaxedBodyValidator(schema);

  test('strips what additionalProperties false does not allow, at every level', () => {
    const body = { server: { name: 'a', extra: 1, properties: { additionalProperties: 2, more: 3 } }, top: true };
    assert.deepEqual(validate(body), { value: { server: { name: 'a', properties: { additionalProperties: 2 } } } });
    assert.deepEqual(body, { server: { name: 'a', properties: { additionalProperties: 2 } } });
  });

  test('keeps checking pattern keys, with the usual message; an additionalProperties schema is not applied', () => {
    const bad = validate({ server: { name: 'a', metadata: { ok: 'x', 'Not-OK': 'y' } } });
    assert.ok(bad.error);
    assert.deepEqual((bad.error as Error & { validation: Array<{ params: unknown }> }).validation[0]!.params, { additionalProperty: 'Not-OK' });
    assert.deepEqual(validate({ server: { name: 'a', hints: { n: 1 } } }).error, undefined);
    assert.ok(validate({ server: { name: '' } }).error);
    assert.ok(validate({ server: { name: 'a', properties: { additionalProperties: 'x' } } }).error);
  });
});
