#!/usr/bin/env node
// Block Storage figures through the Cinder API of a running all-in-one cloud (cinder-api ->
// cinder-scheduler -> cinder-volume with the file driver -> cinder-backup with the posix driver):
//   - volume create + delete per second: 1 GiB empty volumes, CONCURRENCY workers (16), each
//     creating a volume, waiting for `available`, deleting it and waiting until it is gone;
//   - snapshot, clone and volume-from-snapshot times of a 1 GiB volume holding DATA MiB (512)
//     of random data, written by the bench as a guest would: an attachment with a connector
//     (3.54) gives the connection info, the data goes to its `device_path` (qemu-img convert -n
//     into a qcow2 volume), fsync'd, then the attachment is completed and deleted;
//   - backup and restore MB/s of that volume (bytes of data / seconds from the POST to
//     `available`), side by side with dd on the same disk: a write of DATA MiB with
//     conv=fsync and a read of the file back (from the page cache, as the restore reads the
//     backup objects the backup just wrote).
//
//   npm run build && node bench/volumes.mjs [data-MiB (512)] [create+delete pairs (160)]
//
// Each operation also shows the CPU seconds the cloud spent on it (its process and the tools
// it ran: cp, qemu-img), a figure less sensitive than seconds to other work on the machine.
// Starts `dist/nubo.js up` (identity, image and volume) on a fresh data dir under
// NUBO_BENCH_DIR (default: the OS temp dir), quotas unlimited; NUBO_BENCH_BIN names another
// bundle; FORMAT=qcow2 sets [backend_defaults] file_volume_format; CONCURRENCY (16).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { parse } from 'yaml';
import { startCloud } from './support/cloud.mjs';

