import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import { until } from '../testing/until.js';
import { fullCollector, startHeapRelease } from './heap-release.js';

const MB = 1024 * 1024;
const committed = (): number => getHeapStatistics().total_heap_size;
const young = (): number => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;

/** A burst: tens of MB of short-lived objects, the last batches still alive when it ends. */
function burst(): unknown[] {
  let keep: unknown[] = [];
  for (let round = 0; round < 20; round++) {
    const batch = Array.from({ length: 100_000 }, (_, i) => ({ i, name: `server-${round}-${i}` }));
    keep = [...keep.slice(-5), batch];
  }
  return keep;
}

/** Bursts with the loop kept running (utilization near 1) for `ms`; returns what the last one holds. */
async function busyBursts(ms: number): Promise<unknown[]> {
  let held: unknown[] = [];
  const busyUntil = Date.now() + ms;
  while (Date.now() < busyUntil) {
    held = burst();
    await new Promise((r) => setImmediate(r));
  }
  return held;
}

test('the collector is had from V8 without --expose-gc on the command line', () => {
  assert.equal(typeof fullCollector(), 'function');
});

test('after a burst, an idle process gives the heap back; a busy one is left alone', async () => {
  const release = startHeapRelease({ intervalMs: 100, idleBelow: 0.5, growthBytes: 16 * MB, maxFollowUps: 3, lateMs: 1500 });
  assert.ok(release, 'no collector');
  try {
    // Busy: the loop is kept running (utilization near 1) while the heap grows.
    let held: unknown[] | undefined = await busyBursts(400);
    assert.equal(release.collections, 0, 'collected while busy');
    const grown = committed();
    held = undefined;
    // Idle: the heap goes back under what the burst grew it to.
    await until(() => release.collections > 0, 'a collection once idle');
    await until(() => committed() < grown - 16 * MB, `the committed heap under ${((grown - 16 * MB) / MB).toFixed(0)} MB (was ${(grown / MB).toFixed(0)} MB, now ${(committed() / MB).toFixed(0)} MB)`);
    // The follow-ups stop once a collection no longer shrinks the heap (3 at most), then the late
    // collections run until the young generation is shrunk (3 at most); nothing grew since, so
    // no more collections after them.
    await until(() => release.lateCollections === 3 || (release.lateCollections > 0 && young() <= 4 * MB), 'the late collections');
    const after = release.collections;
    assert.ok(after <= 7, `${after} collections`);
    await sleep(2000);
    assert.equal(release.collections, after);
    assert.equal(held, undefined);
  } finally {
    release.stop();
  }
});

test('a burst V8 already collected itself before the loop went idle is released too', async () => {
  const gc = fullCollector();
  assert.ok(gc, 'no collector');
  const release = startHeapRelease({ intervalMs: 100, idleBelow: 0.5, growthBytes: 16 * MB, maxFollowUps: 3, lateMs: 60_000 });
  assert.ok(release, 'no collector');
  try {
    let held: unknown[] | undefined = await busyBursts(400);
    // Still busy a little while the burst's heap is held, so the sampler sees it.
    const spinUntil = Date.now() + 400;
    while (Date.now() < spinUntil) await new Promise((r) => setImmediate(r));
    held = undefined;
    gc(); // as V8 does at a burst's end: the heap in use drops, the committed pages stay
    assert.equal(release.collections, 0, 'collected while busy');
    await until(() => release.collections > 0, 'a collection once idle');
    assert.equal(held, undefined);
  } finally {
    release.stop();
  }
});
