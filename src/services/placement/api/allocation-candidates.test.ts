// GET /allocation_candidates against upstream's fixtures (gabbits allocation-candidates.yaml with
// the shared-storage and nested environment, granular.yaml, allocation-candidates-any-traits*,
// allocations-1.28 shared disk): counts and amounts per provider as upstream asserts them.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { granular, sharedStorage } from '../testing/fixtures.js';
import { type PlacementTest, startPlacement } from '../testing/placement-harness.js';

/** The resources an answer allocates from `rp`, one entry per allocation request using it (1.12+ shape). */
function from(body: any, rp: string): Array<Record<string, number>> {
  return body.allocation_requests.filter((a: any) => a.allocations[rp]).map((a: any) => a.allocations[rp].resources);
}

function amounts(body: any, rp: string, rc: string): number[] {
  return from(body, rp).map((r) => r[rc]!).filter((x) => x !== undefined);
}

describe('allocation candidates: shared storage and nested providers', () => {
  let p: PlacementTest;
  let e: Record<string, string>;
  before(async () => {
    p = await startPlacement();
    e = await sharedStorage(p);
  });
  after(() => p.close());

  const get = (query: string, version: string) => p.call('GET', `/allocation_candidates?${query}`, { version });

  test('parameter errors', async () => {
    assert.equal((await get('resources=VCPU:1', '1.8')).status, 404);
    const empty = await get('resources=', '1.10');
    assert.equal(empty.status, 400);
    assert.match(empty.text, /Badly formed resources parameter\. Expected resources query string parameter in form.*Got: empty string\./);
    assert.match((await get('', '1.10')).text, /'resources' is a required property/);
    assert.match((await get('resources=MCPU:99', '1.10')).text, /Invalid resource class in resources parameter/);
    const limitOld = await get('resources=VCPU:1&limit=5', '1.15');
    assert.equal(limitOld.status, 400);
    assert.match(limitOld.text, /'limit' was unexpected/);
    for (const bad of ['cow', '-99', '0']) {
      const r = await get(`resources=VCPU:1&limit=${bad}`, '1.16');
      assert.equal(r.status, 400);
      assert.match(r.text, /Failed validating 'pattern'/);
    }
    assert.match((await get('resources=VCPU:1&required=HW_CPU_X86_SSE', '1.16')).text, /'required' was unexpected/);
    assert.match((await get('resources=VCPU:1&required=INVALID_TRAIT', '1.17')).text, /No such trait\(s\)/);
    assert.match((await get('resources=VCPU:1&required=', '1.17')).text, /Expected 'required' parameter value of the form: HW_CPU_X86_VMX,CUSTOM_MAGIC\./);
    assert.match((await get('resources=VCPU:1&required=', '1.22')).text, /Expected 'required' parameter value of the form: HW_CPU_X86_VMX,!CUSTOM_MAGIC\./);
    assert.match((await get('resources=VCPU:1&required=!CUSTOM_MAGIC', '1.17')).text, /HW_CPU_X86_VMX,CUSTOM_MAGIC\. Got: !CUSTOM_MAGIC/);
    assert.match((await get(`resources=VCPU:1&in_tree=${e['CN1']}`, '1.30')).text, /Invalid query string parameters/);
    assert.match((await get('resources=VCPU:1&in_tree=life-is-beautiful', '1.31')).text, /Expected 'in_tree' parameter to be a format of uuid/);
    assert.match((await get(`resources=VCPU:1&in_tree1=${e['CN1']}`, '1.31')).text, /All request groups must specify resources\./);
  });

  test('compute plus disk: local, shared by either sharing provider', async () => {
    const res = await get('resources=VCPU:1,MEMORY_MB:1024,DISK_GB:100', '1.10');
    assert.equal(res.status, 200);
    assert.equal(res.headers['cache-control'], undefined);
    const b = res.body;
    assert.equal(b.allocation_requests.length, 5);
    assert.equal(Object.keys(b.provider_summaries).length, 4);
    // Before 1.12 allocation requests are lists of providers.
    const cn1 = b.allocation_requests.flatMap((a: any) => a.allocations).filter((x: any) => x.resource_provider.uuid === e['CN1']);
    assert.deepEqual(cn1.map((x: any) => x.resources), [{ VCPU: 1, MEMORY_MB: 1024 }, { VCPU: 1, MEMORY_MB: 1024 }]);
    const s = b.provider_summaries;
    assert.deepEqual(s[e['CN1']!].resources, { VCPU: { capacity: 384, used: 0 }, MEMORY_MB: { capacity: 196608, used: 0 } });
    assert.deepEqual(s[e['CN2']!].resources.DISK_GB, { capacity: 1900, used: 0 });
    assert.deepEqual(s[e['SS']!], { resources: { DISK_GB: { capacity: 1900, used: 0 } } });

    const v12 = (await get('resources=VCPU:1,MEMORY_MB:1024,DISK_GB:100', '1.12')).body;
    assert.deepEqual(amounts(v12, e['CN2']!, 'VCPU'), [1, 1, 1]);
    assert.deepEqual(amounts(v12, e['CN2']!, 'DISK_GB'), [100]);
    assert.deepEqual(amounts(v12, e['SS']!, 'DISK_GB'), [100, 100]);
    assert.deepEqual(amounts(v12, e['SS2']!, 'DISK_GB'), [100, 100]);
    const cached = await get('resources=VCPU:1,MEMORY_MB:1024,DISK_GB:100', '1.15');
    assert.equal(cached.headers['cache-control'], 'no-cache');
    assert.equal((await get('resources=VCPU:1,MEMORY_MB:1024,DISK_GB:100&limit=1', '1.16')).body.allocation_requests.length, 1);
    assert.equal((await get('resources=VCPU:1,MEMORY_MB:1024,DISK_GB:100&limit=10&limit=1', '1.16')).body.allocation_requests.length, 5);
  });

  test('traits: required, forbidden, summaries by microversion', async () => {
    const old = (await get('resources=VCPU:1,MEMORY_MB:1024,DISK_GB:100', '1.16')).body;
    assert.deepEqual(Object.keys(old.provider_summaries[e['CN1']!]), ['resources']);
    const req = (await get('resources=VCPU:1,MEMORY_MB:1024,DISK_GB:100&required=HW_CPU_X86_SSE', '1.17')).body;
    assert.equal(req.allocation_requests.length, 2);
    assert.equal(Object.keys(req.provider_summaries).length, 3);
    assert.deepEqual([...req.provider_summaries[e['CN1']!].traits].sort(), ['HW_CPU_X86_SSE', 'HW_CPU_X86_SSE2']);
    const forb = (await get('resources=VCPU:1,MEMORY_MB:1024,DISK_GB:100&required=!HW_CPU_X86_SSE', '1.22')).body;
    assert.equal(forb.allocation_requests.length, 3);
    assert.deepEqual(amounts(forb, e['CN2']!, 'VCPU'), [1, 1, 1]);
    assert.equal((await get('resources=VCPU:1,MEMORY_MB:1024,DISK_GB:100&required=HW_CPU_X86_SSE,HW_CPU_X86_SSE2', '1.17')).body.allocation_requests.length, 2);
    const none = (await get('resources=VCPU:1,MEMORY_MB:1024,DISK_GB:100&required=HW_CPU_X86_SSE3', '1.17')).body;
    assert.deepEqual(none, { allocation_requests: [], provider_summaries: {} });
  });

  test('provider summaries: requested classes before 1.27, all from it, tree uuids from 1.29', async () => {
    const v26 = (await get('resources=VCPU:1', '1.26')).body;
    assert.equal(v26.allocation_requests.length, 2);
    assert.deepEqual(v26.provider_summaries[e['CN2']!].resources, { VCPU: { capacity: 384, used: 0 } });
    const v27 = (await get('resources=VCPU:1', '1.27')).body;
    assert.deepEqual(Object.keys(v27.provider_summaries[e['CN2']!].resources).sort(), ['DISK_GB', 'MEMORY_MB', 'VCPU']);
    const v28 = (await get('resources=VCPU:1', '1.28')).body;
    assert.equal(Object.keys(v28.provider_summaries).length, 2);
    assert.equal(Object.keys(v28.provider_summaries[e['CN1']!]).length, 2);
    const v29 = (await get('resources=VCPU:1', '1.29')).body;
    assert.equal(Object.keys(v29.provider_summaries).length, 10);
    const s = v29.provider_summaries;
    assert.equal(s[e['CN1']!].parent_provider_uuid, null);
    assert.equal(s[e['CN1']!].root_provider_uuid, e['CN1']);
    assert.equal(s[e['PF1_1']!].parent_provider_uuid, e['NUMA1_1']);
    assert.equal(s[e['PF1_1']!].root_provider_uuid, e['CN1']);
  });

  test('nested providers before and from 1.29', async () => {
    const only28 = (await get('resources=SRIOV_NET_VF:4', '1.28')).body;
    assert.equal(only28.allocation_requests.length, 4);
    assert.equal(Object.keys(only28.provider_summaries).length, 4);
    const only29 = (await get('resources=SRIOV_NET_VF:4', '1.29')).body;
    assert.equal(only29.allocation_requests.length, 4);
    assert.equal(Object.keys(only29.provider_summaries).length, 10);
    assert.equal((await get('resources=VCPU:1,SRIOV_NET_VF:4', '1.28')).body.allocation_requests.length, 0);
    const both = (await get('resources=VCPU:1,SRIOV_NET_VF:4', '1.29')).body;
    assert.equal(both.allocation_requests.length, 4);
    assert.equal(Object.keys(both.provider_summaries).length, 10);
    assert.deepEqual(amounts(both, e['CN1']!, 'VCPU'), [1, 1]);
    assert.deepEqual(amounts(both, e['PF2_2']!, 'SRIOV_NET_VF'), [4]);
    const limited = (await get('resources=VCPU:1,SRIOV_NET_VF:4&limit=1', '1.29')).body;
    assert.equal(limited.allocation_requests.length, 1);
    assert.equal(Object.keys(limited.allocation_requests[0].allocations).length, 2);
    assert.equal(Object.keys(limited.provider_summaries).length, 5);
    const shared28 = (await get('resources=DISK_GB:10,SRIOV_NET_VF:4', '1.28')).body;
    assert.equal(shared28.allocation_requests.length, 8);
    assert.equal(Object.keys(shared28.provider_summaries).length, 6);
  });

  test('in_tree (1.31), also per group', async () => {
    for (const tree of [e['CN1']!, e['PF1_2']!]) {
      const b = (await get(`resources=VCPU:1,SRIOV_NET_VF:4&in_tree=${tree}`, '1.31')).body;
      assert.equal(b.allocation_requests.length, 2);
      assert.equal(Object.keys(b.provider_summaries).length, 5);
      assert.deepEqual(amounts(b, e['PF1_1']!, 'SRIOV_NET_VF'), [4]);
    }
    assert.equal((await get(`resources=VCPU:1,DISK_GB:10&in_tree=${e['CN1']}`, '1.31')).body.allocation_requests.length, 0);
    const cn2 = (await get(`resources=VCPU:1,DISK_GB:10&in_tree=${e['CN2']}`, '1.31')).body;
    assert.deepEqual(from(cn2, e['CN2']!), [{ VCPU: 1, DISK_GB: 10 }]);
    assert.equal((await get(`resources=VCPU:1,DISK_GB:10&in_tree=${e['SS']}`, '1.31')).body.allocation_requests.length, 0);
    assert.deepEqual(from((await get(`resources1=VCPU:1&in_tree1=${e['PF1_1']}`, '1.31')).body, e['CN1']!), [{ VCPU: 1 }]);
    assert.equal((await get(`resources1=SRIOV_NET_VF:4&in_tree1=${e['CN1']}`, '1.31')).body.allocation_requests.length, 2);
    assert.equal((await get(`resources=VCPU:1&resources1=DISK_GB:10&in_tree1=${e['CN1']}`, '1.31')).body.allocation_requests.length, 0);
    const ss = (await get(`resources=VCPU:1&resources1=DISK_GB:10&in_tree1=${e['SS']}`, '1.31')).body;
    assert.equal(ss.allocation_requests.length, 2);
    assert.deepEqual(amounts(ss, e['SS']!, 'DISK_GB'), [10, 10]);
    const mixed = (await get(`resources=VCPU:1&in_tree=${e['CN2']}&resources1=DISK_GB:10`, '1.31')).body;
    assert.equal(mixed.allocation_requests.length, 3);
    const both = (await get(`resources1=VCPU:1&in_tree1=${e['CN1']}&resources2=DISK_GB:10&in_tree2=${e['SS']}&group_policy=none`, '1.31')).body;
    assert.equal(both.allocation_requests.length, 1);
    assert.deepEqual(from(both, e['SS']!), [{ DISK_GB: 10 }]);
  });

  test('mappings (1.34) and usage in summaries', async () => {
    const b = (await get('resources=VCPU:1&resources_NET=SRIOV_NET_VF:2&in_tree_NET=' + e['CN1'], '1.34')).body;
    assert.equal(b.allocation_requests.length, 2);
    for (const a of b.allocation_requests) {
      assert.deepEqual(a.mappings[''], [e['CN1']]);
      assert.equal(a.mappings['_NET'].length, 1);
      assert.ok([e['PF1_1'], e['PF1_2']].includes(a.mappings['_NET'][0]));
    }
    const consumer = await p.allocate({ [e['CN1']!]: { VCPU: 10 } });
    const used = (await get('resources=VCPU:1', '1.29')).body;
    assert.deepEqual(used.provider_summaries[e['CN1']!].resources.VCPU, { capacity: 384, used: 10 });
    assert.equal((await p.call('DELETE', `/allocations/${consumer}`)).status, 204);
  });
});

