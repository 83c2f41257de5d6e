// os-hypervisors on a cloud with two compute hosts: list and detail per microversion (integer
// ids, then uuids from 2.53; the resource figures until 2.88, the uptime after), paging from
// 2.33, the hostname pattern and with_servers from 2.53 replacing /search and /servers,
// statistics and uptime until 2.87, a disabled or forced-down service in status and state.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BootCloud } from './testing/boot-cloud.js';
import { Member, untilBuilt } from './testing/member.js';

describe('os-hypervisors', () => {
  let b: BootCloud;
  let member: Member;
  let serverId = '';
  let serverHost = '';

  before(async () => {
    b = await BootCloud.start({ 'DEFAULT.hosts': 'c1,c2' });
    member = await Member.create(b);
    const created = await b.boot({ name: 'guest' });
    serverId = created.body.server.id;
    const server = await untilBuilt(b, serverId);
    assert.equal(server.status, 'ACTIVE');
    serverHost = server['OS-EXT-SRV-ATTR:host'];
  });
  after(async () => { await b?.close(); });

  test('list before and from 2.53: ids, state and status', async () => {
    const v21 = (await b.compute('GET', '/os-hypervisors')).body.hypervisors;
    assert.equal(v21.length, 2);
    assert.deepEqual(Object.keys(v21[0]).sort(), ['hypervisor_hostname', 'id', 'state', 'status']);
    assert.equal(typeof v21[0].id, 'number');
    assert.deepEqual(v21.map((h: any) => [h.hypervisor_hostname, h.state, h.status]).sort(), [['c1', 'up', 'enabled'], ['c2', 'up', 'enabled']]);
    const v253 = (await b.compute('GET', '/os-hypervisors', undefined, '2.53')).body.hypervisors;
    assert.match(v253[0].id, /^[0-9a-f-]{36}$/);
    assert.equal((await b.compute('GET', '/os-hypervisors?foo=1', undefined, '2.53')).status, 400);
    assert.equal((await b.compute('GET', '/os-hypervisors?foo=1', undefined, '2.52')).status, 200);
    assert.equal((await member.compute('GET', '/os-hypervisors')).status, 403);
    assert.equal((await member.compute('GET', '/os-hypervisors/detail')).status, 403);
  });

  test('detail: the figures until 2.88 (cpu_info an object from 2.28), the uptime from 2.88', async () => {
    const all = (await b.compute('GET', '/os-hypervisors/detail')).body.hypervisors;
    const v21 = all.find((h: any) => h.hypervisor_hostname === serverHost);
    const idle = all.find((h: any) => h.hypervisor_hostname !== serverHost);
    assert.equal(v21.hypervisor_type, 'fake');
    assert.equal(typeof v21.cpu_info, 'string');
    assert.equal(v21.running_vms, 1);
    assert.equal(v21.vcpus_used, 1);
    assert.equal(v21.memory_mb_used - idle.memory_mb_used, 512);
    assert.equal(idle.running_vms, 0);
    assert.equal(v21.service.host, serverHost);
    assert.equal(typeof v21.service.id, 'number');
    const v228 = (await b.compute('GET', '/os-hypervisors/detail', undefined, '2.28')).body.hypervisors[0];
    assert.equal(v228.cpu_info.arch, 'x86_64');
    const v288 = (await b.compute('GET', '/os-hypervisors/detail', undefined, '2.88')).body.hypervisors[0];
    for (const gone of ['vcpus', 'memory_mb', 'vcpus_used', 'running_vms', 'cpu_info', 'disk_available_least']) assert.ok(!(gone in v288), gone);
    assert.match(v288.uptime, / up \d+ days?, +\d+:\d{2}, .*load average: [\d.]+, [\d.]+, [\d.]+$/);
    assert.match(v288.service.id, /^[0-9a-f-]{36}$/);
  });

  test('show and uptime by id; bad ids per microversion', async () => {
    const node = (await b.repos.computeNodes.list()).find((n) => n.host === serverHost)!;
    const v21 = await b.compute('GET', `/os-hypervisors/${node.id}`);
    assert.equal(v21.status, 200);
    assert.equal(v21.body.hypervisor.hypervisor_hostname, serverHost);
    assert.ok(!('servers' in v21.body.hypervisor));
    assert.equal((await b.compute('GET', `/os-hypervisors/${node.uuid}`)).body.itemNotFound.message, `Hypervisor with ID '${node.uuid}' could not be found.`);
    assert.equal((await b.compute('GET', '/os-hypervisors/99999')).status, 404);
    assert.equal((await b.compute('GET', `/os-hypervisors/${node.id}`, undefined, '2.53')).body.badRequest.message, `Invalid uuid ${node.id}`);
    const withServers = await b.compute('GET', `/os-hypervisors/${node.uuid}?with_servers=true`, undefined, '2.53');
    assert.deepEqual(withServers.body.hypervisor.servers.map((s: any) => s.uuid), [serverId]);
    assert.match(withServers.body.hypervisor.servers[0].name, /^instance-[0-9a-f]{8}$/);
    assert.equal((await b.compute('GET', `/os-hypervisors/${node.uuid}?with_servers=maybe`, undefined, '2.53')).status, 400);
    assert.equal((await b.compute('GET', '/os-hypervisors/00000000-0000-0000-0000-000000000000', undefined, '2.53')).status, 404);

    const uptime = await b.compute('GET', `/os-hypervisors/${node.id}/uptime`);
    assert.equal(uptime.status, 200);
    assert.deepEqual(Object.keys(uptime.body.hypervisor).sort(), ['hypervisor_hostname', 'id', 'state', 'status', 'uptime']);
    assert.match(uptime.body.hypervisor.uptime, / up \d+ days?/);
    assert.equal((await b.compute('GET', `/os-hypervisors/${node.uuid}/uptime`, undefined, '2.87')).status, 200);
    assert.equal((await b.compute('GET', `/os-hypervisors/${node.uuid}/uptime`, undefined, '2.88')).status, 404);
    assert.equal((await member.compute('GET', `/os-hypervisors/${node.id}/uptime`)).status, 403);
  });

  test('statistics until 2.87', async () => {
    const stats = (await b.compute('GET', '/os-hypervisors/statistics')).body.hypervisor_statistics;
    assert.equal(stats.count, 2);
    assert.equal(stats.running_vms, 1);
    assert.equal(stats.vcpus_used, 1);
    const nodes = await b.repos.computeNodes.list();
    assert.equal(stats.vcpus, nodes.reduce((s, n) => s + n.vcpus, 0));
    assert.equal((await b.compute('GET', '/os-hypervisors/statistics', undefined, '2.88')).status, 404);
  });

  test('search and servers routes until 2.52, the pattern and with_servers query from 2.53', async () => {
    const found = await b.compute('GET', '/os-hypervisors/c/search');
    assert.equal(found.body.hypervisors.length, 2);
    assert.equal((await b.compute('GET', '/os-hypervisors/zzz/search')).body.itemNotFound.message, "No hypervisor matching 'zzz' could be found.");
    const servers = (await b.compute('GET', `/os-hypervisors/${serverHost}/servers`)).body.hypervisors;
    assert.deepEqual(servers[0].servers.map((s: any) => s.uuid), [serverId]);
    assert.equal((await b.compute('GET', '/os-hypervisors/c/search', undefined, '2.53')).status, 404);
    assert.equal((await b.compute('GET', '/os-hypervisors/c/servers', undefined, '2.53')).status, 404);

    const pattern = (await b.compute('GET', `/os-hypervisors?hypervisor_hostname_pattern=${serverHost}&with_servers=1`, undefined, '2.53')).body.hypervisors;
    assert.equal(pattern.length, 1);
    assert.deepEqual(pattern[0].servers.map((s: any) => s.uuid), [serverId]);
    const empty = (await b.compute('GET', '/os-hypervisors/detail?with_servers=true', undefined, '2.75')).body.hypervisors;
    assert.ok(empty.every((h: any) => Array.isArray(h.servers)));
    const before275 = (await b.compute('GET', '/os-hypervisors?with_servers=true', undefined, '2.74')).body.hypervisors;
    assert.equal(before275.filter((h: any) => 'servers' in h).length, 1);
    assert.equal((await b.compute('GET', '/os-hypervisors?hypervisor_hostname_pattern=zzz', undefined, '2.53')).status, 404);
    assert.equal((await b.compute('GET', '/os-hypervisors?hypervisor_hostname_pattern=c&limit=1', undefined, '2.53')).status, 400);
    assert.equal((await b.compute('GET', '/os-hypervisors?hypervisor_hostname_pattern=a%20b', undefined, '2.53')).status, 400);
  });

  test('paging from 2.33: limit, marker and the next link', async () => {
    const page1 = (await b.compute('GET', '/os-hypervisors?limit=1', undefined, '2.33')).body;
    assert.equal(page1.hypervisors.length, 1);
    assert.match(page1.hypervisors_links[0].href, new RegExp(`/v2\\.1/os-hypervisors\\?limit=1&marker=${page1.hypervisors[0].id}$`));
    const page2 = (await b.compute('GET', `/os-hypervisors?limit=1&marker=${page1.hypervisors[0].id}`, undefined, '2.33')).body;
    assert.notEqual(page2.hypervisors[0].id, page1.hypervisors[0].id);
    const page3 = (await b.compute('GET', `/os-hypervisors?limit=1&marker=${page2.hypervisors[0].id}`, undefined, '2.33')).body;
    assert.deepEqual(page3.hypervisors, []);
    const uuidPage = (await b.compute('GET', '/os-hypervisors/detail?limit=1', undefined, '2.53')).body;
    assert.match(uuidPage.hypervisors_links[0].href, /os-hypervisors\/detail\?limit=1&marker=[0-9a-f-]{36}$/);
    assert.equal((await b.compute('GET', '/os-hypervisors?marker=nope', undefined, '2.33')).body.badRequest.message, 'marker [nope] not found');
    assert.equal((await b.compute('GET', '/os-hypervisors?limit=-1', undefined, '2.33')).status, 400);
    assert.equal((await b.compute('GET', '/os-hypervisors?limit=1')).body.hypervisors.length, 2);
  });

  test('a disabled, then forced-down compute service shows in status and state', async () => {
    await b.compute('PUT', '/os-services/disable', { host: 'c1', binary: 'nova-compute' });
    await b.compute('PUT', '/os-services/force-down', { host: 'c1', binary: 'nova-compute', forced_down: true }, '2.11');
    const c1 = (await b.compute('GET', '/os-hypervisors/detail', undefined, '2.88')).body.hypervisors.find((h: any) => h.hypervisor_hostname === 'c1');
    assert.equal(c1.status, 'disabled');
    assert.equal(c1.state, 'down');
    assert.equal(c1.uptime, null);
    // The statistics leave the nodes of disabled services out.
    const stats = (await b.compute('GET', '/os-hypervisors/statistics')).body.hypervisor_statistics;
    assert.equal(stats.count, 1);
    const node = (await b.repos.computeNodes.list()).find((n) => n.host === 'c1')!;
    assert.equal((await b.compute('GET', `/os-hypervisors/${node.id}/uptime`)).status, 400);
    await b.compute('PUT', '/os-services/force-down', { host: 'c1', binary: 'nova-compute', forced_down: false }, '2.11');
    await b.compute('PUT', '/os-services/enable', { host: 'c1', binary: 'nova-compute' });
  });
});
