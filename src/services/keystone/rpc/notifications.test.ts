/**
 * Keystone's notifications on the in-process bus, after API calls through the auth fixture (the
 * identity routes over the real managers): event types, payloads (CADF and basic), publisher
 * id, opt-out, the noop driver, a bus that is down, and the token cache invalidations.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TOKEN_CACHE_INVALIDATE_EVENT } from '../../../common/auth/token-invalidation.js';
import { getTransport, NotificationListener, type BusLogger, type Transport } from '../../../common/messaging/index.js';
import { TEST_DIALECTS } from '../../../common/db/testing/dialects.js';
import { Hints } from '../lib/hints.js';
import { ADMIN_PASSWORD, authFixture, passwordAuth, type AuthFixture } from '../testing/auth-fixture.js';
import { IdentityNotifier } from './audit.js';
import { resourceUuid } from './cadf.js';
import type { NotificationConfig } from './options.js';

interface Received {
  publisherId: string;
  eventType: string;
  payload: any;
}

const quiet: BusLogger = { debug() {}, info() {}, warn() {}, error() {} };
let run = 0;

/** A cloud's worth of identity on its own in-process bus, with a listener recording INFO notifications. */
class Setup {
  received: Received[] = [];
  errors: string[] = [];
  f!: AuthFixture;
  notifier!: IdentityNotifier;
  transport!: Transport;
  private listener!: NotificationListener;

  async start(config: Partial<NotificationConfig> = {}): Promise<this> {
    this.transport = await getTransport(`inproc://keystone_notifications_${process.pid}_${run++}`, { log: quiet });
    this.listener = new NotificationListener(this.transport, [{ topic: 'notifications' }], [{
      info: (_ctx, publisherId, eventType, payload) => { this.received.push({ publisherId, eventType, payload }); },
    }]);
    await this.listener.start();
    const log: BusLogger = { ...quiet, error: (_o, msg) => { this.errors.push(String(msg)); } };
    this.notifier = new IdentityNotifier({
      transport: this.transport, host: 'testhost', log,
      config: { format: 'cadf', optOut: ['identity.authenticate.success', 'identity.authenticate.pending'], driver: 'messaging', topics: ['notifications'], ...config },
      identityServiceId: async () => this.identityServiceId(),
    });
    this.f = await authFixture({}, TEST_DIALECTS[0]!, { audit: this.notifier });
    await this.settle();
    this.received.length = 0;
    return this;
  }

  async identityServiceId(): Promise<string | undefined> {
    return (await this.f.res.m.catalog.listServices(new Hints().add('type', 'identity')))[0]?.id;
  }

  /** Every notification made so far sent and delivered (the in-process bus delivers in order). */
  async settle(): Promise<void> {
    await this.notifier.settled();
    const marker = `marker-${Math.random()}`;
    this.notifier.invalidateTokens(marker, 'all');
    await this.notifier.settled();
    const deadline = Date.now() + 5000;
    while (!this.received.some((r) => r.payload?.reason === marker)) {
      if (Date.now() > deadline) assert.fail('notifications were not delivered');
      await new Promise((r) => setTimeout(r, 2));
    }
    this.received = this.received.filter((r) => r.payload?.reason !== marker);
  }

  /** The notifications of these types received since the last call, in order. */
  async take(...types: string[]): Promise<Received[]> {
    await this.settle();
    const out = this.received.filter((r) => types.includes(r.eventType));
    this.received.length = 0;
    return out;
  }

  async close(): Promise<void> {
    await this.f.close();
    await this.listener.stop();
    await this.transport.close();
  }
}

const api = async (f: AuthFixture, token: string, method: string, url: string, payload?: unknown) => {
  const r = await f.call(token, { method: method as 'GET', url: `/identity/v3${url}`, ...(payload !== undefined ? { payload: payload as object } : {}) });
  return { status: r.statusCode, body: r.body ? JSON.parse(r.body) : undefined };
};

