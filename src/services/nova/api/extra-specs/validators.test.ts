// The 2.86 extra spec validation over the definitions generated from nova 26.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateExtraSpec } from './validators.js';

test('known specs are checked by type, enum, pattern and bounds; parameters in names match', () => {
  for (const [k, v] of [
    ['hw:cpu_policy', 'dedicated'], ['hw:numa_cpus.0', '0-3,^2'], ['hw:mem_page_size', '2MB'], ['hw:mem_page_size', 'large'], ['hide_hypervisor_id', 'true'],
    ['trait:HW_CPU_X86_AVX2', 'required'], ['trait1:CUSTOM_GOLD', 'forbidden'], ['resources_A:VCPU', '2'], ['resources:CUSTOM_FPGA', '1'],
    ['aggregate_instance_extra_specs:ssd', 'true'], ['os:monitors', '8'], ['hw_rng:rate_bytes', '0'], ['group_policy', 'isolate'],
  ]) assert.doesNotThrow(() => validateExtraSpec(k!, v!), `${k}=${v}`);
  const refused: Array<[string, string, string]> = [
    ['hw:cpu_policy', 'bogus', "Validation failed; 'bogus' is not one of: dedicated, shared, mixed."],
    ['hw:mem_page_size', 'huge', "Validation failed; 'huge' is not of the format '(large|small|any|\\d+([kKMGT]i?)?(b|bit|B)?)'."],
    ['os:monitors', '9', "Validation failed; '9' is greater than the max value of '8'."],
    ['hw_rng:rate_bytes', '-1', "Validation failed; '-1' is less than the min value of '0'."],
    ['hw:numa_nodes', 'two', "Validation failed; 'two' is not a valid integer value."],
    ['hw_rng:allowed', 'nah', "Validation failed; 'nah' is not a valid boolean-like value."],
    ['trait:HW_X', 'maybe', "Validation failed; 'maybe' is not one of: required, forbidden."],
    ['hw:foo', '1', "Validation failed; extra spec 'hw:foo' does not appear to be a valid extra spec."],
    ['trait:lower', 'required', "Validation failed; extra spec 'trait:lower' does not appear to be a valid extra spec."],
  ];
  for (const [k, v, message] of refused) assert.throws(() => validateExtraSpec(k, v), { message, status: 400 }, `${k}=${v}`);
});

test('names outside nova\'s namespaces, or without one, pass as upstream', () => {
  for (const k of ['vendor:knob', 'plain', 'hwx:thing']) assert.doesNotThrow(() => validateExtraSpec(k, 'anything'));
});
