/**
 * Token cache invalidations: the payload mapping, HttpTokenValidator.forget(), and the
 * RevocationListener on the in-process bus driving a real HttpTokenValidator (over a stand-in
 * session that counts validations).
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ServiceSession } from '../clients/session.js';
import { getTransport, Notifier, type BusLogger } from '../messaging/index.js';
import { HttpTokenValidator } from './http-validator.js';
import { RevocationListener, revocationPoolName } from './revocation-listener.js';
import type { KeystoneTokenBody } from './token-body.js';
import type { TokenInfo } from './token-info.js';
import { matchFromPayload, payloadFromMatch, TOKEN_CACHE_INVALIDATE_EVENT, tokenMatches } from './token-invalidation.js';

const quiet: BusLogger = { debug() {}, info() {}, warn() {}, error() {} };

function body(id: string, over: Partial<KeystoneTokenBody> = {}): KeystoneTokenBody {
  return {
    methods: ['password'],
    user: { id: `user-${id}`, name: id, domain: { id: 'ud', name: 'UD' } },
    project: { id: `project-${id}`, name: 'p', domain: { id: 'pd', name: 'PD' } },
    roles: [{ id: 'r-member', name: 'member' }],
    expires_at: new Date(Date.now() + 3600_000).toISOString(),
    issued_at: new Date().toISOString(),
    audit_ids: [`audit-${id}`],
    ...over,
  };
}

/** A session answering GET /auth/tokens from `tokens`, counting the calls per token. */
function fakeSession(tokens: Map<string, KeystoneTokenBody>, gate?: () => Promise<void>) {
  const calls = new Map<string, number>();
  const session = {
    async request(_service: string, _method: string, _path: string, opts: { headers: Record<string, string> }) {
      const id = opts.headers['x-subject-token']!;
      calls.set(id, (calls.get(id) ?? 0) + 1);
      if (gate) await gate();
      const token = tokens.get(id);
      if (!token) throw Object.assign(new Error('not found'), { status: 404 });
      return { status: 200, headers: {}, body: { token } };
    },
  } as unknown as ServiceSession;
  return { session, calls };
}

function info(over: Partial<TokenInfo> = {}): TokenInfo {
  return {
    userId: 'u1', userName: 'u', userDomainId: 'ud', userDomainName: '', projectId: 'p1', projectDomainId: 'pd', system: false,
    roles: ['member'], roleIds: ['r1'], methods: ['password'], expiresAt: '', issuedAt: '', auditIds: ['a1', 'chain'], isAdminProject: false,
    ...over,
  };
}

describe('token cache invalidation payloads', () => {
  test('a payload maps to a match and back', () => {
    const payload = payloadFromMatch('revocation_event', { userId: 'u1', projectId: 'p1' });
    assert.deepEqual(payload, { reason: 'revocation_event', user_id: 'u1', project_id: 'p1' });
    assert.deepEqual(matchFromPayload(payload), { userId: 'u1', projectId: 'p1' });
    assert.deepEqual(payloadFromMatch('role.deleted', 'all'), { reason: 'role.deleted', all: true });
    assert.equal(matchFromPayload({ reason: 'x', all: true }), 'all');
    assert.equal(matchFromPayload({ reason: 'x' }), 'all', 'no attribute: every token, as a revocation event');
  });

  test('malformed payloads are not matches', () => {
    for (const bad of [null, 'x', [], { user_id: 7 }, { audit_id: '' }]) assert.equal(matchFromPayload(bad), undefined, JSON.stringify(bad));
  });

  test('a token matches when every attribute given agrees', () => {
    assert.ok(tokenMatches(info(), { userId: 'u1', projectId: 'p1' }));
    assert.ok(!tokenMatches(info(), { userId: 'u1', projectId: 'p2' }));
    assert.ok(tokenMatches(info(), { auditId: 'a1' }));
    assert.ok(!tokenMatches(info(), { auditId: 'chain' }), 'audit_id is the token\'s own');
    assert.ok(tokenMatches(info(), { auditChainId: 'chain' }));
    for (const d of ['ud', 'pd']) assert.ok(tokenMatches(info(), { domainId: d }), d);
    assert.ok(tokenMatches(info({ projectId: undefined, domainId: 'scope' }), { domainId: 'scope' }));
    assert.ok(!tokenMatches(info(), { domainId: 'other' }));
    assert.ok(tokenMatches(info(), { roleId: 'r1' }));
    assert.ok(!tokenMatches(info(), { roleId: 'r2' }));
    assert.ok(tokenMatches(info({ trustId: 't1' }), { trustId: 't1' }));
    assert.ok(tokenMatches(info({ trustId: 't1' }), { userId: 'the-trustor' }), 'a trust token may belong to the trustor');
    assert.ok(tokenMatches(info({ applicationCredentialId: 'ac' }), { applicationCredentialId: 'ac' }));
    assert.ok(!tokenMatches(info(), { applicationCredentialId: 'ac' }));
  });
});