describe('identity notifications, CADF (the default format)', () => {
  let s: Setup;
  let admin: string;
  before(async () => {
    s = await new Setup().start();
    admin = await s.f.adminToken();
  });
  after(() => s.close());

  test('a project created through the API: identity.project.created, a CADF event with resource_info', async () => {
    await s.take();
    const r = await api(s.f, admin, 'POST', '/projects', { project: { name: 'notified', domain_id: 'default' } });
    assert.equal(r.status, 201);
    const id = r.body.project.id;
    const [n, ...rest] = await s.take('identity.project.created');
    assert.equal(rest.length, 0);
    assert.equal(n!.publisherId, 'identity.testhost');
    const p = n!.payload;
    assert.equal(p.typeURI, 'http://schemas.dmtf.org/cloud/audit/1.0/event');
    assert.equal(p.eventType, 'activity');
    assert.equal(p.action, 'created.project');
    assert.equal(p.outcome, 'success');
    assert.equal(p.resource_info, id);
    assert.deepEqual(p.target, { typeURI: 'data/security/project', id });
    assert.deepEqual(p.observer, { typeURI: 'service/security', id: await s.identityServiceId() });
    assert.match(p.eventTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+0000$/);
    assert.match(p.id, /^[0-9a-f-]{36}$/);
    assert.equal(p.initiator.typeURI, 'service/security/account/user');
    assert.equal(p.initiator.id, resourceUuid(s.f.adminUserId));
    assert.equal(p.initiator.user_id, s.f.adminUserId);
    assert.equal(p.initiator.name, 'admin');
    assert.equal(p.initiator.project_id, s.f.adminProjectId);
    assert.equal(p.initiator.host.address, '127.0.0.1');
    assert.match(p.initiator.request_id, /^req-/);
  });

  test('a domain is a project: created is identity.domain.created; updated and deleted send both', async () => {
    await s.take();
    const d = await api(s.f, admin, 'POST', '/domains', { domain: { name: 'notified-domain' } });
    assert.equal(d.status, 201);
    const id = d.body.domain.id;
    assert.deepEqual((await s.take('identity.domain.created', 'identity.project.created')).map((n) => [n.eventType, n.payload.resource_info]),
      [['identity.domain.created', id]]);
    assert.equal((await api(s.f, admin, 'PATCH', `/domains/${id}`, { domain: { enabled: false } })).status, 200);
    const updated = await s.take('identity.project.updated', 'identity.domain.updated', 'identity.domain.disabled', 'identity.project.disabled');
    assert.deepEqual(updated.map((n) => [n.eventType, n.payload.resource_info]),
      [['identity.project.updated', id], ['identity.domain.updated', id]], 'disabled is internal only, as upstream');
    assert.equal((await api(s.f, admin, 'DELETE', `/domains/${id}`)).status, 204);
    const deleted = await s.take('identity.project.deleted', 'identity.domain.deleted');
    assert.deepEqual(deleted.map((n) => [n.eventType, n.payload.resource_info]), [['identity.project.deleted', id], ['identity.domain.deleted', id]]);
  });

  test('role assignments: identity.role_assignment.created / deleted with role, user and project', async () => {
    const userId = await s.f.makeUser('assignee', 'pw-assignee');
    await s.take();
    const path = `/projects/${s.f.adminProjectId}/users/${userId}/roles/${s.f.roles.reader}`;
    assert.equal((await api(s.f, admin, 'PUT', path)).status, 204);
    assert.equal((await api(s.f, admin, 'DELETE', path)).status, 204);
    const [created, deleted] = await s.take('identity.role_assignment.created', 'identity.role_assignment.deleted');
    for (const [n, op] of [[created, 'created'], [deleted, 'deleted']] as const) {
      assert.equal(n!.eventType, `identity.role_assignment.${op}`);
      assert.equal(n!.payload.action, `${op}.role_assignment`);
      assert.equal(n!.payload.role, s.f.roles.reader);
      assert.equal(n!.payload.user, userId);
      assert.equal(n!.payload.project, s.f.adminProjectId);
      assert.equal(n!.payload.inherited_to_projects, false);
      assert.equal(n!.payload.target.typeURI, 'service/security/account/user');
    }
  });

  test('a failed password authentication: identity.authenticate with outcome failure; success is opted out', async () => {
    const userId = await s.f.makeUser('authenticated', 'right-password');
    await s.take();
    assert.equal((await s.f.issue(passwordAuth('authenticated', 'wrong-password'))).statusCode, 401);
    assert.equal((await s.f.issue(passwordAuth('authenticated', 'right-password'))).statusCode, 201);
    const events = await s.take('identity.authenticate');
    assert.equal(events.length, 1);
    const p = events[0]!.payload;
    assert.equal(p.action, 'authenticate');
    assert.equal(p.outcome, 'failure');
    assert.equal(p.initiator.user_id, userId);
    assert.equal(p.initiator.username, 'authenticated');
    assert.equal(p.target.typeURI, 'service/security/account/user');
  });

  test('trusts and application credentials', async () => {
    const trustee = await s.f.makeUser('trustee', 'pw-trustee');
    await s.take();
    const t = await api(s.f, admin, 'POST', '/OS-TRUST/trusts', { trust: {
      trustor_user_id: s.f.adminUserId, trustee_user_id: trustee, project_id: s.f.adminProjectId, impersonation: false, roles: [{ name: 'reader' }],
    } });
    assert.equal(t.status, 201);
    assert.equal((await api(s.f, admin, 'DELETE', `/OS-TRUST/trusts/${t.body.trust.id}`)).status, 204);
    const ac = await api(s.f, admin, 'POST', `/users/${s.f.adminUserId}/application_credentials`, { application_credential: { name: 'notified' } });
    assert.equal(ac.status, 201);
    assert.equal((await api(s.f, admin, 'DELETE', `/users/${s.f.adminUserId}/application_credentials/${ac.body.application_credential.id}`)).status, 204);
    const got = await s.take('identity.OS-TRUST:trust.created', 'identity.OS-TRUST:trust.deleted', 'identity.application_credential.created', 'identity.application_credential.deleted');
    assert.deepEqual(got.map((n) => [n.eventType, n.payload.resource_info, n.payload.target.typeURI]), [
      ['identity.OS-TRUST:trust.created', t.body.trust.id, 'data/security/trust'],
      ['identity.OS-TRUST:trust.deleted', t.body.trust.id, 'data/security/trust'],
      ['identity.application_credential.created', ac.body.application_credential.id, 'data/security/credential'],
      ['identity.application_credential.deleted', ac.body.application_credential.id, 'data/security/credential'],
    ]);
  });
});

