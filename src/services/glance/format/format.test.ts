import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { FormatDetector, inspectStream } from './detector.js';
import { InvalidImageData, judgeUpload } from './verdict.js';
import { chunked, iso, qcow2, raw, vdi, vhd, vhdx, vmdk } from './test-images.js';

function detect(data: Buffer, sizes: readonly number[] = [65536], opts = {}): FormatDetector {
  const d = new FormatDetector(opts);
  for (const chunk of chunked(data, sizes)) d.write(chunk);
  d.finish();
  return d;
}

const strict = { requireFormatMatch: true };

describe('format detection', () => {
  const cases: Array<[string, Buffer, number]> = [
    ['qcow2', qcow2({ virtualSize: 5 << 20 }), 5 << 20],
    ['vmdk', vmdk({ sectors: 4096 }), 4096 * 512],
    ['vhd', vhd(1 << 26), 1 << 26],
    ['vhdx', vhdx(1 << 28), 1 << 28],
    ['vdi', vdi(1 << 25), 1 << 25],
    ['iso', iso(300), 300 * 2048],
  ];
  for (const [name, data, virtual] of cases) {
    for (const sizes of [[65536], [7, 511, 4096], [1]] as const) {
      if (sizes[0] === 1 && data.length > 300_000) continue;
      test(`${name} recognised with chunks ${sizes.join('/')}`, () => {
        const d = detect(data, sizes);
        assert.equal(d.format?.name, name);
        assert.equal(d.format?.virtualSize, virtual);
        assert.doesNotThrow(() => d.format!.safetyCheck());
        assert.deepEqual(judgeUpload(d, name, strict), { detected: name, virtualSize: virtual });
      });
    }
  }

  test('random bytes are raw, virtual size is the byte count', () => {
    const d = detect(raw(100_000), [4096]);
    assert.equal(d.format?.name, 'raw');
    assert.deepEqual(judgeUpload(d, 'raw', strict), { detected: 'raw', virtualSize: 100_000 });
  });

  test('undecided until the stream ends', () => {
    const d = new FormatDetector();
    d.write(raw(1000));
    assert.equal(d.formats, undefined);
    d.finish();
    assert.equal(d.format?.name, 'raw');
  });

  test('inspectStream passes data through unchanged and finishes the detector', async () => {
    const data = qcow2();
    const d = new FormatDetector();
    const out: Buffer[] = [];
    await pipeline(Readable.from(chunked(data, [1000])), inspectStream(d), new Writable({
      write(c: Buffer, _e, cb) { out.push(c); cb(); },
    }));
    assert.ok(Buffer.concat(out).equals(data));
    assert.equal(d.format?.name, 'qcow2');
  });
});

describe('safety checks', () => {
  test('qcow2 with a backing file is refused, also when claimed as raw', () => {
    const d = detect(qcow2({ backingFile: '/etc/shadow' }));
    assert.throws(() => judgeUpload(d, 'qcow2', strict), (e: Error) => e instanceof InvalidImageData && /backing_file/.test(e.message) && /backing file/.test(e.message));
    assert.throws(() => judgeUpload(d, 'raw', strict), /backing_file/);
  });

  test('qcow2 with an external data file is refused', () => {
    assert.throws(() => judgeUpload(detect(qcow2({ dataFile: true })), 'qcow2', strict), /data_file/);
  });

  test('qcow2 with unknown incompatible features or version 1 is refused', () => {
    assert.throws(() => judgeUpload(detect(qcow2({ features: 1n << 40n })), 'qcow2', strict), /unknown_features/);
    assert.throws(() => judgeUpload(detect(qcow2({ version: 1 })), 'qcow2', strict), /unknown_features/);
    assert.doesNotThrow(() => judgeUpload(detect(qcow2({ version: 2 })), 'qcow2', strict));
  });

  test('vmdk create types other than monolithicSparse/streamOptimized are refused', () => {
    assert.throws(() => judgeUpload(detect(vmdk({ createType: 'monolithicFlat' })), 'vmdk', strict), /Unsupported subformat/);
    assert.doesNotThrow(() => judgeUpload(detect(vmdk({ createType: 'streamOptimized' })), 'vmdk', strict));
  });

  test('vmdk allowed types can be narrowed by configuration', () => {
    const d = detect(vmdk({ createType: 'streamOptimized' }), [65536], { vmdkAllowedTypes: ['monolithicSparse'] });
    assert.throws(() => judgeUpload(d, 'vmdk', strict), /not allowed/);
  });

  test('vmdk extents naming a path are refused', () => {
    assert.throws(() => judgeUpload(detect(vmdk({ extent: 'RW 2048 FLAT "/etc/passwd" 0' })), 'vmdk', strict), /Invalid extent filenames/);
  });

  test('vmdk footer must agree with the header', () => {
    assert.doesNotThrow(() => judgeUpload(detect(vmdk({ createType: 'streamOptimized', footer: true })), 'vmdk', strict));
    assert.throws(() => judgeUpload(detect(vmdk({ createType: 'streamOptimized', footer: true, corruptFooter: true })), 'vmdk', strict), /footer/);
  });
});

describe('disk_format matching', () => {
  test('data in another format than claimed is refused', () => {
    assert.throws(() => judgeUpload(detect(qcow2()), 'vmdk', strict), /does not match stream data qcow2/);
    assert.throws(() => judgeUpload(detect(raw()), 'qcow2', strict), /does not match stream data raw/);
  });

  test('formats that cannot be inspected must look raw', () => {
    assert.deepEqual(judgeUpload(detect(raw(5000)), 'ami', strict), { detected: 'raw', virtualSize: undefined });
    assert.throws(() => judgeUpload(detect(qcow2()), 'ami', strict), /does not match/);
  });

  test('a safe rich format claimed as raw is tolerated with its file size as virtual size', () => {
    const data = qcow2();
    assert.deepEqual(judgeUpload(detect(data), 'raw', strict), { detected: 'qcow2', virtualSize: data.length });
  });

  test('mismatches only warn when require_image_format_match is off', () => {
    const warnings: string[] = [];
    const v = judgeUpload(detect(raw()), 'qcow2', { requireFormatMatch: false, warn: (m) => warnings.push(m) });
    assert.deepEqual(v, { detected: undefined, virtualSize: undefined });
    assert.equal(warnings.length, 1);
  });

  test('two formats in one stream are refused', () => {
    const data = iso(100);
    vhd().copy(data, 0, 0, 512); // a VHD header in the ISO system area
    assert.throws(() => judgeUpload(detect(data), 'iso', strict), /Multiple formats detected/);
  });
});
