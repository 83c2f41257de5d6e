// Inventories, traits and resource classes (upstream gabbits inventory.yaml, traits.yaml,
// resource-classes.yaml, resource-classes-1-6/1-7, resource-class-in-use.yaml).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { STANDARD_RESOURCE_CLASSES } from '../data/standard-resource-classes.js';
import { STANDARD_TRAITS } from '../data/standard-traits.js';
import { type PlacementTest, startPlacement } from '../testing/placement-harness.js';

const HTTP_DATE = /^\w+, \d+ \w+ \d{4} [\d:]+ GMT$/;

describe('inventories', () => {
  let p: PlacementTest;
  let rp: string;
  before(async () => {
    p = await startPlacement();
    rp = randomUUID();
  });
  after(() => p.close());

  test('one inventory at a time', async () => {
    const missing = await p.call('GET', `/resource_providers/${randomUUID()}/inventories`);
    assert.equal(missing.status, 404);
    assert.match(missing.text, /No resource provider with uuid .* found : No resource provider/);
    assert.equal((await p.call('DELETE', `/resource_providers/${rp}/inventories`, { version: '1.5' })).status, 404);
    await p.provider('inv', { uuid: rp });
    const base = `/resource_providers/${rp}/inventories`;
    assert.deepEqual((await p.call('GET', base)).body, { resource_provider_generation: 0, inventories: {} });
    assert.match((await p.call('POST', base, { body: { resource_class: 'DISK_GB', total: 256, reserved: 512 } })).text, /Unable to create inventory for resource provider/);
    assert.match((await p.call('POST', base, { body: { resource_class: 'DISK_GB' } })).text, /'total' is a required property/);
    assert.match((await p.call('POST', base, { body: { resource_class: 'DISK_GB', total: -1 } })).text, /-1 is less than the minimum of 1/);
    for (const field of ['min_unit', 'max_unit', 'step_size']) {
      const r = await p.call('POST', base, { body: { resource_class: 'DISK_GB', total: 2048, [field]: 0 } });
      assert.ok(r.body.errors[0].detail.includes(`JSON does not validate: 0 is less than the minimum of 1`), r.text);
      assert.ok(r.body.errors[0].detail.includes(`Failed validating 'minimum' in schema['properties']['${field}']`), r.text);
    }
    for (const field of ['total', 'reserved', 'min_unit', 'max_unit', 'step_size']) {
      const r = await p.call('POST', base, { body: { resource_class: 'DISK_GB', total: 1024, [field]: 2147483648 } });
      assert.match(r.text, /Failed validating 'maximum'/, field);
    }
    assert.match((await p.call('POST', base, { body: { resource_class: 'DISK_GB', total: 1024, allocation_ratio: 3.40282e39 } })).text, /Failed validating 'maximum'/);
    const body = { resource_class: 'DISK_GB', total: 2048, reserved: 512, min_unit: 10, max_unit: 1024, step_size: 10, allocation_ratio: 1.0 };
    const created = await p.call('POST', base, { body });
    assert.equal(created.status, 201);
    assert.equal(created.headers['location'], `http://localhost:80/placement${base}/DISK_GB`);
    assert.deepEqual(created.body, { total: 2048, reserved: 512, min_unit: 10, max_unit: 1024, step_size: 10, allocation_ratio: 1, resource_provider_generation: 1 });
    assert.match(created.text, /"allocation_ratio":1\.0/);
    const shown = await p.call('GET', `${base}/DISK_GB`, { version: '1.15' });
    assert.equal(shown.headers['cache-control'], 'no-cache');
    assert.match(String(shown.headers['last-modified']), HTTP_DATE);
    assert.equal((await p.call('GET', `${base}/DISK_GB`, { version: '1.14' })).headers['cache-control'], undefined);
    const updated = await p.call('PUT', `${base}/DISK_GB`, { body: { ...body, resource_class: undefined, resource_provider_generation: 1, reserved: 1024 } });
    assert.equal(updated.status, 200);
    assert.equal(updated.body.reserved, 1024);
    assert.equal((await p.call('GET', `${base}/DISK_GB`)).body.resource_provider_generation, 2);
    const stale = await p.call('PUT', `${base}/DISK_GB`, { version: '1.23', body: { resource_provider_generation: 5, total: 2048 } });
    assert.equal(stale.status, 409);
    assert.match(stale.text, /resource provider generation conflict/);
    assert.equal(stale.body.errors[0].code, 'placement.concurrent_update');
    assert.match((await p.call('PUT', `${base}/MEMORY_MB`, { body: { resource_provider_generation: 2, total: 2048 } })).text, /No inventory record with resource class/);
    assert.match((await p.call('PUT', `${base}/DISK_GB`, { body: { resource_provider_generation: 2, total: 2048, reserved: 4096 } })).text,
      new RegExp(`Unable to update inventory for resource provider ${rp}`));
    assert.match((await p.call('PUT', `${base}/DISK_GB`, { body: { house: 'red' } })).text, /JSON does not validate/);
    assert.match((await p.call('POST', base, { body: '{"foo": }' })).text, /Malformed JSON/);
    assert.equal((await p.call('POST', base, { body: { resource_class: 'bad_class', total: 2048 } })).status, 400);
    assert.match((await p.call('POST', base, { body: { resource_class: 'NO_CLASS_14', total: 2048 } })).text, /No such resource class NO_CLASS_14/);
    const dup = await p.call('POST', base, { body: { resource_class: 'DISK_GB', total: 2048 } });
    assert.equal(dup.status, 409);
    assert.match(dup.text, /Update conflict/);
    assert.equal((await p.call('DELETE', `${base}/DISK_GB`)).status, 204);
    assert.deepEqual((await p.call('GET', base)).body, { resource_provider_generation: 3, inventories: {} });
    assert.equal((await p.call('POST', base, { body: { resource_class: 'IPV4_ADDRESS', total: 255, reserved: 2 } })).status, 201);
    const deleted = await p.call('DELETE', `${base}/IPV4_ADDRESS`);
    assert.equal(deleted.status, 204);
    assert.equal(deleted.headers['content-type'], undefined);
    assert.match((await p.call('DELETE', `${base}/IPV4_ADDRESS`)).text, /No inventory of class IPV4_ADDRESS found for delete/);
    assert.match((await p.call('GET', `${base}/IPV4_ADDRESS`)).text, new RegExp(`No inventory of class IPV4_ADDRESS for ${rp}`));
    assert.match((await p.call('GET', `${base}/HOUSE`)).text, new RegExp(`No inventory of class HOUSE for ${rp}`));
  });

  test('all inventories at once, capacity rules before and from 1.26, delete all (1.5)', async () => {
    const other = await p.provider('disk-network');
    const base = `/resource_providers/${other}/inventories`;
    const put = await p.call('PUT', base, { version: '1.15', body: { resource_provider_generation: 0, inventories: { IPV4_ADDRESS: { total: 253 }, DISK_GB: { total: 1024 } } } });
    assert.equal(put.status, 200);
    assert.equal(put.headers['cache-control'], 'no-cache');
    assert.deepEqual(put.body.inventories.IPV4_ADDRESS, { total: 253, reserved: 0, min_unit: 1, max_unit: 2147483647, step_size: 1, allocation_ratio: 1 });
    assert.equal(put.body.resource_provider_generation, 1);
    assert.equal((await p.call('GET', `${base}/DISK_GB`)).body.total, 1024);
    const conflict = await p.call('PUT', base, { version: '1.23', body: { resource_provider_generation: 99, inventories: { IPV4_ADDRESS: { total: 253 } } } });
    assert.equal(conflict.body.errors[0].code, 'placement.concurrent_update');
    assert.match((await p.call('PUT', base, { body: { resource_provider_generation: 1, inventories: { HOUSE: { total: 253 } } } })).text, /Unknown resource class in inventory/);
    const bad = await p.call('PUT', base, { version: '1.25', body: { resource_provider_generation: 1, inventories: { IPV4_ADDRESS: { total: 253, reserved: 512 } } } });
    assert.match(bad.text, /Unable to update inventory.*greater than or equal to total/);
    const zero = await p.call('PUT', base, { version: '1.25', body: { resource_provider_generation: 1, inventories: { IPV4_ADDRESS: { total: 253, reserved: 253 } } } });
    assert.match(zero.text, /greater than or equal to total/);
    assert.equal((await p.call('PUT', base, { version: '1.26', body: { resource_provider_generation: 1, inventories: { IPV4_ADDRESS: { total: 253, reserved: 253 } } } })).status, 200);
    const over = await p.call('PUT', base, { version: '1.26', body: { resource_provider_generation: 2, inventories: { IPV4_ADDRESS: { total: 253, reserved: 512 } } } });
    assert.match(over.text, /The reserved value is greater than total\./);
    assert.match((await p.call('PUT', `${base}/IPV4_ADDRESS`, { version: '1.25', body: { resource_provider_generation: 2, total: 253, reserved: 253 } })).text,
      /greater than or equal to total/);
    assert.equal((await p.call('PUT', `${base}/IPV4_ADDRESS`, { version: '1.26', body: { resource_provider_generation: 2, total: 512, reserved: 512 } })).status, 200);
    assert.equal((await p.call('DELETE', base, { version: '1.4' })).status, 405);
    assert.equal((await p.call('DELETE', base, { version: '1.5' })).status, 204);
    assert.equal((await p.call('DELETE', base, { version: '1.5' })).status, 204);
    assert.deepEqual((await p.call('GET', base)).body, { resource_provider_generation: 5, inventories: {} });
    await p.call('POST', base, { body: { resource_class: 'DISK_GB', total: 2048 } });
    const empty = await p.call('PUT', base, { version: '1.4', body: { resource_provider_generation: 6, inventories: {} } });
    assert.deepEqual(empty.body, { resource_provider_generation: 7, inventories: {} });
  });

  test('inventory in use: cannot be deleted, may shrink below usage', async () => {
    const used = await p.provider('used', { inventories: { VCPU: { total: 8 }, DISK_GB: { total: 100 } } });
    await p.allocate({ [used]: { VCPU: 4 } });
    const base = `/resource_providers/${used}/inventories`;
    const gen = (await p.call('GET', base)).body.resource_provider_generation;
    const drop = await p.call('PUT', base, { body: { resource_provider_generation: gen, inventories: { DISK_GB: { total: 100 } } } });
    assert.equal(drop.status, 409);
    assert.equal(drop.body.errors[0].code, 'placement.inventory.inuse');
    assert.match(drop.text, new RegExp(`update conflict: Inventory for 'VCPU' on resource provider '${used}' in use\\.`));
    const all = await p.call('DELETE', base, { version: '1.23' });
    assert.equal(all.body.errors[0].code, 'placement.inventory.inuse');
    const one = await p.call('DELETE', `${base}/VCPU`, { version: '1.23' });
    assert.equal(one.status, 409);
    assert.match(one.text, /Unable to delete inventory of class VCPU/);
    // Shrinking below the usage is allowed (with a warning in the log), as upstream.
    assert.equal((await p.call('PUT', `${base}/VCPU`, { body: { resource_provider_generation: gen, total: 2 } })).status, 200);
    assert.deepEqual((await p.call('GET', `/resource_providers/${used}/usages`)).body.usages, { VCPU: 4, DISK_GB: 0 });
  });
});