describe('identity notifications, basic format', () => {
  let s: Setup;
  let admin: string;
  before(async () => {
    s = await new Setup().start({ format: 'basic', optOut: ['identity.role.created'] });
    admin = await s.f.adminToken();
  });
  after(() => s.close());

  test('users, groups, membership, regions, services, endpoints, policies, limits: {"resource_info": id}', async () => {
    await s.take();
    const user = (await api(s.f, admin, 'POST', '/users', { user: { name: 'basic-user', domain_id: 'default' } })).body.user.id;
    assert.equal((await api(s.f, admin, 'PATCH', `/users/${user}`, { user: { enabled: false } })).status, 200);
    const group = (await api(s.f, admin, 'POST', '/groups', { group: { name: 'basic-group', domain_id: 'default' } })).body.group.id;
    assert.equal((await api(s.f, admin, 'PUT', `/groups/${group}/users/${user}`)).status, 204);
    assert.equal((await api(s.f, admin, 'DELETE', `/groups/${group}/users/${user}`)).status, 204);
    assert.equal((await api(s.f, admin, 'POST', '/regions', { region: { id: 'BasicRegion' } })).status, 201);
    const service = (await api(s.f, admin, 'POST', '/services', { service: { type: 'compute', name: 'nova' } })).body.service.id;
    const endpoint = (await api(s.f, admin, 'POST', '/endpoints', { endpoint: { service_id: service, interface: 'public', url: 'http://nova', region_id: 'BasicRegion' } })).body.endpoint.id;
    const policy = (await api(s.f, admin, 'POST', '/policies', { policy: { type: 'application/json', blob: '{}' } })).body.policy.id;
    const reg = await api(s.f, admin, 'POST', '/registered_limits', { registered_limits: [{ service_id: service, resource_name: 'cores', default_limit: 10 }] });
    assert.equal(reg.status, 201);
    assert.equal((await api(s.f, admin, 'DELETE', `/users/${user}`)).status, 204);
    const got = await s.take(
      'identity.user.created', 'identity.user.updated', 'identity.user.disabled', 'identity.user.deleted', 'identity.group.created', 'identity.group.updated',
      'identity.region.created', 'identity.service.created', 'identity.endpoint.created', 'identity.policy.created', 'identity.registered_limit.created',
    );
    assert.ok(got.every((n) => n.publisherId === 'identity.testhost'));
    assert.deepEqual(got.map((n) => [n.eventType, n.payload]), [
      ['identity.user.created', { resource_info: user }],
      ['identity.user.updated', { resource_info: user }],
      ['identity.group.created', { resource_info: group }],
      ['identity.group.updated', { resource_info: group, actor_id: user, actor_type: 'user', actor_operation: 'added' }],
      ['identity.group.updated', { resource_info: group, actor_id: user, actor_type: 'user', actor_operation: 'removed' }],
      ['identity.region.created', { resource_info: 'BasicRegion' }],
      ['identity.service.created', { resource_info: service }],
      ['identity.endpoint.created', { resource_info: endpoint }],
      ['identity.policy.created', { resource_info: policy }],
      ['identity.registered_limit.created', { resource_info: reg.body.registered_limits[0].id }],
      ['identity.user.deleted', { resource_info: user }],
    ]);
  });

  test('role assignments stay CADF; an opted-out event type is not sent', async () => {
    await s.take();
    const role = (await api(s.f, admin, 'POST', '/roles', { role: { name: 'opted-out' } })).body.role.id;
    assert.equal((await api(s.f, admin, 'PUT', `/projects/${s.f.adminProjectId}/users/${s.f.adminUserId}/roles/${role}`)).status, 204);
    assert.equal((await api(s.f, admin, 'PATCH', `/roles/${role}`, { role: { description: 'x' } })).status, 200);
    const got = await s.take('identity.role.created', 'identity.role.updated', 'identity.role_assignment.created');
    assert.deepEqual(got.map((n) => n.eventType), ['identity.role_assignment.created', 'identity.role.updated']);
    assert.equal(got[0]!.payload.action, 'created.role_assignment');
    assert.deepEqual(got[1]!.payload, { resource_info: role });
  });
});

