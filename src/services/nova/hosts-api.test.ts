// os-hosts on a cloud with two compute hosts: the list (enabled services but the API ones, zone
// filter, a blank zone is no filter), a compute host's resources (totals, use, its servers'
// sums and per project), the update and power actions (schema 400, unknown host 404, 501 for
// a driver that cannot), the policies, and the gate at 2.43.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BootCloud } from './testing/boot-cloud.js';
import { Member, untilBuilt } from './testing/member.js';

describe('os-hosts', () => {
  let b: BootCloud;
  let member: Member;
  let serverHost = '';

  before(async () => {
    b = await BootCloud.start({ 'DEFAULT.hosts': 'c1,c2' });
    member = await Member.create(b);
    const created = await b.boot({ name: 'guest' });
    const server = await untilBuilt(b, created.body.server.id);
    assert.equal(server.status, 'ACTIVE');
    serverHost = server['OS-EXT-SRV-ATTR:host'];
  });
  after(async () => { await b?.close(); });

  test('list: hosts with topic and zone, the zone filter, 403 for a member, 404 from 2.43', async () => {
    const res = await b.compute('GET', '/os-hosts');
    assert.equal(res.status, 200);
    const hosts = res.body.hosts;
    const computes = hosts.filter((h: any) => h.service === 'compute').map((h: any) => [h.host_name, h.zone]).sort();
    assert.deepEqual(computes, [['c1', 'nova'], ['c2', 'nova']]);
    assert.ok(hosts.every((h: any) => h.service === 'compute' || h.zone === 'internal'), JSON.stringify(hosts));
    assert.ok(hosts.some((h: any) => h.service === 'scheduler' || h.service === 'conductor'), JSON.stringify(hosts));
    for (const h of hosts) assert.deepEqual(Object.keys(h).sort(), ['host_name', 'service', 'zone']);
    assert.deepEqual((await b.compute('GET', '/os-hosts?zone=nova')).body.hosts.map((h: any) => h.host_name).sort(), ['c1', 'c2']);
    assert.equal((await b.compute('GET', '/os-hosts?zone=')).body.hosts.length, hosts.length);
    assert.deepEqual((await b.compute('GET', '/os-hosts?zone=xxx')).body.hosts, []);
    assert.equal((await b.compute('GET', '/os-hosts?other=1')).status, 200, 'unknown parameters are ignored');
    assert.equal((await member.compute('GET', '/os-hosts')).status, 403);
    assert.equal((await b.compute('GET', '/os-hosts', undefined, '2.42')).status, 200);
    assert.equal((await b.compute('GET', '/os-hosts', undefined, '2.43')).status, 404);

    // a disabled compute service's host is not listed
    assert.equal((await b.compute('PUT', '/os-services/disable', { host: 'c2', binary: 'nova-compute' })).status, 200);
    assert.deepEqual((await b.compute('GET', '/os-hosts?zone=nova')).body.hosts.map((h: any) => h.host_name), ['c1']);
    assert.equal((await b.compute('PUT', '/os-services/enable', { host: 'c2', binary: 'nova-compute' })).status, 200);
  });

  test('show: totals, use and the servers\' sums per project', async () => {
    const res = await b.compute('GET', `/os-hosts/${serverHost}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const resources = res.body.host.map((r: any) => r.resource);
    assert.deepEqual(resources.map((r: any) => r.project).slice(0, 3), ['(total)', '(used_now)', '(used_max)']);
    assert.ok(resources.every((r: any) => r.host === serverHost));
    const [total, , usedMax, project] = resources;
    assert.ok(total.cpu > 0 && total.memory_mb > 0 && total.disk_gb > 0);
    assert.deepEqual({ cpu: usedMax.cpu, memory_mb: usedMax.memory_mb, disk_gb: usedMax.disk_gb }, { cpu: 1, memory_mb: 512, disk_gb: 1 });
    assert.equal(resources.length, 4);
    assert.deepEqual({ ...project, project: typeof project.project }, { ...usedMax, project: 'string' });
    const idle = (await b.compute('GET', `/os-hosts/${serverHost === 'c1' ? 'c2' : 'c1'}`)).body.host.map((r: any) => r.resource);
    assert.equal(idle.length, 3);
    assert.equal(idle[2].cpu, 0);
    const missing = await b.compute('GET', '/os-hosts/nowhere');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.itemNotFound.message, "Host 'nowhere' is not mapped to any cell");
    assert.equal((await member.compute('GET', `/os-hosts/${serverHost}`)).status, 403);
    assert.equal((await b.compute('GET', `/os-hosts/${serverHost}`, undefined, '2.43')).status, 404);
  });

  test('update: the schema, unknown hosts, 501 for what the driver cannot do', async () => {
    const bad = await b.compute('PUT', '/os-hosts/c1', { status: null, maintenance_mode: null });
    assert.equal(bad.status, 400);
    assert.equal((await b.compute('PUT', '/os-hosts/c1', { status: 'invalid' })).status, 400);
    assert.equal((await b.compute('PUT', '/os-hosts/c1', { maintenance_mode: 'invalid' })).status, 400);
    assert.equal((await b.compute('PUT', '/os-hosts/c1', { status: 'enable', foo: 1 })).status, 400);
    assert.deepEqual((await b.compute('PUT', '/os-hosts/c1', {})).body, { host: 'c1' }, 'upstream\'s schema lets an empty body through');
    assert.equal((await b.compute('PUT', '/os-hosts/nowhere', { status: 'enable', maintenance_mode: 'enable' })).status, 404);
    const status = await b.compute('PUT', '/os-hosts/c1', { status: 'Disable' });
    assert.equal(status.status, 501);
    assert.equal(status.body.notImplemented.message, 'The requested functionality is not supported.');
    assert.equal((await b.compute('PUT', '/os-hosts/c1', { maintenance_mode: 'enable' })).status, 501);
    assert.equal((await member.compute('PUT', '/os-hosts/c1', { status: 'enable' })).status, 403);
    assert.equal((await b.compute('PUT', '/os-hosts/c1', { status: 'enable' }, '2.43')).status, 404);
    // the service was left as it was
    assert.equal((await b.compute('GET', '/os-services?host=c1&binary=nova-compute')).body.services[0].status, 'enabled');
  });

  test('startup, shutdown, reboot: 404 for an unknown host, 501 otherwise, 403 for a member', async () => {
    for (const action of ['startup', 'shutdown', 'reboot']) {
      assert.equal((await b.compute('GET', `/os-hosts/nowhere/${action}`)).status, 404, action);
      assert.equal((await b.compute('GET', `/os-hosts/c1/${action}`)).status, 501, action);
      assert.equal((await member.compute('GET', `/os-hosts/c1/${action}`)).status, 403, action);
      assert.equal((await b.compute('GET', `/os-hosts/c1/${action}`, undefined, '2.43')).status, 404, action);
    }
  });
});
