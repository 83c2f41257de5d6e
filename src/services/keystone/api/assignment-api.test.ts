/** Roles, grants, role assignments, catalog, credentials, limits and domain configs through HTTP. */
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiFixture, type ApiFixture, BASE_URL } from '../testing/api-fixture.js';

describe('assignment and catalog APIs', () => {
  let f: ApiFixture;
  let admin: string;
  let member: string;
  const id: Record<string, string> = {};
  before(async () => {
    f = await apiFixture();
    await f.m.resource.createProject('proj', { name: 'proj', domain_id: 'default' });
    admin = f.token('admin', { userId: 'admin-user', roles: ['admin', 'member', 'reader'], projectId: 'proj', projectDomainId: 'default' });
    id.user = (await f.m.identity.createUser({ name: 'u1', domain_id: 'default' })).id;
    member = f.token('member', { userId: id.user, roles: ['member', 'reader'], projectId: 'proj', projectDomainId: 'default' });
  });
  after(() => f.close());

  test('roles and implied roles', async () => {
    for (const name of ['admin', 'member', 'reader']) {
      const r = await f.call('POST', '/v3/roles', admin, { role: { name } });
      assert.equal(r.status, 201);
      assert.equal(r.body.role.domain_id, null);
      id[name] = r.body.role.id;
    }
    const dup = await f.call('POST', '/v3/roles', admin, { role: { name: 'member' } });
    assert.equal(dup.body.error.message, 'Conflict occurred attempting to store role - Duplicate entry found with name member.');
    const imp = await f.call('PUT', `/v3/roles/${id.admin}/implies/${id.member}`, admin);
    assert.equal(imp.status, 201);
    assert.deepEqual(imp.body.role_inference.prior_role, { id: id.admin, name: 'admin', links: { self: `${BASE_URL}/v3/roles/${id.admin}` } });
    assert.equal((await f.call('PUT', `/v3/roles/${id.member}/implies/${id.reader}`, admin)).status, 201);
    assert.equal((await f.call('HEAD', `/v3/roles/${id.member}/implies/${id.reader}`, admin)).status, 204);
    assert.equal((await f.call('GET', `/v3/roles/${id.reader}/implies/${id.member}`, admin)).body.error.message, `${id.reader} does not imply ${id.member}.`);
    const inferences = await f.call('GET', '/v3/role_inferences', admin);
    assert.equal(inferences.body.role_inferences.length, 2);
    const domainRole = await f.call('POST', '/v3/roles', admin, { role: { name: 'member', domain_id: 'default' } });
    assert.equal(domainRole.status, 201);
    const listed = await f.call('GET', '/v3/roles', admin);
    assert.deepEqual(listed.body.roles.map((r: { name: string }) => r.name).sort(), ['admin', 'member', 'reader']);
    const domainRoles = await f.call('GET', '/v3/roles?domain_id=default', admin);
    assert.equal(domainRoles.body.roles.length, 1);
    assert.equal((await f.call('POST', '/v3/roles', member, { role: { name: 'x' } })).status, 403);
  });

  test('grants and effective role assignments with groups, inheritance and names', async () => {
    const gid = (await f.call('POST', '/v3/groups', admin, { group: { name: 'g' } })).body.group.id;
    await f.call('PUT', `/v3/groups/${gid}/users/${id.user}`, admin);
    assert.equal((await f.call('PUT', `/v3/projects/proj/groups/${gid}/roles/${id.admin}`, admin)).status, 204);
    assert.equal((await f.call('PUT', `/v3/projects/proj/users/${id.user}/roles/${id.reader}`, admin)).status, 204);
    assert.equal((await f.call('HEAD', `/v3/projects/proj/users/${id.user}/roles/${id.reader}`, admin)).status, 204);
    assert.equal((await f.call('HEAD', `/v3/projects/proj/users/${id.user}/roles/${id.admin}`, admin)).status, 404);
    assert.equal((await f.call('PUT', `/v3/projects/proj/users/${id.user}/roles/nope`, admin)).body.error.message, 'Could not find role: nope.');
    const grants = await f.call('GET', `/v3/projects/proj/users/${id.user}/roles`, admin);
    assert.deepEqual(grants.body.roles.map((r: { name: string }) => r.name), ['reader']);
    assert.equal((await f.call('PUT', `/v3/OS-INHERIT/domains/default/users/${id.user}/roles/${id.member}/inherited_to_projects`, admin)).status, 204);

    const direct = await f.call('GET', `/v3/role_assignments?user.id=${id.user}`, admin);
    assert.equal(direct.body.role_assignments.length, 2);
    const inherited = direct.body.role_assignments.find((a: any) => a.scope.domain);
    assert.equal(inherited.scope['OS-INHERIT:inherited_to'], 'projects');
    assert.equal(inherited.links.assignment, `${BASE_URL}/v3/OS-INHERIT/domains/default/users/${id.user}/roles/${id.member}/inherited_to_projects`);

    const eff = await f.call('GET', `/v3/role_assignments?user.id=${id.user}&scope.project.id=proj&effective&include_names`, admin);
    const summary = eff.body.role_assignments.map((a: any) => `${a.role.name}:${a.links.membership ? 'group' : ''}:${a.scope['OS-INHERIT:inherited_to'] ?? ''}`).sort();
    assert.deepEqual(summary, [
      'admin:group:', 'member::projects', 'member:group:', 'reader::', 'reader::projects', 'reader:group:',
    ]);
    const one = eff.body.role_assignments.find((a: any) => a.role.name === 'admin');
    assert.deepEqual(one.user, { id: id.user, name: 'u1', domain: { id: 'default', name: 'Default' } });
    assert.deepEqual(one.scope.project, { id: 'proj', name: 'proj', domain: { id: 'default', name: 'Default' } });
    assert.equal(one.links.membership, `${BASE_URL}/v3/groups/${gid}/users/${id.user}`);
    const implied = eff.body.role_assignments.find((a: any) => a.links.prior_role);
    assert.ok(implied);

    assert.equal((await f.call('GET', `/v3/role_assignments?group.id=${gid}&effective`, admin)).status, 400);
    assert.equal((await f.call('GET', '/v3/role_assignments?scope.project.id=proj&scope.domain.id=default', admin)).status, 400);
    assert.equal((await f.call('GET', '/v3/role_assignments?include_subtree=true', admin)).status, 400);
    const tree = await f.call('GET', '/v3/role_assignments?scope.project.id=proj&include_subtree=true', admin);
    assert.equal(tree.status, 200);
    assert.equal((await f.call('GET', '/v3/role_assignments', member)).status, 403);

    assert.equal((await f.call('DELETE', `/v3/projects/proj/groups/${gid}/roles/${id.admin}`, admin)).status, 204);
    assert.deepEqual(f.emitted.at(-1), ['assignment.removed', { groupId: gid, projectId: 'proj', roleId: id.admin }]);
    assert.equal((await f.call('DELETE', `/v3/projects/proj/groups/${gid}/roles/${id.admin}`, admin)).status, 404);
  });

  test('system grants', async () => {
    assert.equal((await f.call('PUT', `/v3/system/users/${id.user}/roles/${id.reader}`, admin)).status, 204);
    assert.equal((await f.call('HEAD', `/v3/system/users/${id.user}/roles/${id.reader}`, admin)).status, 204);
    const roles = await f.call('GET', `/v3/system/users/${id.user}/roles`, admin);
    assert.deepEqual(roles.body.roles.map((r: { name: string }) => r.name), ['reader']);
    const sys = await f.call('GET', '/v3/role_assignments?scope.system=all', admin);
    assert.deepEqual(sys.body.role_assignments[0].scope, { system: { all: true } });
    assert.equal((await f.call('DELETE', `/v3/system/users/${id.user}/roles/${id.reader}`, admin)).status, 204);
  });

  test('catalog: regions, services, endpoints', async () => {
    const region = await f.call('POST', '/v3/regions', admin, { region: { id: 'RegionOne', description: 'first' } });
    assert.equal(region.status, 201);
    assert.equal(region.body.region.parent_region_id, null);
    assert.equal((await f.call('POST', '/v3/regions', admin, { region: { id: 'RegionOne' } })).body.error.message,
      'Conflict occurred attempting to store region - Duplicate ID, RegionOne..');
    assert.equal((await f.call('PUT', '/v3/regions/Child', admin, { region: { parent_region_id: 'RegionOne' } })).status, 201);
    const circle = await f.call('PATCH', '/v3/regions/RegionOne', admin, { region: { parent_region_id: 'Child' } });
    assert.equal(circle.status, 400);
    assert.equal(circle.body.error.message, 'The specified parent region Child would create a circular region hierarchy.');
    const children = await f.call('GET', '/v3/regions?parent_region_id=RegionOne', admin);
    assert.deepEqual(children.body.regions.map((r: { id: string }) => r.id), ['Child']);

    const svc = (await f.call('POST', '/v3/services', admin, { service: { type: 'compute', name: 'nova', description: 'Compute' } })).body.service;
    assert.equal(svc.enabled, true);
    const ep = await f.call('POST', '/v3/endpoints', admin, { endpoint: { service_id: svc.id, interface: 'public', url: 'http://nova/v2.1/$(project_id)s', region_id: 'RegionOne' } });
    assert.equal(ep.status, 201);
    assert.equal(ep.body.endpoint.region, 'RegionOne');
    assert.equal((await f.call('POST', '/v3/endpoints', admin, { endpoint: { service_id: svc.id, interface: 'public', url: 'http://x/$(bogus)s' } })).status, 400);
    assert.equal((await f.call('POST', '/v3/endpoints', admin, { endpoint: { service_id: 'nope', interface: 'public', url: 'http://x' } })).status, 400);
    assert.equal((await f.call('POST', '/v3/endpoints', admin, { endpoint: { service_id: svc.id, interface: 'bogus', url: 'http://x' } })).status, 400);
    const legacy = await f.call('POST', '/v3/endpoints', admin, { endpoint: { service_id: svc.id, interface: 'internal', url: 'http://i', region: 'AutoRegion' } });
    assert.equal(legacy.body.endpoint.region_id, 'AutoRegion');
    const listed = await f.call('GET', `/v3/endpoints?interface=public&service_id=${svc.id}`, admin);
    assert.equal(listed.body.endpoints.length, 1);
    assert.equal((await f.call('DELETE', '/v3/regions/RegionOne', admin)).status, 403);
    const catalog = await f.m.catalog.catalog({ projectId: 'proj' });
    assert.equal(catalog[0]!.endpoints.find((e) => e.interface === 'public')!.url, 'http://nova/v2.1/proj');
    assert.equal((await f.m.catalog.catalog())[0]!.endpoints.length, 1);
    assert.equal((await f.call('DELETE', `/v3/services/${svc.id}`, admin)).status, 204);
    assert.equal((await f.call('GET', `/v3/endpoints/${ep.body.endpoint.id}`, admin)).status, 404);
    assert.equal((await f.call('DELETE', '/v3/regions/RegionOne', admin)).status, 204);
    assert.equal((await f.call('GET', '/v3/regions/Child', admin)).status, 404);
  });

  test('credentials, including ec2', async () => {
    const c = await f.call('POST', '/v3/credentials', member, { credential: { user_id: id.user, type: 'totp', blob: 'abc' } });
    assert.equal(c.status, 201);
    assert.equal(c.body.credential.blob, 'abc');
    const ec2 = await f.call('POST', '/v3/credentials', member, { credential: { user_id: id.user, type: 'ec2', project_id: 'proj', blob: JSON.stringify({ access: 'AK', secret: 'SK' }) } });
    assert.equal(ec2.status, 201);
    assert.equal(ec2.body.credential.id, createHash('sha256').update('AK').digest('hex'));
    assert.equal((await f.call('POST', '/v3/credentials', member, { credential: { user_id: id.user, type: 'ec2', blob: '{}' } })).status, 400);
    const mine = await f.call('GET', '/v3/credentials', member);
    assert.equal(mine.body.credentials.length, 2);
    const others = await f.call('POST', '/v3/credentials', admin, { credential: { user_id: 'admin-user', type: 'totp', blob: 'x' } });
    assert.equal((await f.call('GET', `/v3/credentials/${others.body.credential.id}`, member)).status, 403);
    assert.equal((await f.call('GET', '/v3/credentials', member)).body.credentials.length, 2);

    const os = await f.call('POST', `/v3/users/${id.user}/credentials/OS-EC2`, member, { tenant_id: 'proj' });
    assert.equal(os.status, 201);
    assert.equal(os.body.credential.tenant_id, 'proj');
    const access = os.body.credential.access;
    assert.equal((await f.call('GET', `/v3/users/${id.user}/credentials/OS-EC2/${access}`, member)).body.credential.secret, os.body.credential.secret);
    assert.equal((await f.call('GET', `/v3/users/${id.user}/credentials/OS-EC2`, member)).body.credentials.length, 2);
    assert.equal((await f.call('DELETE', `/v3/users/${id.user}/credentials/OS-EC2/${access}`, member)).status, 204);
  });

  test('unified limits', async () => {
    const svc = (await f.call('POST', '/v3/services', admin, { service: { type: 'volumev3', name: 'cinder' } })).body.service;
    const reg = await f.call('POST', '/v3/registered_limits', admin, { registered_limits: [{ service_id: svc.id, resource_name: 'volumes', default_limit: 10 }] });
    assert.equal(reg.status, 201);
    assert.equal(reg.body.registered_limits[0].default_limit, 10);
    assert.equal('links' in reg.body, false);
    assert.equal((await f.call('POST', '/v3/registered_limits', admin, { registered_limits: [{ service_id: svc.id, resource_name: 'volumes', default_limit: 5 }] })).status, 409);
    const lim = await f.call('POST', '/v3/limits', admin, { limits: [{ service_id: svc.id, project_id: 'proj', resource_name: 'volumes', resource_limit: 5 }] });
    assert.equal(lim.status, 201);
    assert.equal(lim.body.limits[0].resource_name, 'volumes');
    const noRef = await f.call('POST', '/v3/limits', admin, { limits: [{ service_id: svc.id, project_id: 'proj', resource_name: 'snapshots', resource_limit: 5 }] });
    assert.equal(noRef.status, 403);
    assert.equal((await f.call('GET', '/v3/limits', member)).body.limits.length, 1);
    const regId = reg.body.registered_limits[0].id;
    assert.equal((await f.call('DELETE', `/v3/registered_limits/${regId}`, admin)).status, 403);
    assert.deepEqual((await f.call('GET', '/v3/limits/model', admin)).body.model.name, 'flat');
    assert.equal((await f.call('PATCH', `/v3/limits/${lim.body.limits[0].id}`, admin, { limit: { resource_limit: 7 } })).body.limit.resource_limit, 7);
    assert.equal((await f.call('DELETE', `/v3/limits/${lim.body.limits[0].id}`, admin)).status, 204);
    assert.equal((await f.call('DELETE', `/v3/registered_limits/${regId}`, admin)).status, 204);
  });

  test('domain configuration', async () => {
    const put = await f.call('PUT', '/v3/domains/default/config', admin, { config: { identity: { driver: 'ldap' }, ldap: { url: 'ldap://x', password: 'secret' } } });
    assert.equal(put.status, 201);
    assert.deepEqual(put.body.config, { identity: { driver: 'ldap' }, ldap: { url: 'ldap://x' } });
    assert.equal((await f.call('PUT', '/v3/domains/default/config', admin, { config: { identity: { driver: 'sql' } } })).status, 200);
    assert.equal((await f.call('PATCH', '/v3/domains/default/config/identity/driver', admin, { config: { driver: 'ldap' } })).body.config.identity.driver, 'ldap');
    assert.deepEqual((await f.call('GET', '/v3/domains/default/config/identity/driver', admin)).body, { config: { driver: 'ldap' } });
    const missing = await f.call('GET', '/v3/domains/default/config/ldap', admin);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.message, 'Could not find group ldap in domain configuration for domain default.');
    const bad = await f.call('PUT', '/v3/domains/default/config', admin, { config: { nova: { x: 1 } } });
    assert.equal(bad.status, 403);
    assert.equal(bad.body.error.message, 'Invalid domain specific configuration: Group nova is not supported for domain specific configurations.');
    assert.equal((await f.call('GET', '/v3/domains/config/ldap/url/default', admin)).body.config.url, 'ldap://localhost');
    assert.equal((await f.call('GET', '/v3/domains/config/default', admin)).body.config.identity.driver, 'sql');
    const sc = await f.call('GET', '/v3/domains/default/config/security_compliance', member);
    assert.deepEqual(sc.body, { config: { security_compliance: { password_regex: null, password_regex_description: null } } });
    assert.equal((await f.call('DELETE', '/v3/domains/default/config', admin)).status, 204);
    assert.equal((await f.call('GET', '/v3/domains/default/config', admin)).status, 404);
  });
});
