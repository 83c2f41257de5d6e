// Scheduling for real on several fake hosts: anti-affinity spreads a group over three hosts and
// a fourth member finds no valid host; a failed spawn is rescheduled to an alternate host; a
// build no host can finish ends in ERROR with its fault, with its allocation and ports freed;
// a VIF that never comes up aborts the build when vif_plugging_is_fatal.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BootCloud } from './testing/boot-cloud.js';

/** A server group made through os-server-groups. */
async function group(b: BootCloud, policy: string): Promise<string> {
  const res = await b.compute('POST', '/os-server-groups', { server_group: { name: policy, policies: [policy] } });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.server_group.id;
}

describe('anti-affinity on three hosts', () => {
  let b: BootCloud;
  before(async () => { b = await BootCloud.start({ 'DEFAULT.hosts': 'c1,c2,c3', 'DEFAULT.vif_plugging_timeout': '0' }); });
  after(async () => { await b?.close(); });

  test('three members land on three hosts; the fourth is NoValidHost in ERROR with its allocation freed', async () => {
    const g = await group(b, 'anti-affinity');
    const hosts: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await b.boot({ name: `aa-${i}` }, { 'os:scheduler_hints': { group: g } });
      assert.equal(res.status, 202, JSON.stringify(res.body));
      const s = await b.waitFor(res.body.server.id, ['ACTIVE', 'ERROR']);
      assert.equal(s.status, 'ACTIVE', JSON.stringify(s.fault));
      hosts.push(s['OS-EXT-SRV-ATTR:host']);
    }
    assert.deepEqual([...hosts].sort(), ['c1', 'c2', 'c3']);
    const fourth = await b.boot({ name: 'aa-3' }, { 'os:scheduler_hints': { group: g } });
    const s = await b.waitFor(fourth.body.server.id, ['ACTIVE', 'ERROR']);
    assert.equal(s.status, 'ERROR');
    assert.match(s.fault.message, /^No valid host was found/);
    assert.equal(s.fault.code, 500);
    assert.deepEqual(await b.allocations(s.id), {});
    assert.deepEqual(await b.ports(s.id), []);
    const actions = (await b.repos.actions.list(s.id));
    assert.equal(actions[0]!.action, 'create');
    const events = await b.repos.actions.events(actions[0]!.id);
    assert.deepEqual(events.map((e) => [e.event, e.result]), [['conductor_schedule_and_build_instances', 'Error']]);
  });

  test('three members of a multi-create request spread over the three hosts', async () => {
    const g = await group(b, 'anti-affinity');
    const res = await b.boot({ name: 'trio', min_count: 3, return_reservation_id: true }, { 'os:scheduler_hints': { group: g } });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    const listed = (await b.compute('GET', `/servers?reservation_id=${res.body.reservation_id}`)).body.servers;
    const hosts = [];
    for (const s of listed) hosts.push((await b.waitFor(s.id, ['ACTIVE', 'ERROR']))['OS-EXT-SRV-ATTR:host']);
    assert.deepEqual(hosts.sort(), ['c1', 'c2', 'c3']);
  });

  test('two members forced onto one host at once: the late check of the compute host reschedules the second, which has nowhere to go', async () => {
    const g = await group(b, 'anti-affinity');
    const hints = { 'os:scheduler_hints': { group: g } };
    const [x, y] = await Promise.all([b.boot({ name: 'race-x', availability_zone: 'nova:c2' }, hints), b.boot({ name: 'race-y', availability_zone: 'nova:c2' }, hints)]);
    const servers = [await b.waitFor(x.body.server.id, ['ACTIVE', 'ERROR']), await b.waitFor(y.body.server.id, ['ACTIVE', 'ERROR'])];
    assert.deepEqual(servers.map((s) => s.status).sort(), ['ACTIVE', 'ERROR']);
    const failed = servers.find((s) => s.status === 'ERROR');
    assert.match(failed.fault.message, /^Exceeded maximum number of retries/);
    assert.deepEqual(await b.allocations(failed.id), {});
  });
});

