import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TokenInfo } from '../../../common/auth/token-info.js';
import { RequestContext } from '../../../common/context.js';
import { keystoneDefaultRules } from './index.js';
import { defaultKeystonePolicy, enforceCall } from './enforcer.js';

function ctx(over: Partial<TokenInfo>): RequestContext {
  const auth: TokenInfo = {
    userId: 'u1', userName: 'u1', userDomainId: 'default', userDomainName: 'Default', system: false, roles: [], roleIds: [],
    methods: ['password'], expiresAt: '', issuedAt: '', auditIds: [], isAdminProject: false, ...over,
  };
  return new RequestContext({ requestId: 'req-1', auth });
}

const policy = defaultKeystonePolicy();
const allowed = (c: RequestContext, action: string, input = {}) => {
  try {
    enforceCall(policy, c, action, input);
    return true;
  } catch (e) {
    assert.equal((e as Error).message, `You are not authorized to perform the requested action: ${action}.`);
    return false;
  }
};

describe('keystone policy defaults', () => {
  test('every identity API has a rule, names are unique', () => {
    const names = keystoneDefaultRules.map((r) => r.name);
    assert.equal(new Set(names).size, names.length);
    for (const n of ['identity:list_users', 'identity:create_project', 'identity:list_role_assignments', 'identity:get_domain_config_default',
      'identity:create_registered_limits', 'identity:validate_token', 'identity:create_trust', 'identity:create_application_credential']) {
      assert.ok(names.includes(n), n);
    }
  });

  test('admin (any scope), system reader, domain reader, member, owner', () => {
    const projectAdmin = ctx({ projectId: 'p', projectDomainId: 'default', roles: ['admin', 'member', 'reader'] });
    const member = ctx({ projectId: 'p', projectDomainId: 'default', roles: ['member', 'reader'] });
    const systemReader = ctx({ system: true, roles: ['reader'] });
    const domainReader = ctx({ domainId: 'd1', roles: ['reader'] });
    assert.equal(allowed(projectAdmin, 'identity:create_user', { target: { user: { domain_id: 'default' } } }), true);
    assert.equal(allowed(member, 'identity:create_user', { target: { user: { domain_id: 'default' } } }), false);
    assert.equal(allowed(systemReader, 'identity:list_users'), true);
    assert.equal(allowed(systemReader, 'identity:delete_user', { target: { user: { domain_id: 'default' } } }), false);
    assert.equal(allowed(domainReader, 'identity:list_users', { target: { domain_id: 'd1' } }), true);
    assert.equal(allowed(domainReader, 'identity:get_user', { target: { user: { id: 'x', domain_id: 'd1' } } }), true);
    assert.equal(allowed(domainReader, 'identity:get_user', { target: { user: { id: 'x', domain_id: 'd2' } } }), false);
    assert.equal(allowed(member, 'identity:get_user', { target: { user: { id: 'u1', domain_id: 'default' } } }), true);
    assert.equal(allowed(member, 'identity:get_project', { target: { project: { id: 'p', domain_id: 'default' } } }), true);
    assert.equal(allowed(member, 'identity:get_project', { target: { project: { id: 'q', domain_id: 'default' } } }), false);
  });
});
