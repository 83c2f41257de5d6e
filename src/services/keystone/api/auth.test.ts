import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN_PASSWORD, BASE_URL, authFixture, passwordAuth, type AuthFixture } from '../testing/auth-fixture.js';

let f: AuthFixture;
before(async () => { f = await authFixture(); });
after(async () => { await f.close(); });

const adminScope = { project: { name: 'admin', domain: { id: 'default' } } };
const tokenOf = (r: { headers: Record<string, unknown> }): string => String(r.headers['x-subject-token']);
const json = (r: { body: string }): any => JSON.parse(r.body);
const ISO_MICRO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000000Z$/;

describe('version discovery', () => {
  test('GET /identity/ is 300 with the v3 version and a Location; /v3 is the version', async () => {
    const root = await f.app.inject('/identity/');
    assert.equal(root.statusCode, 300);
    assert.equal(root.headers['location'], `${BASE_URL}/v3/`);
    const v = json(root).versions.values;
    assert.equal(v.length, 1);
    assert.equal(v[0].id, 'v3.14');
    assert.equal(v[0].status, 'stable');
    assert.deepEqual(v[0]['media-types'], [{ base: 'application/json', type: 'application/vnd.openstack.identity-v3+json' }]);
    const v3 = await f.app.inject('/identity/v3');
    assert.equal(v3.statusCode, 200);
    assert.deepEqual(json(v3).version.links, [{ rel: 'self', href: `${BASE_URL}/v3/` }]);
  });
});

