/**
 * Gives the V8 heap a burst of work grew back to the system once the process goes idle.
 *
 * Why: V8 in Node 20 collects only when allocation asks for it. Node sends no idle
 * notifications, and the memory reducer (the GCs V8 schedules to shrink a heap) did not run in
 * 12 s of an idle process holding 260 MB of garbage. So a burst's garbage, and the pages it was
 * allocated on, stay until the next burst. Measured on `nubo up` after bench/server-boots.mjs
 * booted 1,000 servers on 10 fake hosts and deleted them: 225 MB of old space committed for
 * 79 MB in use, of which 40 MB live; one full GC brought the old space to 48 MB committed and
 * the process's RSS from 397 to 218 MB.
 *
 * How: every `intervalMs` the event loop's utilization over the last interval is read
 * (`performance.eventLoopUtilization`) and the heap's size sampled; when the interval was under
 * `idleBelow` and, at some sample since the last release, either the heap in use was `growthBytes`
 * above what was left live after the last full collection (V8's own or this one's) or the heap
 * committed was `growthBytes` above what the last release left committed (V8's own collections
 * in a burst leave pages mostly empty that it does not give back), one full GC runs. The peak
 * counts, not the heap when the loop goes idle: V8 often collects at the burst's end itself,
 * which brings the heap in use down and leaves the committed pages (seen after 300 boots and
 * their deletes: 117 MB committed for 55 MB in use, no release). It costs tens of ms on a heap of this size, once per burst, since an idle process
 * allocates next to nothing afterwards. A busy process never pays for it (V8 collects as it
 * allocates), and V8 unmaps the pages the collection emptied. V8 gives back only part of the
 * emptied pages at the first collection (old space in the measurement above: 225 MB committed,
 * 98 MB after one collection, 48 MB after a second, 48 MB after a third), so while the loop stays
 * idle the collections go on, one per interval, as long as each one shrinks the committed heap
 * by `growthBytes / 4` or more (at most `maxFollowUps` after the first).
 *
 * The young generation is not given back by those: V8 shrinks its semi-spaces (grown to 16 MB
 * each in a burst, 32 MB committed) only at a collection that finds the allocation rate over its
 * last ~5 s low, which a collection right after the burst never does. So at the first idle
 * interval `lateMs` or more after a release's last collection, one more collection runs (a busy
 * interval meanwhile only delays it; tried again `lateMs` later, at most 3 times, while the young
 * generation is still over 4 MB). Measured after 1,000 boots on 10 hosts and
 * their deletes: heap 104.6 MB committed before it (new space 33.6), 72.1 MB after, RSS 218 MB
 * 2 s after the deletes and 187 MB 10 s later. V8 grows the semi-spaces again in the next burst.
 *
 * The collector is V8's `gc`, exposed by `--expose-gc`: the flag is set at run time and read back
 * from a fresh context (the flag only adds the function to contexts created after it), so it
 * works however the process was started (`npm start`, `nubo up`, `node dist/nubo.js up`). When it
 * cannot be had, `startHeapRelease` returns undefined and nothing runs.
 */
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { getHeapSpaceStatistics, getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export interface HeapReleaseOptions {
  /** How often the loop's utilization and the heap's size are read. */
  intervalMs: number;
  /** The utilization (0..1) under which an interval counts as idle. */
  idleBelow: number;
  /** How much the heap in use must have grown since the last full collection. */
  growthBytes: number;
  /** Collections after the first of a release while each still shrinks the heap. */
  maxFollowUps: number;
  /** Idle time after a release's last collection before the one that lets V8 shrink its young generation. */
  lateMs: number;
}

export const HEAP_RELEASE_DEFAULTS: HeapReleaseOptions = { intervalMs: 500, idleBelow: 0.1, growthBytes: 32 * 1024 * 1024, maxFollowUps: 3, lateMs: 6000 };

export interface HeapRelease {
  /** Collections run so far. */
  readonly collections: number;
  /** Of those, the late ones (`lateMs` after a release; up to 3 while the young generation stays grown). */
  readonly lateCollections: number;
  stop(): void;
}

/** V8's full-collection function, or undefined if this V8 will not expose it. */
export function fullCollector(): (() => void) | undefined {
  const own = (globalThis as { gc?: unknown }).gc;
  if (typeof own === 'function') return own as () => void;
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    setFlagsFromString('--no-expose-gc');
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}

const inUse = (): number => getHeapStatistics().used_heap_size;
const committed = (): number => getHeapStatistics().total_heap_size;
const youngCommitted = (): number => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;

/** Young generation committed at or under which it counts as shrunk (V8's smallest is 1 MB of semi-spaces). */
const YOUNG_SHRUNK_BYTES = 4 * 1024 * 1024;
/** Late collections tried per release while the young generation stays grown. */
const LATE_TRIES = 3;

export function startHeapRelease(opts: HeapReleaseOptions = HEAP_RELEASE_DEFAULTS): HeapRelease | undefined {
  const gc = fullCollector();
  if (!gc) return undefined;
  let baseline = inUse(); // left live by the last full collection
  let committedBaseline = committed(); // left committed by the last release
  let peakUsed = baseline; // the largest samples since the last release
  let peakCommitted = committedBaseline;
  let last: EventLoopUtilization = performance.eventLoopUtilization();
  let collections = 0;
  let lateCollections = 0;
  let followUps = 0; // collections left in the current release
  let lateAt: number | undefined; // when the late collection of the current release is due
  let lateTries = 0; // late collections left in the current release
  const collect = (): void => {
    const before = committed();
    gc();
    collections++;
    lateAt = Date.now() + opts.lateMs;
    baseline = inUse();
    committedBaseline = committed();
    peakUsed = baseline;
    peakCommitted = committedBaseline;
    followUps = before - committed() >= opts.growthBytes / 4 ? Math.max(0, followUps - 1) : 0;
    // The collection's own time is not the loop being busy: counted, it would make the next
    // interval look busy and cancel the follow-ups and the late collection.
    last = performance.eventLoopUtilization();
  };
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization();
    const busy = performance.eventLoopUtilization(now, last).utilization;
    last = now;
    const used = inUse();
    if (used < baseline) baseline = used; // V8 collected itself
    peakUsed = Math.max(peakUsed, used);
    peakCommitted = Math.max(peakCommitted, committed());
    if (busy >= opts.idleBelow) {
      // The late collection waits for the next idle interval instead: a periodic task of one of
      // the hosts (one every few seconds with 10 hosts) must not cancel it.
      followUps = 0;
      return;
    }
    if (peakUsed - baseline >= opts.growthBytes || peakCommitted - committedBaseline >= opts.growthBytes) {
      followUps = opts.maxFollowUps + 1;
      lateTries = LATE_TRIES;
      collect();
    } else if (followUps > 0) {
      collect();
    } else if (lateAt !== undefined && Date.now() >= lateAt) {
      collect();
      lateCollections++;
      // V8 may have seen too much allocation in its window (a periodic task just ran): the young
      // generation stays grown, and another try comes `lateMs` later.
      lateTries--;
      if (lateTries <= 0 || youngCommitted() <= YOUNG_SHRUNK_BYTES) lateAt = undefined;
    }
  }, opts.intervalMs);
  timer.unref();
  return {
    get collections() { return collections; },
    get lateCollections() { return lateCollections; },
    stop: () => clearInterval(timer),
  };
}
