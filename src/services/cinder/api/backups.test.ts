import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startCinder, type CinderHarness } from '../testing/cinder-harness.js';

const MiB = 1024 * 1024;
const GiB = 1024 ** 3;
/** Backups read a whole 1 GiB volume file: on a busy machine that takes seconds. */
const SLOW = 60_000;

/** Write `len` bytes of a pattern seeded by `seed` at `offset` of a volume file. */
async function writePattern(path: string, offset: number, len: number, seed: number): Promise<void> {
  const buf = Buffer.alloc(len);
  for (let i = 0; i < len; i++) buf[i] = (i * 31 + seed) & 0xff;
  const fh = await open(path, 'r+');
  try { await fh.write(buf, 0, len, offset); } finally { await fh.close(); }
}

async function sha256Of(path: string, length: number): Promise<string> {
  const fh = await open(path, 'r');
  const hash = createHash('sha256');
  const buf = Buffer.alloc(4 * MiB);
  try {
    for (let at = 0; at < length;) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, length - at), at);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
      at += bytesRead;
    }
  } finally { await fh.close(); }
  return hash.digest('hex');
}

function filesUnder(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name) : [];
}

describe('cinder backups API (posix driver)', () => {
  let h: CinderHarness;
  before(async () => {
    // 1 MiB sha blocks and 64 MiB objects keep the 1 GiB volumes of the tests quick to read
    h = await startCinder({ 'DEFAULT.backup_sha_block_size_bytes': String(MiB), 'DEFAULT.backup_file_size': String(64 * MiB) });
  });
  after(async () => { await h?.close(); });

  const volumePath = (id: string) => h.volumeService.driver.volumePath(id);
  const backupDir = () => join(h.dataDir, 'backup');

  async function newVolume(name = 'src'): Promise<string> {
    const res = await h.as(h.member, 'POST', '/v3/p1/volumes', { volume: { size: 1, name } });
    assert.equal(res.status, 202);
    await h.waitFor(`/v3/p1/volumes/${res.body.volume.id}`, 'volume', 'available', SLOW);
    return res.body.volume.id;
  }

  async function backup(body: Record<string, unknown>, version = '3.0', token = h.member): Promise<any> {
    const res = await h.as(token, 'POST', '/v3/p1/backups', { backup: body }, version);
    assert.equal(res.status, 202, JSON.stringify(res.body));
    return h.waitFor(`/v3/p1/backups/${res.body.backup.id}`, 'backup', 'available', SLOW);
  }

  test('full and incremental backups, restores to new and existing volumes, with the data', async () => {
    const vol = await newVolume();
    await writePattern(volumePath(vol), 0, 3 * MiB, 1);
    await writePattern(volumePath(vol), 700 * MiB, 2 * MiB, 2);
    const original = await sha256Of(volumePath(vol), GiB);

    const created = await h.as(h.member, 'POST', '/v3/p1/backups', { backup: { volume_id: vol, name: 'full', description: 'd' } });
    assert.equal(created.status, 202);
    assert.deepEqual(Object.keys(created.body.backup).sort(), ['id', 'links', 'name']);
    assert.equal((await h.as(h.member, 'GET', `/v3/p1/volumes/${vol}`)).body.volume.status, 'backing-up');
    const full = await h.waitFor(`/v3/p1/backups/${created.body.backup.id}`, 'backup', 'available', SLOW);
    assert.equal(full.size, 1);
    assert.equal(full.is_incremental, false);
    assert.equal(full.has_dependent_backups, false);
    assert.equal(full.volume_id, vol);
    assert.equal(full.name, 'full');
    assert.equal(full.availability_zone, 'nova');
    assert.equal(full.fail_reason, null);
    assert.equal(full.object_count, 2 + 2, 'the two runs of data (zeros are left out), the sha256 list and the metadata');
    assert.equal(full.container, `${full.id.slice(0, 2)}/${full.id.slice(2, 4)}/${full.id}`);
    assert.equal(filesUnder(join(backupDir(), full.container)).length, 4);
    assert.equal((await h.as(h.member, 'GET', `/v3/p1/volumes/${vol}`)).body.volume.status, 'available');

    // change one MiB: the incremental backup stores that block only
    await writePattern(volumePath(vol), 700 * MiB, MiB, 9);
    const changed = await sha256Of(volumePath(vol), GiB);
    const incr = await backup({ volume_id: vol, incremental: true, name: 'incr' });
    assert.equal(incr.is_incremental, true);
    assert.equal(incr.object_count, 1 + 2);
    assert.equal((await h.as(h.member, 'GET', `/v3/p1/backups/${full.id}`)).body.backup.has_dependent_backups, true);
    const delParent = await h.as(h.member, 'DELETE', `/v3/p1/backups/${full.id}`);
    assert.equal(delParent.status, 400);
    assert.match(delParent.body.badRequest.message, /Incremental backups exist for this backup/);

    // restore of the incremental backup to a new volume: the changed data
    const r1 = await h.as(h.member, 'POST', `/v3/p1/backups/${incr.id}/restore`, { restore: { name: 'restored' } });
    assert.equal(r1.status, 202);
    assert.equal(r1.body.restore.backup_id, incr.id);
    assert.equal(r1.body.restore.volume_name, 'restored');
    const restoredVol = r1.body.restore.volume_id;
    await h.waitFor(`/v3/p1/volumes/${restoredVol}`, 'volume', 'available', SLOW);
    await h.waitFor(`/v3/p1/backups/${incr.id}`, 'backup', 'available', SLOW);
    assert.equal(await sha256Of(volumePath(restoredVol), GiB), changed);
    // the restored file keeps its holes (zeros are not written to a new volume)
    assert.ok((await stat(volumePath(restoredVol))).blocks * 512 < 64 * MiB);

    // restore of the full backup over that existing volume: the original data again
    const r2 = await h.as(h.member, 'POST', `/v3/p1/backups/${full.id}/restore`, { restore: { volume_id: restoredVol } });
    assert.equal(r2.status, 202);
    assert.equal((await h.as(h.member, 'GET', `/v3/p1/volumes/${restoredVol}`)).body.volume.status, 'restoring-backup');
    await h.waitFor(`/v3/p1/volumes/${restoredVol}`, 'volume', 'available', SLOW);
    await h.waitFor(`/v3/p1/backups/${full.id}`, 'backup', 'available', SLOW);
    assert.equal(await sha256Of(volumePath(restoredVol), GiB), original);

    // a volume smaller than the backup, or busy, is refused
    const big = await backup({ volume_id: vol, name: 'again' });
    await h.as(h.admin, 'POST', `/v3/p1/volumes/${restoredVol}/action`, { 'os-reset_status': { status: 'error' } });
    const busy = await h.as(h.member, 'POST', `/v3/p1/backups/${big.id}/restore`, { restore: { volume_id: restoredVol } });
    assert.equal(busy.status, 400);
    assert.match(busy.body.badRequest.message, /must be available/);

    // deletes: the incremental one, then the full one; their files go
    assert.equal((await h.as(h.member, 'DELETE', `/v3/p1/backups/${incr.id}`)).status, 202);
    await h.waitGone(`/v3/p1/backups/${incr.id}`, SLOW);
    assert.equal((await h.as(h.member, 'DELETE', `/v3/p1/backups/${full.id}`)).status, 202);
    await h.waitGone(`/v3/p1/backups/${full.id}`, SLOW);
    assert.equal(filesUnder(join(backupDir(), full.container)).length, 0);
  });

  test('create rules: in-use needs force, incremental needs a parent, snapshots, bad input, other projects', async () => {
    const vol = await newVolume('rules');
    const noParent = await h.as(h.member, 'POST', '/v3/p1/backups', { backup: { volume_id: vol, incremental: true } });
    assert.equal(noParent.status, 400);
    assert.match(noParent.body.badRequest.message, /No backups available to do an incremental backup/);
    assert.equal((await h.as(h.member, 'POST', '/v3/p1/backups', { backup: { volume_id: 'nope' } })).status, 400);
    assert.equal((await h.as(h.member, 'POST', '/v3/p1/backups', { backup: { volume_id: vol, bogus: 1 } })).status, 400);
    assert.equal((await h.as(h.member, 'POST', '/v3/p1/backups', { backup: { volume_id: vol, metadata: { a: 'b' } } })).status, 400, 'metadata needs 3.43');
    assert.equal((await h.as(h.member, 'POST', '/v3/p1/backups', { backup: {} })).status, 400);
    assert.equal((await h.as(h.other, 'POST', '/v3/p2/backups', { backup: { volume_id: vol } })).status, 404);
    assert.equal((await h.as(h.reader, 'POST', '/v3/p1/backups', { backup: { volume_id: vol } })).status, 403);
    const posix = await h.as(h.member, 'POST', '/v3/p1/backups', { backup: { volume_id: vol, container: '../../etc' } });
    assert.equal(posix.status, 202, 'the container is checked by the driver');
    const bad = await h.waitFor(`/v3/p1/backups/${posix.body.backup.id}`, 'backup', 'error', SLOW);
    assert.match(bad.fail_reason, /not a directory below the backup path/);
    await h.waitFor(`/v3/p1/volumes/${vol}`, 'volume', 'available', SLOW);
    assert.equal((await h.as(h.member, 'DELETE', `/v3/p1/backups/${bad.id}`)).status, 202);
    await h.waitGone(`/v3/p1/backups/${bad.id}`, SLOW);

    // no backup service up and enabled: 503, the volume untouched
    const services = (await h.as(h.admin, 'GET', '/v3/p1/os-services?binary=cinder-backup')).body.services;
    assert.deepEqual(services.map((x: any) => [x.binary, x.host, x.state]), [['cinder-backup', 'testhost', 'up']]);
    assert.equal((await h.as(h.admin, 'PUT', '/v3/p1/os-services/disable', { host: 'testhost', binary: 'cinder-backup' })).status, 200);
    const down = await h.as(h.member, 'POST', '/v3/p1/backups', { backup: { volume_id: vol } });
    assert.equal(down.status, 503);
    assert.equal(down.body.serviceUnavailable.message, 'Service cinder-backup could not be found.');
    assert.equal((await h.as(h.member, 'GET', `/v3/p1/volumes/${vol}`)).body.volume.status, 'available');
    await h.as(h.admin, 'PUT', '/v3/p1/os-services/enable', { host: 'testhost', binary: 'cinder-backup' });

    await h.as(h.admin, 'POST', `/v3/p1/volumes/${vol}/action`, { 'os-reset_status': { status: 'in-use' } });
    const inUse = await h.as(h.member, 'POST', '/v3/p1/backups', { backup: { volume_id: vol } });
    assert.equal(inUse.status, 400);
    assert.match(inUse.body.badRequest.message, /Backing up an in-use volume must use the force flag/);
    const forced = await backup({ volume_id: vol, force: true });
    assert.equal((await h.as(h.member, 'GET', `/v3/p1/volumes/${vol}`)).body.volume.status, 'in-use');
    await h.as(h.admin, 'POST', `/v3/p1/volumes/${vol}/action`, { 'os-reset_status': { status: 'available' } });

    const snap = await h.as(h.member, 'POST', '/v3/p1/snapshots', { snapshot: { volume_id: vol } });
    await h.waitFor(`/v3/p1/snapshots/${snap.body.snapshot.id}`, 'snapshot', 'available', SLOW);
    const fromSnap = await backup({ volume_id: vol, snapshot_id: snap.body.snapshot.id });
    assert.equal(fromSnap.snapshot_id, snap.body.snapshot.id);
    assert.equal((await h.as(h.member, 'GET', `/v3/p1/snapshots/${snap.body.snapshot.id}`)).body.snapshot.status, 'available');
    const other = await newVolume('other');
    const mismatch = await h.as(h.member, 'POST', '/v3/p1/backups', { backup: { volume_id: other, snapshot_id: snap.body.snapshot.id } });
    assert.equal(mismatch.status, 400);
    for (const b of [fromSnap, forced]) {
      assert.equal((await h.as(h.member, 'DELETE', `/v3/p1/backups/${b.id}`)).status, 202);
      await h.waitGone(`/v3/p1/backups/${b.id}`, SLOW);
    }
  });

  test('list, detail, filters, sorting, paging, count, microversion fields, update, reset and force delete', async () => {
    const vol = await newVolume('listed');
    const a = await backup({ volume_id: vol, name: 'alpha', metadata: { k: 'v' } }, '3.43');
    const b = await backup({ volume_id: vol, name: 'beta', availability_zone: 'nova' }, '3.51');
    const list = await h.as(h.member, 'GET', '/v3/p1/backups');
    assert.equal(list.status, 200);
    assert.ok(list.body.backups.some((x: any) => x.id === a.id && x.name === 'alpha' && x.links.length === 2));
    const named = await h.as(h.member, 'GET', '/v3/p1/backups/detail?name=alpha');
    assert.deepEqual(named.body.backups.map((x: any) => x.id), [a.id]);
    assert.equal(named.body.backups[0].metadata, undefined, 'metadata from 3.43');
    const v343 = await h.as(h.member, 'GET', `/v3/p1/backups/${a.id}`, undefined, '3.43');
    assert.deepEqual(v343.body.backup.metadata, { k: 'v' });
    const sorted = await h.as(h.member, 'GET', `/v3/p1/backups/detail?volume_id=${vol}&sort=name:asc`, undefined, '3.37');
    assert.deepEqual(sorted.body.backups.map((x: any) => x.name), ['alpha', 'beta']);
    const paged = await h.as(h.member, 'GET', `/v3/p1/backups?volume_id=${vol}&sort=name:asc&limit=1&with_count=true`, undefined, '3.45');
    assert.equal(paged.body.backups.length, 1);
    assert.equal(paged.body.count, 2);
    assert.match(paged.body.backups_links[0].href, new RegExp(`marker=${a.id}`));
    assert.equal((await h.as(h.member, 'GET', '/v3/p1/backups?bogus=1', undefined, '3.31')).status, 400);
    // project and user attributes are the admin's (3.18, 3.56)
    const adminView = await h.as(h.admin, 'GET', `/v3/p1/backups/${a.id}`, undefined, '3.56');
    assert.equal(adminView.body.backup['os-backup-project-attr:project_id'], 'p1');
    assert.ok('user_id' in adminView.body.backup);
    assert.equal((await h.as(h.member, 'GET', `/v3/p1/backups/${a.id}`, undefined, '3.56')).body.backup.user_id, undefined);
    // other projects neither see nor list them
    assert.equal((await h.as(h.other, 'GET', `/v3/p2/backups/${a.id}`)).status, 404);
    assert.equal((await h.as(h.other, 'GET', '/v3/p2/backups')).body.backups.length, 0);
    assert.ok((await h.as(h.admin, 'GET', '/v3/p1/backups?all_tenants=1')).body.backups.length >= 2);

    // update (3.9; metadata 3.43)
    assert.equal((await h.as(h.member, 'PUT', `/v3/p1/backups/${a.id}`, { backup: { name: 'x' } })).status, 404);
    const upd = await h.as(h.member, 'PUT', `/v3/p1/backups/${a.id}`, { backup: { name: 'renamed', description: 'dd' } }, '3.9');
    assert.equal(upd.status, 200);
    assert.equal(upd.body.backup.name, 'renamed');
    assert.equal((await h.as(h.member, 'PUT', `/v3/p1/backups/${a.id}`, { backup: { metadata: { z: '1' } } }, '3.9')).status, 400);
    await h.as(h.member, 'PUT', `/v3/p1/backups/${a.id}`, { backup: { metadata: { z: '1' } } }, '3.43');
    assert.deepEqual((await h.as(h.member, 'GET', `/v3/p1/backups/${a.id}`, undefined, '3.43')).body.backup.metadata, { z: '1' });

    // reset status and force delete are the admin's
    const act = `/v3/p1/backups/${b.id}/action`;
    assert.equal((await h.as(h.member, 'POST', act, { 'os-reset_status': { status: 'error' } })).status, 403);
    assert.equal((await h.as(h.admin, 'POST', act, { 'os-reset_status': { status: 'bogus' } })).status, 400);
    assert.equal((await h.as(h.admin, 'POST', act, { 'os-reset_status': { status: 'error' } })).status, 202);
    assert.equal((await h.as(h.member, 'GET', `/v3/p1/backups/${b.id}`)).body.backup.status, 'error');
    assert.equal((await h.as(h.member, 'POST', act, { 'os-force_delete': {} })).status, 403);
    assert.equal((await h.as(h.admin, 'POST', act, { 'os-force_delete': {} })).status, 202);
    await h.waitGone(`/v3/p1/backups/${b.id}`, SLOW);
    assert.equal((await h.as(h.admin, 'POST', `/v3/p1/backups/${a.id}/action`, { 'os-bogus': {} })).status, 400);
    assert.equal((await h.as(h.member, 'DELETE', `/v3/p1/backups/${a.id}`)).status, 202);
    await h.waitGone(`/v3/p1/backups/${a.id}`, SLOW);
  });

  test('export and import of a record, then a restore from the imported backup', async () => {
    const vol = await newVolume('exported');
    await writePattern(volumePath(vol), 5 * MiB, MiB, 7);
    const sum = await sha256Of(volumePath(vol), GiB);
    const b = await backup({ volume_id: vol });
    assert.equal((await h.as(h.member, 'GET', `/v3/p1/backups/${b.id}/export_record`)).status, 403);
    const exported = await h.as(h.admin, 'GET', `/v3/p1/backups/${b.id}/export_record`);
    assert.equal(exported.status, 200);
    const record = exported.body['backup-record'];
    assert.equal(record.backup_service, 'cinder.backup.drivers.posix.PosixBackupDriver');
    assert.equal(JSON.parse(Buffer.from(record.backup_url, 'base64').toString()).id, b.id);
    const dup = await h.as(h.admin, 'POST', '/v3/p1/backups/import_record', { 'backup-record': record });
    assert.equal(dup.status, 400);
    assert.match(dup.body.badRequest.message, /already exists/);
    assert.equal((await h.as(h.admin, 'POST', '/v3/p1/backups/import_record', { 'backup-record': { backup_service: 'x', backup_url: 'bm90IGpzb24=' } })).status, 400);

    // the row goes, the files stay (a copy of them is what an import points at): delete via the DB
    await h.backupService.manager['o'].repos.backups.softDelete(b.id);
    assert.equal((await h.as(h.admin, 'GET', `/v3/p1/backups/${b.id}`)).status, 404);
    const imported = await h.as(h.admin, 'POST', '/v3/p1/backups/import_record', { 'backup-record': record });
    assert.equal(imported.status, 201);
    assert.equal(imported.body.backup.id, b.id);
    await h.waitFor(`/v3/p1/backups/${b.id}`, 'backup', 'available', SLOW);
    const r = await h.as(h.admin, 'POST', `/v3/p1/backups/${b.id}/restore`, { restore: null });
    assert.equal(r.status, 202);
    assert.match(r.body.restore.volume_name, /^restore_backup_/);
    await h.waitFor(`/v3/p1/volumes/${r.body.restore.volume_id}`, 'volume', 'available', SLOW);
    assert.equal(await sha256Of(volumePath(r.body.restore.volume_id), GiB), sum);

    // a record whose objects are gone imports as an error
    const gone = { ...JSON.parse(Buffer.from(record.backup_url, 'base64').toString()), id: '11111111-2222-3333-4444-555555555555', service_metadata: 'nothing' };
    const bad = await h.as(h.admin, 'POST', '/v3/p1/backups/import_record', { 'backup-record': { backup_service: record.backup_service, backup_url: Buffer.from(JSON.stringify(gone)).toString('base64') } });
    assert.equal(bad.status, 201);
    await h.waitFor(`/v3/p1/backups/${gone.id}`, 'backup', 'error', SLOW);
  });

  test('a volume created from a backup (3.47), and the quotas of backups', async () => {
    const vol = await newVolume('origin');
    await writePattern(volumePath(vol), 0, 2 * MiB, 3);
    const sum = await sha256Of(volumePath(vol), GiB);
    const b = await backup({ volume_id: vol });
    // before 3.47 backup_id is not read (the schema lets it through): no size, no source -> 400
    assert.equal((await h.as(h.member, 'POST', '/v3/p1/volumes', { volume: { backup_id: b.id } }, '3.46')).status, 400);
    // cinderclient sends backup_id: null at every version, e.g. `openstack volume create --size 1` at 3.0
    const plain = await h.as(h.member, 'POST', '/v3/p1/volumes', {
      volume: { size: 1, name: 'plain', snapshot_id: null, source_volid: null, imageRef: null, backup_id: null, consistencygroup_id: null, metadata: {} },
    }, '3.0');
    assert.equal(plain.status, 202);
    await h.waitFor(`/v3/p1/volumes/${plain.body.volume.id}`, 'volume', 'available', SLOW);
    const created = await h.as(h.member, 'POST', '/v3/p1/volumes', { volume: { backup_id: b.id, name: 'from-backup' } }, '3.47');
    assert.equal(created.status, 202);
    assert.equal(created.body.volume.size, 1);
    await h.waitFor(`/v3/p1/volumes/${created.body.volume.id}`, 'volume', 'available', SLOW);
    await h.waitFor(`/v3/p1/backups/${b.id}`, 'backup', 'available', SLOW);
    assert.equal(await sha256Of(volumePath(created.body.volume.id), GiB), sum);

    const limits = await h.as(h.member, 'GET', '/v3/p1/limits');
    assert.ok(limits.body.limits.absolute.totalBackupsUsed >= 1);
    assert.ok(limits.body.limits.absolute.totalBackupGigabytesUsed >= 1);
    const used = limits.body.limits.absolute.totalBackupsUsed;
    assert.equal((await h.as(h.admin, 'PUT', '/v3/p1/os-quota-sets/p1', { quota_set: { backups: used } })).status, 200);
    const over = await h.as(h.member, 'POST', '/v3/p1/backups', { backup: { volume_id: vol } });
    assert.equal(over.status, 413);
    assert.match(over.body.overLimit.message, /Maximum number of backups allowed/);
    assert.equal((await h.as(h.admin, 'PUT', '/v3/p1/os-quota-sets/p1', { quota_set: { backups: -1, backup_gigabytes: 0 } })).status, 200);
    const overGb = await h.as(h.member, 'POST', '/v3/p1/backups', { backup: { volume_id: vol } });
    assert.equal(overGb.status, 413);
    assert.match(overGb.body.overLimit.message, /Backup gigabytes quota/);
    await h.as(h.admin, 'DELETE', '/v3/p1/os-quota-sets/p1');
  });
});

