#!/usr/bin/env node
// Object storage through the Swift proxy, Nubo next to the real Swift 2.30 in one run:
//   - 4 KiB objects: PUT ops/s and GET ops/s at concurrency 16 (BENCH_OBJECTS of them, 10,000);
//   - the time to list the container those objects are in (10,000 names, one request, JSON
//     and plain text, the median of 5);
//   - one large object (256 MiB): PUT and GET MB/s, md5 checked both ways;
//   - the CPU time the servers' processes used per PUT, per GET and per listing (user + system,
//     from /proc: steadier than the rates when other work loads the machine); for Nubo also its
//     event loop's thread's share of it (the small PUTs and GETs wait on that one thread);
//   - the servers' RSS at the end (Nubo: its one process; Swift: every process of its servers
//     and memcached);
//   - the disk itself: dd of the large object's file ×3 with fsync (the three replicas' writes)
//     and cat, on the same filesystem as the devices of both clouds.
// Then the targets: 3× the peer's small-object rates, large PUT at 80% of dd's rate divided by
// the 3 replicas, a 10,000-object listing under 50 ms.
//
//   npm run build && node bench/object-throughput.mjs [large-object-MiB]      (default 256)
//
// Nubo: `dist/nubo.js up` (identity and object only) on a fresh data dir under BENCH_DIR
// (default /tmp/nubo-object-bench); NUBO_BENCH_BIN names another bundle. PROFILE_DIR=dir runs it
// with --cpu-prof (a .cpuprofile per thread lands there when it stops: the main thread's is the largest). Its consistency daemons are off
// (interval 0), as the peer runs none: this is the request path; BENCH_NUBO_DAEMONS=1 keeps them.
// The peer: ../shared/peers/swift-up.sh (or $NUBO_SHARED_DIR/peers/) (Debian's Swift 2.30, tempauth, 3 replicas on 4
// devices, memcached), started here with its devices under BENCH_DIR and stopped at the end.
// BENCH_PEER=1 requires it, BENCH_PEER=0 skips it; unset: it runs when the script and Debian's
// swift-proxy-server are there. Its ports come from the SW_* variables swift-up.sh reads
// (SW_PROXY_PORT, SW_OBJECT_PORT, SW_CONTAINER_PORT, SW_ACCOUNT_PORT, SW_MEMCACHE_PORT).
// BENCH_ONLY=peer runs the peer alone (its figures, no Nubo).
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, createReadStream, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { Pool, request } from 'undici';
import { parse } from 'yaml';

const root = new URL('..', import.meta.url).pathname;
const largeMiB = Number(process.argv[2] ?? 256);
const objects = Number(process.env.BENCH_OBJECTS ?? 10_000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);
const bin = process.env.NUBO_BENCH_BIN ?? join(root, 'dist/nubo.js');
const benchDir = process.env.BENCH_DIR ?? '/tmp/nubo-object-bench';
const shared = process.env.NUBO_SHARED_DIR ?? join(root, '../shared');
const peerScript = join(shared, 'peers/swift-up.sh');
const peerWanted = process.env.BENCH_PEER === '1' || (process.env.BENCH_PEER !== '0' && existsSync(peerScript) && existsSync('/usr/bin/swift-proxy-server'));
const only = process.env.BENCH_ONLY;
mkdirSync(benchDir, { recursive: true });
const runDir = mkdtempSync(join(benchDir, 'run-'));
chmodSync(runDir, 0o755); // Swift's servers run as the user swift

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };

// ---------------------------------------------------------------------------------------------
// Memory of a set of processes.

/** VmRSS and VmHWM of one process in MiB (0 when gone). */
function status(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(text)?.[1] ?? 0) / 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

/** The pids and their descendants (workers forked by Swift's servers). */
function withDescendants(pids) {
  const children = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(d));
    } catch { /* gone */ }
  }
  const out = new Set();
  const walk = (p) => { if (out.has(p)) return; out.add(p); for (const c of children.get(p) ?? []) walk(c); };
  for (const p of pids) walk(p);
  return [...out];
}

