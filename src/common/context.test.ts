/**
 * RequestContext to its message form and back (oslo.context's to_dict / from_dict), and the
 * policy credentials of a rebuilt context.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TokenInfo } from './auth/token-info.js';
import { RequestContext } from './context.js';

const token: TokenInfo = {
  userId: 'u1', userName: 'alice', userDomainId: 'd-users', userDomainName: 'Users',
  projectId: 'p1', projectName: 'demo', projectDomainId: 'd-projects', projectDomainName: 'Projects',
  system: false, roles: ['member', 'reader'], roleIds: ['r-m', 'r-r'], methods: ['password'],
  expiresAt: '2030-01-01T00:00:00.000000Z', issuedAt: '2029-12-31T23:00:00.000000Z', auditIds: ['a1'], isAdminProject: false,
};
const serviceToken: TokenInfo = {
  ...token, userId: 'nova-user', userName: 'nova', projectId: 'service-p', projectName: 'service', roles: ['service', 'admin'], isAdminProject: true,
};

function apiContext(): RequestContext {
  return new RequestContext({
    requestId: 'req-5a1d3c2e-0f5b-4d8e-9a3c-2b1e4f6a7c8d',
    globalRequestId: 'req-0b6e2f4a-1c3d-4e5f-8a9b-0c1d2e3f4a5b',
    token: 'gAAAA-user', auth: token, serviceAuth: serviceToken,
  });
}

describe('RequestContext.fromMessage', () => {
  test('is the inverse of toMessageContext: ids, names, scope, roles, admin flags, token, service user', () => {
    const ctx = apiContext();
    const wire = JSON.parse(JSON.stringify(ctx.toMessageContext())) as Record<string, unknown>;
    const back = RequestContext.fromMessage(wire);
    assert.equal(back.requestId, ctx.requestId);
    assert.equal(back.globalRequestId, ctx.globalRequestId);
    assert.equal(back.token, 'gAAAA-user');
    assert.equal(back.auth, undefined, 'no token was validated here');
    assert.deepEqual(back.identity, {
      userId: 'u1', userName: 'alice', userDomainId: 'd-users', userDomainName: 'Users',
      projectId: 'p1', projectName: 'demo', projectDomainId: 'd-projects', projectDomainName: 'Projects',
      system: false, roles: ['member', 'reader'], isAdminProject: false,
    });
    assert.equal(back.serviceIdentity?.userId, 'nova-user');
    assert.deepEqual(back.serviceIdentity?.roles, ['service', 'admin']);
    assert.equal(back.isAdmin, false);
    assert.deepEqual(back.toMessageContext(), ctx.toMessageContext(), 'a second trip changes nothing');
    assert.deepEqual(back.toPolicyCredentials(), ctx.toPolicyCredentials(), 'policy sees the same caller');
  });

  test('the wire form has oslo.context short keys and Nova id keys', () => {
    const wire = apiContext().toMessageContext();
    assert.equal(wire['user'], 'u1');
    assert.equal(wire['user_id'], 'u1');
    assert.equal(wire['project'], 'p1');
    assert.equal(wire['project_id'], 'p1');
    assert.equal(wire['user_domain'], 'd-users');
    assert.equal(wire['project_domain'], 'd-projects');
    assert.equal(wire['user_identity'], 'u1 p1 - d-users d-projects');
    assert.equal(wire['is_admin_project'], false);
    assert.equal(wire['service_user_id'], 'nova-user');
    assert.equal('service_user_id' in new RequestContext({ requestId: 'req-x', auth: token }).toMessageContext(), false);
  });

  test('system scope and domain scope survive; is_admin as sent wins over the roles', () => {
    const sys = new RequestContext({ requestId: 'r', auth: { ...token, projectId: undefined, system: true, roles: ['admin'] } as TokenInfo });
    const back = RequestContext.fromMessage(sys.toMessageContext());
    assert.equal(back.systemScope, true);
    assert.equal(back.isAdmin, true);
    assert.equal(back.toPolicyCredentials()['system_scope'], 'all');
    const dom = RequestContext.fromMessage({ request_id: 'r', user_id: 'u', domain_id: 'dom', roles: ['admin'], is_admin: false });
    assert.equal(dom.domainId, 'dom');
    assert.equal(dom.isAdmin, false);
    const elevated = RequestContext.fromMessage({ request_id: 'r', roles: [], is_admin: true });
    assert.equal(elevated.isAdmin, true);
  });

  test('reads what Python senders write (oslo short keys, tenant) and ignores values of the wrong type', () => {
    const back = RequestContext.fromMessage({
      request_id: 'req-1', user: 'u9', tenant: 'p9', user_domain: 'default', project_domain: 'default',
      roles: ['member', 7, null], is_admin: 'yes', auth_token: null, global_request_id: 12, system_scope: null,
    });
    assert.equal(back.userId, 'u9');
    assert.equal(back.projectId, 'p9');
    assert.deepEqual(back.roles, ['member']);
    assert.equal(back.isAdmin, false);
    assert.equal(back.token, undefined);
    assert.equal(back.globalRequestId, undefined);
    assert.equal(back.identity?.isAdminProject, true, "oslo's default");
  });

  test('an empty context gets a new request id and no identity', () => {
    const back = RequestContext.fromMessage({});
    assert.match(back.requestId, /^req-[0-9a-f-]{36}$/);
    assert.equal(back.identity, undefined);
    assert.equal(back.serviceIdentity, undefined);
    assert.deepEqual(back.roles, []);
    assert.equal(back.toPolicyCredentials()['user_id'], null);
  });

  test('an API context keeps its token facts in auth; its identity is that token', () => {
    const ctx = apiContext();
    assert.equal(ctx.auth, token);
    assert.equal(ctx.identity, token);
    assert.equal(ctx.serviceIdentity, serviceToken);
    assert.equal(ctx.isAdmin, false);
    assert.equal(new RequestContext({ requestId: 'r', auth: { ...token, roles: ['admin'] } }).isAdmin, true);
  });
});
