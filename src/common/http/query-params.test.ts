import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkQueryMarker, MAX_MARKER_LENGTH, parseQueryInteger, parseQueryLimit, type IntegerProblem } from './query-params.js';

const fail = (problem: IntegerProblem): Error => new Error(problem);
const problemOf = (f: () => unknown): string | undefined => {
  try {
    f();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
};

test('integers are parsed strictly: no exponent, hex, fraction, Infinity or empty string', () => {
  for (const raw of ['1e3', '0x10', '1.0', '1.5', 'Infinity', 'NaN', '', ' ', '١٢', '1_000', '--1', '5a']) {
    assert.equal(problemOf(() => parseQueryInteger(raw, { pythonInt: true }, fail)), 'syntax', raw);
  }
  assert.equal(parseQueryInteger('42', {}, fail), 42);
  assert.equal(problemOf(() => parseQueryInteger(' 42', {}, fail)), 'syntax');
  assert.equal(problemOf(() => parseQueryInteger('-1', {}, fail)), 'syntax');
  // Python int() leniency only where asked for
  assert.equal(parseQueryInteger(' +42 ', { pythonInt: true }, fail), 42);
  assert.equal(parseQueryInteger('-42', { pythonInt: true }, fail), -42);
  assert.ok(Object.is(parseQueryInteger('-0', { pythonInt: true, min: 0 }, fail), 0));
});

test('values beyond the safe integer range are refused, or clamped when the rule says so', () => {
  assert.equal(problemOf(() => parseQueryInteger('99999999999999999999', { pythonInt: true }, fail)), 'too_large');
  assert.equal(problemOf(() => parseQueryInteger('-99999999999999999999', { pythonInt: true }, fail)), 'too_small');
  assert.equal(parseQueryInteger(String(Number.MAX_SAFE_INTEGER), {}, fail), Number.MAX_SAFE_INTEGER);
  assert.equal(parseQueryInteger('99999999999999999999', { clampTo: 1000 }, fail), 1000);
  assert.equal(problemOf(() => parseQueryInteger('-1', { pythonInt: true, min: 0 }, fail)), 'too_small');
});

test('a limit is a non-negative integer; huge limits become the largest page', () => {
  assert.equal(parseQueryLimit('99999999999999999999', {}, fail), Number.MAX_SAFE_INTEGER);
  assert.ok(Number.isSafeInteger(parseQueryLimit('9'.repeat(400), {}, fail)));
  assert.equal(parseQueryLimit('99999999999999999999', { max: 500 }, fail), 500);
  assert.equal(parseQueryLimit('0', {}, fail), 0);
  assert.equal(problemOf(() => parseQueryLimit('-1', { pythonInt: true }, fail)), 'too_small');
  assert.equal(problemOf(() => parseQueryLimit('1e3', {}, fail)), 'syntax');
});

test('markers are bounded in length', () => {
  assert.equal(checkQueryMarker(undefined, () => new Error('long')), undefined);
  assert.equal(checkQueryMarker('a'.repeat(MAX_MARKER_LENGTH), () => new Error('long')), 'a'.repeat(MAX_MARKER_LENGTH));
  assert.throws(() => checkQueryMarker('a'.repeat(MAX_MARKER_LENGTH + 1), () => new Error('long')), /long/);
});
