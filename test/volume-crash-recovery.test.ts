/**
 * Crash recovery of Block Storage, end to end: the all-in-one cloud (`nubo up`: cinder-api,
 * -scheduler, -volume with the file driver and -backup with the posix driver in one process,
 * SQLite, the in-process bus) is killed with SIGKILL while 20 volume creates (empty, clones,
 * from a snapshot), 4 snapshots, a backup and two deletes are under way, then started again on
 * the same data dir. Then:
 *   - no volume, snapshot or backup stays in a transitional state (creating, deleting,
 *     backing-up, ...): the restarted services settle them as Cinder's init_host does;
 *   - the usage os-quota-sets?usage=true shows is what exists (volumes, snapshots, GiB,
 *     backups, backup GiB; nothing reserved);
 *   - the volume directory holds exactly the files of the live volumes and snapshots (no
 *     temporary or orphan file), every available one has its file, and every available
 *     clone holds its source's data;
 *   - everything can then be deleted, leaving no file (volumes, snapshots, backup objects)
 *     and no usage.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdtempSync, openSync, readSync, readdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { parse } from 'yaml';
import { adminLogin, kill9, killChildClouds, nuboUp } from './support/child-cloud.js';
import { freePort } from './support/ports.js';

const MiB = 1024 * 1024;
/** Data in the clone source (a clone copies it) and in the backed-up volume (the backup compresses it). */
const CLONE_DATA_MiB = 32;
const BACKUP_DATA_MiB = 64;
const dirs: string[] = [];

