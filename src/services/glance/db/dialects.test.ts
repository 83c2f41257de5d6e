// The image service's SQL on every dialect, through the API: create with properties and tags,
// PATCH, list filters/sorting/pagination/time filters, members and visibility, data upload and
// its usage counts, the import lock, soft delete. PostgreSQL and MySQL/MariaDB run when
// NUBO_TEST_POSTGRES_URL / NUBO_TEST_MYSQL_URL are set.
import assert from 'node:assert/strict';
import { describe, test } from '../../../common/testing/node-test.js';
import { TEST_DIALECTS } from '../../../common/db/testing/dialects.js';
import { raw } from '../format/test-images.js';
import { startTestGlance } from '../testing/harness.js';

for (const dialect of TEST_DIALECTS) {
  describe(`image service SQL on ${dialect.dialect}`, { skip: dialect.skip }, () => {
    test('records, lists, members, data, quotas and delete', async () => {
      const { target, cleanup } = await dialect.fresh('glance');
      const g = await startTestGlance({ 'image_quota.image_count_total': '20' }, { target });
      try {
        g.token('a', { project: 'pa', roles: ['member', 'reader'] });
        g.token('b', { project: 'pb', roles: ['member', 'reader'] });
        const call = async (token: string, method: string, url: string, json?: unknown, data?: Buffer, ct?: string) => {
          const res = await g.app.inject({
            method: method as 'GET', url: `/image${url}`,
            headers: { 'x-auth-token': token, ...(json !== undefined ? { 'content-type': ct ?? 'application/json' } : {}), ...(data ? { 'content-type': 'application/octet-stream' } : {}) },
            ...(json !== undefined ? { payload: JSON.stringify(json) } : data ? { payload: data } : {}),
          });
          return { status: res.statusCode, body: (() => { try { return res.json(); } catch { return undefined; } })(), raw: res.rawPayload };
        };
        const ids: string[] = [];
        for (let i = 0; i < 4; i++) {
          const r = await call('a', 'POST', '/v2/images', { name: `n${i}`, disk_format: 'raw', container_format: 'bare', tags: [`t${i}`, 'common'], k: `v${i % 2}` });
          assert.equal(r.status, 201);
          ids.push(r.body.id);
        }
        const p = await call('a', 'PATCH', `/v2/images/${ids[0]}`, [{ op: 'replace', path: '/name', value: 'zz' }, { op: 'add', path: '/x', value: 'y' }], undefined, 'application/openstack-images-v2.1-json-patch');
        assert.equal(p.status, 200);
        assert.deepEqual((await call('a', 'GET', `/v2/images/${ids[0]}`)).body.tags.sort(), ['common', 't0']);
        const names = async (qs: string) => (await call('a', 'GET', `/v2/images${qs}`)).body.images.map((i: any) => i.name);
        assert.deepEqual(await names('?sort=name:asc'), ['n1', 'n2', 'n3', 'zz']);
        assert.deepEqual(await names('?k=v1&sort_key=name&sort_dir=desc'), ['n3', 'n1']);
        assert.deepEqual(await names('?tag=common&tag=t2'), ['n2']);
        assert.deepEqual(await names('?name=in:n1,"n2"&sort=name:asc'), ['n1', 'n2']);
        assert.deepEqual(await names('?created_at=lt:2000-01-01T00:00:00Z'), []);
        assert.equal((await names('?created_at=gte:2000-01-01T00:00:00Z')).length, 4);
        const page1 = (await call('a', 'GET', '/v2/images?limit=3&sort=name:asc')).body;
        assert.equal(page1.images.length, 3);
        const page2 = (await call('a', 'GET', page1.next)).body;
        assert.deepEqual(page2.images.map((i: any) => i.name), ['zz']);

        assert.equal((await call('a', 'POST', `/v2/images/${ids[1]}/members`, { member: 'pb' })).status, 200);
        assert.equal((await call('a', 'POST', `/v2/images/${ids[1]}/members`, { member: 'pb' })).status, 409);
        assert.deepEqual((await call('b', 'GET', '/v2/images')).body.images, []);
        assert.equal((await call('b', 'PUT', `/v2/images/${ids[1]}/members/pb`, { status: 'accepted' })).status, 200);
        assert.deepEqual((await call('b', 'GET', '/v2/images')).body.images.map((i: any) => i.id), [ids[1]]);

        const data = raw(100_000);
        assert.equal((await call('a', 'PUT', `/v2/images/${ids[2]}/file`, undefined, data)).status, 204);
        assert.ok((await call('a', 'GET', `/v2/images/${ids[2]}/file`)).raw.equals(data));
        assert.equal((await call('a', 'GET', '/v2/images?size_min=100000&size_max=100000')).body.images[0].id, ids[2]);
        const usage = (await call('a', 'GET', '/v2/info/usage')).body.usage;
        assert.deepEqual(usage.image_count_total, { usage: 4, limit: 20 });

        assert.equal((await call('a', 'PUT', `/v2/images/${ids[3]}/stage`, undefined, data)).status, 204);
        assert.equal((await call('a', 'POST', `/v2/images/${ids[3]}/import`, { method: { name: 'glance-direct' } })).status, 202);
        await g.service.drain();
        assert.equal((await call('a', 'GET', `/v2/images/${ids[3]}`)).body.status, 'active');

        assert.equal((await call('a', 'DELETE', `/v2/images/${ids[2]}`)).status, 204);
        assert.equal((await call('a', 'GET', `/v2/images/${ids[2]}`)).status, 404);
        assert.equal((await call('a', 'POST', '/v2/images', { id: ids[2] })).status, 409);
      } finally {
        await g.close();
        await cleanup();
      }
    });
  });
}
