import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { qcow2, raw } from '../format/test-images.js';
import { startTestGlance, type TestGlance } from '../testing/harness.js';

let g: TestGlance;
let server: Server;
let port: number;
const served = raw(200_000);
const bad = qcow2({ backingFile: '/etc/passwd' });

before(async () => {
  server = createServer((req, res) => {
    if (req.url === '/image.raw') res.end(served);
    else if (req.url === '/bad.qcow2') res.end(bad);
    else if (req.url === '/redirect') res.writeHead(302, { location: '/image.raw' }).end();
    else res.writeHead(404).end();
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  port = (server.address() as AddressInfo).port;
  g = await startTestGlance({
    'glance_store.enabled_backends': 'fast:file,cheap:file',
    'glance_store.default_backend': 'fast',
    'import_filtering_opts.allowed_hosts': '127.0.0.1',
    'import_filtering_opts.allowed_ports': String(port),
  });
  g.token('owner', { project: 'p-owner', roles: ['member', 'reader'] });
  g.token('admin', { project: 'p-admin', roles: ['admin', 'member', 'reader'] });
});
after(async () => {
  await g.close();
  server.close();
});

async function call(method: string, url: string, token: string, opts: { json?: unknown; data?: Buffer; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { 'x-auth-token': token, ...opts.headers };
  let payload: string | Buffer | undefined;
  if (opts.json !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(opts.json);
  } else if (opts.data) {
    headers['content-type'] = 'application/octet-stream';
    payload = opts.data;
  }
  const res = await g.app.inject({ method: method as 'GET', url: `/image${url}`, headers, ...(payload !== undefined ? { payload } : {}) });
  let body: any;
  try { body = res.json(); } catch { body = undefined; }
  return { status: res.statusCode, body, text: res.body, raw: res.rawPayload, headers: res.headers };
}

async function image(extra: Record<string, unknown> = {}): Promise<string> {
  const r = await call('POST', '/v2/images', 'owner', { json: { disk_format: 'raw', container_format: 'bare', ...extra } });
  assert.equal(r.status, 201, r.text);
  return r.body.id;
}

const show = async (id: string) => (await call('GET', `/v2/images/${id}`, 'owner')).body;

describe('interoperable import', () => {
  test('info shows both stores and the methods', async () => {
    assert.deepEqual((await call('GET', '/v2/info/stores', 'owner')).body, { stores: [{ id: 'fast', default: 'true' }, { id: 'cheap' }] });
  });

  test('glance-direct: stage (uploading), import (202), task succeeds, image active, staging emptied', async () => {
    const id = await image();
    const data = raw(50_000);
    assert.equal((await call('PUT', `/v2/images/${id}/stage`, 'owner', { data })).status, 204);
    const staged = await show(id);
    assert.equal(staged.status, 'uploading');
    assert.equal(staged.size, data.length);
    assert.equal((await call('PUT', `/v2/images/${id}/stage`, 'owner', { data })).status, 409);
    const imp = await call('POST', `/v2/images/${id}/import`, 'owner', { json: { method: { name: 'glance-direct' } } });
    assert.equal(imp.status, 202, imp.text);
    await g.service.drain();
    const img = await show(id);
    assert.equal(img.status, 'active');
    assert.equal(img.stores, 'fast');
    assert.equal(img.os_glance_importing_to_stores, '');
    assert.equal(img.os_glance_failed_import, '');
    assert.equal(img.os_glance_import_task, undefined);
    assert.equal(img.checksum, createHash('md5').update(data).digest('hex'));
    assert.ok((await call('GET', `/v2/images/${id}/file`, 'owner')).raw.equals(data));
    assert.deepEqual(readdirSync(join(g.dataDir, 'image-staging')), []);
    const tasks = (await call('GET', `/v2/images/${id}/tasks`, 'owner')).body.tasks;
    assert.equal(tasks.length, 1);
    assert.equal(tasks[0].status, 'success');
    assert.equal(tasks[0].type, 'api_image_import');
    assert.equal(tasks[0].input.import_req.method.name, 'glance-direct');
    assert.deepEqual(tasks[0].result, { image_id: id });
    assert.equal(tasks[0].request_id, imp.headers['x-openstack-request-id']);
  });

  test('import state rules', async () => {
    const id = await image();
    assert.equal((await call('POST', `/v2/images/${id}/import`, 'owner', { json: { method: { name: 'glance-direct' } } })).status, 409);
    assert.equal((await call('POST', `/v2/images/${id}/import`, 'owner', { json: { method: { name: 'copy-image' } } })).status, 409);
    assert.equal((await call('POST', `/v2/images/${id}/import`, 'owner', { json: { method: { name: 'nope' } } })).status, 400);
    assert.equal((await call('POST', `/v2/images/${id}/import`, 'owner', { json: {} })).status, 400);
    assert.equal((await call('POST', `/v2/images/${id}/import`, 'owner', { json: { method: { name: 'web-download', uri: 'http://10.0.0.1/x' } } })).status, 400);
    assert.equal((await call('POST', `/v2/images/${id}/import`, 'owner', { json: { method: { name: 'web-download', uri: `http://127.0.0.1:${port}/image.raw` }, stores: ['nope'] } })).status, 409);
  });

  test('web-download into two stores (following a redirect)', async () => {
    const id = await image();
    const r = await call('POST', `/v2/images/${id}/import`, 'owner', {
      json: { method: { name: 'web-download', uri: `http://127.0.0.1:${port}/redirect` }, stores: ['fast', 'cheap'] },
    });
    assert.equal(r.status, 202, r.text);
    await g.service.drain();
    const img = await show(id);
    assert.equal(img.status, 'active');
    assert.equal(img.stores, 'fast,cheap');
    assert.equal(img.size, served.length);
    assert.ok((await call('GET', `/v2/images/${id}/file?prefer=cheap`, 'owner')).raw.equals(served));
  });

  test('a failed web-download puts the store in os_glance_failed_import and the image back to queued', async () => {
    const id = await image();
    await call('POST', `/v2/images/${id}/import`, 'owner', { json: { method: { name: 'web-download', uri: `http://127.0.0.1:${port}/missing` } } });
    await g.service.drain();
    const img = await show(id);
    assert.equal(img.status, 'queued');
    assert.equal(img.os_glance_failed_import, 'fast');
    assert.equal(img.os_glance_importing_to_stores, '');
    const task = (await call('GET', `/v2/images/${id}/tasks`, 'owner')).body.tasks[0];
    assert.equal(task.status, 'failure');
    assert.match(task.message, /404/);
  });

  test('imported data goes through the format inspector too', async () => {
    const id = await image({ disk_format: 'qcow2' });
    await call('POST', `/v2/images/${id}/import`, 'owner', { json: { method: { name: 'web-download', uri: `http://127.0.0.1:${port}/bad.qcow2` } } });
    await g.service.drain();
    const img = await show(id);
    assert.equal(img.status, 'queued');
    const task = (await call('GET', `/v2/images/${id}/tasks`, 'owner')).body.tasks[0];
    assert.equal(task.status, 'failure');
    assert.match(task.message, /backing_file/);
    assert.deepEqual(readdirSync(join(g.dataDir, 'images')).filter((f) => f === id), []);
  });

  test('copy-image is admin-only and copies an active image to another store', async () => {
    const id = await image();
    const data = raw(30_000);
    await call('PUT', `/v2/images/${id}/file`, 'owner', { data });
    assert.equal((await show(id)).stores, 'fast');
    assert.equal((await call('POST', `/v2/images/${id}/import`, 'owner', { json: { method: { name: 'copy-image' }, stores: ['cheap'] } })).status, 403);
    assert.equal((await call('POST', `/v2/images/${id}/import`, 'admin', { json: { method: { name: 'copy-image' }, stores: ['fast'] } })).status, 400);
    assert.equal((await call('POST', `/v2/images/${id}/import`, 'admin', { json: { method: { name: 'copy-image' }, stores: ['cheap'] } })).status, 202);
    await g.service.drain();
    const img = await show(id);
    assert.equal(img.status, 'active');
    assert.equal(img.stores, 'fast,cheap');
    assert.ok((await call('GET', `/v2/images/${id}/file?prefer=cheap`, 'owner')).raw.equals(data));
    assert.equal((await call('POST', `/v2/images/${id}/import`, 'admin', { json: { method: { name: 'copy-image' }, all_stores: true } })).status, 202);
  });

  test('tasks API is admin-only; delete is 405', async () => {
    assert.equal((await call('GET', '/v2/tasks', 'owner')).status, 403);
    const list = await call('GET', '/v2/tasks', 'admin');
    assert.equal(list.status, 200);
    assert.equal(list.body.schema, '/v2/schemas/tasks');
    assert.ok(list.body.tasks.length >= 1);
    const one = await call('GET', `/v2/tasks/${list.body.tasks[0].id}`, 'admin');
    assert.equal(one.status, 200);
    assert.equal(one.body.self, `/v2/tasks/${one.body.id}`);
    assert.equal((await call('GET', '/v2/tasks/00000000-0000-0000-0000-000000000000', 'admin')).status, 404);
    const del = await call('DELETE', `/v2/tasks/${one.body.id}`, 'admin');
    assert.equal(del.status, 405);
    assert.equal(del.headers['allow'], 'GET');
  });

  test('legacy import task (POST /v2/tasks): creates the image and fills it from the URL', async () => {
    const input = { import_from: `http://127.0.0.1:${port}/image.raw`, import_from_format: 'raw', image_properties: { name: 'legacy', disk_format: 'raw', container_format: 'bare' } };
    assert.equal((await call('POST', '/v2/tasks', 'owner', { json: { type: 'import', input } })).status, 403);
    assert.equal((await call('POST', '/v2/tasks', 'admin', { json: { type: 'import' } })).status, 400);
    assert.equal((await call('POST', '/v2/tasks', 'admin', { json: { type: 'import', input: { ...input, import_from: 'file:///etc/passwd' } } })).status, 400);
    assert.equal((await call('POST', '/v2/tasks', 'admin', { json: { type: 'import', input: { ...input, import_from: 'http://10.1.1.1/x' } } })).status, 400);
    const r = await call('POST', '/v2/tasks', 'admin', { json: { type: 'import', input } });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.headers['location'], `/v2/tasks/${r.body.id}`);
    assert.equal(r.body.status, 'pending');
    await g.service.drain();
    const task = (await call('GET', `/v2/tasks/${r.body.id}`, 'admin')).body;
    assert.equal(task.status, 'success', task.message);
    const img = (await call('GET', `/v2/images/${task.result.image_id}`, 'admin')).body;
    assert.equal(img.name, 'legacy');
    assert.equal(img.status, 'active');
    assert.equal(img.size, served.length);
  });

  test('deleting a staged image removes the staged data', async () => {
    const id = await image();
    await call('PUT', `/v2/images/${id}/stage`, 'owner', { data: raw(100) });
    assert.deepEqual(readdirSync(join(g.dataDir, 'image-staging')), [id]);
    assert.equal((await call('DELETE', `/v2/images/${id}`, 'owner')).status, 204);
    assert.deepEqual(readdirSync(join(g.dataDir, 'image-staging')), []);
  });
});