describe('HttpTokenValidator.forget', () => {
  test('drops matching tokens only; all flushes; an empty match drops nothing', async () => {
    const tokens = new Map([['t1', body('1')], ['t2', body('2', { domain: { id: 'dom', name: 'D' } })]]);
    const { session, calls } = fakeSession(tokens);
    const v = new HttpTokenValidator(session, { cacheSeconds: 60 });
    await v.validate('t1');
    await v.validate('t2');
    assert.equal(v.cachedTokens, 2);
    v.forget({});
    assert.equal(v.cachedTokens, 2);
    v.forget({ userId: 'user-1', projectId: 'project-2' });
    assert.equal(v.cachedTokens, 2, 'both attributes must agree');
    v.forget({ domainId: 'dom' });
    assert.equal(v.cachedTokens, 1);
    await v.validate('t1');
    assert.equal(calls.get('t1'), 1, 't1 still cached');
    v.forget('all');
    assert.equal(v.cachedTokens, 0);
    await v.validate('t1');
    assert.equal(calls.get('t1'), 2);
  });

  test('a validation under way when a forget happens is not cached', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const { session, calls } = fakeSession(new Map([['t1', body('1')]]), () => gate);
    const v = new HttpTokenValidator(session, { cacheSeconds: 60 });
    const running = v.validate('t1');
    await new Promise((r) => setImmediate(r));
    v.forget({ auditId: 'audit-1' });
    release();
    await running;
    assert.equal(v.cachedTokens, 0);
    await v.validate('t1');
    assert.equal(calls.get('t1'), 2);
  });
});

describe('RevocationListener', async () => {
  const url = `inproc://revocation_${process.pid}_${Date.now()}`;
  const transport = await getTransport(url, { log: quiet, controlExchange: 'revocation_test' });
  after(() => transport.close());
  const identity = new Notifier(transport, { publisherId: 'identity.host1', log: quiet });

  async function waitFor(cond: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 5000;
    while (!cond()) {
      if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  test('a revocation notification makes every process forget the token', async () => {
    const tokens = new Map([['t1', body('1')], ['t2', body('2')]]);
    const a = fakeSession(tokens);
    const b = fakeSession(tokens);
    const va = new HttpTokenValidator(a.session);
    const vb = new HttpTokenValidator(b.session);
    const la = new RevocationListener(transport, va, { pool: revocationPoolName('host-a', 9292, 'image'), log: quiet });
    const lb = new RevocationListener(transport, vb, { pool: revocationPoolName('host-b', 9696, 'network'), log: quiet });
    await la.start();
    await lb.start();
    try {
      for (const v of [va, vb]) {
        await v.validate('t1');
        await v.validate('t2');
      }
      await identity.info({}, TOKEN_CACHE_INVALIDATE_EVENT, payloadFromMatch('revocation_event', { auditId: 'audit-1' }));
      await waitFor(() => va.cachedTokens === 1 && vb.cachedTokens === 1, 'both caches to drop t1');
      await va.validate('t2');
      assert.equal(a.calls.get('t2'), 1, 't2 is still cached');
      await va.validate('t1');
      assert.equal(a.calls.get('t1'), 2, 't1 is validated again');
    } finally {
      await la.stop();
      await lb.stop();
    }
  });

  test('other event types, other publishers and malformed payloads are ignored', async () => {
    const tokens = new Map([['t1', body('1')]]);
    const { session } = fakeSession(tokens);
    const v = new HttpTokenValidator(session);
    const warnings: string[] = [];
    const log: BusLogger = { ...quiet, warn: (_o, msg) => { warnings.push(String(msg)); } };
    const l = new RevocationListener(transport, v, { pool: revocationPoolName('host-c', 1, 'image'), log });
    await l.start();
    try {
      await v.validate('t1');
      await identity.info({}, 'identity.project.deleted', { reason: 'x', all: true });
      await new Notifier(transport, { publisherId: 'image.host1', log: quiet }).info({}, TOKEN_CACHE_INVALIDATE_EVENT, { reason: 'x', all: true });
      await identity.info({}, TOKEN_CACHE_INVALIDATE_EVENT, { reason: 'x', user_id: 42 });
      await waitFor(() => warnings.length === 1, 'the malformed payload to be seen');
      assert.equal(v.cachedTokens, 1);
      await identity.info({}, TOKEN_CACHE_INVALIDATE_EVENT, { reason: 'role.deleted', all: true });
      await waitFor(() => v.cachedTokens === 0, 'the flush');
    } finally {
      await l.stop();
    }
  });
});
