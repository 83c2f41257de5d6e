// Server actions that change a server in place, on a cloud that boots for real with the fake
// driver (each power step takes 0.2 s so the transient statuses can be seen): reboot, pause,
// suspend, lock, reset state, rescue, password, crash dump, snapshot and backup through Glance,
// rebuild and remote consoles; their state machine, instance actions and notifications, the
// 409s of wrong states and locks, the 400s of malformed bodies and the microversion gates.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import { BootCloud } from './testing/boot-cloud.js';
import { fakeDiskContents } from './virt/fake/disk.js';

describe('server lifecycle actions', () => {
  let b: BootCloud;
  let agentImageId = '';

  const act = (id: string, body: unknown, version = '2.1') => b.compute('POST', `/servers/${id}/action`, body, version);

  /** Boot and bring to ACTIVE (the test plays Neutron's agent and reports the port up). */
  async function active(server: Record<string, unknown> = {}): Promise<string> {
    const created = await b.boot(server);
    assert.equal(created.status, 202, JSON.stringify(created.body));
    const id = created.body.server.id;
    const deadline = Date.now() + 10_000;
    while ((await b.ports(id)).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await b.plugVifs(id);
    const s = await b.waitFor(id, ['ACTIVE', 'ERROR']);
    assert.equal(s.status, 'ACTIVE');
    return id;
  }

  /** The statuses a server goes through until it settles in one of `final` with no task. */
  async function watch(id: string, final: string[], timeoutMs = 15_000): Promise<{ seen: string[]; server: any }> {
    const seen: string[] = [];
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const s = (await b.compute('GET', `/servers/${id}`, undefined, '2.93')).body.server;
      if (seen.at(-1) !== s.status) seen.push(s.status);
      if (final.includes(s.status) && s['OS-EXT-STS:task_state'] === null) return { seen, server: s };
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`server ${id} did not settle in ${final.join('/')}: saw ${seen.join(' -> ')}`);
  }

  async function lastAction(id: string): Promise<{ action: string; events: Array<{ event: string; result: string | null }> }> {
    const [action] = await b.repos.actions.list(id);
    assert.ok(action);
    const events = await b.repos.actions.events(action.id);
    return { action: action.action, events: events.map((e) => ({ event: e.event, result: e.result })) };
  }

  const notified = (id: string, prefix: string) => b.notifications
    .filter((n) => n.payload?.['nova_object.data']?.uuid === id && n.eventType.startsWith(prefix)).map((n) => n.eventType);

  before(async () => {
    b = await BootCloud.start({ 'DEFAULT.hosts': 'c1', 'fake_driver.power_seconds': '0.2', 'quota.instances': '50', 'quota.cores': '50', 'quota.ram': '100000' });
    agentImageId = await activeImage(b, { name: 'with-agent', hw_qemu_guest_agent: 'yes' });
  });
  after(async () => { await b?.close(); });

  test('reboot: SOFT shows REBOOT then ACTIVE, HARD from SHUTOFF comes back ACTIVE; wrong states 409, bad types 400', async () => {
    const id = await active();
    assert.equal((await act(id, { reboot: { type: 'SOFT' } })).status, 202);
    const soft = await watch(id, ['ACTIVE']);
    assert.ok(soft.seen.includes('REBOOT'), soft.seen.join(','));
    assert.deepEqual(await lastAction(id), { action: 'reboot', events: [{ event: 'compute_reboot_instance', result: 'Success' }] });
    assert.deepEqual(notified(id, 'instance.reboot'), ['instance.reboot.start', 'instance.reboot.end']);

    assert.equal((await act(id, { 'os-stop': null })).status, 202);
    await watch(id, ['SHUTOFF']);
    const softWhileStopped = await act(id, { reboot: { type: 'soft' } });
    assert.equal(softWhileStopped.status, 409);
    assert.match(softWhileStopped.body.conflictingRequest.message, /Cannot 'reboot' instance .* while it is in vm_state stopped/);
    assert.equal((await act(id, { reboot: { type: 'Hard' } })).status, 202);
    const hard = await watch(id, ['ACTIVE']);
    assert.equal(hard.server['OS-EXT-STS:power_state'], 1);

    for (const body of [{ reboot: { type: 'WARM' } }, { reboot: {} }, { reboot: null }, { reboot: { type: 'SOFT', extra: 1 } }]) {
      assert.equal((await act(id, body)).status, 400, JSON.stringify(body));
    }
  });

  test('pause and unpause, suspend and resume: PAUSED and SUSPENDED with their power states, and the way back', async () => {
    const id = await active();
    assert.equal((await act(id, { pause: null })).status, 202);
    const paused = await watch(id, ['PAUSED']);
    assert.equal(paused.server['OS-EXT-STS:power_state'], 3);
    const again = await act(id, { pause: null });
    assert.equal(again.status, 409);
    assert.match(again.body.conflictingRequest.message, /Cannot 'pause' instance .* while it is in vm_state paused/);
    assert.equal((await act(id, { suspend: null })).status, 409);
    assert.equal((await act(id, { unpause: null })).status, 202);
    assert.equal((await watch(id, ['ACTIVE'])).server['OS-EXT-STS:power_state'], 1);

    assert.equal((await act(id, { resume: null })).status, 409);
    assert.equal((await act(id, { suspend: null })).status, 202);
    const suspended = await watch(id, ['SUSPENDED']);
    assert.equal(suspended.server['OS-EXT-STS:power_state'], 7);
    assert.equal((await act(id, { resume: null })).status, 202);
    assert.equal((await watch(id, ['ACTIVE'])).server['OS-EXT-STS:power_state'], 1);
    assert.deepEqual(notified(id, 'instance.pause'), ['instance.pause.start', 'instance.pause.end']);
    assert.deepEqual(notified(id, 'instance.resume'), ['instance.resume.start', 'instance.resume.end']);
    const actions = (await b.repos.actions.list(id)).map((a) => a.action);
    assert.deepEqual(actions.slice(0, 4), ['resume', 'suspend', 'unpause', 'pause']);
  });

  test('reset state: an admin sets error or active and clears the task; bad states are 400', async () => {
    const id = await active();
    assert.equal((await act(id, { 'os-resetState': { state: 'error' } })).status, 202);
    let s = (await b.compute('GET', `/servers/${id}`)).body.server;
    assert.equal(s.status, 'ERROR');
    assert.equal((await act(id, { 'os-resetState': { state: 'active' } })).status, 202);
    s = (await b.compute('GET', `/servers/${id}`)).body.server;
    assert.equal(s.status, 'ACTIVE');
    assert.equal((await lastAction(id)).action, 'resetState');
    for (const body of [{ 'os-resetState': { state: 'stopped' } }, { 'os-resetState': {} }, { 'os-resetState': null }]) {
      assert.equal((await act(id, body)).status, 400, JSON.stringify(body));
    }
  });

  test('rescue and unrescue: RESCUE with the given password, back to ACTIVE; unknown rescue image 400; wrong state 409', async () => {
    const id = await active();
    const bad = await act(id, { rescue: { rescue_image_ref: '00000000-0000-4000-8000-000000000000' } });
    assert.equal(bad.status, 400);
    assert.match(bad.body.badRequest.message, /Requested rescue image '00000000-0000-4000-8000-000000000000' is not supported/);
    assert.equal((await act(id, { rescue: { adminPass: 'x', unknown: 1 } })).status, 400);
    assert.equal((await act(id, { unrescue: null })).status, 409);

    const res = await act(id, { rescue: { adminPass: 'rescue-pw' } });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { adminPass: 'rescue-pw' });
    const rescued = await watch(id, ['RESCUE']);
    assert.equal(rescued.server['OS-EXT-STS:vm_state'], 'rescued');
    assert.equal((await act(id, { rescue: null })).status, 409);
    const generated = await act(id, { unrescue: null });
    assert.equal(generated.status, 202);
    await watch(id, ['ACTIVE']);
    const types = b.notifications.filter((n) => n.payload?.['nova_object.data']?.uuid === id && n.eventType.startsWith('instance.rescue'));
    assert.deepEqual(types.map((n) => n.eventType), ['instance.rescue.start', 'instance.rescue.end']);
    assert.equal(types[0]!.payload['nova_object.name'], 'InstanceActionRescuePayload');
    assert.deepEqual(notified(id, 'instance.unrescue'), ['instance.unrescue.start', 'instance.unrescue.end']);

    const withoutBody = await act(id, { rescue: null });
    assert.equal(withoutBody.status, 200);
    assert.match(withoutBody.body.adminPass, /^[a-zA-Z0-9]{12}$/);
    await watch(id, ['RESCUE']);
  });

  test('lock: owner and admin locks, locked_reason (2.73), a locked server refuses the owner (409), unlock_override', async () => {
    const member = await memberSession(b);
    const created = await b.call('POST', '/compute/v2.1/servers', {
      server: { name: 'mine', imageRef: b.imageId, flavorRef: '1', networks: 'none' },
    }, { 'x-auth-token': member.token, 'openstack-api-version': 'compute 2.37' });
    assert.equal(created.status, 202, JSON.stringify(created.body));
    const id = created.body.server.id;
    await b.waitFor(id, ['ACTIVE']);
    const asMember = (body: unknown, version = '2.73') => b.call('POST', `/compute/v2.1/servers/${id}/action`, body, { 'x-auth-token': member.token, 'openstack-api-version': `compute ${version}` });
    const show = async () => (await b.compute('GET', `/servers/${id}`, undefined, '2.73')).body.server;

    assert.equal((await asMember({ lock: { locked_reason: '' } })).status, 400);
    assert.equal((await asMember({ lock: { locked_reason: 'x' } }, '2.72')).status, 202, 'before 2.73 the body is not read');
    assert.equal((await show()).locked_reason, null);
    assert.equal((await asMember({ unlock: null })).status, 202);
    assert.equal((await asMember({ lock: { locked_reason: 'maintenance' } })).status, 202);
    let s = await show();
    assert.equal(s.locked, true);
    assert.equal(s.locked_reason, 'maintenance');
    assert.equal((await b.repos.instances.get(id)).data.locked_by, 'owner');

    const refused = await asMember({ pause: null });
    assert.equal(refused.status, 409);
    assert.match(refused.body.conflictingRequest.message, new RegExp(`Instance ${id} is locked`));
    assert.equal((await asMember({ 'os-stop': null })).status, 409);
    assert.equal((await act(id, { pause: null })).status, 202, 'an admin is not stopped by a lock');
    await watch(id, ['PAUSED']);
    assert.equal((await act(id, { unpause: null })).status, 202);
    await watch(id, ['ACTIVE']);

    // The admin (another project) may unlock the owner's lock; the owner may not unlock the admin's.
    assert.equal((await act(id, { unlock: null })).status, 202);
    s = await show();
    assert.equal(s.locked, false);
    assert.equal(s.locked_reason, null);
    assert.equal((await act(id, { lock: null }, '2.73')).status, 202);
    assert.equal((await b.repos.instances.get(id)).data.locked_by, 'admin');
    const override = await asMember({ unlock: null });
    assert.equal(override.status, 403);
    assert.match(override.body.forbidden.message, /os_compute_api:os-lock-server:unlock:unlock_override/);
    assert.equal((await act(id, { unlock: null })).status, 202);
    const types = b.notifications.filter((n) => n.payload?.['nova_object.data']?.uuid === id && /^instance\.(un)?lock$/.test(n.eventType));
    assert.deepEqual(types.map((n) => n.eventType), ['instance.lock', 'instance.unlock', 'instance.lock', 'instance.unlock', 'instance.lock', 'instance.unlock']);
    assert.equal(types[2]!.payload['nova_object.data'].locked_reason, 'maintenance');

    // The admin's snapshot of the member's server is shared with the member's project.
    const snap = await act(id, { createImage: { name: 'for-owner' } }, '2.45');
    assert.equal(snap.status, 202, JSON.stringify(snap.body));
    const shared = await waitImageActive(b, snap.body.image_id);
    assert.equal(shared.visibility, 'shared');
    assert.equal(shared.instance_owner, member.projectId);
    const members = (await b.call('GET', `/image/v2/images/${snap.body.image_id}/members`)).body.members;
    assert.deepEqual(members.map((m: any) => m.member_id), [member.projectId]);
    await watch(id, ['ACTIVE']);

    // os-resetState is admin only.
    assert.equal((await asMember({ 'os-resetState': { state: 'error' } })).status, 403);
  });

  test('changePassword: 409 when the guest has no agent, 202 and back to ACTIVE when it has; 400 for bad bodies', async () => {
    const noAgent = await active();
    const refused = await act(noAgent, { changePassword: { adminPass: 'n3w' } });
    assert.equal(refused.status, 409);
    assert.equal(refused.body.conflictingRequest.message, 'Guest agent is not enabled for the instance');
    assert.equal((await b.compute('GET', `/servers/${noAgent}`)).body.server['OS-EXT-STS:task_state'], null);

    const id = await active({ imageRef: agentImageId });
    assert.equal((await act(id, { changePassword: {} })).status, 400);
    assert.equal((await act(id, { changePassword: { adminPass: 5 } })).status, 400);
    assert.equal((await act(id, { changePassword: { adminPass: 'n3w-pass' } })).status, 202);
    assert.equal((await b.compute('GET', `/servers/${id}`)).body.server.status, 'ACTIVE');
    assert.deepEqual(await lastAction(id), { action: 'changePassword', events: [{ event: 'compute_set_admin_password', result: 'Success' }] });
    assert.equal((await act(id, { 'os-stop': null })).status, 202);
    await watch(id, ['SHUTOFF']);
    const stopped = await act(id, { changePassword: { adminPass: 'x' } });
    assert.equal(stopped.status, 409);
    assert.match(stopped.body.conflictingRequest.message, /Cannot 'changePassword' instance .* while it is in vm_state stopped/);
  });

  test('trigger_crash_dump: from 2.17, the guest panics (console), no state change; null body only', async () => {
    const id = await active();
    const old = await act(id, { trigger_crash_dump: null }, '2.16');
    assert.equal(old.status, 400);
    assert.match(old.body.badRequest.message, /There is no such action: trigger_crash_dump/);
    assert.equal((await act(id, { trigger_crash_dump: {} }, '2.17')).status, 400);
    assert.equal((await act(id, { trigger_crash_dump: null }, '2.17')).status, 202);
    const deadline = Date.now() + 5000;
    let output = '';
    while (!output.includes('Kernel panic') && Date.now() < deadline) output = (await act(id, { 'os-getConsoleOutput': {} })).body.output;
    assert.match(output, /Kernel panic - not syncing: NMI/);
    assert.deepEqual(notified(id, 'instance.trigger_crash_dump'), ['instance.trigger_crash_dump.start', 'instance.trigger_crash_dump.end']);
    assert.equal((await b.compute('GET', `/servers/${id}`)).body.server.status, 'ACTIVE');

    // A paused guest does not take the NMI: the host records the failure, the server stays PAUSED.
    assert.equal((await act(id, { pause: null })).status, 202);
    await watch(id, ['PAUSED']);
    assert.equal((await act(id, { trigger_crash_dump: null }, '2.17')).status, 202);
    const end = Date.now() + 5000;
    let last = await lastAction(id);
    while (last.events[0]?.result !== 'Error' && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 50));
      last = await lastAction(id);
    }
    assert.deepEqual(last, { action: 'trigger_crash_dump', events: [{ event: 'compute_trigger_crash_dump', result: 'Error' }] });
    const paused = (await b.compute('GET', `/servers/${id}`)).body.server;
    assert.equal(paused.status, 'PAUSED');
    const fault = await b.repos.faults.latest([id]);
    assert.match(fault.get(id)?.message ?? '', /is not running/);
  });

  test('createImage: a Glance image with the server\'s properties, made active by the host with the bytes of its disk', async () => {
    const id = await active({ name: 'snap-src' });
    const res = await rawAction(b, id, { createImage: { name: 'snap-1', metadata: { purpose: 'test' } } });
    assert.equal(res.status, 202, res.text);
    assert.equal(res.text, '');
    const imageId = /\/image\/images\/([0-9a-f-]{36})$/.exec(res.location ?? '')?.[1];
    assert.ok(imageId, `Location: ${res.location}`);
    const busy = await act(id, { createImage: { name: 'snap-busy' } });
    assert.equal(busy.status, 409, 'a second snapshot while the first runs is refused');
    assert.match(busy.body.conflictingRequest.message, /Cannot 'createImage' instance .* while it is in task_state image_/);
    const settled = await watch(id, ['ACTIVE']);
    assert.equal(settled.server['OS-EXT-STS:task_state'], null);
    const image = await waitImageActive(b, imageId);
    assert.equal(image.name, 'snap-1');
    assert.equal(image.image_type, 'snapshot');
    assert.equal(image.instance_uuid, id);
    assert.equal(image.purpose, 'test');
    assert.equal(image.visibility, 'private');
    assert.equal(image.disk_format, 'raw');
    assert.equal(image.base_image_ref, b.imageId);
    const data = await download(b, imageId);
    assert.ok(data.equals(fakeDiskContents(b.imageId, id)), 'the image holds the bytes of the fake disk');
    assert.equal(image.size, data.length);
    const { action, events } = await lastAction(id);
    assert.equal(action, 'createImage');
    assert.deepEqual(events, [{ event: 'compute_snapshot_instance', result: 'Success' }]);
    const snaps = b.notifications.filter((n) => n.payload?.['nova_object.data']?.uuid === id && n.eventType.startsWith('instance.snapshot'));
    assert.deepEqual(snaps.map((n) => n.eventType), ['instance.snapshot.start', 'instance.snapshot.end']);
    assert.equal(snaps[1]!.payload['nova_object.data'].snapshot_image_id, imageId);

    const v245 = await act(id, { createImage: { name: 'snap-2' } }, '2.45');
    assert.equal(v245.status, 202);
    assert.match(v245.body.image_id, /^[0-9a-f-]{36}$/);
    await waitImageActive(b, v245.body.image_id);
    await watch(id, ['ACTIVE']);
    for (const body of [{ createImage: {} }, { createImage: { name: '' } }, { createImage: { name: 'x', metadata: { k: 1 } } }]) {
      assert.equal((await act(id, body)).status, 400, JSON.stringify(body));
    }
  });

  test('createBackup: backups rotate (the oldest beyond rotation are deleted); 400 for bad bodies', async () => {
    const id = await active({ name: 'backed-up' });
    const made: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await act(id, { createBackup: { name: `bk-${i}`, backup_type: 'daily', rotation: 2 } }, '2.45');
      assert.equal(res.status, 202, JSON.stringify(res.body));
      made.push(res.body.image_id);
      await watch(id, ['ACTIVE']);
      await waitImageActive(b, res.body.image_id);
      // created_at has whole seconds: keep the backups apart so "oldest" is well defined
      if (i < 2) await new Promise((r) => setTimeout(r, 1100));
    }
    const deadline = Date.now() + 5000;
    let left: string[] = [];
    while (Date.now() < deadline) {
      left = (await b.call('GET', `/image/v2/images?instance_uuid=${id}&image_type=backup`)).body.images.map((i: any) => i.id);
      if (left.length === 2) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.deepEqual(left.sort(), made.slice(1).sort());
    const old = await act(id, { createBackup: { name: 'b', backup_type: 'daily', rotation: 0 } }, '2.1');
    assert.equal(old.status, 202);
    await watch(id, ['ACTIVE']);
    for (const body of [{ createBackup: { name: 'b', backup_type: 'daily' } }, { createBackup: { name: 'b', backup_type: 'daily', rotation: -1 } }]) {
      assert.equal((await act(id, body)).status, 400, JSON.stringify(body));
    }
  });

  test('rebuild: REBUILD then ACTIVE on the new image, name and metadata replaced; 2.75 answers the whole server; STOPPED stays SHUTOFF', async () => {
    const id = await active({ name: 'before', metadata: { a: '1' } });
    const res = await act(id, { rebuild: { imageRef: agentImageId, name: 'after', metadata: { b: '2' }, adminPass: 'pw1' } }, '2.75');
    assert.equal(res.status, 202, JSON.stringify(res.body));
    const s = res.body.server;
    assert.equal(s.status, 'REBUILD');
    assert.equal(s.name, 'after');
    assert.equal(s.adminPass, 'pw1');
    assert.equal(s.image.id, agentImageId);
    assert.deepEqual(s.metadata, { b: '2' });
    assert.equal(s['OS-EXT-STS:task_state'], 'rebuilding');
    assert.equal(s.user_data, null);
    assert.ok('OS-EXT-SRV-ATTR:host' in s, 'an admin sees the extended attributes');
    assert.ok(!('OS-EXT-SRV-ATTR:user_data' in s), 'but not OS-EXT-SRV-ATTR:user_data (show_user_data=False)');
    assert.match(String(res.body.server.links[0].href), new RegExp(`/servers/${id}$`));
    await b.plugVifs(id);
    const done = await watch(id, ['ACTIVE']);
    assert.equal(done.server['OS-EXT-STS:power_state'], 1);
    assert.deepEqual(notified(id, 'instance.rebuild'), ['instance.rebuild.start', 'instance.rebuild.end']);
    assert.deepEqual(await lastAction(id), { action: 'rebuild', events: [{ event: 'compute_rebuild_instance', result: 'Success' }] });
    const sys = (await b.repos.instances.get(id)).data.system_metadata;
    assert.equal(sys['image_base_image_ref'], agentImageId);
    assert.equal(sys['image_hw_qemu_guest_agent'], 'yes');

    const v21 = await act(id, { rebuild: { imageRef: b.imageId } });
    assert.equal(v21.status, 202);
    assert.ok(!('OS-EXT-STS:vm_state' in v21.body.server));
    assert.match(v21.body.server.adminPass, /^[a-zA-Z0-9]{12}$/);
    await b.plugVifs(id);
    await watch(id, ['ACTIVE']);

    assert.equal((await act(id, { 'os-stop': null })).status, 202);
    await watch(id, ['SHUTOFF']);
    assert.equal((await act(id, { rebuild: { imageRef: agentImageId } })).status, 202);
    await b.plugVifs(id);
    const stopped = await watch(id, ['SHUTOFF']);
    assert.ok(stopped.seen.includes('REBUILD'), stopped.seen.join(','));
    assert.equal(stopped.server['OS-EXT-STS:power_state'], 4);
    // The rebuilt guest's disk comes from the new image: a snapshot carries its bytes.
    const snap = await act(id, { createImage: { name: 'after-rebuild' } }, '2.45');
    assert.equal(snap.status, 202);
    await waitImageActive(b, snap.body.image_id);
    assert.ok((await download(b, snap.body.image_id)).equals(fakeDiskContents(agentImageId, id)));
    await watch(id, ['SHUTOFF']);

    const tooBig = await act(id, { rebuild: { imageRef: await activeImage(b, { name: 'big', min_disk: 20 }) } });
    assert.equal(tooBig.status, 400);
    assert.match(tooBig.body.badRequest.message, /Flavor's disk is smaller than the minimum size specified in image metadata/);
    const missing = await act(id, { rebuild: { imageRef: '00000000-0000-4000-8000-000000000000' } });
    assert.equal(missing.status, 400);
    assert.match(missing.body.badRequest.message, /Cannot find image for rebuild/);
    assert.equal((await act(id, { rebuild: { imageRef: b.imageId, key_name: 'nope' } }, '2.54')).status, 400);
    assert.equal((await act(id, { rebuild: { imageRef: b.imageId, key_name: null } }, '2.53')).status, 400, 'key_name is 2.54+');
    assert.equal((await act(id, { rebuild: { imageRef: b.imageId, hostname: 'x-y' } }, '2.89')).status, 400, 'hostname is 2.90+');
    assert.equal((await act(id, { rebuild: {} })).status, 400);
    assert.equal((await act(id, { 'os-resetState': { state: 'active' } })).status, 202);
    assert.equal((await act(id, { pause: null })).status, 202);
    await watch(id, ['PAUSED']);
    assert.equal((await act(id, { rebuild: { imageRef: b.imageId } })).status, 409);
  });

  test('remote consoles: noVNC URL with a stored token; disabled or mismatched types 400; the old actions until 2.5', async () => {
    const id = await active();
    const res = await b.compute('POST', `/servers/${id}/remote-consoles`, { remote_console: { protocol: 'vnc', type: 'novnc' } }, '2.6');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.remote_console.protocol, 'vnc');
    assert.equal(res.body.remote_console.type, 'novnc');
    const url = new URL(res.body.remote_console.url);
    assert.equal(`${url.origin}${url.pathname}`, 'http://127.0.0.1:6080/vnc_auto.html');
    const token = /^\?token=(.+)$/.exec(url.searchParams.get('path') ?? '')?.[1];
    assert.ok(token);
    const rows = await b.repos.db.selectFrom('console_auth_tokens').selectAll().where('instance_uuid', '=', id).execute();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.console_type, 'novnc');
    assert.equal(rows[0]!.host, 'c1');
    const shown = await b.compute('GET', `/os-console-auth-tokens/${token}`, undefined, '2.31');
    assert.equal(shown.status, 200, JSON.stringify(shown.body));
    assert.deepEqual(shown.body.console, { instance_uuid: id, host: 'c1', port: 6969, internal_access_path: 'FAKE' });
    assert.equal((await b.compute('GET', `/os-console-auth-tokens/${token}`, undefined, '2.30')).status, 401, 'before 2.31 only RDP tokens');
    assert.equal((await b.compute('GET', '/os-console-auth-tokens/not-a-token', undefined, '2.31')).status, 404);

    const spice = await b.compute('POST', `/servers/${id}/remote-consoles`, { remote_console: { protocol: 'spice', type: 'spice-html5' } }, '2.6');
    assert.equal(spice.status, 400);
    assert.equal(spice.body.badRequest.message, 'Unavailable console type spice-html5.');
    const mismatch = await b.compute('POST', `/servers/${id}/remote-consoles`, { remote_console: { protocol: 'vnc', type: 'serial' } }, '2.6');
    assert.equal(mismatch.status, 400);
    assert.equal(mismatch.body.badRequest.message, 'Invalid console type serial');
    assert.equal((await b.compute('POST', `/servers/${id}/remote-consoles`, { remote_console: { protocol: 'mks', type: 'webmks' } }, '2.7')).status, 400);
    assert.equal((await b.compute('POST', `/servers/${id}/remote-consoles`, { remote_console: { protocol: 'vnc', type: 'novnc' } }, '2.5')).status, 404);
    assert.equal((await b.compute('POST', `/servers/${id}/remote-consoles`, { remote_console: { protocol: 'vnc' } }, '2.6')).status, 400);

    const legacy = await act(id, { 'os-getVNCConsole': { type: 'novnc' } });
    assert.equal(legacy.status, 200);
    assert.equal(legacy.body.console.type, 'novnc');
    assert.match(legacy.body.console.url, /^http:\/\/127\.0\.0\.1:6080\/vnc_auto\.html\?path=%3Ftoken%3D/);
    assert.equal((await act(id, { 'os-getSerialConsole': { type: 'serial' } })).status, 400);
    assert.equal((await act(id, { 'os-getVNCConsole': { type: 'novnc' } }, '2.6')).status, 400);
    assert.equal((await act(id, { 'os-getVNCConsole': {} })).status, 400);
  });
});

