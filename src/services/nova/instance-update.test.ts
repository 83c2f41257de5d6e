// instance.update ([notifications] notify_on_state_change, nova's send_update on every
// Instance.save): none when the option is off; with vm_state a boot announces every save, only
// building -> active as a state change; with vm_and_task_state the task states too (None filled
// in with the current one, as nova's _compute_states_payload); a rename names the old name; a
// delete ends in DELETED.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BootCloud, type Notification } from './testing/boot-cloud.js';

/** The instance.update notifications of a server so far. */
function updatesOf(b: BootCloud, id: string): Notification[] {
  return b.notifications.filter((n) => n.eventType === 'instance.update' && n.payload['nova_object.data'].uuid === id);
}

/** Wait until the server has `count` instance.update notifications (they go out as the saves are made). */
async function waitForUpdates(b: BootCloud, id: string, count: number): Promise<Notification[]> {
  const deadline = Date.now() + 5000;
  while (updatesOf(b, id).length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return updatesOf(b, id);
}

/** [old_state, state, old_task_state, new_task_state] of each update. */
function states(updates: Notification[]): Array<[string, string, string | null, string | null]> {
  return updates.map((n) => {
    const s = n.payload['nova_object.data'].state_update['nova_object.data'];
    return [s.old_state, s.state, s.old_task_state, s.new_task_state];
  });
}

async function bootActive(b: BootCloud, name: string): Promise<{ id: string; host: string }> {
  const created = await b.boot({ name });
  assert.equal(created.status, 202, JSON.stringify(created.body));
  const id = created.body.server.id;
  const server = await b.waitFor(id, ['ACTIVE', 'ERROR']);
  assert.equal(server.status, 'ACTIVE', JSON.stringify(server));
  return { id, host: server['OS-EXT-SRV-ATTR:host'] };
}

/** The host of the process's own roles (API, conductor): the conductor's service record's. */
async function controllerHost(b: BootCloud): Promise<string> {
  return (await b.repos.services.list()).find((s) => s.binary === 'nova-conductor')!.host;
}

describe('instance.update with notify_on_state_change off (the default)', () => {
  let b: BootCloud;
  before(async () => { b = await BootCloud.start(); });
  after(async () => { await b?.close(); });

  test('a boot, a rename and a delete send no instance.update', async () => {
    const { id } = await bootActive(b, 'quiet');
    assert.equal((await b.compute('PUT', `/servers/${id}`, { server: { name: 'still-quiet' } })).status, 200);
    assert.equal((await b.compute('DELETE', `/servers/${id}`)).status, 204);
    await b.waitFor(id, ['DELETED']);
    const events = b.notifications.filter((n) => n.payload?.['nova_object.data']?.uuid === id).map((n) => n.eventType);
    assert.ok(events.includes('instance.create.end') && events.includes('instance.delete.end'), events.join(','));
    assert.ok(!events.includes('instance.update'), events.join(','));
  });

  test('the tags API announces each change from nova-api all the same; a metadata change does not', async () => {
    const { id } = await bootActive(b, 'tagged');
    assert.equal((await b.compute('PUT', `/servers/${id}/tags/a`, undefined, '2.26')).status, 201);
    assert.equal((await b.compute('PUT', `/servers/${id}/tags/a`, undefined, '2.26')).status, 204, 'already there: nothing changed');
    assert.equal((await b.compute('PUT', `/servers/${id}/tags`, { tags: ['b', 'c'] }, '2.26')).status, 200);
    assert.equal((await b.compute('DELETE', `/servers/${id}/tags/b`, undefined, '2.26')).status, 204);
    assert.equal((await b.compute('DELETE', `/servers/${id}/tags`, undefined, '2.26')).status, 204);
    assert.equal((await b.compute('POST', `/servers/${id}/metadata`, { metadata: { k: 'v' } })).status, 200);
    const updates = await waitForUpdates(b, id, 4);
    assert.equal(updates.length, 4);
    assert.deepEqual(updates.map((n) => [...n.payload['nova_object.data'].tags].sort()), [['a'], ['b', 'c'], ['c'], []]);
    assert.ok(updates.every((n) => n.publisherId.startsWith('nova-api:')), updates.map((n) => n.publisherId).join(','));
    assert.deepEqual(states(updates)[0], ['active', 'active', null, null]);
  });
});

describe('instance.update with notify_on_state_change = vm_state', () => {
  let b: BootCloud;
  before(async () => { b = await BootCloud.start({ 'notifications.notify_on_state_change': 'vm_state' }); });
  after(async () => { await b?.close(); });

  test('every save of a boot is announced; building -> active is its one state change', async () => {
    const { id, host } = await bootActive(b, 'web-1');
    const updates = await waitForUpdates(b, id, 7);
    assert.deepEqual(states(updates), [
      ['building', 'building', 'scheduling', 'scheduling'], // the conductor starts the build
      ['building', 'building', null, null], // the compute host takes it (scheduling -> None, not a vm state change)
      ['building', 'building', null, null], // claimed on the node
      ['building', 'building', 'networking', 'networking'],
      ['building', 'building', 'block_device_mapping', 'block_device_mapping'],
      ['building', 'building', 'spawning', 'spawning'],
      ['building', 'active', 'spawning', null],
    ]);
    const conductor = await controllerHost(b);
    assert.deepEqual(updates.map((n) => n.publisherId), [`nova-conductor:${conductor}`, ...Array(6).fill(`nova-compute:${host}`)]);
    // the payload: nova's InstanceUpdatePayload 2.0 with the instance after the save
    const last = updates.at(-1)!;
    assert.equal(last.payload['nova_object.name'], 'InstanceUpdatePayload');
    assert.equal(last.payload['nova_object.version'], '2.0');
    const data = last.payload['nova_object.data'];
    assert.equal(data.state, 'active');
    assert.equal(data.task_state, null);
    assert.equal(data.power_state, 'running');
    assert.equal(data.host, host);
    assert.equal(data.display_name, 'web-1');
    assert.equal(data.old_display_name, null);
    assert.deepEqual(data.tags, []);
    assert.equal(data.ip_addresses.length, 1);
    assert.equal(data.ip_addresses[0]['nova_object.name'], 'IpPayload');
    assert.equal(data.flavor['nova_object.name'], 'FlavorPayload');
    assert.equal(data.state_update['nova_object.name'], 'InstanceStateUpdatePayload');
    assert.equal(data.state_update['nova_object.version'], '1.0');
    const audit = data.audit_period;
    assert.equal(audit['nova_object.name'], 'AuditPeriodPayload');
    assert.match(audit['nova_object.data'].audit_period_beginning, /^\d{4}-\d{2}-01T00:00:00Z$/);
    assert.match(audit['nova_object.data'].audit_period_ending, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    // the build runs with the API request's context: its request id and initiator
    assert.match(data.request_id, /^req-/);
    assert.equal(typeof data.action_initiator_user, 'string');
    assert.equal(typeof data.action_initiator_project, 'string');
    for (const key of ['uuid', 'user_id', 'tenant_id', 'reservation_id', 'display_description', 'host_name', 'node', 'availability_zone', 'image_uuid',
      'key_name', 'created_at', 'launched_at', 'updated_at', 'metadata', 'locked', 'auto_disk_config', 'block_devices', 'locked_reason', 'progress']) {
      assert.ok(key in data, `${key} in the payload`);
    }
    // instance.update goes out with the save, before the notifications that follow it
    const events = b.notifications.filter((n) => n.payload?.['nova_object.data']?.uuid === id).map((n) => n.eventType);
    assert.ok(events.lastIndexOf('instance.update') < events.indexOf('instance.create.end'), events.join(','));
  });

  test('a metadata change is a plain update carrying the new metadata', async () => {
    const { id } = await bootActive(b, 'meta');
    const before = updatesOf(b, id).length;
    assert.equal((await b.compute('POST', `/servers/${id}/metadata`, { metadata: { role: 'web' } })).status, 200);
    assert.equal((await b.compute('DELETE', `/servers/${id}/metadata/role`)).status, 204);
    const updates = (await waitForUpdates(b, id, before + 2)).slice(before);
    assert.deepEqual(updates.map((n) => n.payload['nova_object.data'].metadata), [{ role: 'web' }, {}]);
    assert.deepEqual(states(updates), [['active', 'active', null, null], ['active', 'active', null, null]]);
  });

  test('a rename is a plain update naming the old name, sent by the API process as nova-compute', async () => {
    const { id } = await bootActive(b, 'old-name');
    const before = updatesOf(b, id).length;
    const renamed = await b.compute('PUT', `/servers/${id}`, { server: { name: 'new-name' } });
    assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
    const updates = (await waitForUpdates(b, id, before + 1)).slice(before);
    assert.equal(updates.length, 1);
    const data = updates[0]!.payload['nova_object.data'];
    assert.equal(data.display_name, 'new-name');
    assert.equal(data.old_display_name, 'old-name');
    assert.deepEqual(states(updates), [['active', 'active', null, null]]);
    assert.equal(updates[0]!.publisherId, `nova-compute:${await controllerHost(b)}`);
    assert.match(data.request_id, /^req-/);
    // a save that leaves the name alone has none
    assert.equal((await b.compute('PUT', `/servers/${id}`, { server: { description: 'd' } }, '2.19')).status, 200);
    const next = (await waitForUpdates(b, id, before + 2)).slice(before + 1);
    assert.equal(next[0]!.payload['nova_object.data'].old_display_name, null);
    assert.equal(next[0]!.payload['nova_object.data'].display_description, 'd');
  });
});

describe('instance.update with notify_on_state_change = vm_and_task_state', () => {
  let b: BootCloud;
  before(async () => { b = await BootCloud.start({ 'notifications.notify_on_state_change': 'vm_and_task_state' }); });
  after(async () => { await b?.close(); });

  test('a boot announces its task state changes, a delete its way to DELETED', async () => {
    const { id, host } = await bootActive(b, 'web-2');
    const updates = await waitForUpdates(b, id, 7);
    assert.deepEqual(states(updates), [
      ['building', 'building', 'scheduling', 'scheduling'],
      ['building', 'building', 'scheduling', null],
      ['building', 'building', null, null],
      // None -> networking: nova fills the None old task state with the current one
      ['building', 'building', 'networking', 'networking'],
      ['building', 'building', 'networking', 'block_device_mapping'],
      ['building', 'building', 'block_device_mapping', 'spawning'],
      ['building', 'active', 'spawning', null],
    ]);
    assert.equal((await b.compute('DELETE', `/servers/${id}`)).status, 204);
    await b.waitFor(id, ['DELETED']);
    const deleted = (await waitForUpdates(b, id, 9)).slice(7);
    assert.deepEqual(states(deleted), [
      ['active', 'active', 'deleting', 'deleting'], // the API sets the task state
      ['active', 'deleted', 'deleting', null], // the compute host's save before its destroy
    ]);
    assert.equal(deleted[0]!.publisherId, `nova-compute:${await controllerHost(b)}`);
    assert.equal(deleted[1]!.publisherId, `nova-compute:${host}`);
    assert.ok(deleted[1]!.payload['nova_object.data'].terminated_at);
  });
});
