import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TokenInfo } from '../../../common/auth/token-info.js';
import { RequestContext } from '../../../common/context.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Enforcer, ServicePolicy } from '../../../common/policy/index.js';
import { ForbiddenAction } from '../errors.js';
import { keystoneDefaultRules } from './index.js';
import { defaultKeystonePolicy, enforceCall, enforceCallRemembered, flattenDict, keystoneCredentials, keystonePolicyOptions } from './enforcer.js';

const info = (over: Partial<TokenInfo> = {}): TokenInfo => ({
  userId: 'u1', userName: 'alice', userDomainId: 'default', userDomainName: 'Default', projectId: 'p1', projectName: 'demo',
  projectDomainId: 'default', projectDomainName: 'Default', system: false, roles: ['member'], roleIds: ['r1'], methods: ['password'],
  expiresAt: '', issuedAt: '', auditIds: [], isAdminProject: false, ...over,
});

test('credentials are built once per token and reused by later requests with it', () => {
  const auth = info();
  const first = keystoneCredentials(new RequestContext({ requestId: 'req-1', auth }));
  const second = keystoneCredentials(new RequestContext({ requestId: 'req-2', auth }));
  assert.equal(second, first);
  assert.equal(first.user_id, 'u1');
  assert.equal(first.project_id, 'p1');
  assert.deepEqual(first.roles, ['member']);
  assert.deepEqual((first.token as { project: unknown }).project, { id: 'p1', name: 'demo', domain: { id: 'default', name: 'Default' } });
  // Another token (even with equal contents) has its own.
  const other = keystoneCredentials(new RequestContext({ requestId: 'req-3', auth: info({ roles: ['admin'], roleIds: ['r9'] }) }));
  assert.deepEqual(other.roles, ['admin']);
});

test('a request with a service token gets credentials with the service values, never the memo', () => {
  const auth = info();
  const plain = keystoneCredentials(new RequestContext({ requestId: 'req-1', auth }));
  const serviceAuth = info({ userId: 'nova', roles: ['service'], roleIds: ['rs'] });
  const withService = keystoneCredentials(new RequestContext({ requestId: 'req-2', auth, serviceAuth }));
  assert.notEqual(withService, plain);
  assert.equal(withService.service_user_id, 'nova');
  assert.deepEqual(withService.service_roles, ['service']);
  assert.equal(plain.service_user_id, null);
  assert.equal(keystoneCredentials(new RequestContext({ requestId: 'req-3', auth })), plain);
});

test('decisions with reused credentials follow the target of each request', () => {
  const policy = defaultKeystonePolicy();
  const auth = info();
  const target = (userId: string) => ({ target: { token: { user_id: userId, user: { domain: { id: 'default' } } } } });
  const check = (userId: string) => {
    try {
      enforceCall(policy, new RequestContext({ requestId: 'r', auth }), 'identity:validate_token', target(userId));
      return true;
    } catch {
      return false;
    }
  };
  assert.equal(check('u1'), true);
  assert.equal(check('someone-else'), false);
  assert.equal(check('u1'), true);
});

test('flattenDict makes dotted keys of nested objects and keeps lists and scalars', () => {
  assert.deepEqual(flattenDict({ a: 1, b: { c: 'x', d: { e: null, f: [1, { g: 2 }] } }, h: [] }), {
    a: 1, 'b.c': 'x', 'b.d.e': null, 'b.d.f': [1, { g: 2 }], h: [],
  });
  assert.deepEqual(flattenDict({}), {});
});

test('flattenDict stays right past the bound of its key cache (keys from request bodies)', () => {
  const body: Record<string, Record<string, number>> = {};
  for (let i = 0; i < 600; i++) body[`k${i}`] = Object.fromEntries(Array.from({ length: 300 }, (_, j) => [`f${j}`, i * 1000 + j]));
  for (let round = 0; round < 2; round++) {
    const flat = flattenDict({ request_body: body });
    assert.equal(Object.keys(flat).length, 600 * 300);
    assert.equal(flat['request_body.k599.f299'], 599_299);
    assert.equal(flat['request_body.k0.f0'], 0);
  }
});

test('remembered allowances: per caller and target key, never a denial, forgotten when the policy file is reloaded', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nubo-policy-'));
  try {
    const policyFile = join(dir, 'policy.yaml');
    writeFileSync(policyFile, '"identity:check_token": "!"\n');
    const policy = new ServicePolicy(
      new Enforcer({ defaults: keystoneDefaultRules, policyFile, enforceScope: false, enforceNewDefaults: false }),
      keystonePolicyOptions,
    );
    const alice = info();
    const ctx = new RequestContext({ requestId: 'req-1', auth: alice });
    const own = { token: { user_id: 'u1', user: { domain: { id: 'default' } } } };
    const other = { token: { user_id: 'u2', user: { domain: { id: 'default' } } } };
    const ownKey = {};
    const otherKey = {};
    const validate = (target: typeof own, key: object) => enforceCallRemembered(policy, ctx, 'identity:validate_token', target, key);
    validate(own, ownKey);
    validate(own, ownKey); // remembered
    // Remembered per action: check_token (denied by the file) is decided on its own.
    assert.throws(() => enforceCallRemembered(policy, ctx, 'identity:check_token', own, ownKey), ForbiddenAction);
    assert.throws(() => validate(other, otherKey), ForbiddenAction);
    assert.throws(() => validate(other, otherKey), ForbiddenAction, 'a denial is decided again, and again denied');
    // The operator takes the right away: the remembered allowance goes with the reload.
    writeFileSync(policyFile, '"identity:validate_token": "!"\n');
    policy.enforcer.reload();
    assert.throws(() => validate(own, ownKey), ForbiddenAction);
    // Another caller with the same target is decided for itself.
    writeFileSync(policyFile, '"identity:validate_token": "user_id:u9"\n');
    policy.enforcer.reload();
    assert.throws(() => validate(own, ownKey), ForbiddenAction);
    enforceCallRemembered(policy, new RequestContext({ requestId: 'req-2', auth: info({ userId: 'u9' }) }), 'identity:validate_token', own, ownKey);
    assert.throws(() => validate(own, ownKey), ForbiddenAction);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
