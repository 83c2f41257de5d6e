#!/usr/bin/env node
// Port create / list / show / delete through the Network API at a fixed concurrency, against a
// running cloud, printing requests per second and latency percentiles per operation.
//
// Run: npm run build && node bench/network-ports.mjs [seconds per phase (10)] [concurrency (16)]
// Env: NUBO_CLOUDS_YAML=/path/clouds.yaml  measure an already running cloud (cloud "nubo");
//      otherwise the cloud is started here from dist/nubo.js on a free loopback port with a
//      temporary data dir (SQLite, in-process bus), and stopped at the end.
//      BENCH_DB_URL=postgresql://...  (with the started cloud) put its databases on PostgreSQL.
// The ports go on a /16 subnet with DHCP off; created ports are deleted in the delete phase.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { parse } from 'yaml';

const root = new URL('..', import.meta.url).pathname;
const seconds = Number(process.argv[2] ?? 10);
const concurrency = Number(process.argv[3] ?? 16);

async function startCloud() {
  const nubo = join(root, 'dist/nubo.js');
  if (!existsSync(nubo)) throw new Error('dist/nubo.js is missing: run `npm run build` first, or set NUBO_CLOUDS_YAML');
  const dataDir = mkdtempSync(join(tmpdir(), 'nubo-bench-net-'));
  const child = spawn(process.execPath, [nubo, 'up'], {
    env: {
      ...process.env, NUBO_DATA_DIR: dataDir, NUBO_BIND: '127.0.0.1:0', NUBO_DEFAULT__LOG_LEVEL: 'warn',
      ...(process.env.BENCH_DB_URL ? { NUBO_DATABASE__CONNECTION: process.env.BENCH_DB_URL } : {}),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nubo: no ready line within 60 s:\n${out}`)), 60_000);
    child.stdout.on('data', (d) => {
      out += d;
      if (/nubo: ready at (\S+)/.test(out)) { clearTimeout(timer); resolve(); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`nubo exited ${code}:\n${out}`)); });
  });
  child.removeAllListeners('exit');
  return { child, dataDir, cloudsYaml: join(dataDir, 'clouds.yaml') };
}

async function login(cloudsYaml) {
  const auth = parse(readFileSync(cloudsYaml, 'utf8')).clouds.nubo.auth;
  const res = await fetch(`${auth.auth_url}/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ auth: {
      identity: { methods: ['password'], password: { user: { name: auth.username, domain: { name: auth.user_domain_name ?? 'Default' }, password: auth.password } } },
      scope: { project: { name: auth.project_name, domain: { name: auth.project_domain_name ?? 'Default' } } },
    } }),
  });
  if (res.status !== 201) throw new Error(`login failed: ${res.status}`);
  const body = await res.json();
  const net = body.token.catalog.find((s) => s.type === 'network');
  const ep = net?.endpoints.find((e) => e.interface === 'public');
  if (!ep) throw new Error('no network endpoint in the catalog');
  return { token: res.headers.get('x-subject-token'), url: ep.url.replace(/\/$/, '') };
}

function percentile(sorted, p) {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const started = process.env.NUBO_CLOUDS_YAML ? undefined : await startCloud();
const cloudsYaml = process.env.NUBO_CLOUDS_YAML ?? started.cloudsYaml;
try {
  const { token, url } = await login(cloudsYaml);
  const base = new URL(url);
  const prefix = base.pathname.replace(/\/$/, '');
  const pool = new Pool(base.origin, { connections: concurrency, pipelining: 1 });
  const call = async (method, path, body) => {
    const res = await pool.request({
      method, path: `${prefix}${path}`,
      headers: { 'x-auth-token': token, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.body.text();
    return { status: res.statusCode, body: text ? JSON.parse(text) : undefined };
  };

  const net = await call('POST', '/v2.0/networks', { network: { name: 'bench-ports' } });
  if (net.status !== 201) throw new Error(`network create: ${net.status} ${JSON.stringify(net.body)}`);
  const networkId = net.body.network.id;
  const sub = await call('POST', '/v2.0/subnets', { subnet: { network_id: networkId, cidr: '10.200.0.0/16', ip_version: 4, enable_dhcp: false } });
  if (sub.status !== 201) throw new Error(`subnet create: ${sub.status} ${JSON.stringify(sub.body)}`);
  const quota = await call('GET', '/v2.0/quotas/project');
  await call('PUT', `/v2.0/quotas/${quota.body.project.project_id}`, { quota: { port: -1 } });

  const ports = [];
  /** Runs `op` from `concurrency` workers until `stop()` says so; returns latencies (ms) and errors. */
  async function phase(op, stop) {
    const lat = [];
    let errors = 0;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (!stop(performance.now() - t0)) {
        const t = performance.now();
        const ok = await op();
        lat.push(performance.now() - t);
        if (!ok) errors++;
      }
    }));
    return { lat: lat.sort((a, b) => a - b), secs: (performance.now() - t0) / 1000, errors };
  }

  const rows = [];
  const timeUp = (ms) => ms >= seconds * 1000;
  rows.push(['port create', await phase(async () => {
    const r = await call('POST', '/v2.0/ports', { port: { network_id: networkId } });
    if (r.status === 201) ports.push(r.body.port.id);
    return r.status === 201;
  }, timeUp)]);
  rows.push(['port list (network)', await phase(async () => (await call('GET', `/v2.0/ports?network_id=${networkId}&limit=100`)).status === 200, timeUp)]);
  let i = 0;
  rows.push(['port show', await phase(async () => (await call('GET', `/v2.0/ports/${ports[i++ % ports.length]}`)).status === 200, timeUp)]);
  const toDelete = [...ports];
  rows.push(['port delete', await phase(async () => {
    const id = toDelete.pop();
    if (!id) return true;
    return (await call('DELETE', `/v2.0/ports/${id}`)).status === 204;
  }, () => toDelete.length === 0)]);

  console.log(`Network API ports, concurrency ${concurrency}, ${seconds} s per phase, ${ports.length} ports created (${url})`);
  console.log(`${'operation'.padEnd(22)} ${'requests'.padStart(9)} ${'errors'.padStart(7)} ${'seconds'.padStart(8)} ${'req/s'.padStart(9)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'p99 ms'.padStart(8)}`);
  for (const [name, r] of rows) {
    console.log(`${name.padEnd(22)} ${String(r.lat.length).padStart(9)} ${String(r.errors).padStart(7)} ${r.secs.toFixed(2).padStart(8)} ${(r.lat.length / r.secs).toFixed(1).padStart(9)} ${percentile(r.lat, 50).toFixed(1).padStart(8)} ${percentile(r.lat, 95).toFixed(1).padStart(8)} ${percentile(r.lat, 99).toFixed(1).padStart(8)}`);
  }
  await call('DELETE', `/v2.0/networks/${networkId}`);
  await pool.close();
} finally {
  if (started) {
    const exited = new Promise((r) => started.child.on('exit', r));
    started.child.kill('SIGTERM');
    await exited;
    rmSync(started.dataDir, { recursive: true, force: true });
  }
}