describe('allocation candidates: granular request groups', () => {
  let p: PlacementTest;
  let e: Record<string, string>;
  before(async () => {
    p = await startPlacement();
    e = await granular(p);
  });
  after(() => p.close());

  const get = (query: string, version = '1.25') => p.call('GET', `/allocation_candidates?${query}`, { version });

  test('group_policy none and isolate', async () => {
    const none = (await get('resources1=VCPU:1&resources2=MEMORY_MB:1024&group_policy=none')).body;
    assert.equal(none.allocation_requests.length, 3);
    for (const cn of ['CN_LEFT', 'CN_MIDDLE', 'CN_RIGHT']) assert.deepEqual(from(none, e[cn]!), [{ VCPU: 1, MEMORY_MB: 1024 }]);
    assert.deepEqual(none.provider_summaries[e['CN_LEFT']!].resources, { VCPU: { capacity: 8, used: 0 }, MEMORY_MB: { capacity: 4096, used: 0 } });
    const isolate = (await get('resources1=VCPU:1&resources2=MEMORY_MB:1024&group_policy=isolate')).body;
    assert.deepEqual(isolate, { allocation_requests: [], provider_summaries: {} });
    assert.equal((await get('resources1=VCPU:1&resources2=MEMORY_MB:1024&group_policy=isolate&group_policy=none')).body.allocation_requests.length, 0);
    const combined = (await get('resources=VCPU:3,MEMORY_MB:512&resources1=VCPU:1,MEMORY_MB:1024&resources2=VCPU:2&group_policy=none')).body;
    assert.equal(combined.allocation_requests.length, 3);
    assert.deepEqual(from(combined, e['CN_MIDDLE']!), [{ VCPU: 6, MEMORY_MB: 1536 }]);
    assert.equal((await get('resources=VCPU:1&resources1=MEMORY_MB:2048')).body.allocation_requests.length, 3);
  });

  test('sharing disks with granular groups', async () => {
    const isolated = (await get('resources1=VCPU:1,MEMORY_MB:1024&resources2=DISK_GB:100&group_policy=isolate')).body;
    assert.equal(isolated.allocation_requests.length, 5);
    assert.equal(Object.keys(isolated.provider_summaries).length, 5);
    const shared = (await get('resources1=VCPU:1,MEMORY_MB:1024&resources2=DISK_GB:100&group_policy=none')).body;
    assert.equal(shared.allocation_requests.length, 7);
    assert.equal(Object.keys(shared.provider_summaries).length, 5);
    for (const q of ['resources1=DISK_GB:800', 'resources=DISK_GB:800']) {
      const alone = (await get(q)).body;
      assert.equal(alone.allocation_requests.length, 2);
      assert.deepEqual(amounts(alone, e['SHR_DISK_1']!, 'DISK_GB'), [800]);
    }
    const ssd = (await get('resources1=VCPU:1,MEMORY_MB:1024&resources2=DISK_GB:100&required2=CUSTOM_DISK_SSD&group_policy=isolate')).body;
    assert.equal(ssd.allocation_requests.length, 2);
    assert.deepEqual(amounts(ssd, e['SHR_DISK_1']!, 'DISK_GB'), [100, 100]);
    assert.deepEqual(ssd.provider_summaries[e['CN_LEFT']!].resources.DISK_GB, { capacity: 500, used: 0 });
    const noSsd = (await get('resources1=VCPU:1&resources2=DISK_GB:100&required2=!CUSTOM_DISK_SSD&group_policy=none')).body;
    assert.equal(noSsd.allocation_requests.length, 4);
    assert.deepEqual(amounts(noSsd, e['SHR_DISK_2']!, 'DISK_GB'), [100, 100, 100]);
    assert.deepEqual(amounts(noSsd, e['CN_LEFT']!, 'VCPU'), [1, 1]);
  });

  test('member_of per group', async () => {
    const aggC = (await get(`resources1=VCPU:1&resources2=DISK_GB:100&member_of2=${e['AGGC']}&group_policy=none`)).body;
    assert.equal(aggC.allocation_requests.length, 1);
    assert.deepEqual(aggC.allocation_requests[0].allocations[e['CN_RIGHT']!].resources, { VCPU: 1, DISK_GB: 100 });
    const mixed = (await get(`resources1=VCPU:1&required1=!HW_CPU_X86_SSE&resources2=DISK_GB:100&required2=CUSTOM_DISK_SSD&member_of2=in:${e['AGGA']},${e['AGGC']}&group_policy=none`)).body;
    assert.equal(mixed.allocation_requests.length, 2);
    assert.equal(Object.keys(mixed.provider_summaries).length, 3);
    const named = (await get(`resources_compute=VCPU:1&required_compute=!HW_CPU_X86_SSE&resources_disk=DISK_GB:100&required_disk=CUSTOM_DISK_SSD&member_of_disk=in:${e['AGGA']},${e['AGGC']}&group_policy=none`, '1.33')).body;
    assert.equal(named.allocation_requests.length, 2);
    const multi = (await get(`resources1=VCPU:1&resources2=DISK_GB:100&member_of2=in:${e['AGGB']},${e['AGGC']}&member_of2=${e['AGGA']}&group_policy=isolate`)).body;
    assert.equal(multi.allocation_requests.length, 3);
    assert.deepEqual(amounts(multi, e['SHR_DISK_2']!, 'DISK_GB'), [100, 100, 100]);
  });

  test('many groups, sums across groups checked against capacity and max_unit', async () => {
    const many = (await get('resources1=VCPU:1&resources2=VGPU:1&required2=HW_GPU_API_DXVA&resources3=MEMORY_MB:1024&resources4=DISK_GB:100&required4=CUSTOM_DISK_SSD' +
      '&resources5=DISK_GB:50&required5=!CUSTOM_DISK_SSD&resources6=SRIOV_NET_VF:1,CUSTOM_NET_MBPS:1000&resources7=SRIOV_NET_VF:2,CUSTOM_NET_MBPS:2000&group_policy=none')).body;
    assert.equal(many.allocation_requests.length, 3);
    assert.deepEqual(amounts(many, e['CN_LEFT']!, 'SRIOV_NET_VF'), [3, 3]);
    assert.deepEqual(amounts(many, e['CN_LEFT']!, 'CUSTOM_NET_MBPS'), [3000, 3000]);
    assert.deepEqual(amounts(many, e['SHR_NET']!, 'CUSTOM_NET_MBPS'), [3000]);
    assert.equal(Object.keys(many.provider_summaries).length, 5);
    const cap = (await get('resources=VCPU:2,MEMORY_MB:2048,SRIOV_NET_VF:1,CUSTOM_NET_MBPS:2000&resources1=SRIOV_NET_VF:1,CUSTOM_NET_MBPS:3000')).body;
    assert.equal(cap.allocation_requests.length, 1);
    assert.deepEqual(from(cap, e['SHR_NET']!), [{ SRIOV_NET_VF: 2, CUSTOM_NET_MBPS: 5000 }]);
    const maxUnit = (await get('resources=VGPU:1&resources1=VGPU:1&resources2=VGPU:1&group_policy=none')).body;
    assert.equal(maxUnit.allocation_requests.length, 1);
    assert.deepEqual(from(maxUnit, e['CN_LEFT']!), [{ VGPU: 3 }]);
  });

  test('query errors of request groups', async () => {
    for (const [q, text] of [
      ['resources=MEMORY_MB:1024&resources1=VCPU:1', "'resources1' was unexpected"],
      ['resources=VCPU:1&group_policy=isolate', "'group_policy' was unexpected"],
    ] as const) assert.match((await get(q, '1.24')).text, new RegExp(text));
    assert.match((await get('resources01=VCPU:1')).text, /'resources01' does not match any of the regexes/);
    const suffix = await get('resources1@=VCPU:1', '1.33');
    assert.ok(suffix.body.errors[0].detail.includes("'resources1@' does not match any of the regexes"));
    assert.ok(suffix.body.errors[0].detail.includes('^member_of([a-zA-Z0-9_-]{1,64})?$'));
    assert.ok((await get('resources=VCPU:1&group_policy=bogus')).body.errors[0].detail.includes("'bogus' is not one of ['none', 'isolate']"));
    assert.match((await get('resources1=VCPU:1&resources2=VCPU:1')).text, /The \\"group_policy\\" parameter is required when specifying more than one \\"resources\{N\}\\" parameter\./);
    assert.match((await get('required=FOO&required1=BAR')).text, /Found the following orphaned traits keys: required, required1/);
    assert.match((await get(`member_of=${e['AGGA']}&member_of3=${e['AGGC']}`)).text, /Found the following orphaned member_of keys: member_of, member_of3/);
    assert.match((await get('group_policy=isolate')).text, /At least one request group \(`resources` or `resources\{\$S\}`\) is required\./);
  });

  test('any-traits (1.39)', async () => {
    const old = await get('resources=VCPU:1&required=in:HW_CPU_X86_AVX,HW_CPU_X86_MMX', '1.38');
    assert.equal(old.status, 400);
    assert.match(old.text, /only supported since microversion 1\.39/);
    const any = (await get('resources=VCPU:1&required=in:HW_CPU_X86_SSE,HW_CPU_X86_MMX', '1.39')).body;
    assert.deepEqual(Object.keys(any.provider_summaries).sort(), [e['CN_MIDDLE'], e['CN_RIGHT']].sort());
    const andNot = (await get('resources=VCPU:1&required=in:HW_CPU_X86_SSE,HW_CPU_X86_MMX&required=!CUSTOM_DISK_SSD', '1.39')).body;
    assert.deepEqual(Object.keys(andNot.provider_summaries), [e['CN_MIDDLE']]);
    const conflict = await get('resources=VCPU:1&required=in:HW_CPU_X86_SSE,HW_CPU_X86_MMX&required=!HW_CPU_X86_SSE,!HW_CPU_X86_MMX', '1.39');
    assert.equal(conflict.status, 400);
    assert.match(conflict.text, /Conflicting required and forbidden traits found in the following traits keys: required: \(HW_CPU_X86_MMX, HW_CPU_X86_SSE\)/);
    const last = (await get('resources=VCPU:1&required=HW_CPU_X86_SSE&required=HW_CPU_X86_MMX', '1.38')).body;
    assert.deepEqual(Object.keys(last.provider_summaries), [e['CN_RIGHT']]);
  });
});
