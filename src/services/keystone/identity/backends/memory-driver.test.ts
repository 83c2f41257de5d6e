/**
 * The identity driver layer is real: an in-memory IdentityDriver (below, a few Maps) plugged in
 * through the driver registry by `[identity] driver = memory` serves users and groups behind
 * the IdentityManager, which keeps its rules, while the other subsystems stay on SQL and still
 * hear the identity events. An unknown driver name stops the start with an OperatorError.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { OperatorError, Unauthorized } from '../../../../common/errors.js';
import { createLogger } from '../../../../common/log/logger.js';
import { AccountLocked, duplicateEntry, KeystoneConflict } from '../../errors.js';
import { applyHints, type Hints } from '../../lib/hints.js';
import { KeystoneEvents } from '../../events.js';
import { createManagers } from '../../service.js';
import { makeDomain, resourceFixture, type ResourceFixture } from '../../testing/resource-fixture.js';
import type {
  GroupCreate, GroupMembership, GroupRecord, GroupUpdate, IdentityDriver, UserCreate, UserRecord, UserUpdate,
} from './base.js';
import { identityDrivers } from './registry.js';

interface StoredUser {
  user: UserRecord;
  password: string | null | undefined;
  /** A toy lockout: the driver decides what its credentials allow. */
  failures: number;
}

const MAX_FAILURES = 3;

/** Users and groups in memory; passwords in clear (it is a test). */
class MemoryIdentityDriver implements IdentityDriver {
  readonly users = new Map<string, StoredUser>();
  readonly groups = new Map<string, GroupRecord>();
  readonly members = new Map<string, Set<string>>();

  private stored(userId: string): StoredUser | undefined {
    return this.users.get(userId);
  }

  private copy(u: UserRecord): UserRecord {
    return structuredClone(u);
  }

  async authenticate(userId: string, password: string): Promise<UserRecord> {
    const s = this.stored(userId);
    if (!s) throw new Unauthorized();
    if (s.failures >= MAX_FAILURES) throw new AccountLocked(userId);
    if (!s.password || s.password !== password) {
      s.failures++;
      throw new Unauthorized();
    }
    s.failures = 0;
    return this.copy(s.user);
  }

  async createUser(u: UserCreate): Promise<UserRecord> {
    if ([...this.users.values()].some((s) => s.user.name === u.name && s.user.domain_id === u.domain_id)) {
      throw new KeystoneConflict('user', duplicateEntry('name', u.name, u.domain_id));
    }
    const user: UserRecord = {
      ...u.extra, id: u.id, name: u.name, domain_id: u.domain_id, enabled: u.enabled, password_expires_at: null, options: u.options,
      ...(u.default_project_id ? { default_project_id: u.default_project_id } : {}),
    };
    this.users.set(u.id, { user, password: u.password, failures: 0 });
    return this.copy(user);
  }

  async getUser(userId: string): Promise<UserRecord | undefined> {
    const s = this.stored(userId);
    return s ? this.copy(s.user) : undefined;
  }

  async getUserByName(name: string, domainId: string): Promise<UserRecord | undefined> {
    const s = [...this.users.values()].find((x) => x.user.name === name && x.user.domain_id === domainId);
    return s ? this.copy(s.user) : undefined;
  }

  async listUsers(hints: Hints): Promise<UserRecord[]> {
    return applyHints([...this.users.values()].map((s) => this.copy(s.user)).sort((a, b) => a.id.localeCompare(b.id)), hints);
  }

  async updateUser(userId: string, u: UserUpdate): Promise<UserRecord> {
    const s = this.stored(userId)!;
    const { default_project_id: dp, password, extra, ...fields } = u;
    s.user = { ...s.user, ...extra, ...fields };
    if (dp !== undefined) {
      if (dp) s.user.default_project_id = dp;
      else delete s.user.default_project_id;
    }
    if (password !== undefined) s.password = password;
    if (u.enabled) s.failures = 0;
    return this.copy(s.user);
  }

  async changePassword(userId: string, newPassword: string): Promise<void> {
    this.stored(userId)!.password = newPassword;
  }

  async deleteUser(userId: string): Promise<void> {
    this.users.delete(userId);
    for (const m of this.members.values()) m.delete(userId);
  }

  async unsetDefaultProjectId(projectId: string): Promise<void> {
    for (const s of this.users.values()) if (s.user.default_project_id === projectId) delete s.user.default_project_id;
  }

  async passwordMatches(userId: string, password: string): Promise<boolean> {
    return this.stored(userId)?.password === password;
  }

  async createGroup(g: GroupCreate): Promise<GroupRecord> {
    const group: GroupRecord = { ...g.extra, id: g.id, name: g.name, domain_id: g.domain_id, description: g.description ?? '' };
    this.groups.set(g.id, group);
    this.members.set(g.id, new Set());
    return { ...group };
  }

  async getGroup(groupId: string): Promise<GroupRecord | undefined> {
    const g = this.groups.get(groupId);
    return g ? { ...g } : undefined;
  }

  async getGroupByName(name: string, domainId: string): Promise<GroupRecord | undefined> {
    return [...this.groups.values()].find((g) => g.name === name && g.domain_id === domainId);
  }

  async listGroups(hints: Hints): Promise<GroupRecord[]> {
    return applyHints([...this.groups.values()], hints);
  }