describe('POST /v3/auth/tokens', () => {
  test('password, project scope by name: 201, X-Subject-Token, the full body with catalog', async () => {
    const r = await f.issue(passwordAuth('admin', ADMIN_PASSWORD, adminScope));
    assert.equal(r.statusCode, 201);
    assert.match(tokenOf(r), /^gAAAAA[A-Za-z0-9_-]+$/);
    const t = json(r).token;
    assert.deepEqual(Object.keys(t), ['methods', 'user', 'audit_ids', 'expires_at', 'issued_at', 'project', 'is_domain', 'roles', 'catalog']);
    assert.deepEqual(t.methods, ['password']);
    assert.deepEqual(t.user, { domain: { id: 'default', name: 'Default' }, id: f.adminUserId, name: 'admin', password_expires_at: null });
    assert.deepEqual(t.project, { domain: { id: 'default', name: 'Default' }, id: f.adminProjectId, name: 'admin' });
    assert.equal(t.is_domain, false);
    assert.match(t.expires_at, ISO_MICRO);
    assert.match(t.issued_at, ISO_MICRO);
    assert.equal(Date.parse(t.expires_at) - Date.parse(t.issued_at), 3600_000);
    assert.equal(t.audit_ids.length, 1);
    assert.match(t.audit_ids[0], /^[A-Za-z0-9_-]{22}$/);
    assert.deepEqual(t.roles.map((x: any) => x.name).sort(), ['admin', 'manager', 'member', 'reader'], 'implied roles included');
    assert.equal(t.catalog[0].type, 'identity');
    assert.equal(t.catalog[0].endpoints.length, 3);
  });

  test('user by id, project by id; ?nocatalog leaves the catalog out', async () => {
    const r = await f.issue({
      identity: { methods: ['password'], password: { user: { id: f.adminUserId, password: ADMIN_PASSWORD } } },
      scope: { project: { id: f.adminProjectId } },
    }, '?nocatalog');
    assert.equal(r.statusCode, 201);
    assert.equal(json(r).token.catalog, undefined);
    assert.equal(json(r).token.project.id, f.adminProjectId);
  });

  test('domain and system scopes; explicit unscoped has no roles and no catalog', async () => {
    await f.res.m.assignments.createGrant({ roleId: f.roles.admin, userId: f.adminUserId, domainId: 'default' });
    const d = json(await f.issue(passwordAuth('admin', ADMIN_PASSWORD, { domain: { name: 'Default' } }))).token;
    assert.deepEqual(d.domain, { id: 'default', name: 'Default' });
    assert.ok(d.roles.some((x: any) => x.name === 'admin'));
    const s = json(await f.issue(passwordAuth('admin', ADMIN_PASSWORD, { system: { all: true } }))).token;
    assert.deepEqual(s.system, { all: true });
    assert.deepEqual(Object.keys(s).slice(5, 7), ['roles', 'system']);
    const u = json(await f.issue(passwordAuth('admin', ADMIN_PASSWORD, 'unscoped'))).token;
    assert.equal(u.roles, undefined);
    assert.equal(u.catalog, undefined);
    assert.equal(u.project, undefined);
  });

  test('without a scope the user\'s default project is used when it has a role there', async () => {
    const p = await f.makeProject('defproj');
    const uid = await f.makeUser('defuser', 'pw-defuser', [{ role: 'member', projectId: p }]);
    await f.res.m.identity.updateUser(uid, { default_project_id: p });
    const t = json(await f.issue(passwordAuth('defuser', 'pw-defuser'))).token;
    assert.equal(t.project.id, p);
  });

  test('bad requests: 400 for malformed bodies, 401 for unknown methods or no methods', async () => {
    const raw = await f.app.inject({ method: 'POST', url: '/identity/v3/auth/tokens', headers: { 'content-type': 'application/json' }, payload: '{bad' });
    assert.equal(raw.statusCode, 400);
    assert.equal((await f.app.inject({ method: 'POST', url: '/identity/v3/auth/tokens', payload: {} })).statusCode, 400);
    assert.match(json(await f.issue({})).error.message, /'identity' is a required property/);
    assert.equal((await f.issue({ identity: {} })).statusCode, 400);
    const missing = await f.issue({ identity: { methods: ['password'] } });
    assert.equal(missing.statusCode, 400);
    assert.match(json(missing).error.message, /^Expecting to find password in identity/);
    const unknown = await f.issue({ identity: { methods: ['totp'], totp: {} } });
    assert.equal(unknown.statusCode, 401);
    assert.equal(json(unknown).error.message, 'Attempted to authenticate with an unsupported method.');
    assert.deepEqual(json(unknown).error.identity, { methods: ['password', 'token', 'application_credential'] });
    assert.equal((await f.issue({ identity: { methods: [] } })).statusCode, 401);
    assert.match(json(await f.issue({ identity: { methods: ['password'], password: { user: { password: 'x' } } } })).error.message,
      /identity\/password\/user: id or name must be present/);
    assert.match(json(await f.issue({ identity: { methods: ['password'], password: { user: { name: 'admin', password: 'x' } } } })).error.message,
      /^Expecting to find domain in user/);
    const twoScopes = await f.issue(passwordAuth('admin', ADMIN_PASSWORD, { project: { id: 'x' }, domain: { id: 'default' } }));
    assert.equal(twoScopes.statusCode, 400);
    assert.match(json(twoScopes).error.message, /system, project, domain, OS-TRUST:trust or unscoped in scope/);
  });

  test('401 with the generic message for a wrong password, unknown user, unknown scope, no roles', async () => {
    const generic = 'The request you have made requires authentication.';
    for (const auth of [
      passwordAuth('admin', 'wrong'),
      passwordAuth('nobody', 'x'),
      passwordAuth('admin', ADMIN_PASSWORD, { project: { name: 'nope', domain: { id: 'default' } } }),
      passwordAuth('admin', ADMIN_PASSWORD, { project: { id: 'nope' } }),
      passwordAuth('admin', ADMIN_PASSWORD, { domain: { id: 'nope' } }),
      { identity: { methods: ['password'], password: { user: { name: 'admin', domain: { name: 'Nope' }, password: ADMIN_PASSWORD } } } },
    ]) {
      const r = await f.issue(auth);
      assert.equal(r.statusCode, 401, JSON.stringify(auth));
      assert.equal(json(r).error.message, generic);
      assert.match(String(r.headers['www-authenticate']), /^Keystone uri=/);
    }
    const p = await f.makeProject('noroles');
    assert.equal((await f.issue(passwordAuth('admin', ADMIN_PASSWORD, { project: { id: p } }))).statusCode, 401);
  });

  test('disabled user, project and domain cannot authenticate or scope (401)', async () => {
    const p = await f.makeProject('tobedisabled');
    const uid = await f.makeUser('disme', 'pw-disme', [{ role: 'member', projectId: p }]);
    assert.equal((await f.issue(passwordAuth('disme', 'pw-disme', { project: { id: p } }))).statusCode, 201);
    await f.res.m.resource.updateProject(p, { enabled: false });
    assert.equal((await f.issue(passwordAuth('disme', 'pw-disme', { project: { id: p } }))).statusCode, 401);
    await f.res.m.identity.updateUser(uid, { enabled: false });
    assert.equal((await f.issue(passwordAuth('disme', 'pw-disme'))).statusCode, 401);
    await f.res.m.resource.createDomain('d0000000000000000000000000000001', { name: 'OffDomain', enabled: false });
    assert.equal((await f.issue(passwordAuth('admin', ADMIN_PASSWORD, { domain: { name: 'OffDomain' } }))).statusCode, 401);
  });

  test('token method rescopes, keeping expiry and the audit chain', async () => {
    const unscoped = await f.login('admin', ADMIN_PASSWORD, 'unscoped');
    const first = json(await f.call(unscoped, { method: 'GET', url: '/identity/v3/auth/tokens', headers: { 'x-subject-token': unscoped } })).token;
    const r = await f.issue({ identity: { methods: ['token'], token: { id: unscoped } }, scope: adminScope });
    assert.equal(r.statusCode, 201);
    const t = json(r).token;
    assert.deepEqual(t.methods, ['token', 'password']);
    assert.equal(t.expires_at, first.expires_at);
    assert.equal(t.audit_ids[1], first.audit_ids[0]);
    assert.equal(t.project.id, f.adminProjectId);
    const bad = await f.issue({ identity: { methods: ['token'], token: { id: 'garbage' } } });
    assert.equal(bad.statusCode, 404);
    assert.equal(json(bad).error.message, 'Could not recognize Fernet token');
  });

  test('a system-scoped token cannot be exchanged for a project-scoped one (403)', async () => {
    const sys = await f.login('admin', ADMIN_PASSWORD, { system: { all: true } });
    const r = await f.issue({ identity: { methods: ['token'], token: { id: sys } }, scope: adminScope });
    assert.equal(r.statusCode, 403);
  });
});

