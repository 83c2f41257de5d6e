// Resource providers and their aggregates (upstream gabbits resource-provider.yaml,
// resource-provider-links.yaml, resource-provider-aggregates.yaml, resource-provider-resources-
// query.yaml, resource-provider-any-traits.yaml, aggregate.yaml).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { allocationEnv, granular } from '../testing/fixtures.js';
import { type PlacementTest, startPlacement } from '../testing/placement-harness.js';

const HTTP_DATE = /^\w+, \d+ \w+ \d{4} [\d:]+ GMT$/;

describe('resource providers', () => {
  let p: PlacementTest;
  before(async () => {
    p = await startPlacement();
  });
  after(() => p.close());

  test('create before and after 1.20, duplicates, show, list, rename, delete', async () => {
    const uuid = randomUUID();
    const name = `rp-${uuid}`;
    const listed = await p.call('GET', '/resource_providers', { version: '1.15' });
    assert.deepEqual(listed.body, { resource_providers: [] });
    assert.equal(listed.headers['cache-control'], 'no-cache');
    assert.match(String(listed.headers['last-modified']), HTTP_DATE);
    const old = await p.call('POST', '/resource_providers', { version: '1.19', body: { name, uuid } });
    assert.equal(old.status, 201);
    assert.equal(old.text, '');
    assert.equal(old.headers['content-type'], undefined);
    assert.equal(old.headers['location'], `http://localhost:80/placement/resource_providers/${uuid}`);
    assert.equal((await p.call('DELETE', `/resource_providers/${uuid}`)).status, 204);
    const created = await p.call('POST', '/resource_providers', { body: { name, uuid } });
    assert.equal(created.status, 200);
    assert.deepEqual(created.body, {
      uuid, name, generation: 0, parent_provider_uuid: null, root_provider_uuid: uuid,
      links: ['', '/inventories', '/usages', '/aggregates', '/traits', '/allocations'].map((rel) => ({
        rel: rel === '' ? 'self' : rel.slice(1), href: `/placement/resource_providers/${uuid}${rel}`,
      })),
    });
    const both = await p.call('POST', '/resource_providers', { body: { name, uuid } });
    assert.equal(both.status, 409);
    assert.match(both.text, /Conflicting resource provider/);
    const byName = await p.call('POST', '/resource_providers', { body: { name, uuid: randomUUID() } });
    assert.match(byName.text, new RegExp(`Conflicting resource provider name: ${name} already exists`));
    assert.equal(byName.body.errors[0].code, 'placement.duplicate_name');
    const shown = await p.call('GET', `/resource_providers/${uuid}`, { version: '1.15' });
    assert.match(String(shown.headers['last-modified']), HTTP_DATE);
    assert.equal(shown.body.uuid, uuid);
    assert.equal(Object.keys((await p.call('GET', `/resource_providers/${uuid}`, { version: '1.13' })).body).length, 4);
    for (const [version, links] of [['1.0', 3], ['1.1', 4], ['1.6', 5], ['1.10', 5], ['1.11', 6]] as const) {
      assert.equal((await p.call('GET', `/resource_providers?uuid=${uuid}`, { version })).body.resource_providers[0].links.length, links, version);
    }
    assert.equal((await p.call('GET', '/resource_providers?name=flubblebubble')).body.resource_providers.length, 0);
    assert.equal((await p.call('GET', `/resource_providers?name=${name}`)).body.resource_providers.length, 1);
    assert.match((await p.call('GET', '/resource_providers?uuid=spameggs')).text, /Invalid query string parameters/);
    assert.match((await p.call('GET', '/resource_providers?spam=eggs')).text, /Invalid query string parameters/);
    const renamed = await p.call('PUT', `/resource_providers/${uuid}`, { version: '1.15', body: { name: 'new name' } });
    assert.equal(renamed.status, 200);
    assert.equal(renamed.body.name, 'new name');
    assert.equal(renamed.body.generation, 0);
    assert.equal(renamed.headers['cache-control'], 'no-cache');
    assert.equal(renamed.headers['location'], undefined);
    assert.match((await p.call('PUT', `/resource_providers/${uuid}`, { body: { badfield: 'x' } })).text, /JSON does not validate/);
    assert.match((await p.call('PUT', `/resource_providers/${uuid}`, { body: { name: 'x', uuid: randomUUID() } })).text, /Additional properties are not allowed/);
    assert.match((await p.call('POST', '/resource_providers', { body: { name: 'bad', uuid: 'this is not a uuid' } })).text, /Failed validating 'format'/);
    assert.match((await p.call('POST', '/resource_providers', { body: { name: 'x'.repeat(201) } })).text, /Failed validating 'maxLength'/);
    const noUuid = await p.call('POST', '/resource_providers', { body: { name: 'a name' } });
    assert.match(String(noUuid.headers['location']), /\/resource_providers\/[a-f0-9-]{36}$/);
    const cow = await p.call('POST', '/resource_providers', { body: { name: 'cow' } });
    const dup = await p.call('PUT', `/resource_providers/${cow.body.uuid}`, { body: { name: 'new name' } });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.errors[0].code, 'placement.duplicate_name');
    assert.equal((await p.call('DELETE', `/resource_providers/${cow.body.uuid}`)).status, 204);
    assert.equal((await p.call('DELETE', `/resource_providers/${cow.body.uuid}`)).status, 404);
    assert.equal((await p.call('GET', '/resource_providers/random_sauce')).status, 404);
    const gone = await p.call('DELETE', '/resource_providers/d67370b5-4dc0-470d-a4fa-85e8e89abc6c');
    assert.match(gone.text, /No resource provider with uuid d67370b5-4dc0-470d-a4fa-85e8e89abc6c found for delete/);
    const dashed = '2290d4af-9e6e-400b-9d65-1ee01376f71a';
    assert.equal((await p.call('POST', '/resource_providers', { body: { name: 'dashed', uuid: dashed } })).status, 200);
    const dashless = await p.call('POST', '/resource_providers', { body: { name: 'dashless', uuid: dashed.replaceAll('-', '') } });
    assert.equal(dashless.status, 409);
    assert.match(dashless.text, /Conflicting resource provider uuid: 2290d4af-9e6e-400b-9d65-1ee01376f71a already exists/);
    assert.equal((await p.call('GET', '/resource_providers', { version: '1.14' })).headers['cache-control'], undefined);
  });

  test('trees: parents (1.14), re-parenting and un-parenting (1.37), loops, deleting parents, in_tree', async () => {
    const [parent, child, alt] = [randomUUID(), randomUUID(), randomUUID()];
    assert.match((await p.call('POST', '/resource_providers', { version: '1.13', body: { name: 'c', parent_provider_uuid: parent } })).text, /JSON does not validate/);
    const self = await p.call('POST', '/resource_providers', { body: { name: 'self', uuid: alt, parent_provider_uuid: alt } });
    assert.equal(self.status, 400);
    assert.match(self.text, new RegExp(`Unable to create resource provider \\\\"self\\\\", ${alt}: .*parent provider UUID cannot be same as UUID`));
    await p.provider('child', { uuid: child });
    assert.match((await p.call('PUT', `/resource_providers/${child}`, { body: { name: 'child', parent_provider_uuid: parent } })).text, /parent provider UUID does not exist/);
    await p.provider('parent', { uuid: parent });
    assert.match((await p.call('PUT', `/resource_providers/${child}`, { body: { name: 'child', root_provider_uuid: parent } })).text, /JSON does not validate/);
    assert.equal((await p.call('PUT', `/resource_providers/${child}`, { body: { name: 'child', parent_provider_uuid: parent } })).status, 200);
    const shown = (await p.call('GET', `/resource_providers/${child}`)).body;
    assert.equal(shown.parent_provider_uuid, parent);
    assert.equal(shown.root_provider_uuid, parent);
    assert.match((await p.call('PUT', `/resource_providers/${child}`, { version: '1.36', body: { name: 'child', parent_provider_uuid: null } })).text,
      /un-parenting a provider is not currently allowed/);
    const unparented = (await p.call('PUT', `/resource_providers/${child}`, { version: '1.37', body: { name: 'child', parent_provider_uuid: null } })).body;
    assert.equal(unparented.parent_provider_uuid, null);
    assert.equal(unparented.root_provider_uuid, child);
    assert.equal((await p.call('PUT', `/resource_providers/${child}`, { version: '1.37', body: { name: 'child', parent_provider_uuid: parent } })).body.root_provider_uuid, parent);
    const grandchild = await p.provider('grandchild', { parent: child });
    assert.equal((await p.call('GET', `/resource_providers/${grandchild}`)).body.root_provider_uuid, parent);
    const del = await p.call('DELETE', `/resource_providers/${parent}`);
    assert.equal(del.status, 409);
    assert.match(del.text, new RegExp(`Unable to delete parent resource provider ${parent}: It has child resource providers\\.`));
    assert.equal(del.body.errors[0].code, 'placement.resource_provider.cannot_delete_parent');
    assert.equal((await p.call('GET', `/resource_providers?in_tree=${alt}`)).body.resource_providers.length, 0);
    assert.equal((await p.call('GET', `/resource_providers?in_tree=${grandchild}`)).body.resource_providers.length, 3);
    await p.provider('altparent', { uuid: alt });
    assert.match((await p.call('PUT', `/resource_providers/${child}`, { version: '1.36', body: { name: 'child', parent_provider_uuid: alt } })).text,
      /re-parenting a provider is not currently allowed/);
    // Moving a subtree moves its descendants to the new root.
    assert.equal((await p.call('PUT', `/resource_providers/${child}`, { version: '1.37', body: { name: 'child', parent_provider_uuid: alt } })).status, 200);
    assert.equal((await p.call('GET', `/resource_providers/${grandchild}`)).body.root_provider_uuid, alt);
    assert.match((await p.call('PUT', `/resource_providers/${alt}`, { body: { name: 'altparent', parent_provider_uuid: alt } })).text, /creating loop in the provider tree is not allowed\./);
    assert.match((await p.call('PUT', `/resource_providers/${alt}`, { body: { name: 'altparent', parent_provider_uuid: grandchild } })).text, /creating loop in the provider tree is not allowed\./);
  });

  test('filters: required and forbidden traits (1.18, 1.22), in: (1.39), resources (1.4)', async () => {
    const q = await startPlacement();
    try {
      const e = await granular(q);
      const names = async (query: string, version = 'latest') => {
        const res = await q.call('GET', `/resource_providers?${query}`, { version });
        assert.equal(res.status, 200, res.text);
        return res.body.resource_providers.map((r: any) => r.name).sort();
      };
      assert.deepEqual(await names('required=HW_CPU_X86_AVX'), ['cn_left', 'cn_middle']);
      assert.deepEqual(await names('required=HW_CPU_X86_AVX,!CUSTOM_FOO'), ['cn_middle']);
      assert.deepEqual(await names('required=!MISC_SHARES_VIA_AGGREGATE'), ['cn_left', 'cn_middle', 'cn_right']);
      assert.deepEqual(await names('required=!MISC_SHARES_VIA_AGGREGATE,!HW_CPU_X86_AVX'), ['cn_right']);
      const v21 = await q.call('GET', '/resource_providers?required=!CUSTOM_FOO', { version: '1.21' });
      assert.match(v21.text, /Expected 'required' parameter value of the form: HW_CPU_X86_VMX,CUSTOM_MAGIC\. Got: !CUSTOM_FOO/);
      assert.match((await q.call('GET', '/resource_providers?required=HW_CPU_X86_AVX', { version: '1.17' })).text, /Additional properties are not allowed/);
      assert.match((await q.call('GET', '/resource_providers?required=')).text, /HW_CPU_X86_VMX,!CUSTOM_MAGIC\./);
      assert.match((await q.call('GET', '/resource_providers?required=CUSTOM_FOO,,HW_CPU_X86_AVX')).text, /Got an empty trait in/);
      assert.match((await q.call('GET', '/resource_providers?required=CUSTOM_FOO,BOGUS_TRAIT')).text, /Invalid trait\(s\) in \\"required\\" parameter: No such trait\(s\): BOGUS_TRAIT\./);
      assert.match((await q.call('GET', '/resource_providers?required=in:CUSTOM_FOO,HW_CPU_X86_MMX', { version: '1.38' })).text,
        /The format 'in:HW_CPU_X86_VMX,CUSTOM_MAGIC' only supported since microversion 1\.39\./);
      assert.deepEqual(await names('required=CUSTOM_FOO&required=HW_CPU_X86_MMX', '1.38'), ['cn_right']);
      assert.deepEqual(await names('required=in:HW_GPU_API_DXVA,HW_NIC_ACCEL_TLS&required=HW_CPU_X86_AVX,!CUSTOM_FOO'), ['cn_middle']);
      assert.deepEqual(await names('required=in:HW_CPU_X86_MMX,HW_NIC_ACCEL_TLS&required=in:CUSTOM_DISK_SSD,CUSTOM_FOO'), ['cn_right']);
      assert.deepEqual(await names('resources=DISK_GB:600'), ['shr_disk_1', 'shr_disk_2']);
      assert.deepEqual(await names('resources=VGPU:3'), ['cn_left']);
      assert.deepEqual(await names(`member_of=${e['AGGB']}&resources=VCPU:1`), ['cn_middle', 'cn_right']);
      assert.deepEqual(await names('required=HW_CPU_X86_AVX&resources=SRIOV_NET_VF:8'), ['cn_left', 'cn_middle']);
    } finally {
      await q.close();
    }
  });

  test('filters on resources: amounts, min/max unit, step size, errors', async () => {
    const q = await startPlacement();
    try {
      await allocationEnv(q);
      const count = async (query: string) => (await q.call('GET', `/resource_providers?${query}`)).body.resource_providers.length;
      assert.match((await q.call('GET', '/resource_providers?resources=VCPU:1', { version: '1.3' })).text, /Invalid query string parameters/);
      assert.match((await q.call('GET', '/resource_providers?resources=VCPU')).text, /Badly formed resources parameter\. Expected resources query string parameter in form:.*Got: VCPU\./);
      assert.match((await q.call('GET', '/resource_providers?resources=VCPU:fred')).text, /Requested resource VCPU expected positive integer amount\. Got: fred\./);
      assert.match((await q.call('GET', '/resource_providers?resources=VCPU:-2')).text, /Requested resource VCPU requires amount >= 1\. Got: -2\./);
      assert.match((await q.call('GET', '/resource_providers?resources=MYMISSINGCLASS:1')).text, /Invalid resource class in resources parameter/);
      assert.match((await q.call('GET', '/resource_providers?resources=DISK_GB:500,')).text, /Got: \./);
      assert.equal(await count('resources=DISK_GB:500'), 1);
      assert.equal(await count('resources=DISK_GB:500,VCPU:2'), 1);
      for (const none of ['DISK_GB:1', 'DISK_GB:1010', 'DISK_GB:102400', 'DISK_GB:11', 'MEMORY_MB:10240', 'DISK_GB:500,VCPU:4']) assert.equal(await count(`resources=${none}`), 0, none);
    } finally {
      await q.close();
    }
  });

  test('member_of filters (1.3, several 1.24, forbidden 1.32)', async () => {
    const [a1, a2, a3] = ['83a3d69d-8920-48e2-8914-cadfd8fa2f91', '99652f11-9f77-46b9-80b7-4b1989be9f8c', '282d469e-29e2-4a8a-8f2e-31b3202b696a'];
    const q = await startPlacement();
    try {
      const rp1 = await q.provider('rp_1', { aggregates: [a1, a3] });
      await q.provider('rp_2', { aggregates: [a2, a1] });
      await q.provider('rp_3');
      const count = async (query: string, version = 'latest') => {
        const res = await q.call('GET', `/resource_providers?${query}`, { version });
        assert.equal(res.status, 200, res.text);
        return res.body.resource_providers.length;
      };
      assert.equal(await count(`member_of=in:${a1}`, '1.3'), 2);
      assert.equal(await count(`member_of=${a3}`, '1.3'), 1);
      assert.match((await q.call('GET', '/resource_providers?member_of=not+a+uuid')).text, /Expected 'member_of' parameter to contain valid UUID\(s\)\./);
      assert.match((await q.call('GET', `/resource_providers?member_of=in:${a1}`, { version: '1.2' })).text, /Invalid query string parameters/);
      assert.match((await q.call('GET', `/resource_providers?member_of=${a1}&member_of=${a2}`, { version: '1.23' })).text, /Multiple member_of parameters are not supported/);
      assert.equal(await count(`member_of=${a1}&member_of=${a2}`), 1);
      assert.equal(await count(`member_of=${a1}&member_of=in:${a2},${a3}`), 2);
      assert.equal(await count(`member_of=${a3}&member_of=${a3}`), 1);
      assert.match((await q.call('GET', `/resource_providers?member_of=!${a3}`, { version: '1.31' })).text, /Forbidden member_of parameters are not supported in the specified microversion/);
      assert.match((await q.call('GET', `/resource_providers?member_of=in:${a2},!${a3}`)).text, /Expected 'member_of' parameter to contain valid UUID\(s\)\. Got: !/);
      assert.match((await q.call('GET', `/resource_providers?member_of=${a2},${a3}`)).text, /Multiple values for 'member_of' must be prefixed with the 'in:' or '!in:' keyword/);
      assert.equal(await count(`member_of=!${a3}`), 2);
      assert.equal(await count(`member_of=!${a3}&member_of=!${a2}`), 1);
      assert.equal(await count(`member_of=!in:${a3},${a2}`), 1);
      assert.equal((await q.call('GET', `/resource_providers?member_of=${a3}`)).body.resource_providers[0].uuid, rp1);
    } finally {
      await q.close();
    }
  });
});

