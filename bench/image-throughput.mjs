#!/usr/bin/env node
// Image data throughput of the image service: upload (PUT /v2/images/{id}/file) and download
// (GET .../file) of one large image through a running cloud, next to what the disk itself
// does with the same file (dd with fsync for writing, cat for reading), in one run.
//
//   npm run build && node bench/image-throughput.mjs [size-MiB]      (default 1024)
//
// By default it starts `dist/nubo.js up` (identity and image only) on a fresh data dir, so the
// image store and the test file are on the same disk; NUBO_BENCH_BIN names another bundle.
// Prints a table of MB/s (10^6 bytes per second) and the server's peak RSS (VmHWM).
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, createReadStream, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { parse } from 'yaml';
import { startCloud } from './support/cloud.mjs';

const root = new URL('..', import.meta.url).pathname;
const sizeMiB = Number(process.argv[2] ?? 1024);
const bin = process.env.NUBO_BENCH_BIN ?? join(root, 'dist/nubo.js');
const dataDir = mkdtempSync(join(process.env.NUBO_BENCH_DIR ?? tmpdir(), 'nubo-image-bench-'));

function status(pid) {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(text)?.[1] ?? NaN) / 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

async function token(url) {
  const cloud = parse(readFileSync(join(dataDir, 'clouds.yaml'), 'utf8')).clouds.nubo.auth;
  const res = await request(`${cloud.auth_url}/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ auth: {
      identity: { methods: ['password'], password: { user: { name: cloud.username, domain: { name: 'Default' }, password: cloud.password } } },
      scope: { project: { name: cloud.project_name, domain: { name: 'Default' } } },
    } }),
  });
  await res.body.dump();
  if (res.statusCode !== 201) throw new Error(`login failed: ${res.statusCode}`);
  return { token: String(res.headers['x-subject-token']), image: `${url}/image` };
}

/** A file of random data (a 16 MiB random block repeated), fsync'd. */
function makeFile(path, mib) {
  const block = randomBytes(16 << 20);
  const fd = openSync(path, 'w');
  for (let written = 0; written < mib; written += 16) writeSync(fd, block, 0, Math.min(16, mib - written) << 20);
  closeSync(fd);
  execFileSync('sync');
}

function timed(fn) {
  const t = process.hrtime.bigint();
  const r = fn();
  return r instanceof Promise ? r.then((v) => [v, Number(process.hrtime.bigint() - t) / 1e9]) : [r, Number(process.hrtime.bigint() - t) / 1e9];
}

const { child, url } = await startCloud(bin, dataDir, { NUBO_DEFAULT__ENABLED_SERVICES: 'identity,image' });
const rows = [];
try {
  const src = join(dataDir, 'bench-source.img');
  makeFile(src, sizeMiB);
  const bytes = statSync(src).size;
  const sha512 = await new Promise((resolve) => {
    const h = createHash('sha512');
    createReadStream(src).on('data', (c) => h.update(c)).on('end', () => resolve(h.digest('hex')));
  });

  // the disk: copy with fsync (what the file store does for an upload), then a plain read
  const [, ddSec] = timed(() => execFileSync('dd', [`if=${src}`, `of=${join(dataDir, 'dd-copy.img')}`, 'bs=1M', 'conv=fsync'], { stdio: 'ignore' }));
  rows.push(['dd copy (bs=1M, fsync)', ddSec]);
  rmSync(join(dataDir, 'dd-copy.img'));
  const [, catSec] = timed(() => execFileSync('sh', ['-c', `cat '${src}' > /dev/null`]));
  rows.push(['cat > /dev/null', catSec]);
  const [, ddReadSec] = timed(() => execFileSync('dd', [`if=${src}`, 'of=/dev/null', 'bs=1M'], { stdio: 'ignore' }));
  rows.push(['dd read (bs=1M)', ddReadSec]);

  const { token: tok, image } = await token(url);
  const headers = { 'x-auth-token': tok };
  const created = await request(`${image}/v2/images`, {
    method: 'POST', headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench', disk_format: 'raw', container_format: 'bare' }),
  });
  const { id } = await created.body.json();

  const [up, upSec] = await timed(() => request(`${image}/v2/images/${id}/file`, {
    method: 'PUT', headers: { ...headers, 'content-type': 'application/octet-stream', 'content-length': String(bytes) },
    body: createReadStream(src, { highWaterMark: 1 << 20 }),
  }).then(async (r) => { await r.body.dump(); return r.statusCode; }));
  if (up !== 204) throw new Error(`upload answered ${up}`);
  rows.push(['image upload (PUT /file)', upSec]);

  const [got, downSec] = await timed(async () => {
    const r = await request(`${image}/v2/images/${id}/file`, { headers });
    let n = 0;
    for await (const chunk of r.body) n += chunk.length;
    return n;
  });
  if (got !== bytes) throw new Error(`download returned ${got} of ${bytes} bytes`);
  rows.push(['image download (GET /file)', downSec]);

  const shown = await (await request(`${image}/v2/images/${id}`, { headers })).body.json();
  const mem = status(child.pid);
  console.log(`image data throughput, ${sizeMiB} MiB (${bytes} bytes), data dir ${dataDir}`);
  console.log(`${'operation'.padEnd(30)} ${'seconds'.padStart(9)} ${'MB/s'.padStart(9)}`);
  for (const [name, sec] of rows) console.log(`${name.padEnd(30)} ${sec.toFixed(2).padStart(9)} ${(bytes / sec / 1e6).toFixed(1).padStart(9)}`);
  console.log(`server RSS now ${mem.rss.toFixed(0)} MiB, peak (VmHWM) ${mem.hwm.toFixed(0)} MiB`);
  console.log(`stored sha512 matches the source: ${shown.os_hash_value === sha512}; status ${shown.status}; size ${shown.size}`);
} finally {
  const exited = new Promise((r) => child.on('exit', r));
  child.kill('SIGTERM');
  await exited;
  rmSync(dataDir, { recursive: true, force: true });
}
