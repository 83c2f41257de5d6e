import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { NotificationListener } from '../../../common/messaging/index.js';
import { until } from '../../../common/testing/until.js';
import { raw } from '../format/test-images.js';
import { startTestGlance, type TestGlance } from '../testing/harness.js';

describe('notifications on the message bus', () => {
  let g: TestGlance;
  const seen: Array<{ priority: string; publisher: string; event: string; payload: any; ctx: Record<string, unknown> }> = [];
  let listener: NotificationListener;
  before(async () => {
    g = await startTestGlance({}, { bus: true });
    g.token('u', { project: 'p1', roles: ['member', 'reader'] });
    const handler = (priority: string) => (ctx: Record<string, unknown>, publisher: string, event: string, payload: unknown) => {
      seen.push({ priority, publisher, event, payload, ctx });
    };
    listener = new NotificationListener(g.transport, [{ topic: 'notifications' }], [{ info: handler('INFO'), error: handler('ERROR') }]);
    await listener.start();
  });
  after(async () => {
    await listener.stop();
    await g.close();
  });

  test('create, upload, update and delete are published by image.localhost with Glance payloads', async () => {
    const created = await g.app.inject({ method: 'POST', url: '/image/v2/images', headers: { 'x-auth-token': 'u', 'content-type': 'application/json' }, payload: JSON.stringify({ name: 'n', disk_format: 'raw', container_format: 'bare', foo: 'bar' }) });
    const id = created.json().id;
    await g.app.inject({ method: 'PUT', url: `/image/v2/images/${id}/file`, headers: { 'x-auth-token': 'u', 'content-type': 'application/octet-stream' }, payload: raw(1000) });
    await g.app.inject({ method: 'DELETE', url: `/image/v2/images/${id}`, headers: { 'x-auth-token': 'u' } });
    await until(() => seen.some((s) => s.event === 'image.delete'), 'image.delete');
    const events = seen.map((s) => s.event);
    for (const e of ['image.create', 'image.prepare', 'image.upload', 'image.activate', 'image.update', 'image.delete']) assert.ok(events.includes(e), `${e} in ${events}`);
    assert.ok(seen.every((s) => s.publisher === 'image.localhost'));
    const upload = seen.find((s) => s.event === 'image.upload')!.payload;
    assert.equal(upload.id, id);
    assert.equal(upload.status, 'active');
    assert.equal(upload.size, 1000);
    assert.deepEqual(upload.properties, { foo: 'bar' });
    assert.equal(upload.is_public, false);
    assert.deepEqual(upload.os_glance_importing_to_stores, []);
    const deleted = seen.find((s) => s.event === 'image.delete')!.payload;
    assert.equal(deleted.deleted, true);
    assert.match(deleted.deleted_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  test('a notification carries the context of the API request that caused it, without the token', async () => {
    const flow = 'req-6f1e2d3c-4b5a-4978-8a9b-0c1d2e3f4a5b';
    const created = await g.app.inject({
      method: 'POST', url: '/image/v2/images',
      headers: { 'x-auth-token': 'u', 'content-type': 'application/json', 'x-openstack-request-id': flow },
      payload: JSON.stringify({ name: 'ctx', disk_format: 'raw', container_format: 'bare' }),
    });
    const id = created.json().id;
    const requestId = String(created.headers['x-openstack-request-id']);
    await until(() => seen.some((s) => s.event === 'image.create' && s.payload.id === id), 'image.create');
    const ctx = seen.find((s) => s.event === 'image.create' && s.payload.id === id)?.ctx;
    assert.ok(ctx, 'image.create received');
    assert.match(requestId, /^req-/);
    assert.equal(ctx['request_id'], requestId);
    assert.equal(ctx['global_request_id'], flow);
    assert.equal(ctx['user_id'], 'user-p1');
    assert.equal(ctx['project_id'], 'p1');
    assert.deepEqual(ctx['roles'], ['member', 'reader']);
    assert.equal(ctx['auth_token'], null);
  });

  test('an image deleted while its data is uploading: 410 Gone and the data removed', async () => {
    const created = await g.app.inject({ method: 'POST', url: '/image/v2/images', headers: { 'x-auth-token': 'u', 'content-type': 'application/json' }, payload: JSON.stringify({ disk_format: 'raw', container_format: 'bare' }) });
    const id = created.json().id;
    const body = new PassThrough();
    const upload = g.app.inject({ method: 'PUT', url: `/image/v2/images/${id}/file`, headers: { 'x-auth-token': 'u', 'content-type': 'application/octet-stream' }, payload: body });
    body.write(raw(10_000));
    for (let i = 0; i < 100; i++) {
      const shown = await g.app.inject({ method: 'GET', url: `/image/v2/images/${id}`, headers: { 'x-auth-token': 'u' } });
      if (shown.json().status === 'saving') break;
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.equal((await g.app.inject({ method: 'DELETE', url: `/image/v2/images/${id}`, headers: { 'x-auth-token': 'u' } })).statusCode, 204);
    body.end(raw(10_000));
    const res = await upload;
    assert.equal(res.statusCode, 410, res.body);
    const { readdirSync } = await import('node:fs');
    const { join } = await import('node:path');
    assert.ok(!readdirSync(join(g.dataDir, 'images')).includes(id));
  });
});