describe('provider aggregates', () => {
  test('GET and PUT, generations from 1.19', async () => {
    const [agg1, agg2] = ['f918801a-5e54-4bee-9095-09a9d0c786b8', 'a893eb5c-e2a0-4251-ab26-f71d3b0cfc0b'];
    const p = await startPlacement();
    try {
      const missing = randomUUID();
      assert.equal((await p.call('GET', `/resource_providers/${missing}/aggregates`)).status, 404);
      assert.equal((await p.call('PUT', `/resource_providers/${missing}/aggregates`, { body: [] })).status, 404);
      const rp = await p.provider('rp');
      const path = `/resource_providers/${rp}/aggregates`;
      assert.deepEqual((await p.call('GET', path)).body, { aggregates: [], resource_provider_generation: 0 });
      assert.equal((await p.call('GET', path, { version: '1.0' })).status, 404);
      assert.equal((await p.call('PUT', path, { version: '1.0', body: [] })).status, 404);
      assert.match((await p.call('PUT', path, { body: [agg1, agg2] })).text, /JSON does not validate/);
      assert.match((await p.call('PUT', path, { version: '1.18', body: { resource_provider_generation: 0, aggregates: [agg1] } })).text, /JSON does not validate/);
      const put = await p.call('PUT', path, { body: { resource_provider_generation: 0, aggregates: [agg1, agg2] } });
      assert.equal(put.status, 200);
      assert.deepEqual(put.body, { aggregates: [agg1, agg2], resource_provider_generation: 1 });
      assert.equal(put.headers['cache-control'], 'no-cache');
      assert.match(String(put.headers['last-modified']), HTTP_DATE);
      assert.equal((await p.call('GET', path)).body.aggregates.length, 2);
      const stale = await p.call('PUT', path, { body: { resource_provider_generation: 0, aggregates: [] } });
      assert.equal(stale.status, 409);
      assert.equal(stale.body.errors[0].code, 'placement.concurrent_update');
      assert.deepEqual((await p.call('PUT', path, { body: { resource_provider_generation: 1, aggregates: [] } })).body.aggregates, []);
      assert.match((await p.call('PUT', path, { body: '{"bad", "not json"}' })).text, /Malformed JSON/);
      assert.match((await p.call('PUT', path, { body: { aggregates: [agg1] } })).text, /JSON does not validate/);
      assert.match((await p.call('PUT', path, { body: { aggregates: ['harry', 'sally'], resource_provider_generation: 2 } })).text, /is not a 'uuid'/);
      assert.match((await p.call('PUT', path, { body: { aggregates: [agg1, agg1], resource_provider_generation: 2 } })).text, /has non-unique elements/);
      const v14 = await p.call('PUT', path, { version: '1.14', body: [agg1, agg2] });
      assert.equal(v14.status, 200);
      assert.deepEqual(v14.body, { aggregates: [agg1, agg2] });
      assert.equal(v14.headers['cache-control'], undefined);
      // Before 1.19 the generation does not move.
      assert.equal((await p.call('GET', `/resource_providers/${rp}`)).body.generation, 2);
    } finally {
      await p.close();
    }
  });
});
