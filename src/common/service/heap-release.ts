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
 * (`performance.eventLoopUtilization`); when it was under `idleBelow` and either the heap in use
 * is `growthBytes` above what was left live after the last full collection (V8's own or this
 * one's) or the heap committed beyond what is in use grew by `growthBytes` since then (V8's own
 * collections in a burst leave pages mostly empty that it does not give back), one full GC runs: tens of ms on a heap of this size, once per burst, since an idle process
 * allocates next to nothing afterwards. A busy process never pays for it (V8 collects as it
 * allocates), and V8 unmaps the pages the collection emptied. V8 gives back only part of the
 * emptied pages at the first collection (old space in the measurement above: 225 MB committed,
 * 98 MB after one collection, 48 MB after a second, 48 MB after a third), so while the loop stays
 * idle the collections go on, one per interval, as long as each one shrinks the committed heap
 * by `growthBytes / 4` or more (at most `maxFollowUps` after the first).
 *
 * The collector is V8's `gc`, exposed by `--expose-gc`: the flag is set at run time and read back
 * from a fresh context (the flag only adds the function to contexts created after it), so it
 * works however the process was started (`npm start`, `nubo up`, `node dist/nubo.js up`). When it
 * cannot be had, `startHeapRelease` returns undefined and nothing runs.
 */
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
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
}

export const HEAP_RELEASE_DEFAULTS: HeapReleaseOptions = { intervalMs: 500, idleBelow: 0.1, growthBytes: 32 * 1024 * 1024, maxFollowUps: 3 };

export interface HeapRelease {
  /** Collections run so far. */
  readonly collections: number;
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

export function startHeapRelease(opts: HeapReleaseOptions = HEAP_RELEASE_DEFAULTS): HeapRelease | undefined {
  const gc = fullCollector();
  if (!gc) return undefined;
  let baseline = inUse();
  let slackBaseline = committed() - baseline; // committed but unused: free pages, the empty half of new space
  let last: EventLoopUtilization = performance.eventLoopUtilization();
  let collections = 0;
  let followUps = 0; // collections left in the current release
  const collect = (): void => {
    const before = committed();
    gc();
    collections++;
    baseline = inUse();
    slackBaseline = committed() - baseline;
    followUps = before - committed() >= opts.growthBytes / 4 ? followUps - 1 : 0;
  };
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization();
    const busy = performance.eventLoopUtilization(now, last).utilization;
    last = now;
    const used = inUse();
    if (used < baseline) baseline = used; // V8 collected itself
    if (busy >= opts.idleBelow) {
      followUps = 0;
      return;
    }
    if (used - baseline >= opts.growthBytes || committed() - used - slackBaseline >= opts.growthBytes) {
      followUps = opts.maxFollowUps + 1;
      collect();
    } else if (followUps > 0) {
      collect();
    }
  }, opts.intervalMs);
  timer.unref();
  return {
    get collections() { return collections; },
    stop: () => clearInterval(timer),
  };
}