describe('GET/HEAD/DELETE /v3/auth/tokens', () => {
  test('validate returns the token with X-Subject-Token; HEAD is 200 with no body', async () => {
    const admin = await f.adminToken();
    const subject = await f.login('admin', ADMIN_PASSWORD, 'unscoped');
    const g = await f.call(admin, { method: 'GET', url: '/identity/v3/auth/tokens', headers: { 'x-subject-token': subject } });
    assert.equal(g.statusCode, 200);
    assert.equal(g.headers['x-subject-token'], subject);
    assert.equal(json(g).token.user.name, 'admin');
    const h = await f.call(admin, { method: 'HEAD', url: '/identity/v3/auth/tokens', headers: { 'x-subject-token': subject } });
    assert.equal(h.statusCode, 200);
    assert.equal(h.body, '');
  });

  test('errors: no subject 404, garbage 404, bad X-Auth-Token 401', async () => {
    const admin = await f.adminToken();
    const none = await f.call(admin, { method: 'GET', url: '/identity/v3/auth/tokens' });
    assert.equal(none.statusCode, 404);
    assert.equal(json(none).error.message, 'No token in the request');
    const bad = await f.call(admin, { method: 'GET', url: '/identity/v3/auth/tokens', headers: { 'x-subject-token': `${admin.slice(0, -2)}AA` } });
    assert.equal(bad.statusCode, 404);
    assert.equal(json(bad).error.message, 'Could not recognize Fernet token');
    const unauth = await f.call('nope', { method: 'GET', url: '/identity/v3/auth/tokens', headers: { 'x-subject-token': admin } });
    assert.equal(unauth.statusCode, 401);
  });

  test('revoke: DELETE is 204, then the token fails at once as subject (404) and as X-Auth-Token (401)', async () => {
    const admin = await f.adminToken();
    const victim = await f.adminToken().then(() => f.login('admin', ADMIN_PASSWORD, adminScope));
    assert.equal((await f.call(victim, { method: 'GET', url: '/identity/v3/auth/catalog' })).statusCode, 200, 'cached as valid');
    const d = await f.call(admin, { method: 'DELETE', url: '/identity/v3/auth/tokens', headers: { 'x-subject-token': victim } });
    assert.equal(d.statusCode, 204);
    const g = await f.call(admin, { method: 'GET', url: '/identity/v3/auth/tokens', headers: { 'x-subject-token': victim } });
    assert.equal(g.statusCode, 404);
    assert.equal(json(g).error.message, 'Failed to validate token');
    assert.equal((await f.call(victim, { method: 'GET', url: '/identity/v3/auth/catalog' })).statusCode, 401);
    const events = json(await f.call(admin, { method: 'GET', url: '/identity/v3/OS-REVOKE/events' })).events;
    assert.ok(events.some((e: any) => e.audit_id && e.issued_before && e.revoked_at));
  });

  test('a user may validate and revoke its own token, not another user\'s (403)', async () => {
    const p = await f.makeProject('selfproj');
    await f.makeUser('selfuser', 'pw-self', [{ role: 'member', projectId: p }]);
    const mine = await f.login('selfuser', 'pw-self', { project: { id: p } });
    const other = await f.adminToken();
    assert.equal((await f.call(mine, { method: 'GET', url: '/identity/v3/auth/tokens', headers: { 'x-subject-token': mine } })).statusCode, 200);
    assert.equal((await f.call(mine, { method: 'GET', url: '/identity/v3/auth/tokens', headers: { 'x-subject-token': other } })).statusCode, 403);
    assert.equal((await f.call(mine, { method: 'DELETE', url: '/identity/v3/auth/tokens', headers: { 'x-subject-token': other } })).statusCode, 403);
    assert.equal((await f.call(mine, { method: 'GET', url: '/identity/v3/OS-REVOKE/events' })).statusCode, 403);
  });

  test('a token of a deleted project is 404 on validation', async () => {
    const admin = await f.adminToken();
    const p = await f.makeProject('gone');
    await f.makeUser('goneuser', 'pw-gone', [{ role: 'member', projectId: p }]);
    const t = await f.login('goneuser', 'pw-gone', { project: { id: p } });
    await f.res.m.resource.updateProject(p, { enabled: false });
    await f.res.m.resource.deleteProject(p);
    const g = await f.call(admin, { method: 'GET', url: '/identity/v3/auth/tokens', headers: { 'x-subject-token': t } });
    assert.equal(g.statusCode, 404);
  });
});

