import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startCinder, type CinderHarness } from '../testing/cinder-harness.js';

const V = '3.62';

describe('cinder default volume types of projects (3.62)', () => {
  let h: CinderHarness;
  before(async () => { h = await startCinder(); });
  after(async () => { await h?.close(); });

  test('set, show, list, used by creates and by types/default of that project only, unset', async () => {
    const gold = (await h.as(h.admin, 'POST', '/v3/p1/types', { volume_type: { name: 'gold' } })).body.volume_type;
    assert.equal((await h.as(h.admin, 'PUT', '/v3/default-types/p1', { default_type: { volume_type: 'gold' } }, '3.61')).status, 404, 'no such resource before 3.62');
    assert.equal((await h.as(h.member, 'PUT', '/v3/default-types/p1', { default_type: { volume_type: 'gold' } }, V)).status, 403);

    const set = await h.as(h.admin, 'PUT', '/v3/default-types/p1', { default_type: { volume_type: 'gold' } }, V);
    assert.equal(set.status, 200);
    assert.deepEqual(set.body, { default_type: { project_id: 'p1', volume_type_id: gold.id } });
    assert.deepEqual((await h.as(h.admin, 'GET', '/v3/p1/default-types/p1', undefined, V)).body, { default_type: { project_id: 'p1', volume_type_id: gold.id } });
    assert.deepEqual((await h.as(h.admin, 'GET', '/v3/default-types', undefined, V)).body, { default_types: [{ project_id: 'p1', volume_type_id: gold.id }] });
    assert.equal((await h.as(h.member, 'GET', '/v3/default-types', undefined, V)).status, 403);

    // p1's creates without a type and its types/default take gold; p2 keeps __DEFAULT__
    const v1 = await h.as(h.member, 'POST', '/v3/p1/volumes', { volume: { size: 1 } });
    assert.equal(v1.status, 202);
    assert.equal(v1.body.volume.volume_type, 'gold');
    assert.equal((await h.as(h.member, 'GET', '/v3/p1/types/default')).body.volume_type.name, 'gold');
    assert.equal((await h.as(h.other, 'GET', '/v3/p2/types/default')).body.volume_type.name, '__DEFAULT__');
    const v2 = await h.as(h.other, 'POST', '/v3/p2/volumes', { volume: { size: 1 } });
    assert.equal(v2.body.volume.volume_type, '__DEFAULT__');

    // a type that is some project's default cannot be deleted
    const del = await h.as(h.admin, 'DELETE', `/v3/p1/types/${gold.id}`);
    assert.equal(del.status, 400);
    assert.match(del.body.badRequest.message, new RegExp(`The volume type ${gold.id} is a default volume type and cannot be deleted`));

    // replaced by id, then unset
    const silver = (await h.as(h.admin, 'POST', '/v3/p1/types', { volume_type: { name: 'silver' } })).body.volume_type;
    assert.equal((await h.as(h.admin, 'PUT', '/v3/default-types/p1', { default_type: { volume_type: silver.id } }, V)).body.default_type.volume_type_id, silver.id);
    assert.equal((await h.as(h.admin, 'DELETE', '/v3/default-types/p1', undefined, V)).status, 204);
    const gone = await h.as(h.admin, 'GET', '/v3/default-types/p1', undefined, V);
    assert.equal(gone.status, 404);
    assert.equal(gone.body.itemNotFound.message, 'Default type for project p1 not found.');
    assert.equal((await h.as(h.member, 'GET', '/v3/p1/types/default')).body.volume_type.name, '__DEFAULT__');
    assert.equal((await h.as(h.admin, 'DELETE', `/v3/p1/types/${silver.id}`)).status, 202);
    for (const v of [v1.body.volume.id]) await h.waitFor(`/v3/p1/volumes/${v}`, 'volume', 'available');
  });

  test('bad bodies and unknown types are 400s', async () => {
    const put = (body: unknown) => h.as(h.admin, 'PUT', '/v3/default-types/p1', body, V);
    const unknown = await put({ default_type: { volume_type: 'nope' } });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.badRequest.message, 'Volume type nope could not be found.');
    for (const body of [{}, { default_type: {} }, { default_type: { volume_type: 1 } }, { default_type: { volume_type: '' } }, { default_type: { volume_type: 'gold', x: 1 } }, { default_type: 'gold' }]) {
      assert.equal((await put(body)).status, 400, JSON.stringify(body));
    }
  });
});
