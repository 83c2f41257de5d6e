#!/usr/bin/env node
// Token issue (POST /v3/auth/tokens, password, project scope) and token validation
// (GET /v3/auth/tokens with X-Subject-Token) at a fixed concurrency, for Nubo's identity service
// (started here from the built dist/, identity only) and for the real Keystone started by
// ../shared/peers/keystone-up.sh with memcached caching (2 uwsgi processes), in the same run,
// on loopback. Both hash passwords with bcrypt at the same cost (KEYSTONE_HASH_ROUNDS, default
// 4; Nubo's [identity] password_hash_rounds is set to it). Load comes from undici keep-alive
// pools (Keystone's uwsgi closes every connection; that is part of its cost).
//
// Run: npm run build && node bench/identity-tokens.mjs [seconds per phase (10)] [concurrency (16)]
// Env: KEYSTONE_UP (path of keystone-up.sh, default ../shared/peers/keystone-up.sh from the repo);
//      NUBO_AUTH_URL + NUBO_PASSWORD: measure an already running Nubo instead of starting dist/;
//      ONLY=nubo|keystone: measure one side.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';

const root = new URL('..', import.meta.url).pathname;
const seconds = Number(process.argv[2] ?? 10);
const concurrency = Number(process.argv[3] ?? 16);
const rounds = process.env.KEYSTONE_HASH_ROUNDS ?? '4';
const keystoneUp = process.env.KEYSTONE_UP ?? join(root, '../shared/peers/keystone-up.sh');
const SUBJECTS = 64;

