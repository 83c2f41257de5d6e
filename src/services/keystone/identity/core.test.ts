import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeDomain, resourceFixture, type ResourceFixture } from '../testing/resource-fixture.js';
import { Hints } from '../lib/hints.js';

describe('UserManager and GroupManager', () => {
  let f: ResourceFixture;
  before(async () => {
    f = await resourceFixture();
    await makeDomain(f.m);
  });
  after(() => f.close());

  test('create, get, duplicate name, extra attributes, no password in output', async () => {
    const u = await f.m.identity.createUser({ name: ' alice ', domain_id: 'default', password: 'secret', email: 'a@example.com' });
    assert.equal(u.name, 'alice');
    assert.equal(u.email, 'a@example.com');
    assert.equal(u.enabled, true);
    assert.equal(u.password_expires_at, null);
    assert.deepEqual(u.options, {});
    assert.equal('password' in u, false);
    await assert.rejects(f.m.identity.createUser({ name: 'alice', domain_id: 'default' }),
      (e: Error) => e.message === 'Conflict occurred attempting to store user - Duplicate entry found with name alice at domain ID default.');
    await assert.rejects(f.m.identity.getUser('nope'), /Could not find user: nope\./);
    assert.equal((await f.m.identity.getUserByName('alice', 'default')).id, u.id);
  });

  test('authenticate: wrong password is 401, success resets the failure count', async () => {
    const u = await f.m.identity.createUser({ name: 'bob', domain_id: 'default', password: 'pw' });
    await assert.rejects(f.m.identity.authenticate(u.id, 'bad'), (e: { status?: number }) => e.status === 401);
    assert.equal((await f.m.identity.authenticate(u.id, 'pw')).id, u.id);
    await f.m.identity.updateUser(u.id, { enabled: false });
    await assert.rejects(f.m.identity.authenticate(u.id, 'pw'), /The account is disabled for user/);
    assert.ok(f.emitted.some(([n]) => n === 'user.disabled'));
  });

  test('update: password change emits an event; domain cannot change', async () => {
    const u = await f.m.identity.createUser({ name: 'carol', domain_id: 'default', password: 'one' });
    await f.m.identity.updateUser(u.id, { password: 'two', description: 'd' });
    assert.ok(f.emitted.some(([n, p]) => n === 'user.password_changed' && (p as { userId: string }).userId === u.id));
    assert.equal((await f.m.identity.getUser(u.id)).description, 'd');
    await f.m.identity.authenticate(u.id, 'two');
    await assert.rejects(f.m.identity.updateUser(u.id, { domain_id: 'other' }), /Cannot change Domain ID/);
  });

  test('password_expires_at filter', async () => {
    const list = await f.m.identity.listUsers(new Hints().add('password_expires_at', 'lt:2000-01-01T00:00:00Z'));
    assert.deepEqual(list, []);
    await assert.rejects(f.m.identity.listUsers(new Hints().add('password_expires_at', 'xx:2000-01-01T00:00:00Z')), /operator xx is not valid/);
    await assert.rejects(f.m.identity.listUsers(new Hints().add('password_expires_at', 'lt:garbage')), /Timestamp not in expected format/);
  });

  test('groups: membership, listing, removal event', async () => {
    const g = await f.m.identity.createGroup({ name: 'devs', domain_id: 'default' });
    const u = await f.m.identity.createUser({ name: 'dave', domain_id: 'default' });
    await f.m.identity.addUserToGroup(u.id, g.id);
    await f.m.identity.addUserToGroup(u.id, g.id);
    await f.m.identity.checkUserInGroup(u.id, g.id);
    assert.deepEqual((await f.m.identity.listUsersInGroup(g.id)).map((x) => x.id), [u.id]);
    const groups = await f.m.identity.listGroupsForUser(u.id);
    assert.equal(groups[0]!.membership_expires_at, null);
    await f.m.identity.removeUserFromGroup(u.id, g.id);
    await assert.rejects(f.m.identity.checkUserInGroup(u.id, g.id), new RegExp(`User '${u.id}' not found in group '${g.id}'`));
    assert.ok(f.emitted.some(([n]) => n === 'user.removed_from_group'));
    await assert.rejects(f.m.identity.createGroup({ name: 'devs', domain_id: 'default' }), /store group - Duplicate entry found with name devs at domain ID default/);
  });
});

