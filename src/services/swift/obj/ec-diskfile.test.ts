import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyECFiles, fragFileName, parseECFile } from './ec-diskfile.js';

const T1 = '1700000001.00000';
const T2 = '1700000002.00000';
const T3 = '1700000003.00000';

test('EC file names: <ts>#<frag>.data, <ts>#<frag>#d.data, .ts, .meta, .durable', () => {
  assert.equal(fragFileName(T1, 3, true), `${T1}#3#d.data`);
  assert.deepEqual(parseECFile(`${T1}#3#d.data`), { name: `${T1}#3#d.data`, timestamp: T1, ext: 'data', fragIndex: 3, durable: true });
  assert.equal(parseECFile(`${T1}#3.data`)?.durable, false);
  assert.equal(parseECFile(`${T1}.data`), undefined, 'a replicated .data is not an EC file');
  assert.equal(parseECFile(`${T1}#1.ts`), undefined);
  assert.equal(parseECFile(`${T1}.durable`)?.ext, 'durable');
});

test('only a durable archive makes the object; a newer non-durable one is kept, older files are obsolete', () => {
  const s = classifyECFiles([`${T1}#0#d.data`, `${T2}#0#d.data`, `${T3}#0.data`]);
  assert.equal(s.data, `${T2}#0#d.data`);
  assert.deepEqual(s.obsolete, [`${T1}#0#d.data`]);
  assert.equal(classifyECFiles([`${T3}#0.data`]).data, undefined, 'not durable: no object');
  assert.equal(classifyECFiles([`${T1}#2.data`, `${T1}.durable`]).data, `${T1}#2.data`, 'the older .durable marker');
  const del = classifyECFiles([`${T1}#0#d.data`, `${T2}.ts`]);
  assert.equal(del.ts, `${T2}.ts`);
  assert.deepEqual(del.obsolete, [`${T1}#0#d.data`]);
  const meta = classifyECFiles([`${T1}#0#d.data`, `${T1}#4#d.data`, `${T2}.meta`]);
  assert.equal(meta.meta, `${T2}.meta`);
  assert.deepEqual([...meta.frags.keys()].sort(), [0, 4], 'a handoff may hold several fragment indexes');
});
