import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { after, describe, test } from 'node:test';
import { FileStore } from './file-store.js';
import { parseBackends, StoreRegistry } from './registry.js';
import { DataNotFound, DuplicateData, SizeLimitExceeded, SizeMismatch } from './store.js';

const root = mkdtempSync(join(tmpdir(), 'nubo-file-store-'));
after(() => rmSync(root, { recursive: true, force: true }));

async function collect(r: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of r) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

describe('file store', () => {
  const store = new FileStore({ id: 'file', dir: join(root, 'images'), multiStore: true });

  test('add streams data in, computes size, md5 and the multihash', async () => {
    const data = randomBytes(300_000);
    const stored = await store.add('img-1', Readable.from([data.subarray(0, 1000), data.subarray(1000)]), { hashAlgo: 'sha512', expectedSize: data.length });
    assert.equal(stored.size, data.length);
    assert.equal(stored.checksum, createHash('md5').update(data).digest('hex'));
    assert.equal(stored.hashValue, createHash('sha512').update(data).digest('hex'));
    assert.equal(stored.hashAlgo, 'sha512');
    assert.deepEqual(stored.metadata, { store: 'file' });
    assert.match(stored.location, /^file:\/\/.*\/images\/img-1$/);
    assert.ok((await collect(await store.get(stored.location))).equals(data));
    assert.ok((await collect(await store.get(stored.location, { offset: 10, length: 5 }))).equals(data.subarray(10, 15)));
    assert.ok((await collect(await store.get(stored.location, { offset: 299_990 }))).equals(data.subarray(299_990)));
  });

  test('a second add for the same image is a duplicate', async () => {
    await assert.rejects(store.add('img-1', Readable.from([Buffer.from('x')]), { hashAlgo: 'sha256' }), DuplicateData);
  });

  test('a truncated upload leaves nothing behind', async () => {
    const source = new PassThrough();
    const pending = store.add('img-cut', source, { hashAlgo: 'sha512', expectedSize: 1_000_000 });
    source.write(randomBytes(50_000));
    setImmediate(() => source.destroy(new Error('client went away')));
    await assert.rejects(pending, /client went away/);
    assert.deepEqual(readdirSync(store.dir).sort(), ['img-1']);
  });

  test('a stream shorter than announced fails and leaves nothing', async () => {
    await assert.rejects(store.add('img-short', Readable.from([Buffer.alloc(10)]), { hashAlgo: 'sha512', expectedSize: 11 }), SizeMismatch);
    assert.deepEqual(readdirSync(store.dir).sort(), ['img-1']);
  });

  test('data over maxSize is refused while streaming and leaves nothing', async () => {
    await assert.rejects(store.add('img-big', Readable.from([Buffer.alloc(600), Buffer.alloc(600)]), { hashAlgo: 'sha512', maxSize: 1000 }), SizeLimitExceeded);
    assert.deepEqual(readdirSync(store.dir).sort(), ['img-1']);
  });

  test('get of missing data and of a foreign location is DataNotFound; delete is idempotent', async () => {
    await assert.rejects(store.get(`file://${store.dir}/nope`), DataNotFound);
    await assert.rejects(store.get('file:///etc/passwd'), DataNotFound);
    assert.equal(store.owns('file:///etc/passwd'), false);
    const loc = `file://${store.dir}/img-1`;
    await store.delete(loc);
    await store.delete(loc);
    await assert.rejects(store.get(loc), DataNotFound);
  });

  test('init removes temporary files left by a crash', async () => {
    const s = new FileStore({ id: 'x', dir: join(root, 'crash') });
    await s.init();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(s.dir, '.partial-abc-123'), 'junk');
    const again = new FileStore({ id: 'x', dir: join(root, 'crash') });
    await again.init();
    assert.deepEqual(readdirSync(again.dir), []);
    assert.equal(await text(Readable.from(['ok'])), 'ok');
  });
});

describe('store registry', () => {
  test('parses enabled_backends and places each file backend in its own directory', () => {
    const reg = new StoreRegistry({ backends: parseBackends(['fast:file', 'cheap:file']), defaultBackend: 'fast', dataDir: root });
    assert.deepEqual(reg.list().map((s) => s.id), ['fast', 'cheap']);
    assert.equal((reg.get('fast') as FileStore).dir, join(root, 'images'));
    assert.equal((reg.get('cheap') as FileStore).dir, join(root, 'images-cheap'));
    assert.equal(reg.forLocation(`file://${join(root, 'images-cheap')}/x`, {}).id, 'cheap');
  });

  test('rejects unknown drivers, a default outside the list and reserved ids', () => {
    assert.throws(() => new StoreRegistry({ backends: parseBackends(['s:swift']), defaultBackend: 's', dataDir: root }), /swift.*not available/);
    assert.throws(() => new StoreRegistry({ backends: parseBackends(['a:file']), defaultBackend: 'b', dataDir: root }), /default_backend/);
    assert.throws(() => parseBackends(['os_glance_x:file']), /reserved/);
  });
});