const root = new URL('..', import.meta.url).pathname;
const dataMiB = Number(process.argv[2] ?? 512);
const pairs = Number(process.argv[3] ?? 160);
const concurrency = Number(process.env.CONCURRENCY ?? 16);
const format = process.env.FORMAT ?? 'raw';
const bin = process.env.NUBO_BENCH_BIN ?? join(root, 'dist/nubo.js');
if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`npm run build\` first`);
const dataDir = mkdtempSync(join(process.env.NUBO_BENCH_DIR ?? tmpdir(), 'nubo-volume-bench-'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const MiB = 1024 * 1024;

/** A client of the project's Block Storage API (`/volume/v3/<project>`) at microversion 3.54. */
async function client(url) {
  const pool = new Pool(url, { connections: concurrency * 2 });
  const auth = parse(readFileSync(join(dataDir, 'clouds.yaml'), 'utf8')).clouds.nubo.auth;
  const res = await pool.request({
    method: 'POST', path: '/identity/v3/auth/tokens', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ auth: {
      identity: { methods: ['password'], password: { user: { name: auth.username, domain: { name: 'Default' }, password: auth.password } } },
      scope: { project: { name: auth.project_name, domain: { name: 'Default' } } },
    } }),
  });
  const body = await res.body.json();
  if (res.statusCode !== 201) throw new Error(`login failed: ${res.statusCode}`);
  const token = String(res.headers['x-subject-token']);
  const base = `/volume/v3/${body.token.project.id}`;
  return {
    async call(method, path, payload) {
      const r = await pool.request({
        method, path: `${base}${path}`,
        headers: { 'x-auth-token': token, 'openstack-api-version': 'volume 3.54', ...(payload !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(payload !== undefined ? { body: JSON.stringify(payload) } : {}),
      });
      const text = await r.body.text();
      return { status: r.statusCode, body: text ? JSON.parse(text) : undefined };
    },
    close: () => pool.close(),
  };
}

/**
 * Poll `path` until `done(body)` (or a 404 when `done` is 'gone'): first after `every` ms, then
 * 1.5 times later each time up to 100 ms, so that the polls cost the cloud little CPU next to
 * the work measured (at most ~1/3 of the time waited is added to a figure, and at most 100 ms).
 */
async function until(api, path, key, done, every = 5, timeoutMs = 600_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await api.call('GET', path);
    if (done === 'gone') {
      if (r.status === 404) return null;
    } else {
      if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${JSON.stringify(r.body)}`);
      const item = r.body[key];
      if (/error/.test(item.status)) throw new Error(`${key} ${item.id} went ${item.status}${item.fail_reason ? `: ${item.fail_reason}` : ''}`);
      if (done(item)) return item;
    }
    if (Date.now() > deadline) throw new Error(`GET ${path}: not settled in time`);
    await sleep(every);
    every = Math.min(100, every * 1.5);
  }
}

async function expect(promise, code, what) {
  const r = await promise;
  if (r.status !== code) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

const available = (x) => x.status === 'available';

async function createVolume(api, body) {
  const v = (await expect(api.call('POST', '/volumes', { volume: body }), 202, 'volume create')).volume;
  return until(api, `/volumes/${v.id}`, 'volume', available);
}

async function deleteVolume(api, id) {
  await expect(api.call('DELETE', `/volumes/${id}`), 202, 'volume delete');
  await until(api, `/volumes/${id}`, 'volume', 'gone');
}

/** CPU seconds of the cloud's process and of the children it waited for (cp, qemu-img, du): utime + stime + cutime + cstime. */
let cloudPid = 0;
function cpuSeconds() {
  const fields = readFileSync(`/proc/${cloudPid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return fields.slice(11, 15).reduce((sum, f) => sum + Number(f), 0) / 100;
}

async function timed(fn) {
  const t = process.hrtime.bigint();
  const r = await fn();
  return [r, Number(process.hrtime.bigint() - t) / 1e9];
}

/** `timed`, with the cloud's CPU seconds over the same span. */
async function measured(fn) {
  const c = cpuSeconds();
  const [r, sec] = await timed(fn);
  return [r, sec, cpuSeconds() - c];
}

function pct(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

/** CONCURRENCY workers creating and deleting 1 GiB volumes until `pairs` are done. */
async function createDelete(api) {
  let next = 0;
  const latencies = [];
  const worker = async () => {
    while (next < pairs) {
      next += 1;
      const [, sec] = await timed(async () => {
        const v = await createVolume(api, { size: 1, name: `bench-cd-${next}` });
        await deleteVolume(api, v.id);
      });
      latencies.push(sec);
    }
  };
  const [, sec, cpu] = await measured(() => Promise.all(Array.from({ length: concurrency }, worker)));
  latencies.sort((a, b) => a - b);
  return { rate: pairs / sec, sec, cpu, p50: pct(latencies, 0.5), p99: pct(latencies, 0.99) };
}

/** Attach as a guest's host would (a connector), write `mib` MiB of random data at the start of the device, detach. */
async function writeAsGuest(api, volumeId, mib) {
  const att = (await expect(api.call('POST', '/attachments', {
    attachment: { volume_uuid: volumeId, instance_uuid: '6d1c5c1e-3b7a-4f0b-9c38-2f0d1e5a7b11', connector: { host: 'bench', platform: 'x86_64', os_type: 'linux', multipath: false, mountpoint: '/dev/vdb' }, mode: 'rw' },
  }), 200, 'attachment create')).attachment;
  const info = att.connection_info;
  if (info.driver_volume_type !== 'file') throw new Error(`unexpected connection info ${JSON.stringify(info)}`);
  const device = info.data.device_path;
  const block = randomBytes(16 * MiB);
  if (info.data.format === 'qcow2') {
    const tmp = join(dataDir, 'guest-data.raw');
    const fd = openSync(tmp, 'w');
    for (let at = 0; at < mib; at += 16) writeSync(fd, block, 0, Math.min(16, mib - at) * MiB);
    closeSync(fd);
    // a guest writes through QEMU's qcow2 layer: qemu-img convert -n does the same into the existing image
    execFileSync('qemu-img', ['convert', '-n', '-f', 'raw', '-O', 'qcow2', tmp, device], { stdio: 'ignore' });
    rmSync(tmp);
  } else {
    const fd = openSync(device, 'r+');
    for (let at = 0; at < mib; at += 16) writeSync(fd, block, 0, Math.min(16, mib - at) * MiB, at * MiB);
    fsyncSync(fd);
    closeSync(fd);
  }
  await expect(api.call('POST', `/attachments/${att.id}/action`, { 'os-complete': null }), 204, 'attachment complete');
  await until(api, `/volumes/${volumeId}`, 'volume', (v) => v.status === 'in-use');
  await expect(api.call('DELETE', `/attachments/${att.id}`), 200, 'attachment delete');
  await until(api, `/volumes/${volumeId}`, 'volume', available);
}

function dd(mib) {
  const file = join(dataDir, 'dd-test');
  const [, writeSec] = (() => {
    const t = process.hrtime.bigint();
    execFileSync('dd', ['if=/dev/urandom', `of=${file}.src`, 'bs=1M', `count=${mib}`], { stdio: 'ignore' });
    const t0 = process.hrtime.bigint();
    execFileSync('dd', [`if=${file}.src`, `of=${file}`, 'bs=1M', 'conv=fsync'], { stdio: 'ignore' });
    return [t, Number(process.hrtime.bigint() - t0) / 1e9];
  })();
  const t1 = process.hrtime.bigint();
  execFileSync('dd', [`if=${file}`, 'of=/dev/null', 'bs=1M'], { stdio: 'ignore' });
  const readSec = Number(process.hrtime.bigint() - t1) / 1e9;
  rmSync(file);
  rmSync(`${file}.src`);
  return { writeSec, readSec };
}

const { child, url } = await startCloud(bin, dataDir, {
  NUBO_DEFAULT__LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn', NUBO_DEFAULT__ENABLED_SERVICES: 'identity,image,volume', NUBO_BACKEND_DEFAULTS__FILE_VOLUME_FORMAT: format,
  NUBO_DEFAULT__QUOTA_VOLUMES: '-1', NUBO_DEFAULT__QUOTA_SNAPSHOTS: '-1', NUBO_DEFAULT__QUOTA_GIGABYTES: '-1', NUBO_DEFAULT__QUOTA_BACKUPS: '-1', NUBO_DEFAULT__QUOTA_BACKUP_GIGABYTES: '-1',
});
cloudPid = child.pid;
try {
  const api = await client(url);
  const bytes = dataMiB * MiB;
  const mbs = (sec) => (bytes / sec / 1e6).toFixed(1);
  const rows = [];

  const cd = await createDelete(api);

  const vol = await createVolume(api, { size: 1, name: 'bench-data' });
  await writeAsGuest(api, vol.id, dataMiB);
  const [snap, snapSec, snapCpu] = await measured(async () => {
    const s = (await expect(api.call('POST', '/snapshots', { snapshot: { volume_id: vol.id, name: 'bench-snap' } }), 202, 'snapshot create')).snapshot;
    return until(api, `/snapshots/${s.id}`, 'snapshot', available);
  });
  rows.push(['snapshot create', snapSec, snapCpu, '']);
  const [clone, cloneSec, cloneCpu] = await measured(() => createVolume(api, { size: 1, source_volid: vol.id, name: 'bench-clone' }));
  rows.push(['clone (volume from volume)', cloneSec, cloneCpu, '']);
  const [fromSnap, fromSnapSec, fromSnapCpu] = await measured(() => createVolume(api, { size: 1, snapshot_id: snap.id, name: 'bench-from-snap' }));
  rows.push(['volume from snapshot', fromSnapSec, fromSnapCpu, '']);

  const [backup, backupSec, backupCpu] = await measured(async () => {
    const b = (await expect(api.call('POST', '/backups', { backup: { volume_id: vol.id, name: 'bench-backup' } }), 202, 'backup create')).backup;
    return until(api, `/backups/${b.id}`, 'backup', available);
  });
  rows.push(['backup (posix, zlib)', backupSec, backupCpu, mbs(backupSec)]);
  const [, restoreSec, restoreCpu] = await measured(async () => {
    const r = (await expect(api.call('POST', `/backups/${backup.id}/restore`, { restore: { name: 'bench-restored' } }), 202, 'restore')).restore;
    await until(api, `/backups/${backup.id}`, 'backup', available);
    return until(api, `/volumes/${r.volume_id}`, 'volume', available);
  });
  rows.push(['restore to a new volume', restoreSec, restoreCpu, mbs(restoreSec)]);
  const { writeSec, readSec } = dd(dataMiB);
  rows.push([`dd write (bs=1M, conv=fsync)`, writeSec, null, mbs(writeSec)]);
  rows.push([`dd read (bs=1M, page cache)`, readSec, null, mbs(readSec)]);

  const used = execFileSync('du', ['-sh', join(dataDir, 'volumes')], { encoding: 'utf8' }).split(/\s/)[0];
  console.log(`Block Storage figures, file driver (${format}), data dir ${dataDir} (${execFileSync('df', ['--output=fstype', dataDir], { encoding: 'utf8' }).split('\n')[1]})`);
  console.log(`create+delete, 1 GiB empty, concurrency ${concurrency}: ${pairs} pairs in ${cd.sec.toFixed(2)} s = ${cd.rate.toFixed(1)} pairs/s; one pair p50 ${(cd.p50 * 1000).toFixed(0)} ms, p99 ${(cd.p99 * 1000).toFixed(0)} ms; cloud CPU ${(cd.cpu / pairs * 1000).toFixed(1)} ms per pair`);
  console.log(`1 GiB volume holding ${dataMiB} MiB of random data (volume files: ${used}):`);
  console.log(`${'operation'.padEnd(32)} ${'seconds'.padStart(8)} ${'cloud CPU s'.padStart(12)} ${'MB/s'.padStart(8)}`);
  for (const [name, sec, cpu, rate] of rows) {
    console.log(`${name.padEnd(32)} ${sec.toFixed(3).padStart(8)} ${(cpu === null ? '' : cpu.toFixed(2)).padStart(12)} ${String(rate).padStart(8)}`);
  }
  console.log(`load average at the end: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} (${execFileSync('nproc', { encoding: 'utf8' }).trim()} CPUs)`);
  for (const id of [clone.id, fromSnap.id]) await deleteVolume(api, id);
  await api.close();
} finally {
  const exited = new Promise((r) => child.on('exit', r));
  child.kill('SIGTERM');
  await exited;
  rmSync(dataDir, { recursive: true, force: true });
}