/** A public raw image with data (so it is active), with these fields and properties. */
async function activeImage(b: BootCloud, fields: Record<string, unknown>): Promise<string> {
  const image = await b.call('POST', '/image/v2/images', { disk_format: 'raw', container_format: 'bare', visibility: 'public', ...fields });
  assert.equal(image.status, 201, JSON.stringify(image.body));
  const upload = await request(`${b.cloud.url}/image/v2/images/${image.body.id}/file`, {
    method: 'PUT', headers: { 'x-auth-token': await b.cloud.adminToken(), 'content-type': 'application/octet-stream' }, body: Buffer.alloc(2048, 7),
  });
  await upload.body.dump();
  assert.equal(upload.statusCode, 204);
  return image.body.id;
}

/** A member of a new project, logged in (the lock tests need an owner who is not the admin). */
async function memberSession(b: BootCloud): Promise<{ token: string; projectId: string }> {
  const project = await b.call('POST', '/identity/v3/projects', { project: { name: `p-${Date.now()}`, domain_id: 'default' } });
  const projectId = project.body.project.id;
  const user = await b.call('POST', '/identity/v3/users', { user: { name: `u-${Date.now()}`, password: 'secret-pw', domain_id: 'default' } });
  const roles = await b.call('GET', '/identity/v3/roles?name=member');
  const grant = await b.call('PUT', `/identity/v3/projects/${projectId}/users/${user.body.user.id}/roles/${roles.body.roles[0].id}`);
  assert.equal(grant.status, 204);
  const login = await request(`${b.cloud.url}/identity/v3/auth/tokens`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ auth: { identity: { methods: ['password'], password: { user: { id: user.body.user.id, password: 'secret-pw' } } }, scope: { project: { id: projectId } } } }),
  });
  await login.body.dump();
  return { token: String(login.headers['x-subject-token']), projectId };
}

