// The auth side's SQL on every dialect: revocation events, trusts (with use counting) and
// application credentials (roles, access rules, unique names) through the API. PostgreSQL and
// MySQL run when NUBO_TEST_POSTGRES_URL / NUBO_TEST_MYSQL_URL are set.
import assert from 'node:assert/strict';
import { describe, test } from '../../../common/testing/node-test.js';
import { TEST_DIALECTS } from '../../../common/db/testing/dialects.js';
import { ADMIN_PASSWORD, authFixture } from '../testing/auth-fixture.js';

const json = (r: { body: string }): any => JSON.parse(r.body);

for (const dialect of TEST_DIALECTS) {
  describe(`auth side on ${dialect.dialect}`, { skip: dialect.skip }, () => {
    test('tokens, revocation, trusts and application credentials', async () => {
      const f = await authFixture({}, dialect);
      try {
        const project = await f.makeProject('dproj');
        const uid = await f.makeUser('duser', 'pw-duser', [{ role: 'member', projectId: project }]);
        const token = await f.login('duser', 'pw-duser', { project: { id: project } });
        const admin = await f.adminToken();
        const check = (t: string) => f.call(admin, { method: 'GET', url: '/identity/v3/auth/tokens', headers: { 'x-subject-token': t } });
        assert.equal((await check(token)).statusCode, 200);
        assert.equal((await f.call(admin, { method: 'DELETE', url: '/identity/v3/auth/tokens', headers: { 'x-subject-token': token } })).statusCode, 204);
        assert.equal((await check(token)).statusCode, 404);
        assert.ok(json(await f.call(admin, { method: 'GET', url: '/identity/v3/OS-REVOKE/events' })).events.length >= 1);

        const utoken = await f.login('duser', 'pw-duser', { project: { id: project } });
        const acUrl = `/identity/v3/users/${uid}/application_credentials`;
        const created = await f.call(utoken, { method: 'POST', url: acUrl, payload: { application_credential: {
          name: 'dac', expires_at: '2099-01-01T00:00:00.123456', access_rules: [{ service: 'image', path: '/v2/images', method: 'GET' }],
        } } });
        assert.equal(created.statusCode, 201, created.body);
        const ac = json(created).application_credential;
        assert.equal(ac.expires_at, '2099-01-01T00:00:00.123456');
        assert.equal((await f.call(utoken, { method: 'POST', url: acUrl, payload: { application_credential: { name: 'dac' } } })).statusCode, 409);
        assert.equal(json(await f.call(utoken, { method: 'GET', url: acUrl })).application_credentials.length, 1);
        assert.equal((await f.issue({ identity: { methods: ['application_credential'], application_credential: { id: ac.id, secret: ac.secret } } })).statusCode, 201);
        const rule = ac.access_rules[0].id;
        assert.equal((await f.call(utoken, { method: 'DELETE', url: `/identity/v3/users/${uid}/access_rules/${rule}` })).statusCode, 403);
        assert.equal((await f.call(utoken, { method: 'DELETE', url: `${acUrl}/${ac.id}` })).statusCode, 204);
        assert.equal((await f.call(utoken, { method: 'DELETE', url: `/identity/v3/users/${uid}/access_rules/${rule}` })).statusCode, 204);

        const trustor = await f.login('admin', ADMIN_PASSWORD, { project: { id: f.adminProjectId } });
        const t = json(await f.call(trustor, { method: 'POST', url: '/identity/v3/OS-TRUST/trusts', payload: { trust: {
          trustor_user_id: f.adminUserId, trustee_user_id: uid, project_id: f.adminProjectId, impersonation: false, roles: [{ name: 'reader' }], remaining_uses: 1,
        } } })).trust;
        const trustAuth = { identity: { methods: ['password'], password: { user: { id: uid, password: 'pw-duser' } } }, scope: { 'OS-TRUST:trust': { id: t.id } } };
        assert.equal((await f.issue(trustAuth)).statusCode, 201);
        assert.equal((await f.issue(trustAuth)).statusCode, 401, 'the only use is consumed');
      } finally {
        await f.close();
      }
    });
  });
}