describe('security compliance', () => {
  let f: ResourceFixture;
  before(async () => {
    f = await resourceFixture({
      securityCompliance: {
        lockout_failure_attempts: 2, lockout_duration: 1800, unique_last_password_count: 2, minimum_password_age: 0,
        password_regex: '^(?=.*\\d)(?=.*[a-zA-Z]).{7,}$', password_regex_description: 'at least 7 characters with a letter and a digit',
        password_expires_days: 90,
      },
    });
    await makeDomain(f.m);
  });
  after(() => f.close());

  test('password regex', async () => {
    await assert.rejects(f.m.identity.createUser({ name: 'weak', domain_id: 'default', password: 'short' }),
      (e: Error) => e.message === 'The password does not match the requirements: at least 7 characters with a letter and a digit.');
  });

  test('password expiry is set', async () => {
    const u = await f.m.identity.createUser({ name: 'exp', domain_id: 'default', password: 'abcdef1' });
    assert.match(u.password_expires_at!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000000$/);
    const exempt = await f.m.identity.createUser({ name: 'exempt', domain_id: 'default', password: 'abcdef1', options: { ignore_password_expiry: true } });
    assert.equal(exempt.password_expires_at, null);
  });

  test('lockout after failed attempts, unless ignored; enabling the user unlocks', async () => {
    const u = await f.m.identity.createUser({ name: 'locky', domain_id: 'default', password: 'abcdef1' });
    await assert.rejects(f.m.identity.authenticate(u.id, 'wrong11'));
    await assert.rejects(f.m.identity.authenticate(u.id, 'wrong11'));
    await assert.rejects(f.m.identity.authenticate(u.id, 'abcdef1'), /The account is locked for user/);
    await f.m.identity.updateUser(u.id, { enabled: true });
    await f.m.identity.authenticate(u.id, 'abcdef1');
    await f.m.identity.updateUser(u.id, { options: { ignore_lockout_failure_attempts: true } });
    for (let i = 0; i < 3; i++) await assert.rejects(f.m.identity.authenticate(u.id, 'wrong11'), (e: Error) => !/locked/.test(e.message));
    await f.m.identity.authenticate(u.id, 'abcdef1');
  });

  test('password history and self-service change', async () => {
    const u = await f.m.identity.createUser({ name: 'hist', domain_id: 'default', password: 'first11' });
    await assert.rejects(f.m.identity.changePassword(u.id, 'bad', 'second2'), (e: { status?: number }) => e.status === 401);
    await f.m.identity.changePassword(u.id, 'first11', 'second2');
    await assert.rejects(f.m.identity.changePassword(u.id, 'second2', 'first11'), /cannot be identical to a previous password\. The total number which includes the new password must be unique is 2\./);
    await f.m.identity.changePassword(u.id, 'second2', 'third33');
    // Only the last 2 count: the first password may come back.
    await f.m.identity.changePassword(u.id, 'third33', 'first11');
    await f.m.identity.updateUser(u.id, { options: { lock_password: true } });
    await assert.rejects(f.m.identity.changePassword(u.id, 'first11', 'fourth4'), /password policy disallowing password changes/);
  });
});

describe('change password upon first use and minimum age', () => {
  let f: ResourceFixture;
  before(async () => {
    f = await resourceFixture({ securityCompliance: { change_password_upon_first_use: true, minimum_password_age: 1 } });
    await makeDomain(f.m);
  });
  after(() => f.close());

  test('an admin-set password is expired until changed; then the minimum age applies', async () => {
    const u = await f.m.identity.createUser({ name: 'newbie', domain_id: 'default', password: 'initial' });
    await assert.rejects(f.m.identity.authenticate(u.id, 'initial'), /The password is expired and needs to be changed for user/);
    await f.m.identity.changePassword(u.id, 'initial', 'mine');
    await f.m.identity.authenticate(u.id, 'mine');
    await assert.rejects(f.m.identity.changePassword(u.id, 'mine', 'again'), /minimum password age.*used for 1 day\(s\).*in 0 day\(s\)/);
    const ignoring = await f.m.identity.createUser({ name: 'svc', domain_id: 'default', password: 'x', options: { ignore_change_password_upon_first_use: true } });
    await f.m.identity.authenticate(ignoring.id, 'x');
  });
});