/** CPU seconds the processes (and their descendants) used so far: user and system, their waited-for children's too. */
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
function cpuSeconds(pids) {
  let ticks = 0;
  for (const p of withDescendants(pids)) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    } catch { /* gone */ }
  }
  return ticks / CLK_TCK;
}

/** CPU seconds of one thread of a process (the event loop's: its tid is the pid). */
function threadCpuSeconds(pid, tid = pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLK_TCK;
  } catch {
    return 0;
  }
}

function memory(pids) {
  const all = withDescendants(pids).filter((p) => status(p).rss > 0);
  return { processes: all.length, rss: all.reduce((s, p) => s + status(p).rss, 0), hwm: all.reduce((s, p) => s + status(p).hwm, 0) };
}

// ---------------------------------------------------------------------------------------------
// The clouds: each is { name, storageUrl, token, pids(), stop() }.

/** The consistency daemons off, as the peer runs none (BENCH_NUBO_DAEMONS=1: as `nubo up` runs them, every 30 s). */
const daemons = process.env.BENCH_NUBO_DAEMONS === '1' ? {} : Object.fromEntries(
  ['OBJECT_REPLICATOR', 'OBJECT_AUDITOR', 'CONTAINER_REPLICATOR', 'ACCOUNT_REPLICATOR', 'ACCOUNT_REAPER'].map((g) => [`NUBO_${g}__INTERVAL`, '0']));

