import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TtlLru } from './ttl-lru.js';

test('evicts the least recently used entry beyond the bound', () => {
  const c = new TtlLru<string, number>(2, 1000);
  c.set('a', 1); c.set('b', 2);
  assert.equal(c.get('a'), 1); // a is now most recent
  c.set('c', 3);
  assert.equal(c.get('b'), undefined);
  assert.equal(c.get('a'), 1);
  assert.equal(c.get('c'), 3);
});

test('entries expire after their ttl, which can only be shortened', () => {
  let now = 0;
  const c = new TtlLru<string, number>(10, 100, () => now);
  c.set('a', 1); c.set('b', 2, 10); c.set('c', 3, 1_000_000);
  now = 50;
  assert.equal(c.get('a'), 1);
  assert.equal(c.get('b'), undefined);
  now = 150;
  assert.equal(c.get('a'), undefined);
  assert.equal(c.get('c'), undefined);
});

test('deleteWhere drops matching entries', () => {
  const c = new TtlLru<string, { user: string }>(10, 1000);
  c.set('t1', { user: 'u1' }); c.set('t2', { user: 'u2' }); c.set('t3', { user: 'u1' });
  c.deleteWhere((v) => v.user === 'u1');
  assert.equal(c.size, 1);
  assert.deepEqual(c.get('t2'), { user: 'u2' });
});
