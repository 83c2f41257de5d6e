// The server resources of the admin side: os-instance-actions (events and what each caller
// sees of them per microversion, paging and changes-since), server diagnostics from the fake
// hypervisor (free-form, then the 2.48 format; 409 for a stopped guest), and the migrations
// the move operations record, read through os-migrations.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { nowIso } from '../../common/db/index.js';
import { BootCloud } from './testing/boot-cloud.js';
import { Member, untilBuilt } from './testing/member.js';

describe('instance actions, diagnostics and migrations', () => {
  let b: BootCloud;
  let member: Member;
  let adminServer: any;
  let memberServer: any;

  before(async () => {
    b = await BootCloud.start({ 'DEFAULT.hosts': 'c1' });
    member = await Member.create(b);
    const net = await b.call('POST', '/network/v2.0/networks', { network: { name: 'shared', shared: true } });
    await b.call('POST', '/network/v2.0/subnets', { subnet: { network_id: net.body.network.id, cidr: '10.9.0.0/24', ip_version: 4 } });
    const created = await b.boot({ name: 'adm' });
    adminServer = await untilBuilt(b, created.body.server.id);
    const mine = await member.compute('POST', '/servers', { server: { name: 'mine', imageRef: b.imageId, flavorRef: '1', networks: [{ uuid: net.body.network.id }] } });
    assert.equal(mine.status, 202, JSON.stringify(mine.body));
    memberServer = await untilBuilt(b, mine.body.server.id);
    assert.equal(memberServer.status, 'ACTIVE');
  });
  after(async () => { await b?.close(); });

  test('instance actions: list and show with events; traceback and host only for admins', async () => {
    const list = await b.compute('GET', `/servers/${adminServer.id}/os-instance-actions`);
    assert.equal(list.status, 200);
    const create = list.body.instanceActions[0];
    assert.deepEqual(Object.keys(create).sort(), ['action', 'instance_uuid', 'message', 'project_id', 'request_id', 'start_time', 'user_id']);
    assert.equal(create.action, 'create');
    assert.match(create.start_time, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/);
    assert.match(create.request_id, /^req-/);

    // A failed event, as a compute host records one.
    const action = (await b.repos.actions.find(adminServer.id, create.request_id))!;
    const eventId = await b.repos.actions.eventStart(action.id, 'compute_test_step', 'c1');
    await b.repos.actions.eventFinish(eventId, action.id, { traceback: 'Traceback: boom', details: 'boom details' });

    const v21 = (await b.compute('GET', `/servers/${adminServer.id}/os-instance-actions/${create.request_id}`)).body.instanceAction;
    assert.equal(v21.message, 'Error');
    const failed = v21.events.find((e: any) => e.event === 'compute_test_step');
    assert.equal(failed.result, 'Error');
    assert.equal(failed.traceback, 'Traceback: boom');
    assert.ok(!('host' in failed) && !('hostId' in failed) && !('details' in failed));
    assert.ok(v21.events.some((e: any) => e.event === 'compute__do_build_and_run_instance' && e.result === 'Success'));
    const v262 = (await b.compute('GET', `/servers/${adminServer.id}/os-instance-actions/${create.request_id}`, undefined, '2.62')).body.instanceAction;
    const f262 = v262.events.find((e: any) => e.event === 'compute_test_step');
    assert.equal(f262.host, 'c1');
    assert.equal(f262.hostId.length, 56);
    assert.ok(!('details' in f262));
    assert.ok('updated_at' in v262);
    const v284 = (await b.compute('GET', `/servers/${adminServer.id}/os-instance-actions/${create.request_id}`, undefined, '2.84')).body.instanceAction;
    assert.equal(v284.events.find((e: any) => e.event === 'compute_test_step').details, 'boom details');

    assert.equal((await b.compute('GET', `/servers/${adminServer.id}/os-instance-actions/req-nope`)).body.itemNotFound.message, 'Action req-nope not found');
    assert.equal((await b.compute('GET', '/servers/00000000-0000-0000-0000-000000000000/os-instance-actions')).status, 404);
  });

  test('instance actions as a project member: events from 2.51, never traceback or host', async () => {
    const list = await member.compute('GET', `/servers/${memberServer.id}/os-instance-actions`);
    assert.equal(list.status, 200);
    const requestId = list.body.instanceActions[0].request_id;
    const v21 = (await member.compute('GET', `/servers/${memberServer.id}/os-instance-actions/${requestId}`)).body.instanceAction;
    assert.ok(!('events' in v21));
    const v251 = (await member.compute('GET', `/servers/${memberServer.id}/os-instance-actions/${requestId}`, undefined, '2.51')).body.instanceAction;
    assert.ok(v251.events.length > 0);
    assert.ok(v251.events.every((e: any) => !('traceback' in e) && !('host' in e)));
    const v284 = (await member.compute('GET', `/servers/${memberServer.id}/os-instance-actions/${requestId}`, undefined, '2.84')).body.instanceAction;
    assert.ok(v284.events.every((e: any) => typeof e.hostId === 'string' && !('host' in e) && !('details' in e)));
    assert.equal((await member.compute('GET', `/servers/${adminServer.id}/os-instance-actions`)).status, 404);
  });

  test('instance actions paging (2.58), changes-since and changes-before (2.66)', async () => {
    const id = memberServer.id;
    assert.equal((await b.compute('POST', `/servers/${id}/action`, { 'os-stop': null })).status, 202);
    await b.waitFor(id, ['SHUTOFF']);
    assert.equal((await b.compute('POST', `/servers/${id}/action`, { 'os-start': null })).status, 202);
    await b.waitFor(id, ['ACTIVE']);
    const all = (await b.compute('GET', `/servers/${id}/os-instance-actions`, undefined, '2.58')).body;
    assert.deepEqual(all.instanceActions.map((a: any) => a.action), ['start', 'stop', 'create']);
    assert.ok(!('links' in all));
    const page1 = (await b.compute('GET', `/servers/${id}/os-instance-actions?limit=2`, undefined, '2.58')).body;
    assert.deepEqual(page1.instanceActions.map((a: any) => a.action), ['start', 'stop']);
    assert.match(page1.links[0].href, new RegExp(`/servers/${id}/os-instance-actions\\?limit=2&marker=${page1.instanceActions[1].request_id}$`));
    const page2 = (await b.compute('GET', `/servers/${id}/os-instance-actions?limit=2&marker=${page1.instanceActions[1].request_id}`, undefined, '2.58')).body;
    assert.deepEqual(page2.instanceActions.map((a: any) => a.action), ['create']);
    assert.equal((await b.compute('GET', `/servers/${id}/os-instance-actions?marker=req-nope`, undefined, '2.58')).body.badRequest.message, 'Marker req-nope could not be found.');
    assert.equal((await b.compute('GET', `/servers/${id}/os-instance-actions?limit=x`, undefined, '2.58')).status, 400);
    assert.equal((await b.compute('GET', `/servers/${id}/os-instance-actions?foo=1`, undefined, '2.58')).status, 400);
    assert.equal((await b.compute('GET', `/servers/${id}/os-instance-actions?foo=1`)).status, 200);
    assert.equal((await b.compute('GET', `/servers/${id}/os-instance-actions?changes-before=2020-01-01T00:00:00Z`, undefined, '2.65')).status, 400);
    const future = (await b.compute('GET', `/servers/${id}/os-instance-actions?changes-since=2999-01-01T00:00:00Z`, undefined, '2.58')).body;
    assert.deepEqual(future.instanceActions, []);
    const past = (await b.compute('GET', `/servers/${id}/os-instance-actions?changes-before=2000-01-01T00:00:00Z`, undefined, '2.66')).body;
    assert.deepEqual(past.instanceActions, []);
    const both = await b.compute('GET', `/servers/${id}/os-instance-actions?changes-since=2030-01-01T00:00:00Z&changes-before=2020-01-01T00:00:00Z`, undefined, '2.66');
    assert.equal(both.status, 400);
    assert.equal((await b.compute('GET', `/servers/${id}/os-instance-actions?changes-since=yesterday`, undefined, '2.58')).status, 400);
  });

  test('diagnostics: free-form before 2.48, the standard format after, 409 when not running, admin only', async () => {
    const id = adminServer.id;
    const free = await b.compute('GET', `/servers/${id}/diagnostics`);
    assert.equal(free.status, 200, JSON.stringify(free.body));
    assert.equal(free.body.memory, 512 * 1024);
    assert.equal(free.body.num_cpus, 1);
    const std = (await b.compute('GET', `/servers/${id}/diagnostics`, undefined, '2.48')).body;
    assert.equal(std.state, 'running');
    assert.equal(std.driver, 'libvirt'); // the schema's enum has no 'fake' (nova's fake driver says libvirt)
    assert.equal(std.num_cpus, 1);
    assert.equal(std.cpu_details.length, 1);
    assert.equal(std.num_nics, 1);
    const port = (await b.ports(id))[0];
    assert.equal(std.nic_details[0].mac_address, port.mac_address);
    assert.equal(std.nic_details[0].rx_octets, null);
    assert.deepEqual(std.memory_details, { maximum: 512, used: null });
    assert.equal(std.num_disks, 1);
    assert.ok(Number.isInteger(std.uptime) && std.uptime >= 0);
    assert.equal(typeof std.config_drive, 'boolean');

    assert.equal((await member.compute('GET', `/servers/${memberServer.id}/diagnostics`)).status, 403);
    assert.equal((await member.compute('GET', `/servers/${id}/diagnostics`)).status, 404);
    assert.equal((await b.compute('GET', '/servers/00000000-0000-0000-0000-000000000000/diagnostics')).status, 404);

    // The guest's uptime runs from its power-on, and a stop and start begins a new one.
    await new Promise((r) => setTimeout(r, 2100));
    const later = (await b.compute('GET', `/servers/${id}/diagnostics`, undefined, '2.48')).body;
    assert.ok(later.uptime >= std.uptime + 2, `${later.uptime} after ${std.uptime}`);
    await b.compute('POST', `/servers/${id}/action`, { 'os-stop': null });
    await b.waitFor(id, ['SHUTOFF']);
    const stopped = await b.compute('GET', `/servers/${id}/diagnostics`, undefined, '2.48');
    assert.equal(stopped.status, 409);
    assert.equal(stopped.body.conflictingRequest.message, `Cannot 'get_diagnostics' instance ${id} while it is in power state shutdown`);
    await b.compute('POST', `/servers/${id}/action`, { 'os-start': null });
    await b.waitFor(id, ['ACTIVE']);
    const restarted = (await b.compute('GET', `/servers/${id}/diagnostics`, undefined, '2.48')).body;
    assert.equal(restarted.state, 'running');
    assert.ok(restarted.uptime < 2, String(restarted.uptime));
  });

  test('os-migrations reads the migrations table the move operations write', async () => {
    const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const row = (over: Record<string, unknown>) => ({
      uuid: crypto.randomUUID(), instance_uuid: adminServer.id, source_compute: 'c1', dest_compute: 'c2', source_node: 'c1', dest_node: 'c2',
      dest_host: null, old_instance_type_id: 1, new_instance_type_id: 1, status: 'finished', migration_type: 'resize', hidden: 0,
      memory_total: null, memory_processed: null, memory_remaining: null, disk_total: null, disk_processed: null, disk_remaining: null,
      cross_cell_move: 0, user_id: 'u1', project_id: 'p1', created_at: t(1), updated_at: t(1), deleted_at: null, ...over,
    });
    const rows = [
      row({ status: 'confirmed', migration_type: 'resize', created_at: t(1), updated_at: t(2) }),
      row({ status: 'running', migration_type: 'live-migration', created_at: t(3), updated_at: t(4), memory_total: 1000, memory_processed: 400, memory_remaining: 600, user_id: 'u2', project_id: 'p2' }),
      row({ status: 'error', migration_type: 'migration', source_compute: 'c2', dest_compute: 'c3', created_at: t(5), updated_at: t(6) }),
      row({ status: 'finished', migration_type: 'resize', hidden: 1, created_at: t(7), updated_at: t(8) }),
      row({ status: 'completed', migration_type: 'live-migration', created_at: t(9), updated_at: nowIso() }),
    ];
    await b.repos.db.insertInto('migrations').values(rows).execute();
    const ids = (await b.repos.db.selectFrom('migrations').select(['id', 'uuid']).orderBy('id').execute()).map((r) => r.id);

    const v21 = (await b.compute('GET', '/os-migrations')).body.migrations;
    assert.equal(v21.length, 4);
    assert.deepEqual(v21.map((m: any) => m.id), [ids[0], ids[1], ids[2], ids[4]]);
    assert.deepEqual(Object.keys(v21[0]).sort(), ['created_at', 'dest_compute', 'dest_host', 'dest_node', 'id', 'instance_uuid', 'new_instance_type_id',
      'old_instance_type_id', 'source_compute', 'source_node', 'status', 'updated_at']);
    assert.equal(v21[0].created_at, '2026-01-01T00:00:01.000000');

    const v223 = (await b.compute('GET', '/os-migrations', undefined, '2.23')).body.migrations;
    const live = v223.find((m: any) => m.id === ids[1]);
    assert.equal(live.migration_type, 'live-migration');
    assert.match(live.links[0].href, new RegExp(`/v2\\.1/servers/${adminServer.id}/migrations/${ids[1]}$`));
    assert.ok(!('links' in v223.find((m: any) => m.id === ids[4])));

    assert.deepEqual((await b.compute('GET', '/os-migrations?host=c3')).body.migrations.map((m: any) => m.id), [ids[2]]);
    assert.deepEqual((await b.compute('GET', '/os-migrations?source_compute=c2')).body.migrations.map((m: any) => m.id), [ids[2]]);
    assert.deepEqual((await b.compute('GET', '/os-migrations?status=running')).body.migrations.map((m: any) => m.id), [ids[1]]);
    assert.deepEqual((await b.compute('GET', '/os-migrations?migration_type=live-migration')).body.migrations.map((m: any) => m.id), [ids[1], ids[4]]);
    assert.equal((await b.compute('GET', `/os-migrations?instance_uuid=${memberServer.id}`)).body.migrations.length, 0);

    const v259 = (await b.compute('GET', '/os-migrations', undefined, '2.59')).body;
    assert.deepEqual(v259.migrations.map((m: any) => m.id), [ids[4], ids[2], ids[1], ids[0]]);
    assert.match(v259.migrations[0].uuid, /^[0-9a-f-]{36}$/);
    const page = (await b.compute('GET', '/os-migrations?limit=2', undefined, '2.59')).body;
    assert.deepEqual(page.migrations.map((m: any) => m.id), [ids[4], ids[2]]);
    assert.match(page.migrations_links[0].href, new RegExp(`os-migrations\\?limit=2&marker=${page.migrations[1].uuid}$`));
    const next = (await b.compute('GET', `/os-migrations?limit=2&marker=${page.migrations[1].uuid}`, undefined, '2.59')).body;
    assert.deepEqual(next.migrations.map((m: any) => m.id), [ids[1], ids[0]]);
    assert.equal((await b.compute('GET', '/os-migrations?marker=nope', undefined, '2.59')).status, 400);
    assert.equal((await b.compute('GET', '/os-migrations?foo=1', undefined, '2.59')).status, 400);
    assert.equal((await b.compute('GET', '/os-migrations?foo=1', undefined, '2.58')).status, 200);
    const since = (await b.compute('GET', `/os-migrations?changes-since=${t(4)}`, undefined, '2.59')).body.migrations.map((m: any) => m.id);
    assert.deepEqual(since, [ids[4], ids[2], ids[1]]);
    assert.equal((await b.compute('GET', `/os-migrations?changes-before=${t(4)}`, undefined, '2.59')).status, 400);
    const windowed = (await b.compute('GET', `/os-migrations?changes-since=${t(3)}&changes-before=${t(6)}`, undefined, '2.66')).body.migrations;
    assert.deepEqual(windowed.map((m: any) => m.id), [ids[2], ids[1]]);
    assert.equal((await b.compute('GET', `/os-migrations?changes-since=${t(6)}&changes-before=${t(3)}`, undefined, '2.66')).status, 400);
    assert.equal((await b.compute('GET', '/os-migrations?user_id=u2', undefined, '2.79')).status, 400);
    const byUser = (await b.compute('GET', '/os-migrations?user_id=u2&project_id=p2', undefined, '2.80')).body.migrations;
    assert.deepEqual(byUser.map((m: any) => [m.id, m.user_id, m.project_id]), [[ids[1], 'u2', 'p2']]);
    assert.equal((await member.compute('GET', '/os-migrations')).status, 403);
  });

  test('the actions of a deleted server stay readable from 2.21', async () => {
    assert.equal((await member.compute('DELETE', `/servers/${memberServer.id}`)).status, 204);
    await b.waitFor(memberServer.id, ['DELETED']);
    assert.equal((await member.compute('GET', `/servers/${memberServer.id}/os-instance-actions`, undefined, '2.20')).status, 404);
    const actions = (await member.compute('GET', `/servers/${memberServer.id}/os-instance-actions`, undefined, '2.21')).body.instanceActions;
    assert.deepEqual(actions.map((a: any) => a.action), ['delete', 'start', 'stop', 'create']);
  });
});
