/**
 * The provider environments of upstream's gabbi fixtures (placement/tests/functional/fixtures/
 * gabbits.py), built through the API: shared storage with nested NUMA/PF providers, the
 * granular-request environment and the allocation environment.
 */
import { randomUUID } from 'node:crypto';
import type { PlacementTest } from './placement-harness.js';

/**
 * SharedStorageFixture: cn1 (VCPU 24 x16, MEMORY_MB 128G x1.5, SSE/SSE2) and cn2 (the same
 * plus DISK_GB 2000, 100 reserved), both in one aggregate with sharing providers ss and ss2
 * (DISK_GB 2000, 100 reserved); each compute node has two NUMA children each with a PF child
 * (SRIOV_NET_VF 8).
 */
export async function sharedStorage(p: PlacementTest): Promise<Record<string, string>> {
  const agg = randomUUID();
  const cpuMem = { VCPU: { total: 24, allocation_ratio: 16.0 }, MEMORY_MB: { total: 128 * 1024, allocation_ratio: 1.5 } };
  const disk = { total: 2000, reserved: 100, allocation_ratio: 1.0 };
  const ids: Record<string, string> = { AGG: agg };
  ids['CN1'] = await p.provider('cn1', { inventories: cpuMem, traits: ['HW_CPU_X86_SSE', 'HW_CPU_X86_SSE2'], aggregates: [agg] });
  ids['CN2'] = await p.provider('cn2', { inventories: { ...cpuMem, DISK_GB: disk }, aggregates: [agg] });
  ids['SS'] = await p.provider('ss', { inventories: { DISK_GB: disk }, traits: ['MISC_SHARES_VIA_AGGREGATE'], aggregates: [agg] });
  ids['SS2'] = await p.provider('ss2', { inventories: { DISK_GB: disk }, traits: ['MISC_SHARES_VIA_AGGREGATE'], aggregates: [agg] });
  for (const cn of ['1', '2']) {
    for (const numa of ['1', '2']) {
      ids[`NUMA${cn}_${numa}`] = await p.provider(`numa${cn}_${numa}`, { parent: ids[`CN${cn}`]! });
      ids[`PF${cn}_${numa}`] = await p.provider(`pf${cn}_${numa}`, { parent: ids[`NUMA${cn}_${numa}`]!, inventories: { SRIOV_NET_VF: { total: 8, allocation_ratio: 1.0 } } });
    }
  }
  return ids;
}

/**
 * GranularFixture: cn_left, cn_middle, cn_right with their inventories and traits, sharing
 * disks shr_disk_1 (aggA, SSD) and shr_disk_2 (aggA, aggB), sharing network shr_net (aggC).
 */
export async function granular(p: PlacementTest): Promise<Record<string, string>> {
  const [aggA, aggB, aggC] = [randomUUID(), randomUUID(), randomUUID()];
  const ids: Record<string, string> = { AGGA: aggA, AGGB: aggB, AGGC: aggC };
  ids['CN_LEFT'] = await p.provider('cn_left', {
    inventories: {
      VCPU: { total: 8 }, MEMORY_MB: { total: 4096 }, DISK_GB: { total: 500 }, VGPU: { total: 8 }, SRIOV_NET_VF: { total: 8 }, CUSTOM_NET_MBPS: { total: 4000 },
    },
    traits: ['HW_CPU_X86_AVX', 'HW_CPU_X86_AVX2', 'HW_GPU_API_DXVA', 'HW_NIC_DCB_PFC', 'CUSTOM_FOO'], aggregates: [aggA],
  });
  ids['CN_MIDDLE'] = await p.provider('cn_middle', {
    inventories: { VCPU: { total: 8 }, MEMORY_MB: { total: 4096 }, SRIOV_NET_VF: { total: 8 }, CUSTOM_NET_MBPS: { total: 4000 } },
    traits: ['HW_CPU_X86_AVX', 'HW_CPU_X86_AVX2', 'HW_CPU_X86_SSE', 'HW_NIC_ACCEL_TLS'], aggregates: [aggA, aggB],
  });
  ids['CN_RIGHT'] = await p.provider('cn_right', {
    inventories: { VCPU: { total: 8 }, MEMORY_MB: { total: 4096 }, DISK_GB: { total: 500 }, VGPU: { total: 8, max_unit: 2 } },
    traits: ['HW_CPU_X86_MMX', 'HW_GPU_API_DXVA', 'CUSTOM_DISK_SSD'], aggregates: [aggB, aggC],
  });
  ids['SHR_DISK_1'] = await p.provider('shr_disk_1', { inventories: { DISK_GB: { total: 1000 } }, traits: ['MISC_SHARES_VIA_AGGREGATE', 'CUSTOM_DISK_SSD'], aggregates: [aggA] });
  ids['SHR_DISK_2'] = await p.provider('shr_disk_2', { inventories: { DISK_GB: { total: 1000 } }, traits: ['MISC_SHARES_VIA_AGGREGATE'], aggregates: [aggA, aggB] });
  ids['SHR_NET'] = await p.provider('shr_net', {
    inventories: { SRIOV_NET_VF: { total: 16 }, CUSTOM_NET_MBPS: { total: 40000 } }, traits: ['MISC_SHARES_VIA_AGGREGATE'], aggregates: [aggC],
  });
  return ids;
}

