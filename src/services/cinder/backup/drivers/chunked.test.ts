import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ObjectClient } from '../../../../common/clients/index.js';
import { sendJson, StubCloud } from '../../../../common/clients/testing/stub-cloud.js';
import { BackupDriverException, InvalidBackup } from '../errors.js';
import type { ChunkedBackupDriver, DriverBackup } from './chunked.js';
import { PosixBackupDriver } from './posix.js';
import { SwiftBackupDriver } from './swift.js';

const KiB = 1024;
const options = { chunkSize: 256 * KiB, shaBlockSize: 64 * KiB, compression: 'zlib' as const, defaultContainer: null };

function backupOf(id: string, extra: Partial<DriverBackup> = {}): DriverBackup {
  return { id, volume_id: 'vol-1', display_name: 'b', display_description: null, container: null, service_metadata: null, created_at: '2026-12-03T10:00:00Z', ...extra };
}

/** 1 MiB: random data in the first 300 KiB, zeros, 64 KiB of data at 768 KiB. */
function volumeData(): Buffer {
  const data = Buffer.alloc(1024 * KiB);
  randomBytes(300 * KiB).copy(data, 0);
  randomBytes(64 * KiB).copy(data, 768 * KiB);
  return data;
}

/** A source of `data` in uneven pieces (the driver cuts its own blocks). */
async function* pieces(data: Buffer): AsyncGenerator<Buffer> {
  for (let at = 0; at < data.length; at += 100_000) yield data.subarray(at, at + 100_000);
}

async function restoreTo(driver: ChunkedBackupDriver, chain: DriverBackup[], path: string, initial: Buffer, sparse: boolean): Promise<Buffer> {
  await writeFile(path, initial);
  await driver.restore(chain, path, sparse);
  return readFile(path);
}

/** The contract both drivers keep: full and incremental backups, restores, deletes. */
async function exercise(driver: ChunkedBackupDriver, dir: string, count: () => number): Promise<void> {
  const v1 = volumeData();
  const full = backupOf('aaaaaaaa-0000-0000-0000-000000000001');
  const r1 = await driver.backup(full, pieces(v1), null, { metadata: { k: 'v' } });
  // two runs of data (300 KiB: two objects of 256 KiB at most; 64 KiB), the sha256 list, the metadata; zeros left out
  assert.equal(r1.object_count, 3 + 2);
  const stored1 = { ...full, container: r1.container, service_metadata: r1.service_metadata };
  assert.deepEqual(await driver.metadataOf(stored1), { objects: 3, volumeMeta: { metadata: { k: 'v' } }, parentId: null });

  // an incremental backup: one changed block, one block zeroed (its zeros must win over the full backup's data)
  const v2 = Buffer.from(v1);
  randomBytes(10 * KiB).copy(v2, 500 * KiB);
  v2.fill(0, 0, 64 * KiB);
  const incr = backupOf('aaaaaaaa-0000-0000-0000-000000000002', { created_at: '2026-12-03T11:00:00Z' });
  const r2 = await driver.backup(incr, pieces(v2), stored1, null);
  assert.equal(r2.object_count, 2 + 2, 'only the two changed blocks are stored');
  const stored2 = { ...incr, container: r2.container, service_metadata: r2.service_metadata };

  const target = join(dir, 'target');
  assert.ok((await restoreTo(driver, [stored1], target, Buffer.alloc(v1.length), true)).equals(v1), 'full, on zeros');
  assert.ok((await restoreTo(driver, [stored1], target, randomBytes(v1.length), false)).equals(v1), 'full, over other data: the gaps written as zeros');
  assert.ok((await restoreTo(driver, [stored1, stored2], target, Buffer.alloc(v1.length), true)).equals(v2), 'the chain, on zeros');
  assert.ok((await restoreTo(driver, [stored1, stored2], target, randomBytes(v1.length), false)).equals(v2), 'the chain, over other data');

  const before = count();
  await driver.delete(stored2);
  assert.equal(count(), before - 4);
  await driver.delete(stored1);
  assert.equal(count(), before - 9);
  await driver.delete(stored1); // again: nothing left, no error
  await assert.rejects(driver.metadataOf(stored1), BackupDriverException);
}

