// Allocations, usages and the reshaper (upstream gabbits allocations.yaml, allocations-1-8,
// allocations-1-12, allocations-1.28, allocations-post, allocations-mappings, consumer-types-1.38,
// usage.yaml, reshaper.yaml): body shapes per microversion, consumer generations, capacity and
// constraint checks, generations of providers, usages by project, user and consumer type.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { allocationEnv } from '../testing/fixtures.js';
import { type PlacementTest, startPlacement } from '../testing/placement-harness.js';

describe('allocations', () => {
  let p: PlacementTest;
  before(async () => {
    p = await startPlacement();
  });
  after(() => p.close());

  test('PUT, GET, DELETE through the old microversions', async () => {
    const consumer = '599ffd2d-526a-4b2e-8683-f13ad25f9958';
    assert.deepEqual((await p.call('GET', `/allocations/${consumer}`, { version: '1.0' })).body, { allocations: {} });
    const list = (rp: string, resources: Record<string, number>) => ({ allocations: [{ resource_provider: { uuid: rp }, resources }] });
    assert.equal((await p.call('PUT', `/allocations/${consumer}`, { version: '1.0', body: { allocations: [{ resources: { DISK_GB: 10 } }] } })).status, 400);
    const rp = await p.provider('rp');
    assert.equal((await p.call('PUT', `/allocations/${consumer}`, { version: '1.0', headers: { 'content-type': 'application/json' } })).status, 400);
    assert.match((await p.call('PUT', `/allocations/${consumer}`, { version: '1.0', body: { allocations: [] } })).text, /Failed validating 'minItems'/);
    assert.equal((await p.call('PUT', `/allocations/${consumer}`, { version: '1.0', body: list(rp, { cow: 10 }) })).status, 400);
    const noInventory = await p.call('PUT', `/allocations/${consumer}`, { version: '1.0', body: list(rp, { DISK_GB: 10 }) });
    assert.equal(noInventory.status, 409);
    assert.match(noInventory.text, /Unable to allocate inventory: Inventory for 'DISK_GB' on resource provider '.*' invalid\./);
    await p.call('POST', `/resource_providers/${rp}/inventories`, { version: '1.0', body: { resource_class: 'DISK_GB', total: 2048, min_unit: 10, max_unit: 1024 } });
    assert.match((await p.call('PUT', `/allocations/${consumer}`, { version: '1.0', body: list(rp, { DISK_GB: 0 }) })).text, /JSON does not validate: 0 is less than the minimum of 1/);
    assert.match((await p.call('PUT', `/allocations/${consumer}`, { version: '1.0', body: { allocations: [{ resource_provider: { uuid: rp } }] } })).text,
      /Failed validating 'required' in schema/);
    const small = await p.call('PUT', `/allocations/${consumer}`, { version: '1.0', body: list(rp, { DISK_GB: 5 }) });
    assert.equal(small.status, 409);
    assert.match(small.text, /The requested amount would violate inventory constraints/);
    assert.equal((await p.call('PUT', `/allocations/${consumer}`, { version: '1.0', body: list(rp, { DISK_GB: 10 }) })).status, 204);
    const inUse = await p.call('DELETE', `/resource_providers/${rp}`, { version: '1.23' });
    assert.equal(inUse.status, 409);
    assert.equal(inUse.body.errors[0].code, 'placement.resource_provider.inuse');
    assert.match(inUse.text, /Unable to delete resource provider .*: Resource provider has allocations\./);
    const other = '39715579-2167-4c63-8247-301311cc6703';
    assert.equal((await p.call('PUT', `/allocations/${other}`, { version: '1.0', body: list(rp, { DISK_GB: 10 }) })).status, 204);
    assert.equal((await p.call('GET', `/resource_providers/${rp}/usages`)).body.usages.DISK_GB, 20);
    assert.equal((await p.call('PUT', `/allocations/${consumer}`, { version: '1.0', body: list(rp, { DISK_GB: 12 }) })).status, 204);
    assert.equal((await p.call('GET', `/resource_providers/${rp}/usages`)).body.usages.DISK_GB, 22);
    const badClass = await p.call('PUT', `/allocations/${consumer}`, { version: '1.0', body: list(rp, { COWS: 12 }) });
    assert.equal(badClass.status, 400);
    assert.match(badClass.text, /Unable to allocate inventory for consumer 599ffd2d-526a-4b2e-8683-f13ad25f9958: No such resource class COWS\./);
    assert.equal((await p.call('DELETE', `/allocations/${consumer}`)).status, 204);
    const again = await p.call('DELETE', `/allocations/${consumer}`);
    assert.equal(again.status, 404);
    assert.match(again.text, /No allocations for consumer '599ffd2d-526a-4b2e-8683-f13ad25f9958'/);
    // Deleting allocations does not move the provider generation.
    const gen = (await p.call('GET', `/resource_providers/${rp}`)).body.generation;
    assert.equal(gen, 4);
    const missing = await p.call('PUT', `/allocations/${consumer}`, { version: '1.0', body: list('be8b9cba-e7db-4a12-a386-99b4242167fe', { DISK_GB: 5 }) });
    assert.match(missing.text, /Allocation for resource provider 'be8b9cba-e7db-4a12-a386-99b4242167fe' that does not exist\./);
    assert.match((await p.call('PUT', '/allocations/not-a-uuid', { version: '1.0', body: list(rp, { DISK_GB: 10 }) })).text, /Malformed consumer_uuid: not-a-uuid/);
    const byRp = (await p.call('GET', `/resource_providers/${rp}/allocations`, { version: '1.15' }));
    assert.deepEqual(byRp.body, { allocations: { [other]: { resources: { DISK_GB: 10 } } }, resource_provider_generation: 4 });
    assert.equal(byRp.headers['cache-control'], 'no-cache');
    assert.equal((await p.call('GET', `/resource_providers/${randomUUID()}/allocations`)).status, 404);
  });

  test('project and user (1.8), dict bodies (1.12), consumer generations (1.28)', async () => {
    const rp = await p.provider('rp-gen', { inventories: { DISK_GB: { total: 100 }, VCPU: { total: 8 } } });
    const c = randomUUID();
    const v8 = await p.call('PUT', `/allocations/${c}`, { version: '1.8', body: { allocations: [{ resource_provider: { uuid: rp }, resources: { DISK_GB: 10 } }] } });
    assert.match(v8.text, /'project_id' is a required property/);
    const dict = { allocations: { [rp]: { resources: { DISK_GB: 10 } } }, project_id: 'p1', user_id: 'u1' };
    assert.equal((await p.call('PUT', `/allocations/${c}`, { version: '1.12', body: dict })).status, 204);
    const v11 = (await p.call('GET', `/allocations/${c}`, { version: '1.11' })).body;
    assert.deepEqual(v11, { allocations: { [rp]: { resources: { DISK_GB: 10 }, generation: v11.allocations[rp].generation } } });
    const v12 = (await p.call('GET', `/allocations/${c}`, { version: '1.12' })).body;
    assert.equal(v12.project_id, 'p1');
    assert.equal(v12.user_id, 'u1');
    assert.equal(v12.consumer_generation, undefined);
    const v28 = (await p.call('GET', `/allocations/${c}`, { version: '1.28' })).body;
    assert.equal(v28.consumer_generation, 1);
    assert.match((await p.call('PUT', `/allocations/${c}`, { version: '1.28', body: dict })).text, /JSON does not validate/);
    const stale = await p.call('PUT', `/allocations/${c}`, { version: '1.28', body: { ...dict, consumer_generation: 12 } });
    assert.equal(stale.status, 409);
    assert.match(stale.text, /consumer generation conflict - expected 1 but got 12/);
    assert.equal(stale.body.errors[0].code, 'placement.concurrent_update');
    assert.match((await p.call('PUT', `/allocations/${c}`, { version: '1.28', body: { ...dict, consumer_generation: null } })).text,
      /consumer generation conflict - expected 1 but got None/);
    const fresh = randomUUID();
    const notNull = await p.call('PUT', `/allocations/${fresh}`, { version: '1.28', body: { ...dict, consumer_generation: 5 } });
    assert.match(notNull.text, /consumer generation conflict - expected null but got 5/);
    assert.equal((await p.call('PUT', `/allocations/${c}`, { version: '1.28', body: { ...dict, consumer_generation: 1 } })).status, 204);
    // Empty allocations remove them (1.28) and the consumer goes with them.
    assert.equal((await p.call('PUT', `/allocations/${c}`, { version: '1.28', body: { ...dict, allocations: {}, consumer_generation: 2 } })).status, 204);
    assert.deepEqual((await p.call('GET', `/allocations/${c}`, { version: '1.28' })).body, { allocations: {} });
    assert.equal((await p.call('PUT', `/allocations/${c}`, { version: '1.28', body: { ...dict, consumer_generation: null } })).status, 204);
    // Dashless consumer uuids are normalised.
    const dashless = c.replaceAll('-', '');
    assert.equal((await p.call('PUT', `/allocations/${dashless}`, { version: '1.28', body: { ...dict, consumer_generation: 1 } })).status, 204);
    assert.equal((await p.call('GET', `/allocations/${c}`, { version: '1.28' })).body.consumer_generation, 2);
    const rpAllocs = (await p.call('GET', `/resource_providers/${rp}/allocations`, { version: '1.28' })).body;
    assert.equal(rpAllocs.allocations[c].consumer_generation, 2);
    // mappings are accepted from 1.34 and ignored.
    assert.match((await p.call('PUT', `/allocations/${c}`, { version: '1.33', body: { ...dict, consumer_generation: 2, mappings: { '': [rp] } } })).text,
      /'mappings' was unexpected/);
    assert.equal((await p.call('PUT', `/allocations/${c}`, { version: '1.34', body: { ...dict, consumer_generation: 2, mappings: { '': [rp] } } })).status, 204);
  });

  test('upstream bugs: failed claims leave no consumer; no project before 1.8; empty resources', async () => {
    const rp = await p.provider('bugs', { inventories: { VCPU: { total: 2, max_unit: 10 } } });
    const consumer = '88888888-8888-8888-8888-888888888888';
    const body = (vcpu: number) => ({ allocations: { [rp]: { resources: { VCPU: vcpu } } }, project_id: 'p', user_id: 'u', consumer_generation: null });
    assert.match((await p.call('PUT', `/allocations/${consumer}`, { version: '1.28', body: body(3) })).text, /The requested amount would exceed the capacity/);
    assert.deepEqual((await p.call('GET', `/allocations/${consumer}`, { version: '1.28' })).body, { allocations: {} });
    assert.equal((await p.call('PUT', `/allocations/${consumer}`, { version: '1.28', body: body(1) })).status, 204);
    // Two consumers of one POST together exceed the inventory: nothing is written.
    const both = { [randomUUID()]: body(2), [randomUUID()]: body(1) };
    assert.equal((await p.call('POST', '/allocations', { version: '1.28', body: both })).status, 409);
    assert.deepEqual((await p.call('GET', `/resource_providers/${rp}/usages`)).body.usages, { VCPU: 1 });
    const old = randomUUID();
    assert.equal((await p.call('PUT', `/allocations/${old}`, { version: '1.7', body: { allocations: [{ resource_provider: { uuid: rp }, resources: { VCPU: 1 } }] } })).status, 204);
    const filled = (await p.call('GET', `/allocations/${old}`, { version: '1.12' })).body;
    assert.equal(filled.project_id, '00000000-0000-0000-0000-000000000000');
    assert.equal(filled.user_id, '00000000-0000-0000-0000-000000000000');
    assert.match((await p.call('PUT', `/allocations/${old}`, { version: '1.7', body: { allocations: [{ resource_provider: { uuid: rp }, resources: {} }] } })).text,
      /does not have enough properties/);
    assert.match((await p.call('PUT', `/allocations/${old}`, { version: '1.12', body: { allocations: { [rp]: { resources: {} } }, project_id: 'p', user_id: 'u' } })).text,
      /does not have enough properties/);
  });

  test('POST /allocations for several consumers at once (1.13)', async () => {
    const c1 = await p.provider('compute01', { inventories: { VCPU: { total: 8 }, MEMORY_MB: { total: 4096 } } });
    const c2 = await p.provider('compute02', { inventories: { VCPU: { total: 8 }, MEMORY_MB: { total: 4096 } } });
    const st = await p.provider('storage01', { inventories: { DISK_GB: { total: 500 } } });
    const [instance, migration] = [randomUUID(), randomUUID()];
    assert.equal((await p.call('GET', '/allocations', { version: '1.13' })).status, 405);
    assert.equal((await p.call('POST', '/allocations', { version: '1.12', body: {} })).status, 404);
    const owner = { project_id: 'proj', user_id: 'usr', consumer_generation: null };
    const body = {
      [instance]: { ...owner, allocations: { [c2]: { resources: { VCPU: 2, MEMORY_MB: 1024 } }, [st]: { resources: { DISK_GB: 5 } } } },
      [migration]: { ...owner, allocations: { [c1]: { resources: { VCPU: 2, MEMORY_MB: 1024 } } } },
    };
    assert.equal((await p.call('POST', '/allocations', { version: '1.28', body })).status, 204);
    const got = (await p.call('GET', `/allocations/${instance}`, { version: '1.28' })).body;
    assert.deepEqual(got.allocations[st].resources, { DISK_GB: 5 });
    assert.equal(got.consumer_generation, 1);
    assert.deepEqual((await p.call('GET', '/usages?project_id=proj', { version: '1.9' })).body.usages, { VCPU: 4, MEMORY_MB: 2048, DISK_GB: 5 });
    // Clearing one consumer and moving another in one request.
    const swap = {
      [migration]: { project_id: 'proj', user_id: 'usr', consumer_generation: 1, allocations: {} },
      [instance]: { project_id: 'proj', user_id: 'usr', consumer_generation: 1, allocations: { [c2]: { resources: { VCPU: 2, MEMORY_MB: 1024 } }, [st]: { resources: { DISK_GB: 5 } } } },
    };
    assert.equal((await p.call('POST', '/allocations', { version: '1.28', body: swap })).status, 204);
    assert.deepEqual((await p.call('GET', '/usages?project_id=proj', { version: '1.9' })).body.usages, { VCPU: 2, MEMORY_MB: 1024, DISK_GB: 5 });
    // Two consumers that each fit but not together.
    const five = { ...owner, allocations: { [c1]: { resources: { VCPU: 5 } } } };
    const over = await p.call('POST', '/allocations', { version: '1.28', body: { [randomUUID()]: five, [randomUUID()]: five } });
    assert.equal(over.status, 409);
    assert.match(over.text, /The requested amount would exceed the capacity/);
    const notInInv = await p.call('POST', '/allocations', { version: '1.28', body: { [randomUUID()]: { ...owner, allocations: { [c1]: { resources: { PCI_DEVICE: 1 } } } } } });
    assert.match(notInInv.text, /Inventory for 'PCI_DEVICE' on/);
    const noClass = await p.call('POST', '/allocations', { version: '1.28', body: { [randomUUID()]: { ...owner, allocations: { [c1]: { resources: { CUSTOM_PONY: 1 } } } } } });
    assert.equal(noClass.status, 400);
    assert.match(noClass.text, /Unable to allocate inventory No such resource class CUSTOM_PONY/);
    const noRp = await p.call('POST', '/allocations', { version: '1.28', body: { [randomUUID()]: { ...owner, allocations: { [randomUUID()]: { resources: { VCPU: 1 } } } } } });
    assert.match(noRp.text, /that does not exist/);
    // A failed request changes nothing, not even for the consumers that were fine.
    const okAndBad = {
      [randomUUID()]: { ...owner, allocations: { [c1]: { resources: { VCPU: 1 } } } },
      [randomUUID()]: { ...owner, allocations: { [c1]: { resources: { VCPU: 8 } } } },
    };
    assert.equal((await p.call('POST', '/allocations', { version: '1.28', body: okAndBad })).status, 409);
    assert.deepEqual((await p.call('GET', '/usages?project_id=proj', { version: '1.9' })).body.usages, { VCPU: 2, MEMORY_MB: 1024, DISK_GB: 5 });
  });

  test('usages of a project and user; per consumer type (1.38)', async () => {
    const q = await startPlacement();
    try {
      const e = await allocationEnv(q);
      const project = e['PROJECT_ID']!;
      assert.equal((await q.call('GET', `/usages?project_id=${project}`, { version: '1.8' })).status, 404);
      assert.match((await q.call('GET', '/usages', { version: '1.9' })).text, /'project_id' is a required property/);
      assert.deepEqual((await q.call('GET', `/usages?project_id=${project}`, { version: '1.9' })).body, { usages: { VCPU: 7, DISK_GB: 1020 } });
      assert.deepEqual((await q.call('GET', `/usages?project_id=${project}&user_id=${e['ALT_USER_ID']}`, { version: '1.9' })).body, { usages: { VCPU: 1, DISK_GB: 20 } });
      assert.deepEqual((await q.call('GET', '/usages?project_id=nobody', { version: '1.9' })).body, { usages: {} });
      const cached = await q.call('GET', `/usages?project_id=${project}`, { version: '1.15' });
      assert.equal(cached.headers['cache-control'], 'no-cache');
      // A project reader may see its own project's usages (system_or_project_reader).
      assert.equal((await q.call('GET', `/usages?project_id=${project}`, { version: '1.9', token: `${project}:reader` })).status, 200);
      assert.equal((await q.call('GET', '/usages?project_id=other', { version: '1.9', token: `${project}:reader` })).status, 403);

      const rp = e['RP']!;
      const owner = { project_id: project, user_id: e['USER_ID'], consumer_generation: null, allocations: { [rp]: { resources: { DISK_GB: 10 } } } };
      assert.match((await q.call('POST', '/allocations', { version: '1.38', body: { [randomUUID()]: owner } })).text, /'consumer_type' is a required property/);
      const pony = randomUUID();
      assert.equal((await q.call('POST', '/allocations', { version: '1.38', body: { [pony]: { ...owner, consumer_type: 'INSTANCE' } } })).status, 204);
      assert.equal((await q.call('PUT', `/allocations/${pony}`, { version: '1.38', body: { ...owner, consumer_generation: 1, consumer_type: 'PONY' } })).status, 204);
      const instance = randomUUID();
      assert.equal((await q.call('PUT', `/allocations/${instance}`, { version: '1.36', body: owner })).status, 204);
      assert.equal((await q.call('PUT', `/allocations/${instance}`, { version: '1.38', body: { ...owner, consumer_generation: 1, consumer_type: 'INSTANCE' } })).status, 204);
      assert.match((await q.call('PUT', `/allocations/${instance}`, { version: '1.38', body: { ...owner, consumer_generation: 2, consumer_type: 'instance' } })).text,
        /'instance' does not match '\^\[A-Z0-9_\]\+\$'/);
      assert.equal((await q.call('GET', `/allocations/${pony}`, { version: '1.38' })).body.consumer_type, 'PONY');
      assert.equal((await q.call('GET', `/allocations/${e['CONSUMER_0']}`, { version: '1.38' })).body.consumer_type, 'unknown');
      const usages = (t?: string) => q.call('GET', `/usages?project_id=${project}${t ? `&consumer_type=${t}` : ''}`, { version: '1.38' }).then((r) => r.body.usages);
      assert.deepEqual(await usages(), {
        PONY: { DISK_GB: 10, consumer_count: 1 }, INSTANCE: { DISK_GB: 10, consumer_count: 1 }, unknown: { DISK_GB: 1020, VCPU: 7, consumer_count: 3 },
      });
      assert.deepEqual(await usages('PONY'), { PONY: { DISK_GB: 10, consumer_count: 1 } });
      assert.deepEqual(await usages('COW'), {});
      assert.deepEqual(await usages('all'), { all: { DISK_GB: 1040, VCPU: 7, consumer_count: 5 } });
      assert.deepEqual(await usages('ALL'), {});
      assert.deepEqual(await usages('unknown'), { unknown: { DISK_GB: 1020, VCPU: 7, consumer_count: 3 } });
      assert.deepEqual(await usages('UNKNOWN'), {});
      assert.match((await q.call('GET', `/usages?project_id=${project}&consumer_type=bad-type`, { version: '1.38' })).text, /Invalid query string parameters/);
    } finally {
      await q.close();
    }
  });
});

