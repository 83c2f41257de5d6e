// The Compute API's skeleton as a client meets it: the version documents, microversion
// negotiation and its errors in Nova's fault format, 401/404 bodies, the metadata API's root,
// the policy defaults, and Nova objects over the bus.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { RequestContext } from '../../../common/context.js';
import { RpcClient, RpcServer } from '../../../common/messaging/index.js';
import { startHarness, type Harness } from '../../../common/testing/harness.js';
import { nova } from '../index.js';
import { Flavor, Instance, RequestSpec, Selection } from '../objects/index.js';
import { novaPolicySpec } from '../policies/index.js';
import { novaSerializer } from '../rpc/serializer.js';

describe('compute API root', () => {
  let h: Harness;
  before(async () => { h = await startHarness({ project: nova }); });
  after(async () => { await h?.close(); });

  test('GET / lists v2.0 and v2.1 with the microversion range', async () => {
    const res = await h.request('GET', '/');
    assert.equal(res.status, 200);
    const v21 = res.body.versions.find((v: { id: string }) => v.id === 'v2.1');
    assert.equal(v21.status, 'CURRENT');
    assert.equal(v21.version, '2.93');
    assert.equal(v21.min_version, '2.1');
    assert.equal(v21.links[0].href, 'http://nubo.test/compute/v2.1/');
    assert.equal(res.body.versions.find((v: { id: string }) => v.id === 'v2.0').links[0].href, 'http://nubo.test/compute/v2/');
  });

  test('GET /v2.1 describes v2.1, with and without the slash, without a token, with microversions', async () => {
    for (const path of ['/v2.1', '/v2.1/']) {
      const res = await h.request('GET', path, undefined, undefined, { 'openstack-api-version': 'compute 2.50' });
      assert.equal(res.status, 200);
      assert.equal(res.headers['openstack-api-version'], 'compute 2.50');
      assert.equal(res.headers['x-compute-request-id'], res.headers['x-openstack-request-id']);
      assert.equal(res.body.version.id, 'v2.1');
      assert.deepEqual(res.body.version['media-types'], [{ base: 'application/json', type: 'application/vnd.openstack.compute+json;version=2.1' }]);
    }
  });

  test('every self link of GET / leads to a version document with the same self link (v2 is the legacy v2.0)', async () => {
    const list = await h.request('GET', '/');
    for (const v of list.body.versions as Array<{ id: string; links: Array<{ rel: string; href: string }> }>) {
      const self = v.links.filter((l) => l.rel === 'self');
      assert.equal(self.length, 1);
      const res = await h.request('GET', self[0]!.href.replace('http://nubo.test/compute', ''));
      assert.equal(res.status, 200, v.id);
      assert.equal(res.body.version.id, v.id);
      assert.deepEqual(res.body.version.links.filter((l: { rel: string }) => l.rel === 'self'), self);
    }
    const v2 = await h.request('GET', '/v2');
    assert.deepEqual(v2.body.version, {
      id: 'v2.0', status: 'SUPPORTED', version: '', min_version: '', updated: '2011-01-21T11:33:21Z',
      links: [{ rel: 'self', href: 'http://nubo.test/compute/v2/' }, { rel: 'describedby', type: 'text/html', href: 'http://docs.openstack.org/' }],
      'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.compute+json;version=2' }],
    });
  });

  test('GET /extensions lists Nova\'s fixed extension list; /extensions/{alias} shows one or 404s', async () => {
    const list = await h.request('GET', '/v2.1/extensions', 'p1:reader');
    assert.equal(list.status, 200);
    assert.equal(list.body.extensions.length, 99);
    assert.ok(list.body.extensions.some((e: { name: string }) => e.name === 'Hosts'));
    const aliases = list.body.extensions.map((e: { alias: string }) => e.alias);
    assert.deepEqual(aliases, [...aliases].sort());
    const one = await h.request('GET', '/v2.1/extensions/os-consoles', 'p1:reader');
    assert.equal(one.status, 200);
    assert.deepEqual(one.body.extension, {
      alias: 'os-consoles', description: 'Interactive Console support.', links: [], name: 'Consoles',
      namespace: 'http://docs.openstack.org/compute/ext/fake_xml', updated: '2014-12-03T00:00:00Z',
    });
    const missing = await h.request('GET', '/v2.1/extensions/os-nothing', 'p1:reader');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.itemNotFound.code, 404);
  });

  test('errors in Nova format: 401 unauthorized, 404 itemNotFound, 406 computeFault, 400 badRequest', async () => {
    const unauth = await h.request('GET', '/v2.1/nowhere');
    assert.equal(unauth.status, 401);
    assert.deepEqual(Object.keys(unauth.body), ['unauthorized']);
    const missing = await h.request('GET', '/v2.1/nowhere', 'p1:member,reader');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.itemNotFound.code, 404);
    const tooNew = await h.request('GET', '/v2.1/nowhere', 'p1:member', undefined, { 'openstack-api-version': 'compute 2.94' });
    assert.equal(tooNew.status, 406);
    assert.deepEqual(tooNew.body, { computeFault: { code: 406, message: 'Version 2.94 is not supported by the API. Minimum is 2.1 and maximum is 2.93.' } });
    // Nova's Fault names the version asked for, and compute_req_id is outside the API.
    assert.equal(tooNew.headers['openstack-api-version'], 'compute 2.94');
    assert.equal(tooNew.headers['x-openstack-nova-api-version'], '2.94');
    assert.equal(tooNew.headers['x-compute-request-id'], tooNew.headers['x-openstack-request-id']);
    const junk = await h.request('GET', '/v2.1/nowhere', 'p1:member', undefined, { 'x-openstack-nova-api-version': '2.x' });
    assert.equal(junk.status, 400);
    assert.match(junk.body.badRequest.message, /invalid format/);
  });

  test('the negotiated version is echoed in both headers', async () => {
    const res = await h.request('GET', '/v2.1/nowhere', 'p1:member', undefined, { 'openstack-api-version': 'compute latest' });
    assert.equal(res.headers['openstack-api-version'], 'compute 2.93');
    assert.equal(res.headers['x-openstack-nova-api-version'], '2.93');
  });
});

