/**
 * Role assignments on every test dialect (SQLite always; PostgreSQL and MySQL/MariaDB when
 * NUBO_TEST_POSTGRES_URL / NUBO_TEST_MYSQL_URL are set).
 */
import { after, before, describe, test } from '../../../common/testing/node-test.js';
import assert from 'node:assert/strict';
import { TEST_DIALECTS } from '../../../common/db/testing/dialects.js';
import { makeDomain, resourceFixture, type ResourceFixture } from '../testing/resource-fixture.js';
import type { AssignmentRef } from './backends/base.js';

const brief = (refs: AssignmentRef[]): string[] => refs.map((r) =>
  [r.user_id ?? `g:${r.group_id}`, r.project_id ?? (r.domain_id ? `d:${r.domain_id}` : 'system'), r.role_id,
    r.indirect ? JSON.stringify(r.indirect) : ''].join(' ')).sort();

for (const dialect of TEST_DIALECTS) {
  describe(`role assignments on ${dialect.dialect}`, { skip: dialect.skip }, () => {
    let f: ResourceFixture;
    const ids: Record<string, string> = {};
    before(async () => {
      f = await resourceFixture({}, dialect);
      const m = f.m;
      await makeDomain(m);
      for (const name of ['admin', 'member', 'reader', 'observer']) ids[name] = (await m.roles.createRole({ name }, name)).id;
      await m.roles.createImpliedRole('admin', 'member');
      await m.roles.createImpliedRole('member', 'reader');
      await m.resource.createProject('top', { name: 'top', domain_id: 'default' });
      await m.resource.createProject('child', { name: 'child', domain_id: 'default', parent_id: 'top' });
      ids.alice = (await m.identity.createUser({ name: 'alice', domain_id: 'default' })).id;
      ids.bob = (await m.identity.createUser({ name: 'bob', domain_id: 'default' })).id;
      ids.devs = (await m.identity.createGroup({ name: 'devs', domain_id: 'default' })).id;
      await m.identity.addUserToGroup(ids.bob!, ids.devs!);
    });
    after(() => f.close());

    test('grants: create is idempotent, check, list, delete emits', async () => {
      const m = f.m;
      await m.assignments.createGrant({ roleId: 'member', userId: ids.alice!, projectId: 'top' });
      await m.assignments.createGrant({ roleId: 'member', userId: ids.alice!, projectId: 'top' });
      await m.assignments.getGrant({ roleId: 'member', userId: ids.alice!, projectId: 'top' });
      assert.deepEqual((await m.assignments.listGrants({ userId: ids.alice!, projectId: 'top' })).map((r) => r.id), ['member']);
      await assert.rejects(m.assignments.getGrant({ roleId: 'reader', userId: ids.alice!, projectId: 'top' }),
        new RegExp(`Could not find role assignment with role: reader, user or group: ${ids.alice}, project, domain, or system: top\\.`));
      await m.assignments.deleteGrant({ roleId: 'member', userId: ids.alice!, projectId: 'top' });
      assert.deepEqual(f.emitted.at(-1), ['assignment.removed', { userId: ids.alice, projectId: 'top', roleId: 'member' }]);
      await assert.rejects(m.assignments.createGrant({ roleId: 'member', userId: 'ghost', projectId: 'top' }), /Could not find user: ghost/);
    });

    test('effective: groups expanded, inheritance down the tree, implied roles', async () => {
      const m = f.m;
      await m.assignments.createGrant({ roleId: 'admin', groupId: ids.devs!, projectId: 'top' });
      await m.assignments.createGrant({ roleId: 'observer', userId: ids.alice!, domainId: 'default', inherited: true });
      const direct = await m.assignments.listRoleAssignments({});
      assert.deepEqual(brief(direct), [`${ids.alice} d:default observer `, `g:${ids.devs} top admin `]);
      assert.equal(direct.find((r) => r.user_id)!.inherited_to_projects, 'projects');

      const bob = await m.assignments.listRoleAssignments({ userId: ids.bob!, effective: true });
      assert.deepEqual(brief(bob), [
        `${ids.bob} top admin {"group_id":"${ids.devs}"}`,
        `${ids.bob} top member {"group_id":"${ids.devs}","role_id":"admin"}`,
        `${ids.bob} top reader {"group_id":"${ids.devs}","role_id":"member"}`,
      ]);
      const alice = await m.assignments.listRoleAssignments({ userId: ids.alice!, effective: true });
      assert.deepEqual(brief(alice), [
        `${ids.alice} child observer {"domain_id":"default"}`,
        `${ids.alice} top observer {"domain_id":"default"}`,
      ]);
      assert.deepEqual((await m.assignments.roleIdsForUserAndProject(ids.bob!, 'top')).sort(), ['admin', 'member', 'reader']);
      assert.deepEqual(await m.assignments.roleIdsForUserAndProject(ids.bob!, 'child'), []);
      assert.deepEqual((await m.assignments.listProjectsForUser(ids.alice!)).map((p) => p.id), ['child', 'top']);
    });

    test('inherited project grant reaches the subtree only', async () => {
      const m = f.m;
      await m.assignments.createGrant({ roleId: 'reader', groupId: ids.devs!, projectId: 'top', inherited: true });
      assert.deepEqual(await m.assignments.roleIdsForUserAndProject(ids.bob!, 'child'), ['reader']);
      const tree = await m.assignments.listRoleAssignments({ projectId: 'top', includeSubtree: true, effective: true });
      assert.ok(brief(tree).includes(`${ids.bob} child reader {"group_id":"${ids.devs}","project_id":"top"}`));
      await m.assignments.deleteGrant({ roleId: 'reader', groupId: ids.devs!, projectId: 'top', inherited: true });
    });

    test('system grants and names', async () => {
      const m = f.m;
      await m.assignments.createSystemGrant({ groupId: ids.devs! }, 'member');
      assert.deepEqual((await m.assignments.roleIdsForUserOnSystem(ids.bob!)).sort(), ['member', 'reader']);
      const sys = await m.assignments.listRoleAssignments({ system: 'all', includeNames: true });
      assert.equal(sys.length, 1);
      assert.equal(sys[0]!.group_name, 'devs');
      assert.equal(sys[0]!.role_name, 'member');
      assert.deepEqual(sys[0]!.system, { all: true });
      await m.assignments.deleteSystemGrant({ groupId: ids.devs! }, 'member');
      assert.deepEqual(f.emitted.at(-1), ['assignment.removed', { groupId: ids.devs, system: true, roleId: 'member' }]);
    });

    test('domain-specific roles are stripped in effective mode but imply global ones', async () => {
      const m = f.m;
      const dr = await m.roles.createRole({ name: 'dev-role', domain_id: 'default' });
      await m.roles.createImpliedRole(dr.id, 'reader');
      await m.assignments.createGrant({ roleId: dr.id, userId: ids.alice!, projectId: 'child' });
      const roles = await m.assignments.roleIdsForUserAndProject(ids.alice!, 'child');
      assert.deepEqual(roles.sort(), ['observer', 'reader']);
      await assert.rejects(m.roles.createImpliedRole('reader', dr.id), /Global role cannot imply a domain-specific role/);
      await assert.rejects(m.roles.createImpliedRole('member', 'admin'), /admin cannot be an implied roles\./);
    });

    test('deleting a role removes its grants and emits role.deleted', async () => {
      const m = f.m;
      await m.roles.createRole({ name: 'temp' }, 'temp');
      await m.assignments.createGrant({ roleId: 'temp', userId: ids.alice!, projectId: 'top' });
      await m.roles.deleteRole('temp');
      assert.deepEqual(f.emitted.at(-1), ['role.deleted', { roleId: 'temp' }]);
      assert.equal((await m.assignments.listRoleAssignments({ roleId: 'temp' })).length, 0);
      await assert.rejects(m.roles.createRole({ name: 'admin' }), /store role - Duplicate entry found with name admin\./);
    });
  });
}
