import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Kysely } from 'kysely';
import type { AuthDB } from '../db/auth-schema.js';
import { resourceFixture, type ResourceFixture } from '../testing/resource-fixture.js';
import { KeystoneEvents } from '../events.js';
import { SqlRevokeDriver } from './backends/sql.js';
import { RevokeManager } from './core.js';
import { eventToApi, matches, newRevokeEvent, type TokenValues } from './model.js';

const NOW = 1_800_000_000;
const token = (over: Partial<TokenValues> = {}): TokenValues => ({
  issuedAt: NOW - 10, expiresAt: NOW + 3600, auditId: 'audit-1', auditChainId: null, userId: 'u1', identityDomainId: 'd1',
  projectId: 'p1', assignmentDomainId: 'd1', roleIds: ['r1', 'r2'], trustId: null, trustorId: null, trusteeId: null, ...over,
});
const ev = (init: Parameters<typeof newRevokeEvent>[0]) => newRevokeEvent(init, NOW);

describe('revocation event matching', () => {
  test('by audit id (a single token)', () => {
    assert.equal(matches(ev({ auditId: 'audit-1' }), token()), true);
    assert.equal(matches(ev({ auditId: 'audit-2' }), token()), false);
  });

  test('by user: the user, or the trustor / trustee of a trust token', () => {
    assert.equal(matches(ev({ userId: 'u1' }), token()), true);
    assert.equal(matches(ev({ userId: 'u2' }), token()), false);
    assert.equal(matches(ev({ userId: 'u2' }), token({ trustId: 't', trustorId: 'u2', trusteeId: 'u1' })), true);
  });

  test('by project, by domain (the user\'s or the scope\'s), by user and project, by role, by trust', () => {
    assert.equal(matches(ev({ projectId: 'p1' }), token()), true);
    assert.equal(matches(ev({ projectId: 'p2' }), token()), false);
    assert.equal(matches(ev({ domainId: 'd1' }), token({ assignmentDomainId: 'd9' })), true);
    assert.equal(matches(ev({ domainId: 'd9' }), token({ assignmentDomainId: 'd9' })), true);
    assert.equal(matches(ev({ domainId: 'd9' }), token()), false);
    assert.equal(matches(ev({ userId: 'u1', projectId: 'p1' }), token()), true);
    assert.equal(matches(ev({ userId: 'u1', projectId: 'p2' }), token()), false);
    assert.equal(matches(ev({ roleId: 'r2' }), token()), true);
    assert.equal(matches(ev({ roleId: 'r9' }), token()), false);
    assert.equal(matches(ev({ trustId: 't1' }), token({ trustId: 't1' })), true);
    assert.equal(matches(ev({ trustId: 't1' }), token()), false);
  });

  test('a domain with an expiry revokes that domain-scoped token only (domain_scope_id)', () => {
    const e = ev({ domainId: 'd1', expiresAt: NOW + 3600 });
    assert.equal(e.domainScopeId, 'd1');
    assert.equal(e.domainId, null);
    assert.equal(matches(e, token({ projectId: null })), true);
    assert.equal(matches(e, token({ projectId: null, expiresAt: NOW + 60 })), false);
  });

  test('only tokens issued at or before the event are revoked', () => {
    assert.equal(matches(ev({ userId: 'u1' }), token({ issuedAt: NOW })), true, 'same second, as upstream');
    assert.equal(matches(ev({ userId: 'u1' }), token({ issuedAt: NOW + 1 })), false);
  });

  test('API form of an event', () => {
    assert.deepEqual(eventToApi(ev({ auditId: 'a', trustId: 't' })), {
      audit_id: 'a', 'OS-TRUST:trust_id': 't', issued_before: '2027-01-15T08:00:00.000000Z', revoked_at: '2027-01-15T08:00:00.000000Z',
    });
  });
});

describe('RevokeManager', () => {
  let res: ResourceFixture;
  let db: Kysely<AuthDB>;
  before(async () => {
    res = await resourceFixture();
    db = res.database.db as unknown as Kysely<AuthDB>;
  });
  after(async () => { await res.close(); });

  const now = (): number => Math.floor(Date.now() / 1000);
  const manager = (retentionSeconds: number): RevokeManager =>
    new RevokeManager(new SqlRevokeDriver(db), { retentionSeconds, events: new KeystoneEvents() });

  test('stored events revoke at once, reach listeners, and are listed', async () => {
    const m = manager(5400);
    await m.load();
    const heard: string[] = [];
    m.onRevoke((e) => heard.push(e.userId ?? e.auditId ?? '?'));
    const t = token({ issuedAt: now() - 5, userId: 'user-a', auditId: 'aud-a' });
    assert.equal(m.isRevoked(t), false);
    await m.revokeByUser('user-a');
    assert.equal(m.isRevoked(t), true);
    assert.equal(m.isRevoked({ ...t, userId: 'user-b' }), false);
    await m.revokeByAuditId('aud-x');
    assert.deepEqual(heard, ['user-a', 'aud-x']);
    const listed = await m.listEvents();
    assert.ok(listed.some((e) => e.userId === 'user-a') && listed.some((e) => e.auditId === 'aud-x'));
    assert.equal((await m.listEvents(Date.now() + 60_000)).length, 0);
  });

  test('every kind of event', async () => {
    const m = manager(5400);
    await m.load();
    const t = (over: Partial<TokenValues>) => token({ issuedAt: now() - 5, userId: 'k-user', auditId: 'k-audit', projectId: 'k-proj', ...over });
    await m.revokeByProject('k-proj');
    assert.equal(m.isRevoked(t({})), true);
    await m.revokeByDomain('k-dom');
    assert.equal(m.isRevoked(t({ projectId: 'other', identityDomainId: 'k-dom' })), true);
    await m.revokeByTrust('k-trust');
    assert.equal(m.isRevoked(t({ projectId: 'other', trustId: 'k-trust' })), true);
    await m.revokeByUserAndProject('k-user2', 'k-proj2');
    assert.equal(m.isRevoked(t({ userId: 'k-user2', projectId: 'k-proj2' })), true);
    assert.equal(m.isRevoked(t({ userId: 'k-user2', projectId: 'other' })), false);
    await m.revokeByRole('k-role');
    assert.equal(m.isRevoked(t({ projectId: 'other', roleIds: ['k-role'] })), true);
    assert.equal(m.isRevoked(t({ projectId: 'other', roleIds: ['other'] })), false);
  });

  test('a second process sharing the database picks events up with sync()', async () => {
    const a = manager(5400);
    const b = manager(5400);
    await a.load();
    await b.load();
    const t = token({ issuedAt: now() - 5, userId: 'shared-user' });
    await a.revokeByUser('shared-user');
    assert.equal(b.isRevoked(t), false);
    await b.sync();
    assert.equal(b.isRevoked(t), true);
    const c = manager(5400);
    await c.load();
    assert.equal(c.isRevoked(t), true, 'a restarted process loads stored events');
  });

  test('events older than the retention are pruned when new ones are written', async () => {
    const m = manager(60);
    await m.load();
    await m.revoke({ userId: 'old-user', revokedAt: now() - 3600, issuedBefore: now() - 3600 });
    await m.revokeByUser('fresh-user');
    const stored = await m.listEvents();
    assert.ok(!stored.some((e) => e.userId === 'old-user'));
    assert.ok(stored.some((e) => e.userId === 'fresh-user'));
    assert.equal(m.isRevoked(token({ issuedAt: now() - 7200, userId: 'old-user' })), false);
  });
});