/** A server action with its answer's Location header (what b.compute does not show). */
async function rawAction(b: BootCloud, serverId: string, body: unknown, version = '2.1'): Promise<{ status: number; location: string | undefined; text: string }> {
  const res = await request(`${b.cloud.url}/compute/v2.1/servers/${serverId}/action`, {
    method: 'POST',
    headers: { 'x-auth-token': await b.cloud.adminToken(), 'content-type': 'application/json', 'openstack-api-version': `compute ${version}` },
    body: JSON.stringify(body),
  });
  const location = res.headers['location'];
  return { status: res.statusCode, location: typeof location === 'string' ? location : undefined, text: await res.body.text() };
}

async function waitImageActive(b: BootCloud, imageId: string): Promise<any> {
  const deadline = Date.now() + 15_000;
  let last: any;
  while (Date.now() < deadline) {
    last = (await b.call('GET', `/image/v2/images/${imageId}`)).body;
    if (last?.status === 'active') return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`image ${imageId} did not become active: ${JSON.stringify(last)}`);
}

async function download(b: BootCloud, imageId: string): Promise<Buffer> {
  const res = await request(`${b.cloud.url}/image/v2/images/${imageId}/file`, { headers: { 'x-auth-token': await b.cloud.adminToken() } });
  assert.equal(res.statusCode, 200);
  return Buffer.from(await res.body.arrayBuffer());
}
