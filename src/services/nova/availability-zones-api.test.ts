// os-availability-zone from the service records and host aggregates: compute hosts in their
// aggregates' zone or the default one, the other services in the internal zone (hidden from the
// plain list), zones with only disabled hosts unavailable, and the admin-only detail with each
// host's services.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { after, before, describe, test } from 'node:test';
import { insertReturningId } from '../../common/db/index.js';
import { startHarness, type Harness } from '../../common/testing/harness.js';
import type { NovaDB } from './db/schema.js';
import { nova } from './index.js';

describe('os-availability-zone API', () => {
  let h: Harness;
  const old = '2020-01-01T00:00:00Z';

  before(async () => {
    h = await startHarness({ project: nova });
    const db = h.db.db as Kysely<NovaDB>;
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const service = (host: string, binary: string, opts: { disabled?: boolean; seen?: string } = {}) => ({
      uuid: randomUUID(), host, binary, topic: binary.replace('nova-', ''), report_count: 1, disabled: opts.disabled ? 1 : 0, disabled_reason: null,
      last_seen_up: opts.seen ?? now, forced_down: 0, version: 66, created_at: old, updated_at: opts.seen ?? now, deleted_at: null,
    });
    await db.insertInto('services').values([
      service('ctl', 'nova-conductor'), service('ctl', 'nova-scheduler'),
      service('c1', 'nova-compute'), service('c2', 'nova-compute', { seen: old }), service('c3', 'nova-compute', { disabled: true }),
    ]).execute();
    for (const [name, host, zone] of [['rack2', 'c2', 'az2'], ['rack3', 'c3', 'az3']] as const) {
      const id = await insertReturningId(db, 'aggregates', { uuid: randomUUID(), name, created_at: old, updated_at: null });
      await db.insertInto('aggregate_hosts').values({ aggregate_id: id, host, created_at: old, updated_at: null }).execute();
      await db.insertInto('aggregate_metadata').values({ aggregate_id: id, key: 'availability_zone', value: zone, created_at: old, updated_at: null }).execute();
    }
  });
  after(async () => { await h?.close(); });

  test('the list: available zones then unavailable ones, the internal zone hidden, hosts null', async () => {
    const res = await h.request('GET', '/v2.1/os-availability-zone', 'p1:member,reader');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, {
      availabilityZoneInfo: [
        { zoneName: 'az2', zoneState: { available: true }, hosts: null },
        { zoneName: 'nova', zoneState: { available: true }, hosts: null },
        { zoneName: 'az3', zoneState: { available: false }, hosts: null },
      ],
    });
  });

  test('the detail (admin): each zone\'s hosts and their enabled services, with the internal zone', async () => {
    assert.equal((await h.request('GET', '/v2.1/os-availability-zone/detail', 'p1:member,reader')).status, 403);
    const res = await h.request('GET', '/v2.1/os-availability-zone/detail', 'padmin:admin');
    assert.equal(res.status, 200);
    const zones = res.body.availabilityZoneInfo;
    assert.deepEqual(zones.map((z: any) => [z.zoneName, z.zoneState.available]), [['az2', true], ['internal', true], ['nova', true], ['az3', false]]);
    const [az2, internal, novaZone, az3] = zones;
    assert.deepEqual(Object.keys(internal.hosts.ctl).sort(), ['nova-conductor', 'nova-scheduler']);
    assert.equal(internal.hosts.ctl['nova-conductor'].available, true);
    assert.equal(internal.hosts.ctl['nova-conductor'].active, true);
    assert.match(internal.hosts.ctl['nova-conductor'].updated_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000000$/);
    assert.deepEqual(Object.keys(novaZone.hosts), ['c1']);
    // c2 has not been heard from for long: listed, not available.
    assert.deepEqual(az2.hosts, { c2: { 'nova-compute': { available: false, active: true, updated_at: '2020-01-01T00:00:00.000000' } } });
    assert.equal(az3.hosts, null);
  });
});