test('the metadata API root lists the EC2 versions and latest', async () => {
  const h = await startHarness({ project: nova, role: 'metadata-api' });
  try {
    const res = await h.request('GET', '/');
    assert.equal(res.status, 200);
    const lines = res.text.split('\n');
    assert.equal(lines[0], '1.0');
    assert.equal(lines.at(-1), 'latest');
  } finally {
    await h.close();
  }
});

test('the policy defaults are nova 26\'s, with the Zed switches off', () => {
  const byName = new Map(novaPolicySpec.defaults.map((r) => [r.name, r]));
  assert.equal(byName.get('os_compute_api:servers:create')?.checkStr, 'rule:project_member_or_admin');
  assert.equal(byName.get('os_compute_api:servers:index:get_all_tenants')?.checkStr, 'rule:context_is_admin');
  assert.equal(byName.get('os_compute_api:os-server-external-events:create')?.checkStr, 'rule:context_is_admin');
  assert.equal(novaPolicySpec.enforceScope, false);
  assert.equal(novaPolicySpec.enforceNewDefaults, false);
  assert.ok(novaPolicySpec.defaults.length > 200);
});

test('Nova objects travel over the bus as versioned primitives and come back as objects', async () => {
  const h = await startHarness({ project: nova, role: 'metadata-api' });
  try {
    const flavor = new Flavor({
      id: 1, flavorid: '1', name: 'm1.tiny', memory_mb: 512, vcpus: 1, root_gb: 1, ephemeral_gb: 0, swap: 0, rxtx_factor: 1, vcpu_weight: null,
      disabled: false, is_public: true, extra_specs: { 'hw:cpu_policy': 'shared' }, description: null, created_at: '2024-01-01T00:00:00Z', updated_at: null,
    });
    let seen: { primitive?: unknown; spec?: unknown } = {};
    const endpoint = {
      target: { version: '4.5' },
      async select_destinations(ctx: RequestContext, args: Record<string, unknown>) {
        seen = { spec: args['spec_obj'] };
        assert.equal(ctx.projectId, 'p1');
        return [[new Selection({
          compute_node_uuid: 'cn', service_host: 'h1', nodename: 'h1', cell_uuid: 'c', limits: null, allocation_request: '{}',
          allocation_request_version: '1.36', availability_zone: 'nova',
        })]];
      },
    };
    const server = new RpcServer(h.transport, { topic: 'scheduler', server: 'h' }, [endpoint], { serializer: novaSerializer() });
    await server.start();
    const raw = new RpcServer(h.transport, { topic: 'raw', server: 'h' }, [{ async echo(_c: unknown, a: Record<string, unknown>) { seen.primitive = a['x']; return null; } }]);
    await raw.start();
    try {
      const ctx = new RequestContext({ requestId: 'req-1', identity: { projectId: 'p1', userId: 'u1', roles: ['member'], system: false, isAdminProject: false } });
      const client = new RpcClient<RequestContext>(h.transport, { topic: 'scheduler', version: '4.5' }, { serializer: novaSerializer() });
      const spec = new RequestSpec({
        instance_uuid: 'i1', project_id: 'p1', user_id: 'u1', flavor, image: undefined as never, num_instances: 1, availability_zone: null,
        scheduler_hints: {}, instance_group: null, ignore_hosts: [], force_hosts: [], force_nodes: [], requested_destination: null,
        security_groups: ['default'], is_bfv: false, requested_networks: null, num_attempts: 1,
      });
      const result = await client.call<Selection[][]>(ctx, 'select_destinations', { spec_obj: spec });
      assert.ok(result[0]![0] instanceof Selection);
      assert.equal(result[0]![0]!.data.service_host, 'h1');
      assert.ok(seen.spec instanceof RequestSpec);
      assert.ok((seen.spec as RequestSpec).data.flavor instanceof Flavor);
      assert.deepEqual((seen.spec as RequestSpec).data.flavor.data.extra_specs, { 'hw:cpu_policy': 'shared' });
      await new RpcClient<RequestContext>(h.transport, { topic: 'raw' }, { serializer: novaSerializer() }).call(ctx, 'echo', { x: flavor });
      const p = seen.primitive as Record<string, unknown>;
      assert.equal(p['nova_object.name'], 'Flavor');
      assert.equal(p['nova_object.version'], '1.2');
      assert.equal(p['nova_object.namespace'], 'nova');
      assert.equal((p['nova_object.data'] as { name: string }).name, 'm1.tiny');
      assert.ok(!(Instance.objName in {}));
    } finally {
      await server.stop();
      await raw.stop();
    }
  } finally {
    await h.close();
  }
});

test('an operator policy file overrides a Nova rule; the denial is a 403 in Nova\'s format', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nova-policy-'));
  const file = join(dir, 'policy.yaml');
  writeFileSync(file, '"os_compute_api:servers:index": "!"\n');
  const h = await startHarness({ project: nova, overrides: { 'oslo_policy.policy_file': file } });
  try {
    const denied = await h.request('GET', '/v2.1/servers', 'p1:member,reader');
    assert.equal(denied.status, 403);
    assert.deepEqual(denied.body, { forbidden: { code: 403, message: "Policy doesn't allow os_compute_api:servers:index to be performed." } });
    const detail = await h.request('GET', '/v2.1/servers/detail', 'p1:member,reader');
    assert.equal(detail.status, 200);
    assert.deepEqual(detail.body, { servers: [] });
  } finally {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
