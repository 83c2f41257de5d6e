// Moving servers between two fake hosts, end to end over the bus: resize (confirm and revert)
// with the Placement usages of both hosts checked at each step, cold migration to a named host,
// live migration, evacuation from a forced-down host, shelve/offload/unshelve to another host;
// invalid states answer 409 and bad bodies 400.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { RequestContext } from '../../common/context.js';
import { ComputeMoveManager } from './compute/manager-move.js';
import type { SchedulerReportClient } from './scheduler/client/report.js';
import { BootCloud } from './testing/boot-cloud.js';
import { fakeHypervisor } from './virt/fake/driver.js';

const TINY = { VCPU: 1, MEMORY_MB: 512, DISK_GB: 1 };
const SMALL = { VCPU: 1, MEMORY_MB: 2048, DISK_GB: 20 };

function movesSuite(name: string, overrides: Record<string, string>, tests: (t: Helpers) => void): void {
  describe(name, () => {
    const h = helpers();
    before(async () => {
      h.cloud.b = await BootCloud.start({ 'DEFAULT.hosts': 'c1,c2', 'DEFAULT.vif_plugging_timeout': '1', ...overrides });
      for (const n of await h.cloud.b.repos.computeNodes.list()) h.nodes.set(n.host, n.uuid);
    });
    after(async () => { await h.cloud.b?.close(); });
    tests(h);
  });
}

type Helpers = ReturnType<typeof helpers>;

