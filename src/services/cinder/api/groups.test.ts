import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startCinder, type CinderHarness } from '../testing/cinder-harness.js';

describe('cinder generic groups: group types and specs, groups with volumes, group snapshots, groups from sources', () => {
  let h: CinderHarness;
  before(async () => { h = await startCinder(); });
  after(async () => { await h?.close(); });

  const V = '3.20';
  const get = (path: string, token = h.member) => h.as(token, 'GET', `/v3/p1${path}`, undefined, V);
  const post = (path: string, body: unknown, token = h.member) => h.as(token, 'POST', `/v3/p1${path}`, body, V);
  const waitGroup = async (id: string, status: string): Promise<any> => {
    for (let i = 0; i < 600; i++) {
      const g = await get(`/groups/${id}`);
      if (g.status === 200 && g.body.group.status === status) return g.body.group;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`group ${id} never became ${status}`);
  };

  test('group types: admin CRUD, specs, public filter, in-use types stay; not before 3.11', async () => {
    assert.equal((await h.as(h.admin, 'GET', '/v3/p1/group_types', undefined, '3.10')).status, 404);
    assert.equal((await post('/group_types', { group_type: { name: 'g' } })).status, 403);
    const created = await post('/group_types', { group_type: { name: 'gt1', description: 'd', group_specs: { a: '1' } } }, h.admin);
    assert.equal(created.status, 202);
    const gt = created.body.group_type;
    assert.deepEqual({ name: gt.name, is_public: gt.is_public, group_specs: gt.group_specs }, { name: 'gt1', is_public: true, group_specs: { a: '1' } });
    assert.equal((await post('/group_types', { group_type: { name: 'gt1' } }, h.admin)).status, 409);
    const priv = (await post('/group_types', { group_type: { name: 'gt0', is_public: false } }, h.admin)).body.group_type;
    const names = async (q: string) => (await get(`/group_types${q}`, h.admin)).body.group_types.map((t: any) => t.name);
    assert.deepEqual(await names('?is_public=None&sort=name:asc'), ['gt0', 'gt1']);
    assert.deepEqual(await names('?is_public=false'), ['gt0']);
    assert.deepEqual((await get('/group_types')).body.group_types.map((t: any) => t.name), ['gt1'], 'members see public ones');
    assert.equal((await get(`/group_types/${priv.id}`)).status, 404);
    assert.equal((await h.as(h.admin, 'PUT', `/v3/p1/group_types/${gt.id}`, { group_type: { description: 'new' } }, V)).body.group_type.description, 'new');
    const specs = `/group_types/${gt.id}/group_specs`;
    assert.equal((await post(specs, { group_specs: { b: '2' } }, h.admin)).status, 202);
    assert.deepEqual((await get(specs, h.admin)).body, { group_specs: { a: '1', b: '2' } });
    assert.deepEqual((await h.as(h.admin, 'PUT', `/v3/p1${specs}/b`, { b: '3' }, V)).body, { b: '3' });
    assert.deepEqual((await get(`${specs}/b`, h.admin)).body, { b: '3' });
    assert.equal((await h.as(h.admin, 'DELETE', `/v3/p1${specs}/b`, undefined, V)).status, 202);
    assert.equal((await get(`${specs}/b`, h.admin)).status, 404);
    assert.equal((await get('/group_types/default')).status, 404, 'no default group type configured');
    assert.equal((await h.as(h.admin, 'DELETE', `/v3/p1/group_types/${priv.id}`, undefined, V)).status, 202);
  });

  test('groups: create, volumes join at create and by update, delete with its volumes', async () => {
    const gt = (await post('/group_types', { group_type: { name: 'gt-a' } }, h.admin)).body.group_type;
    const vt = (await post('/types', { volume_type: { name: 'vt-a' } }, h.admin)).body.volume_type;
    assert.equal((await post('/groups', { group: { group_type: gt.id } })).status, 400, 'volume_types is required');
    assert.equal((await post('/groups', { group: { group_type: 'nope', volume_types: [vt.id] } })).status, 404);
    const created = await post('/groups', { group: { name: 'g1', group_type: gt.id, volume_types: [vt.id] } });
    assert.equal(created.status, 202);
    const g = await waitGroup(created.body.group.id, 'available');
    assert.deepEqual(g.volume_types, [vt.id]);
    assert.equal(g.group_type, gt.id);
    const wrongType = await post('/volumes', { volume: { size: 1, group_id: g.id } });
    assert.equal(wrongType.status, 400, 'the default type is not one of the group\'s');
    const v1 = (await post('/volumes', { volume: { size: 1, volume_type: vt.id, group_id: g.id } })).body.volume;
    assert.equal(v1.group_id, g.id);
    await h.waitFor(`/v3/p1/volumes/${v1.id}`, 'volume', 'available');
    const v2 = (await post('/volumes', { volume: { size: 1, volume_type: vt.id } })).body.volume;
    await h.waitFor(`/v3/p1/volumes/${v2.id}`, 'volume', 'available');
    assert.equal((await h.as(h.member, 'DELETE', `/v3/p1/volumes/${v1.id}`)).status, 400, 'a volume in a group cannot go alone');
    assert.equal((await h.as(h.member, 'PUT', `/v3/p1/groups/${g.id}`, { group: {} }, V)).status, 400);
    assert.equal((await h.as(h.member, 'PUT', `/v3/p1/groups/${g.id}`, { group: { name: 'g1b', add_volumes: v2.id } }, V)).status, 202);
    const inGroup = (await get(`/volumes/detail?group_id=${g.id}`)).body.volumes.map((v: any) => v.id).sort();
    assert.deepEqual(inGroup, [v1.id, v2.id].sort());
    assert.equal((await get(`/groups/${g.id}?list_volume=true`)).body.group.volumes, undefined, 'volumes from 3.25');
    assert.deepEqual((await h.as(h.member, 'GET', `/v3/p1/groups/${g.id}?list_volume=true`, undefined, '3.25')).body.group.volumes.sort(), [v1.id, v2.id].sort());
    assert.equal((await h.as(h.member, 'PUT', `/v3/p1/groups/${g.id}`, { group: { remove_volumes: v2.id } }, V)).status, 202);
    assert.equal((await get(`/volumes/${v2.id}`)).body.volume.group_id, null);
    assert.equal((await get('/groups')).body.groups.find((x: any) => x.id === g.id).name, 'g1b');
    assert.equal((await post(`/groups/${g.id}/action`, { delete: {} })).status, 400, 'still has volumes');
    assert.equal((await post(`/groups/${g.id}/action`, { reset_status: { status: 'error' } })).status, 403);
    assert.equal((await post(`/groups/${g.id}/action`, { reset_status: { status: 'error' } }, h.admin)).status, 202);
    assert.equal((await get(`/groups/${g.id}`)).body.group.status, 'error');
    assert.equal((await post(`/groups/${g.id}/action`, { reset_status: { status: 'creating' } }, h.admin)).status, 202);
    assert.equal((await get(`/groups/${g.id}`)).body.group.status, 'creating', 'a status an admin set stays');
    assert.equal((await get(`/groups/${g.id}`)).body.group.status, 'creating');
    assert.equal((await post(`/groups/${g.id}/action`, { reset_status: { status: 'available' } }, h.admin)).status, 202);
    assert.equal((await post(`/groups/${g.id}/action`, { delete: { 'delete-volumes': true } })).status, 202);
    await h.waitGone(`/v3/p1/volumes/${v1.id}`);
    assert.equal((await get(`/groups/${g.id}`)).status, 404);
    assert.equal((await h.as(h.admin, 'DELETE', `/v3/p1/group_types/${gt.id}`, undefined, V)).status, 202, 'no group uses it any more');
    await h.as(h.member, 'DELETE', `/v3/p1/volumes/${v2.id}`);
  });

  test('group snapshots, and groups made from a group snapshot and from a group', async () => {
    const gt = (await post('/group_types', { group_type: { name: 'gt-s' } }, h.admin)).body.group_type;
    const vt = (await post('/types', { volume_type: { name: 'vt-s' } }, h.admin)).body.volume_type;
    const g = (await post('/groups', { group: { group_type: gt.id, volume_types: [vt.name] } })).body.group;
    const v = (await post('/volumes', { volume: { size: 1, volume_type: vt.id, group_id: g.id } })).body.volume;
    await h.waitFor(`/v3/p1/volumes/${v.id}`, 'volume', 'available');
    const created = await post('/group_snapshots', { group_snapshot: { group_id: g.id, name: 'gs1' } });
    assert.equal(created.status, 202);
    const gsId = created.body.group_snapshot.id;
    let gs: any;
    for (let i = 0; i < 600; i++) {
      gs = (await get(`/group_snapshots/${gsId}`)).body.group_snapshot;
      if (gs.status !== 'creating') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(gs.status, 'available');
    assert.equal(gs.group_id, g.id);
    const snaps = (await get('/snapshots/detail')).body.snapshots.filter((s: any) => s.group_snapshot_id === gsId);
    assert.equal(snaps.length, 1);
    assert.equal(snaps[0].volume_id, v.id);
    assert.equal((await h.as(h.member, 'DELETE', `/v3/p1/snapshots/${snaps[0].id}`, undefined, V)).status, 400, 'a group snapshot member cannot go alone');
    assert.ok((await get('/group_snapshots/detail')).body.group_snapshots.some((x: any) => x.id === gsId));
    assert.equal((await post(`/groups/${g.id}/action`, { delete: { 'delete-volumes': true } })).status, 400, 'the group has a group snapshot');

    const fromSnap = await post('/groups/action', { 'create-from-src': { group_snapshot_id: gsId, name: 'g2' } });
    assert.equal(fromSnap.status, 202);
    const g2 = await waitGroup(fromSnap.body.group.id, 'available');
    assert.equal(g2.group_snapshot_id, gsId);
    const g2Volumes = (await get(`/volumes/detail?group_id=${g2.id}`)).body.volumes;
    assert.equal(g2Volumes.length, 1);
    assert.equal(g2Volumes[0].snapshot_id, snaps[0].id);
    assert.equal(g2Volumes[0].status, 'available');
    const fromGroup = await post('/groups/action', { 'create-from-src': { source_group_id: g.id } });
    const g3 = await waitGroup(fromGroup.body.group.id, 'available');
    assert.equal((await get(`/volumes/detail?group_id=${g3.id}`)).body.volumes[0].source_volid, v.id);
    assert.equal((await post('/groups/action', { 'create-from-src': { source_group_id: g.id, group_snapshot_id: gsId } })).status, 400);

    assert.equal((await post(`/group_snapshots/${gsId}/action`, { reset_status: { status: 'creating' } }, h.admin)).status, 202);
    assert.equal((await get(`/group_snapshots/${gsId}`)).body.group_snapshot.status, 'creating', 'a status an admin set stays');
    assert.equal((await post(`/group_snapshots/${gsId}/action`, { reset_status: { status: 'error' } }, h.admin)).status, 202);
    assert.equal((await get(`/group_snapshots/${gsId}`)).body.group_snapshot.status, 'error');
    assert.equal((await h.as(h.member, 'DELETE', `/v3/p1/group_snapshots/${gsId}`, undefined, V)).status, 202);
    await h.waitGone(`/v3/p1/snapshots/${snaps[0].id}`);
    // the group snapshot's row goes after its members' (the volume service deletes them first)
    await h.waitGone(`/v3/p1/group_snapshots/${gsId}`);
    for (const id of [g3.id, g2.id, g.id]) assert.equal((await post(`/groups/${id}/action`, { delete: { 'delete-volumes': true } })).status, 202);
  });
});
