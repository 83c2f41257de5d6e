import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PROBE_CHARS, TokenCache } from './token-cache.js';

const tail = 'T'.repeat(PROBE_CHARS);

test('a token is found by its own string, a new string with the same text', () => {
  const c = new TokenCache<number>(10, 1000);
  const token = `gAAAAAB${'x'.repeat(150)}${tail}`;
  c.set(token, 1);
  assert.equal(c.get(Buffer.from(token).toString()), 1);
  assert.equal(c.get(`${token}y`), undefined);
  assert.equal(c.get(token.slice(1)), undefined);
});

test('tokens that share their tail never answer for each other; storing one drops the other', () => {
  const c = new TokenCache<string>(10, 1000);
  const a = `aaaa${tail}`;
  const b = `bbbb${tail}`;
  c.set(a, 'a');
  assert.equal(c.get(b), undefined);
  assert.equal(c.get(a), 'a');
  c.set(b, 'b');
  assert.equal(c.get(a), undefined);
  assert.equal(c.get(b), 'b');
  assert.equal(c.size, 1);
});

test('tokens shorter than the probe are keyed whole', () => {
  const c = new TokenCache<number>(10, 1000);
  c.set('abc', 1);
  c.set('bc', 2);
  assert.equal(c.get('abc'), 1);
  assert.equal(c.get('bc'), 2);
  assert.equal(c.get('c'), undefined);
});

test('entries expire after their ttl, which can only be shortened', () => {
  let now = 0;
  const c = new TokenCache<number>(10, 100, () => now);
  c.set(`1${tail}x`, 1);
  c.set(`2${tail}y`, 2, 10);
  now = 50;
  assert.equal(c.get(`1${tail}x`), 1);
  assert.equal(c.get(`2${tail}y`), undefined);
  now = 150;
  assert.equal(c.get(`1${tail}x`), undefined);
});

test('deleteWhere sees each value with its whole token', () => {
  const c = new TokenCache<{ user: string }>(10, 1000);
  const t1 = `one-${'1'.repeat(PROBE_CHARS)}`;
  const t2 = `two-${'2'.repeat(PROBE_CHARS)}`;
  c.set(t1, { user: 'u1' });
  c.set(t2, { user: 'u2' });
  const seen: string[] = [];
  c.deleteWhere((v, token) => {
    seen.push(token);
    return v.user === 'u1';
  });
  assert.deepEqual(seen.sort(), [t1, t2]);
  assert.equal(c.get(t1), undefined);
  assert.deepEqual(c.get(t2), { user: 'u2' });
  c.clear();
  assert.equal(c.size, 0);
});
