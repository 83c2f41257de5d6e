/** The image side of volume-backed snapshots: reading an image's v2 mappings and merging them with a request's (nova's _get_image_defined_bdms, _merge_bdms_lists). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidBDM } from '../errors.js';
import { ImageMeta } from '../objects/index.js';
import { imageDefinedBlockDevices, mergeBlockDevices } from './volume-backed-images.js';

const image = (properties: Record<string, string>): ImageMeta => new ImageMeta({ ...ImageMeta.empty().data, id: 'img', properties });
const ROOT = { source_type: 'snapshot', destination_type: 'volume', snapshot_id: 's1', boot_index: 0, device_name: '/dev/vda', delete_on_termination: true, volume_size: null, volume_id: null, image_id: null, no_device: null };

describe('images of volume-backed servers', () => {
  test('v2 mappings become block device requests; no_device entries and legacy mappings are left out', () => {
    const devices = imageDefinedBlockDevices(image({
      bdm_v2: 'True',
      block_device_mapping: JSON.stringify([ROOT, { source_type: 'blank', destination_type: 'local', device_name: '/dev/vdb', no_device: true }]),
    }));
    assert.deepEqual(devices, [{ source_type: 'snapshot', destination_type: 'volume', uuid: 's1', boot_index: 0, delete_on_termination: true, device_name: '/dev/vda' }]);
    assert.deepEqual(imageDefinedBlockDevices(image({ block_device_mapping: JSON.stringify([ROOT]) })), [], 'legacy (no bdm_v2) mappings are not read');
    assert.deepEqual(imageDefinedBlockDevices(image({})), []);
  });

  test('a mapping that is not a JSON list of devices with a source is InvalidBDM (400)', () => {
    for (const raw of ['{', '{"a":1}', '[{"source_type":"disk"}]', '[null]']) {
      assert.throws(() => imageDefinedBlockDevices(image({ bdm_v2: 'True', block_device_mapping: raw })), InvalidBDM, raw);
    }
  });

  test('merge: a root in the image drops the request\'s image root; the request wins on a device name', () => {
    const imageDefined = [
      { source_type: 'snapshot' as const, destination_type: 'volume' as const, uuid: 's1', boot_index: 0, device_name: '/dev/vda' },
      { source_type: 'snapshot' as const, destination_type: 'volume' as const, uuid: 's2', device_name: '/dev/vdb' },
    ];
    const requested = [
      { source_type: 'image' as const, uuid: 'img', boot_index: 0 },
      { source_type: 'blank' as const, destination_type: 'volume' as const, volume_size: 2, device_name: '/dev/vdb' },
    ];
    assert.deepEqual(mergeBlockDevices(imageDefined, requested), [requested[1], imageDefined[0]]);
    assert.deepEqual(mergeBlockDevices([], requested), requested);
  });
});
