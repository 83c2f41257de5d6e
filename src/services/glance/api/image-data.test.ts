import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { qcow2, raw, vmdk } from '../format/test-images.js';
import { startTestGlance, type TestGlance } from '../testing/harness.js';

let g: TestGlance;
let alice: string;
let bob: string;
let admin: string;

before(async () => {
  g = await startTestGlance({ 'image.image_size_cap': String(4 << 20) });
  alice = g.token('alice', { project: 'p-alice', roles: ['member', 'reader'] });
  bob = g.token('bob', { project: 'p-bob', roles: ['member', 'reader'] });
  admin = g.token('admin', { project: 'p-admin', roles: ['admin', 'member', 'reader'] });
});
after(() => g.close());

async function call(method: string, url: string, token: string, opts: { json?: unknown; data?: Buffer; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { 'x-auth-token': token, ...opts.headers };
  let payload: string | Buffer | undefined;
  if (opts.json !== undefined) {
    headers['content-type'] ??= 'application/json';
    payload = JSON.stringify(opts.json);
  } else if (opts.data) {
    headers['content-type'] ??= 'application/octet-stream';
    payload = opts.data;
  }
  const res = await g.app.inject({ method: method as 'GET', url: `/image${url}`, headers, ...(payload !== undefined ? { payload } : {}) });
  return { status: res.statusCode, raw: res.rawPayload, text: res.body, headers: res.headers, json: () => res.json() };
}

async function newImage(token: string, body: Record<string, unknown> = {}): Promise<string> {
  const r = await call('POST', '/v2/images', token, { json: { disk_format: 'raw', container_format: 'bare', ...body } });
  assert.equal(r.status, 201, r.text);
  return r.json().id;
}

const show = async (id: string, token = alice) => (await call('GET', `/v2/images/${id}`, token)).json();
const storeFiles = () => readdirSync(join(g.dataDir, 'images'));

describe('upload and download', () => {
  test('a queued image has no data: download answers 204', async () => {
    const id = await newImage(alice);
    const r = await call('GET', `/v2/images/${id}/file`, alice);
    assert.equal(r.status, 204);
    assert.equal(r.raw.length, 0);
  });

  test('upload: 204, checksums, size, virtual size, active; download gives the same bytes', async () => {
    const data = randomBytes(300_000);
    const id = await newImage(alice);
    g.notifications.length = 0;
    const up = await call('PUT', `/v2/images/${id}/file`, alice, { data });
    assert.equal(up.status, 204, up.text);
    const img = await show(id);
    assert.equal(img.status, 'active');
    assert.equal(img.size, data.length);
    assert.equal(img.virtual_size, data.length);
    assert.equal(img.checksum, createHash('md5').update(data).digest('hex'));
    assert.equal(img.os_hash_algo, 'sha512');
    assert.equal(img.os_hash_value, createHash('sha512').update(data).digest('hex'));
    assert.equal(img.stores, 'file');
    assert.deepEqual(g.notifications.map((n) => n.eventType), ['image.update', 'image.prepare', 'image.update', 'image.upload', 'image.activate']);
    const down = await call('GET', `/v2/images/${id}/file`, alice);
    assert.equal(down.status, 200);
    assert.ok(down.raw.equals(data));
    assert.equal(down.headers['content-md5'], img.checksum);
    assert.equal(down.headers['content-type'], 'application/octet-stream');
    assert.equal(down.headers['content-length'], String(data.length));
    await new Promise((r) => setImmediate(r));
    const sent = g.notifications.find((n) => n.eventType === 'image.send');
    assert.deepEqual(sent, { priority: 'INFO', eventType: 'image.send', payload: { bytes_sent: data.length, image_id: id, owner_id: 'p-alice', receiver_tenant_id: 'p-alice', receiver_user_id: 'user-p-alice' } });
  });

  test('uploading twice is a conflict', async () => {
    const id = await newImage(alice);
    assert.equal((await call('PUT', `/v2/images/${id}/file`, alice, { data: raw(1000) })).status, 204);
    assert.equal((await call('PUT', `/v2/images/${id}/file`, alice, { data: raw(1000) })).status, 409);
  });

  test('Range requests: 206 with Content-Range, suffix ranges, 416 out of range, 400 for several ranges', async () => {
    const data = randomBytes(1000);
    const id = await newImage(alice);
    await call('PUT', `/v2/images/${id}/file`, alice, { data });
    const part = await call('GET', `/v2/images/${id}/file`, alice, { headers: { range: 'bytes=10-19' } });
    assert.equal(part.status, 206);
    assert.ok(part.raw.equals(data.subarray(10, 20)));
    assert.equal(part.headers['content-range'], 'bytes 10-19/1000');
    assert.equal(part.headers['content-length'], '10');
    const tail = await call('GET', `/v2/images/${id}/file`, alice, { headers: { range: 'bytes=-5' } });
    assert.equal(tail.status, 206);
    assert.ok(tail.raw.equals(data.subarray(995)));
    assert.equal(tail.headers['content-range'], 'bytes 995-999/1000');
    const open = await call('GET', `/v2/images/${id}/file`, alice, { headers: { range: 'bytes=990-' } });
    assert.ok(open.raw.equals(data.subarray(990)));
    const past = await call('GET', `/v2/images/${id}/file`, alice, { headers: { range: 'bytes=5000-5010' } });
    assert.equal(past.status, 416);
    assert.equal((await call('GET', `/v2/images/${id}/file`, alice, { headers: { range: 'bytes=1-2,4-5' } })).status, 400);
    assert.equal((await call('GET', `/v2/images/${id}/file`, alice, { headers: { range: 'pages=1-2' } })).status, 416);
  });

  test('upload needs disk and container formats (400) and an octet-stream body (415)', async () => {
    const r = await call('POST', '/v2/images', alice, { json: {} });
    const id = r.json().id;
    const up = await call('PUT', `/v2/images/${id}/file`, alice, { data: raw(100) });
    assert.equal(up.status, 400);
    assert.match(up.text, /Properties disk_format, container_format must be set prior to saving data/);
    assert.equal((await show(id)).status, 'queued');
    const wrong = await call('PUT', `/v2/images/${id}/file`, alice, { data: raw(100), headers: { 'content-type': 'text/plain' } });
    assert.equal(wrong.status, 415);
  });

  test('only the owner may upload; others get 404 (private) or 403 (public)', async () => {
    const priv = await newImage(alice, { visibility: 'private' });
    assert.equal((await call('PUT', `/v2/images/${priv}/file`, bob, { data: raw(100) })).status, 404);
    const pub = await newImage(admin, { visibility: 'public' });
    assert.equal((await call('PUT', `/v2/images/${pub}/file`, bob, { data: raw(100) })).status, 403);
  });

  test('over image_size_cap: 413, image back to queued, nothing stored', async () => {
    const before = storeFiles();
    const id = await newImage(alice);
    const r = await call('PUT', `/v2/images/${id}/file`, alice, { data: raw(5 << 20) });
    assert.equal(r.status, 413, r.text);
    assert.equal((await show(id)).status, 'queued');
    assert.deepEqual(storeFiles(), before);
  });

  test('deactivated images: download 403 for users, allowed for admins; reactivate', async () => {
    const data = raw(2000);
    const id = await newImage(alice);
    await call('PUT', `/v2/images/${id}/file`, alice, { data });
    assert.equal((await call('POST', `/v2/images/${id}/actions/deactivate`, alice)).status, 204);
    assert.equal((await call('POST', `/v2/images/${id}/actions/deactivate`, alice)).status, 204);
    assert.equal((await show(id)).status, 'deactivated');
    const denied = await call('GET', `/v2/images/${id}/file`, alice);
    assert.equal(denied.status, 403);
    assert.match(denied.text, /has been deactivated/);
    assert.equal((await call('GET', `/v2/images/${id}/file`, admin)).status, 200);
    assert.equal((await call('POST', `/v2/images/${id}/actions/reactivate`, alice)).status, 204);
    assert.ok((await call('GET', `/v2/images/${id}/file`, alice)).raw.equals(data));
  });

  test('deleting an image deletes its data', async () => {
    const id = await newImage(alice);
    await call('PUT', `/v2/images/${id}/file`, alice, { data: raw(100) });
    assert.ok(storeFiles().includes(id));
    assert.equal((await call('DELETE', `/v2/images/${id}`, alice)).status, 204);
    assert.ok(!storeFiles().includes(id));
  });

  test('an unknown X-Image-Meta-Store is a 400', async () => {
    const id = await newImage(alice);
    assert.equal((await call('PUT', `/v2/images/${id}/file`, alice, { data: raw(10), headers: { 'x-image-meta-store': 'nope' } })).status, 400);
  });
});

describe('format inspection on upload', () => {
  test('a qcow2 upload gets its virtual size', async () => {
    const id = await newImage(alice, { disk_format: 'qcow2' });
    assert.equal((await call('PUT', `/v2/images/${id}/file`, alice, { data: qcow2({ virtualSize: 10 << 20 }) })).status, 204);
    const img = await show(id);
    assert.equal(img.virtual_size, 10 << 20);
    assert.equal(img.status, 'active');
  });

  test('a qcow2 with a backing file claimed as raw is refused: 415 naming the problem, queued, no data kept', async () => {
    const before = storeFiles();
    const id = await newImage(alice, { disk_format: 'raw' });
    const r = await call('PUT', `/v2/images/${id}/file`, alice, { data: qcow2({ backingFile: '/etc/passwd' }) });
    assert.equal(r.status, 415, r.text);
    assert.match(r.text, /Image failed safety checks: backing_file \(Image has a backing file\)/);
    const img = await show(id);
    assert.equal(img.status, 'queued');
    assert.equal(img.size, null);
    assert.equal(img.checksum, null);
    assert.deepEqual(storeFiles(), before);
    assert.equal((await call('GET', `/v2/images/${id}/file`, alice)).status, 204);
    // the upload may be retried with good data
    assert.equal((await call('PUT', `/v2/images/${id}/file`, alice, { data: raw(4096) })).status, 204);
  });

  test('data that is not what disk_format says is refused', async () => {
    const id = await newImage(alice, { disk_format: 'qcow2' });
    const r = await call('PUT', `/v2/images/${id}/file`, alice, { data: raw(70_000) });
    assert.equal(r.status, 415);
    assert.match(r.text, /Image disk_format qcow2 does not match stream data raw/);
  });

  test('a vmdk with a flat extent is refused', async () => {
    const id = await newImage(alice, { disk_format: 'vmdk' });
    const r = await call('PUT', `/v2/images/${id}/file`, alice, { data: vmdk({ createType: 'monolithicFlat', extent: 'RW 2048 FLAT "/etc/shadow" 0' }) });
    assert.equal(r.status, 415);
    assert.match(r.text, /Unsupported subformat/);
  });

  test('non-bare containers are not inspected', async () => {
    const id = await newImage(alice, { disk_format: 'qcow2', container_format: 'ovf' });
    assert.equal((await call('PUT', `/v2/images/${id}/file`, alice, { data: raw(1000) })).status, 204);
  });
});
