/**
 * Every route of every mounted service, probed with bad input: the all-in-one test cloud's
 * route table (recorded as services register, so a new service is covered without editing
 * this file), cases generated from each route's schema or its resource's shape plus generic
 * mutations (test/support/fuzz/), sent with an admin token, a member token of another project
 * and no token. Seeded, so a run can be replayed; bounded by per-route budgets and a
 * per-request timeout (about 10,000 requests, some 10 s on an idle 2-core machine; the test's
 * own timeout only guards against a machine many times overloaded). Fails listing every
 * request that answered 5xx (501 aside), hung or lost its connection. The first test shows the
 * runner catches a throwing and a hanging route on a tiny app.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyPluginAsync } from 'fastify';
import { createHttpApp } from '../src/common/http/app.js';
import { jsonErrorFault } from '../src/common/testing/faults.js';
import { mountService } from '../src/common/http/service-mount.js';
import { createLogger } from '../src/common/log/logger.js';
import type { TokenValidator } from '../src/common/auth/token-info.js';
import { paramNames } from './support/fuzz/cases.js';
import { planJobs, type PlanIdentity } from './support/fuzz/plan.js';
import { Prng } from './support/fuzz/prng.js';
import { formatFailures, runFuzz } from './support/fuzz/runner.js';
import { Api, createMember, seedResources } from './support/fuzz/seed.js';
import { CloudMap } from './support/fuzz/targets.js';
import { startTestCloud } from './support/cloud.js';

const SEED = Number(process.env.NUBO_FUZZ_SEED ?? 20240808);
/** Multiplies the per-route budgets, for a longer hunt by hand (NUBO_FUZZ_SCALE=5 npm test -- fuzz-routes). */
const SCALE = Number(process.env.NUBO_FUZZ_SCALE ?? 1);

test('the fuzz runner finds the routes of a plugin and reports one that throws and one that hangs', async () => {
  const validator: TokenValidator = { async validate() { return undefined as never; } };
  const app = createHttpApp({ log: createLogger({ level: 'silent' }), bodyLimit: 1 << 20, keepAliveTimeout: 1000 });
  const routes: FastifyPluginAsync = async (scope) => {
    const open = { config: { public: true } };
    scope.get('/ok/:id', open, async () => ({ ok: true }));
    scope.post('/things', { ...open, schema: { body: { type: 'object', required: ['thing'], properties: { thing: { type: 'object' } } } } }, async () => ({}));
    scope.get('/throws', open, async (req) => {
      if (Object.keys(req.query as object).length > 0) throw new TypeError('cannot read properties of undefined');
      return {};
    });
    // Hangs on the one input every GET route is tried with (so few requests wait for the timeout).
    scope.get('/hang', open, async (req) => ((req.query as { limit?: string }).limit === '99999999999999999999' ? new Promise(() => {}) : {}));
  };
  await mountService(app, routes, { prefix: '/tiny', fault: jsonErrorFault, validator, authUri: 'http://x/identity' });
  await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const prng = new Prng(1);
    const tiny = app.routeTable.filter((r) => r.url.startsWith('/tiny'));
    assert.deepEqual(tiny.filter((r) => r.method !== 'HEAD').map((r) => `${r.method} ${r.url}`).sort(),
      ['GET /tiny/hang', 'GET /tiny/ok/:id', 'GET /tiny/throws', 'POST /tiny/things'], 'the route table lists the plugin routes');
    const jobs = await planJobs(tiny, {
      identities: [{ name: 'anonymous', budget: 12 }], headBudget: 1, publicBudget: 12, prng,
      context: async (route) => ({ route, params: Object.fromEntries(paramNames(route.url).map((n) => [n, prng.uuid()])), queryNames: [] }),
    });
    const { failures } = await runFuzz(`http://127.0.0.1:${(app.server.address() as { port: number }).port}`, jobs, { timeoutMs: 1500 });
    const seen = new Set(failures.map((f) => `${f.method} ${f.url.split('?')[0]} ${f.status}`));
    assert.ok(seen.has('GET /tiny/throws 500'), formatFailures(failures));
    assert.ok(seen.has('GET /tiny/hang timeout'), formatFailures(failures));
    assert.ok(!failures.some((f) => f.url.startsWith('/tiny/ok') || f.url.startsWith('/tiny/things')), formatFailures(failures));
  } finally {
    await app.close();
  }
});

test('no route of the all-in-one cloud answers bad input with 5xx, hangs or drops the connection', { timeout: 600_000 * SCALE }, async () => {
  const cloud = await startTestCloud();
  try {
    const started = performance.now();
    const adminToken = await cloud.adminToken();
    const api = new Api(cloud.url, adminToken);
    const member = await createMember(api);
    const routes = cloud.cloud.app!.routeTable;
    const map = new CloudMap(cloud.url, adminToken, routes);
    await map.protectExisting([member.userId, member.projectId]);
    await seedResources(api, member);
    map.useTemplates(api.accepted);

    const prng = new Prng(SEED);
    const identities: PlanIdentity[] = [
      { name: 'admin', token: adminToken, budget: 14 * SCALE },
      { name: 'member of another project', token: member.token, budget: 4 * SCALE },
      { name: 'no token', budget: SCALE },
    ];
    const jobs = await planJobs(routes, { identities, headBudget: 2 * SCALE, publicBudget: 20 * SCALE, prng, context: (route) => map.context(route, prng) });
    const result = await runFuzz(cloud.url, jobs, { concurrency: 4, timeoutMs: 10_000 });
    const total = (performance.now() - started) / 1000;
    const statuses = [...result.statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}:${n}`).join(' ');
    console.log(`fuzz: ${routes.length} routes, ${result.requests} requests in ${(result.ms / 1000).toFixed(1)} s (${total.toFixed(1)} s with setup), seed ${SEED}, scale ${SCALE}; statuses ${statuses}`);
    assert.equal(result.failures.length, 0, `${result.failures.length} bad requests answered 5xx, hung or dropped:\n${formatFailures(result.failures)}`);
  } finally {
    await cloud.close();
  }
});
