import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CatalogServiceBody } from '../providers.js';
import { CatalogCache } from './catalog-cache.js';

const service = (id: string): CatalogServiceBody => ({ id, type: 'identity', name: 'keystone', endpoints: [] });

test('the catalog is loaded once per (project, user); its JSON text is ready once loaded', async () => {
  const loads: string[] = [];
  const cache = new CatalogCache(async (p, u) => { loads.push(`${p}/${u}`); return [service(`${p}-${u}`)]; });
  const pending = cache.json('p1', 'u1');
  assert.ok(pending instanceof Promise);
  assert.equal(await pending, JSON.stringify([service('p1-u1')]));
  assert.equal(cache.json('p1', 'u1'), JSON.stringify([service('p1-u1')]));
  assert.deepEqual(await cache.get('p1', 'u1'), [service('p1-u1')]);
  assert.equal(await cache.json('p1', 'u2'), JSON.stringify([service('p1-u2')]));
  assert.deepEqual(loads, ['p1/u1', 'p1/u2']);
  cache.clear();
  assert.ok(cache.json('p1', 'u1') instanceof Promise);
  assert.deepEqual(loads, ['p1/u1', 'p1/u2', 'p1/u1']);
});

test('a failed load is not kept', async () => {
  let fail = true;
  const cache = new CatalogCache(async () => { if (fail) throw new Error('db down'); return [service('s')]; });
  await assert.rejects(async () => cache.json('p', 'u'), /db down/);
  await assert.rejects(cache.get('p', 'u'), /db down/);
  fail = false;
  await new Promise((r) => setImmediate(r));
  assert.equal(await cache.json('p', 'u'), JSON.stringify([service('s')]));
});

test('each (project, user) keeps its own catalog when the table of keys is emptied and refilled', async () => {
  const cache = new CatalogCache(async (p, u) => [service(`${p}-${u}`)], { size: 2 });
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 20; i++) {
      const [p, u] = [`p${i % 5}`, `u${i}`];
      assert.equal(await cache.json(p, u), JSON.stringify([service(`${p}-${u}`)]));
    }
  }
  assert.equal(await cache.json(undefined, 'u1'), JSON.stringify([service('undefined-u1')]));
  assert.equal(await cache.json('p1', undefined), JSON.stringify([service('p1-undefined')]));
});
