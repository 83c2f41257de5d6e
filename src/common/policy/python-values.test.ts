import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { literalString, pyFloat, pyFormat, pyStr } from './python-values.js';

describe('pyStr', () => {
  const cases: [unknown, string][] = [
    ['abc', 'abc'],
    [true, 'True'],
    [false, 'False'],
    [null, 'None'],
    [undefined, 'None'],
    [20, '20'],
    [1.5, '1.5'],
    [['a', 1], "['a', 1]"],
    [{ k: 'v' }, "{'k': 'v'}"],
    [["it's"], '["it\'s"]'],
  ];
  for (const [value, expected] of cases) {
    test(`${JSON.stringify(value)} -> ${expected}`, () => assert.equal(pyStr(value), expected));
  }
});

describe('pyFloat (Python float repr)', () => {
  const cases: [number, string][] = [
    [1, '1.0'],
    [100, '100.0'],
    [1.5, '1.5'],
    [123.456, '123.456'],
    [0.001, '0.001'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [1e16, '1e+16'],
    [1.5e16, '1.5e+16'],
    [1e15, '1000000000000000.0'],
    [-2.5, '-2.5'],
    [0, '0.0'],
    [Infinity, 'inf'],
  ];
  for (const [n, expected] of cases) {
    test(`${n} -> ${expected}`, () => assert.equal(pyFloat(n), expected));
  }
});

describe('literalString (str(ast.literal_eval(x)))', () => {
  const cases: [string, string | undefined][] = [
    ["'member'", 'member'],
    ['"member"', 'member'],
    ["u'x'", 'x'],
    ["'a\\'b'", "a'b"],
    ["r'a\\nb'", 'a\\nb'],
    ["'a\\nb'", 'a\nb'],
    ["'\\x41'", 'A'],
    ['True', 'True'],
    ['False', 'False'],
    ['None', 'None'],
    ['20', '20'],
    ['-20', '-20'],
    ['1_000', '1000'],
    ['0', '0'],
    ['00', '0'],
    ['0x1F', '31'],
    ['0o17', '15'],
    ['0b101', '5'],
    ['1.0', '1.0'],
    ['1e3', '1000.0'],
    ['.5', '0.5'],
    ['007', undefined], // SyntaxError in Python 3
    ['user_id', undefined],
    ['token.project.id', undefined],
    ['true', undefined],
    ["'unterminated", undefined],
    ["'a'b'", undefined],
    ['0x1G', undefined],
  ];
  for (const [text, expected] of cases) {
    test(`${text} -> ${expected}`, () => assert.equal(literalString(text), expected));
  }
});

describe('pyFormat', () => {
  test('substitutes and reports failures', () => {
    assert.equal(pyFormat('plain', {}), 'plain');
    assert.equal(pyFormat('%(a)s', { a: true }), 'True');
    assert.equal(pyFormat('x%(a)sy%%', { a: 1 }), 'x1y%');
    assert.equal(pyFormat('%(a.b)s', { a: { b: 'nested' } }), 'nested');
    assert.equal(pyFormat('%(a.b)s', { 'a.b': 'flat', a: { b: 'nested' } }), 'flat');
    assert.equal(pyFormat('%(f(x))s', { 'f(x)': 'paren' }), 'paren');
    assert.equal(pyFormat('%(a)s', {}), 'missing-key');
    assert.equal(pyFormat('%(a)s', { a: undefined }), 'missing-key');
    assert.equal(pyFormat('%(a.b)s', { a: ['x'] }), 'missing-key');
    assert.equal(pyFormat('%(a', { a: 1 }), 'bad-format');
    assert.equal(pyFormat('%s', { a: 1 }), 'bad-format');
    assert.equal(pyFormat('%(a)r', { a: 1 }), 'bad-format');
    assert.equal(pyFormat('50%', {}), 'bad-format');
  });
});