/**
 * AllocationFixture: one provider (VCPU 10, DISK_GB 2048 with step 10, min 10, max 1000);
 * consumer 0 has DISK_GB 1000, consumer 1 VCPU 6 (same project and user), an alt-user consumer
 * DISK_GB 20 + VCPU 1.
 */
export async function allocationEnv(p: PlacementTest): Promise<Record<string, string>> {
  const ids: Record<string, string> = { PROJECT_ID: randomUUID(), USER_ID: randomUUID(), ALT_USER_ID: randomUUID() };
  ids['RP'] = await p.provider('rp', {
    inventories: { DISK_GB: { total: 2048, step_size: 10, min_unit: 10, max_unit: 1000 }, VCPU: { total: 10, max_unit: 10 } },
  });
  const owner = { project: ids['PROJECT_ID']!, user: ids['USER_ID']! };
  ids['CONSUMER_0'] = await p.allocate({ [ids['RP']]: { DISK_GB: 1000 } }, owner);
  ids['CONSUMER_ID'] = await p.allocate({ [ids['RP']]: { VCPU: 6 } }, owner);
  ids['ALT_CONSUMER_ID'] = await p.allocate({ [ids['RP']]: { DISK_GB: 20, VCPU: 1 } }, { project: ids['PROJECT_ID']!, user: ids['ALT_USER_ID']! });
  return ids;
}

/**
 * NUMANetworkFixture: cn1 (no inventory, COMPUTE_VOLUME_MULTI_ATTACH, aggA with sharing ss1
 * DISK_GB 2000) with NUMA children numa0/numa1 (HW_NUMA_ROOT; numa1 also CUSTOM_FOO; VCPU 4,
 * MEMORY_MB 2048 with upstream's min_unit/step_size/max_unit; numa0 has 2 VCPU used) holding
 * FPGAs and a pGPU, an SR-IOV agent with esn1/esn2 (bandwidth on PHYSNET1/2) and an OVS agent
 * with br_int (PHYSNET0); cn2 (VCPU 8 with 3 used, MEMORY_MB, DISK_GB, CUSTOM_FOO, aggA) with
 * NICs nic1..nic3 (CUSTOM_HW_NIC_ROOT) and their PFs (CUSTOM_VF on PHYSNET1/2).
 */