describe('failed builds', () => {
  let b: BootCloud;
  before(async () => {
    b = await BootCloud.start({ 'DEFAULT.hosts': 'c1,c2,c3', 'fake_driver.fail_spawn_hosts': 'c1,c2', 'DEFAULT.vif_plugging_timeout': '0' });
  });
  after(async () => { await b?.close(); });

  test('a spawn that fails is rescheduled to the alternates until a host takes it', async () => {
    const res = await b.boot({ name: 'resched' });
    const s = await b.waitFor(res.body.server.id, ['ACTIVE', 'ERROR']);
    assert.equal(s.status, 'ACTIVE', JSON.stringify(s.fault));
    assert.equal(s['OS-EXT-SRV-ATTR:host'], 'c3');
    const alloc = await b.allocations(s.id);
    assert.equal(Object.keys(alloc).length, 1);
    assert.equal((await b.ports(s.id)).length, 1);
    const [action] = await b.repos.actions.list(s.id);
    // one build event per host tried, the last on c3 (nova records them as Success: the failure is handled)
    const builds = (await b.repos.actions.events(action!.id)).filter((e) => e.event === 'compute__do_build_and_run_instance');
    assert.equal(builds.at(-1)!.host, 'c3');
    assert.ok(builds.slice(0, -1).every((e) => e.host !== 'c3'), JSON.stringify(builds.map((e) => [e.host, e.result])));
  });

  test('a build on a forced failing host ends in ERROR with MaxRetriesExceeded, allocation and ports freed', async () => {
    const res = await b.boot({ name: 'doomed', availability_zone: 'nova:c1' });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    const s = await b.waitFor(res.body.server.id, ['ACTIVE', 'ERROR']);
    assert.equal(s.status, 'ERROR');
    assert.match(s.fault.message, /^Exceeded maximum number of retries\. Exhausted all hosts available for retrying build failures/);
    assert.equal(s['OS-EXT-SRV-ATTR:host'], null);
    assert.deepEqual(await b.allocations(s.id), {});
    assert.deepEqual(await b.ports(s.id), []);
    const types = b.notifications.filter((n) => n.payload?.['nova_object.data']?.uuid === s.id).map((n) => n.eventType);
    assert.ok(types.includes('instance.create.error'), types.join());
    const del = await b.compute('DELETE', `/servers/${s.id}`);
    assert.equal(del.status, 204);
    await b.waitFor(s.id, ['DELETED']);
  });
});

describe('VIF plugging', () => {
  let b: BootCloud;
  before(async () => {
    // no L2 agent: the plug events are the test's
    b = await BootCloud.startWithoutL2Agent({ 'DEFAULT.hosts': 'c1', 'DEFAULT.vif_plugging_timeout': '1', 'DEFAULT.vif_plugging_is_fatal': 'true', 'scheduler.max_attempts': '1' });
  });
  after(async () => { await b?.close(); });

  test('no network-vif-plugged in time with vif_plugging_is_fatal: ERROR, not rescheduled, port and allocation freed', async () => {
    const res = await b.boot({ name: 'no-vif' });
    const s = await b.waitFor(res.body.server.id, ['ACTIVE', 'ERROR']);
    assert.equal(s.status, 'ERROR');
    assert.match(s.fault.message, /Build of instance .* aborted: Failed to allocate the network\(s\), not rescheduling\./);
    assert.deepEqual(await b.ports(s.id), []);
    assert.deepEqual(await b.allocations(s.id), {});
  });

  test('a failed network-vif-plugged event aborts the build too', async () => {
    const res = await b.boot({ name: 'bad-vif' });
    const id = res.body.server.id;
    let ports: any[] = [];
    for (let i = 0; i < 200 && ports.length === 0; i++) {
      ports = await b.ports(id);
      if (ports.length === 0) await new Promise((r) => setTimeout(r, 10));
    }
    const sent = await b.compute('POST', '/os-server-external-events', { events: [{ name: 'network-vif-plugged', server_uuid: id, tag: ports[0].id, status: 'failed' }] });
    assert.equal(sent.status, 200);
    assert.equal(sent.body.events[0].code, 200);
    const s = await b.waitFor(id, ['ACTIVE', 'ERROR']);
    assert.equal(s.status, 'ERROR');
    assert.match(s.fault.message, /Failed to allocate the network/);
  });
});
