// os-aggregates and os-services on a cloud with two compute hosts: aggregate CRUD and actions
// with their conflicts, uuid from 2.41, membership mirrored to Placement and used by the
// scheduler for zones; services listed, disabled (the scheduler skips the host), forced down
// (state down), the legacy PUT actions before 2.53, deletes refused while servers are hosted.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BootCloud } from './testing/boot-cloud.js';
import { Member, untilBuilt } from './testing/member.js';

describe('os-aggregates and os-services', () => {
  let b: BootCloud;
  let member: Member;

  async function active(server: Record<string, unknown> = {}): Promise<any> {
    const created = await b.boot(server);
    assert.equal(created.status, 202, JSON.stringify(created.body));
    return untilBuilt(b, created.body.server.id);
  }

  async function providerAggregates(host: string): Promise<string[]> {
    const node = (await b.repos.computeNodes.list()).find((n) => n.host === host)!;
    const res = await b.call('GET', `/placement/resource_providers/${node.uuid}/aggregates`, undefined, { 'openstack-api-version': 'placement 1.19' });
    return res.body.aggregates;
  }

  before(async () => {
    b = await BootCloud.start({ 'DEFAULT.hosts': 'c1,c2', 'filter_scheduler.enabled_filters': 'ComputeFilter,AggregateInstanceExtraSpecsFilter' });
    member = await Member.create(b);
  });
  after(async () => { await b?.close(); });

  test('aggregate create, show, list, update and delete; uuid from 2.41', async () => {
    const created = await b.compute('POST', '/os-aggregates', { aggregate: { name: 'rack1', availability_zone: 'az1' } });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const agg = created.body.aggregate;
    assert.equal(agg.name, 'rack1');
    assert.equal(agg.availability_zone, 'az1');
    assert.equal(agg.deleted, false);
    assert.ok(!('hosts' in agg) && !('metadata' in agg) && !('uuid' in agg));
    assert.match(agg.created_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/);

    const shown = (await b.compute('GET', `/os-aggregates/${agg.id}`, undefined, '2.41')).body.aggregate;
    assert.deepEqual(shown.hosts, []);
    assert.deepEqual(shown.metadata, { availability_zone: 'az1' });
    assert.match(shown.uuid, /^[0-9a-f-]{36}$/);
    assert.ok(!('uuid' in (await b.compute('GET', `/os-aggregates/${agg.id}`, undefined, '2.40')).body.aggregate));

    const list = (await b.compute('GET', '/os-aggregates')).body.aggregates;
    assert.deepEqual(list.map((a: any) => a.name), ['rack1']);

    assert.equal((await b.compute('POST', '/os-aggregates', { aggregate: { name: 'rack1' } })).status, 409);
    const other = (await b.compute('POST', '/os-aggregates', { aggregate: { name: 'rack2' } })).body.aggregate;
    const clash = await b.compute('PUT', `/os-aggregates/${other.id}`, { aggregate: { name: 'rack1' } });
    assert.equal(clash.status, 409);
    assert.equal(clash.body.conflictingRequest.message, 'Aggregate rack1 already exists.');

    const renamed = await b.compute('PUT', `/os-aggregates/${other.id}`, { aggregate: { name: ' rack3 ', availability_zone: 'az3' } });
    assert.equal(renamed.status, 200);
    assert.equal(renamed.body.aggregate.name, 'rack3');
    assert.equal(renamed.body.aggregate.availability_zone, 'az3');
    assert.equal((await b.compute('PUT', `/os-aggregates/${other.id}`, { aggregate: { availability_zone: null } })).status, 400);

    const del = await b.compute('DELETE', `/os-aggregates/${other.id}`);
    assert.equal(del.status, 200);
    const deadline = Date.now() + 5000;
    while (!b.notifications.some((n) => n.eventType === 'aggregate.delete.end') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const seen = b.notifications.filter((n) => n.eventType.startsWith('aggregate.'));
    // A refused change has its start and no end, as upstream (the duplicate name, the clashing rename).
    assert.deepEqual(seen.map((n) => n.eventType), [
      'aggregate.create.start', 'aggregate.create.end', 'aggregate.create.start', 'aggregate.create.start', 'aggregate.create.end',
      'aggregate.update_prop.start', 'aggregate.update_prop.start', 'aggregate.update_prop.end',
      'aggregate.update_metadata.start', 'aggregate.update_metadata.end', 'aggregate.delete.start', 'aggregate.delete.end',
    ]);
    const start = seen[0]!.payload['nova_object.data'];
    assert.equal(seen[0]!.payload['nova_object.name'], 'AggregatePayload');
    assert.equal(start.id, null);
    assert.equal(start.name, 'rack1');
    assert.equal(seen[1]!.payload['nova_object.data'].id, agg.id);
    assert.equal(seen[1]!.payload['nova_object.data'].uuid, start.uuid);
    assert.equal(seen[0]!.publisherId.split(':')[0], 'nova-api');
    assert.equal((await b.compute('GET', `/os-aggregates/${other.id}`)).status, 404);
    assert.equal((await b.compute('DELETE', `/os-aggregates/${other.id}`)).status, 404);
  });

  test('bad aggregate input is a 400, unknown ids a 404, non-admins a 403', async () => {
    assert.equal((await b.compute('GET', '/os-aggregates/abc')).status, 400);
    assert.equal((await b.compute('GET', '/os-aggregates/99999999999999999999')).status, 404);
    assert.equal((await b.compute('GET', '/os-aggregates/4242')).body.itemNotFound.message, 'Aggregate 4242 could not be found.');
    assert.equal((await b.compute('POST', '/os-aggregates', { aggregate: {} })).status, 400);
    assert.equal((await b.compute('POST', '/os-aggregates', { aggregate: { name: ' padded ' } })).status, 400);
    assert.equal((await b.compute('POST', '/os-aggregates', { aggregate: { name: 'x', availability_zone: 'a:b' } })).status, 400);
    assert.equal((await b.compute('POST', '/os-aggregates', { aggregate: { name: 'x', extra: 1 } })).status, 400);
    assert.equal((await b.compute('PUT', '/os-aggregates/1', { aggregate: {} })).status, 400);
    assert.equal((await b.compute('POST', '/os-aggregates/1/action', { nope: {} })).body.badRequest.message, 'There is no such action: nope');
    assert.equal((await b.compute('POST', '/os-aggregates/1/action', { add_host: { host: 'bad host!' } })).status, 400);
    assert.equal((await b.compute('POST', '/os-aggregates/1/action', 'null')).status, 400);
    assert.equal((await member.compute('GET', '/os-aggregates')).status, 403);
    assert.equal((await member.compute('POST', '/os-aggregates', { aggregate: { name: 'mine' } })).status, 403);
  });

  test('add_host and remove_host: compute hosts only, one zone per host, mirrored to Placement', async () => {
    const az1 = (await b.compute('GET', '/os-aggregates')).body.aggregates.find((a: any) => a.name === 'rack1');
    const uuid = (await b.compute('GET', `/os-aggregates/${az1.id}`, undefined, '2.41')).body.aggregate.uuid;
    const unknown = await b.compute('POST', `/os-aggregates/${az1.id}/action`, { add_host: { host: 'nowhere' } });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.itemNotFound.message, 'Compute host nowhere could not be found.');
    assert.equal((await b.compute('POST', '/os-aggregates/4242/action', { add_host: { host: 'c1' } })).status, 404);

    const added = await b.compute('POST', `/os-aggregates/${az1.id}/action`, { add_host: { host: 'c1' } }, '2.41');
    assert.equal(added.status, 200, JSON.stringify(added.body));
    assert.deepEqual(added.body.aggregate.hosts, ['c1']);
    assert.deepEqual(await providerAggregates('c1'), [uuid]);
    assert.equal((await b.compute('POST', `/os-aggregates/${az1.id}/action`, { add_host: { host: 'c1' } })).status, 409);

    const other = (await b.compute('POST', '/os-aggregates', { aggregate: { name: 'elsewhere', availability_zone: 'az2' } })).body.aggregate;
    const twoZones = await b.compute('POST', `/os-aggregates/${other.id}/action`, { add_host: { host: 'c1' } });
    assert.equal(twoZones.status, 409);
    assert.match(twoZones.body.conflictingRequest.message, /One or more hosts already in availability zone\(s\) \['az1'\]/);
    assert.equal((await b.compute('DELETE', `/os-aggregates/${az1.id}`)).status, 400);

    const meta = await b.compute('POST', `/os-aggregates/${other.id}/action`, { set_metadata: { metadata: { ssd: 'true', gone: null } } });
    assert.equal(meta.status, 200);
    assert.deepEqual(meta.body.aggregate.metadata, { availability_zone: 'az2', ssd: 'true' });
    const unset = await b.compute('POST', `/os-aggregates/${other.id}/action`, { set_metadata: { metadata: { ssd: null } } });
    assert.deepEqual(unset.body.aggregate.metadata, { availability_zone: 'az2' });
    assert.equal((await b.compute('POST', `/os-aggregates/${other.id}/action`, { set_metadata: { metadata: { availability_zone: '' } } })).status, 400);

    const removed = await b.compute('POST', `/os-aggregates/${az1.id}/action`, { remove_host: { host: 'c1' } });
    assert.equal(removed.status, 200);
    assert.deepEqual(removed.body.aggregate.hosts, []);
    assert.deepEqual(await providerAggregates('c1'), []);
    const again = await b.compute('POST', `/os-aggregates/${az1.id}/action`, { remove_host: { host: 'c1' } });
    assert.equal(again.status, 404);
    assert.equal(again.body.itemNotFound.message, `Cannot remove host c1 in aggregate ${az1.id}`);
    assert.equal((await b.compute('DELETE', `/os-aggregates/${other.id}`)).status, 200);
  });

  test('a server asking for a zone lands on the host its aggregate holds', async () => {
    const az1 = (await b.compute('GET', '/os-aggregates')).body.aggregates.find((a: any) => a.name === 'rack1');
    assert.equal((await b.compute('POST', `/os-aggregates/${az1.id}/action`, { add_host: { host: 'c2' } })).status, 200);
    const server = await active({ name: 'zoned', availability_zone: 'az1' });
    assert.equal(server.status, 'ACTIVE');
    assert.equal(server['OS-EXT-SRV-ATTR:host'], 'c2');
    assert.equal(server['OS-EXT-AZ:availability_zone'], 'az1');
    // A host with servers cannot have its zone renamed under them.
    const rename = await b.compute('PUT', `/os-aggregates/${az1.id}`, { aggregate: { availability_zone: 'az9' } });
    assert.equal(rename.status, 400);
    assert.match(rename.body.badRequest.message, /One or more hosts contain instances in this zone/);
    assert.equal((await b.compute('DELETE', `/servers/${server.id}`)).status, 204);
    await b.waitFor(server.id, ['DELETED']);
    assert.equal((await b.compute('POST', `/os-aggregates/${az1.id}/action`, { remove_host: { host: 'c2' } })).status, 200);
  });

  test('AggregateInstanceExtraSpecsFilter matches flavor extra specs against the metadata of the host aggregates', async () => {
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const flavorId = await b.repos.db.insertInto('flavors').values({
      flavorid: 'ssd', name: 'm1.ssd', memory_mb: 512, vcpus: 1, root_gb: 1, ephemeral_gb: 0, swap: 0, vcpu_weight: null, rxtx_factor: 1, disabled: 0,
      is_public: 1, description: null, created_at: now, updated_at: null,
    }).returning('id').executeTakeFirstOrThrow();
    await b.repos.db.insertInto('flavor_extra_specs').values({ flavor_id: flavorId.id, key: 'aggregate_instance_extra_specs:ssd', value: 'true', created_at: now, updated_at: null }).execute();
    const fast = (await b.compute('POST', '/os-aggregates', { aggregate: { name: 'fast' } })).body.aggregate;
    await b.compute('POST', `/os-aggregates/${fast.id}/action`, { set_metadata: { metadata: { ssd: 'true' } } });
    await b.compute('POST', `/os-aggregates/${fast.id}/action`, { add_host: { host: 'c1' } });
    for (let i = 0; i < 3; i++) {
      const server = await active({ name: `ssd-${i}`, flavorRef: 'ssd' });
      assert.equal(server['OS-EXT-SRV-ATTR:host'], 'c1');
      await b.compute('DELETE', `/servers/${server.id}`);
      await b.waitFor(server.id, ['DELETED']);
    }
    await b.compute('POST', `/os-aggregates/${fast.id}/action`, { set_metadata: { metadata: { ssd: 'false' } } });
    const created = await b.boot({ name: 'nowhere', flavorRef: 'ssd' });
    const failed = await b.waitFor(created.body.server.id, ['ERROR']);
    assert.match(failed.fault.message, /No valid host/);
    await b.compute('DELETE', `/servers/${failed.id}`);
    await b.waitFor(failed.id, ['DELETED']);
    await b.compute('POST', `/os-aggregates/${fast.id}/action`, { remove_host: { host: 'c1' } });
    assert.equal((await b.compute('DELETE', `/os-aggregates/${fast.id}`)).status, 200);
  });

  test('os-services: list, filters, ids per microversion, forced_down from 2.11', async () => {
    const all = (await b.compute('GET', '/os-services')).body.services;
    const computes = all.filter((s: any) => s.binary === 'nova-compute');
    assert.deepEqual(computes.map((s: any) => s.host).sort(), ['c1', 'c2']);
    const c1 = computes.find((s: any) => s.host === 'c1');
    assert.equal(typeof c1.id, 'number');
    assert.equal(c1.zone, 'nova');
    assert.equal(c1.status, 'enabled');
    assert.equal(c1.state, 'up');
    assert.equal(c1.disabled_reason, null);
    assert.ok(!('forced_down' in c1));
    assert.ok(all.some((s: any) => s.binary === 'nova-conductor' && s.zone === 'internal'));
    const filtered = (await b.compute('GET', '/os-services?binary=nova-compute&host=c2', undefined, '2.11')).body.services;
    assert.equal(filtered.length, 1);
    assert.equal(filtered[0].forced_down, false);
    const v253 = (await b.compute('GET', '/os-services?host=c2', undefined, '2.53')).body.services;
    assert.match(v253[0].id, /^[0-9a-f-]{36}$/);
    assert.equal((await b.compute('GET', '/os-services?foo=1', undefined, '2.75')).status, 400);
    assert.equal((await b.compute('GET', '/os-services?foo=1', undefined, '2.74')).status, 200);
    assert.equal((await member.compute('GET', '/os-services')).status, 403);

    // A service not heard from within [DEFAULT] service_down_time is down (its next heartbeat brings it back).
    const stale = '2000-01-01T00:00:00Z';
    await b.repos.db.updateTable('services').set({ last_seen_up: stale, updated_at: stale }).where('binary', '=', 'nova-scheduler').execute();
    const scheduler = (await b.compute('GET', '/os-services?binary=nova-scheduler')).body.services[0];
    assert.equal(scheduler.state, 'down');
    assert.equal(scheduler.updated_at, '2000-01-01T00:00:00.000000');
    await b.repos.services.reportState((await b.repos.services.list({ binary: 'nova-scheduler' }))[0]!.id);
    assert.equal((await b.compute('GET', '/os-services?binary=nova-scheduler')).body.services[0].state, 'up');
  });

  test('legacy PUT actions before 2.53: disable-log-reason, enable, force-down (2.11)', async () => {
    const disabled = await b.compute('PUT', '/os-services/disable-log-reason', { host: 'c1', binary: 'nova-compute', disabled_reason: 'maintenance' });
    assert.equal(disabled.status, 200, JSON.stringify(disabled.body));
    assert.deepEqual(disabled.body.service, { host: 'c1', binary: 'nova-compute', status: 'disabled', disabled_reason: 'maintenance' });
    const shown = (await b.compute('GET', '/os-services?host=c1&binary=nova-compute')).body.services[0];
    assert.equal(shown.status, 'disabled');
    assert.equal(shown.disabled_reason, 'maintenance');
    assert.equal((await b.compute('PUT', '/os-services/disable-log-reason', { host: 'c1', binary: 'nova-compute' })).status, 400);
    const enabled = await b.compute('PUT', '/os-services/enable', { host: 'c1', binary: 'nova-compute' });
    assert.deepEqual(enabled.body.service, { host: 'c1', binary: 'nova-compute', status: 'enabled' });
    assert.equal((await b.compute('PUT', '/os-services/force-down', { host: 'c1', binary: 'nova-compute', forced_down: true })).status, 400);
    assert.equal((await b.compute('PUT', '/os-services/force-down', { host: 'c1', binary: 'nova-compute' })).status, 404);
    const down = await b.compute('PUT', '/os-services/force-down', { host: 'c1', binary: 'nova-compute', forced_down: true }, '2.11');
    assert.deepEqual(down.body.service, { host: 'c1', binary: 'nova-compute', forced_down: true });
    assert.equal((await b.compute('GET', '/os-services?host=c1&binary=nova-compute', undefined, '2.11')).body.services[0].state, 'down');
    await b.compute('PUT', '/os-services/force-down', { host: 'c1', binary: 'nova-compute', forced_down: 'false' }, '2.11');
    assert.equal((await b.compute('GET', '/os-services?host=c1&binary=nova-compute')).body.services[0].state, 'up');
    assert.equal((await b.compute('PUT', '/os-services/reboot', { host: 'c1', binary: 'nova-compute' })).body.itemNotFound.message, 'Unknown action');
    assert.equal((await b.compute('PUT', '/os-services/disable', { host: 'nowhere', binary: 'nova-compute' })).status, 404);
    const sched = await b.compute('PUT', '/os-services/disable', { host: 'c1', binary: 'nova-scheduler' });
    assert.equal(sched.status, 400);
    assert.equal(sched.body.badRequest.message, 'Updating a nova-scheduler service is not supported. Only nova-compute services can be updated.');
    assert.equal((await b.compute('PUT', '/os-services/disable', { host: 'c1' })).status, 400);
  });

  test('PUT /os-services/{uuid} from 2.53; a disabled host gets no server', async () => {
    const services = (await b.compute('GET', '/os-services?binary=nova-compute', undefined, '2.53')).body.services;
    const c1 = services.find((s: any) => s.host === 'c1');
    assert.equal((await b.compute('PUT', '/os-services/1', { status: 'disabled' }, '2.53')).body.badRequest.message, 'Invalid uuid 1');
    assert.equal((await b.compute('PUT', '/os-services/00000000-0000-0000-0000-000000000000', { status: 'disabled' }, '2.53')).status, 404);
    assert.equal((await b.compute('PUT', `/os-services/${c1.id}`, {}, '2.53')).status, 400);
    assert.equal((await b.compute('PUT', `/os-services/${c1.id}`, { status: 'enabled', disabled_reason: 'x' }, '2.53')).status, 400);
    assert.equal((await b.compute('PUT', `/os-services/${c1.id}`, { status: 'paused' }, '2.53')).status, 400);
    const disabled = await b.compute('PUT', `/os-services/${c1.id}`, { status: 'disabled', disabled_reason: 'drain' }, '2.53');
    assert.equal(disabled.status, 200, JSON.stringify(disabled.body));
    assert.equal(disabled.body.service.id, c1.id);
    assert.equal(disabled.body.service.status, 'disabled');
    assert.equal(disabled.body.service.disabled_reason, 'drain');
    assert.equal(disabled.body.service.forced_down, false);
    for (let i = 0; i < 2; i++) {
      const server = await active({ name: `spread-${i}` });
      assert.equal(server['OS-EXT-SRV-ATTR:host'], 'c2');
      await b.compute('DELETE', `/servers/${server.id}`);
      await b.waitFor(server.id, ['DELETED']);
    }
    const forced = await b.compute('PUT', `/os-services/${c1.id}`, { status: 'enabled', forced_down: true }, '2.53');
    assert.equal(forced.body.service.state, 'down');
    assert.equal(forced.body.service.status, 'enabled');
    assert.equal(forced.body.service.disabled_reason, null);
    const up = await b.compute('PUT', `/os-services/${c1.id}`, { forced_down: false }, '2.53');
    assert.equal(up.body.service.state, 'up');
    assert.equal((await member.compute('PUT', `/os-services/${c1.id}`, { status: 'disabled' }, '2.53')).status, 403);
  });

  test('DELETE /os-services: 409 while hosting servers; otherwise the node and its provider go too', async () => {
    const server = await active({ name: 'pinned' });
    const host = server['OS-EXT-SRV-ATTR:host'];
    const svc = (await b.compute('GET', `/os-services?binary=nova-compute&host=${host}`, undefined, '2.53')).body.services[0];
    const busy = await b.compute('DELETE', `/os-services/${svc.id}`, undefined, '2.53');
    assert.equal(busy.status, 409);
    assert.equal(busy.body.conflictingRequest.message, 'Unable to delete compute service that is hosting instances. Migrate or delete the instances first.');
    assert.equal((await b.compute('DELETE', '/os-services/abc', undefined, '2.53')).status, 400);
    assert.equal((await b.compute('DELETE', '/os-services/abc')).status, 400);
    assert.equal((await b.compute('DELETE', '/os-services/999999')).body.itemNotFound.message, 'Service 999999 not found.');
    assert.equal((await member.compute('DELETE', `/os-services/${svc.id}`, undefined, '2.53')).status, 403);

    const conductor = (await b.compute('GET', '/os-services?binary=nova-conductor')).body.services[0];
    assert.equal((await b.compute('DELETE', `/os-services/${conductor.id}`)).status, 204);
    assert.equal((await b.compute('GET', '/os-services?binary=nova-conductor')).body.services.length, 0);

    const otherHost = host === 'c1' ? 'c2' : 'c1';
    const other = (await b.compute('GET', `/os-services?binary=nova-compute&host=${otherHost}`)).body.services[0];
    const node = (await b.repos.computeNodes.list()).find((n) => n.host === otherHost)!;
    const agg = (await b.compute('POST', '/os-aggregates', { aggregate: { name: 'doomed' } })).body.aggregate;
    await b.compute('POST', `/os-aggregates/${agg.id}/action`, { add_host: { host: otherHost } });
    assert.equal((await b.compute('DELETE', `/os-services/${other.id}`)).status, 204);
    assert.deepEqual((await b.compute('GET', `/os-aggregates/${agg.id}`)).body.aggregate.hosts, []);
    assert.equal((await b.call('GET', `/placement/resource_providers/${node.uuid}`)).status, 404);
    assert.equal((await b.repos.computeNodes.byHost(otherHost)).length, 0);
    await b.compute('DELETE', `/servers/${server.id}`);
    await b.waitFor(server.id, ['DELETED']);
  });
});