/** The calls the tests make, over the suite's cloud. */
function helpers() {
  const cloud: { b?: BootCloud } = {};
  const nodes = new Map<string, string>();
  const bc = (): BootCloud => cloud.b!;

  const other = (host: string) => (host === 'c1' ? 'c2' : 'c1');

  async function active(name: string): Promise<any> {
    const created = await bc().boot({ name });
    assert.equal(created.status, 202, JSON.stringify(created.body));
    const id = created.body.server.id;
    const deadline = Date.now() + 10_000;
    while ((await bc().ports(id)).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await bc().plugVifs(id);
    const server = await bc().waitFor(id, ['ACTIVE', 'ERROR']);
    assert.equal(server.status, 'ACTIVE', JSON.stringify(server.fault));
    return server;
  }

  /** VCPU/MEMORY_MB/DISK_GB used on a host's provider (zeros left out). */
  async function usages(host: string): Promise<Record<string, number>> {
    const res = await bc().call('GET', `/placement/resource_providers/${nodes.get(host)}/usages`, undefined, { 'openstack-api-version': 'placement 1.9' });
    return Object.fromEntries(Object.entries(res.body.usages as Record<string, number>).filter(([, n]) => n > 0));
  }

  /** What a consumer holds, by host. */
  async function held(consumer: string): Promise<Record<string, Record<string, number>>> {
    const byUuid = new Map([...nodes].map(([h, u]) => [u, h]));
    const alloc = await bc().allocations(consumer);
    return Object.fromEntries(Object.entries(alloc).map(([rp, a]) => [byUuid.get(rp) ?? rp, a.resources]));
  }

  async function migrations(id: string) {
    return bc().repos.migrations.forInstance(id);
  }

  async function waitTask(id: string, statuses: string[], check: (s: any) => boolean = () => true): Promise<any> {
    const deadline = Date.now() + 20_000;
    let last: any;
    while (Date.now() < deadline) {
      last = (await bc().compute('GET', `/servers/${id}`, undefined, '2.93')).body.server;
      if (statuses.includes(last.status) && last['OS-EXT-STS:task_state'] === null && check(last)) return last;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`server ${id} never settled in ${statuses.join('/')}: ${JSON.stringify(last)}`);
  }

  const action = (id: string, body: unknown, version = '2.1') => bc().compute('POST', `/servers/${id}/action`, body, version);

  /** The server's last migration once it reached `status` (the source finishes a live migration after the destination took over). */
  async function migrationIn(id: string, status: string) {
    const deadline = Date.now() + 10_000;
    let last;
    while (Date.now() < deadline) {
      last = (await migrations(id)).at(-1);
      if (last?.data.status === status) return last;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`migration of ${id} never ${status}: ${JSON.stringify(last?.data)}`);
  }

  return { cloud, nodes, other, active, usages, held, migrations, migrationIn, waitTask, action, get b(): BootCloud { return bc(); } };
}

// The fake hosts may keep a cold migration (nova's SameHostColdMigrateDriver), for the test that does.
movesSuite('server moves', { 'DEFAULT.update_resources_interval': '1', 'fake_driver.supports_migrate_to_same_host': 'true' }, (h) => {
  const { other, active, usages, held, migrations, migrationIn, waitTask, action } = h;
  let b: BootCloud;
  before(() => { b = h.b; });

  /** A new server resized to m1.small, waiting for confirmation. */
  async function resizedToSmall(name: string) {
    const server = await active(name);
    const id: string = server.id;
    const src: string = server['OS-EXT-SRV-ATTR:host'];
    assert.equal((await action(id, { resize: { flavorRef: '2' } })).status, 202);
    await waitTask(id, ['VERIFY_RESIZE']);
    const [m] = await migrations(id);
    return { id, src, dst: other(src), m: m! };
  }

  test('resize then confirm: the migration holds the source, the server the destination; confirm frees the source', async () => {
    const server = await active('resize-me');
    const id = server.id;
    const src = server['OS-EXT-SRV-ATTR:host'];
    const dst = other(src);
    assert.deepEqual(await usages(src), TINY);
    assert.deepEqual(await usages(dst), {});

    const same = await action(id, { resize: { flavorRef: '1' } });
    assert.equal(same.status, 400);
    assert.equal(same.body.badRequest.message, 'When resizing, instances must change flavor!');

    const res = await action(id, { resize: { flavorRef: '2', 'OS-DCF:diskConfig': 'AUTO' } });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    const resized = await waitTask(id, ['VERIFY_RESIZE', 'ERROR']);
    assert.equal(resized.status, 'VERIFY_RESIZE', JSON.stringify(resized.fault));
    assert.equal(resized['OS-EXT-SRV-ATTR:host'], dst);
    assert.equal(resized.flavor.original_name, 'm1.small');
    const [m] = await migrations(id);
    assert.equal(m!.data.status, 'finished');
    assert.equal(m!.data.migration_type, 'resize');
    assert.equal(m!.data.source_compute, src);
    assert.equal(m!.data.dest_compute, dst);
    assert.deepEqual(await held(id), { [dst]: SMALL });
    assert.deepEqual(await held(m!.uuid), { [src]: TINY });
    assert.deepEqual(await usages(src), TINY);
    assert.deepEqual(await usages(dst), SMALL);
    const [port] = await b.ports(id);
    assert.equal(port['binding:host_id'], dst);
    assert.ok(fakeHypervisor(dst)!.listInstanceUuids().includes(id));
    assert.ok(!fakeHypervisor(src)!.listInstanceUuids().includes(id));
    assert.ok(fakeHypervisor(src)!.heldInstanceUuids().includes(id));
    // The source's node record keeps counting the old flavor the migration holds there (512 reserved + 512).
    const srcNode = async () => (await b.repos.computeNodes.list()).find((n) => n.host === src)!;
    const before = (await srcNode()).updated_at;
    const deadline = Date.now() + 10_000;
    while ((await srcNode()).updated_at === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.equal((await srcNode()).memory_mb_used, 1024);

    const again = await action(id, { resize: { flavorRef: '3' } });
    assert.equal(again.status, 409);

    const confirm = await action(id, { confirmResize: null });
    assert.equal(confirm.status, 204, JSON.stringify(confirm.body));
    const confirmed = await waitTask(id, ['ACTIVE', 'ERROR']);
    assert.equal(confirmed.status, 'ACTIVE');
    assert.equal((await migrations(id))[0]!.data.status, 'confirmed');
    assert.deepEqual(await held(m!.uuid), {});
    assert.deepEqual(await usages(src), {});
    assert.deepEqual(await usages(dst), SMALL);
    assert.ok(!fakeHypervisor(src)!.heldInstanceUuids().includes(id));
    assert.equal((await srcNode()).memory_mb_used, 512);
    const console = await action(id, { 'os-getConsoleOutput': {} });
    assert.match(console.body.output, /Resized to/);
    const events = b.notifications.filter((n) => n.payload?.['nova_object.data']?.uuid === id).map((n) => n.eventType);
    for (const e of ['instance.resize_prep.start', 'instance.resize.end', 'instance.resize_finish.end', 'instance.resize_confirm.end']) assert.ok(events.includes(e), `${e} in ${events.join(',')}`);
    const actions = (await b.repos.actions.list(id)).map((a) => a.action);
    assert.ok(actions.includes('resize') && actions.includes('confirmResize'), actions.join(','));

    const notResized = await action(id, { confirmResize: null });
    assert.equal(notResized.status, 409);
    await b.compute('DELETE', `/servers/${id}`);
    await b.waitFor(id, ['DELETED']);
    assert.deepEqual(await usages(dst), {});
  });

  test('resize then revert: the server goes back to its host and flavor, and gets the source allocation back', async () => {
    const { id, src, dst, m } = await resizedToSmall('revert-me');
    assert.deepEqual(await usages(src), TINY);
    assert.deepEqual(await usages(dst), SMALL);
    const revert = await action(id, { revertResize: null });
    assert.equal(revert.status, 202, JSON.stringify(revert.body));
    const reverted = await waitTask(id, ['ACTIVE', 'ERROR']);
    assert.equal(reverted.status, 'ACTIVE', JSON.stringify(reverted.fault));
    assert.equal(reverted['OS-EXT-SRV-ATTR:host'], src);
    assert.equal(reverted.flavor.original_name, 'm1.tiny');
    assert.equal((await migrations(id))[0]!.data.status, 'reverted');
    assert.deepEqual(await held(id), { [src]: TINY });
    assert.deepEqual(await held(m.uuid), {});
    assert.deepEqual(await usages(src), TINY);
    assert.deepEqual(await usages(dst), {});
    const [port] = await b.ports(id);
    assert.equal(port['binding:host_id'], src);
    assert.ok(fakeHypervisor(src)!.listInstanceUuids().includes(id));
    assert.ok(!fakeHypervisor(dst)!.listInstanceUuids().includes(id));
    assert.equal(fakeHypervisor(src)!.getInfo({ uuid: id } as never).state, 1);
    const events = b.notifications.filter((n) => n.payload?.['nova_object.data']?.uuid === id).map((n) => n.eventType);
    assert.ok(events.includes('instance.resize_revert.start') && events.includes('instance.resize_revert.end'), events.join(','));
    await b.compute('DELETE', `/servers/${id}`);
    await b.waitFor(id, ['DELETED']);
  });

  test('cold migration to a named host (2.56), confirmed', async () => {
    const server = await active('cold');
    const id = server.id;
    const src = server['OS-EXT-SRV-ATTR:host'];
    const dst = other(src);
    assert.equal((await action(id, { migrate: { host: src } }, '2.56')).status, 400);
    assert.equal((await action(id, { migrate: { host: 'nowhere' } }, '2.56')).status, 400);
    assert.equal((await action(id, { migrate: { host: dst, bogus: 1 } }, '2.56')).status, 400);
    const res = await action(id, { migrate: { host: dst } }, '2.56');
    assert.equal(res.status, 202, JSON.stringify(res.body));
    const moved = await waitTask(id, ['VERIFY_RESIZE', 'ERROR']);
    assert.equal(moved.status, 'VERIFY_RESIZE', JSON.stringify(moved.fault));
    assert.equal(moved['OS-EXT-SRV-ATTR:host'], dst);
    const [m] = await migrations(id);
    assert.equal(m!.data.migration_type, 'migration');
    assert.deepEqual(await held(m!.uuid), { [src]: TINY });
    assert.deepEqual(await held(id), { [dst]: TINY });
    assert.equal((await action(id, { confirmResize: null })).status, 204);
    await waitTask(id, ['ACTIVE']);
    assert.deepEqual(await usages(src), {});
    assert.deepEqual(await usages(dst), TINY);
    await b.compute('DELETE', `/servers/${id}`);
    await b.waitFor(id, ['DELETED']);
  });

  test('a cold migration may stay on its host (COMPUTE_SAME_HOST_COLD_MIGRATE); one no host can take leaves the server as it was', async () => {
    const server = await active('stuck');
    const id = server.id;
    const src = server['OS-EXT-SRV-ATTR:host'];
    const disable = (hosts: string[], disabled: number) =>
      b.repos.db.updateTable('services').set({ disabled }).where('host', 'in', hosts).where('binary', '=', 'nova-compute').execute();
    await disable([other(src)], 1);
    try {
      assert.equal((await action(id, { migrate: null })).status, 202);
      const moved = await waitTask(id, ['VERIFY_RESIZE', 'ERROR']);
      assert.equal(moved.status, 'VERIFY_RESIZE', JSON.stringify(moved.fault));
      assert.equal(moved['OS-EXT-SRV-ATTR:host'], src);
      const m = await migrationIn(id, 'finished');
      assert.deepEqual(await held(m.uuid), { [src]: TINY });
      assert.deepEqual(await held(id), { [src]: TINY });
      assert.deepEqual(await usages(src), { VCPU: 2, MEMORY_MB: 1024, DISK_GB: 2 });
      assert.equal((await action(id, { confirmResize: null })).status, 204);
      await waitTask(id, ['ACTIVE']);
      assert.deepEqual(await usages(src), TINY);
      assert.ok(fakeHypervisor(src)!.listInstanceUuids().includes(id));

      await disable([src], 1);
      assert.equal((await action(id, { migrate: null })).status, 202);
      const failed = await migrationIn(id, 'error');
      const back = await waitTask(id, ['ACTIVE', 'ERROR']);
      assert.equal(back.status, 'ACTIVE');
      assert.equal(back['OS-EXT-SRV-ATTR:host'], src);
      assert.deepEqual(await held(id), { [src]: TINY });
      assert.deepEqual(await held(failed.uuid), {});
      const events = await b.repos.actions.events((await b.repos.actions.latest(id, 'migrate'))!.id);
      assert.equal(events.find((e) => e.event === 'cold_migrate')?.result, 'Error');
    } finally {
      await disable(['c1', 'c2'], 0);
      // The hosts report themselves enabled again to Placement (COMPUTE_STATUS_DISABLED goes) at
      // their next updates (every second here): let an update that read them disabled finish first.
      await new Promise((r) => setTimeout(r, 2500));
      const deadline = Date.now() + 10_000;
      const disabledTrait = async () => {
        for (const uuid of h.nodes.values()) {
          const t = await b.call('GET', `/placement/resource_providers/${uuid}/traits`, undefined, { 'openstack-api-version': 'placement 1.6' });
          if (t.body.traits.includes('COMPUTE_STATUS_DISABLED')) return true;
        }
        return false;
      };
      while ((await disabledTrait()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    }
    await b.compute('DELETE', `/servers/${id}`);
    await b.waitFor(id, ['DELETED']);
  });

  test('live migration: the running guest moves, the source allocation is freed', async () => {
    const server = await active('live');
    const id = server.id;
    const src = server['OS-EXT-SRV-ATTR:host'];
    const dst = other(src);
    assert.equal((await action(id, { 'os-migrateLive': { host: null } }, '2.25')).status, 400);
    assert.equal((await action(id, { 'os-migrateLive': { host: null, block_migration: 'auto', force: true } }, '2.30')).status, 400);
    assert.equal((await action(id, { 'os-migrateLive': { host: null, block_migration: false } }, '2.1')).status, 400);
    const res = await action(id, { 'os-migrateLive': { host: null, block_migration: 'auto' } }, '2.25');
    assert.equal(res.status, 202, JSON.stringify(res.body));
    const moved = await waitTask(id, ['ACTIVE', 'ERROR'], (s) => s['OS-EXT-SRV-ATTR:host'] === dst || s.status === 'ERROR' || (s['OS-EXT-STS:task_state'] === null && s.fault));
    assert.equal(moved.status, 'ACTIVE', JSON.stringify(moved.fault));
    assert.equal(moved['OS-EXT-SRV-ATTR:host'], dst);
    assert.equal(moved['OS-EXT-STS:power_state'], 1);
    const m = await migrationIn(id, 'completed');
    assert.equal(m.data.migration_type, 'live-migration');
    assert.deepEqual(await held(id), { [dst]: TINY });
    assert.deepEqual(await held(m.uuid), {});
    assert.deepEqual(await usages(src), {});
    const [port] = await b.ports(id);
    assert.equal(port['binding:host_id'], dst);
    const console = await action(id, { 'os-getConsoleOutput': {} });
    assert.match(console.body.output, /Live migrated to/);
    assert.ok(fakeHypervisor(dst)!.listInstanceUuids().includes(id));
    assert.ok(!fakeHypervisor(src)!.listInstanceUuids().includes(id));
    await b.compute('DELETE', `/servers/${id}`);
    await b.waitFor(id, ['DELETED']);
  });

  test('evacuate: refused while the host is up, rebuilt elsewhere once it is forced down', async () => {
    const server = await active('evac');
    const id = server.id;
    const src = server['OS-EXT-SRV-ATTR:host'];
    const dst = other(src);
    const up = await action(id, { evacuate: {} }, '2.29');
    assert.equal(up.status, 400, JSON.stringify(up.body));
    assert.equal(up.body.badRequest.message, `Compute service of ${src} is still in use.`);
    assert.equal((await action(id, { evacuate: { host: 'nowhere' } }, '2.29')).status, 404);
    assert.equal((await action(id, { evacuate: { force: true } }, '2.29')).status, 400);
    assert.equal((await action(id, { evacuate: {} }, '2.1')).status, 400);
    await b.repos.db.updateTable('services').set({ forced_down: 1 }).where('host', '=', src).where('binary', '=', 'nova-compute').execute();
    try {
      const res = await action(id, { evacuate: { onSharedStorage: false } }, '2.1');
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(typeof res.body.adminPass, 'string');
      const moved = await waitTask(id, ['ACTIVE', 'ERROR'], (s) => s['OS-EXT-SRV-ATTR:host'] === dst || s.status === 'ERROR');
      assert.equal(moved.status, 'ACTIVE', JSON.stringify(moved.fault));
      assert.equal(moved['OS-EXT-SRV-ATTR:host'], dst);
      const [m] = await migrations(id);
      assert.equal(m!.data.migration_type, 'evacuation');
      assert.equal(m!.data.status, 'done');
      assert.deepEqual(await held(id), { [dst]: TINY });
      assert.deepEqual(await held(m!.uuid), { [src]: TINY });
      const events = b.notifications.filter((n) => n.payload?.['nova_object.data']?.uuid === id).map((n) => n.eventType);
      assert.ok(events.includes('instance.evacuate') && events.includes('instance.rebuild.end'), events.join(','));
      assert.ok(fakeHypervisor(dst)!.listInstanceUuids().includes(id));
      assert.ok(fakeHypervisor(src)!.listInstanceUuids().includes(id), 'the dead host still has its guest until it starts again');
    } finally {
      await b.repos.db.updateTable('services').set({ forced_down: 0 }).where('host', '=', src).where('binary', '=', 'nova-compute').execute();
    }
    // The dead host starts again (init_host): its evacuated guest goes and the source allocation
    // the migration held is freed (Placement called for real; the rest of the host is not needed).
    const placement = {
      deleteAllocationForInstance: async (consumer: string) => (await b.call('DELETE', `/placement/allocations/${consumer}`)).status === 204,
    } as unknown as SchedulerReportClient;
    const restarted = new ComputeMoveManager({
      host: src, driver: fakeHypervisor(src)!, repos: b.repos, report: placement, log: { info() {}, warn() {} } as never,
    } as never);
    await restarted.destroyEvacuatedInstances(RequestContext.internal('req-restart'));
    const [done] = await migrations(id);
    assert.equal(done!.data.status, 'completed');
    assert.deepEqual(await held(done!.uuid), {});
    assert.deepEqual(await usages(src), {});
    assert.ok(!fakeHypervisor(src)!.listInstanceUuids().includes(id));
    await b.compute('DELETE', `/servers/${id}`);
    await b.waitFor(id, ['DELETED']);
  });

  test('shelve offloads at once (shelved_offload_time 0); unshelve to another host (2.91)', async () => {
    const server = await active('shelf');
    const id = server.id;
    const src = server['OS-EXT-SRV-ATTR:host'];
    const dst = other(src);
    assert.equal((await action(id, { unshelve: null })).status, 409);
    assert.equal((await action(id, { shelveOffload: null })).status, 409);
    const res = await action(id, { shelve: null });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    const shelved = await waitTask(id, ['SHELVED_OFFLOADED', 'SHELVED', 'ERROR'], (s) => s.status !== 'SHELVED');
    assert.equal(shelved.status, 'SHELVED_OFFLOADED', JSON.stringify(shelved.fault));
    assert.equal(shelved['OS-EXT-SRV-ATTR:host'], null);
    assert.deepEqual(await held(id), {});
    assert.deepEqual(await usages(src), {});
    const [port] = await b.ports(id);
    assert.equal(port['binding:host_id'], '');
    const images = (await b.call('GET', '/image/v2/images?name=shelf-shelved')).body.images;
    assert.equal(images.length, 1);
    assert.equal(images[0].status, 'active');
    assert.equal(images[0].instance_uuid, id);

    assert.equal((await action(id, { unshelve: {} }, '2.91')).status, 400);
    assert.equal((await action(id, { unshelve: { availability_zone: 'nope' } }, '2.77')).status, 400);
    assert.equal((await action(id, { unshelve: { host: 'nowhere' } }, '2.91')).status, 400);
    const un = await action(id, { unshelve: { host: dst } }, '2.91');
    assert.equal(un.status, 202, JSON.stringify(un.body));
    const back = await waitTask(id, ['ACTIVE', 'ERROR', 'SHELVED_OFFLOADED'], (s) => s.status !== 'SHELVED_OFFLOADED' || s.fault);
    assert.equal(back.status, 'ACTIVE', JSON.stringify(back.fault));
    assert.equal(back['OS-EXT-SRV-ATTR:host'], dst);
    assert.deepEqual(await held(id), { [dst]: TINY });
    assert.equal((await b.ports(id))[0]['binding:host_id'], dst);
    assert.deepEqual((await b.call('GET', '/image/v2/images?name=shelf-shelved')).body.images, []);
    const events = b.notifications.filter((n) => n.payload?.['nova_object.data']?.uuid === id).map((n) => n.eventType);
    for (const e of ['instance.shelve.end', 'instance.shelve_offload.end', 'instance.unshelve.end']) assert.ok(events.includes(e), `${e} in ${events.join(',')}`);
    await b.compute('DELETE', `/servers/${id}`);
    await b.waitFor(id, ['DELETED']);
  });

  test('a stopped server stays stopped through a resize and its revert; a bigger flavor over quota is 403', async () => {
    const server = await active('stopped');
    const id = server.id;
    assert.equal((await action(id, { 'os-stop': null })).status, 202);
    await waitTask(id, ['SHUTOFF']);
    const project = server.tenant_id;
    await b.repos.db.insertInto('quotas').values({ project_id: project, resource: 'ram', hard_limit: 1024, created_at: new Date().toISOString(), updated_at: null }).execute();
    try {
      const over = await action(id, { resize: { flavorRef: '2' } });
      assert.equal(over.status, 403, JSON.stringify(over.body));
      assert.match(over.body.forbidden.message, /^Quota exceeded for ram: Requested 1536, but already used \d+ of 1024 ram$/);
      assert.equal((await b.compute('GET', `/servers/${id}`)).body.server['OS-EXT-STS:task_state'], null);
    } finally {
      await b.repos.db.deleteFrom('quotas').where('project_id', '=', project).execute();
    }
    assert.equal((await action(id, { resize: { flavorRef: '2' } })).status, 202);
    const resized = await waitTask(id, ['VERIFY_RESIZE', 'ERROR']);
    assert.equal(resized.status, 'VERIFY_RESIZE');
    assert.equal(resized['OS-EXT-STS:power_state'], 4);
    assert.equal((await action(id, { revertResize: null })).status, 202);
    const reverted = await waitTask(id, ['SHUTOFF', 'ACTIVE', 'ERROR']);
    assert.equal(reverted.status, 'SHUTOFF');
    assert.equal(reverted['OS-EXT-SRV-ATTR:host'], server['OS-EXT-SRV-ATTR:host']);
    await b.compute('DELETE', `/servers/${id}`);
    await b.waitFor(id, ['DELETED']);
  });

  test('deleting a resized server confirms the resize first; deleting a shelved one deletes its snapshot', async () => {
    const { id, src, dst, m } = await resizedToSmall('gone-resized');
    assert.equal((await b.compute('DELETE', `/servers/${id}`)).status, 204);
    await b.waitFor(id, ['DELETED']);
    assert.equal((await b.repos.migrations.get(m.uuid)).data.status, 'confirmed');
    assert.deepEqual(await held(m.uuid), {});
    assert.deepEqual(await usages(src), {});
    assert.deepEqual(await usages(dst), {});
    assert.ok(!fakeHypervisor(src)!.heldInstanceUuids().includes(id));

    const shelf = await active('gone-shelved');
    assert.equal((await action(shelf.id, { shelve: null })).status, 202);
    await waitTask(shelf.id, ['SHELVED_OFFLOADED']);
    assert.equal((await b.call('GET', '/image/v2/images?name=gone-shelved-shelved')).body.images.length, 1);
    assert.equal((await b.compute('DELETE', `/servers/${shelf.id}`)).status, 204);
    await b.waitFor(shelf.id, ['DELETED']);
    assert.deepEqual((await b.call('GET', '/image/v2/images?name=gone-shelved-shelved')).body.images, []);
  });

  test('bad bodies are 400, an unknown server 404', async () => {
    const server = await active('bodies');
    const id = server.id;
    const cases: Array<[unknown, string, number]> = [
      [{ resize: {} }, '2.1', 400],
      [{ resize: { flavorRef: '' } }, '2.1', 400],
      [{ resize: { flavorRef: 'nope' } }, '2.1', 400],
      [{ resize: { flavorRef: '2', 'OS-DCF:diskConfig': 'SOMETIMES' } }, '2.1', 400],
      [{ 'os-migrateLive': { host: null, block_migration: 'auto', disk_over_commit: false } }, '2.25', 400],
      [{ evacuate: { onSharedStorage: 'maybe' } }, '2.1', 400],
      [{ unshelve: { availability_zone: null } }, '2.77', 400],
    ];
    for (const [body, version, status] of cases) {
      const res = await action(id, body, version);
      assert.equal(res.status, status, `${JSON.stringify(body)} @${version} -> ${res.status} ${JSON.stringify(res.body)}`);
    }
    assert.equal((await action('00000000-0000-0000-0000-000000000009', { resize: { flavorRef: '2' } })).status, 404);
    await b.compute('DELETE', `/servers/${id}`);
    await b.waitFor(id, ['DELETED']);
  });
});

movesSuite('slow live migrations and delayed offload', {
  'fake_driver.live_migration_seconds': '4', 'DEFAULT.shelved_offload_time': '5', 'DEFAULT.shelved_poll_interval': '1',
}, (h) => {
  const { other, active, usages, held, migrations, migrationIn, waitTask, action } = h;

  async function running(id: string): Promise<any> {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const list = await h.b.compute('GET', `/servers/${id}/migrations`, undefined, '2.80');
      assert.equal(list.status, 200, JSON.stringify(list.body));
      const m = list.body.migrations.find((x: any) => x.status === 'running');
      if (m) return m;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the live migration never ran');
  }

  test('a running live migration is listed and shown, then aborted: the server stays, its allocation comes back', async () => {
    const server = await active('abort-me');
    const id = server.id;
    const src = server['OS-EXT-SRV-ATTR:host'];
    assert.equal((await action(id, { 'os-migrateLive': { host: null, block_migration: 'auto' } }, '2.25')).status, 202);
    const m = await running(id);
    assert.equal(m.server_uuid, id);
    assert.equal(m.source_compute, src);
    assert.equal(typeof m.uuid, 'string');
    assert.equal(typeof m.project_id, 'string');
    const shown = await h.b.compute('GET', `/servers/${id}/migrations/${m.id}`, undefined, '2.23');
    assert.equal(shown.status, 200);
    assert.equal(shown.body.migration.id, m.id);
    assert.equal(shown.body.migration.uuid, undefined);
    assert.equal((await h.b.compute('GET', `/servers/${id}/migrations`, undefined, '2.22')).status, 404);
    assert.equal((await h.b.compute('GET', `/servers/${id}/migrations/999999`, undefined, '2.23')).status, 404);
    assert.equal((await h.b.compute('DELETE', `/servers/${id}/migrations/999999`, undefined, '2.24')).status, 404);
    assert.equal((await h.b.compute('DELETE', `/servers/${id}/migrations/${m.id}`, undefined, '2.23')).status, 404);
    assert.deepEqual(await held(id), { [other(src)]: { VCPU: 1, MEMORY_MB: 512, DISK_GB: 1 } });

    const abort = await h.b.compute('DELETE', `/servers/${id}/migrations/${m.id}`, undefined, '2.24');
    assert.equal(abort.status, 202, JSON.stringify(abort.body));
    const back = await waitTask(id, ['ACTIVE', 'ERROR']);
    assert.equal(back.status, 'ACTIVE');
    assert.equal(back['OS-EXT-SRV-ATTR:host'], src);
    const [done] = await migrations(id);
    assert.equal(done!.data.status, 'cancelled');
    assert.deepEqual(await held(id), { [src]: { VCPU: 1, MEMORY_MB: 512, DISK_GB: 1 } });
    assert.deepEqual(await held(done!.uuid), {});
    assert.deepEqual(await usages(other(src)), {});
    assert.ok(fakeHypervisor(src)!.listInstanceUuids().includes(id));
    assert.deepEqual((await h.b.compute('GET', `/servers/${id}/migrations`, undefined, '2.23')).body.migrations, []);
    const actions = (await h.b.repos.actions.list(id)).map((a) => a.action);
    assert.ok(actions.includes('live_migration_cancel'), actions.join(','));
    const notified = h.b.notifications.filter((n) => n.payload?.['nova_object.data']?.uuid === id).map((n) => n.eventType);
    assert.ok(notified.includes('instance.live_migration_abort.end') && notified.includes('instance.live_migration_rollback.end'), notified.join(','));
    await h.b.compute('DELETE', `/servers/${id}`);
    await h.b.waitFor(id, ['DELETED']);
  });

  test('force_complete ends the copy at once; it needs a running migration', async () => {
    const server = await active('force-me');
    const id = server.id;
    const src = server['OS-EXT-SRV-ATTR:host'];
    assert.equal((await action(id, { 'os-migrateLive': { host: other(src), block_migration: 'auto', force: false } }, '2.30')).status, 202);
    const m = await running(id);
    assert.equal(m.dest_compute, other(src));
    const path = `/servers/${id}/migrations/${m.id}/action`;
    assert.equal((await h.b.compute('POST', path, { force_complete: null }, '2.21')).status, 404);
    assert.equal((await h.b.compute('POST', path, { force_complete: {} }, '2.22')).status, 400);
    const forced = await h.b.compute('POST', path, { force_complete: null }, '2.22');
    assert.equal(forced.status, 202, JSON.stringify(forced.body));
    const moved = await waitTask(id, ['ACTIVE'], (s) => s['OS-EXT-SRV-ATTR:host'] === other(src));
    assert.equal(moved['OS-EXT-SRV-ATTR:host'], other(src));
    await migrationIn(id, 'completed');
    const console = await action(id, { 'os-getConsoleOutput': {} });
    assert.match(console.body.output, /forced to complete/);
    const again = await h.b.compute('POST', path, { force_complete: null }, '2.22');
    assert.equal(again.status, 409, JSON.stringify(again.body));
    await h.b.compute('DELETE', `/servers/${id}`);
    await h.b.waitFor(id, ['DELETED']);
  });

  test('shelve keeps the server on its host until shelved_offload_time; unshelve in place, shelveOffload, the periodic offload', async () => {
    const server = await active('later');
    const id = server.id;
    const src = server['OS-EXT-SRV-ATTR:host'];
    assert.equal((await action(id, { shelve: null })).status, 202);
    let shelved = await waitTask(id, ['SHELVED', 'ERROR']);
    assert.equal(shelved.status, 'SHELVED');
    assert.equal(shelved['OS-EXT-SRV-ATTR:host'], src);
    assert.equal(shelved['OS-EXT-STS:power_state'], 4);
    assert.deepEqual(await held(id), { [src]: { VCPU: 1, MEMORY_MB: 512, DISK_GB: 1 } });
    assert.equal((await action(id, { unshelve: { availability_zone: 'nova' } }, '2.77')).status, 409);
    assert.equal((await action(id, { unshelve: null })).status, 202);
    const back = await waitTask(id, ['ACTIVE', 'ERROR']);
    assert.equal(back.status, 'ACTIVE');
    assert.equal(back['OS-EXT-SRV-ATTR:host'], src);
    assert.equal(back['OS-EXT-STS:power_state'], 1);
    assert.deepEqual((await h.b.call('GET', '/image/v2/images?name=later-shelved')).body.images, []);

    assert.equal((await action(id, { shelve: null })).status, 202);
    await waitTask(id, ['SHELVED']);
    assert.equal((await action(id, { shelveOffload: null })).status, 202);
    shelved = await waitTask(id, ['SHELVED_OFFLOADED', 'ERROR']);
    assert.equal(shelved.status, 'SHELVED_OFFLOADED');
    assert.deepEqual(await held(id), {});
    assert.equal((await action(id, { unshelve: null })).status, 202);
    const placed = await waitTask(id, ['ACTIVE', 'ERROR'], (s) => s.status !== 'SHELVED_OFFLOADED');
    assert.equal(placed.status, 'ACTIVE', JSON.stringify(placed.fault));
    const host = placed['OS-EXT-SRV-ATTR:host'];
    assert.deepEqual(await held(id), { [host]: { VCPU: 1, MEMORY_MB: 512, DISK_GB: 1 } });

    assert.equal((await action(id, { shelve: null })).status, 202);
    await waitTask(id, ['SHELVED']);
    const offloaded = await waitTask(id, ['SHELVED_OFFLOADED']);
    assert.equal(offloaded['OS-EXT-SRV-ATTR:host'], null);
    assert.deepEqual(await held(id), {});
    const actions = (await h.b.repos.actions.list(id)).map((a) => a.action);
    assert.equal(actions.filter((a) => a === 'shelveOffload').length, 2, actions.join(','));
    await h.b.compute('DELETE', `/servers/${id}`);
    await h.b.waitFor(id, ['DELETED']);
  });
});
