import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestGlance, type TestGlance } from '../testing/harness.js';

let g: TestGlance;
const PATCH = { 'content-type': 'application/openstack-images-v2.1-json-patch' };

before(async () => {
  g = await startTestGlance({ 'image.image_member_quota': '3' });
  g.token('owner', { project: 'p-owner', roles: ['member', 'reader'] });
  g.token('alt', { project: 'p-alt', roles: ['member', 'reader'] });
  g.token('third', { project: 'p-third', roles: ['member', 'reader'] });
  g.token('admin', { project: 'p-admin', roles: ['admin', 'member', 'reader'] });
});
after(() => g.close());

async function call(method: string, url: string, token: string, json?: unknown, headers: Record<string, string> = {}) {
  const res = await g.app.inject({
    method: method as 'GET', url: `/image${url}`,
    headers: { 'x-auth-token': token, ...(json !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(json !== undefined ? { payload: JSON.stringify(json) } : {}),
  });
  let body: any;
  try { body = res.json(); } catch { body = undefined; }
  return { status: res.statusCode, body, text: res.body };
}

async function image(token: string, extra: Record<string, unknown> = {}): Promise<string> {
  const r = await call('POST', '/v2/images', token, { name: 'shared', disk_format: 'raw', container_format: 'bare', ...extra });
  assert.equal(r.status, 201, r.text);
  return r.body.id;
}

const ids = async (token: string, qs = '') => (await call('GET', `/v2/images${qs}`, token)).body.images.map((i: any) => i.id);

describe('image members', () => {
  test('share, list pending, accept: the image then appears in the member list', async () => {
    const id = await image('owner');
    const add = await call('POST', `/v2/images/${id}/members`, 'owner', { member: 'p-alt' });
    assert.equal(add.status, 200, add.text);
    assert.deepEqual(Object.keys(add.body).sort(), ['created_at', 'image_id', 'member_id', 'schema', 'status', 'updated_at']);
    assert.equal(add.body.status, 'pending');
    assert.equal(add.body.schema, '/v2/schemas/member');
    assert.equal(g.notifications.at(-1)?.eventType, 'image.member.create');

    assert.ok(!(await ids('alt')).includes(id), 'pending images are not listed by default');
    assert.ok((await ids('alt', '?member_status=pending&visibility=shared')).includes(id));
    assert.ok((await ids('alt', '?member_status=all')).includes(id));
    assert.equal((await call('GET', `/v2/images/${id}`, 'alt')).status, 200, 'members may show the image in any status');

    const accept = await call('PUT', `/v2/images/${id}/members/p-alt`, 'alt', { status: 'accepted' });
    assert.equal(accept.status, 200, accept.text);
    assert.equal(accept.body.status, 'accepted');
    assert.ok((await ids('alt')).includes(id));

    const list = await call('GET', `/v2/images/${id}/members`, 'owner');
    assert.equal(list.body.schema, '/v2/schemas/members');
    assert.deepEqual(list.body.members.map((m: any) => [m.member_id, m.status]), [['p-alt', 'accepted']]);
    assert.equal((await call('GET', `/v2/images/${id}/members/p-alt`, 'owner')).body.status, 'accepted');
  });

  test('rejected images stay out of the member list', async () => {
    const id = await image('owner');
    await call('POST', `/v2/images/${id}/members`, 'owner', { member: 'p-alt' });
    assert.equal((await call('PUT', `/v2/images/${id}/members/p-alt`, 'alt', { status: 'rejected' })).status, 200);
    assert.ok(!(await ids('alt')).includes(id));
    assert.ok((await ids('alt', '?member_status=rejected')).includes(id));
  });

  test('the owner cannot accept for the member; bad status is 400', async () => {
    const id = await image('owner');
    await call('POST', `/v2/images/${id}/members`, 'owner', { member: 'p-alt' });
    assert.equal((await call('PUT', `/v2/images/${id}/members/p-alt`, 'owner', { status: 'accepted' })).status, 403);
    assert.equal((await call('PUT', `/v2/images/${id}/members/p-alt`, 'alt', { status: 'bogus' })).status, 400);
    assert.equal((await call('PUT', `/v2/images/${id}/members/p-alt`, 'alt', {})).status, 400);
  });

  test('a member sees only its own membership and cannot change others', async () => {
    const id = await image('owner');
    await call('POST', `/v2/images/${id}/members`, 'owner', { member: 'p-alt' });
    await call('POST', `/v2/images/${id}/members`, 'owner', { member: 'p-third' });
    const seen = await call('GET', `/v2/images/${id}/members`, 'alt');
    assert.deepEqual(seen.body.members.map((m: any) => m.member_id), ['p-alt']);
    assert.equal((await call('GET', `/v2/images/${id}/members/p-third`, 'alt')).status, 404);
    assert.equal((await call('PUT', `/v2/images/${id}/members/p-third`, 'alt', { status: 'accepted' })).status, 404);
    assert.equal((await call('DELETE', `/v2/images/${id}/members/p-alt`, 'alt')).status, 403);
  });

  test('remove: the image leaves the former member', async () => {
    const id = await image('owner');
    await call('POST', `/v2/images/${id}/members`, 'owner', { member: 'p-alt' });
    await call('PUT', `/v2/images/${id}/members/p-alt`, 'alt', { status: 'accepted' });
    assert.equal((await call('DELETE', `/v2/images/${id}/members/p-alt`, 'owner')).status, 204);
    assert.ok(!(await ids('alt')).includes(id));
    assert.equal((await call('GET', `/v2/images/${id}`, 'alt')).status, 404);
    assert.equal((await call('DELETE', `/v2/images/${id}/members/p-alt`, 'owner')).status, 404);
  });

  test('only shared images have members; duplicates, empty bodies and the member quota', async () => {
    const priv = await image('owner', { visibility: 'private' });
    assert.equal((await call('POST', `/v2/images/${priv}/members`, 'owner', { member: 'p-alt' })).status, 403);
    assert.equal((await call('GET', `/v2/images/${priv}/members`, 'owner')).status, 403);
    const id = await image('owner');
    assert.equal((await call('POST', `/v2/images/${id}/members`, 'owner', {})).status, 400);
    assert.equal((await call('POST', `/v2/images/${id}/members`, 'owner', { member: '' })).status, 400);
    assert.equal((await call('POST', `/v2/images/${id}/members`, 'owner', { member: 'p-alt' })).status, 200);
    assert.equal((await call('POST', `/v2/images/${id}/members`, 'owner', { member: 'p-alt' })).status, 409);
    await call('POST', `/v2/images/${id}/members`, 'owner', { member: 'm2' });
    await call('POST', `/v2/images/${id}/members`, 'owner', { member: 'm3' });
    assert.equal((await call('POST', `/v2/images/${id}/members`, 'owner', { member: 'm4' })).status, 413);
  });

  test('non-members cannot add members or see the shared image', async () => {
    const id = await image('owner');
    assert.equal((await call('POST', `/v2/images/${id}/members`, 'third', { member: 'p-third' })).status, 404);
    assert.equal((await call('GET', `/v2/images/${id}`, 'third')).status, 404);
  });
});

describe('visibility', () => {
  test('public images are listed for everyone; community only with visibility=community', async () => {
    const pub = await image('admin', { visibility: 'public' });
    const com = await image('owner', { visibility: 'community' });
    assert.ok((await ids('alt')).includes(pub));
    assert.ok(!(await ids('alt')).includes(com));
    assert.ok((await ids('alt', '?visibility=community')).includes(com));
    assert.ok((await ids('owner')).includes(com), 'the owner sees its community image');
    assert.equal((await call('GET', `/v2/images/${com}`, 'alt')).status, 200);
  });

  test('visibility changes: owner may go private/shared/community; public needs admin', async () => {
    const id = await image('owner', { visibility: 'private' });
    for (const v of ['shared', 'community', 'private']) {
      const r = await call('PATCH', `/v2/images/${id}`, 'owner', [{ op: 'replace', path: '/visibility', value: v }], PATCH);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.visibility, v);
    }
    assert.equal((await call('PATCH', `/v2/images/${id}`, 'owner', [{ op: 'replace', path: '/visibility', value: 'public' }], PATCH)).status, 403);
    assert.equal((await call('PATCH', `/v2/images/${id}`, 'admin', [{ op: 'replace', path: '/visibility', value: 'public' }], PATCH)).body.visibility, 'public');
  });

  test('a private image of another project is invisible everywhere (404)', async () => {
    const id = await image('owner', { visibility: 'private' });
    for (const [m, u] of [['GET', ''], ['DELETE', ''], ['GET', '/file'], ['GET', '/members'], ['PUT', '/tags/x'], ['POST', '/actions/deactivate']] as const) {
      assert.equal((await call(m, `/v2/images/${id}${u}`, 'alt')).status, 404, `${m} ${u}`);
    }
    assert.ok(!(await ids('alt', '?visibility=all')).includes(id));
    assert.ok((await ids('admin', '?visibility=private')).includes(id));
  });
});