export async function numaNetwork(p: PlacementTest): Promise<Record<string, string>> {
  const aggA = randomUUID();
  const ids: Record<string, string> = { AGGA: aggA };
  ids['SS1'] = await p.provider('ss1', { inventories: { DISK_GB: { total: 2000 } }, traits: ['MISC_SHARES_VIA_AGGREGATE'], aggregates: [aggA] });
  ids['CN1'] = await p.provider('cn1', { traits: ['COMPUTE_VOLUME_MULTI_ATTACH'], aggregates: [aggA] });
  const memory: Array<Record<string, number>> = [{ total: 2048, min_unit: 512, step_size: 256 }, { total: 2048, min_unit: 256, max_unit: 1024 }];
  for (const i of [0, 1]) {
    ids[`NUMA${i}`] = await p.provider(`numa${i}`, {
      parent: ids['CN1']!, traits: i === 1 ? ['HW_NUMA_ROOT', 'CUSTOM_FOO'] : ['HW_NUMA_ROOT'], inventories: { VCPU: { total: 4 }, MEMORY_MB: memory[i]! },
    });
  }
  await p.allocate({ [ids['NUMA0']!]: { VCPU: 2 } }, { project: 'numafx-project', user: 'numafx-user' });
  ids['FPGA0'] = await p.provider('fpga0', { parent: ids['NUMA0']!, inventories: { CUSTOM_FPGA: { total: 1 } } });
  ids['PGPU0'] = await p.provider('pgpu0', { parent: ids['NUMA0']!, inventories: { VGPU: { total: 8 } } });
  for (const i of [0, 1]) ids[`FPGA1_${i}`] = await p.provider(`fpga1_${i}`, { parent: ids['NUMA1']!, inventories: { CUSTOM_FPGA: { total: 1 } } });
  ids['SRIOV_AGENT'] = await p.provider('sriov_agent', { parent: ids['CN1']!, traits: ['CUSTOM_VNIC_TYPE_DIRECT'] });
  for (const i of [1, 2]) {
    ids[`ESN${i}`] = await p.provider(`esn${i}`, {
      parent: ids['SRIOV_AGENT']!, traits: [`CUSTOM_PHYSNET${i}`], inventories: { NET_BW_EGR_KILOBIT_PER_SEC: { total: 10000 * i } },
    });
  }
  ids['OVS_AGENT'] = await p.provider('ovs_agent', { parent: ids['CN1']!, traits: ['CUSTOM_VNIC_TYPE_NORMAL'] });
  ids['BR_INT'] = await p.provider('br_int', { parent: ids['OVS_AGENT']!, traits: ['CUSTOM_PHYSNET0'], inventories: { NET_BW_EGR_KILOBIT_PER_SEC: { total: 1000 } } });
  ids['CN2'] = await p.provider('cn2', { inventories: { VCPU: { total: 8 } }, aggregates: [aggA] });
  await p.allocate({ [ids['CN2']!]: { VCPU: 3 } }, { project: 'numafx-project', user: 'numafx-user' });
  const cn2 = (await p.call('GET', `/resource_providers/${ids['CN2']}`)).body;
  await p.call('PUT', `/resource_providers/${ids['CN2']}/inventories`, {
    body: {
      resource_provider_generation: cn2.generation,
      inventories: { VCPU: { total: 8, max_unit: 8 }, MEMORY_MB: { total: 2048, max_unit: 2048, min_unit: 1024, step_size: 128 }, DISK_GB: { total: 1000, max_unit: 1000 } },
    },
  });
  await p.call('PUT', '/traits/CUSTOM_FOO');
  await p.call('PUT', `/resource_providers/${ids['CN2']}/traits`, { body: { resource_provider_generation: cn2.generation + 1, traits: ['CUSTOM_FOO'] } });
  for (const i of [1, 2, 3]) ids[`NIC${i}`] = await p.provider(`nic${i}`, { parent: ids['CN2']!, traits: ['CUSTOM_HW_NIC_ROOT'] });
  for (const i of [1, 2]) {
    ids[`PF1_${i}`] = await p.provider(`pf1_${i}`, { parent: ids['NIC1']!, traits: [`CUSTOM_PHYSNET${i}`], inventories: { CUSTOM_VF: { total: 4 } } });
  }
  for (const i of [0, 1, 2, 3]) {
    ids[`PF2_${i + 1}`] = await p.provider(`pf2_${i + 1}`, { parent: ids['NIC2']!, traits: [`CUSTOM_PHYSNET${(i % 2) + 1}`], inventories: { CUSTOM_VF: { total: 2 } } });
  }
  ids['PF3_1'] = await p.provider('pf3_1', { parent: ids['NIC3']!, traits: ['CUSTOM_PHYSNET1'], inventories: { CUSTOM_VF: { total: 8 } } });
  return ids;
}
