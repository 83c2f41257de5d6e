import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AvailabilityZoneFilter } from './filters/availability-zone-filter.js';
import { CapabilitiesFilter } from './filters/capabilities-filter.js';
import { CapacityFilter } from './filters/capacity-filter.js';
import { match } from './filters/extra-specs-ops.js';
import { poolsOf, type PoolState } from './host-state.js';
import type { RequestSpec } from './rpcapi.js';
import { CapacityWeigher } from './weights/capacity-weigher.js';
import { weighPools } from './weights/base.js';

function pool(name: string, o: Record<string, unknown>, zone = 'nova'): PoolState {
  return poolsOf(name, zone, { volume_backend_name: 'file', pools: [{ pool_name: 'p', reserved_percentage: 0, max_over_subscription_ratio: 1, ...o }] }, '2026-01-01T00:00:00Z')[0]!;
}

const spec = (over: Partial<RequestSpec> = {}): RequestSpec => ({
  volume_id: 'v', size: 10, availability_zone: null, volume_type_id: 't', extra_specs: {}, multiattach: false, resource_backend: null, ...over,
});

describe('volume scheduler filters and weighers', () => {
  test('CapacityFilter, thick: free space after the reserved percentage', () => {
    const f = new CapacityFilter();
    const thick = pool('h1@file', { total_capacity_gb: 100, free_capacity_gb: 15, reserved_percentage: 10, thick_provisioning_support: true });
    assert.equal(f.passes(thick, { spec: spec(), size: 5 }), true);
    assert.equal(f.passes(thick, { spec: spec(), size: 6 }), false, '15 - floor(100 * 0.1) = 5 GiB free');
    assert.equal(f.passes(pool('h@f', { total_capacity_gb: 'unknown', free_capacity_gb: 'infinite' }), { spec: spec(), size: 1000 }), true);
    assert.equal(f.passes(pool('h@f', { total_capacity_gb: 0, free_capacity_gb: 0 }), { spec: spec(), size: 1 }), false);
  });

  test('CapacityFilter, thin: provisioned ratio within max_over_subscription_ratio and virtual free space', () => {
    const f = new CapacityFilter();
    const thin = pool('h1@file', { total_capacity_gb: 100, free_capacity_gb: 10, provisioned_capacity_gb: 180, max_over_subscription_ratio: 2, thin_provisioning_support: true });
    assert.equal(f.passes(thin, { spec: spec(), size: 20 }), true, '(180 + 20) / 100 = 2 <= 2 and 10 * 2 >= 20');
    assert.equal(f.passes(thin, { spec: spec(), size: 21 }), false, 'ratio 2.01 > 2');
    const roomy = pool('h1@file', { total_capacity_gb: 100, free_capacity_gb: 5, provisioned_capacity_gb: 0, max_over_subscription_ratio: 20, thin_provisioning_support: true });
    assert.equal(f.passes(roomy, { spec: spec(), size: 100 }), true, '5 * 20 >= 100');
    assert.equal(f.passes(roomy, { spec: spec(), size: 101 }), false);
    assert.equal(f.passes(roomy, { spec: spec({ extra_specs: { thick_provisioning_support: '<is> True' } }), size: 6 }), false, 'a thick type is checked against the real free space');
  });

  test('AvailabilityZoneFilter', () => {
    const f = new AvailabilityZoneFilter();
    assert.equal(f.passes(pool('h@f', {}, 'az1'), { spec: spec({ availability_zone: 'az1' }), size: 1 }), true);
    assert.equal(f.passes(pool('h@f', {}, 'az2'), { spec: spec({ availability_zone: 'az1' }), size: 1 }), false);
    assert.equal(f.passes(pool('h@f', {}, 'az2'), { spec: spec(), size: 1 }), true);
  });

  test('CapabilitiesFilter and the extra spec operators', () => {
    const f = new CapabilitiesFilter();
    const p = pool('h@file', { thin_provisioning_support: true, total_capacity_gb: 50 });
    const specs = (extra_specs: Record<string, string>) => ({ spec: spec({ extra_specs }), size: 1 });
    assert.equal(f.passes(p, specs({ volume_backend_name: 'file' })), true);
    assert.equal(f.passes(p, specs({ volume_backend_name: 'lvm' })), false);
    assert.equal(f.passes(p, specs({ 'capabilities:thin_provisioning_support': '<is> True' })), true);
    assert.equal(f.passes(p, specs({ 'qos:maxIOPS': '100', multiattach: '<is> True' })), true, 'other scopes and volume specs are not capabilities');
    assert.equal(f.passes(p, specs({ missing_cap: 'x' })), false);
    assert.equal(match(50, '>= 40'), true);
    assert.equal(match(50, '<= 40'), false);
    assert.equal(match(50, '40'), false, 'a bare value must be equal as text');
    assert.equal(match('abc', 's== abc'), true);
    assert.equal(match('b', '<or> a <or> b'), true);
    assert.equal(match('xfile', '<in> file'), true);
    assert.equal(match(true, '<is> True'), true);
    assert.equal(match(false, '<is> True'), false);
  });

  test('CapacityWeigher spreads: the pool with the most virtual free space first; a negative multiplier stacks', () => {
    const a = pool('a@file', { total_capacity_gb: 100, free_capacity_gb: 100, provisioned_capacity_gb: 50, max_over_subscription_ratio: 2, thin_provisioning_support: true });
    const b = pool('b@file', { total_capacity_gb: 100, free_capacity_gb: 100, provisioned_capacity_gb: 10, max_over_subscription_ratio: 2, thin_provisioning_support: true });
    const c = pool('c@file', { total_capacity_gb: 100, free_capacity_gb: 30, thick_provisioning_support: true });
    assert.deepEqual(weighPools([a, b, c], [new CapacityWeigher(1)]).map((w) => w.pool.backend), ['b@file', 'a@file', 'c@file']);
    assert.deepEqual(weighPools([a, b, c], [new CapacityWeigher(-1)]).map((w) => w.pool.backend), ['c@file', 'a@file', 'b@file']);
  });
});