async function startNubo() {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`npm run build\` first`);
  const dataDir = mkdtempSync(join(runDir, 'nubo-'));
  // Node's own names (CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile): the hashing thread writes one too
  const prof = process.env.PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROFILE_DIR}`] : [];
  const child = spawn(process.execPath, [...prof, bin, 'up'], {
    env: { ...process.env, NUBO_DATA_DIR: dataDir, NUBO_BIND: '127.0.0.1:0', NUBO_DEFAULT__LOG_LEVEL: 'warn', NUBO_DEFAULT__ENABLED_SERVICES: 'identity,object', ...daemons,
      // libuv's thread pool as bin/nubo.mjs sizes it (its shebang)
      UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE ?? '32' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line within 60 s:\n${out}`)), 60_000);
    child.stdout.on('data', (d) => {
      out += d;
      if (/nubo: ready at (\S+)/.test(out)) { clearTimeout(timer); resolve(); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`nubo exited ${code}:\n${out}`)); });
  });
  child.removeAllListeners('exit');
  const cloud = parse(readFileSync(join(dataDir, 'clouds.yaml'), 'utf8')).clouds.nubo.auth;
  const res = await request(`${cloud.auth_url}/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ auth: {
      identity: { methods: ['password'], password: { user: { name: cloud.username, domain: { name: 'Default' }, password: cloud.password } } },
      scope: { project: { name: cloud.project_name, domain: { name: 'Default' } } },
    } }),
  });
  const body = await res.body.json();
  if (res.statusCode !== 201) throw new Error(`login failed: ${res.statusCode}`);
  const store = body.token.catalog.find((s) => s.type === 'object-store');
  return {
    name: 'Nubo', dataDir, token: String(res.headers['x-subject-token']), storageUrl: store.endpoints.find((e) => e.interface === 'public').url,
    pids: () => [child.pid],
    // the event loop's thread (the rest: libuv's pool, the hashing thread, V8's)
    mainThreadCpu: () => threadCpuSeconds(child.pid),
    async stop() {
      const exited = new Promise((r) => child.on('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function startPeer() {
  const env = { ...process.env, SW_DIR: join(runDir, 'swift'), SW_NODE_DIR: join(runDir, 'swift-node'), SW_FRESH: '1' };
  process.stderr.write('starting the real Swift 2.30 (../shared/peers/swift-up.sh)...\n');
  execFileSync('bash', [peerScript], { stdio: ['ignore', 'ignore', 'inherit'], env });
  const vars = Object.fromEntries(readFileSync(join(env.SW_DIR, 'env.sh'), 'utf8').split('\n')
    .map((l) => /^export (\w+)='(.*)'$/.exec(l)).filter(Boolean).map((m) => [m[1], m[2]]));
  return {
    name: 'Swift 2.30', token: vars.SW_TOKEN, storageUrl: vars.SW_STORAGE_URL,
    pids: () => vars.SW_PIDS.split(/\s+/).filter(Boolean).map(Number),
    async stop() {
      execFileSync('bash', [join(shared, 'peers/swift-down.sh')], { stdio: 'ignore', env });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The measurements.

function makeFile(path, mib) {
  const block = randomBytes(16 << 20);
  const fd = openSync(path, 'w');
  for (let written = 0; written < mib; written += 16) writeSync(fd, block, 0, Math.min(16, mib - written) << 20);
  closeSync(fd);
  execFileSync('sync');
}

async function timed(fn) {
  const t = process.hrtime.bigint();
  const r = await fn();
  return [r, Number(process.hrtime.bigint() - t) / 1e9];
}

/** Runs `n` calls of `one(i)` with `c` in flight at once; the seconds they took. */
async function many(n, c, one) {
  let next = 0;
  const [, sec] = await timed(() => Promise.all(Array.from({ length: c }, async () => {
    while (next < n) await one(next++);
  })));
  return sec;
}

async function measure(cloud, large) {
  const url = new URL(cloud.storageUrl);
  const pool = new Pool(url.origin, { connections: concurrency * 2 });
  const base = url.pathname.replace(/\/$/, '');
  const auth = { 'x-auth-token': cloud.token };
  const call = async (method, path, opts = {}) => {
    const r = await pool.request({ method, path: `${base}${path}`, headers: { ...auth, ...(opts.headers ?? {}) }, ...(opts.body !== undefined ? { body: opts.body } : {}) });
    return r;
  };
  const drained = async (method, path, want, opts) => {
    const r = await call(method, path, opts);
    const text = await r.body.text();
    if (!want.includes(r.statusCode)) throw new Error(`${cloud.name}: ${method} ${path} answered ${r.statusCode}: ${text.slice(0, 200)}`);
    return text;
  };
  try {
    await drained('PUT', '/bench-small', [201, 202]);
    await drained('PUT', '/bench-large', [201, 202]);
    const small = randomBytes(4096);
    const smallMd5 = createHash('md5').update(small).digest('hex');
    const name = (i) => `/bench-small/obj-${String(i).padStart(6, '0')}`;

    // the servers' CPU per operation: steadier than the rates on a machine others load too
    const cpu = async (fn) => { const c = cpuSeconds(cloud.pids()); const r = await fn(); return [r, (cpuSeconds(cloud.pids()) - c) * 1000]; };
    const mainCpu = async (fn) => {
      const m = cloud.mainThreadCpu?.();
      const [r, ms] = await cpu(fn);
      return [r, ms, m === undefined ? undefined : (cloud.mainThreadCpu() - m) * 1000];
    };
    const [putSec, putCpuMs, putMainMs] = await mainCpu(() => many(objects, concurrency, (i) => drained('PUT', name(i), [201], { body: small, headers: { 'content-type': 'application/octet-stream', etag: smallMd5 } })));
    const [getSec, getCpuMs, getMainMs] = await mainCpu(() => many(objects, concurrency, async (i) => {
      const r = await call('GET', name(i));
      const got = Buffer.from(await r.body.arrayBuffer());
      if (r.statusCode !== 200 || got.length !== 4096) throw new Error(`${cloud.name}: GET ${name(i)} answered ${r.statusCode} with ${got.length} bytes`);
    }));

    // the listing: every name there (the updates of the container are synchronous in both)
    const listTimes = { json: [], plain: [] };
    const listCpu = { json: [], plain: [] };
    for (let round = 0; round < 6; round++) {
      for (const format of ['json', 'plain']) {
        const [[text, sec], ms] = await cpu(() => timed(() => drained('GET', `/bench-small?limit=${objects}${format === 'json' ? '&format=json' : ''}`, [200])));
        const count = format === 'json' ? JSON.parse(text).length : text.split('\n').filter(Boolean).length;
        if (count !== objects) throw new Error(`${cloud.name}: the listing (${format}) has ${count} of ${objects} names`);
        if (round > 0) { listTimes[format].push(sec); listCpu[format].push(ms); } // the first round warms caches
      }
    }

    const [putStatus, largePutSec] = await timed(async () => {
      const r = await call('PUT', '/bench-large/object', {
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(large.bytes), etag: large.md5 },
        body: createReadStream(large.path, { highWaterMark: 1 << 20 }),
      });
      await r.body.dump();
      return r.statusCode;
    });
    if (putStatus !== 201) throw new Error(`${cloud.name}: large PUT answered ${putStatus}`);
    const [got, largeGetSec] = await timed(async () => {
      const r = await call('GET', '/bench-large/object');
      const h = createHash('md5');
      let n = 0;
      for await (const chunk of r.body) { n += chunk.length; h.update(chunk); }
      return { n, md5: h.digest('hex') };
    });
    if (got.n !== large.bytes || got.md5 !== large.md5) throw new Error(`${cloud.name}: large GET returned ${got.n} of ${large.bytes} bytes, md5 ${got.md5}`);
    return {
      smallPut: objects / putSec, smallGet: objects / getSec, smallPutCpuMs: putCpuMs / objects, smallGetCpuMs: getCpuMs / objects,
      smallPutMainMs: putMainMs === undefined ? undefined : putMainMs / objects, smallGetMainMs: getMainMs === undefined ? undefined : getMainMs / objects,
      listJsonMs: median(listTimes.json) * 1000, listPlainMs: median(listTimes.plain) * 1000,
      listJsonCpuMs: median(listCpu.json), listPlainCpuMs: median(listCpu.plain),
      largePut: large.bytes / largePutSec / 1e6, largeGet: large.bytes / largeGetSec / 1e6,
      mem: memory(cloud.pids()),
    };
  } finally {
    await pool.close();
  }
}

// ---------------------------------------------------------------------------------------------

const src = join(runDir, 'large-source.bin');
makeFile(src, largeMiB);
const bytes = statSync(src).size;
const md5 = await new Promise((resolve) => {
  const h = createHash('md5');
  createReadStream(src).on('data', (c) => h.update(c)).on('end', () => resolve(h.digest('hex')));
});
const [, ddSec] = await timed(() => {
  for (const i of [1, 2, 3]) execFileSync('dd', [`if=${src}`, `of=${join(runDir, `dd-copy-${i}`)}`, 'bs=1M', 'conv=fsync'], { stdio: 'ignore' });
});
for (const i of [1, 2, 3]) rmSync(join(runDir, `dd-copy-${i}`));
const [, catSec] = await timed(() => execFileSync('sh', ['-c', `cat '${src}' > /dev/null`]));
const ddMBs = (3 * bytes) / ddSec / 1e6;

const results = [];
const loadBefore = loadavg()[0];
try {
  if (only !== 'peer') {
    const nubo = await startNubo();
    try {
      results.push({ name: nubo.name, ...(await measure(nubo, { path: src, bytes, md5 })) });
    } finally {
      await nubo.stop();
    }
  }
  if (peerWanted || only === 'peer') {
    const peer = await startPeer();
    try {
      results.push({ name: peer.name, ...(await measure(peer, { path: src, bytes, md5 })) });
    } finally {
      await peer.stop();
    }
  }
  report();
} finally {
  // the clouds are stopped; their devices (tens of thousands of files) go last
  rmSync(runDir, { recursive: true, force: true });
}

function report() {
  const f = (x, d = 1) => x.toFixed(d);
  console.log(`object storage, ${objects} objects of 4 KiB at concurrency ${concurrency}, one of ${largeMiB} MiB; devices under ${benchDir}; Nubo's daemons ${process.env.BENCH_NUBO_DAEMONS === '1' ? 'on' : 'off'}`);
  console.log(`load average (1 min) ${f(loadBefore, 2)} at the start, ${f(loadavg()[0], 2)} at the end on ${availableParallelism()} CPUs`);
  console.log(`disk: dd ×3 (bs=1M, fsync) ${f(ddMBs)} MB/s, cat ${f(bytes / catSec / 1e6)} MB/s`);
  const rows = [
    ['4 KiB PUT ops/s', (r) => f(r.smallPut)],
    ['4 KiB PUT CPU ms/op', (r) => f(r.smallPutCpuMs, 2)],
    ['  of the event loop', (r) => (r.smallPutMainMs === undefined ? '-' : f(r.smallPutMainMs, 2))],
    ['4 KiB GET ops/s', (r) => f(r.smallGet)],
    ['4 KiB GET CPU ms/op', (r) => f(r.smallGetCpuMs, 2)],
    ['  of the event loop', (r) => (r.smallGetMainMs === undefined ? '-' : f(r.smallGetMainMs, 2))],
    [`${largeMiB} MiB PUT MB/s`, (r) => f(r.largePut)],
    [`${largeMiB} MiB GET MB/s`, (r) => f(r.largeGet)],
    [`list ${objects} (JSON) ms`, (r) => f(r.listJsonMs)],
    [`list ${objects} (plain) ms`, (r) => f(r.listPlainMs)],
    [`list (JSON) CPU ms`, (r) => f(r.listJsonCpuMs)],
    [`list (plain) CPU ms`, (r) => f(r.listPlainCpuMs)],
    ['RSS MB (processes)', (r) => `${f(r.mem.rss, 0)} (${r.mem.processes})`],
  ];
  console.log(['', ...results.map((r) => r.name)].map((s, i) => (i === 0 ? s.padEnd(26) : s.padStart(14))).join(''));
  for (const [label, val] of rows) console.log([label.padEnd(26), ...results.map((r) => val(r).padStart(14))].join(''));
  const nubo = results.find((r) => r.name === 'Nubo');
  const peer = results.find((r) => r.name !== 'Nubo');
  if (nubo) {
    const largeTarget = 0.8 * ddMBs / 3;
    const check = (ok) => (ok ? 'met' : 'MISSED');
    console.log('targets:');
    if (peer) {
      console.log(`  4 KiB PUT ≥ 3× Swift (${f(3 * peer.smallPut)}): ${f(nubo.smallPut)} (${f(nubo.smallPut / peer.smallPut, 2)}×) ${check(nubo.smallPut >= 3 * peer.smallPut)}`);
      console.log(`  4 KiB GET ≥ 3× Swift (${f(3 * peer.smallGet)}): ${f(nubo.smallGet)} (${f(nubo.smallGet / peer.smallGet, 2)}×) ${check(nubo.smallGet >= 3 * peer.smallGet)}`);
    }
    console.log(`  large PUT ≥ 0.8 × dd / 3 (${f(largeTarget)} MB/s): ${f(nubo.largePut)} ${check(nubo.largePut >= largeTarget)}`);
    console.log(`  large GET ≥ 0.8 × dd / 3 (${f(largeTarget)} MB/s): ${f(nubo.largeGet)} ${check(nubo.largeGet >= largeTarget)}`);
    console.log(`  listing of ${objects} < 50 ms: JSON ${f(nubo.listJsonMs)} ms ${check(nubo.listJsonMs < 50)}, plain ${f(nubo.listPlainMs)} ms ${check(nubo.listPlainMs < 50)}`);
    console.log(`  Nubo's RSS peak (VmHWM) ${f(nubo.mem.hwm, 0)} MB`);
  }
}
