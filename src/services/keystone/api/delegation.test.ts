import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN_PASSWORD, BASE_URL, authFixture, passwordAuth, type AuthFixture } from '../testing/auth-fixture.js';

let f: AuthFixture;
before(async () => { f = await authFixture(); });
after(async () => { await f.close(); });

const json = (r: { body: string }): any => JSON.parse(r.body);
const tokenOf = (r: { headers: Record<string, unknown> }): string => String(r.headers['x-subject-token']);

describe('OS-TRUST trusts', () => {
  let project: string;
  let trustee: string;
  before(async () => {
    project = await f.makeProject('trustproj');
    await f.res.m.assignments.createGrant({ roleId: f.roles.member, userId: f.adminUserId, projectId: project });
    trustee = await f.makeUser('trustee', 'pw-trustee');
  });

  const create = async (token: string, trust: Record<string, unknown>) =>
    f.call(token, { method: 'POST', url: '/identity/v3/OS-TRUST/trusts', payload: { trust } });
  const trustAuth = (trustId: string) => ({
    identity: { methods: ['password'], password: { user: { id: trustee, password: 'pw-trustee' } } },
    scope: { 'OS-TRUST:trust': { id: trustId } },
  });

  test('create with impersonation, get, list, roles, trust-scoped token, delete', async () => {
    const admin = await f.login('admin', ADMIN_PASSWORD, { project: { id: project } });
    const r = await create(admin, {
      trustor_user_id: f.adminUserId, trustee_user_id: trustee, project_id: project, impersonation: true,
      roles: [{ name: 'member' }], expires_at: '2099-01-01T00:00:00.123456Z', custom: 'kept',
    });
    assert.equal(r.statusCode, 201, r.body);
    const t = json(r).trust;
    assert.equal(t.trustor_user_id, f.adminUserId);
    assert.equal(t.expires_at, '2099-01-01T00:00:00.000000Z');
    assert.equal(t.remaining_uses, null);
    assert.equal(t.redelegation_count, 0);
    assert.equal(t.custom, 'kept');
    assert.deepEqual(t.roles.map((x: any) => x.name), ['member']);
    assert.equal(t.links.self, `${BASE_URL}/v3/OS-TRUST/trusts/${t.id}`);

    assert.equal(json(await f.call(admin, { method: 'GET', url: `/identity/v3/OS-TRUST/trusts/${t.id}` })).trust.id, t.id);
    const listed = json(await f.call(admin, { method: 'GET', url: `/identity/v3/OS-TRUST/trusts?trustor_user_id=${f.adminUserId}` })).trusts;
    assert.deepEqual(listed.map((x: any) => x.id), [t.id]);
    assert.equal(listed[0].roles, undefined);
    const roles = json(await f.call(admin, { method: 'GET', url: `/identity/v3/OS-TRUST/trusts/${t.id}/roles` })).roles;
    assert.equal(roles[0].id, f.roles.member);
    assert.equal((await f.call(admin, { method: 'GET', url: `/identity/v3/OS-TRUST/trusts/${t.id}/roles/${f.roles.member}` })).statusCode, 200);
    assert.equal((await f.call(admin, { method: 'HEAD', url: `/identity/v3/OS-TRUST/trusts/${t.id}/roles/${f.roles.member}` })).statusCode, 200);
    assert.equal((await f.call(admin, { method: 'GET', url: `/identity/v3/OS-TRUST/trusts/${t.id}/roles/${f.roles.admin}` })).statusCode, 404);

    const tr = await f.issue(trustAuth(t.id));
    assert.equal(tr.statusCode, 201, tr.body);
    const tok = json(tr).token;
    assert.deepEqual(tok['OS-TRUST:trust'], { id: t.id, trustor_user: { id: f.adminUserId }, trustee_user: { id: trustee }, impersonation: true });
    assert.equal(tok.user.id, f.adminUserId, 'impersonation shows the trustor');
    assert.equal(tok.project.id, project);
    assert.deepEqual(tok.roles.map((x: any) => x.name).sort(), ['member', 'reader']);
    const trustToken = tokenOf(tr);
    const v = json(await f.call(trustToken, { method: 'GET', url: '/identity/v3/auth/tokens', headers: { 'x-subject-token': trustToken } }));
    assert.equal(v.token['OS-TRUST:trust'].id, t.id);
    const rescope = await f.issue({ identity: { methods: ['token'], token: { id: trustToken } } });
    assert.equal(rescope.statusCode, 403, 'a trust-scoped token cannot make other tokens');

    assert.equal((await f.call(admin, { method: 'DELETE', url: `/identity/v3/OS-TRUST/trusts/${t.id}` })).statusCode, 204);
    assert.equal((await f.call(admin, { method: 'GET', url: `/identity/v3/OS-TRUST/trusts/${t.id}` })).statusCode, 404);
    assert.equal((await f.call(trustToken, { method: 'GET', url: '/identity/v3/auth/catalog' })).statusCode, 401, 'tokens of a deleted trust are revoked');
    assert.equal((await f.issue(trustAuth(t.id))).statusCode, 401);
  });

  test('remaining_uses is consumed by each token; then the trust is gone', async () => {
    const admin = await f.login('admin', ADMIN_PASSWORD, { project: { id: project } });
    const t = json(await create(admin, {
      trustor_user_id: f.adminUserId, trustee_user_id: trustee, project_id: project, impersonation: false, roles: [{ id: f.roles.member }], remaining_uses: 2,
    })).trust;
    assert.equal((await f.issue(trustAuth(t.id))).statusCode, 201);
    const second = await f.issue(trustAuth(t.id));
    assert.equal(second.statusCode, 201);
    assert.equal(json(second).token.user.id, trustee, 'no impersonation: the trustee');
    assert.equal((await f.issue(trustAuth(t.id))).statusCode, 401);
  });

  test('creation rules: trustor must be the caller, roles must be the trustor\'s, bad dates and bodies', async () => {
    const admin = await f.login('admin', ADMIN_PASSWORD, { project: { id: project } });
    const base = { trustor_user_id: f.adminUserId, trustee_user_id: trustee, project_id: project, impersonation: false, roles: [{ name: 'member' }] };
    assert.equal((await create(admin, { ...base, trustor_user_id: trustee })).statusCode, 403);
    assert.equal((await create(admin, { ...base, roles: [] })).statusCode, 403);
    assert.equal((await create(admin, { ...base, roles: [{ id: f.roles.service }] })).statusCode, 404);
    assert.equal((await create(admin, { ...base, trustee_user_id: 'nobody' })).statusCode, 404);
    assert.equal((await create(admin, { ...base, expires_at: 'not-a-date' })).statusCode, 400);
    assert.equal((await create(admin, { ...base, expires_at: '2001-01-01T00:00:00Z' })).statusCode, 400);
    assert.equal((await create(admin, { ...base, impersonation: 'yes' })).statusCode, 400);
    assert.equal((await create(admin, { ...base, remaining_uses: 0 })).statusCode, 400);
    const other = await f.login('trustee', 'pw-trustee', 'unscoped');
    assert.equal((await f.call(other, { method: 'GET', url: '/identity/v3/OS-TRUST/trusts' })).statusCode, 403, 'list all is admin only');
  });

  test('redelegation: a trust-scoped token of a redelegatable trust makes a shorter chain', async () => {
    const admin = await f.login('admin', ADMIN_PASSWORD, { project: { id: project } });
    const t = json(await create(admin, {
      trustor_user_id: f.adminUserId, trustee_user_id: trustee, project_id: project, impersonation: true, roles: [{ name: 'member' }],
      allow_redelegation: true, redelegation_count: 2,
    })).trust;
    assert.equal(t.redelegation_count, 2);
    const trustToken = tokenOf(await f.issue(trustAuth(t.id)));
    const third = await f.makeUser('third', 'pw-third');
    const r = await create(trustToken, {
      trustor_user_id: f.adminUserId, trustee_user_id: third, project_id: project, impersonation: true, roles: [{ name: 'member' }], allow_redelegation: true,
    });
    assert.equal(r.statusCode, 201, r.body);
    assert.equal(json(r).trust.redelegated_trust_id, t.id);
    assert.equal(json(r).trust.redelegation_count, 1);
  });
});