/** Starts `nubo up` (identity only) on a free loopback port; resolves with its URL and admin password. */
async function startNubo(dataDir) {
  const child = spawn(process.execPath, [join(root, 'dist/nubo.js'), 'up'], {
    env: {
      ...process.env, NUBO_DATA_DIR: dataDir, NUBO_BIND: '127.0.0.1:0', NUBO_DEFAULT__LOG_LEVEL: 'warn',
      NUBO_DEFAULT__ENABLED_SERVICES: 'identity', NUBO_IDENTITY__PASSWORD_HASH_ROUNDS: rounds,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nubo: no ready line within 60 s:\n${out}`)), 60_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /nubo: ready at (\S+)/.exec(out);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`nubo exited ${code}:\n${out}`)); });
  });
  const clouds = readFileSync(join(dataDir, 'clouds.yaml'), 'utf8');
  const password = /password:\s*(\S+)/.exec(clouds)?.[1];
  const authUrl = /auth_url:\s*(\S+)/.exec(clouds)?.[1];
  return { child, url, authUrl, password };
}

function startKeystone() {
  const out = execFileSync('bash', [keystoneUp], { env: { ...process.env, KEYSTONE_CACHE: 'memcache', KEYSTONE_HASH_ROUNDS: rounds }, encoding: 'utf8' });
  const authUrl = out.trim().split('\n').pop();
  const rc = readFileSync(join(process.env.KEYSTONE_STATE_DIR ?? '/tmp/keystone-peer', 'openrc'), 'utf8');
  return { authUrl, password: /OS_PASSWORD=(\S+)/.exec(rc)?.[1] };
}

const authBody = (password) => JSON.stringify({ auth: {
  identity: { methods: ['password'], password: { user: { name: 'admin', domain: { id: 'default' }, password } } },
  scope: { project: { name: 'admin', domain: { id: 'default' } } },
} });

/** Runs `fn` from `concurrency` loops for `ms`; returns requests/s and latency percentiles. */
async function load(ms, fn) {
  const lat = [];
  let errors = 0;
  const end = performance.now() + ms;
  const worker = async (w) => {
    for (let i = w; performance.now() < end; i += concurrency) {
      const t0 = performance.now();
      try {
        await fn(i);
        lat.push(performance.now() - t0);
      } catch {
        errors++;
      }
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  const elapsed = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  const pct = (p) => lat[Math.min(lat.length - 1, Math.floor(lat.length * p))] ?? NaN;
  return { rps: lat.length / elapsed, p50: pct(0.5), p99: pct(0.99), n: lat.length, errors };
}

async function benchTarget(name, authUrl, password) {
  const u = new URL(authUrl);
  const base = u.pathname.replace(/\/$/, '');
  const pool = new Pool(u.origin, { connections: concurrency, pipelining: 1 });
  const body = authBody(password);
  const issue = async () => {
    const res = await pool.request({ path: `${base}/auth/tokens`, method: 'POST', headers: { 'content-type': 'application/json' }, body });
    await res.body.dump();
    if (res.statusCode !== 201) throw new Error(`issue: HTTP ${res.statusCode}`);
    return String(res.headers['x-subject-token']);
  };
  const adminToken = await issue();
  const subjects = [];
  for (let i = 0; i < SUBJECTS; i++) subjects.push(await issue());
  const validate = async (i) => {
    const res = await pool.request({
      path: `${base}/auth/tokens`, method: 'GET',
      headers: { 'x-auth-token': adminToken, 'x-subject-token': subjects[i % SUBJECTS] },
    });
    await res.body.dump();
    if (res.statusCode !== 200) throw new Error(`validate: HTTP ${res.statusCode}`);
  };
  await load(2000, issue);
  const issued = await load(seconds * 1000, issue);
  await load(2000, validate);
  const validated = await load(seconds * 1000, validate);
  await pool.close();
  return { name, issued, validated };
}

const fmt = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : '-');
const dataDir = mkdtempSync(join(tmpdir(), 'nubo-bench-id-'));
let nubo;
try {
  const only = process.env.ONLY;
  const results = [];
  if (only !== 'keystone') {
    let target = process.env.NUBO_AUTH_URL ? { authUrl: process.env.NUBO_AUTH_URL, password: process.env.NUBO_PASSWORD } : undefined;
    if (!target) {
      if (!existsSync(join(root, 'dist/nubo.js'))) throw new Error('dist/nubo.js is missing: run npm run build first');
      nubo = await startNubo(dataDir);
      target = nubo;
    }
    results.push(await benchTarget('nubo', target.authUrl, target.password));
  }
  if (only !== 'nubo') {
    const ks = startKeystone();
    results.push(await benchTarget('keystone', ks.authUrl, ks.password));
  }
  console.log(`identity tokens: ${seconds} s per phase, concurrency ${concurrency}, bcrypt cost ${rounds}, ${SUBJECTS} subject tokens`);
  console.log(`${'target'.padEnd(10)} ${'issue req/s'.padStart(12)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'validate req/s'.padStart(15)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'errors'.padStart(7)}`);
  for (const r of results) {
    console.log(`${r.name.padEnd(10)} ${fmt(r.issued.rps).padStart(12)} ${fmt(r.issued.p50, 1).padStart(8)} ${fmt(r.issued.p99, 1).padStart(8)} `
      + `${fmt(r.validated.rps).padStart(15)} ${fmt(r.validated.p50, 2).padStart(8)} ${fmt(r.validated.p99, 2).padStart(8)} ${String(r.issued.errors + r.validated.errors).padStart(7)}`);
  }
  const [n, k] = results;
  if (n && k) console.log(`ratio nubo/keystone: issue ${fmt(n.issued.rps / k.issued.rps, 1)}x, validate ${fmt(n.validated.rps / k.validated.rps, 1)}x `
    + `(p99 issue ${fmt(k.issued.p99 / n.issued.p99, 1)}x lower, validate ${fmt(k.validated.p99 / n.validated.p99, 1)}x lower)`);
} finally {
  if (nubo) {
    nubo.child.removeAllListeners('exit');
    const exited = new Promise((r) => nubo.child.on('exit', r));
    nubo.child.kill('SIGTERM');
    await exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
}
