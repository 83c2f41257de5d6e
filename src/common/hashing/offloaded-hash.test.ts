/** Hashes on the hashing thread equal node:crypto's in place, per stream, whatever the interleaving and the part sizes. */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { OffloadedHash, SLOT_BYTES, SLOTS } from './offloaded-hash.js';

test('streams hashed on the thread, interleaved, equal the hashes made in place', async () => {
  const bodies = [randomBytes(SLOTS * SLOT_BYTES * 3 + 7), randomBytes(100), randomBytes(SLOT_BYTES), randomBytes(0)];
  const hashes = bodies.map(() => new OffloadedHash('md5'));
  for (let off = 0; bodies.some((b) => off < b.length); off += 65536) {
    for (const [i, b] of bodies.entries()) if (off < b.length) await hashes[i]!.update(b.subarray(off, off + 65536));
  }
  assert.deepEqual(await Promise.all(hashes.map((h) => h.digest())), bodies.map((b) => createHash('md5').update(b).digest('hex')));
});

test('parts larger than a slot, and more of them than the slots, wait and are copied whole', async () => {
  const body = randomBytes(SLOTS * SLOT_BYTES * 2 + 12345);
  const h = new OffloadedHash('sha256');
  const waits = await h.update(body);
  assert.equal(waits, undefined); // resolved: the whole body was copied
  await h.update(body.subarray(0, 10));
  const expected = createHash('sha256').update(body).update(body.subarray(0, 10)).digest('hex');
  assert.equal(await h.digest(), expected);
  // the caller's buffer is untouched
  assert.equal(body.length, SLOTS * SLOT_BYTES * 2 + 12345);
});

test('nothing updated is the empty input; a dropped stream is gone; updates after digest are refused', async () => {
  assert.equal(await new OffloadedHash('sha512').digest(), createHash('sha512').digest('hex'));
  const d = new OffloadedHash('md5');
  await d.update(Buffer.from('abc'));
  d.drop();
  const h = new OffloadedHash('md5');
  await h.update(Buffer.from('abc'));
  assert.equal(await h.digest(), createHash('md5').update('abc').digest('hex'));
  assert.throws(() => h.update(Buffer.from('x')), /digest already called/);
});