describe('cinder backups of a qcow2 backend', () => {
  let h: CinderHarness;
  before(async () => {
    h = await startCinder({ 'backend_defaults.file_volume_format': 'qcow2', 'DEFAULT.backup_sha_block_size_bytes': String(MiB) });
  });
  after(async () => { await h?.close(); });

  test('the raw bytes are backed up and restored into a qcow2 volume', async () => {
    const res = await h.as(h.member, 'POST', '/v3/p1/volumes', { volume: { size: 1 } });
    const vol = res.body.volume.id;
    await h.waitFor(`/v3/p1/volumes/${vol}`, 'volume', 'available');
    // the volume's content: a raw image with data, converted into the volume's qcow2 file
    const path = h.volumeService.driver.volumePath(vol);
    const raw = join(h.dataDir, 'content.raw');
    execFileSync('truncate', ['-s', '1G', raw]);
    await writePattern(raw, 10 * MiB, 2 * MiB, 5);
    execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', raw, path]);
    const want = await sha256Of(raw, GiB);

    const created = await h.as(h.member, 'POST', '/v3/p1/backups', { backup: { volume_id: vol } });
    const b = await h.waitFor(`/v3/p1/backups/${created.body.backup.id}`, 'backup', 'available', SLOW);
    assert.equal(b.object_count, 1 + 2, 'the raw data, not the qcow2 file');
    const r = await h.as(h.member, 'POST', `/v3/p1/backups/${b.id}/restore`, { restore: {} });
    await h.waitFor(`/v3/p1/volumes/${r.body.restore.volume_id}`, 'volume', 'available', SLOW);
    const restored = h.volumeService.driver.volumePath(r.body.restore.volume_id);
    const info = JSON.parse(execFileSync('qemu-img', ['info', '--output=json', '-f', 'qcow2', restored], { encoding: 'utf8' }));
    assert.equal(info.format, 'qcow2');
    const back = join(h.dataDir, 'back.raw');
    execFileSync('qemu-img', ['convert', '-f', 'qcow2', '-O', 'raw', restored, back]);
    assert.equal(await sha256Of(back, GiB), want);
    assert.deepEqual(filesUnder(join(h.dataDir, 'backup-tmp')), [], 'the scratch copies are gone');
  });
});