describe('reshaper', () => {
  test('moves inventory and allocations to a child and back (1.30), consumer types (1.38)', async () => {
    const p = await startPlacement();
    try {
      const e = await allocationEnv(p);
      const rp = e['RP']!;
      const gen = async (uuid: string) => (await p.call('GET', `/resource_providers/${uuid}`)).body.generation as number;
      assert.equal((await p.call('GET', '/reshaper', { version: '1.30' })).status, 405);
      assert.equal((await p.call('POST', '/reshaper', { version: '1.29', body: {} })).status, 404);
      assert.equal((await p.call('POST', '/reshaper', { version: '1.30', body: {}, token: 'p:member,reader' })).status, 403);
      assert.match((await p.call('POST', '/reshaper', { version: '1.30', body: { bad: 1 } })).text, /JSON does not validate/);
      const g0 = await gen(rp);
      const inUse = await p.call('POST', '/reshaper', { version: '1.30', body: { inventories: { [rp]: { resource_provider_generation: g0, inventories: {} } }, allocations: {} } });
      assert.equal(inUse.status, 409);
      assert.equal(inUse.body.errors[0].code, 'placement.inventory.inuse');
      const badGen = await p.call('POST', '/reshaper', { version: '1.30', body: { inventories: { [rp]: { resource_provider_generation: g0 - 1, inventories: {} } }, allocations: {} } });
      assert.match(badGen.text, new RegExp(`resource provider generation conflict for provider ${rp}: actual: ${g0}, given: ${g0 - 1}`));
      const child = await p.provider('child', { parent: rp });
      const owner = (user: string) => ({ project_id: e['PROJECT_ID'], user_id: user, consumer_generation: 1 });
      const moveBody = (childUuid: string, rc = 'VCPU') => ({
        inventories: {
          [rp]: { resource_provider_generation: g0, inventories: { DISK_GB: { total: 2048, step_size: 10, min_unit: 10, max_unit: 1200 } } },
          [childUuid]: { resource_provider_generation: 0, inventories: { [rc]: { total: 10, max_unit: 8 } } },
        },
        allocations: {
          [e['CONSUMER_0']!]: { ...owner(e['USER_ID']!), allocations: { [rp]: { resources: { DISK_GB: 1000 } } } },
          [e['CONSUMER_ID']!]: { ...owner(e['USER_ID']!), allocations: { [childUuid]: { resources: { [rc]: 8 } } } },
          [e['ALT_CONSUMER_ID']!]: { ...owner(e['ALT_USER_ID']!), allocations: { [rp]: { resources: { DISK_GB: 20 } }, [childUuid]: { resources: { [rc]: 1 } } } },
        },
      });
      const unknownChild = await p.call('POST', '/reshaper', { version: '1.30', body: moveBody(randomUUID()) });
      assert.equal(unknownChild.status, 400);
      assert.equal(unknownChild.body.errors[0].code, 'placement.resource_provider.not_found');
      assert.match((await p.call('POST', '/reshaper', { version: '1.30', body: moveBody(child, 'DISK_OF_STEEL') })).text, /No such resource class DISK_OF_STEEL/);
      assert.equal((await p.call('POST', '/reshaper', { version: '1.30', body: moveBody(child) })).status, 204);
      const parentUsage = (await p.call('GET', `/resource_providers/${rp}/usages`)).body;
      assert.deepEqual(parentUsage, { resource_provider_generation: g0 + 3, usages: { DISK_GB: 1020 } });
      const childUsage = (await p.call('GET', `/resource_providers/${child}/usages`)).body;
      assert.deepEqual(childUsage, { resource_provider_generation: 3, usages: { VCPU: 9 } });
      assert.equal((await p.call('GET', `/allocations/${e['CONSUMER_ID']}`, { version: '1.28' })).body.consumer_generation, 2);

      // Back again, with a new consumer typed RESHAPED (1.38).
      const back = {
        inventories: {
          [rp]: { resource_provider_generation: g0 + 3, inventories: { DISK_GB: { total: 2048, step_size: 10, min_unit: 10, max_unit: 1200 }, VCPU: { total: 10, max_unit: 8 } } },
          [child]: { resource_provider_generation: 3, inventories: {} },
        },
        allocations: {
          [e['CONSUMER_ID']!]: { ...owner(e['USER_ID']!), consumer_generation: 2, consumer_type: 'INSTANCE', allocations: { [rp]: { resources: { VCPU: 8 } } } },
          [e['ALT_CONSUMER_ID']!]: { ...owner(e['ALT_USER_ID']!), consumer_generation: 2, consumer_type: 'INSTANCE', allocations: { [rp]: { resources: { DISK_GB: 20, VCPU: 1 } } } },
        },
      };
      assert.match((await p.call('POST', '/reshaper', { version: '1.38', body: { ...back, allocations: { [e['CONSUMER_ID']!]: { ...back.allocations[e['CONSUMER_ID']!], consumer_type: undefined } } } })).text,
        /'consumer_type' is a required/);
      assert.match((await p.call('POST', '/reshaper', { version: '1.36', body: back })).text, /'consumer_type' was unexpected/);
      assert.equal((await p.call('POST', '/reshaper', { version: '1.38', body: back })).status, 204);
      assert.deepEqual((await p.call('GET', `/resource_providers/${child}/usages`)).body.usages, {});
      assert.deepEqual((await p.call('GET', `/resource_providers/${rp}/usages`)).body.usages, { DISK_GB: 1020, VCPU: 9 });
      assert.equal((await p.call('GET', `/allocations/${e['CONSUMER_ID']}`, { version: '1.38' })).body.consumer_type, 'INSTANCE');
    } finally {
      await p.close();
    }
  });
});