describe('validation answers from the token body cache', () => {
  const validate = (admin: string, subject: string, query = '') =>
    f.call(admin, { method: 'GET', url: `/identity/v3/auth/tokens${query}`, headers: { 'x-subject-token': subject } });

  test('the cached body is the body as rendered, with its content type and length', async () => {
    const admin = await f.adminToken();
    const subject = await f.login('admin', ADMIN_PASSWORD, adminScope);
    for (const query of ['', '?nocatalog']) {
      const first = await validate(admin, subject, query);
      const again = await validate(admin, subject, query);
      assert.equal(first.statusCode, 200);
      assert.equal(again.body, first.body);
      assert.equal(again.headers['content-type'], 'application/json; charset=utf-8');
      assert.equal(again.headers['content-length'], String(Buffer.byteLength(first.body)));
      assert.equal(json(again).token.catalog === undefined, query === '?nocatalog');
    }
  });

  test('a role granted through the API shows in the next validation', async () => {
    const admin = await f.adminToken();
    const p = await f.makeProject('bodyroles');
    const uid = await f.makeUser('bodyroles', 'pw-bodyroles', [{ role: 'reader', projectId: p }]);
    const t = await f.login('bodyroles', 'pw-bodyroles', { project: { id: p } });
    const roles = async () => json(await validate(admin, t)).token.roles.map((r: any) => r.name).sort();
    assert.deepEqual(await roles(), ['reader']);
    const put = await f.call(admin, { method: 'PUT', url: `/identity/v3/projects/${p}/users/${uid}/roles/${f.roles.member}` });
    assert.equal(put.statusCode, 204);
    assert.deepEqual(await roles(), ['member', 'reader']);
    assert.deepEqual(json(await validate(admin, t, '?nocatalog')).token.roles.map((r: any) => r.name).sort(), ['member', 'reader']);
  });

  test('a service added or deleted through the API shows in the next validation\'s catalog', async () => {
    const admin = await f.adminToken();
    const subject = await f.login('admin', ADMIN_PASSWORD, adminScope);
    const names = async () => json(await validate(admin, subject)).token.catalog.map((s: any) => s.name).sort();
    const before = await names();
    const svc = await f.call(admin, { method: 'POST', url: '/identity/v3/services', payload: { service: { type: 'volumev3', name: 'bodycinder' } } });
    assert.equal(svc.statusCode, 201);
    assert.deepEqual(await names(), [...before, 'bodycinder'].sort());
    const del = await f.call(admin, { method: 'DELETE', url: `/identity/v3/services/${json(svc).service.id}` });
    assert.equal(del.statusCode, 204);
    assert.deepEqual(await names(), before, 'and a service deleted is gone from it');
  });

  test('changing the user\'s password ends validation of its tokens at once', async () => {
    const admin = await f.adminToken();
    const p = await f.makeProject('bodypw');
    const uid = await f.makeUser('bodypw', 'pw-bodypw', [{ role: 'member', projectId: p }]);
    const t = await f.login('bodypw', 'pw-bodypw', { project: { id: p } });
    assert.equal((await validate(admin, t)).statusCode, 200);
    assert.equal((await validate(admin, t, '?nocatalog')).statusCode, 200);
    const pw = await f.call(admin, { method: 'PATCH', url: `/identity/v3/users/${uid}`, payload: { user: { password: 'pw-bodypw-2' } } });
    assert.equal(pw.statusCode, 200);
    assert.equal((await validate(admin, t)).statusCode, 404);
    assert.equal((await validate(admin, t, '?nocatalog')).statusCode, 404);
  });

  test('disabling the user ends validation of its tokens at once', async () => {
    const admin = await f.adminToken();
    const p = await f.makeProject('bodyoff');
    const uid = await f.makeUser('bodyoff', 'pw-bodyoff', [{ role: 'member', projectId: p }]);
    const t = await f.login('bodyoff', 'pw-bodyoff', { project: { id: p } });
    assert.equal((await validate(admin, t)).statusCode, 200);
    assert.equal((await validate(admin, t, '?nocatalog')).statusCode, 200);
    const off = await f.call(admin, { method: 'PATCH', url: `/identity/v3/users/${uid}`, payload: { user: { enabled: false } } });
    assert.equal(off.statusCode, 200);
    assert.equal((await validate(admin, t)).statusCode, 404);
    assert.equal((await validate(admin, t, '?nocatalog')).statusCode, 404);
  });

  test('a role unassigned through the API ends validation of the user\'s tokens on that project', async () => {
    const admin = await f.adminToken();
    const p = await f.makeProject('bodyunassign');
    const uid = await f.makeUser('bodyunassign', 'pw-bodyunassign', [{ role: 'member', projectId: p }]);
    const t = await f.login('bodyunassign', 'pw-bodyunassign', { project: { id: p } });
    assert.equal((await validate(admin, t)).statusCode, 200);
    const del = await f.call(admin, { method: 'DELETE', url: `/identity/v3/projects/${p}/users/${uid}/roles/${f.roles.member}` });
    assert.equal(del.statusCode, 204);
    assert.equal((await validate(admin, t)).statusCode, 404);
  });
});

