import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Unauthorized } from '../../common/errors.js';
import { ADMIN_PASSWORD, authFixture, type AuthFixture } from './testing/auth-fixture.js';

let f: AuthFixture;
before(async () => { f = await authFixture(); });
after(async () => { await f.close(); });

/** Counts the provider's (uncached) validations. */
function countLookups(): { readonly n: number } {
  const counter = { n: 0 };
  const original = f.side.tokens.validate.bind(f.side.tokens);
  f.side.tokens.validate = async (...args) => { counter.n++; return original(...args); };
  return counter;
}

async function member(name: string): Promise<{ userId: string; projectId: string; token: string }> {
  const projectId = await f.makeProject(`${name}-proj`);
  const userId = await f.makeUser(name, `pw-${name}`, [{ role: 'member', projectId }]);
  const token = await f.login(name, `pw-${name}`, { project: { id: projectId } });
  return { userId, projectId, token };
}

const valid = async (token: string): Promise<boolean> => {
  try {
    await f.side.validator.validate(token);
    return true;
  } catch (err) {
    assert.ok(err instanceof Unauthorized, String(err));
    return false;
  }
};

describe('in-process token validator', () => {
  test('a validated token is served from the cache; TokenInfo is the middleware view', async () => {
    const counter = countLookups();
    const { userId, projectId, token } = await member('cached');
    const info = await f.side.validator.validate(token);
    assert.equal(info.userId, userId);
    assert.equal(info.projectId, projectId);
    assert.deepEqual([...info.roles].sort(), ['member', 'reader']);
    assert.equal(info.isAdminProject, true);
    const before = counter.n;
    for (let i = 0; i < 5; i++) await f.side.validator.validate(token);
    assert.equal(counter.n, before, 'no lookups for cached tokens');
  });

  test('revoking a token drops it from the cache at once', async () => {
    const { token } = await member('revokeme');
    assert.equal(await valid(token), true);
    await f.side.tokens.revoke(token);
    assert.equal(await valid(token), false);
  });

  test('password change, disable and delete of the user invalidate its cached tokens', async () => {
    const a = await member('pwchange');
    assert.equal(await valid(a.token), true);
    await f.res.m.identity.updateUser(a.userId, { password: 'new-password' });
    assert.equal(await valid(a.token), false);

    const b = await member('disableme');
    assert.equal(await valid(b.token), true);
    await f.res.m.identity.updateUser(b.userId, { enabled: false });
    assert.equal(await valid(b.token), false);

    const c = await member('deleteme');
    assert.equal(await valid(c.token), true);
    await f.res.m.identity.deleteUser(c.userId);
    assert.equal(await valid(c.token), false);
  });

  test('a disabled project or domain fails at once; re-enabling brings the token back (as upstream)', async () => {
    const a = await member('projoff');
    assert.equal(await valid(a.token), true);
    await f.res.m.resource.updateProject(a.projectId, { enabled: false });
    assert.equal(await valid(a.token), false);
    await f.res.m.resource.updateProject(a.projectId, { enabled: true });
    assert.equal(await valid(a.token), true);

    const domainId = 'a0000000000000000000000000000001';
    await f.res.m.resource.createDomain(domainId, { name: 'ValDomain', enabled: true });
    const projectId = (await f.res.m.resource.createProject('a0000000000000000000000000000002', { name: 'dp', domain_id: domainId, parent_id: domainId })).id;
    const uid = (await f.res.m.identity.createUser({ name: 'domuser', password: 'pw-domuser', domain_id: domainId, enabled: true })).id;
    await f.res.m.assignments.createGrant({ roleId: f.roles.member, userId: uid, projectId });
    const r = await f.issue({ identity: { methods: ['password'], password: { user: { id: uid, password: 'pw-domuser' } } }, scope: { project: { id: projectId } } });
    const t = String(r.headers['x-subject-token']);
    assert.equal(await valid(t), true);
    await f.res.m.resource.updateDomain(domainId, { enabled: false });
    assert.equal(await valid(t), false);
  });

  test('a deleted project revokes its tokens', async () => {
    const a = await member('projdel');
    assert.equal(await valid(a.token), true);
    await f.res.m.resource.updateProject(a.projectId, { enabled: false });
    await f.res.m.resource.deleteProject(a.projectId);
    await f.res.m.resource.createProject(a.projectId, { name: 'projdel-again', domain_id: 'default', parent_id: 'default' });
    await f.res.m.assignments.createGrant({ roleId: f.roles.member, userId: a.userId, projectId: a.projectId });
    assert.equal(await valid(a.token), false, 'the revocation event outlives the project');
  });

  test('removing the last role assignment or deleting the role ends the token; roles are recomputed', async () => {
    const a = await member('unassign');
    assert.equal(await valid(a.token), true);
    await f.res.m.assignments.deleteGrant({ roleId: f.roles.member, userId: a.userId, projectId: a.projectId });
    assert.equal(await valid(a.token), false);

    const role = await f.res.m.roles.createRole({ name: 'temp-role' });
    const projectId = await f.makeProject('roledel-proj');
    const uid = await f.makeUser('roledel', 'pw-roledel', [{ role: role.id, projectId }, { role: 'reader', projectId }]);
    const t = await f.login('roledel', 'pw-roledel', { project: { id: projectId } });
    assert.deepEqual((await f.side.validator.validate(t)).roles.sort(), ['reader', 'temp-role']);
    await f.res.m.roles.deleteRole(role.id);
    assert.deepEqual((await f.side.validator.validate(t)).roles, ['reader'], `user ${uid} keeps reader`);
  });

  test('leaving a group revokes the user\'s tokens', async () => {
    const a = await member('grouped');
    const group = await f.res.m.identity.createGroup({ name: 'g1', domain_id: 'default' });
    await f.res.m.identity.addUserToGroup(a.userId, group.id);
    assert.equal(await valid(a.token), true);
    await f.res.m.identity.removeUserFromGroup(a.userId, group.id);
    assert.equal(await valid(a.token), false);
  });

  test('a lookup under way while something is invalidated is not cached', async () => {
    const counter = countLookups();
    const { token } = await member('racing');
    const pending = f.side.validator.resolve(token);
    f.side.validator.forgetAll();
    await pending;
    const n = counter.n;
    await f.side.validator.resolve(token);
    assert.equal(counter.n, n + 1, 'validated again, not served from the cache');
  });

  test('concurrent validations of one token share a lookup', async () => {
    const counter = countLookups();
    const { token } = await member('concurrent');
    f.side.validator.forgetAll();
    const n = counter.n;
    await Promise.all(Array.from({ length: 8 }, () => f.side.validator.validate(token)));
    assert.equal(counter.n, n + 1);
  });

  test('expired tokens fail unless allow_expired is asked for', async () => {
    const past = Math.floor(Date.now() / 1000) - 60;
    const t = await f.side.tokens.issue({ userId: f.adminUserId, methods: ['password'], projectId: f.adminProjectId, expiresAt: past });
    assert.equal(await valid(t.id), false);
    const info = await f.side.validator.validate(t.id, { allowExpired: true });
    assert.equal(info.userId, f.adminUserId);
    const admin = await f.login('admin', ADMIN_PASSWORD, { project: { id: f.adminProjectId } });
    const r = await f.call(admin, { method: 'GET', url: '/identity/v3/auth/tokens?allow_expired=1', headers: { 'x-subject-token': t.id } });
    assert.equal(r.statusCode, 200);
    const r2 = await f.call(admin, { method: 'GET', url: '/identity/v3/auth/tokens', headers: { 'x-subject-token': t.id } });
    assert.equal(r2.statusCode, 404);
    assert.equal(JSON.parse(r2.body).error.message, 'Failed to validate token');
  });

  test('a role granted through the API shows in existing tokens at once (grant hook)', async () => {
    const projectId = await f.makeProject('grantproj');
    const uid = await f.makeUser('granted', 'pw-granted', [{ role: 'reader', projectId }]);
    const t = await f.login('granted', 'pw-granted', { project: { id: projectId } });
    assert.deepEqual((await f.side.validator.validate(t)).roles, ['reader']);
    const admin = await f.adminToken();
    const put = await f.call(admin, { method: 'PUT', url: `/identity/v3/projects/${projectId}/users/${uid}/roles/${f.roles.member}` });
    assert.equal(put.statusCode, 204);
    assert.deepEqual((await f.side.validator.validate(t)).roles.sort(), ['member', 'reader']);
  });

  test('cached() answers only for cached, unexpired, unrevoked tokens, without a lookup', async () => {
    const { userId, token } = await member('peeked');
    f.side.validator.forgetAll();
    assert.equal(f.side.validator.cached(token), undefined);
    assert.equal(f.side.validator.cached('not-a-token'), undefined);
    await f.side.validator.validate(token);
    const counter = countLookups();
    assert.equal(f.side.validator.cached(token)?.info.userId, userId);
    assert.equal(counter.n, 0);
    await f.side.tokens.revoke(token);
    assert.equal(f.side.validator.cached(token), undefined);
  });
});
