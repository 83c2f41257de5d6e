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

test('a hit on an entry older than half the bound moves it to the recent end', () => {
  const c = new TtlLru<string, number>(4, 1000);
  for (const k of ['a', 'b', 'c', 'd']) c.set(k, 0);
  assert.equal(c.get('a'), 0); // three stores since a: moved
  c.set('e', 0); // evicts b, the least recently used
  assert.equal(c.get('b'), undefined);
  assert.equal(c.get('c'), 0); // three stores or moves since c: moved
  c.set('f', 0); // evicts d
  assert.deepEqual(['a', 'c', 'd', 'e', 'f'].map((k) => c.get(k) !== undefined), [true, true, false, true, true]);
});

test('a hit on an entry among the most recent half leaves it in place (LRU to within half the bound)', () => {
  const c = new TtlLru<string, number>(4, 1000);
  for (const k of ['a', 'b', 'c', 'd']) c.set(k, 0);
  assert.equal(c.get('c'), 0); // one store since c: stays before d
  for (const k of ['e', 'f', 'g']) c.set(k, 0); // evict a, b, then c
  assert.deepEqual(['c', 'd', 'e', 'f', 'g'].map((k) => c.get(k) !== undefined), [false, true, true, true, true]);
});