describe('auth catalog, projects, domains, system', () => {
  test('catalog needs a project-scoped token (403 otherwise)', async () => {
    const admin = await f.adminToken();
    const c = await f.call(admin, { method: 'GET', url: '/identity/v3/auth/catalog' });
    assert.equal(c.statusCode, 200);
    assert.equal(json(c).catalog[0].name, 'keystone');
    assert.equal(json(c).links.self, `${BASE_URL}/v3/auth/catalog`);
    const unscoped = await f.login('admin', ADMIN_PASSWORD, 'unscoped');
    assert.equal((await f.call(unscoped, { method: 'GET', url: '/identity/v3/auth/catalog' })).statusCode, 403);
  });

  test('a service added through the API is in the next catalog (cache emptied by catalog writes)', async () => {
    const admin = await f.adminToken();
    const names = async () => json(await f.call(admin, { method: 'GET', url: '/identity/v3/auth/catalog' })).catalog.map((s: any) => s.name);
    assert.deepEqual(await names(), ['keystone']);
    const svc = await f.call(admin, { method: 'POST', url: '/identity/v3/services', payload: { service: { type: 'image', name: 'glance' } } });
    assert.equal(svc.statusCode, 201);
    const sid = json(svc).service.id;
    const ep = await f.call(admin, { method: 'POST', url: '/identity/v3/endpoints', payload: { endpoint: { service_id: sid, interface: 'public', url: 'http://img/$(project_id)s', region_id: 'RegionOne' } } });
    assert.equal(ep.statusCode, 201);
    const catalog = json(await f.call(admin, { method: 'GET', url: '/identity/v3/auth/catalog' })).catalog;
    const glance = catalog.find((s: any) => s.name === 'glance');
    assert.equal(glance.endpoints[0].url, `http://img/${f.adminProjectId}`, 'templates filled per project');
    assert.equal((await f.call(admin, { method: 'DELETE', url: `/identity/v3/endpoints/${json(ep).endpoint.id}` })).statusCode, 204);
    assert.deepEqual(json(await f.call(admin, { method: 'GET', url: '/identity/v3/auth/catalog' })).catalog.find((s: any) => s.name === 'glance').endpoints, []);
  });

  test('projects, domains and system the user can scope to', async () => {
    const p = await f.makeProject('listme');
    await f.makeUser('lister', 'pw-lister', [{ role: 'reader', projectId: p }]);
    const t = await f.login('lister', 'pw-lister', 'unscoped');
    const projects = json(await f.call(t, { method: 'GET', url: '/identity/v3/auth/projects' }));
    assert.deepEqual(projects.projects.map((x: any) => x.id), [p]);
    assert.equal(projects.projects[0].links.self, `${BASE_URL}/v3/projects/${p}`);
    assert.deepEqual(json(await f.call(t, { method: 'GET', url: '/identity/v3/auth/domains' })).domains, []);
    assert.deepEqual(json(await f.call(t, { method: 'GET', url: '/identity/v3/auth/system' })).system, []);
    const admin = await f.adminToken();
    assert.deepEqual(json(await f.call(admin, { method: 'GET', url: '/identity/v3/auth/system' })).system, [{ all: true }]);
  });
});
