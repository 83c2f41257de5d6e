/**
 * Policy blobs, OS-EP-FILTER (and its effect on the token catalog), OS-ENDPOINT-POLICY and OAuth1
 * consumers through HTTP.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiFixture, type ApiFixture } from '../testing/api-fixture.js';

describe('policies, endpoint filter, consumers', () => {
  let f: ApiFixture;
  let admin: string;
  before(async () => {
    f = await apiFixture();
    await f.m.resource.createProject('proj', { name: 'proj', domain_id: 'default' });
    admin = f.token('admin', { userId: 'admin-user', roles: ['admin'], projectId: 'proj', projectDomainId: 'default' });
  });
  after(() => f.close());

  test('policy blobs', async () => {
    const p = await f.call('POST', '/v3/policies', admin, { policy: { blob: '{"a": 1}', type: 'application/json' } });
    assert.equal(p.status, 201);
    assert.equal((await f.call('PATCH', `/v3/policies/${p.body.policy.id}`, admin, { policy: { blob: '{}' } })).body.policy.blob, '{}');
    assert.equal((await f.call('GET', '/v3/policies?type=application/json', admin)).body.policies.length, 1);
    assert.equal((await f.call('DELETE', `/v3/policies/${p.body.policy.id}`, admin)).status, 204);
    assert.equal((await f.call('GET', `/v3/policies/${p.body.policy.id}`, admin)).body.error.message, `Could not find policy: ${p.body.policy.id}.`);
    assert.equal((await f.call('POST', '/v3/policies', admin, { policy: { blob: 'x' } })).status, 400);
  });

  test('endpoint groups filter the catalog of associated projects', async () => {
    const a = (await f.m.catalog.createService({ type: 'compute', name: 'nova' })).id;
    const b = (await f.m.catalog.createService({ type: 'image', name: 'glance' })).id;
    const ea = await f.m.catalog.createEndpoint({ service_id: a, interface: 'public', url: 'http://a' });
    await f.m.catalog.createEndpoint({ service_id: b, interface: 'public', url: 'http://b' });
    assert.equal((await f.m.catalog.catalog({ projectId: 'proj' })).length, 2);

    const g = await f.call('POST', '/v3/OS-EP-FILTER/endpoint_groups', admin, { endpoint_group: { name: 'g', filters: { service_id: a } } });
    assert.equal(g.status, 201);
    assert.equal((await f.call('POST', '/v3/OS-EP-FILTER/endpoint_groups', admin, { endpoint_group: { name: 'bad', filters: { url: 'x' } } })).status, 400);
    const gid = g.body.endpoint_group.id;
    assert.deepEqual((await f.call('GET', `/v3/OS-EP-FILTER/endpoint_groups/${gid}/endpoints`, admin)).body.endpoints.map((e: { id: string }) => e.id), [ea.id]);
    assert.equal((await f.call('PUT', `/v3/OS-EP-FILTER/endpoint_groups/${gid}/projects/proj`, admin)).status, 204);
    assert.equal((await f.call('GET', `/v3/OS-EP-FILTER/endpoint_groups/${gid}/projects/proj`, admin)).body.project_endpoint_group.project_id, 'proj');
    const cat = await f.m.catalog.catalog({ projectId: 'proj' });
    assert.deepEqual(cat.map((s) => s.type), ['compute']);
    assert.deepEqual((await f.call('GET', '/v3/OS-EP-FILTER/projects/proj/endpoint_groups', admin)).body.endpoint_groups.map((x: { id: string }) => x.id), [gid]);
    assert.equal((await f.call('DELETE', `/v3/OS-EP-FILTER/endpoint_groups/${gid}`, admin)).status, 204);
    assert.equal((await f.m.catalog.catalog({ projectId: 'proj' })).length, 2);

    assert.equal((await f.call('PUT', `/v3/OS-EP-FILTER/projects/proj/endpoints/${ea.id}`, admin)).status, 204);
    assert.equal((await f.call('HEAD', `/v3/OS-EP-FILTER/projects/proj/endpoints/${ea.id}`, admin)).status, 204);
    assert.deepEqual((await f.call('GET', `/v3/OS-EP-FILTER/endpoints/${ea.id}/projects`, admin)).body.projects.map((p: { id: string }) => p.id), ['proj']);
    assert.equal((await f.m.catalog.catalog({ projectId: 'proj' })).length, 1);
    await f.m.catalog.deleteEndpoint(ea.id);
    assert.equal((await f.call('GET', '/v3/OS-EP-FILTER/projects/proj/endpoints', admin)).body.endpoints.length, 0);
  });

  // keystone/endpoint_policy/core.py: an endpoint's own policy, else its service's in its region
  // or a parent region, else its service's; the associations go with what they name.
  test('endpoint policies: associations, the endpoints of a policy, the policy of an endpoint', async () => {
    const policy = async () => (await f.call('POST', '/v3/policies', admin, { policy: { blob: '{}', type: 'application/json' } })).body.policy.id as string;
    const [p1, p2, p3] = [await policy(), await policy(), await policy()];
    await f.m.catalog.createRegion({ id: 'top' });
    await f.m.catalog.createRegion({ id: 'sub', parent_region_id: 'top' });
    const svc = (await f.m.catalog.createService({ type: 'volumev3', name: 'cinder' })).id;
    const other = (await f.m.catalog.createService({ type: 'dns', name: 'designate' })).id;
    const inSub = await f.m.catalog.createEndpoint({ service_id: svc, interface: 'public', url: 'http://sub', region_id: 'sub' });
    const noRegion = await f.m.catalog.createEndpoint({ service_id: svc, interface: 'admin', url: 'http://none' });
    const elsewhere = await f.m.catalog.createEndpoint({ service_id: other, interface: 'public', url: 'http://dns' });
    const base = (p: string) => `/v3/policies/${p}/OS-ENDPOINT-POLICY`;
    const policyOf = async (endpoint: string) => f.call('GET', `/v3/endpoints/${endpoint}/OS-ENDPOINT-POLICY/policy`, admin);

    assert.equal((await policyOf(inSub.id)).status, 404);
    assert.equal((await f.call('PUT', `${base(p1)}/services/${svc}`, admin)).status, 204);
    assert.equal((await policyOf(inSub.id)).body.policy.id, p1);
    assert.equal((await f.call('PUT', `${base(p2)}/services/${svc}/regions/top`, admin)).status, 204);
    assert.equal((await policyOf(inSub.id)).body.policy.id, p2, 'the parent region');
    assert.equal((await policyOf(noRegion.id)).body.policy.id, p1, 'no region: the service');
    assert.equal((await f.call('PUT', `${base(p3)}/endpoints/${inSub.id}`, admin)).status, 204);
    const own = await policyOf(inSub.id);
    assert.equal(own.body.policy.id, p3);
    assert.equal(own.body.policy.links.self, `http://keystone.test/identity/v3/endpoints/${p3}`);
    assert.equal((await policyOf(elsewhere.id)).status, 404);

    assert.equal((await f.call('GET', `${base(p3)}/endpoints/${inSub.id}`, admin)).status, 204);
    assert.equal((await f.call('HEAD', `${base(p3)}/endpoints/${inSub.id}`, admin)).status, 204);
    assert.equal((await f.call('GET', `${base(p1)}/endpoints/${inSub.id}`, admin)).status, 404);
    assert.equal((await f.call('GET', `${base(p2)}/services/${svc}/regions/top`, admin)).status, 204);
    assert.equal((await f.call('GET', `${base(p2)}/services/${svc}/regions/sub`, admin)).status, 404);
    assert.equal((await f.call('PUT', `${base(p1)}/services/${svc}/regions/nowhere`, admin)).status, 404);
    assert.equal((await f.call('PUT', `${base(p1)}/endpoints/nothing`, admin)).status, 404);
    assert.equal((await f.call('PUT', `/v3/policies/nothing/OS-ENDPOINT-POLICY/services/${svc}`, admin)).status, 404);

    const listed = async (p: string) => (await f.call('GET', `${base(p)}/endpoints`, admin)).body.endpoints.map((e: { id: string }) => e.id).sort();
    assert.deepEqual(await listed(p1), [inSub.id, noRegion.id].sort());
    assert.deepEqual(await listed(p2), [inSub.id], 'the region and the regions below it');
    assert.deepEqual(await listed(p3), [inSub.id]);

    // A second policy for a target replaces the first; deletes take associations with them.
    assert.equal((await f.call('PUT', `${base(p2)}/endpoints/${inSub.id}`, admin)).status, 204);
    assert.equal((await policyOf(inSub.id)).body.policy.id, p2);
    assert.equal((await f.call('DELETE', `${base(p2)}/endpoints/${inSub.id}`, admin)).status, 204);
    assert.equal((await f.call('DELETE', `/v3/policies/${p2}`, admin)).status, 204);
    assert.equal((await policyOf(inSub.id)).body.policy.id, p1, 'the policy deleted, its region association gone');
    await f.m.catalog.deleteService(svc);
    assert.deepEqual(await listed(p1), []);

    const member = f.token('member', { userId: 'member-user', roles: ['member'], projectId: 'proj', projectDomainId: 'default' });
    assert.equal((await f.call('PUT', `${base(p1)}/services/${other}`, member)).status, 403);
  });

  test('OAuth1 consumers', async () => {
    const c = await f.call('POST', '/v3/OS-OAUTH1/consumers', admin, { consumer: { description: 'app' } });
    assert.equal(c.status, 201);
    assert.equal(typeof c.body.consumer.secret, 'string');
    const id = c.body.consumer.id;
    const shown = await f.call('GET', `/v3/OS-OAUTH1/consumers/${id}`, admin);
    assert.equal('secret' in shown.body.consumer, false);
    assert.equal((await f.call('PATCH', `/v3/OS-OAUTH1/consumers/${id}`, admin, { consumer: { secret: 'x' } })).status, 400);
    assert.equal((await f.call('PATCH', `/v3/OS-OAUTH1/consumers/${id}`, admin, { consumer: { description: 'new' } })).body.consumer.description, 'new');
    assert.equal((await f.call('GET', '/v3/OS-OAUTH1/consumers', admin)).body.consumers.length, 1);
    assert.equal((await f.call('DELETE', `/v3/OS-OAUTH1/consumers/${id}`, admin)).status, 204);
  });
});

describe('values longer than their columns are 400s', () => {
  let f: ApiFixture;
  let admin: string;
  before(async () => {
    f = await apiFixture();
    await f.m.resource.createProject('proj', { name: 'proj', domain_id: 'default' });
    admin = f.token('admin', { userId: 'admin-user', roles: ['admin'], projectId: 'proj', projectDomainId: 'default' });
  });
  after(() => f.close());

  test('group name, credential user id, region description', async () => {
    const g = await f.call('POST', '/v3/groups', admin, { group: { name: 'g'.repeat(65) } });
    assert.equal(g.status, 400);
    assert.match(g.body.error.message, /^String length exceeded/);
    assert.equal((await f.call('POST', '/v3/credentials', admin, { credential: { user_id: 'u'.repeat(65), type: 't', blob: 'b' } })).status, 400);
    assert.equal((await f.call('POST', '/v3/regions', admin, { region: { description: 'd'.repeat(256) } })).status, 400);
  });
});
