#!/usr/bin/env node
// The CPU cost of tracing on the request path, in one process and without the network, so that
// load from elsewhere on a shared machine moves wall time but hardly the CPU time per request:
// a service route mounted as the cloud mounts it (request ids, token check, the tracing hooks)
// is driven with Fastify's inject() under four settings, in interleaved rounds:
//   off       [tracing] enabled = false (what main does: no hooks' work, no spans)
//   sample0   enabled, sample_ratio = read_sample_ratio = 0 (requests not sampled: no span)
//   none      enabled, sampled, exporter = none (spans made, then dropped)
//   file      enabled, sampled, exporter = file (the all-in-one default: JSON lines in a temp dir)
// and prints each setting's median CPU microseconds per request and the difference to `off`.
// Run: node --import tsx bench/tracing-cost.mjs [requests per round (20000)] [rounds (5)]
// Env: BENCH_SETTINGS=name,name  measure only these settings.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHttpApp } from '../src/common/http/app.ts';
import { mountService } from '../src/common/http/service-mount.ts';
import { createLogger } from '../src/common/log/logger.ts';
import { configureTracing, flushTracing } from '../src/common/tracing/tracing.ts';
import { tokenInfoFromBody } from '../src/common/auth/token-body.ts';

const requests = Number(process.argv[2] ?? 20000);
const rounds = Number(process.argv[3] ?? 5);
const dir = mkdtempSync(join(tmpdir(), 'nubo-bench-tracing-'));
const info = tokenInfoFromBody({
  methods: ['password'], user: { id: 'u1', name: 'alice', domain: { id: 'default', name: 'Default' } },
  project: { id: 'p1', name: 'demo', domain: { id: 'default', name: 'Default' } }, roles: [{ id: 'r1', name: 'member' }],
  expires_at: '2099-01-01T00:00:00Z', issued_at: '2026-01-01T00:00:00Z', audit_ids: ['a'],
});
const base = { enabled: true, exporter: 'none', otlp_endpoint: 'http://127.0.0.1:4318/v1/traces', sample_ratio: 1, read_sample_ratio: 1, file_max_bytes: 64 << 20, file_max_files: 1 };
const allSettings = {
  off: { ...base, enabled: false },
  sample0: { ...base, sample_ratio: 0, read_sample_ratio: 0 },
  none: base,
  file: { ...base, exporter: 'file' },
};
// BENCH_SETTINGS=off,none measures only these (e.g. with --cpu-prof).
const settings = Object.fromEntries(Object.entries(allSettings).filter(([k]) => !process.env.BENCH_SETTINGS || process.env.BENCH_SETTINGS.split(',').includes(k)));

const quiet = { write: () => true };
const app = createHttpApp({ log: createLogger({ level: 'info', destination: quiet }), bodyLimit: 1 << 20, keepAliveTimeout: 1000 });
await mountService(app, async (s) => { s.get('/v3/things/:id', async (req) => ({ thing: { id: req.params.id } })); }, {
  prefix: '/identity', fault: () => ({ contentType: 'application/json', body: '{}' }), validator: { validate: async () => info },
  authUri: 'http://x/identity', trace: { service: 'keystone', host: 'bench' },
});
await app.ready();

async function round(name) {
  const handle = configureTracing(settings[name], dir);
  const headers = { 'x-auth-token': 'tok' };
  for (let i = 0; i < 500; i++) await app.inject({ url: '/identity/v3/things/1', headers });
  const before = process.cpuUsage();
  for (let i = 0; i < requests; i++) await app.inject({ url: '/identity/v3/things/1', headers });
  await flushTracing();
  const used = process.cpuUsage(before);
  await handle.shutdown();
  return (used.user + used.system) / requests;
}

const results = Object.fromEntries(Object.keys(settings).map((k) => [k, []]));
const names = Object.keys(settings);
// Each round starts with another setting, so that none always follows the same one.
for (let r = 0; r < rounds; r++) for (let i = 0; i < names.length; i++) { const name = names[(r + i) % names.length]; results[name].push(await round(name)); }
await app.close();
rmSync(dir, { recursive: true, force: true });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const off = median(results.off ?? [NaN]);
console.log(`tracing cost: ${rounds} interleaved rounds of ${requests} inject() requests per setting; CPU µs per request (median; rounds)`);
for (const [name, xs] of Object.entries(results)) {
  const m = median(xs);
  console.log(`${name.padEnd(8)} ${m.toFixed(1).padStart(7)} µs/req  ${name === 'off' ? '        ' : `${(m - off >= 0 ? '+' : '') + (m - off).toFixed(1)} µs`.padStart(8)}  ${((m / off - 1) * 100).toFixed(1).padStart(6)} %   (${xs.map((x) => x.toFixed(1)).join(' / ')})`);
}
