/**
 * Cinder's usage notifications on the bus: volume.*, snapshot.* and backup.* start/end from
 * publishers `<kind>.<host>`, with upstream's payload keys, carrying the request id of the API
 * call that caused them; none with [oslo_messaging_notifications] driver = noop.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { NotificationListener } from '../../common/messaging/index.js';
import { until } from '../../common/testing/until.js';
import { startCinder, type CinderHarness } from './testing/cinder-harness.js';

interface Seen { publisherId: string; eventType: string; payload: Record<string, any>; requestId: unknown }

const SLOW = 60_000;

async function listen(h: CinderHarness, into: Seen[]): Promise<NotificationListener> {
  const listener = new NotificationListener(h.transport, [{ topic: 'notifications' }], [{
    info: (ctx, publisherId, eventType, payload) => {
      into.push({ publisherId, eventType, payload: payload as Record<string, any>, requestId: (ctx as Record<string, unknown>)['request_id'] });
    },
  }]);
  await listener.start();
  return listener;
}

describe('cinder usage notifications', () => {
  let h: CinderHarness;
  let listener: NotificationListener;
  const seen: Seen[] = [];
  before(async () => {
    h = await startCinder();
    listener = await listen(h, seen);
  });
  after(async () => {
    await listener?.stop();
    await h?.close();
  });

  const events = (id: string, key: string): string[] => seen.filter((n) => n.payload[key] === id).map((n) => n.eventType);
  const find = (id: string, key: string, type: string): Seen | undefined => seen.find((n) => n.payload[key] === id && n.eventType === type);
  async function waitEvent(id: string, key: string, type: string): Promise<Seen> {
    await until(() => find(id, key, type) !== undefined, `${type} for ${id}`, SLOW);
    return find(id, key, type)!;
  }

  test('volume create, extend and delete: volume.<action>.start/end from volume.<host> with the request id', async () => {
    const created = await h.as(h.member, 'POST', '/v3/p1/volumes', { volume: { size: 1, name: 'told', metadata: { k: 'v' } } });
    assert.equal(created.status, 202);
    const id = created.body.volume.id;
    const end = await waitEvent(id, 'volume_id', 'volume.create.end');
    assert.equal(end.publisherId, 'volume.testhost');
    assert.equal(end.requestId, created.headers['x-openstack-request-id']);
    const p = end.payload;
    assert.equal(p['tenant_id'], 'p1');
    assert.equal(p['display_name'], 'told');
    assert.equal(p['status'], 'available');
    assert.equal(p['size'], 1);
    assert.equal(p['availability_zone'], 'nova');
    assert.match(String(p['host']), /^testhost@file/);
    assert.deepEqual(p['metadata'], [{ key: 'k', value: 'v' }]);
    assert.deepEqual(p['volume_attachment'], []);
    for (const key of ['user_id', 'volume_type', 'launched_at', 'created_at', 'snapshot_id', 'replication_status', 'replication_extended_status', 'replication_driver_data']) {
      assert.ok(key in p, `payload has ${key}`);
    }
    assert.deepEqual(events(id, 'volume_id'), ['volume.create.start', 'volume.create.end']);

    const extended = await h.as(h.admin, 'POST', `/v3/p1/volumes/${id}/action`, { 'os-extend': { new_size: 2 } });
    assert.equal(extended.status, 202);
    const resized = await waitEvent(id, 'volume_id', 'volume.resize.end');
    assert.equal(resized.payload['size'], 2);
    assert.equal(seen.find((n) => n.payload['volume_id'] === id && n.eventType === 'volume.resize.start')?.payload['size'], 1);

    const deleted = await h.as(h.member, 'DELETE', `/v3/p1/volumes/${id}`);
    assert.equal(deleted.status, 202);
    const gone = await waitEvent(id, 'volume_id', 'volume.delete.end');
    assert.equal(gone.requestId, deleted.headers['x-openstack-request-id']);
    assert.deepEqual(events(id, 'volume_id').slice(-2), ['volume.delete.start', 'volume.delete.end']);
  });

  test('snapshots and backups: snapshot.* from snapshot.<host>, backup.* from backup.<host>', async () => {
    const created = await h.as(h.member, 'POST', '/v3/p1/volumes', { volume: { size: 1 } });
    const vol = created.body.volume.id;
    await h.waitFor(`/v3/p1/volumes/${vol}`, 'volume', 'available', SLOW);

    const snap = (await h.as(h.member, 'POST', '/v3/p1/snapshots', { snapshot: { volume_id: vol, name: 's1' } })).body.snapshot.id;
    const made = await waitEvent(snap, 'snapshot_id', 'snapshot.create.end');
    assert.equal(made.publisherId, 'snapshot.testhost');
    assert.equal(made.payload['volume_id'], vol);
    assert.equal(made.payload['volume_size'], 1);
    assert.equal(made.payload['status'], 'available');
    assert.equal(made.payload['availability_zone'], 'nova');
    assert.equal(made.payload['deleted'], 'false');
    assert.equal((await h.as(h.member, 'DELETE', `/v3/p1/snapshots/${snap}`)).status, 202);
    assert.equal((await waitEvent(snap, 'snapshot_id', 'snapshot.delete.end')).payload['deleted'], 'true');
    assert.deepEqual(events(snap, 'snapshot_id'), ['snapshot.create.start', 'snapshot.create.end', 'snapshot.delete.start', 'snapshot.delete.end']);

    const backup = (await h.as(h.member, 'POST', '/v3/p1/backups', { backup: { volume_id: vol, name: 'b1' } })).body.backup.id;
    const backedUp = await waitEvent(backup, 'backup_id', 'backup.create.end');
    assert.equal(backedUp.publisherId, 'backup.testhost');
    assert.equal(backedUp.payload['status'], 'available');
    assert.equal(backedUp.payload['volume_id'], vol);
    assert.equal(backedUp.payload['num_dependent_backups'], 0);
    for (const key of ['tenant_id', 'user_id', 'availability_zone', 'host', 'display_name', 'created_at', 'size', 'service_metadata', 'service', 'fail_reason', 'parent_id', 'snapshot_id']) {
      assert.ok(key in backedUp.payload, `payload has ${key}`);
    }
    const restore = await h.as(h.member, 'POST', `/v3/p1/backups/${backup}/restore`, { restore: { volume_id: vol } });
    assert.equal(restore.status, 202);
    await waitEvent(backup, 'backup_id', 'backup.restore.end');
    await h.waitFor(`/v3/p1/volumes/${vol}`, 'volume', 'available', SLOW);
    assert.equal((await h.as(h.member, 'DELETE', `/v3/p1/backups/${backup}`)).status, 202);
    await waitEvent(backup, 'backup_id', 'backup.delete.end');
    assert.deepEqual(events(backup, 'backup_id'), [
      'backup.create.start', 'backup.create.end', 'backup.restore.start', 'backup.restore.end', 'backup.delete.start', 'backup.delete.end',
    ]);
  });
});

describe('cinder usage notifications with driver = noop', () => {
  test('none are sent', async () => {
    const h = await startCinder({ 'oslo_messaging_notifications.driver': 'noop' });
    const seen: Seen[] = [];
    const listener = await listen(h, seen);
    try {
      const id = (await h.as(h.member, 'POST', '/v3/p1/volumes', { volume: { size: 1 } })).body.volume.id;
      await h.waitFor(`/v3/p1/volumes/${id}`, 'volume', 'available', SLOW);
      assert.equal((await h.as(h.member, 'DELETE', `/v3/p1/volumes/${id}`)).status, 202);
      await h.waitGone(`/v3/p1/volumes/${id}`);
      assert.deepEqual(seen, []);
    } finally {
      await listener.stop();
      await h.close();
    }
  });
});