describe('token cache invalidations', () => {
  let s: Setup;
  let admin: string;
  before(async () => {
    s = await new Setup().start({ driver: 'noop' });
    admin = await s.f.adminToken();
  });
  after(() => s.close());

  test('revoking a token announces its audit id (sent even with the noop driver, which silences the rest)', async () => {
    const token = await s.f.login('admin', ADMIN_PASSWORD, { project: { id: s.f.adminProjectId } });
    const auditId = (await s.f.call(admin, { method: 'GET', url: '/identity/v3/auth/tokens', headers: { 'x-subject-token': token } })).json().token.audit_ids[0];
    await s.take();
    const r = await s.f.call(admin, { method: 'DELETE', url: '/identity/v3/auth/tokens', headers: { 'x-subject-token': token } });
    assert.equal(r.statusCode, 204);
    assert.equal((await api(s.f, admin, 'POST', '/projects', { project: { name: 'silenced', domain_id: 'default' } })).status, 201);
    const got = await s.take(TOKEN_CACHE_INVALIDATE_EVENT, 'identity.project.created');
    assert.deepEqual(got.map((n) => [n.eventType, n.publisherId, n.payload]), [
      [TOKEN_CACHE_INVALIDATE_EVENT, 'identity.testhost', { reason: 'revocation_event', audit_id: auditId }],
    ]);
  });

  test('disabling a project or a user, removing a role assignment, deleting a role', async () => {
    const project = await s.f.makeProject('to-disable');
    const userId = await s.f.makeUser('to-lose-roles', 'pw', [{ role: 'member', projectId: project }]);
    const role = (await api(s.f, admin, 'POST', '/roles', { role: { name: 'to-delete' } })).body.role.id;
    await s.take();
    assert.equal((await api(s.f, admin, 'PATCH', `/projects/${project}`, { project: { enabled: false } })).status, 200);
    assert.equal((await api(s.f, admin, 'DELETE', `/projects/${project}/users/${userId}/roles/${s.f.roles.member}`)).status, 204);
    assert.equal((await api(s.f, admin, 'PATCH', `/users/${userId}`, { user: { enabled: false } })).status, 200);
    assert.equal((await api(s.f, admin, 'DELETE', `/roles/${role}`)).status, 204);
    const got = (await s.take(TOKEN_CACHE_INVALIDATE_EVENT)).map((n) => n.payload);
    assert.deepEqual(got, [
      { reason: 'project.disabled', project_id: project },
      { reason: 'role_assignment.deleted', user_id: userId },
      { reason: 'revocation_event', user_id: userId },
      { reason: 'role.deleted', role_id: role },
    ]);
  });
});

describe('a bus that is down', () => {
  test('the API call succeeds and the failure is logged', async () => {
    const s = await new Setup().start();
    try {
      const admin = await s.f.adminToken();
      await s.transport.close();
      const r = await api(s.f, admin, 'POST', '/projects', { project: { name: 'bus-down', domain_id: 'default' } });
      assert.equal(r.status, 201);
      await s.notifier.settled();
      assert.ok(s.errors.some((m) => m.includes('identity.project.created')), s.errors.join('\n'));
    } finally {
      await s.f.close();
    }
  });
});
