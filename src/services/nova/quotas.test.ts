// Quotas, limits, server groups and tenant usage on a cloud that boots for real (three fake
// hosts): the 403s of a create over the instances, cores, ram, metadata, personality and group
// member quotas with nova's messages, max_count lowered to what fits; os-quota-sets (show,
// detail, defaults, update below usage with and without force, delete), os-quota-class-sets,
// /limits per microversion; server group CRUD per microversion with its quota, an
// anti-affinity group of three on three hosts whose fourth member finds no valid host, and
// max_server_per_host; os-simple-tenant-usage's hours and paging.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import { QuotaChecker } from './compute/quota.js';
import { TooManyInstances } from './errors.js';
import { BootCloud } from './testing/boot-cloud.js';

describe('quotas, limits, server groups and usage', () => {
  let b: BootCloud;
  let project = '';

  const quotaPath = (suffix = ''): string => `/os-quota-sets/${project}${suffix}`;
  async function setQuota(values: Record<string, unknown>, version = '2.1'): Promise<void> {
    const res = await b.compute('PUT', quotaPath(), { quota_set: { ...values, force: true } }, version);
    assert.equal(res.status, 200, JSON.stringify(res.body));
  }
  async function inUse(resource: string): Promise<number> {
    return (await b.compute('GET', quotaPath('/detail'))).body.quota_set[resource].in_use;
  }
  async function bootActive(server: Record<string, unknown>, extra: Record<string, unknown> = {}, version = '2.1'): Promise<any> {
    const res = await b.boot(server, extra, version);
    assert.equal(res.status, 202, JSON.stringify(res.body));
    return b.waitFor(res.body.server.id, ['ACTIVE', 'ERROR']);
  }
  async function deleteAll(ids: string[]): Promise<void> {
    for (const id of ids) await b.compute('DELETE', `/servers/${id}`);
    for (const id of ids) await b.waitFor(id, ['DELETED']);
  }

  before(async () => {
    b = await BootCloud.start({ 'DEFAULT.hosts': 'c1,c2,c3', 'DEFAULT.vif_plugging_timeout': '0' });
    const res = await b.call('GET', '/identity/v3/auth/projects');
    project = res.body.projects.find((p: any) => p.name === 'admin').id;
  });
  after(async () => { await b?.close(); });

  test('quota sets: show and defaults per microversion, detail with usage', async () => {
    const v21 = (await b.compute('GET', quotaPath())).body.quota_set;
    assert.deepEqual(v21, {
      id: project, instances: 10, cores: 20, ram: 51200, metadata_items: 128, injected_files: 5, injected_file_content_bytes: 10240,
      injected_file_path_bytes: 255, key_pairs: 100, server_groups: 10, server_group_members: 10, fixed_ips: -1, floating_ips: -1,
      security_groups: -1, security_group_rules: -1,
    });
    const v236 = (await b.compute('GET', quotaPath(), undefined, '2.36')).body.quota_set;
    assert.ok(!('floating_ips' in v236) && !('security_group_rules' in v236) && 'injected_files' in v236);
    const v257 = (await b.compute('GET', quotaPath('/defaults'), undefined, '2.57')).body.quota_set;
    assert.deepEqual(Object.keys(v257).sort(), ['cores', 'id', 'instances', 'key_pairs', 'metadata_items', 'ram', 'server_group_members', 'server_groups']);
    const detail = (await b.compute('GET', quotaPath('/detail'), undefined, '2.57')).body.quota_set;
    assert.deepEqual(detail.cores, { limit: 20, in_use: 0, reserved: 0 });
    const unknown = await b.compute('GET', `${quotaPath()}?foo=1`, undefined, '2.75');
    assert.equal(unknown.status, 400);
    const networks = await b.compute('PUT', quotaPath(), { quota_set: { networks: 1 } });
    assert.equal(networks.status, 400);
    assert.equal(networks.body.badRequest.message, 'The networks quota has been removed');
    const gone = await b.compute('PUT', quotaPath(), { quota_set: { fixed_ips: 1 } }, '2.36');
    assert.equal(gone.status, 400);
    const nowhere = await b.compute('GET', '/os-quota-sets/0123456789abcdef0123456789abcdef');
    assert.equal(nowhere.status, 400);
    assert.equal(nowhere.body.badRequest.message, 'Project ID 0123456789abcdef0123456789abcdef is not a valid project.');
  });

  test('a create over the instances, cores or ram quota is a 403 with nova\'s message; max_count is lowered to what fits', async () => {
    const first = await bootActive({ name: 'q-1' });
    assert.equal(first.status, 'ACTIVE');
    const used = await inUse('instances');
    const cores = await inUse('cores');
    const ram = await inUse('ram');
    const created: string[] = [first.id];
    try {
      await setQuota({ instances: used + 1 });
      const over = await b.boot({ name: 'q-over', min_count: 2 });
      assert.equal(over.status, 403);
      assert.equal(over.body.forbidden.message, `Quota exceeded for instances: Requested 2, but already used ${used} of ${used + 1} instances`);
      const range = await b.boot({ name: 'q-range', min_count: 2, max_count: 4 });
      assert.equal(range.body.forbidden.message, `Quota exceeded for instances: Requested 2-4, but already used ${used} of ${used + 1} instances`);

      await setQuota({ instances: used + 2 });
      const fits = await b.boot({ name: 'q-fit', min_count: 1, max_count: 5, return_reservation_id: true });
      assert.equal(fits.status, 202, JSON.stringify(fits.body));
      const listed = (await b.compute('GET', `/servers?reservation_id=${fits.body.reservation_id}`)).body.servers;
      assert.equal(listed.length, 2);
      created.push(...listed.map((s: any) => s.id));

      await setQuota({ instances: 100, cores: cores + 2 });
      const coresOver = await b.boot({ name: 'q-cores', min_count: 3 });
      assert.equal(coresOver.status, 403);
      // m1.tiny: 1 vCPU, 512 MiB; three servers were made since `cores` was read
      assert.equal(coresOver.body.forbidden.message, `Quota exceeded for cores: Requested 3, but already used ${cores + 2} of ${cores + 2} cores`);

      await setQuota({ cores: -1, ram: ram + 1536 });
      const ramOver = await b.boot({ name: 'q-ram', min_count: 2 });
      assert.equal(ramOver.status, 403);
      assert.equal(ramOver.body.forbidden.message, `Quota exceeded for ram: Requested 1024, but already used ${ram + 1024} of ${ram + 1536} ram`);

      await setQuota({ instances: used + 2, cores: cores + 2 });
      const both = await b.boot({ name: 'q-both' });
      assert.equal(both.body.forbidden.message, `Quota exceeded for cores, instances: Requested 1, 1, but already used ${cores + 2}, ${used + 2} of ${cores + 2}, ${used + 2} cores, instances`);
    } finally {
      assert.equal((await b.compute('DELETE', quotaPath())).status, 202);
      await deleteAll(created);
    }
  });

  test('metadata items and personality files over their quotas are 403s', async () => {
    await setQuota({ metadata_items: 1, injected_files: 1, injected_file_path_bytes: 10, injected_file_content_bytes: 8 });
    try {
      const meta = await b.boot({ name: 'meta', metadata: { a: '1', b: '2' } });
      assert.equal(meta.status, 403);
      assert.equal(meta.body.forbidden.message, 'Maximum number of metadata items exceeds 1');
      const files = await b.boot({ name: 'files', personality: [{ path: '/a', contents: 'YQ==' }, { path: '/b', contents: 'Yg==' }] });
      assert.equal(files.body.forbidden.message, 'Personality file limit exceeded');
      const path = await b.boot({ name: 'path', personality: [{ path: '/a/very/long/path', contents: 'YQ==' }] });
      assert.equal(path.body.forbidden.message, 'Personality file path exceeds maximum 10');
      const content = await b.boot({ name: 'content', personality: [{ path: '/a', contents: 'YWJjZGVmZ2hpamts' }] });
      assert.equal(content.body.forbidden.message, 'Personality file content exceeds maximum 8');
    } finally {
      await b.compute('DELETE', quotaPath());
    }
  });

  test('a quota below usage is refused unless forced; delete goes back to the defaults', async () => {
    const s = await bootActive({ name: 'usage-1' });
    try {
      const used = await inUse('instances');
      assert.ok(used >= 1);
      const below = await b.compute('PUT', quotaPath(), { quota_set: { instances: used - 1 } });
      assert.equal(below.status, 400);
      assert.equal(below.body.badRequest.message, `Quota limit ${used - 1} for instances must be greater than or equal to already used and reserved ${used}.`);
      const forced = await b.compute('PUT', quotaPath(), { quota_set: { instances: String(used - 1), force: 'True' } });
      assert.equal(forced.status, 200);
      assert.equal(forced.body.quota_set.instances, used - 1);
      assert.ok(!('id' in forced.body.quota_set));
      const user = await b.compute('PUT', `${quotaPath()}?user_id=someone`, { quota_set: { cores: 3 } });
      assert.equal(user.status, 200, JSON.stringify(user.body));
      assert.equal((await b.compute('GET', `${quotaPath()}?user_id=someone`)).body.quota_set.cores, 3);
      assert.equal((await b.compute('GET', quotaPath())).body.quota_set.cores, 20);
      const tooBig = await b.compute('PUT', `${quotaPath()}?user_id=other`, { quota_set: { cores: 18 } });
      assert.equal(tooBig.status, 400);
      assert.equal(tooBig.body.badRequest.message, 'Quota limit 18 for cores must be less than or equal to 17.');
      const bad = await b.compute('PUT', quotaPath(), { quota_set: { instances: -2 } });
      assert.equal(bad.status, 400);
      assert.equal((await b.compute('DELETE', quotaPath())).status, 202);
      assert.equal((await b.compute('GET', quotaPath())).body.quota_set.instances, 10);
      assert.equal((await b.compute('GET', `${quotaPath()}?user_id=someone`)).body.quota_set.cores, 20);
    } finally {
      await b.compute('DELETE', quotaPath());
      await deleteAll([s.id]);
    }
  });

  test('quota class sets: the default class per microversion, and its update changes every project\'s defaults', async () => {
    const v21 = (await b.compute('GET', '/os-quota-class-sets/default')).body.quota_class_set;
    assert.equal(v21.id, 'default');
    assert.ok(!('server_groups' in v21) && 'floating_ips' in v21);
    const v250 = (await b.compute('GET', '/os-quota-class-sets/default', undefined, '2.50')).body.quota_class_set;
    assert.ok('server_groups' in v250 && !('floating_ips' in v250) && 'injected_files' in v250);
    const put = await b.compute('PUT', '/os-quota-class-sets/default', { quota_class_set: { key_pairs: 7 } }, '2.57');
    assert.equal(put.status, 200);
    assert.deepEqual(put.body.quota_class_set, { instances: 10, cores: 20, ram: 51200, metadata_items: 128, key_pairs: 7, server_groups: 10, server_group_members: 10 });
    try {
      assert.equal((await b.compute('GET', quotaPath('/defaults'))).body.quota_set.key_pairs, 7);
      assert.equal((await b.compute('GET', quotaPath())).body.quota_set.key_pairs, 7);
      const bad = await b.compute('PUT', '/os-quota-class-sets/default', { quota_class_set: { injected_files: 1 } }, '2.57');
      assert.equal(bad.status, 400);
    } finally {
      await b.compute('PUT', '/os-quota-class-sets/default', { quota_class_set: { key_pairs: 100 } });
    }
  });

  test('limits: the absolute limits and used totals per microversion', async () => {
    const s = await bootActive({ name: 'lim-1' });
    try {
      const v21 = (await b.compute('GET', '/limits')).body.limits;
      assert.deepEqual(v21.rate, []);
      const used = await inUse('instances');
      assert.deepEqual(v21.absolute, {
        maxTotalRAMSize: 51200, maxTotalInstances: 10, maxTotalCores: 20, maxTotalKeypairs: 100, maxTotalFloatingIps: -1, maxServerMeta: 128,
        maxImageMeta: 128, maxPersonality: 5, maxPersonalitySize: 10240, maxSecurityGroups: -1, maxSecurityGroupRules: -1, maxServerGroups: 10,
        maxServerGroupMembers: 10, totalRAMUsed: used * 512, totalCoresUsed: used, totalInstancesUsed: used, totalFloatingIpsUsed: 0,
        totalSecurityGroupsUsed: 0, totalServerGroupsUsed: await inUse('server_groups'),
      });
      const v236 = (await b.compute('GET', '/limits', undefined, '2.36')).body.limits.absolute;
      assert.ok(!('maxTotalFloatingIps' in v236) && !('totalSecurityGroupsUsed' in v236) && 'maxImageMeta' in v236);
      const v239 = (await b.compute('GET', '/limits', undefined, '2.39')).body.limits.absolute;
      assert.ok(!('maxImageMeta' in v239) && 'maxPersonality' in v239);
      const v257 = (await b.compute('GET', '/limits', undefined, '2.57')).body.limits.absolute;
      assert.deepEqual(Object.keys(v257).sort(), ['maxServerGroupMembers', 'maxServerGroups', 'maxServerMeta', 'maxTotalCores', 'maxTotalInstances',
        'maxTotalKeypairs', 'maxTotalRAMSize', 'totalCoresUsed', 'totalInstancesUsed', 'totalRAMUsed', 'totalServerGroupsUsed']);
      assert.equal((await b.compute('GET', '/limits?reserved=1', undefined, '2.74')).status, 200);
      assert.equal((await b.compute('GET', '/limits?reserved=1', undefined, '2.75')).status, 400);
      const other = (await b.compute('GET', '/limits?tenant_id=elsewhere')).body.limits.absolute;
      assert.equal(other.totalInstancesUsed, 0);
    } finally {
      await deleteAll([s.id]);
    }
  });

  test('server groups: create, show, list and delete per microversion; rules only for anti-affinity; the server_groups quota', async () => {
    const old = await b.compute('POST', '/os-server-groups', { server_group: { name: 'g1', policies: ['affinity'] } });
    assert.equal(old.status, 200, JSON.stringify(old.body));
    assert.deepEqual(old.body.server_group, { id: old.body.server_group.id, name: 'g1', policies: ['affinity'], metadata: {}, members: [] });
    const soft = await b.compute('POST', '/os-server-groups', { server_group: { name: 'g2', policies: ['soft-affinity'] } });
    assert.equal(soft.status, 400);
    const soft215 = await b.compute('POST', '/os-server-groups', { server_group: { name: 'g2', policies: ['soft-anti-affinity'] } }, '2.15');
    assert.equal(soft215.status, 200);
    const v264 = await b.compute('POST', '/os-server-groups', { server_group: { name: 'g3', policy: 'anti-affinity', rules: { max_server_per_host: 2 } } }, '2.64');
    assert.equal(v264.status, 200, JSON.stringify(v264.body));
    const g3 = v264.body.server_group;
    assert.deepEqual(g3, { id: g3.id, name: 'g3', policy: 'anti-affinity', rules: { max_server_per_host: 2 }, members: [], project_id: project, user_id: g3.user_id });
    const rules = await b.compute('POST', '/os-server-groups', { server_group: { name: 'g4', policy: 'affinity', rules: { max_server_per_host: 2 } } }, '2.64');
    assert.equal(rules.status, 400);
    assert.equal(rules.body.badRequest.message, 'Only anti-affinity policy supports rules.');
    assert.equal((await b.compute('POST', '/os-server-groups', { server_group: { name: 'g5', policies: ['affinity'] } }, '2.64')).status, 400);

    const shown = await b.compute('GET', `/os-server-groups/${g3.id}`, undefined, '2.13');
    assert.deepEqual(shown.body.server_group, { id: g3.id, name: 'g3', policies: ['anti-affinity'], metadata: {}, members: [], project_id: project, user_id: g3.user_id });
    const list = (await b.compute('GET', '/os-server-groups')).body.server_groups;
    assert.deepEqual(list.map((g: any) => g.name), ['g1', 'g2', 'g3']);
    const page = (await b.compute('GET', '/os-server-groups?limit=1&offset=1&all_projects=True')).body.server_groups;
    assert.deepEqual(page.map((g: any) => g.name), ['g2']);
    assert.equal((await b.compute('GET', '/os-server-groups?limit=-1')).status, 400);

    await setQuota({ server_groups: 3 });
    try {
      const over = await b.compute('POST', '/os-server-groups', { server_group: { name: 'g6', policies: ['affinity'] } });
      assert.equal(over.status, 403);
      assert.equal(over.body.forbidden.message, 'Quota exceeded, too many server groups.');
      assert.equal((await b.compute('GET', '/limits')).body.limits.absolute.totalServerGroupsUsed, 3);
    } finally {
      await b.compute('DELETE', quotaPath());
    }
    for (const g of [old.body.server_group, soft215.body.server_group, g3]) assert.equal((await b.compute('DELETE', `/os-server-groups/${g.id}`)).status, 204);
    const missing = await b.compute('GET', `/os-server-groups/${g3.id}`);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.itemNotFound.message, `Instance group ${g3.id} could not be found.`);
    assert.equal((await b.compute('DELETE', `/os-server-groups/${g3.id}`)).status, 404);
  });

  test('an anti-affinity group of three lands on three hosts; a fourth member finds no valid host', async () => {
    const g = (await b.compute('POST', '/os-server-groups', { server_group: { name: 'aa', policies: ['anti-affinity'] } })).body.server_group;
    const hints = { 'os:scheduler_hints': { group: g.id } };
    const servers: any[] = [];
    try {
      for (let i = 0; i < 3; i++) servers.push(await bootActive({ name: `aa-${i}` }, hints));
      assert.deepEqual(servers.map((s) => s.status), ['ACTIVE', 'ACTIVE', 'ACTIVE']);
      assert.deepEqual(servers.map((s) => s['OS-EXT-SRV-ATTR:host']).sort(), ['c1', 'c2', 'c3']);
      const members = (await b.compute('GET', `/os-server-groups/${g.id}`)).body.server_group.members;
      assert.deepEqual([...members].sort(), servers.map((s) => s.id).sort());
      const fourth = await bootActive({ name: 'aa-3' }, hints);
      servers.push(fourth);
      assert.equal(fourth.status, 'ERROR');
      assert.equal(fourth.fault.code, 500);
      assert.match(fourth.fault.message, /^No valid host was found/);
      const shown = (await b.compute('GET', `/servers/${servers[0].id}`, undefined, '2.71')).body.server;
      assert.deepEqual(shown.server_groups, [g.id]);

      await setQuota({ server_group_members: 4 });
      const over = await b.boot({ name: 'aa-5' }, hints);
      assert.equal(over.status, 403);
      assert.equal(over.body.forbidden.message, 'Quota exceeded, too many servers in group');
    } finally {
      await b.compute('DELETE', quotaPath());
      await deleteAll(servers.map((s) => s.id));
    }
    assert.deepEqual((await b.compute('GET', `/os-server-groups/${g.id}`)).body.server_group.members, []);
    await b.compute('DELETE', `/os-server-groups/${g.id}`);
  });

  test('max_server_per_host 2: six members of one request fill the three hosts two by two, a seventh finds no host', async () => {
    const g = (await b.compute('POST', '/os-server-groups', { server_group: { name: 'aa2', policy: 'anti-affinity', rules: { max_server_per_host: 2 } } }, '2.64')).body.server_group;
    const hints = { 'os:scheduler_hints': { group: g.id } };
    const ids: string[] = [];
    try {
      const res = await b.boot({ name: 'six', min_count: 6, return_reservation_id: true }, hints);
      assert.equal(res.status, 202, JSON.stringify(res.body));
      const listed = (await b.compute('GET', `/servers?reservation_id=${res.body.reservation_id}`)).body.servers;
      ids.push(...listed.map((s: any) => s.id));
      const hosts: string[] = [];
      for (const id of ids) {
        const s = await b.waitFor(id, ['ACTIVE', 'ERROR']);
        assert.equal(s.status, 'ACTIVE', JSON.stringify(s.fault));
        hosts.push(s['OS-EXT-SRV-ATTR:host']);
      }
      assert.deepEqual(hosts.sort(), ['c1', 'c1', 'c2', 'c2', 'c3', 'c3']);
      const seventh = await bootActive({ name: 'seven' }, hints);
      ids.push(seventh.id);
      assert.equal(seventh.status, 'ERROR');
      assert.match(seventh.fault.message, /^No valid host was found/);
    } finally {
      await deleteAll(ids);
      await b.compute('DELETE', `/os-server-groups/${g.id}`);
    }
  });

  test('checkDeltas (resize): growth in cores and ram beyond the project\'s limits is TooManyInstances with nova\'s message', async () => {
    const engine = new QuotaChecker(b.repos.quotas, b.repos.instances, {
      instances: 10, cores: 20, ram: 51200, metadata_items: 128, injected_files: 5, injected_file_content_bytes: 10240, injected_file_path_length: 255,
      key_pairs: 100, server_groups: 10, server_group_members: 10,
    });
    const s = await bootActive({ name: 'grow' });
    try {
      const cores = await inUse('cores');
      const ram = await inUse('ram');
      await setQuota({ cores: cores + 1 });
      const ctx = {} as never;
      await engine.checkDeltas(ctx, project, s.user_id, { cores: 1, ram: 1024 });
      await engine.checkDeltas(ctx, project, s.user_id, { cores: -4, ram: 0 });
      await assert.rejects(engine.checkDeltas(ctx, project, s.user_id, { cores: 2, ram: 512 }), (err: unknown) => {
        assert.ok(err instanceof TooManyInstances);
        assert.equal(err.message, `Quota exceeded for cores: Requested 2, but already used ${cores} of ${cores + 1} cores`);
        return true;
      });
      await setQuota({ ram: ram + 100 });
      await assert.rejects(engine.checkDeltas(ctx, project, s.user_id, { cores: 2, ram: 512 }),
        { message: `Quota exceeded for cores, ram: Requested 2, 512, but already used ${cores}, ${ram} of ${cores + 1}, ${ram + 100} cores, ram` });
    } finally {
      await b.compute('DELETE', quotaPath());
      await deleteAll([s.id]);
    }
  });

  test('a member: its own quotas and limits, not another project\'s; no updates, no quota classes, no usage of all projects', async () => {
    const admin = await b.cloud.adminToken();
    const mine = (await b.call('POST', '/identity/v3/projects', { project: { name: 'quota-member-p', domain_id: 'default' } })).body.project.id;
    const userId = (await b.call('POST', '/identity/v3/users', { user: { name: 'quota-member', password: 'secret-pw', domain_id: 'default' } })).body.user.id;
    const role = (await b.call('GET', '/identity/v3/roles?name=member')).body.roles[0].id;
    assert.equal((await b.call('PUT', `/identity/v3/projects/${mine}/users/${userId}/roles/${role}`, undefined, { 'x-auth-token': admin })).status, 204);
    const login = await request(`${b.cloud.url}/identity/v3/auth/tokens`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ auth: { identity: { methods: ['password'], password: { user: { id: userId, password: 'secret-pw' } } }, scope: { project: { id: mine } } } }),
    });
    await login.body.dump();
    const token = String(login.headers['x-subject-token']);
    const as = (method: string, path: string, body?: unknown, version = '2.1') =>
      b.call(method, `/compute/v2.1${path}`, body, { 'x-auth-token': token, 'openstack-api-version': `compute ${version}` });

    assert.equal((await as('GET', `/os-quota-sets/${mine}`)).status, 200);
    assert.equal((await as('GET', `/os-quota-sets/${mine}/detail`)).status, 200);
    assert.equal((await as('GET', `/os-quota-sets/${project}`)).status, 403);
    assert.equal((await as('GET', `/os-quota-sets/${project}/defaults`)).status, 200);
    assert.equal((await as('PUT', `/os-quota-sets/${mine}`, { quota_set: { instances: 50 } })).status, 403);
    assert.equal((await as('DELETE', `/os-quota-sets/${mine}`)).status, 403);
    assert.equal((await as('GET', '/os-quota-class-sets/default')).status, 403);
    assert.equal((await as('GET', '/limits')).status, 200);
    assert.equal((await as('GET', `/limits?tenant_id=${project}`)).status, 403);
    assert.equal((await as('GET', '/os-simple-tenant-usage')).status, 403);
    const own = await as('GET', `/os-simple-tenant-usage/${mine}`);
    assert.equal(own.status, 200);
    assert.deepEqual(own.body, { tenant_usage: {} });
    assert.equal((await as('GET', `/os-simple-tenant-usage/${project}`)).status, 403);

    const adminGroup = (await b.compute('POST', '/os-server-groups', { server_group: { name: 'admins', policies: ['affinity'] } })).body.server_group;
    const g = await as('POST', '/os-server-groups', { server_group: { name: 'members', policies: ['anti-affinity'] } }, '2.13');
    assert.equal(g.status, 200);
    assert.equal(g.body.server_group.user_id, userId);
    assert.equal(g.body.server_group.project_id, mine);
    assert.deepEqual((await as('GET', '/os-server-groups?all_projects=True')).body.server_groups.map((x: any) => x.name), ['members']);
    assert.ok((await b.compute('GET', '/os-server-groups?all_projects=True')).body.server_groups.some((x: any) => x.name === 'members'));
    assert.ok(!(await b.compute('GET', '/os-server-groups')).body.server_groups.some((x: any) => x.name === 'members'));
    assert.equal((await as('GET', `/os-server-groups/${adminGroup.id}`)).status, 404);
    assert.equal((await as('DELETE', `/os-server-groups/${adminGroup.id}`)).status, 404);
    assert.equal((await as('DELETE', `/os-server-groups/${g.body.server_group.id}`)).status, 204);
    await b.compute('DELETE', `/os-server-groups/${adminGroup.id}`);
  });

  test('simple tenant usage: hours, vcpus, memory and disk over a period, detailed list and paging from 2.40', async () => {
    const s1 = await bootActive({ name: 'bill-1' });
    const s2 = await bootActive({ name: 'bill-2' });
    const now = Date.now();
    const iso = (ms: number): string => new Date(ms).toISOString().slice(0, 19);
    try {
      // s1 ran from 3h ago and still runs; s2 ran from 2h ago until 90 minutes ago
      await b.repos.db.updateTable('instances').set({ launched_at: new Date(now - 3 * 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z') }).where('uuid', '=', s1.id).execute();
      await b.repos.db.updateTable('instances').set({
        launched_at: new Date(now - 2 * 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        terminated_at: new Date(now - 1.5 * 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      }).where('uuid', '=', s2.id).execute();
      const start = iso(now - 4 * 3_600_000);
      const end = iso(now - 3_600_000);
      const res = await b.compute('GET', `/os-simple-tenant-usage/${project}?start=${start}&end=${end}`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const u = res.body.tenant_usage;
      assert.equal(u.tenant_id, project);
      assert.equal(u.start, start);
      assert.equal(u.stop, end);
      const byId = new Map(u.server_usages.map((x: any) => [x.instance_id, x]));
      const a: any = byId.get(s1.id);
      const c: any = byId.get(s2.id);
      assert.ok(Math.abs(a.hours - 2) < 0.001, String(a.hours));
      assert.ok(Math.abs(c.hours - 0.5) < 0.001, String(c.hours));
      assert.equal(a.flavor, 'm1.tiny');
      assert.equal(a.memory_mb, 512);
      assert.equal(a.local_gb, 1);
      assert.equal(a.vcpus, 1);
      assert.equal(a.state, 'active');
      assert.equal(a.ended_at, null);
      assert.equal(c.state, 'terminated');
      assert.equal(c.uptime, 1800);
      const total = [...byId.values()].reduce((n: number, x: any) => n + x.hours, 0);
      assert.ok(Math.abs(u.total_hours - total) < 1e-9);
      assert.ok(Math.abs(u.total_vcpus_usage - total) < 1e-9);
      assert.ok(Math.abs(u.total_memory_mb_usage - 512 * total) < 1e-6);

      const all = (await b.compute('GET', `/os-simple-tenant-usage?start=${start}&end=${end}`)).body.tenant_usages;
      assert.equal(all.length, 1);
      assert.ok(!('server_usages' in all[0]));
      const detailed = (await b.compute('GET', `/os-simple-tenant-usage?start=${start}&end=${end}&detailed=1`)).body.tenant_usages;
      assert.ok(detailed[0].server_usages.length >= 2);

      const page = await b.compute('GET', `/os-simple-tenant-usage/${project}?start=${start}&end=${end}&limit=1`, undefined, '2.40');
      assert.equal(page.body.tenant_usage.server_usages.length, 1);
      const next = new URL(page.body.tenant_usage_links[0].href);
      assert.equal(next.searchParams.get('marker'), page.body.tenant_usage.server_usages[0].instance_id);
      const second = await b.compute('GET', `/os-simple-tenant-usage/${project}${next.search}`, undefined, '2.40');
      assert.equal(second.status, 200);
      assert.notEqual(second.body.tenant_usage.server_usages[0].instance_id, page.body.tenant_usage.server_usages[0].instance_id);

      assert.equal((await b.compute('GET', `/os-simple-tenant-usage?start=${end}&end=${start}`)).status, 400);
      const badDate = await b.compute('GET', '/os-simple-tenant-usage?start=yesterday');
      assert.equal(badDate.status, 400);
      assert.equal(badDate.body.badRequest.message, 'Invalid datetime string: Datetime is in invalid format');
      assert.equal((await b.compute('GET', `/os-simple-tenant-usage/${project}?marker=nope`, undefined, '2.40')).status, 400);
    } finally {
      await deleteAll([s1.id, s2.id]);
    }
  });
});
