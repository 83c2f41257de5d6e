#!/usr/bin/env node
// The cost of Nubo's request path (HTTP kit + token check) against a bare Fastify route, in one
// run: a bare Fastify server (same Fastify, one route, no logger, in a child process) and the
// all-in-one cloud (`node dist/nubo.js up`, temporary data dir, free loopback port, bcrypt cost 4,
// default log level with the log written to a file in the data dir) are driven one after the
// other by the same keep-alive load loop (undici Pool, `concurrency` connections, pipelining 1),
// which runs in a third process. Targets are measured in interleaved rounds (warm-up first) and
// each target's figure is the median of its rounds, so that a burst of load from elsewhere on a
// shared machine does not land on one target only.
//
// Targets: the bare route; GET /healthcheck; GET /identity/v3; token validation (GET
// /identity/v3/auth/tokens with the admin's X-Auth-Token and one of 64 X-Subject-Tokens), with
// the catalog and with ?nocatalog.
// Goals (issue #8, "lean request path"): /healthcheck >= 90 % of the bare route, token
// validation >= 60 %.
//
// Intended setup: 2 cores, servers pinned to core 0 and the load loop to core 1 (taskset, when
// present and the machine has 2 or more cores).
//
// Run: npm run build && node bench/request-path.mjs [seconds per round (5)] [rounds (3)] [concurrency (16)]
// Env: PROFILE_DIR=dir  run both servers with --cpu-prof; bare.cpuprofile and nubo.cpuprofile land there.
//      PROFILE_INTERVAL=us  their sampling interval (V8's default is 1000 us: too coarse for a request of ~20 us).
//      BENCH_TARGETS=name,name  measure only these targets (names as in the table).
//      COMPARE_DIST=path/to/nubo.js[,...]  also start clouds from other builds (inside the repo,
//        so that they find node_modules; labelled by their directory's name) and measure them
//        interleaved with this one: before/after figures from one run, under the same load.
//      LOAD_CLIENT=undici  load from an undici Pool instead of raw sockets.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { connect } from 'node:net';
import { basename, dirname, join, resolve } from 'node:path';
import { Pool } from 'undici';
import { CLOUD_ENV, CLOUD_NODE_ARGS } from './support/cloud.mjs';

const root = new URL('..', import.meta.url).pathname;
const self = new URL(import.meta.url).pathname;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// Child roles: `bare` (the reference server) and `load` (the load loop).

const BARE_SERVER = `
import Fastify from 'fastify';
const app = Fastify();
app.get('/healthcheck', async (_req, reply) => { reply.type('text/plain').send('OK'); });
// A JSON body of :bytes bytes with request-id and subject-token headers of Nubo's lengths.
const sized = new Map();
app.get('/sized/:bytes/:token', async (req, reply) => {
  const key = req.params.bytes + '/' + req.params.token;
  let body = sized.get(key);
  if (!body) sized.set(key, (body = JSON.stringify({ p: 'x'.repeat(Math.max(0, Number(req.params.bytes) - 8)) })));
  reply.header('x-openstack-request-id', 'req-00000000-0000-0000-0000-000000000000')
    .header('x-subject-token', 'g'.repeat(Number(req.params.token))).type('application/json').send(body);
});
await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write('bare: ready at http://127.0.0.1:' + app.server.address().port + '\\n');
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
`;

/**
 * One keep-alive HTTP/1.1 connection that sends prepared GET requests one at a time and reads
 * just enough of each response (status line, Content-Length, body) to know it is complete.
 * Written here rather than using undici for the measured load: undici's per-request work
 * (headers objects, body stream) saturates the load core before a bare Fastify route
 * saturates the server core, which would make the bare route's figure the client's.
 */
class RawConnection {
  constructor(origin) {
    const u = new URL(origin);
    this.ready = new Promise((resolve, reject) => {
      this.socket = connect({ host: u.hostname, port: Number(u.port) }, resolve).once('error', reject);
    });
    this.socket.setNoDelay(true);
    this.buf = Buffer.alloc(0);
    this.pending = undefined;
    this.socket.on('data', (chunk) => this.onData(chunk));
    this.socket.on('error', (err) => this.fail(err));
    this.socket.on('close', () => this.fail(new Error('connection closed')));
  }

