import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ReedSolomon } from './ec-codec.js';

/** Every k-subset of 0..n-1. */
function subsets(n: number, k: number): number[][] {
  if (k === 0) return [[]];
  if (n < k) return [];
  return [...subsets(n - 1, k), ...subsets(n - 1, k - 1).map((s) => [...s, n - 1])];
}

test('systematic: the first k fragments are the segment, zero-padded', () => {
  const rs = new ReedSolomon(4, 2);
  const seg = randomBytes(10);
  const frags = rs.encode(seg);
  assert.equal(frags.length, 6);
  assert.ok(frags.every((f) => f.length === 3));
  assert.deepEqual(Buffer.concat(frags.slice(0, 4)).subarray(0, 10), seg);
  assert.deepEqual(Buffer.concat(frags.slice(0, 4)).subarray(10), Buffer.alloc(2));
});

for (const [k, m] of [[4, 2], [2, 1], [6, 3], [10, 4]] as const) {
  test(`${k}+${m}: any ${k} fragments decode the segment, and rebuild any missing fragment`, () => {
    const rs = new ReedSolomon(k, m);
    const seg = randomBytes(1000 + k - 1);
    const frags = rs.encode(seg);
    for (const s of subsets(k + m, k)) {
      const have = new Map(s.map((i) => [i, frags[i]!] as const));
      assert.deepEqual(rs.decode(have, seg.length), seg, `fragments ${s.join(',')}`);
      for (let t = 0; t < k + m; t++) if (!s.includes(t)) assert.deepEqual(rs.reconstruct(have, t), frags[t], `fragment ${t} from ${s.join(',')}`);
    }
  });
}

test('fewer than k fragments, or bad parameters, are errors', () => {
  const rs = new ReedSolomon(3, 2);
  const frags = rs.encode(randomBytes(30));
  assert.throws(() => rs.decode(new Map([[0, frags[0]!], [4, frags[4]!]]), 30), /2 fragments, 3 needed/);
  assert.throws(() => new ReedSolomon(0, 2), /unusable/);
  assert.throws(() => new ReedSolomon(200, 57), /unusable/);
});