  async updateGroup(groupId: string, u: GroupUpdate): Promise<GroupRecord> {
    const g = { ...this.groups.get(groupId)!, ...u.extra, name: u.name, description: u.description ?? '' };
    this.groups.set(groupId, g);
    return { ...g };
  }

  async deleteGroup(groupId: string): Promise<void> {
    this.groups.delete(groupId);
    this.members.delete(groupId);
  }

  async addUserToGroup(userId: string, groupId: string): Promise<void> {
    this.members.get(groupId)!.add(userId);
  }

  async checkUserInGroup(userId: string, groupId: string): Promise<boolean> {
    return this.members.get(groupId)?.has(userId) ?? false;
  }

  async removeUserFromGroup(userId: string, groupId: string): Promise<boolean> {
    return this.members.get(groupId)?.delete(userId) ?? false;
  }

  async listUsersInGroup(groupId: string, hints: Hints): Promise<UserRecord[]> {
    const ids = [...(this.members.get(groupId) ?? [])].sort();
    return applyHints(ids.map((id) => this.copy(this.stored(id)!.user)), hints);
  }

  async listGroupsForUser(userId: string, hints: Hints): Promise<GroupMembership[]> {
    const groups = [...this.groups.values()].filter((g) => this.members.get(g.id)?.has(userId));
    return applyHints(groups.map((g) => ({ ...g, membership_expires_at: null })), hints);
  }
}

describe('an in-memory identity driver behind the IdentityManager', () => {
  let f: ResourceFixture;
  const memory = new MemoryIdentityDriver();
  before(async () => {
    f = await resourceFixture({ identity: { driver: 'memory' } }, undefined, {
      drivers: { identity: identityDrivers.with('memory', () => memory) },
    });
    await makeDomain(f.m);
  });
  after(() => f.close());

  const sqlUsers = async (): Promise<number> =>
    (await f.database.db.selectFrom('identity_user').select('id').execute()).length;

  test('users are created, read and authenticated through the Manager, stored by the driver', async () => {
    const u = await f.m.identity.createUser({ name: ' ada ', domain_id: 'default', password: 'secret', email: 'ada@example.com' });
    assert.equal(u.name, 'ada', 'the Manager trims the name');
    assert.match(u.id, /^[0-9a-f]{32}$/, 'the Manager makes the id');
    assert.equal(u.email, 'ada@example.com');
    assert.deepEqual(await f.m.identity.getUser(u.id), u);
    assert.equal((await f.m.identity.getUserByName('ada', 'default')).id, u.id);
    assert.equal((await f.m.identity.authenticate(u.id, 'secret')).id, u.id);
    await assert.rejects(f.m.identity.authenticate(u.id, 'wrong'), (e: { status?: number }) => e.status === 401);
    assert.ok(memory.users.has(u.id));
    assert.equal(await sqlUsers(), 0, 'nothing reached the SQL identity tables');
  });

  test("the Manager's rules apply whatever the driver", async () => {
    await assert.rejects(f.m.identity.createUser({ name: 'nobody', domain_id: 'nowhere' }), /Could not find domain: nowhere/);
    await assert.rejects(f.m.identity.createUser({ name: 'ada', domain_id: 'default' }), /Duplicate entry found with name ada at domain ID default/);
    await assert.rejects(f.m.identity.getUser('missing'), /Could not find user: missing/);
  });

  test('the driver decides what its credentials allow (its own lockout)', async () => {
    const u = await f.m.identity.createUser({ name: 'bob', domain_id: 'default', password: 'pw' });
    for (let i = 0; i < MAX_FAILURES; i++) await assert.rejects(f.m.identity.authenticate(u.id, 'bad'));
    await assert.rejects(f.m.identity.authenticate(u.id, 'pw'), /The account is locked for user/);
  });

  test('groups and membership go through the driver; events reach the SQL subsystems', async () => {
    const u = await f.m.identity.createUser({ name: 'carol', domain_id: 'default', password: 'pw' });
    const g = await f.m.identity.createGroup({ name: 'devs', domain_id: 'default' });
    await f.m.identity.addUserToGroup(u.id, g.id);
    assert.deepEqual((await f.m.identity.listUsersInGroup(g.id)).map((x) => x.id), [u.id]);
    assert.deepEqual((await f.m.identity.listGroupsForUser(u.id)).map((x) => x.id), [g.id]);
    // A credential (SQL) of the user goes when the user (memory) is deleted: the credential
    // manager's callback on user.deleted.
    const cred = await f.m.credentials.createCredential({ user_id: u.id, type: 'cert', blob: 'x' });
    await f.m.identity.deleteUser(u.id);
    assert.ok(!memory.users.has(u.id));
    assert.equal(await f.m.credentials.findCredential(cred.id), undefined);
    assert.ok(f.emitted.some(([n, p]) => n === 'user.deleted' && (p as { userId: string }).userId === u.id));
  });

  test('an unknown driver name is an OperatorError naming the known drivers', () => {
    const config = { ...f.config, identity: { ...f.config.identity, driver: 'ldap' } };
    assert.throws(
      () => createManagers({ db: f.database.db, config, authConfig: f.authConfig, events: new KeystoneEvents(), log: createLogger({ level: 'silent' }) }),
      (e: Error) => e instanceof OperatorError && e.message === 'unknown identity driver "ldap" in [identity] driver (known: sql)',
    );
  });
});
