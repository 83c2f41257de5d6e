import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isoSeconds, isForeignKeyViolation, isRetryableError, isUniqueViolation, nowIso, toBool } from './dialect-helpers.js';
import { withRetry } from './retry.js';

describe('value helpers', () => {
  test('toBool reads stored booleans and rejects anything else', () => {
    for (const v of [1, '1', true, 1n]) assert.equal(toBool(v), true, String(v));
    for (const v of [0, '0', false, 0n]) assert.equal(toBool(v), false, String(v));
    for (const v of [null, undefined, 2, 'true', '', -1, {}]) assert.throws(() => toBool(v), TypeError, String(v));
  });

  test('nowIso is UTC with whole seconds', () => {
    assert.match(nowIso(), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(isoSeconds(new Date(Date.UTC(2024, 4, 1, 12, 0, 5, 999))), '2024-05-01T12:00:05Z');
    assert.ok(Math.abs(Date.parse(nowIso()) - Date.now()) < 5_000);
  });
});

describe('error classifiers (driver error shapes; real errors are in database.test.ts)', () => {
  test('each dialect is recognised, and nothing else', () => {
    assert.ok(isUniqueViolation({ code: 'SQLITE_CONSTRAINT_PRIMARYKEY' }));
    assert.ok(isUniqueViolation({ code: '23505' }));
    assert.ok(isUniqueViolation({ code: 'ER_DUP_ENTRY', errno: 1062 }));
    assert.ok(isForeignKeyViolation({ code: '23503' }));
    assert.ok(isForeignKeyViolation({ errno: 1452 }));
    assert.ok(isRetryableError({ code: 'SQLITE_BUSY_SNAPSHOT' }));
    assert.ok(isRetryableError({ code: '40001' }));
    assert.ok(isRetryableError({ code: '40P01' }));
    assert.ok(isRetryableError({ errno: 1213 }));
    for (const e of [null, undefined, 'x', new Error('x'), { code: '23502' }, { errno: 1205 }]) {
      assert.equal(isUniqueViolation(e) || isForeignKeyViolation(e) || isRetryableError(e), false, String(e));
    }
  });
});

describe('withRetry', () => {
  const busy = () => Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });

  test('retries retryable errors until success', async () => {
    const seen: number[] = [];
    const result = await withRetry(async (attempt) => {
      seen.push(attempt);
      if (attempt < 3) throw busy();
      return 'ok';
    }, { baseDelayMs: 1 });
    assert.equal(result, 'ok');
    assert.deepEqual(seen, [1, 2, 3]);
  });

  test('does not retry other errors', async () => {
    let calls = 0;
    const err = new Error('nope');
    await assert.rejects(withRetry(async () => {
      calls++;
      throw err;
    }), (e) => e === err);
    assert.equal(calls, 1);
  });

  test('gives up after `attempts` and throws the last error', async () => {
    let calls = 0;
    await assert.rejects(withRetry(async () => {
      calls++;
      throw busy();
    }, { attempts: 3, baseDelayMs: 1 }), /database is locked/);
    assert.equal(calls, 3);
    await assert.rejects(withRetry(async () => 1, { attempts: 0 }), RangeError);
  });
});
