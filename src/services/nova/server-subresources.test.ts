// Per-server sub-resources as clients see them, on a cloud that boots for real: metadata,
// tags (2.26), the server password; bad input, locked and unsettled servers, another
// project's server (404) and the metadata_items quota.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { storePassword } from './metadata/password.js';
import { BootCloud } from './testing/boot-cloud.js';

describe('server sub-resources', () => {
  let b: BootCloud;
  let id = '';
  let other: { token: string; projectId: string };

  before(async () => {
    b = await BootCloud.start({ 'DEFAULT.hosts': 'c1', 'quota.metadata_items': '4' });
    const created = await b.boot({ name: 'subres', metadata: { a: '1' } });
    assert.equal(created.status, 202, JSON.stringify(created.body));
    id = created.body.server.id;
    const deadline = Date.now() + 10_000;
    while ((await b.ports(id)).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await b.plugVifs(id);
    await b.waitFor(id, ['ACTIVE']);
    other = await b.projectUserToken('other');
  });
  after(async () => { await b?.close(); });

  /** Run `fn` while the server is in `changes`, then put it back. */
  async function whileIn(changes: Record<string, unknown>, fn: () => Promise<void>): Promise<void> {
    await b.repos.instances.save(id, changes);
    try { await fn(); } finally { await b.repos.instances.save(id, { locked: false, vm_state: 'active', task_state: null }); }
  }

  describe('metadata', () => {
    test('list, create (merge), show, update one, replace all, delete', async () => {
      assert.deepEqual((await b.compute('GET', `/servers/${id}/metadata`)).body, { metadata: { a: '1' } });
      const created = await b.compute('POST', `/servers/${id}/metadata`, { metadata: { b: '2', 'x:y.z': 'w' } });
      assert.equal(created.status, 200);
      assert.deepEqual(created.body, { metadata: { a: '1', b: '2', 'x:y.z': 'w' } });
      assert.deepEqual((await b.compute('GET', `/servers/${id}/metadata/x:y.z`)).body, { meta: { 'x:y.z': 'w' } });
      const one = await b.compute('PUT', `/servers/${id}/metadata/b`, { meta: { b: 'two' } });
      assert.equal(one.status, 200);
      assert.deepEqual(one.body, { meta: { b: 'two' } });
      const all = await b.compute('PUT', `/servers/${id}/metadata`, { metadata: { c: '3', b: 'two' } });
      assert.deepEqual(all.body, { metadata: { c: '3', b: 'two' } });
      assert.deepEqual((await b.compute('GET', `/servers/${id}`)).body.server.metadata, { b: 'two', c: '3' });
      const del = await b.compute('DELETE', `/servers/${id}/metadata/c`);
      assert.equal(del.status, 204);
      assert.deepEqual((await b.compute('GET', `/servers/${id}/metadata`)).body, { metadata: { b: 'two' } });
      const gone = await b.compute('DELETE', `/servers/${id}/metadata/c`);
      assert.equal(gone.status, 404);
      assert.equal(gone.body.itemNotFound.message, 'Metadata item was not found');
      assert.equal((await b.compute('GET', `/servers/${id}/metadata/nope`)).status, 404);
    });

    test('bad input is a 400', async () => {
      for (const body of [
        { metadata: { '': 'x' } }, { metadata: { ['k'.repeat(256)]: 'x' } }, { metadata: { k: 'v'.repeat(256) } }, { metadata: { k: 1 } },
        { metadata: 'x' }, { meta: { k: 'v' } }, {}, { metadata: { 'a/b': 'x' } },
      ]) {
        const res = await b.compute('POST', `/servers/${id}/metadata`, body);
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.ok(res.body.badRequest.message, JSON.stringify(res.body));
      }
      const mismatch = await b.compute('PUT', `/servers/${id}/metadata/k`, { meta: { other: 'v' } });
      assert.equal(mismatch.status, 400);
      assert.equal(mismatch.body.badRequest.message, 'Request body and URI mismatch');
      assert.equal((await b.compute('PUT', `/servers/${id}/metadata/k`, { meta: { k: 'v', l: 'w' } })).status, 400);
      assert.equal((await b.compute('PUT', `/servers/${id}/metadata/k`, { meta: {} })).status, 400);
    });

    test('more items than [quota] metadata_items is a 403', async () => {
      const res = await b.compute('PUT', `/servers/${id}/metadata`, { metadata: { a: '1', b: '2', c: '3', d: '4', e: '5' } });
      assert.equal(res.status, 403);
      assert.equal(res.body.forbidden.message, 'Maximum number of metadata items exceeds 4');
      const merge = await b.compute('POST', `/servers/${id}/metadata`, { metadata: { a: '1', c: '3', d: '4', e: '5' } });
      assert.equal(merge.status, 403, 'b is already there: five in all');
      assert.equal((await b.compute('PUT', `/servers/${id}/metadata`, { metadata: { a: '1', b: '2', c: '3', d: '4' } })).status, 200);
    });

    test('a locked server is a 409 for its owner; an unsettled one for everyone', async () => {
      const member = await b.projectUserToken('owner');
      const created = await b.computeAs(member.token, 'POST', '/servers', {
        server: { name: 'owned', imageRef: b.imageId, flavorRef: '1', networks: 'none' },
      }, '2.37');
      assert.equal(created.status, 202, JSON.stringify(created.body));
      const owned = created.body.server.id;
      await b.waitFor(owned, ['ACTIVE']);
      await b.repos.instances.save(owned, { locked: true });
      const locked = await b.computeAs(member.token, 'POST', `/servers/${owned}/metadata`, { metadata: { k: 'v' } });
      assert.equal(locked.status, 409);
      assert.equal(locked.body.conflictingRequest.message, `Instance ${owned} is locked`);
      assert.equal((await b.computeAs(member.token, 'DELETE', `/servers/${owned}/metadata/k`)).status, 404);
      assert.equal((await b.compute('POST', `/servers/${owned}/metadata`, { metadata: { k: 'v' } })).status, 200, 'an admin may');
      assert.equal((await b.computeAs(member.token, 'DELETE', `/servers/${owned}/metadata/k`)).status, 409);
      await whileIn({ task_state: 'rebooting' }, async () => {
        const busy = await b.compute('POST', `/servers/${id}/metadata`, { metadata: { k: 'v' } });
        assert.equal(busy.status, 409);
        assert.equal(busy.body.conflictingRequest.message, `Cannot 'update metadata' instance ${id} while it is in task_state rebooting`);
      });
      await whileIn({ vm_state: 'error' }, async () => {
        assert.equal((await b.compute('DELETE', `/servers/${id}/metadata/a`)).status, 409);
      });
    });

    test("another project's server is a 404; an unknown server is a 404", async () => {
      assert.equal((await b.computeAs(other.token, 'GET', `/servers/${id}/metadata`)).status, 404);
      assert.equal((await b.computeAs(other.token, 'POST', `/servers/${id}/metadata`, { metadata: { k: 'v' } })).status, 404);
      assert.equal((await b.compute('GET', '/servers/00000000-0000-0000-0000-000000000000/metadata')).status, 404);
    });
  });

  describe('tags (2.26)', () => {
    const v = '2.26';
    test('not there before 2.26', async () => {
      assert.equal((await b.compute('GET', `/servers/${id}/tags`, undefined, '2.25')).status, 404);
      assert.equal((await b.compute('PUT', `/servers/${id}/tags/x`, undefined, '2.25')).status, 404);
    });

    test('add one (201 with Location, then 204), check, list, replace, delete one, delete all', async () => {
      const added = await b.compute('PUT', `/servers/${id}/tags/red`, undefined, v);
      assert.equal(added.status, 201);
      assert.equal((await b.compute('PUT', `/servers/${id}/tags/red`, undefined, v)).status, 204);
      assert.equal((await b.compute('GET', `/servers/${id}/tags/red`, undefined, v)).status, 204);
      const missing = await b.compute('GET', `/servers/${id}/tags/blue`, undefined, v);
      assert.equal(missing.status, 404);
      assert.equal(missing.body.itemNotFound.message, `Server ${id} has no tag 'blue'`);
      const all = await b.compute('PUT', `/servers/${id}/tags`, { tags: ['b', 'a', 'b'] }, v);
      assert.equal(all.status, 200);
      assert.deepEqual(all.body, { tags: ['a', 'b'] });
      assert.deepEqual((await b.compute('GET', `/servers/${id}/tags`, undefined, v)).body, { tags: ['a', 'b'] });
      assert.deepEqual((await b.compute('GET', `/servers/${id}`, undefined, v)).body.server.tags, ['a', 'b']);
      assert.deepEqual((await b.compute('GET', '/servers?tags=a', undefined, v)).body.servers.map((s: any) => s.id), [id]);
      assert.deepEqual((await b.compute('GET', '/servers?not-tags=a,b', undefined, v)).body.servers, []);
      assert.deepEqual((await b.compute('GET', '/servers?tags-any=zz,b', undefined, v)).body.servers.length, 1);
      assert.deepEqual((await b.compute('GET', '/servers?not-tags-any=zz', undefined, v)).body.servers.length, 1);
      assert.equal((await b.compute('DELETE', `/servers/${id}/tags/a`, undefined, v)).status, 204);
      const again = await b.compute('DELETE', `/servers/${id}/tags/a`, undefined, v);
      assert.equal(again.status, 404);
      assert.equal(again.body.itemNotFound.message, `Instance ${id} has no tag 'a'`);
      assert.equal((await b.compute('DELETE', `/servers/${id}/tags`, undefined, v)).status, 204);
      assert.deepEqual((await b.compute('GET', `/servers/${id}/tags`, undefined, v)).body, { tags: [] });
    });

    test('bad tags and too many tags are a 400', async () => {
      const comma = await b.compute('PUT', `/servers/${id}/tags/a%2Cb`, undefined, v);
      assert.equal(comma.status, 400);
      assert.match(comma.body.badRequest.message, /^Tag 'a,b' is invalid\. It must be a non empty string without characters '\/' and ','/);
      assert.equal((await b.compute('PUT', `/servers/${id}/tags/${'t'.repeat(61)}`, undefined, v)).status, 400);
      assert.equal((await b.compute('PUT', `/servers/${id}/tags/ok`, { x: 1 }, v)).status, 400);
      for (const body of [{ tags: ['a/b'] }, { tags: [''] }, { tags: 'a' }, { tags: Array.from({ length: 51 }, (_, i) => `t${i}`) }, {}]) {
        assert.equal((await b.compute('PUT', `/servers/${id}/tags`, body, v)).status, 400, JSON.stringify(body).slice(0, 40));
      }
      const fifty = Array.from({ length: 50 }, (_, i) => `t${i}`);
      assert.equal((await b.compute('PUT', `/servers/${id}/tags`, { tags: fifty }, v)).status, 200);
      const over = await b.compute('PUT', `/servers/${id}/tags/one-more`, undefined, v);
      assert.equal(over.status, 400);
      assert.equal(over.body.badRequest.message, 'The number of tags exceeded the per-server limit 50');
      assert.equal((await b.compute('DELETE', `/servers/${id}/tags`, undefined, v)).status, 204);
    });

    test('a server not settled is a 409; another project cannot see them', async () => {
      await whileIn({ vm_state: 'building' }, async () => {
        const res = await b.compute('PUT', `/servers/${id}/tags/x`, undefined, v);
        assert.equal(res.status, 409);
        assert.equal(res.body.conflictingRequest.message, `Cannot 'update tag' instance ${id} while it is in vm_state building`);
        assert.equal((await b.compute('DELETE', `/servers/${id}/tags`, undefined, v)).status, 409);
        assert.equal((await b.compute('GET', `/servers/${id}/tags`, undefined, v)).status, 200);
      });
      assert.equal((await b.computeAs(other.token, 'GET', `/servers/${id}/tags`, undefined, v)).status, 404);
      assert.equal((await b.computeAs(other.token, 'PUT', `/servers/${id}/tags/x`, undefined, v)).status, 404);
    });
  });

  describe('os-server-password', () => {
    test("'' when none; the stored chunks when the guest posted one; cleared by DELETE", async () => {
      assert.deepEqual((await b.compute('GET', `/servers/${id}/os-server-password`)).body, { password: '' });
      const secret = 'p'.repeat(300) + 'q'.repeat(100);
      await storePassword(b.repos.metadata, await b.repos.instances.get(id), secret);
      const sys = await b.repos.metadata.get(id, 'instance_system_metadata');
      assert.equal(sys['password_0']!.length, 255);
      assert.equal(sys['password_1']!.length, 145);
      assert.equal(sys['password_2'], '');
      assert.deepEqual((await b.compute('GET', `/servers/${id}/os-server-password`)).body, { password: secret });
      assert.equal((await b.computeAs(other.token, 'GET', `/servers/${id}/os-server-password`)).status, 404);
      assert.equal((await b.computeAs(other.token, 'DELETE', `/servers/${id}/os-server-password`)).status, 404);
      assert.equal((await b.compute('DELETE', `/servers/${id}/os-server-password`)).status, 204);
      assert.deepEqual((await b.compute('GET', `/servers/${id}/os-server-password`)).body, { password: '' });
    });
  });
});
