import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { OptValueError } from './errors.js';
import { defineGroup, opt, parseHostPort, type OptDef, type Values } from './options.js';

function rejects(o: OptDef<unknown>, raw: string, reason: RegExp): void {
  assert.throws(() => o.parse(raw), (err: unknown) => err instanceof OptValueError && reason.test(err.reason), raw);
}

describe('option types', () => {
  test('str keeps the text', () => {
    assert.equal(opt.str('', 'h').parse(' a b '), ' a b ');
  });

  test('int: whole numbers within bounds', () => {
    const o = opt.int(5, 'h', { min: 1, max: 10 });
    assert.equal(o.defaultRaw, '5');
    assert.equal(o.parse(' 7 '), 7);
    assert.equal(o.parse('+3'), 3);
    rejects(o, 'abc', /^is not an integer$/);
    rejects(o, '1.5', /^is not an integer$/);
    rejects(o, '', /^is not an integer$/);
    rejects(o, '0', /^is below the minimum 1$/);
    rejects(o, '11', /^is above the maximum 10$/);
    rejects(opt.int(0, 'h'), '99999999999999999999', /^is not an integer$/);
  });

  test('float', () => {
    const o = opt.float(0.5, 'h', { max: 2 });
    assert.equal(o.parse('1.25'), 1.25);
    assert.equal(o.parse('.5'), 0.5);
    assert.equal(o.parse('1e-3'), 0.001);
    rejects(o, 'NaN', /^is not a number$/);
    rejects(o, 'Infinity', /^is not a number$/);
    rejects(o, '2.5', /^is above the maximum 2$/);
  });

  test('bool accepts oslo spellings in any case', () => {
    const o = opt.bool(false, 'h');
    for (const s of ['true', 'TRUE', 'yes', 'On', '1']) assert.equal(o.parse(s), true, s);
    for (const s of ['false', 'No', 'off', '0']) assert.equal(o.parse(s), false, s);
    rejects(o, 'maybe', /^is not a boolean/);
  });

  test('list splits on commas, trims, drops empty items, freezes', () => {
    const o = opt.list(['a', 'b'], 'h');
    assert.equal(o.defaultRaw, 'a,b');
    const v = o.parse(' x , y,,z ');
    assert.deepEqual(v, ['x', 'y', 'z']);
    assert.ok(Object.isFrozen(v));
    assert.deepEqual(o.parse(''), []);
    assert.equal(opt.list('p,q', 'h').defaultRaw, 'p,q');
    assert.throws(() => opt.list(['a,b'], 'h'), /may not contain ','/);
  });

  test('enum', () => {
    const o = opt.enum(['json', 'pretty'], 'json', 'h');
    assert.equal(o.parse('pretty'), 'pretty');
    assert.deepEqual(o.choices, ['json', 'pretty']);
    rejects(o, 'JSON', /^is not one of: json, pretty$/);
  });

  test('port', () => {
    const o = opt.port(80, 'h');
    assert.equal(o.parse('0'), 0);
    assert.equal(o.parse('65535'), 65535);
    rejects(o, '65536', /^is not a port number/);
    rejects(o, '-1', /^is not a port number/);
    rejects(opt.port(8080, 'h', { min: 1024 }), '80', /^is below the minimum 1024$/);
  });

  test('hostPort and parseHostPort, including IPv6 in brackets', () => {
    const o = opt.hostPort('127.0.0.1:80', 'h');
    assert.equal(o.parse('0.0.0.0:8880'), '0.0.0.0:8880');
    assert.equal(o.parse('[::1]:80'), '[::1]:80');
    assert.deepEqual(parseHostPort('[fe80::1%eth0]:443'), { host: 'fe80::1%eth0', port: 443 });
    assert.deepEqual(parseHostPort('controller:5000'), { host: 'controller', port: 5000 });
    rejects(o, 'abc', /^is not host:port$/);
    rejects(o, ':80', /^is not host:port$/);
    rejects(o, 'host:', /^is not host:port$/);
    rejects(o, 'host:99999', /port out of range/);
    rejects(o, '::1:80', /IPv6 addresses in brackets/);
  });

  test('url checks the scheme only, and allows empty when the default is empty', () => {
    const o = opt.url('inproc://', 'h');
    assert.equal(o.parse('rabbit://a:b@h1:5672,a:b@h2:5672/'), 'rabbit://a:b@h1:5672,a:b@h2:5672/');
    rejects(o, '', /^is not a URL/);
    rejects(o, 'localhost:5672', /^is not a URL/);
    assert.equal(opt.url('', 'h').parse(''), '');
    const http = opt.url('', 'h', { schemes: ['http', 'https'] });
    assert.equal(http.parse('HTTPS://x'), 'HTTPS://x');
    rejects(http, 'ftp://x', /^has scheme ftp, expected one of: http, https$/);
  });

  test('extra settings are recorded', () => {
    const o = opt.str('x', 'help text', { secret: true, deprecatedNames: ['old', 'g.older'], env: 'NUBO_X' });
    assert.equal(o.help, 'help text');
    assert.equal(o.secret, true);
    assert.deepEqual(o.deprecatedNames, ['old', 'g.older']);
    assert.equal(o.env, 'NUBO_X');
    assert.equal(opt.str('x', 'h').secret, false);
  });
});

describe('defineGroup', () => {
  test('infers the values type', () => {
    const g = defineGroup('demo', 'Demo', {
      s: opt.str('a', 'h'),
      n: opt.int(1, 'h'),
      b: opt.bool(true, 'h'),
      l: opt.list([], 'h'),
      e: opt.enum(['x', 'y'], 'x', 'h'),
    });
    type V = Values<typeof g.opts>;
    // Compile-time checks: each assignment fails to type-check if inference is wrong.
    const check = (v: V): [string, number, boolean, readonly string[], 'x' | 'y'] => [v.s, v.n, v.b, v.l, v.e];
    // @ts-expect-error an int option is not a string
    const bad = (v: V): string => v.n;
    assert.equal(typeof check, 'function');
    assert.equal(typeof bad, 'function');
    assert.equal(g.name, 'demo');
    assert.ok(Object.isFrozen(g.opts));
  });

  test('rejects bad names and bad defaults at definition time', () => {
    assert.throws(() => defineGroup('Bad-Name', 'h', {}), /invalid option group name/);
    assert.throws(() => defineGroup('g', 'h', { 'bad-key': opt.str('', 'h') }), /invalid option name \[g\] "bad-key"/);
    assert.throws(
      () => defineGroup('g', 'h', { bind: opt.hostPort('nope', 'h') }),
      /^Error: invalid default for \[g\] bind: "nope" is not host:port$/,
    );
    assert.throws(() => defineGroup('g', 'h', { n: opt.int(0, 'h', { min: 1 }) }), /is below the minimum 1/);
    // defaults with references are checked at load time, after interpolation
    assert.doesNotThrow(() => defineGroup('g', 'h', { n: opt.str('$other/x', 'h') }));
  });
});
