// Deferred delete on a cloud with [DEFAULT] reclaim_instance_interval set (nova's soft delete):
// DELETE /servers/{id} leaves the server SOFT_DELETED and powered off with its ports and
// allocation, out of the server list and of the quota counts; restore brings it back ACTIVE;
// forceDelete deletes it for real; a server never launched is deleted at once; the 404/409/403
// of restore and forceDelete, their instance actions and notifications.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DeferredDeleteManager } from './compute/manager-deferred-delete.js';
import type { Instance } from './objects/index.js';
import { BootCloud } from './testing/boot-cloud.js';

describe('soft delete, restore and forceDelete', () => {
  let b: BootCloud;

  const act = (id: string, body: unknown, version = '2.1') => b.compute('POST', `/servers/${id}/action`, body, version);

  async function active(name = 'vm'): Promise<string> {
    const created = await b.boot({ name });
    assert.equal(created.status, 202, JSON.stringify(created.body));
    const id = created.body.server.id;
    const deadline = Date.now() + 10_000;
    while ((await b.ports(id)).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await b.plugVifs(id);
    assert.equal((await b.waitFor(id, ['ACTIVE', 'ERROR'])).status, 'ACTIVE');
    return id;
  }

  /** The server once it is in `status` with no task. */
  async function settled(id: string, status: string): Promise<any> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const s = await b.waitFor(id, [status]);
      if (s['OS-EXT-STS:task_state'] === null) return s;
      if (Date.now() > deadline) throw new Error(`${id} kept a task in ${status}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  const notified = (id: string, prefix: string) => b.notifications
    .filter((n) => n.payload?.['nova_object.data']?.uuid === id && n.eventType.startsWith(prefix)).map((n) => n.eventType);

  const listed = async (query = ''): Promise<string[]> => (await b.compute('GET', `/servers${query}`)).body.servers.map((s: { id: string }) => s.id);

  before(async () => {
    b = await BootCloud.start({
      'DEFAULT.hosts': 'c1', 'DEFAULT.reclaim_instance_interval': '3600', 'fake_driver.power_seconds': '0.1',
      'quota.instances': '50', 'quota.cores': '50', 'quota.ram': '100000',
    });
  });
  after(async () => { await b?.close(); });

  test('DELETE soft-deletes: SOFT_DELETED, powered off, ports and allocation kept, out of the list; restore brings it back ACTIVE', async () => {
    const id = await active();
    const ports = (await b.ports(id)).map((p) => p.id);
    const allocations = await b.allocations(id);
    assert.equal((await b.compute('DELETE', `/servers/${id}`)).status, 204);
    const soft = await settled(id, 'SOFT_DELETED');
    assert.equal(soft['OS-EXT-STS:vm_state'], 'soft-delete');
    assert.equal(soft['OS-EXT-STS:power_state'], 4);
    assert.deepEqual((await b.ports(id)).map((p) => p.id), ports);
    assert.deepEqual(await b.allocations(id), allocations);
    const row = await b.repos.instances.get(id);
    assert.ok(row.data.deleted_at, 'deleted_at is set');
    assert.equal(row.data.deleted, false);
    assert.deepEqual(notified(id, 'instance.soft_delete'), ['instance.soft_delete.start', 'instance.soft_delete.end']);

    // nova's list: a soft-deleted server is left out unless soft_deleted is asked for; deleted=true includes it
    assert.ok(!(await listed()).includes(id));
    assert.ok(!(await listed('?status=SOFT_DELETED')).includes(id));
    assert.ok((await listed('?soft_deleted=true')).includes(id));
    assert.ok((await listed('?deleted=true')).includes(id));

    assert.equal((await act(id, { restore: null })).status, 202);
    const back = await settled(id, 'ACTIVE');
    assert.equal(back['OS-EXT-STS:power_state'], 1);
    assert.equal((await b.repos.instances.get(id)).data.deleted_at, null);
    assert.deepEqual(notified(id, 'instance.restore'), ['instance.restore.start', 'instance.restore.end']);
    assert.ok((await listed()).includes(id));

    const actions = (await b.compute('GET', `/servers/${id}/os-instance-actions`)).body.instanceActions.map((a: { action: string }) => a.action);
    assert.deepEqual(actions, ['restore', 'delete', 'create']);
    const [restore] = await b.repos.actions.list(id);
    assert.deepEqual((await b.repos.actions.events(restore!.id)).map((e) => [e.event, e.result]), [['compute_restore_instance', 'Success']]);
    const [, del] = await b.repos.actions.list(id);
    assert.deepEqual((await b.repos.actions.events(del!.id)).map((e) => [e.event, e.result]), [['compute_soft_delete_instance', 'Success']]);
  });

  test('forceDelete deletes a soft-deleted server for real: ports and allocation go', async () => {
    const id = await active();
    assert.equal((await b.compute('DELETE', `/servers/${id}`)).status, 204);
    await settled(id, 'SOFT_DELETED');
    assert.equal((await act(id, { forceDelete: null })).status, 202);
    await b.waitFor(id, ['DELETED']);
    assert.deepEqual(await b.ports(id), []);
    assert.deepEqual(await b.allocations(id), {});
    assert.deepEqual(notified(id, 'instance.delete'), ['instance.delete.start', 'instance.delete.end']);
    // gone: restore and forceDelete are 404s
    assert.equal((await act(id, { restore: null })).status, 404);
    assert.equal((await act(id, { forceDelete: null })).status, 404);
  });

  test('restore of a server not SOFT_DELETED is a 409, of an unknown one a 404; a locked server is a 409 for its owner', async () => {
    const id = await active();
    const wrong = await act(id, { restore: null });
    assert.equal(wrong.status, 409);
    assert.equal(wrong.body.conflictingRequest.message, `Cannot 'restore' instance ${id} while it is in vm_state active`);
    assert.equal((await act('9f0b1c2d-0000-4000-8000-000000000000', { restore: null })).status, 404);
    assert.equal((await act(id, { restore: { extra: 1 } })).status, 409, 'the body of restore is not validated (nova: no schema)');

    const user = await b.projectUserToken('dd-lock');
    const own = await b.computeAs(user.token, 'POST', '/servers', { server: { name: 'mine', imageRef: b.imageId, flavorRef: '1', networks: 'none' } }, '2.37');
    assert.equal(own.status, 202, JSON.stringify(own.body));
    const mine = own.body.server.id;
    await b.waitFor(mine, ['ACTIVE']);
    assert.equal((await b.computeAs(user.token, 'POST', `/servers/${mine}/action`, { lock: null })).status, 202);
    const locked = await b.computeAs(user.token, 'POST', `/servers/${mine}/action`, { forceDelete: null });
    assert.equal(locked.status, 409);
    assert.match(locked.body.conflictingRequest.message, /locked/);
    assert.equal((await b.computeAs(user.token, 'DELETE', `/servers/${mine}`)).status, 409);
    assert.equal((await b.computeAs(user.token, 'POST', `/servers/${mine}/action`, { unlock: null })).status, 202);
    assert.equal((await b.computeAs(user.token, 'POST', `/servers/${mine}/action`, { forceDelete: null })).status, 202);
    await b.waitFor(mine, ['DELETED']);
  });

  test('a server never launched is deleted at once, not soft-deleted', async () => {
    const id = await active();
    await b.repos.instances.save(id, { launched_at: null });
    assert.equal((await b.compute('DELETE', `/servers/${id}`)).status, 204);
    await b.waitFor(id, ['DELETED']);
    assert.deepEqual(notified(id, 'instance.soft_delete'), []);
  });

  test('a soft-deleted server does not count against the quota; restoring it over quota is a 403', async () => {
    const user = await b.projectUserToken('dd-quota');
    assert.equal((await b.compute('PUT', `/os-quota-sets/${user.projectId}`, { quota_set: { instances: 1 } })).status, 200);
    const boot = (name: string) => b.computeAs(user.token, 'POST', '/servers', { server: { name, imageRef: b.imageId, flavorRef: '1', networks: 'none' } }, '2.37');
    const first = await boot('first');
    assert.equal(first.status, 202);
    const a = first.body.server.id;
    await b.waitFor(a, ['ACTIVE']);
    assert.equal((await boot('over')).status, 403);
    assert.equal((await b.computeAs(user.token, 'DELETE', `/servers/${a}`)).status, 204);
    await settled(a, 'SOFT_DELETED');
    const usage = (await b.computeAs(user.token, 'GET', '/limits')).body.limits.absolute;
    assert.equal(usage.totalInstancesUsed, 0);
    const second = await boot('second');
    assert.equal(second.status, 202, JSON.stringify(second.body));
    await b.waitFor(second.body.server.id, ['ACTIVE']);
    const over = await b.computeAs(user.token, 'POST', `/servers/${a}/action`, { restore: null });
    assert.equal(over.status, 403);
    assert.match(over.body.forbidden.message, /Quota exceeded for instances/);
    assert.equal((await b.computeAs(user.token, 'POST', `/servers/${second.body.server.id}/action`, { forceDelete: null })).status, 202);
    await b.waitFor(second.body.server.id, ['DELETED']);
    assert.equal((await b.computeAs(user.token, 'POST', `/servers/${a}/action`, { restore: null })).status, 202);
    await settled(a, 'ACTIVE');
  });
});

describe('the reclaim of soft-deleted servers (_reclaim_queued_deletes)', () => {
  let b: BootCloud;
  before(async () => { b = await BootCloud.start({ 'DEFAULT.hosts': 'c1', 'DEFAULT.reclaim_instance_interval': '1' }); });
  after(async () => { await b?.close(); });

  test('a server soft-deleted longer than the interval ago is deleted by its host, ports and allocation with it', async () => {
    const created = await b.boot();
    const id = created.body.server.id;
    const deadline = Date.now() + 10_000;
    while ((await b.ports(id)).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await b.plugVifs(id);
    await b.waitFor(id, ['ACTIVE']);
    assert.equal((await b.compute('DELETE', `/servers/${id}`)).status, 204);
    const seen = await b.waitFor(id, ['SOFT_DELETED', 'DELETED']);
    assert.equal(seen?.status, 'SOFT_DELETED', 'soft-deleted first');
    await b.waitFor(id, ['DELETED'], 10_000);
    assert.deepEqual(await b.ports(id), []);
    assert.deepEqual(await b.allocations(id), {});
    const gone = await b.repos.instances.get(id, { readDeleted: true });
    assert.equal(gone.data.vm_state, 'deleted');
  });

  test('_deleted_old_enough: no deleted_at, or one at least the interval ago', () => {
    const at = (deletedAt: string | null) => ({ data: { deleted_at: deletedAt } }) as unknown as Instance;
    const now = Date.parse('2026-01-01T00:01:00Z');
    assert.equal(DeferredDeleteManager.deletedOldEnough(at(null), 60, now), true);
    assert.equal(DeferredDeleteManager.deletedOldEnough(at('2026-01-01T00:00:00Z'), 60, now), true);
    assert.equal(DeferredDeleteManager.deletedOldEnough(at('2026-01-01T00:00:01Z'), 60, now), false);
    assert.equal(DeferredDeleteManager.deletedOldEnough(at('2026-01-01T00:00:00.000000'), 60, now), true);
  });
});

describe('the deferred delete policies', () => {
  let b: BootCloud;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nova-dd-policy-'));
    writeFileSync(join(dir, 'policy.yaml'), '"os_compute_api:os-deferred-delete:restore": "!"\n"os_compute_api:os-deferred-delete:force": "!"\n');
    b = await BootCloud.start({ 'DEFAULT.hosts': 'c1', 'DEFAULT.reclaim_instance_interval': '3600', 'oslo_policy.policy_file': join(dir, 'policy.yaml') });
  });
  after(async () => {
    await b?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('restore follows os-deferred-delete:restore and forceDelete os-deferred-delete:force', async () => {
    const created = await b.boot();
    const id = created.body.server.id;
    const deadline = Date.now() + 10_000;
    while ((await b.ports(id)).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await b.plugVifs(id);
    await b.waitFor(id, ['ACTIVE']);
    assert.equal((await b.compute('DELETE', `/servers/${id}`)).status, 204);
    await b.waitFor(id, ['SOFT_DELETED']);
    for (const [action, rule] of [['restore', 'restore'], ['forceDelete', 'force']] as const) {
      const denied = await b.compute('POST', `/servers/${id}/action`, { [action]: null });
      assert.equal(denied.status, 403, action);
      assert.equal(denied.body.forbidden.message, `Policy doesn't allow os_compute_api:os-deferred-delete:${rule} to be performed.`);
    }
    assert.equal((await b.waitFor(id, ['SOFT_DELETED'])).status, 'SOFT_DELETED');
  });
});
