// Allocation candidates in deep trees (upstream gabbits granular-same-subtree.yaml and
// allocation-candidates-root-required.yaml on the NUMA/network environment): resourceless
// groups and same_subtree (1.36), root_required (1.35), mappings.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { numaNetwork } from '../testing/fixtures.js';
import { type PlacementTest, startPlacement } from '../testing/placement-harness.js';

function amounts(body: any, rp: string, rc: string): number[] {
  return body.allocation_requests.filter((a: any) => a.allocations[rp]?.resources[rc] !== undefined).map((a: any) => a.allocations[rp].resources[rc]);
}

describe('allocation candidates: same_subtree and root_required', () => {
  let p: PlacementTest;
  let e: Record<string, string>;
  before(async () => {
    p = await startPlacement();
    e = await numaNetwork(p);
  });
  after(() => p.close());

  const get = (query: string, version = '1.36') => p.call('GET', `/allocation_candidates?${query}`, { version });

  test('resourceless groups need same_subtree; suffix checks', async () => {
    const traits = await get('resources1=VCPU:1&required2=COMPUTE_VOLUME_MULTI_ATTACH&group_policy=none');
    assert.equal(traits.status, 400);
    assert.match(traits.text, /Resourceless suffixed group request should be specified in `same_subtree` query param: bad group\(s\) - \['2'\]\./);
    assert.equal(traits.body.errors[0].code, 'placement.query.bad_value');
    const none = await get(`member_of1=${e['AGGA']}&group_policy=none`);
    assert.match(none.text, /There must be at least one resources or resources\[\$S\] parameter\./);
    assert.equal(none.body.errors[0].code, 'placement.query.missing_value');
    const unknown = await get('resources_COMPUTE=VCPU:1&resources_ACCEL=CUSTOM_FPGA:1&same_subtree=COMPUTE,_ACCEL&group_policy=none');
    assert.match(unknown.text, /Real suffixes should be specified in `same_subtree`: \['COMPUTE'\] not found in \['_COMPUTE', '_ACCEL'\]\./);
    const empty = await get('resources_COMPUTE=VCPU:1&resources_ACCEL=CUSTOM_FPGA:1&same_subtree=_COMPUTE,,_ACCEL&group_policy=none');
    assert.match(empty.text, /Empty string \(unsuffixed group\) can not be specified in `same_subtree`/);
    assert.equal(empty.body.errors[0].code, 'placement.query.bad_value');
  });

  test('same_subtree between resourceful groups', async () => {
    const free = (await get('resources_COMPUTE=VCPU:1&resources_ACCEL=CUSTOM_FPGA:1&group_policy=none')).body;
    assert.equal(free.allocation_requests.length, 6);
    assert.equal((await get('resources_COMPUTE=VCPU:1&resources_ACCEL=CUSTOM_FPGA:1&same_subtree=_COMPUTE&group_policy=none')).body.allocation_requests.length, 6);
    const same = (await get('resources_COMPUTE=VCPU:1&resources_ACCEL=CUSTOM_FPGA:1&same_subtree=_COMPUTE,_ACCEL&group_policy=none')).body;
    assert.equal(same.allocation_requests.length, 3);
    assert.deepEqual(amounts(same, e['NUMA0']!, 'VCPU'), [1]);
    assert.deepEqual(amounts(same, e['NUMA1']!, 'VCPU'), [1, 1]);
    const oneProvider = (await get('resources_COMPUTE1=VCPU:1&resources_COMPUTE2=MEMORY_MB:1024&same_subtree=_COMPUTE1,_COMPUTE2&group_policy=none')).body;
    assert.equal(oneProvider.allocation_requests.length, 3);
    assert.deepEqual(amounts(oneProvider, e['CN2']!, 'MEMORY_MB'), [1024]);
    assert.equal((await get('resources_COMPUTE1=VCPU:1&resources_COMPUTE2=MEMORY_MB:1024&same_subtree=_COMPUTE1,_COMPUTE2&group_policy=isolate')).body.allocation_requests.length, 0);
  });

  test('resourceless NIC with ports in its subtree', async () => {
    const noSubtree = (await get('resources=VCPU:1&resources_PORT1=CUSTOM_VF:4&required_PORT1=CUSTOM_PHYSNET1&resources_PORT2=CUSTOM_VF:4&required_PORT2=CUSTOM_PHYSNET2&group_policy=none')).body;
    assert.equal(noSubtree.allocation_requests.length, 2);
    assert.deepEqual(amounts(noSubtree, e['PF1_2']!, 'CUSTOM_VF'), [4, 4]);
    const four = (await get('resources=VCPU:1&required_NIC=CUSTOM_HW_NIC_ROOT&resources_PORT1=CUSTOM_VF:4&required_PORT1=CUSTOM_PHYSNET1' +
      '&resources_PORT2=CUSTOM_VF:4&required_PORT2=CUSTOM_PHYSNET2&same_subtree=_NIC,_PORT1,_PORT2&group_policy=none')).body;
    assert.equal(four.allocation_requests.length, 1);
    const a = four.allocation_requests[0];
    assert.equal(Object.keys(a.allocations).length, 3);
    assert.deepEqual(a.mappings, { '': [e['CN2']], _NIC: [e['NIC1']], _PORT1: [e['PF1_1']], _PORT2: [e['PF1_2']] });
    for (const policy of ['none', 'isolate']) {
      const two = (await get('resources=VCPU:1&required_NIC=CUSTOM_HW_NIC_ROOT&resources_PORT1=CUSTOM_VF:2&required_PORT1=CUSTOM_PHYSNET1' +
        `&resources_PORT2=CUSTOM_VF:2&required_PORT2=CUSTOM_PHYSNET2&same_subtree=_NIC,_PORT1,_PORT2&group_policy=${policy}`)).body;
      assert.equal(two.allocation_requests.length, 5);
      assert.deepEqual(amounts(two, e['PF2_1']!, 'CUSTOM_VF'), [2, 2]);
    }
    const split = (await get('resources=VCPU:1&required_NIC=CUSTOM_HW_NIC_ROOT&resources_PORT1=CUSTOM_VF:2&required_PORT1=CUSTOM_PHYSNET1' +
      '&resources_PORT2A=CUSTOM_VF:1&required_PORT2A=CUSTOM_PHYSNET2&resources_PORT2B=CUSTOM_VF:1&required_PORT2B=CUSTOM_PHYSNET2' +
      '&same_subtree=_NIC,_PORT1,_PORT2A,_PORT2B&group_policy=none')).body;
    assert.equal(split.allocation_requests.length, 9);
    assert.deepEqual(amounts(split, e['PF2_2']!, 'CUSTOM_VF').sort(), [1, 1, 1, 1, 2, 2]);
    const splitIsolated = (await get('resources=VCPU:1&required_NIC=CUSTOM_HW_NIC_ROOT&resources_PORT1=CUSTOM_VF:2&required_PORT1=CUSTOM_PHYSNET1' +
      '&resources_PORT2A=CUSTOM_VF:1&required_PORT2A=CUSTOM_PHYSNET2&resources_PORT2B=CUSTOM_VF:1&required_PORT2B=CUSTOM_PHYSNET2' +
      '&same_subtree=_NIC,_PORT1,_PORT2A,_PORT2B&group_policy=isolate')).body;
    assert.equal(splitIsolated.allocation_requests.length, 4);
  });

  test('resourceless groups on the providing provider, on NUMA roots, several same_subtree', async () => {
    const same = (await get('resources_PORT1=CUSTOM_VF:8&required_PORT2=CUSTOM_PHYSNET1&same_subtree=_PORT1,_PORT2&group_policy=none')).body;
    assert.equal(same.allocation_requests.length, 1);
    assert.deepEqual(same.allocation_requests[0].mappings, { _PORT1: [e['PF3_1']], _PORT2: [e['PF3_1']] });
    assert.equal((await get('resources_PORT1=CUSTOM_VF:8&required_PORT2=CUSTOM_PHYSNET1&same_subtree=_PORT1,_PORT2&group_policy=isolate')).body.allocation_requests.length, 0);
    const three = (await get('resources_COMPUTE1=VCPU:1&required_COMPUTE2=CUSTOM_FOO&required_COMPUTE3=HW_NUMA_ROOT&same_subtree=_COMPUTE1,_COMPUTE2,_COMPUTE3&group_policy=none')).body;
    assert.equal(three.allocation_requests.length, 1);
    assert.deepEqual(Object.keys(three.allocation_requests[0].allocations), [e['NUMA1']]);
    for (const subtree of ['_NUMA,_ACCEL1,_ACCEL2', '_NUMA,_ACCEL1,_ACCEL2,_NUMA,_ACCEL1']) {
      const fpgas = (await get(`required_NUMA=HW_NUMA_ROOT&resources_ACCEL1=CUSTOM_FPGA:1&resources_ACCEL2=CUSTOM_FPGA:1&same_subtree=${subtree}&group_policy=isolate`)).body;
      assert.equal(fpgas.allocation_requests.length, 2);
      for (const a of fpgas.allocation_requests) assert.deepEqual(a.mappings['_NUMA'], [e['NUMA1']]);
    }
    assert.equal((await get('required_NUMA=HW_NUMA_ROOT,!CUSTOM_FOO&resources_ACCEL1=CUSTOM_FPGA:1&resources_ACCEL2=CUSTOM_FPGA:1&same_subtree=_NUMA,_ACCEL1,_ACCEL2&group_policy=isolate'))
      .body.allocation_requests.length, 0);
    const two = (await get('required_NUMA=HW_NUMA_ROOT&resources_COMPUTE=VCPU:2,MEMORY_MB:512&resources_FPGA=CUSTOM_FPGA:1&resources_GPU=VGPU:1' +
      '&required_SRIOV=CUSTOM_VNIC_TYPE_DIRECT&resources_NET1=NET_BW_EGR_KILOBIT_PER_SEC:100&required_NET1=CUSTOM_PHYSNET1' +
      '&resources_NET2=NET_BW_EGR_KILOBIT_PER_SEC:100&required_NET2=CUSTOM_PHYSNET2&same_subtree=_NUMA,_COMPUTE,_GPU,_FPGA&same_subtree=_SRIOV,_NET1,_NET2&group_policy=none')).body;
    assert.equal(two.allocation_requests.length, 1);
    assert.deepEqual(two.allocation_requests[0].allocations[e['NUMA0']!], { resources: { VCPU: 2, MEMORY_MB: 512 } });
    assert.deepEqual(two.allocation_requests[0].mappings, {
      _NUMA: [e['NUMA0']], _COMPUTE: [e['NUMA0']], _FPGA: [e['FPGA0']], _GPU: [e['PGPU0']], _SRIOV: [e['SRIOV_AGENT']], _NET1: [e['ESN1']], _NET2: [e['ESN2']],
    });
    const overlapping = (await get('resources_COMPUTE=VCPU:1&required_NIC=CUSTOM_HW_NIC_ROOT&resources_PORT1=CUSTOM_VF:2&required_PORT1=CUSTOM_PHYSNET1' +
      '&same_subtree=_NIC,_COMPUTE&same_subtree=_NIC,_PORT1&group_policy=none')).body;
    assert.equal(Object.keys(overlapping.provider_summaries).length, 11);
    assert.equal(overlapping.allocation_requests.length, 4);
    const combined = (await get('resources_COMPUTE=VCPU:1&required_NIC=CUSTOM_HW_NIC_ROOT&resources_PORT1=CUSTOM_VF:2&required_PORT1=CUSTOM_PHYSNET1' +
      '&same_subtree=_NIC,_COMPUTE,_PORT1&group_policy=none')).body;
    assert.equal(combined.allocation_requests.length, 12);
    assert.equal((await get('required_MULTI_ATTACH=COMPUTE_VOLUME_MULTI_ATTACH&resources_BW=NET_BW_EGR_KILOBIT_PER_SEC:100&resources_COMPUTE=VCPU:4' +
      '&same_subtree=_MULTI_ATTACH,_BW,_COMPUTE&group_policy=isolate')).body.allocation_requests.length, 3);
  });

  test('root_required (1.35)', async () => {
    const old = await get('resources=VCPU:1&root_required=HW_CPU_X86_AVX2', '1.34');
    assert.match(old.text, /'root_required' does not match any of the regexes/);
    const conflict = await get('resources=VCPU:1&root_required=HW_CPU_X86_AVX2,HW_CPU_X86_SSE,!HW_CPU_X86_AVX2', '1.35');
    assert.match(conflict.text, /Conflicting required and forbidden traits found in root_required: HW_CPU_X86_AVX2/);
    assert.equal(conflict.body.errors[0].code, 'placement.query.bad_value');
    assert.match((await get('resources=VCPU:1&root_required=!CUSTOM_NO_EXIST,HW_CPU_X86_SSE', '1.35')).text, /No such trait\(s\): CUSTOM_NO_EXIST/);
    const twice = await get('resources=VCPU:1&root_required=MISC_SHARES_VIA_AGGREGATE&root_required=!HW_NUMA_ROOT', '1.35');
    assert.match(twice.text, /Query parameter 'root_required' may be specified only once\./);
    assert.equal(twice.body.errors[0].code, 'placement.query.duplicate_key');
    for (const q of ['resources=VCPU:1&root_required=HW_NUMA_ROOT', 'resources=VCPU:1,MEMORY_MB:1024,DISK_GB:100&root_required=MISC_SHARES_VIA_AGGREGATE']) {
      assert.equal((await get(q, '1.35')).body.allocation_requests.length, 0);
    }
    const multi = (await get('resources=VCPU:1,MEMORY_MB:1024&root_required=COMPUTE_VOLUME_MULTI_ATTACH', '1.35')).body;
    assert.equal(multi.allocation_requests.length, 4);
    assert.deepEqual(amounts(multi, e['NUMA0']!, 'MEMORY_MB'), [1024, 1024]);
    assert.equal((await get('resources1=VCPU:1&resources2=MEMORY_MB:1024&group_policy=isolate&root_required=COMPUTE_VOLUME_MULTI_ATTACH', '1.35')).body.allocation_requests.length, 2);
    const sharing = (await get('resources=VCPU:1,MEMORY_MB:1024,DISK_GB:100&root_required=COMPUTE_VOLUME_MULTI_ATTACH', '1.35')).body;
    assert.equal(sharing.allocation_requests.length, 4);
    assert.deepEqual(sharing.provider_summaries[e['NUMA1']!].traits, ['HW_NUMA_ROOT', 'CUSTOM_FOO']);
    assert.equal((await get('resources1=VCPU:1,MEMORY_MB:1024&resources2=DISK_GB:100&group_policy=none&root_required=COMPUTE_VOLUME_MULTI_ATTACH', '1.35')).body.allocation_requests.length, 2);
    const required = (await get('resources=VCPU:1,DISK_GB:100&required=CUSTOM_FOO', '1.35')).body;
    assert.equal(required.allocation_requests.length, 3);
    const rooted = (await get('resources=VCPU:1,DISK_GB:100&root_required=CUSTOM_FOO', '1.35')).body;
    assert.equal(rooted.allocation_requests.length, 2);
    assert.deepEqual(amounts(rooted, e['SS1']!, 'DISK_GB'), [100]);
  });
});
