import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ecQuorum, objectRingName, StoragePolicies, StoragePolicyError } from './storage-policy.js';

test('Policy-0 alone by default; EC policies from [swift] storage_policies entries', () => {
  assert.deepEqual(new StoragePolicies().info(), [{ name: 'Policy-0', aliases: 'Policy-0', default: true }]);
  const p = new StoragePolicies(['1:ec42:erasure_coding:liberasurecode_rs_vand:4:2', '2:ec-small:erasure_coding:liberasurecode_rs_vand:2:1:65536']);
  const ec42 = p.ec(1)!;
  assert.equal(ec42.segmentSize, 1048576);
  assert.equal(ecQuorum(ec42), 5);
  assert.equal(p.ec(2)!.segmentSize, 65536);
  assert.equal(p.byName('EC42')?.index, 1);
  assert.equal(p.ec(0), undefined);
  assert.equal(objectRingName(0), 'object');
  assert.equal(objectRingName(2), 'object-2');
  assert.ok(p.hasEC);
});

test('bad entries are refused', () => {
  for (const bad of [
    '0:x:erasure_coding:liberasurecode_rs_vand:4:2', '1:x:replication', '1:x:erasure_coding:isa_l_rs_vand:4:2', '1:x:erasure_coding:liberasurecode_rs_vand:0:2',
    '1:x y:erasure_coding:liberasurecode_rs_vand:4:2', '1:x:erasure_coding:liberasurecode_rs_vand:4', '1:Policy-0:erasure_coding:liberasurecode_rs_vand:4:2',
  ]) assert.throws(() => new StoragePolicies([bad]), StoragePolicyError, bad);
  assert.throws(() => new StoragePolicies(['1:a:erasure_coding:liberasurecode_rs_vand:4:2', '1:b:erasure_coding:liberasurecode_rs_vand:4:2']), StoragePolicyError);
});
