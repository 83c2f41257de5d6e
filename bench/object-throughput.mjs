#!/usr/bin/env node
// Object data throughput of object storage: one large object PUT (three replicas, each fsync'd)
// and GET through the proxy of a running cloud, next to the disk itself (dd with fsync, three
// times, for the three replicas; cat for reading), in one run; and the server's RSS, which
// must not grow with the object (objects are streamed, never held).
//
//   npm run build && node bench/object-throughput.mjs [size-MiB]      (default 512)
//
// Starts `dist/nubo.js up` (identity and object only) on a fresh data dir, so the devices and
// the test file are on the same disk; NUBO_BENCH_BIN names another bundle.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, createReadStream, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { parse } from 'yaml';
import { startCloud } from './support/cloud.mjs';

const root = new URL('..', import.meta.url).pathname;
const sizeMiB = Number(process.argv[2] ?? 512);
const bin = process.env.NUBO_BENCH_BIN ?? join(root, 'dist/nubo.js');
const dataDir = mkdtempSync(join(process.env.NUBO_BENCH_DIR ?? tmpdir(), 'nubo-object-bench-'));

function status(pid) {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(text)?.[1] ?? NaN) / 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/** A token and the account URL from the catalog. */
async function login() {
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
  return { token: String(res.headers['x-subject-token']), account: store.endpoints.find((e) => e.interface === 'public').url };
}

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

const { child, url } = await startCloud(bin, dataDir, { NUBO_DEFAULT__ENABLED_SERVICES: 'identity,object' });
const rows = [];
try {
  const src = join(dataDir, 'bench-source.bin');
  makeFile(src, sizeMiB);
  const bytes = statSync(src).size;
  const md5 = await new Promise((resolve) => {
    const h = createHash('md5');
    createReadStream(src).on('data', (c) => h.update(c)).on('end', () => resolve(h.digest('hex')));
  });

  const [, ddSec] = await timed(() => {
    for (const i of [1, 2, 3]) execFileSync('dd', [`if=${src}`, `of=${join(dataDir, `dd-copy-${i}`)}`, 'bs=1M', 'conv=fsync'], { stdio: 'ignore' });
  });
  rows.push(['dd copy ×3 (bs=1M, fsync)', ddSec]);
  for (const i of [1, 2, 3]) rmSync(join(dataDir, `dd-copy-${i}`));
  const [, catSec] = await timed(() => execFileSync('sh', ['-c', `cat '${src}' > /dev/null`]));
  rows.push(['cat > /dev/null', catSec]);

  const { token, account } = await login();
  const headers = { 'x-auth-token': token };
  const made = await request(`${account}/bench`, { method: 'PUT', headers });
  await made.body.dump();
  const before = status(child.pid);
  const [put, upSec] = await timed(() => request(`${account}/bench/object`, {
    method: 'PUT', headers: { ...headers, 'content-type': 'application/octet-stream', 'content-length': String(bytes), etag: md5 },
    body: createReadStream(src, { highWaterMark: 1 << 20 }),
  }).then(async (r) => { await r.body.dump(); return r.statusCode; }));
  if (put !== 201) throw new Error(`upload answered ${put}`);
  rows.push(['object PUT (3 replicas)', upSec]);
  const [got, downSec] = await timed(async () => {
    const r = await request(`${account}/bench/object`, { headers });
    const h = createHash('md5');
    let n = 0;
    for await (const chunk of r.body) { n += chunk.length; h.update(chunk); }
    return { n, md5: h.digest('hex') };
  });
  if (got.n !== bytes || got.md5 !== md5) throw new Error(`download returned ${got.n} of ${bytes} bytes, md5 ${got.md5}`);
  rows.push(['object GET', downSec]);
  const after = status(child.pid);
  console.log(`object data throughput, ${sizeMiB} MiB (${bytes} bytes), data dir ${dataDir}`);
  console.log(`${'operation'.padEnd(30)} ${'seconds'.padStart(9)} ${'MB/s'.padStart(9)}`);
  for (const [name, sec] of rows) console.log(`${name.padEnd(30)} ${sec.toFixed(2).padStart(9)} ${(bytes / sec / 1e6).toFixed(1).padStart(9)}`);
  console.log(`server RSS before ${before.rss.toFixed(0)} MiB, after ${after.rss.toFixed(0)} MiB, peak (VmHWM) ${after.hwm.toFixed(0)} MiB; md5 round trip ok`);
} finally {
  const exited = new Promise((r) => child.on('exit', r));
  child.kill('SIGTERM');
  await exited;
  rmSync(dataDir, { recursive: true, force: true });
}