describe('application credentials', () => {
  let project: string;
  let userId: string;
  let userToken: string;
  before(async () => {
    project = await f.makeProject('acproj');
    userId = await f.makeUser('acuser', 'pw-acuser', [{ role: 'member', projectId: project }]);
    userToken = await f.login('acuser', 'pw-acuser', { project: { id: project } });
  });
  const url = (rest = '') => `/identity/v3/users/${userId}/application_credentials${rest}`;

  test('create (secret shown once), list, get, authenticate, delete', async () => {
    const r = await f.call(userToken, { method: 'POST', url: url(), payload: { application_credential: { name: 'ci', description: 'for CI', expires_at: '2099-06-01T12:00:00' } } });
    assert.equal(r.statusCode, 201, r.body);
    const ac = json(r).application_credential;
    assert.equal(ac.project_id, project);
    assert.equal(ac.user_id, userId);
    assert.equal(ac.unrestricted, false);
    assert.equal(ac.expires_at, '2099-06-01T12:00:00.000000');
    assert.match(ac.secret, /^[A-Za-z0-9_-]{86}$/);
    assert.deepEqual(ac.roles.map((x: any) => x.name).sort(), ['member', 'reader']);
    assert.equal(ac.links.self, `${BASE_URL}/v3/application_credentials/${ac.id}`);

    const list = json(await f.call(userToken, { method: 'GET', url: url('?name=ci') })).application_credentials;
    assert.deepEqual(list.map((x: any) => x.id), [ac.id]);
    assert.equal(list[0].secret, undefined);
    assert.equal(json(await f.call(userToken, { method: 'GET', url: url(`/${ac.id}`) })).application_credential.name, 'ci');

    const byId = await f.issue({ identity: { methods: ['application_credential'], application_credential: { id: ac.id, secret: ac.secret } } });
    assert.equal(byId.statusCode, 201, byId.body);
    const tok = json(byId).token;
    assert.deepEqual(tok.methods, ['application_credential']);
    assert.equal(tok.project.id, project);
    assert.deepEqual(tok.application_credential, { id: ac.id, name: 'ci', restricted: true });
    const byName = await f.issue({ identity: { methods: ['application_credential'], application_credential: { name: 'ci', secret: ac.secret, user: { name: 'acuser', domain: { id: 'default' } } } } });
    assert.equal(byName.statusCode, 201);
    assert.equal((await f.issue({ identity: { methods: ['application_credential'], application_credential: { id: ac.id, secret: 'wrong' } } })).statusCode, 401);
    assert.equal((await f.issue({ identity: { methods: ['application_credential'], application_credential: { id: ac.id, secret: ac.secret } }, scope: { system: { all: true } } })).statusCode, 401);

    const acToken = tokenOf(byId);
    const again = await f.call(acToken, { method: 'POST', url: url(), payload: { application_credential: { name: 'nested' } } });
    assert.equal(again.statusCode, 403, 'a restricted credential cannot make more credentials');
    const trust = await f.call(acToken, { method: 'POST', url: '/identity/v3/OS-TRUST/trusts', payload: { trust: { trustor_user_id: userId, trustee_user_id: f.adminUserId, impersonation: false } } });
    assert.equal(trust.statusCode, 403, '... nor trusts');

    assert.equal((await f.call(userToken, { method: 'DELETE', url: url(`/${ac.id}`) })).statusCode, 204);
    assert.equal((await f.call(acToken, { method: 'GET', url: '/identity/v3/auth/catalog' })).statusCode, 401, 'its tokens die with it');
    assert.equal((await f.call(userToken, { method: 'GET', url: url(`/${ac.id}`) })).statusCode, 404);
  });

  test('unrestricted credentials may create credentials; given roles must be the token\'s', async () => {
    const r = await f.call(userToken, { method: 'POST', url: url(), payload: { application_credential: { name: 'free', unrestricted: true, roles: [{ name: 'reader' }] } } });
    assert.equal(r.statusCode, 201, r.body);
    const ac = json(r).application_credential;
    assert.deepEqual(ac.roles.map((x: any) => x.name), ['reader']);
    const acToken = tokenOf(await f.issue({ identity: { methods: ['application_credential'], application_credential: { id: ac.id, secret: ac.secret } } }));
    assert.equal((await f.call(acToken, { method: 'POST', url: url(), payload: { application_credential: { name: 'child' } } })).statusCode, 201);
    const notMine = await f.call(userToken, { method: 'POST', url: url(), payload: { application_credential: { name: 'adminish', roles: [{ id: f.roles.admin }] } } });
    assert.equal(notMine.statusCode, 400);
    assert.match(json(notMine).error.message, /^Invalid application credential: /);
    const dup = await f.call(userToken, { method: 'POST', url: url(), payload: { application_credential: { name: 'free' } } });
    assert.equal(dup.statusCode, 409);
    assert.equal((await f.call(userToken, { method: 'POST', url: url(), payload: { application_credential: { name: 'x', bogus: 1 } } })).statusCode, 400);
  });

  test('another user\'s credentials are invisible or forbidden; admins may read them', async () => {
    const ac = json(await f.call(userToken, { method: 'POST', url: url(), payload: { application_credential: { name: 'private' } } })).application_credential;
    const otherId = await f.makeUser('nosy', 'pw-nosy', [{ role: 'member', projectId: project }]);
    const nosy = await f.login('nosy', 'pw-nosy', { project: { id: project } });
    assert.equal((await f.call(nosy, { method: 'GET', url: url() })).statusCode, 403);
    assert.equal((await f.call(nosy, { method: 'GET', url: `/identity/v3/users/${otherId}/application_credentials/${ac.id}` })).statusCode, 403);
    assert.equal((await f.call(nosy, { method: 'POST', url: url(), payload: { application_credential: { name: 'forother' } } })).statusCode, 403);
    const admin = await f.adminToken();
    assert.equal((await f.call(admin, { method: 'GET', url: url(`/${ac.id}`) })).statusCode, 200);
  });

  test('access rules are created with credentials, listed, and protected while used', async () => {
    const r = await f.call(userToken, { method: 'POST', url: url(), payload: { application_credential: { name: 'ruled', access_rules: [{ service: 'compute', path: '/v2.1/servers', method: 'GET' }] } } });
    assert.equal(r.statusCode, 201, r.body);
    const ac = json(r).application_credential;
    const rule = ac.access_rules[0];
    assert.match(rule.id, /^[0-9a-f]{32}$/);
    const rules = json(await f.call(userToken, { method: 'GET', url: `/identity/v3/users/${userId}/access_rules` })).access_rules;
    assert.ok(rules.some((x: any) => x.id === rule.id && x.links.self === `${BASE_URL}/v3/access_rules/${rule.id}`));
    assert.equal((await f.call(userToken, { method: 'GET', url: `/identity/v3/users/${userId}/access_rules/${rule.id}` })).statusCode, 200);
    assert.equal((await f.call(userToken, { method: 'DELETE', url: `/identity/v3/users/${userId}/access_rules/${rule.id}` })).statusCode, 403);
    const ruled = tokenOf(await f.issue({ identity: { methods: ['application_credential'], application_credential: { id: ac.id, secret: ac.secret } } }));
    assert.equal((await f.call(ruled, { method: 'GET', url: '/identity/v3/auth/catalog' })).statusCode, 401, 'rules are not enforced here: refused');
    const admin = await f.adminToken();
    const check = (headers: Record<string, string>) => f.call(admin, { method: 'GET', url: '/identity/v3/auth/tokens', headers: { 'x-subject-token': ruled, ...headers } });
    assert.equal((await check({})).statusCode, 404, 'middleware without access rules support');
    const ok = await check({ 'openstack-identity-access-rules': '1.0' });
    assert.equal(ok.statusCode, 200);
    assert.deepEqual(json(ok).token.application_credential.access_rules, [{ id: rule.id, service: 'compute', path: '/v2.1/servers', method: 'GET' }]);
    assert.equal((await f.call(userToken, { method: 'DELETE', url: url(`/${ac.id}`) })).statusCode, 204);
    assert.equal((await f.call(userToken, { method: 'DELETE', url: `/identity/v3/users/${userId}/access_rules/${rule.id}` })).statusCode, 204);
    assert.equal((await f.call(userToken, { method: 'GET', url: `/identity/v3/users/${userId}/access_rules/${rule.id}` })).statusCode, 404);
  });

  test('a token never outlives its credential', async () => {
    const soon = new Date(Date.now() + 120_000).toISOString();
    const ac = json(await f.call(userToken, { method: 'POST', url: url(), payload: { application_credential: { name: 'short', expires_at: soon } } })).application_credential;
    const tok = json(await f.issue({ identity: { methods: ['application_credential'], application_credential: { id: ac.id, secret: ac.secret } } })).token;
    assert.ok(Date.parse(tok.expires_at) <= Date.parse(soon));
  });

  test('disabling the user deletes its application credentials', async () => {
    const uid = await f.makeUser('acgone', 'pw-acgone', [{ role: 'member', projectId: project }]);
    const t = await f.login('acgone', 'pw-acgone', { project: { id: project } });
    const ac = json(await f.call(t, { method: 'POST', url: `/identity/v3/users/${uid}/application_credentials`, payload: { application_credential: { name: 'x' } } })).application_credential;
    await f.res.m.identity.updateUser(uid, { enabled: false });
    await f.res.m.identity.updateUser(uid, { enabled: true });
    assert.equal((await f.issue({ identity: { methods: ['application_credential'], application_credential: { id: ac.id, secret: ac.secret } } })).statusCode, 404);
    assert.equal((await f.issue(passwordAuth('acgone', 'pw-acgone'))).statusCode, 201);
  });
});