describe('traits and resource classes', () => {
  let p: PlacementTest;
  before(async () => {
    p = await startPlacement();
  });
  after(() => p.close());

  test('traits: standard ones, custom ones, listing filters', async () => {
    const invalid = 'The trait is invalid. A valid trait must be no longer than 255 characters, start with the prefix "CUSTOM_" and use following characters: "A"-"Z", "0"-"9" and "_"';
    for (const bad of ['TRAIT_X', 'CUSTOM_ABC:1', `CUSTOM_${'A'.repeat(250)}`]) {
      const r = await p.call('PUT', `/traits/${encodeURIComponent(bad)}`, { version: '1.6' });
      assert.equal(r.status, 400, bad);
      assert.ok(r.body.errors[0].detail.includes(invalid));
    }
    assert.equal((await p.call('PUT', '/traits/CUSTOM_TRAIT_1', { version: '1.5' })).status, 404);
    const created = await p.call('PUT', '/traits/CUSTOM_TRAIT_1', { version: '1.6' });
    assert.equal(created.status, 201);
    assert.match(String(created.headers['location']), /\/placement\/traits\/CUSTOM_TRAIT_1$/);
    assert.equal(created.headers['content-type'], undefined);
    assert.equal(created.headers['cache-control'], undefined);
    assert.equal((await p.call('PUT', '/traits/CUSTOM_TRAIT_1', { version: '1.6' })).status, 204);
    const cached = await p.call('PUT', '/traits/CUSTOM_TRAIT_1', { version: '1.15' });
    assert.equal(cached.headers['cache-control'], 'no-cache');
    assert.equal((await p.call('GET', '/traits/CUSTOM_TRAIT_1', { version: '1.5' })).status, 404);
    assert.equal((await p.call('GET', '/traits/CUSTOM_TRAIT_1', { version: '1.6' })).status, 204);
    assert.match(String((await p.call('GET', '/traits/CUSTOM_TRAIT_1', { version: '1.15' })).headers['last-modified']), HTTP_DATE);
    assert.equal((await p.call('GET', '/traits/NON_EXISTED')).status, 404);
    assert.equal((await p.call('DELETE', '/traits/CUSTOM_TRAIT_1')).status, 204);
    assert.equal((await p.call('DELETE', '/traits/CUSTOM_NON_EXSITED')).status, 404);
    assert.match((await p.call('DELETE', '/traits/HW_CPU_X86_SSE')).text, /Cannot delete standard trait HW_CPU_X86_SSE\./);
    await p.call('PUT', '/traits/CUSTOM_TRAIT_1');
    await p.call('PUT', '/traits/CUSTOM_TRAIT_2');
    await p.call('PUT', '/traits/CUSTOM_ANOTHER_TRAIT');
    const all = (await p.call('GET', '/traits')).body.traits as string[];
    assert.equal(all.length, STANDARD_TRAITS.length + 3);
    for (const t of ['CUSTOM_TRAIT_1', 'MISC_SHARES_VIA_AGGREGATE', 'HW_CPU_X86_SHA', 'COMPUTE_VOLUME_MULTI_ATTACH', 'HW_NUMA_ROOT']) assert.ok(all.includes(t), t);
    assert.equal((await p.call('GET', '/traits', { version: '1.5' })).status, 404);
    assert.match((await p.call('GET', '/traits?name=in_abc')).text, /Badly formatted name parameter\. Expected name query string parameter in form: \?name=\[in\|startswith\]:\[name1,name2\|prefix\]\. Got: \\"in_abc\\"/);
    assert.deepEqual((await p.call('GET', '/traits?name=in:CUSTOM_TRAIT_1,CUSTOM_TRAIT_2')).body.traits.sort(), ['CUSTOM_TRAIT_1', 'CUSTOM_TRAIT_2']);
    assert.deepEqual((await p.call('GET', '/traits?name=startswith:CUSTOM_TRAIT')).body.traits.sort(), ['CUSTOM_TRAIT_1', 'CUSTOM_TRAIT_2']);
    assert.match((await p.call('GET', '/traits?invalid=abc')).text, /Invalid query string parameters: Additional properties are not allowed/);
    assert.equal((await p.call('GET', '/traits', { version: '1.14' })).headers['cache-control'], undefined);
    assert.match(String((await p.call('GET', '/traits', { version: '1.15' })).headers['last-modified']), HTTP_DATE);
  });

  test('traits of a provider', async () => {
    const rp = await p.provider('traited');
    const path = `/resource_providers/${rp}/traits`;
    assert.equal((await p.call('GET', path, { version: '1.5' })).status, 404);
    const empty = await p.call('GET', path, { version: '1.6' });
    assert.deepEqual(empty.body, { traits: [], resource_provider_generation: 0 });
    assert.equal(empty.headers['cache-control'], undefined);
    assert.equal((await p.call('PUT', path, { version: '1.5', headers: { 'content-type': 'application/json' } })).status, 404);
    const set = await p.call('PUT', path, { version: '1.6', body: { traits: ['CUSTOM_TRAIT_1', 'CUSTOM_TRAIT_2'], resource_provider_generation: 0 } });
    assert.equal(set.status, 200);
    assert.equal(set.body.resource_provider_generation, 1);
    assert.deepEqual(set.body.traits.sort(), ['CUSTOM_TRAIT_1', 'CUSTOM_TRAIT_2']);
    assert.deepEqual((await p.call('GET', '/traits?associated=true')).body.traits.sort(), ['CUSTOM_TRAIT_1', 'CUSTOM_TRAIT_2']);
    assert.ok(!(await p.call('GET', '/traits?associated=false')).body.traits.includes('CUSTOM_TRAIT_1'));
    assert.match((await p.call('GET', '/traits?associated=xyz')).text, /The query parameter \\"associated\\" only accepts \\"true\\" or \\"false\\"/);
    assert.match((await p.call('PUT', path, { body: { traits: ['CUSTOM_TRAIT_1'] } })).text, /'resource_provider_generation' is a required property/);
    assert.match((await p.call('PUT', path, { body: { traits: ['CUSTOM_TRAIT_1'], resource_provider_generation: 'invalid_generation' } })).text,
      /'invalid_generation' is not of type 'integer'/);
    const conflict = await p.call('PUT', path, { version: '1.23', body: { traits: ['CUSTOM_TRAIT_1'], resource_provider_generation: 5 } });
    assert.equal(conflict.status, 409);
    assert.match(conflict.text, /Resource provider's generation already changed\. Please update the generation and try again\./);
    assert.equal(conflict.body.errors[0].code, 'placement.concurrent_update');
    const unknown = await p.call('PUT', path, { body: { traits: ['NON_EXISTED_TRAIT1', 'NON_EXISTED_TRAIT2', 'CUSTOM_TRAIT_1'], resource_provider_generation: 1 } });
    assert.match(unknown.text, /No such trait NON_EXISTED_TRAIT1, NON_EXISTED_TRAIT2/);
    assert.match((await p.call('PUT', path, { body: { traits: 'invalid_type', resource_provider_generation: 1 } })).text, /'invalid_type' is not of type 'array'/);
    assert.match((await p.call('PUT', path, { body: { traits: [], resource_provider_generation: 1, additional: 'x' } })).text, /Additional properties are not allowed/);
    assert.match((await p.call('PUT', '/resource_providers/non_existed/traits', { body: { traits: ['CUSTOM_TRAIT_1'], resource_provider_generation: 1 } })).text,
      /No resource provider with uuid non_existed found/);
    assert.match((await p.call('GET', '/resource_providers/non_existed/traits')).text, /No resource provider with uuid non_existed found/);
    const inUse = await p.call('DELETE', '/traits/CUSTOM_TRAIT_1');
    assert.equal(inUse.status, 409);
    assert.match(inUse.text, /The trait CUSTOM_TRAIT_1 is in use by a resource provider\./);
    // Setting the same traits again changes nothing, not even the generation.
    assert.equal((await p.call('PUT', path, { body: { traits: ['CUSTOM_TRAIT_2', 'CUSTOM_TRAIT_1'], resource_provider_generation: 1 } })).body.resource_provider_generation, 1);
    const deleted = await p.call('DELETE', path);
    assert.equal(deleted.status, 204);
    assert.equal(deleted.headers['content-type'], undefined);
    assert.equal((await p.call('GET', path)).body.resource_provider_generation, 2);
    assert.match((await p.call('DELETE', '/resource_providers/non_existed/traits')).text, /No resource provider with uuid non_existed found/);
  });

  test('resource classes', async () => {
    assert.equal((await p.call('GET', '/resource_classes', { version: '1.1' })).status, 404);
    assert.equal((await p.call('POST', '/resource_classes', { version: '1.1', body: { name: 'CUSTOM_NFV_BAR' } })).status, 404);
    assert.equal((await p.call('POST', '/resource_classes', { version: '1.1', body: 'x', headers: { 'content-type': 'text/plain' } })).status, 404);
    assert.equal((await p.call('POST', '/resource_classes', { version: '1.2', body: 'x', headers: { 'content-type': 'text/plain' } })).status, 415);
    assert.equal((await p.call('GET', '/resource_classes', { token: 'p:member,reader' })).status, 403);
    assert.match((await p.call('POST', '/resource_classes', { body: { name: 'FOO' } })).text, /JSON does not validate/);
    assert.match((await p.call('POST', '/resource_classes', { body: { name: 'CUSTOM_Illegal&@!Name?' } })).text, /JSON does not validate/);
    const created = await p.call('POST', '/resource_classes', { body: { name: 'CUSTOM_IRON_NFV' } });
    assert.equal(created.status, 201);
    assert.equal(created.headers['content-type'], undefined);
    assert.match(String(created.headers['location']), /\/placement\/resource_classes\/CUSTOM_IRON_NFV$/);
    assert.match((await p.call('POST', '/resource_classes', { body: { name: 'CUSTOM_IRON_NFV' } })).text, /Conflicting resource class already exists: CUSTOM_IRON_NFV/);
    assert.deepEqual((await p.call('GET', '/resource_classes/CUSTOM_IRON_NFV')).body, {
      name: 'CUSTOM_IRON_NFV', links: [{ rel: 'self', href: '/placement/resource_classes/CUSTOM_IRON_NFV' }],
    });
    assert.equal((await p.call('GET', '/resource_classes/CUSTOM_IRON_NFV', { version: '1.1' })).status, 404);
    const all = (await p.call('GET', '/resource_classes')).body.resource_classes;
    assert.equal(all.length, STANDARD_RESOURCE_CLASSES.length + 1);
    assert.deepEqual(all.slice(0, 3).map((r: any) => r.name), ['VCPU', 'MEMORY_MB', 'DISK_GB']);
    assert.match((await p.call('PUT', '/resource_classes/VCPU', { version: '1.6', body: { name: 'VCPU_ALTERNATE' } })).text, /JSON does not validate/);
    assert.match((await p.call('PUT', '/resource_classes/VCPU', { version: '1.6', body: { name: 'CUSTOM_IRON_NFV' } })).text, /Cannot update standard resource class VCPU/);
    assert.equal((await p.call('POST', '/resource_classes', { body: { name: 'CUSTOM_NFV_FOO' } })).status, 201);
    const taken = await p.call('PUT', '/resource_classes/CUSTOM_NFV_FOO', { version: '1.6', body: { name: 'CUSTOM_IRON_NFV' } });
    assert.equal(taken.status, 409);
    assert.match(taken.text, /Resource class already exists: CUSTOM_IRON_NFV/);
    const renamed = await p.call('PUT', '/resource_classes/CUSTOM_IRON_NFV', { version: '1.6', body: { name: 'CUSTOM_NFV_BAR' } });
    assert.deepEqual(renamed.body, { name: 'CUSTOM_NFV_BAR', links: [{ rel: 'self', href: '/placement/resource_classes/CUSTOM_NFV_BAR' }] });
    assert.match((await p.call('DELETE', '/resource_classes/VCPU')).text, /Cannot delete standard resource class/);
    assert.equal((await p.call('DELETE', '/resource_classes/CUSTOM_NFV_BAR', { version: '1.1' })).status, 404);
    assert.equal((await p.call('DELETE', '/resource_classes/CUSTOM_NFV_BAR')).status, 204);
    assert.equal((await p.call('DELETE', '/resource_classes/CUSTOM_NFV_BAR')).status, 404);
    assert.match((await p.call('POST', '/resource_classes', { body: { name: `CUSTOM_${'S'.repeat(250)}` } })).text, /Failed validating 'maxLength'/);
    // 1.7: PUT without a body creates or confirms.
    assert.equal((await p.call('PUT', '/resource_classes/CUSTOM_NFV_BAR', { version: '1.7' })).status, 201);
    const confirmed = await p.call('PUT', '/resource_classes/CUSTOM_NFV_BAR', { version: '1.7' });
    assert.equal(confirmed.status, 204);
    assert.match(String(confirmed.headers['location']), /\/resource_classes\/CUSTOM_NFV_BAR$/);
    assert.equal((await p.call('PUT', '/resource_classes/VCPU', { version: '1.7' })).status, 400);
    // In use by an inventory: cannot be deleted.
    const rp = await p.provider('rc-user', { inventories: { CUSTOM_NFV_BAR: { total: 1 } } });
    const inUse = await p.call('DELETE', '/resource_classes/CUSTOM_NFV_BAR');
    assert.equal(inUse.status, 409);
    assert.match(inUse.text, /Error in delete resource class: Cannot delete resource class CUSTOM_NFV_BAR\. Class is in use in inventory\./);
    assert.equal((await p.call('DELETE', `/resource_providers/${rp}`)).status, 204);
    assert.equal((await p.call('DELETE', '/resource_classes/CUSTOM_NFV_BAR')).status, 204);
  });
});