describe('chunked backup drivers', () => {
  let dir: string;
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'nubo-chunked-')); });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  test('posix: objects as files under the backup path, incremental by sha256 blocks, restores', async () => {
    const root = join(dir, 'posix');
    const driver = new PosixBackupDriver(root, options);
    await driver.setup();
    const files = (): number => readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length;
    await exercise(driver, dir, files);
    await assert.rejects(driver.backup(backupOf('bbbbbbbb-0000-0000-0000-000000000001', { container: '../outside' }), pieces(volumeData()), null, null), InvalidBackup);
    await assert.rejects(driver.backup(backupOf('bbbbbbbb-0000-0000-0000-000000000001', { container: '/etc' }), pieces(volumeData()), null, null), InvalidBackup);
  });

  test('posix: a damaged object fails the restore (md5), a parent of another block size is refused', async () => {
    const root = join(dir, 'posix2');
    const driver = new PosixBackupDriver(root, { ...options, compression: 'none' });
    await driver.setup();
    const b = backupOf('cccccccc-0000-0000-0000-000000000001');
    const r = await driver.backup(b, pieces(volumeData()), null, null);
    const stored = { ...b, container: r.container, service_metadata: r.service_metadata };
    const object = join(root, r.container, `${r.service_metadata}-00001`);
    const data = await readFile(object);
    data[10] = data[10]! ^ 0xff;
    await writeFile(object, data);
    await assert.rejects(restoreTo(driver, [stored], join(dir, 't2'), Buffer.alloc(1024 * KiB), true), /does not match its md5/);
    const other = new PosixBackupDriver(root, { ...options, shaBlockSize: 32 * KiB });
    await assert.rejects(other.backup(backupOf('cccccccc-0000-0000-0000-000000000002'), pieces(volumeData()), stored, null), /another sha block size/);
  });

  test('posix: data that does not compress is stored uncompressed, in objects of its own; text is compressed', async () => {
    const root = join(dir, 'posix3');
    const driver = new PosixBackupDriver(root, { ...options, chunkSize: 4096 * KiB });
    await driver.setup();
    // 1 MiB of random data, 1 MiB of text, 1 MiB of random data: three objects (a change of kind closes one)
    const text = Buffer.from('the quick brown fox jumps over the lazy dog; '.repeat(Math.ceil(1024 * KiB / 45))).subarray(0, 1024 * KiB);
    const data = Buffer.concat([randomBytes(1024 * KiB), text, randomBytes(1024 * KiB)]);
    const b = backupOf('dddddddd-0000-0000-0000-000000000001');
    const r = await driver.backup(b, pieces(data), null, null);
    const meta = JSON.parse(await readFile(join(root, r.container, `${r.service_metadata}_metadata`), 'utf8')) as { objects: Array<Record<string, { offset: number; compression: string | null }>> };
    const kinds = meta.objects.map((o) => Object.values(o)[0]!).map((o) => [o.offset / KiB, o.compression]);
    assert.deepEqual(kinds, [[0, null], [1024, 'zlib'], [2048, null]]);
    const textObject = Object.keys(meta.objects[1]!)[0]!;
    assert.ok((await readFile(join(root, r.container, textObject))).length < 64 * KiB, 'the text is compressed');
    const stored = { ...b, container: r.container, service_metadata: r.service_metadata };
    assert.ok((await restoreTo(driver, [stored], join(dir, 't3'), Buffer.alloc(data.length), true)).equals(data));
  });

  test('posix: a backup interrupted before its metadata object is deleted by its prefix, leaving no object', async () => {
    const root = join(dir, 'posix4');
    const driver = new PosixBackupDriver(root, options);
    await driver.setup();
    const b = backupOf('eeeeeeee-0000-0000-0000-000000000001');
    const failing = async function* (): AsyncGenerator<Buffer> {
      yield randomBytes(512 * KiB);
      throw new Error('the backup service was killed');
    };
    // the objects written before the failure stay (as after a kill -9); the metadata object never came
    const target = driver.target(b);
    const written = driver.backup(b, failing(), null, null);
    await assert.rejects(written, /killed/);
    const files = (): string[] => readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name);
    await writeFile(join(root, target.container, `${target.service_metadata}-00001`), 'a leftover object');
    await writeFile(join(root, target.container, 'volume_other_backup_of_another'), 'kept');
    await driver.delete({ ...b, ...target });
    assert.deepEqual(files(), ['volume_other_backup_of_another']);
  });

  test('swift: objects in the service account\'s container over the REST API', async () => {
    const cloud = await StubCloud.start(['object-store']);
    const objects = new Map<string, Buffer>();
    const containers = new Set<string>();
    cloud.route('PUT', /^\/object-store\/[^/]+$/, (req, res, url) => {
      req.resume();
      containers.add(decodeURIComponent(url.pathname.split('/')[2]!));
      res.writeHead(201).end();
    });
    cloud.route('PUT', /^\/object-store\/[^/]+\/.+$/, async (req, res, url) => {
      const parts: Buffer[] = [];
      for await (const c of req) parts.push(c as Buffer);
      objects.set(decodeURIComponent(url.pathname.slice('/object-store/'.length)), Buffer.concat(parts));
      res.writeHead(201, { etag: 'x' }).end();
    });
    // a container listing (JSON, by prefix, paged after a marker)
    cloud.route('GET', /^\/object-store\/[^/]+$/, (_req, res, url) => {
      const container = decodeURIComponent(url.pathname.split('/')[2]!);
      const prefix = `${container}/${url.searchParams.get('prefix') ?? ''}`;
      const marker = url.searchParams.get('marker');
      const names = [...objects.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(container.length + 1)).sort().filter((n) => marker === null || n > marker);
      if (!containers.has(container)) return sendJson(res, 404, { message: 'Not Found' });
      sendJson(res, 200, names.slice(0, 2).map((name) => ({ name, bytes: objects.get(`${container}/${name}`)!.length })));
    });
    cloud.route('GET', /^\/object-store\/[^/]+\/.+$/, (_req, res, url) => {
      const data = objects.get(decodeURIComponent(url.pathname.slice('/object-store/'.length)));
      if (!data) return sendJson(res, 404, { message: 'Not Found' });
      res.writeHead(200, { 'content-length': String(data.length) }).end(data);
    });
    cloud.route('DELETE', /^\/object-store\/[^/]+\/.+$/, (_req, res, url) => {
      const found = objects.delete(decodeURIComponent(url.pathname.slice('/object-store/'.length)));
      res.writeHead(found ? 204 : 404).end();
    });
    try {
      const driver = new SwiftBackupDriver(new ObjectClient(cloud.session()), { ...options, defaultContainer: 'volumebackups' });
      await exercise(driver, dir, () => objects.size);
      assert.deepEqual([...containers], ['volumebackups']);
      assert.ok(cloud.seen.some((r) => r.method === 'PUT' && r.url.startsWith('/object-store/volumebackups/volume_vol-1_20261203100000_backup_aaaaaaaa-0000-0000-0000-000000000001-00001')));
      await assert.rejects(driver.backup(backupOf('dddddddd-0000-0000-0000-000000000001', { container: 'a/b' }), pieces(volumeData()), null, null), InvalidBackup);
    } finally {
      await cloud.close();
    }
  });
});