after(() => {
  killChildClouds();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const TRANSIENT = {
  volume: ['creating', 'deleting', 'extending', 'downloading', 'uploading', 'backing-up', 'restoring-backup', 'reverting', 'managing', 'unmanaging',
    'retyping', 'maintenance', 'attaching', 'detaching'],
  snapshot: ['creating', 'deleting', 'backing-up', 'restoring', 'unmanaging', 'updating'],
  backup: ['creating', 'deleting', 'restoring'],
};

/** The all-in-one cloud with Block Storage (and Identity, Image), quotas big enough for the storm. */
function up(dataDir: string, port: number): Promise<ChildProcess> {
  return nuboUp({
    dataDir, port, ...(process.env.CRASH_TEST_LOG ? { logFile: process.env.CRASH_TEST_LOG } : {}),
    env: {
      // CRASH_TEST_LOG=file keeps the cloud's log (with CRASH_TEST_LOG_LEVEL=warn: what the restart settled)
      NUBO_DEFAULT__LOG_LEVEL: process.env.CRASH_TEST_LOG_LEVEL ?? 'error',
      NUBO_DEFAULT__ENABLED_SERVICES: 'identity,image,volume', NUBO_IDENTITY__PASSWORD_HASH_ROUNDS: '4', NUBO_TRACING__ENABLED: 'false',
      NUBO_DEFAULT__QUOTA_VOLUMES: '40', NUBO_DEFAULT__QUOTA_SNAPSHOTS: '20', NUBO_DEFAULT__QUOTA_GIGABYTES: '200',
      NUBO_DEFAULT__QUOTA_BACKUPS: '10', NUBO_DEFAULT__QUOTA_BACKUP_GIGABYTES: '100',
    },
  });
}

interface Api {
  projectId: string;
  call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/** The admin's Block Storage API (`/volume/v3/<project>`) at 3.54. */
async function api(url: string, dataDir: string): Promise<Api> {
  const pool = new Pool(url, { connections: 48 });
  const { token, projectId } = await adminLogin(pool, dataDir);
  const base = `/volume/v3/${projectId}`;
  return {
    projectId,
    async call(method, path, body) {
      const res = await pool.request({
        method: method as 'GET', path: `${base}${path}`,
        headers: { 'x-auth-token': token, 'openstack-api-version': 'volume 3.54', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.body.text();
      return { status: res.statusCode, body: text ? JSON.parse(text) : undefined };
    },
    close: () => pool.close(),
  };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = await probe();
    if (got !== undefined) return got;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await sleep(100);
  }
}

async function accepted(a: Api, method: string, path: string, body?: unknown): Promise<any> {
  const r = await a.call(method, path, body);
  assert.equal(r.status, 202, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

async function settled(a: Api, kind: 'volume' | 'snapshot' | 'backup', id: string, status = 'available'): Promise<any> {
  return until(`${kind} ${id} ${status}`, async () => {
    const r = await a.call('GET', `/${kind}s/${id}`);
    assert.equal(r.status, 200);
    const item = r.body[kind];
    if (/error/.test(item.status)) throw new Error(`${kind} ${id} went ${item.status}`);
    return item.status === status ? item : undefined;
  });
}

async function gone(a: Api, kind: 'volume' | 'snapshot' | 'backup', id: string): Promise<void> {
  await until(`${kind} ${id} deleted`, async () => ((await a.call('GET', `/${kind}s/${id}`)).status === 404 ? true : undefined));
}

/** Write `mib` MiB of `data` at the start of the volume through its connection info, as a guest's host would. */
async function writeAsGuest(a: Api, volumeId: string, data: Buffer): Promise<void> {
  const att = (await a.call('POST', '/attachments', {
    attachment: { volume_uuid: volumeId, instance_uuid: '0b4c2c1e-3b7a-4f0b-9c38-2f0d1e5a7b11', connector: { host: 'crash-test', mountpoint: '/dev/vdb' }, mode: 'rw' },
  }));
  assert.equal(att.status, 200, JSON.stringify(att.body));
  const info = att.body.attachment.connection_info;
  assert.equal(info.driver_volume_type, 'file');
  const fd = openSync(info.data.device_path, 'r+');
  writeSync(fd, data, 0, data.length, 0);
  fsyncSync(fd);
  closeSync(fd);
  assert.equal((await a.call('POST', `/attachments/${att.body.attachment.id}/action`, { 'os-complete': null })).status, 204);
  assert.equal((await a.call('DELETE', `/attachments/${att.body.attachment.id}`)).status, 200);
  await settled(a, 'volume', volumeId);
}

function sha256Head(path: string, bytes: number): string {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const n = readSync(fd, buf, 0, bytes, 0);
    return createHash('sha256').update(buf.subarray(0, n)).digest('hex');
  } finally {
    closeSync(fd);
  }
}

interface State { volumes: any[]; snapshots: any[]; backups: any[] }

async function state(a: Api): Promise<State> {
  const [v, s, b] = await Promise.all([a.call('GET', '/volumes/detail?limit=1000'), a.call('GET', '/snapshots/detail?limit=1000'), a.call('GET', '/backups/detail?limit=1000')]);
  return { volumes: v.body.volumes, snapshots: s.body.snapshots, backups: b.body.backups };
}

function transient(st: State): string[] {
  return [
    ...st.volumes.filter((x) => TRANSIENT.volume.includes(x.status)).map((x) => `volume ${x.id} ${x.status}`),
    ...st.snapshots.filter((x) => TRANSIENT.snapshot.includes(x.status)).map((x) => `snapshot ${x.id} ${x.status}`),
    ...st.backups.filter((x) => TRANSIENT.backup.includes(x.status)).map((x) => `backup ${x.id} ${x.status}`),
  ];
}

async function checkUsage(a: Api, st: State): Promise<void> {
  const r = await a.call('GET', `/os-quota-sets/${a.projectId}?usage=true`);
  assert.equal(r.status, 200);
  const q = r.body.quota_set;
  const sum = (xs: any[], key: string) => xs.reduce((n, x) => n + Number(x[key]), 0);
  const expected: Record<string, number> = {
    volumes: st.volumes.length, snapshots: st.snapshots.length, gigabytes: sum(st.volumes, 'size') + sum(st.snapshots, 'size'),
    backups: st.backups.length, backup_gigabytes: sum(st.backups, 'size'),
  };
  for (const [k, n] of Object.entries(expected)) {
    assert.equal(q[k].in_use, n, `usage of ${k}: ${JSON.stringify(q[k])}, expected ${n} in use`);
    assert.equal(q[k].reserved, 0, `${k} reserved: ${JSON.stringify(q[k])}`);
  }
}

test('Block Storage after a kill -9 during creates, snapshots, a backup and deletes: nothing transitional, usage as what exists, no orphan file', { timeout: 240_000 }, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nubo-volume-crash-'));
  dirs.push(dataDir);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let cloud = await up(dataDir, port);
  let a = await api(url, dataDir);

  // the sources: a volume to clone and snapshot, one to back up, a volume and a snapshot to delete
  const created = (body: object) => accepted(a, 'POST', '/volumes', { volume: { size: 1, ...body } }).then((b) => b.volume.id as string);
  const [source, backed, doomed] = await Promise.all([created({ name: 'crash-source' }), created({ name: 'crash-backed' }), created({ name: 'crash-doomed' })]);
  for (const id of [source, backed, doomed]) await settled(a, 'volume', id);
  const cloneData = randomBytes(CLONE_DATA_MiB * MiB);
  await writeAsGuest(a, source, cloneData);
  await writeAsGuest(a, backed, randomBytes(BACKUP_DATA_MiB * MiB));
  const sourceSha = createHash('sha256').update(cloneData).digest('hex');
  const snapOf = async (name: string) => (await accepted(a, 'POST', '/snapshots', { snapshot: { volume_id: source, name } })).snapshot.id as string;
  const [base, doomedSnap] = [await snapOf('crash-base'), await snapOf('crash-doomed-snap')];
  await settled(a, 'snapshot', base);
  await settled(a, 'snapshot', doomedSnap);
  const host = String((await a.call('GET', `/volumes/${source}`)).body.volume['os-vol-host-attr:host']).split('@')[0]!;
  const volumeDir = join(dataDir, 'volumes', host);

  // the storm: a backup, two deletes, 4 snapshots and 20 creates, all sent at once; the kill
  // comes once the backup and half of the creates were accepted (the rest are cut off on their way)
  let answered = 0;
  let cut = 0;
  const storm: Array<Promise<unknown>> = [];
  const send = (p: Promise<unknown>) => storm.push(p.then(() => { answered += 1; }, () => { cut += 1; }));
  let half!: () => void;
  const halfAccepted = new Promise<void>((ok) => { half = ok; });
  let createsAccepted = 0;
  const backup = accepted(a, 'POST', '/backups', { backup: { volume_id: backed, name: 'crash-backup' } });
  send(backup);
  const deletes = { volume: false, snapshot: false };
  send(a.call('DELETE', `/volumes/${doomed}`).then((r) => { assert.equal(r.status, 202); deletes.volume = true; }));
  send(a.call('DELETE', `/snapshots/${doomedSnap}`).then((r) => { assert.equal(r.status, 202); deletes.snapshot = true; }));
  for (let i = 0; i < 4; i++) send(snapOf(`crash-snap-${i}`));
  for (let i = 0; i < 20; i++) {
    const from = i % 3 === 0 ? {} : i % 3 === 1 ? { source_volid: source } : { snapshot_id: base };
    send(created({ name: `crash-${i}`, ...from }).then(() => { if (++createsAccepted === 10) half(); }));
  }
  await Promise.all([backup, halfAccepted]);
  await kill9(cloud);
  await Promise.all(storm);
  await a.close();
  t.diagnostic(`at the kill: ${answered} requests answered, ${cut} cut off`);

  cloud = await up(dataDir, port);
  a = await api(url, dataDir);
  const st = await until('nothing transitional after the restart', async () => {
    const s = await state(a);
    return transient(s).length === 0 ? s : undefined;
  }, 30_000).catch(async (err: Error) => { throw new Error(`${err.message}: ${transient(await state(a)).join(', ')}`); });
  const failed = [...st.volumes, ...st.snapshots, ...st.backups].filter((x) => x.status === 'error').length;
  const errors = (xs: any[]) => xs.filter((x) => x.status === 'error').length;
  t.diagnostic(`after the restart: ${st.volumes.length} volumes (${errors(st.volumes)} error), ${st.snapshots.length} snapshots (${errors(st.snapshots)} error), ${st.backups.length} backups (${errors(st.backups)} error)`);
  assert.ok(cut + failed > 0, 'the kill came when everything was done already: nothing was tested');

  await checkUsage(a, st);
  // a delete that was accepted is done (one cut off may not have reached the cloud)
  if (deletes.volume) assert.ok(!st.volumes.some((v) => v.id === doomed), 'the volume being deleted is gone');
  if (deletes.snapshot) assert.ok(!st.snapshots.some((s) => s.id === doomedSnap), 'the snapshot being deleted is gone');
  assert.equal(st.volumes.find((v) => v.id === backed)?.status, 'available', 'the backed-up volume is free again');
  assert.ok(['available', 'error'].includes(st.backups[0]?.status), `backup ${JSON.stringify(st.backups)}`);

  // the volume directory: the files of the live volumes and snapshots, nothing else
  const live = new Set([...st.volumes.map((v) => `volume-${v.id}`), ...st.snapshots.map((s) => `snapshot-${s.id}`)]);
  const files = readdirSync(volumeDir);
  assert.deepEqual(files.filter((f) => !live.has(f)), [], 'files of no live volume or snapshot');
  for (const v of st.volumes.filter((x) => x.status === 'available')) {
    assert.equal(statSync(join(volumeDir, `volume-${v.id}`)).size, v.size * 1024 ** 3, `file of volume ${v.id}`);
    if (v.source_volid === source || v.snapshot_id === base) assert.equal(sha256Head(join(volumeDir, `volume-${v.id}`), cloneData.length), sourceSha, `data of clone ${v.id}`);
  }
  for (const s of st.snapshots.filter((x) => x.status === 'available')) assert.ok(files.includes(`snapshot-${s.id}`), `file of snapshot ${s.id}`);

  // everything can go, leaving nothing behind
  for (const b of st.backups) await accepted(a, 'DELETE', `/backups/${b.id}`);
  for (const b of st.backups) await gone(a, 'backup', b.id);
  for (const v of st.volumes) assert.equal((await a.call('DELETE', `/volumes/${v.id}?cascade=true`)).status, 202, `delete of ${v.id} (${v.status})`);
  for (const v of st.volumes) await gone(a, 'volume', v.id);
  const empty = await state(a);
  assert.deepEqual([empty.volumes.length, empty.snapshots.length, empty.backups.length], [0, 0, 0]);
  await checkUsage(a, empty);
  assert.deepEqual(readdirSync(volumeDir), []);
  // the backup interrupted by the kill left no object behind in the posix driver's directory
  const backupFiles = readdirSync(join(dataDir, 'backup'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name);
  assert.deepEqual(backupFiles, []);
  await a.close();
  await kill9(cloud);
});
