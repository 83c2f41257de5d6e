import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { checkJsonText, parseJsonText } from './json-body.js';

const JsonTooDeep = /nested too deeply/;
const JsonForbiddenKey = /forbidden object key '__proto__'/;
import { createHttpApp } from './app.js';
import { mountService } from './service-mount.js';
import { jsonErrorFault, typedFault } from '../testing/faults.js';
import { createLogger } from '../log/logger.js';
import type { TokenValidator } from '../auth/token-info.js';

const nested = (depth: number, leaf = '1'): string => '{"a":'.repeat(depth) + leaf + '}'.repeat(depth);
const arrays = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

describe('checkJsonText', () => {
  test('accepts bodies up to the depth limit and refuses deeper ones', () => {
    assert.deepEqual(parseJsonText(nested(3), 3), { a: { a: { a: 1 } } });
    assert.throws(() => parseJsonText(nested(4), 3), JsonTooDeep);
    assert.deepEqual(parseJsonText(arrays(5), 5), [[[[[]]]]]);
    assert.throws(() => parseJsonText(arrays(6), 5), JsonTooDeep);
    // depth is nesting, not the count of containers: siblings do not add up
    assert.doesNotThrow(() => checkJsonText(`[${Array(1000).fill('[{}]').join(',')}]`, 3));
  });

  test('10,000 levels are refused without recursion (no RangeError)', () => {
    assert.throws(() => checkJsonText(arrays(10_000), 128), JsonTooDeep);
    assert.throws(() => checkJsonText(nested(10_000), 128), JsonTooDeep);
  });

  test('brackets inside strings, escaped quotes and backslashes do not count', () => {
    assert.doesNotThrow(() => checkJsonText(JSON.stringify({ a: '[[[[[[{{{{{{', b: 'x\\"[[[[[[', c: '\\\\' }), 2));
    assert.deepEqual(parseJsonText('{"a":"\\\\","b":[["]]]]"]]}', 3), { a: '\\', b: [[']]]]']] });
    assert.throws(() => checkJsonText('{"a":"\\\\",' + '"b":[[[[1]]]]}', 3), JsonTooDeep);
  });

  test('an object key __proto__ is refused, also when escaped; as a value or plain string it is fine', () => {
    assert.throws(() => checkJsonText('{"__proto__":{"admin":true}}', 10), JsonForbiddenKey);
    assert.throws(() => checkJsonText('{"a":[{"b":1,"__proto__" :1}]}', 10), JsonForbiddenKey);
    assert.throws(() => checkJsonText('{"\\u005f_proto__":1}', 10), JsonForbiddenKey);
    assert.throws(() => checkJsonText('{"\\u005F\\u005Fproto\\u005f\\u005f":1}', 10), JsonForbiddenKey);
    assert.deepEqual(parseJsonText('{"name":"__proto__","tags":["__proto__"],"constructor":"x"}', 10), { name: '__proto__', tags: ['__proto__'], constructor: 'x' });
  });

  test('syntax errors are left to JSON.parse', () => {
    assert.throws(() => parseJsonText('{"a":', 10), SyntaxError);
    assert.throws(() => parseJsonText('{"a', 10), SyntaxError);
    assert.throws(() => parseJsonText(']]]]', 10), SyntaxError);
  });
});

describe('JSON bodies in the HTTP kit', () => {
  const validator: TokenValidator = { async validate() { return undefined as never; } };
  async function makeApp(maxJsonDepth?: number) {
    const app = createHttpApp({ log: createLogger({ level: 'silent' }), bodyLimit: 1 << 20, keepAliveTimeout: 1000, ...(maxJsonDepth ? { maxJsonDepth } : {}) });
    const routes = async (scope: typeof app) => {
      scope.post('/echo', { config: { public: true } }, async (req) => ({ body: req.body ?? null }));
    };
    await mountService(app, routes, { prefix: '/identity', fault: jsonErrorFault, validator, authUri: 'http://x/identity' });
    await mountService(app, routes, { prefix: '/network', fault: typedFault, validator, authUri: 'http://x/identity' });
    return app;
  }

  test('too deep a body is a 400 in the service fault format; the limit is configurable', async () => {
    const app = await makeApp();
    const deep = await app.inject({ method: 'POST', url: '/identity/echo', headers: { 'content-type': 'application/json' }, payload: arrays(10_000) });
    assert.equal(deep.statusCode, 400);
    assert.equal(deep.json().error.code, 400);
    assert.match(deep.json().error.message, /nested too deeply: more than 128 levels/);
    const neutron = await app.inject({ method: 'POST', url: '/network/echo', headers: { 'content-type': 'application/json' }, payload: nested(129) });
    assert.equal(neutron.statusCode, 400);
    assert.equal(neutron.json().fault.type, 'BadRequest');
    const ok = await app.inject({ method: 'POST', url: '/network/echo', headers: { 'content-type': 'application/json' }, payload: nested(128) });
    assert.equal(ok.statusCode, 200);

    const small = await makeApp(4);
    assert.equal((await small.inject({ method: 'POST', url: '/identity/echo', headers: { 'content-type': 'application/json' }, payload: nested(4) })).statusCode, 200);
    assert.equal((await small.inject({ method: 'POST', url: '/identity/echo', headers: { 'content-type': 'application/json' }, payload: nested(5) })).statusCode, 400);
  });

  test('a __proto__ key is a 400; malformed JSON keeps its message; a blank body is no body', async () => {
    const app = await makeApp();
    const proto = await app.inject({ method: 'POST', url: '/identity/echo', headers: { 'content-type': 'application/json' }, payload: '{"__proto__":{"x":1}}' });
    assert.equal(proto.statusCode, 400);
    assert.match(proto.json().error.message, /__proto__/);
    const bad = await app.inject({ method: 'POST', url: '/identity/echo', headers: { 'content-type': 'application/json' }, payload: '{"a":' });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.message, 'Malformed request body: invalid JSON.');
    const blank = await app.inject({ method: 'POST', url: '/identity/echo', headers: { 'content-type': 'application/json' }, payload: '  ' });
    assert.deepEqual(blank.json(), { body: null });
  });
});