  /** Sends `bytes` (a whole request); resolves with the response's status code. */
  request(bytes) {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.socket.write(bytes);
    });
  }

  onData(chunk) {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const end = this.buf.indexOf('\r\n\r\n');
    if (end < 0) return;
    const head = this.buf.toString('latin1', 0, end);
    const m = /\r\ncontent-length: *(\d+)/i.exec(head);
    if (!m) return this.fail(new Error(`response without Content-Length: ${head.split('\r\n')[0]}`));
    const total = end + 4 + Number(m[1]);
    if (this.buf.length < total) return;
    this.buf = this.buf.subarray(total);
    const p = this.pending;
    this.pending = undefined;
    p?.resolve(Number(head.slice(9, 12)));
  }

  fail(err) {
    const p = this.pending;
    this.pending = undefined;
    p?.reject(err);
  }

  close() {
    this.socket.destroy();
  }
}

/** The bytes of `GET path` with `headers`, keep-alive. */
function requestBytes(origin, { path, headers }) {
  const lines = [`GET ${path} HTTP/1.1`, `host: ${new URL(origin).host}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
}

/**
 * `concurrency` connections to the target, each sending one request at a time: `raw` (the
 * default, RawConnection) or `undici` (a Pool, as the other bench/ scripts use; its own cost
 * caps what the bare route can show).
 */
async function connections(kind, concurrency, target) {
  if (kind === 'undici') {
    const pool = new Pool(target.origin, { connections: concurrency, pipelining: 1 });
    const send = async (req) => {
      const res = await pool.request({ method: 'GET', ...req });
      await res.body.dump();
      return res.statusCode;
    };
    return { senders: Array.from({ length: concurrency }, () => send), close: () => pool.close() };
  }
  const conns = Array.from({ length: concurrency }, () => new RawConnection(target.origin));
  await Promise.all(conns.map((c) => c.ready));
  const bytes = new Map(target.requests.map((r) => [r, requestBytes(target.origin, r)]));
  return { senders: conns.map((c) => (req) => c.request(bytes.get(req))), close: () => conns.forEach((c) => c.close()) };
}

/**
 * Sends the target's requests (in turn) from `concurrency` connections, one request at a time
 * each, for `ms`; returns requests/s and latency percentiles. Non-200 answers count as errors.
 */
async function load(kind, ms, concurrency, target) {
  const { senders, close } = await connections(kind, concurrency, target);
  const lat = [];
  let errors = 0;
  let firstError;
  const end = performance.now() + ms;
  const worker = async (w) => {
    const send = senders[w];
    for (let i = w; performance.now() < end; i += concurrency) {
      const t0 = performance.now();
      try {
        const status = await send(target.requests[i % target.requests.length]);
        if (status !== 200) throw new Error(`HTTP ${status}`);
        lat.push(performance.now() - t0);
      } catch (err) {
        errors++;
        firstError ??= err.message;
        if (errors > 1000) break;
      }
    }
  };
  const t0 = performance.now();
  await Promise.all(senders.map((_, w) => worker(w)));
  const elapsed = (performance.now() - t0) / 1000;
  await close();
  lat.sort((a, b) => a - b);
  const pct = (p) => lat[Math.min(lat.length - 1, Math.floor(lat.length * p))] ?? NaN;
  return { rps: lat.length / elapsed, p50: pct(0.5), p99: pct(0.99), n: lat.length, errors, firstError };
}

/** CPU seconds (user + system) used so far by process `pid` (Linux /proc). */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return NaN;
  }
}

/** Issues the admin's project-scoped token and 64 subject tokens from the cloud at `nuboUrl`. */
async function issueTokens(nuboUrl, password) {
  const pool = new Pool(new URL(nuboUrl).origin, { connections: 4 });
  const issue = async () => {
    const res = await pool.request({
      path: '/identity/v3/auth/tokens', method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ auth: {
        identity: { methods: ['password'], password: { user: { name: 'admin', domain: { id: 'default' }, password } } },
        scope: { project: { name: 'admin', domain: { id: 'default' } } },
      } }),
    });
    await res.body.dump();
    if (res.statusCode !== 201) throw new Error(`token issue: HTTP ${res.statusCode}`);
    return String(res.headers['x-subject-token']);
  };
  const adminToken = await issue();
  const subjects = [];
  for (let i = 0; i < 64; i++) subjects.push(await issue());
  await pool.close();
  return { adminToken, subjects };
}

/** The Nubo targets of one cloud; `suffix` tells a comparison build's apart. */
async function nuboTargets({ url, pid, password, suffix = '' }) {
  const origin = new URL(url).origin;
  const { adminToken, subjects } = await issueTokens(url, password);
  const get = (path) => ({ origin, requests: [{ path, headers: {} }] });
  const validate = (query) => ({
    origin,
    requests: subjects.map((s) => ({ path: `/identity/v3/auth/tokens${query}`, headers: { 'x-auth-token': adminToken, 'x-subject-token': s } })),
  });
  return [
    { name: '/healthcheck', ...get('/healthcheck') },
    { name: '/identity/v3', ...get('/identity/v3') },
    { name: 'validate', ...validate('') },
    { name: 'validate nocatalog', ...validate('?nocatalog') },
  ].map((t) => ({ ...t, goal: t.name, name: t.name + suffix, pid }));
}

/** Body and X-Subject-Token lengths of the first request of `target`. */
async function responseShape(target) {
  const pool = new Pool(target.origin, { connections: 1 });
  const res = await pool.request({ method: 'GET', ...target.requests[0] });
  const body = await res.body.text();
  await pool.close();
  return { bytes: Buffer.byteLength(body), token: String(res.headers['x-subject-token'] ?? '').length };
}

async function loadRole(spec) {
  const { bare, clouds, seconds, rounds, concurrency, only, client } = spec;
  const bareOrigin = new URL(bare.url).origin;
  const targets = [{ name: 'bare route', pid: bare.pid, origin: bareOrigin, requests: [{ path: '/healthcheck', headers: {} }] }];
  for (const cloud of clouds) targets.push(...(await nuboTargets(cloud)).filter((t) => !only || only.includes(t.goal)));
  // The reference for the validation targets: a bare route answering a response of the same size.
  for (const t of targets.filter((x) => SAME_SIZE[x.name])) {
    const { bytes, token } = await responseShape(t);
    targets.push({ name: SAME_SIZE[t.name], goal: SAME_SIZE[t.name], pid: bare.pid, origin: bareOrigin, requests: [{ path: `/sized/${bytes}/${token}`, headers: {} }] });
  }
  const order = clouds.length > 1 ? [targets[0], ...targets.slice(1).sort((x, y) => x.goal.localeCompare(y.goal))] : targets;

  for (const t of order) await load(client, 2000, concurrency, t); // warm-up
  const results = Object.fromEntries(targets.map((t) => [t.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const t of order) {
      const cpu0 = cpuSeconds(t.pid);
      const self0 = process.cpuUsage();
      const res = await load(client, seconds * 1000, concurrency, t);
      const self1 = process.cpuUsage(self0);
      res.serverCpu = (cpuSeconds(t.pid) - cpu0) / seconds;
      res.loadCpu = (self1.user + self1.system) / 1e6 / seconds;
      results[t.name].push(res);
    }
  }
  process.stdout.write(JSON.stringify(results));
}

// ---------------------------------------------------------------------------------------------
// The orchestrator.

const pinning = existsSync('/usr/bin/taskset') && availableParallelism() >= 2;
const pinned = (core, args) => (pinning ? ['taskset', ['-c', String(core), ...args]] : [args[0], args.slice(1)]);

/**
 * Spawns a server whose stdout goes to `outFile`; resolves with its URL once it has written
 * `<tag>: ready at URL` there.
 */
function startServer(tag, [cmd, args], outFile, opts) {
  const fd = openSync(outFile, 'a');
  const child = spawn(cmd, args, { ...opts, stdio: ['ignore', fd, 'inherit'] });
  closeSync(fd);
  const url = new Promise((resolve, reject) => {
    const started = Date.now();
    child.on('exit', (code) => reject(new Error(`${tag} exited ${code}:\n${readFileSync(outFile, 'utf8')}`)));
    const poll = () => {
      const m = new RegExp(`${tag}: ready at (\\S+)`).exec(readFileSync(outFile, 'utf8'));
      if (m) resolve(m[1]);
      else if (Date.now() - started > 60_000) reject(new Error(`${tag}: no ready line within 60 s`));
      else setTimeout(poll, 100);
    };
    poll();
  });
  return { child, url };
}

async function stop(server) {
  if (!server || server.child.exitCode !== null) return;
  server.child.removeAllListeners('exit');
  const exited = new Promise((r) => server.child.on('exit', r));
  server.child.kill('SIGTERM');
  await Promise.race([exited, sleep(10_000)]);
}

async function main() {
  const seconds = Number(process.argv[2] ?? 5);
  const rounds = Number(process.argv[3] ?? 3);
  const concurrency = Number(process.argv[4] ?? 16);
  const only = process.env.BENCH_TARGETS?.split(',');
  const client = process.env.LOAD_CLIENT === 'undici' ? 'undici' : 'raw';
  if (!existsSync(join(root, 'dist/nubo.js'))) throw new Error('dist/nubo.js is missing: run `npm run build` first');

  const compare = process.env.COMPARE_DIST ? process.env.COMPARE_DIST.split(',') : [];
  for (const c of compare) if (!existsSync(c)) throw new Error(`COMPARE_DIST: ${c} does not exist`);
  // A comparison build is labelled with the name of its directory (".tmp/dist-main/nubo.js" -> "dist-main").
  const label = (path) => basename(dirname(resolve(path)));

  const dirs = [];
  const servers = [];
  try {
    const prof = (name) => (process.env.PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROFILE_DIR}`, `--cpu-prof-name=${name}.cpuprofile`,
      ...(process.env.PROFILE_INTERVAL ? [`--cpu-prof-interval=${process.env.PROFILE_INTERVAL}`] : [])] : []);
    const tmp = () => { const d = mkdtempSync(join(tmpdir(), 'nubo-bench-path-')); dirs.push(d); return d; };
    const bareDir = tmp();
    const bare = startServer('bare', pinned(0, [process.execPath, ...prof('bare'), '--input-type=module', '-e', BARE_SERVER]), join(bareDir, 'bare.out'), { cwd: root });
    servers.push(bare);
    // A cloud's log goes to a file, as a deployment's would (the ready line is written there too).
    const startNubo = (name, script) => {
      const dataDir = tmp();
      const server = startServer('nubo', pinned(0, [process.execPath, ...CLOUD_NODE_ARGS, ...prof(name), script, 'up', '--set', 'identity.password_hash_rounds=4']), join(dataDir, 'nubo.log'), {
        env: { ...process.env, ...CLOUD_ENV, NUBO_DATA_DIR: dataDir, NUBO_BIND: '127.0.0.1:0' },
      });
      servers.push(server);
      return server.url.then((url) => ({
        url, pid: server.child.pid, password: /password:\s*(\S+)/.exec(readFileSync(join(dataDir, 'clouds.yaml'), 'utf8'))?.[1],
      }));
    };
    const clouds = [await startNubo('nubo', join(root, 'dist/nubo.js'))];
    for (const c of compare) clouds.push({ ...(await startNubo(`nubo-${label(c)}`, c)), suffix: ` [${label(c)}]` });
    const spec = JSON.stringify({ bare: { url: await bare.url, pid: bare.child.pid }, clouds, seconds, rounds, concurrency, only, client });
    const [cmd, args] = pinned(1, [process.execPath, self, '--load', spec]);
    const loader = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    loader.stdout.on('data', (d) => { out += d; });
    const code = await new Promise((r) => loader.on('exit', r));
    if (code !== 0) throw new Error(`load loop exited ${code}`);
    report(JSON.parse(out), { seconds, rounds, concurrency, client, compare });
  } finally {
    for (const server of servers.reverse()) await stop(server);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

const GOALS = { '/healthcheck': 0.9, validate: 0.6, 'validate nocatalog': 0.6 };
/** The bare-route target answering the same response size as a Nubo target. */
const SAME_SIZE = { validate: 'bare, same response as validate', 'validate nocatalog': 'bare, same as nocatalog' };

function report(results, { seconds, rounds, concurrency, client, compare }) {
  const fmt = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : '-');
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const rows = Object.entries(results).map(([name, rs]) => ({
    name,
    rps: median(rs.map((r) => r.rps)),
    p50: median(rs.map((r) => r.p50)),
    p99: median(rs.map((r) => r.p99)),
    spread: rs.map((r) => fmt(r.rps)).join('/'),
    serverCpu: median(rs.map((r) => r.serverCpu)),
    usPerReq: median(rs.map((r) => (r.serverCpu / r.rps) * 1e6)),
    loadCpu: median(rs.map((r) => r.loadCpu)),
    errors: rs.reduce((n, r) => n + r.errors, 0),
    firstError: rs.find((r) => r.firstError)?.firstError,
  }));
  const bareRps = rows.find((r) => r.name === 'bare route')?.rps;
  console.log(`request path: ${rounds} interleaved rounds of ${seconds} s per target (after 2 s warm-up), concurrency ${concurrency}, keep-alive, loopback, ${client} load loop`);
  console.log(pinning
    ? 'setup: servers pinned to core 0, load loop to core 1 (taskset); the bare route has no logger, Nubo logs at its default level to a file'
    : `setup: NOT pinned (${availableParallelism()} cores, taskset ${existsSync('/usr/bin/taskset') ? 'present' : 'missing'}); figures are less comparable`);
  for (const c of compare) console.log(`rows marked [${basename(dirname(resolve(c)))}]: the cloud built at ${c}, measured interleaved with this build's`);
  console.log(`${'target'.padEnd(30)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'% bare'.padStart(7)} ${'goal'.padStart(6)} ${'srv cpu'.padStart(7)} ${'srv µs/req'.padStart(10)} ${'load cpu'.padStart(8)}  rounds req/s`);
  for (const r of rows) {
    const share = r.rps / bareRps;
    const goal = GOALS[r.name.replace(/ \[.*\]$/, '')];
    const verdict = goal === undefined ? '' : share >= goal ? 'PASS' : 'FAIL';
    console.log(`${r.name.padEnd(30)} ${fmt(r.rps).padStart(8)} ${fmt(r.p50, 2).padStart(7)} ${fmt(r.p99, 2).padStart(7)} ${fmt(share * 100, 1).padStart(6)}% `
      + `${(goal === undefined ? '' : `>=${goal * 100}%`).padStart(6)} ${fmt(r.serverCpu * 100).padStart(6)}% ${fmt(r.usPerReq, 1).padStart(10)} ${fmt(r.loadCpu * 100).padStart(7)}%  ${r.spread}${verdict ? `  ${verdict}` : ''}${r.errors ? `  ${r.errors} errors (${r.firstError})` : ''}`);
  }
  // What Nubo itself adds: server CPU per request above a bare route sending the same response.
  const byName = new Map(rows.map((r) => [r.name, r]));
  const lines = [];
  for (const r of rows) {
    const base = r.name.replace(/ \[.*\]$/, '');
    const ref = byName.get(SAME_SIZE[base] ?? (base === '/healthcheck' ? 'bare route' : ''));
    if (ref) lines.push(`  ${r.name.padEnd(30)} ${fmt(r.usPerReq - ref.usPerReq, 1).padStart(6)} us/req over "${ref.name}" (${fmt((r.rps / ref.rps) * 100, 1)}% of its req/s)`);
  }
  if (lines.length) console.log(`Nubo's own cost (server CPU per request above a bare route answering the same response size):\n${lines.join('\n')}`);
}

if (process.argv[2] === '--load') await loadRole(JSON.parse(process.argv[3]));
else await main();
