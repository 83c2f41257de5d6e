/** The users, groups, projects and domains APIs through HTTP (app.inject). */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiFixture, type ApiFixture, BASE_URL } from '../testing/api-fixture.js';

describe('identity API: users, groups, projects, domains', () => {
  let f: ApiFixture;
  let admin: string;
  let member: string;
  let memberId: string;
  before(async () => {
    f = await apiFixture();
    await f.m.resource.createProject('proj', { name: 'proj', domain_id: 'default' });
    admin = f.token('admin', { userId: 'admin-user', roles: ['admin', 'member', 'reader'], projectId: 'proj', projectDomainId: 'default' });
    memberId = (await f.m.identity.createUser({ name: 'memberuser', domain_id: 'default', password: 'pw' })).id;
    member = f.token('member', { userId: memberId, roles: ['member', 'reader'], projectId: 'proj', projectDomainId: 'default' });
  });
  after(() => f.close());

  test('no token is 401 with the Keystone error body', async () => {
    const r = await f.call('GET', '/v3/users');
    assert.equal(r.status, 401);
    assert.deepEqual(r.body, { error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' } });
  });

  test('user CRUD, links, 409, 404, 400, 403', async () => {
    const created = await f.call('POST', '/v3/users', admin, { user: { name: 'alice', password: 'secret', email: 'a@x' } });
    assert.equal(created.status, 201);
    const u = created.body.user;
    assert.equal(u.domain_id, 'default');
    assert.equal(u.enabled, true);
    assert.equal(u.email, 'a@x');
    assert.equal(u.password_expires_at, null);
    assert.deepEqual(u.options, {});
    assert.equal(u.links.self, `${BASE_URL}/v3/users/${u.id}`);
    assert.equal('password' in u, false);

    const dup = await f.call('POST', '/v3/users', admin, { user: { name: 'alice' } });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.error.message, 'Conflict occurred attempting to store user - Duplicate entry found with name alice at domain ID default.');

    const bad = await f.call('POST', '/v3/users', admin, { user: { name: '' } });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /^Invalid input for field 'user.name'/);
    assert.equal((await f.call('POST', '/v3/users', admin, { usr: {} })).status, 400);

    assert.equal((await f.call('GET', '/v3/users/nope', admin)).body.error.message, 'Could not find user: nope.');
    const forbidden = await f.call('POST', '/v3/users', member, { user: { name: 'mallory' } });
    assert.equal(forbidden.status, 403);
    assert.equal(forbidden.body.error.message, 'You are not authorized to perform the requested action: identity:create_user.');

    const patched = await f.call('PATCH', `/v3/users/${u.id}`, admin, { user: { enabled: false, description: 'd' } });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.user.enabled, false);
    assert.equal(patched.body.user.description, 'd');
    assert.equal((await f.call('GET', `/v3/users/${u.id}`, member)).status, 403);
    assert.equal((await f.call('GET', `/v3/users/${memberId}`, member)).status, 200);

    const list = await f.call('GET', '/v3/users?name=alice', admin);
    assert.deepEqual(list.body.users.map((x: { name: string }) => x.name), ['alice']);
    assert.deepEqual(list.body.links, { self: `${BASE_URL}/v3/users?name=alice`, previous: null, next: null });
    const inexact = await f.call('GET', '/v3/users?name__icontains=ALI', admin);
    assert.deepEqual(inexact.body.users.map((x: { name: string }) => x.name), ['alice']);
    const disabled = await f.call('GET', '/v3/users?enabled=false', admin);
    assert.deepEqual(disabled.body.users.map((x: { name: string }) => x.name), ['alice']);

    assert.equal((await f.call('DELETE', `/v3/users/${u.id}`, admin)).status, 204);
    assert.equal((await f.call('GET', `/v3/users/${u.id}`, admin)).status, 404);
  });

  test('pagination with limit and marker', async () => {
    for (const n of ['p1', 'p2', 'p3']) await f.call('POST', '/v3/users', admin, { user: { name: `page-${n}` } });
    const page = await f.call('GET', '/v3/users?name__startswith=page-&limit=2', admin);
    assert.equal(page.body.users.length, 2);
    assert.equal(page.body.truncated, true);
    assert.match(page.body.links.next, /marker=/);
    const next = new URL(page.body.links.next);
    const rest = await f.call('GET', `/v3/users${next.search}`, admin);
    assert.equal(rest.body.users.length, 1);
  });

  test('self-service password change', async () => {
    const r = await f.call('POST', `/v3/users/${memberId}/password`, member, { user: { original_password: 'pw', password: 'pw2' } });
    assert.equal(r.status, 204);
    assert.ok(f.emitted.some(([n, p]) => n === 'user.password_changed' && (p as { userId: string }).userId === memberId));
    const wrong = await f.call('POST', `/v3/users/${memberId}/password`, member, { user: { original_password: 'bad', password: 'pw3' } });
    assert.equal(wrong.status, 401);
    assert.equal((await f.call('GET', `/v3/users/${memberId}/password`, member)).status, 405);
  });

  test('groups and membership', async () => {
    const g = (await f.call('POST', '/v3/groups', admin, { group: { name: 'devs', description: 'Developers' } })).body.group;
    assert.equal(g.domain_id, 'default');
    assert.equal((await f.call('PUT', `/v3/groups/${g.id}/users/${memberId}`, admin)).status, 204);
    assert.equal((await f.call('HEAD', `/v3/groups/${g.id}/users/${memberId}`, admin)).status, 204);
    const users = await f.call('GET', `/v3/groups/${g.id}/users`, admin);
    assert.deepEqual(users.body.users.map((u: { id: string }) => u.id), [memberId]);
    const groups = await f.call('GET', `/v3/users/${memberId}/groups`, member);
    assert.equal(groups.body.groups[0].membership_expires_at, null);
    assert.equal((await f.call('DELETE', `/v3/groups/${g.id}/users/${memberId}`, admin)).status, 204);
    assert.equal((await f.call('HEAD', `/v3/groups/${g.id}/users/${memberId}`, admin)).status, 404);
    assert.equal((await f.call('DELETE', `/v3/groups/${g.id}`, admin)).status, 204);
  });

  test('projects: create, hierarchy options, filters, tags, delete rules', async () => {
    const parent = (await f.call('POST', '/v3/projects', admin, { project: { name: 'parent', tags: ['blue'] } })).body.project;
    assert.equal(parent.parent_id, 'default');
    assert.equal(parent.is_domain, false);
    assert.deepEqual(parent.tags, ['blue']);
    const child = await f.call('POST', '/v3/projects', admin, { project: { name: 'child', parent_id: parent.id } });
    assert.equal(child.status, 201);
    const missingDomain = await f.call('POST', '/v3/projects', admin, { project: { name: 'x', domain_id: 'nope' } });
    assert.equal(missingDomain.status, 400);
    assert.equal(missingDomain.body.error.message, 'Could not find domain: nope.');
    const dup = await f.call('POST', '/v3/projects', admin, { project: { name: 'parent' } });
    assert.equal(dup.status, 409);

    const shown = await f.call('GET', `/v3/projects/${child.body.project.id}?parents_as_ids`, admin);
    assert.deepEqual(shown.body.project.parents, { [parent.id]: { default: null } });
    const sub = await f.call('GET', `/v3/projects/${parent.id}?subtree_as_ids`, admin);
    assert.deepEqual(sub.body.project.subtree, { [child.body.project.id]: null });
    assert.equal((await f.call('GET', `/v3/projects/${parent.id}?subtree_as_ids&subtree_as_list`, admin)).status, 400);

    const byParent = await f.call('GET', `/v3/projects?parent_id=${parent.id}`, admin);
    assert.deepEqual(byParent.body.projects.map((p: { name: string }) => p.name), ['child']);
    const tagged = await f.call('GET', '/v3/projects?tags=blue', admin);
    assert.deepEqual(tagged.body.projects.map((p: { name: string }) => p.name), ['parent']);
    const domains = await f.call('GET', '/v3/projects?is_domain=true', admin);
    assert.deepEqual(domains.body.projects.map((p: { id: string }) => p.id), ['default']);

    assert.equal((await f.call('PUT', `/v3/projects/${parent.id}/tags/green`, admin)).status, 201);
    assert.deepEqual((await f.call('GET', `/v3/projects/${parent.id}/tags`, admin)).body.tags, ['blue', 'green']);
    assert.equal((await f.call('GET', `/v3/projects/${parent.id}/tags/red`, admin)).status, 404);
    assert.deepEqual((await f.call('PUT', `/v3/projects/${parent.id}/tags`, admin, { tags: ['a'] })).body.tags, ['a']);

    const notLeaf = await f.call('DELETE', `/v3/projects/${parent.id}`, admin);
    assert.equal(notLeaf.status, 403);
    assert.match(notLeaf.body.error.message, /not a leaf in the hierarchy/);
    assert.equal((await f.call('DELETE', `/v3/projects/${child.body.project.id}`, admin)).status, 204);
    assert.equal((await f.call('DELETE', `/v3/projects/${parent.id}`, admin)).status, 204);
    assert.equal((await f.call('GET', `/v3/projects/${parent.id}`, admin)).body.error.message, `Could not find project: ${parent.id}.`);
    assert.equal((await f.call('GET', '/v3/projects/proj', member)).status, 200);
    assert.equal((await f.call('GET', '/v3/projects', member)).status, 403);
  });

  test('domains: create with explicit id, must disable before delete', async () => {
    const explicit = 'a'.repeat(32);
    const d = await f.call('POST', '/v3/domains', admin, { domain: { name: 'Other', explicit_domain_id: explicit } });
    assert.equal(d.status, 201);
    assert.equal(d.body.domain.id, explicit);
    assert.equal('domain_id' in d.body.domain, false);
    assert.equal((await f.call('POST', '/v3/domains', admin, { domain: { name: 'Bad', explicit_domain_id: 'not-a-uuid' } })).status, 400);
    const enabled = await f.call('DELETE', `/v3/domains/${explicit}`, admin);
    assert.equal(enabled.status, 403);
    assert.equal(enabled.body.error.message, 'Cannot delete a domain that is enabled, please disable it first.');
    assert.equal((await f.call('PATCH', `/v3/domains/${explicit}`, admin, { domain: { enabled: false } })).body.domain.enabled, false);
    assert.equal((await f.call('DELETE', `/v3/domains/${explicit}`, admin)).status, 204);
    assert.equal((await f.call('GET', `/v3/domains/${explicit}`, admin)).body.error.message, `Could not find domain: ${explicit}.`);
    const list = await f.call('GET', '/v3/domains?name=Default', admin);
    assert.deepEqual(list.body.domains.map((x: { id: string }) => x.id), ['default']);
  });
});
