/**
 * Claims under concurrency never overcommit a provider: 100 concurrent PUT /allocations of one
 * VCPU against a provider with 10 give exactly 10 successes and 90 capacity conflicts; then 50
 * concurrent POST /allocations of two consumers each give exactly 5; the provider generation
 * moved once per successful write. Callers retry a 409 placement.concurrent_update as Nova does.
 * On SQLite, on PostgreSQL when NUBO_TEST_POSTGRES_URL is set and on MariaDB/MySQL when
 * NUBO_TEST_MYSQL_URL is.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import type { InjectResult } from '../../../common/testing/harness.js';
import { type CallOptions, type PlacementTest, startPlacement } from '../testing/placement-harness.js';

const SERVERS = { postgres: ['NUBO_TEST_POSTGRES_URL', process.env.NUBO_TEST_POSTGRES_URL], mysql: ['NUBO_TEST_MYSQL_URL', process.env.NUBO_TEST_MYSQL_URL] } as const;

/** A request retried while placement answers 409 placement.concurrent_update. */
async function withRetries(p: PlacementTest, method: string, path: string, opts: CallOptions): Promise<{ res: InjectResult; retries: number }> {
  for (let retries = 0; ; retries++) {
    const res = await p.call(method, path, opts);
    if (res.status !== 409 || res.body?.errors?.[0]?.code !== 'placement.concurrent_update' || retries >= 50) return { res, retries };
  }
}

function tally(results: Array<{ res: InjectResult }>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const { res } of results) {
    const key = res.status === 409 ? `409 ${/exceed the capacity/.test(res.text) ? 'capacity' : res.body.errors[0].code}` : String(res.status);
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

for (const backend of ['sqlite', 'postgres', 'mysql'] as const) {
  const server = backend === 'sqlite' ? undefined : SERVERS[backend];
  const skip = server && !server[1] ? `${server[0]} not set` : false;
  describe(`allocation claims on ${backend}`, { skip }, () => {
    test('concurrent claims never exceed capacity', async () => {
      const p = await startPlacement(server ? { serverUrl: server[1]! } : {});
      try {
        const rp = await p.provider('small', { inventories: { VCPU: { total: 10, max_unit: 10 } } });
        const gen0 = (await p.call('GET', `/resource_providers/${rp}`)).body.generation as number;
        const owner = { project_id: 'project-c', user_id: 'user-c', consumer_generation: null, allocations: { [rp]: { resources: { VCPU: 1 } } } };

        const puts = await Promise.all(Array.from({ length: 100 }, () =>
          withRetries(p, 'PUT', `/allocations/${randomUUID()}`, { version: '1.28', body: owner })));
        assert.deepEqual(tally(puts), { 204: 10, '409 capacity': 90 });
        const usage = (await p.call('GET', `/resource_providers/${rp}/usages`)).body;
        assert.deepEqual(usage.usages, { VCPU: 10 });
        assert.equal(usage.resource_provider_generation, gen0 + 10);

        const consumers = Object.keys((await p.call('GET', `/resource_providers/${rp}/allocations`)).body.allocations);
        assert.equal(consumers.length, 10);
        for (const c of consumers) assert.equal((await p.call('DELETE', `/allocations/${c}`)).status, 204);

        const posts = await Promise.all(Array.from({ length: 50 }, () =>
          withRetries(p, 'POST', '/allocations', { version: '1.28', body: { [randomUUID()]: owner, [randomUUID()]: owner } })));
        assert.deepEqual(tally(posts), { 204: 5, '409 capacity': 45 });
        const after = (await p.call('GET', `/resource_providers/${rp}/usages`)).body;
        assert.deepEqual(after.usages, { VCPU: 10 });
        assert.equal(after.resource_provider_generation, gen0 + 15);
        const allocations = (await p.call('GET', `/resource_providers/${rp}/allocations`)).body.allocations;
        assert.equal(Object.keys(allocations).length, 10);
        assert.equal(Object.values(allocations).reduce((n: number, a: any) => n + a.resources.VCPU, 0), 10);
      } finally {
        await p.close();
      }
    });

    test('an inventory change racing claims is either seen by them or refused', async () => {
      const p = await startPlacement(server ? { serverUrl: server[1]! } : {});
      try {
        const rp = await p.provider('shrinking', { inventories: { VCPU: { total: 20, max_unit: 20 } } });
        const gen = (await p.call('GET', `/resource_providers/${rp}`)).body.generation as number;
        const owner = { project_id: 'project-c', user_id: 'user-c', consumer_generation: null, allocations: { [rp]: { resources: { VCPU: 1 } } } };
        const claims = Promise.all(Array.from({ length: 30 }, () => withRetries(p, 'PUT', `/allocations/${randomUUID()}`, { version: '1.28', body: owner })));
        // Shrinking to 12 with the generation read before the claims: refused as soon as one claim moved it.
        const shrink = p.call('PUT', `/resource_providers/${rp}/inventories/VCPU`, { body: { resource_provider_generation: gen, total: 12, max_unit: 12 } });
        const [results, shrunk] = await Promise.all([claims, shrink]);
        const ok = results.filter((r) => r.res.status === 204).length;
        const usage = (await p.call('GET', `/resource_providers/${rp}/usages`)).body.usages.VCPU as number;
        assert.equal(usage, ok);
        if (shrunk.status === 200) assert.ok(usage <= 12, `usage ${usage} above the new total`);
        else assert.equal(shrunk.body.errors[0].code, 'placement.concurrent_update');
        assert.ok(usage <= 20);
      } finally {
        await p.close();
      }
    });
  });
}
