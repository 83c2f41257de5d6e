import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { currentScope } from '../log/request-scope.js';
import { until } from '../testing/until.js';
import { createLogger } from '../log/logger.js';
import { PeriodicTasks } from './periodic.js';

const log = createLogger({ level: 'silent' });

test('a task runs at its interval, never overlapping itself, and stops', async () => {
  const tasks = new PeriodicTasks(log);
  let running = 0;
  let maxRunning = 0;
  let runs = 0;
  tasks.add({
    name: 'slow', interval: 0.01, runImmediately: true,
    async run() {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await sleep(25); // longer than the interval
      running--;
      runs++;
    },
  });
  tasks.start();
  // runs are counted, not timed: a loaded machine stretches the intervals
  await until(() => runs >= 3, 'three runs');
  await tasks.stop();
  const after = runs;
  assert.equal(maxRunning, 1);
  await sleep(60);
  assert.equal(runs, after, 'no run after stop');
});

test('a failing run is logged and the task goes on; each run has a request id of its own', async () => {
  const tasks = new PeriodicTasks(log);
  const ids: string[] = [];
  tasks.add({
    name: 'flaky', interval: 0.01, runImmediately: true,
    async run() {
      ids.push(currentScope()!.requestId);
      if (ids.length === 1) throw new Error('boom');
    },
  });
  tasks.start();
  await until(() => ids.length >= 2, 'a run after the failing one');
  await tasks.stop();
  assert.ok(ids.length >= 2);
  assert.equal(new Set(ids).size, ids.length);
  assert.ok(ids.every((id) => id.startsWith('req-')));
});

test('without runImmediately the first run waits one interval; a disabled task never runs; runNow', async () => {
  const tasks = new PeriodicTasks(log);
  let runs = 0;
  tasks.add({ name: 'later', interval: 0.2, run: async () => { runs++; } });
  tasks.add({ name: 'off', interval: 0, run: async () => { throw new Error('must not run'); } });
  assert.deepEqual(tasks.names, ['later']);
  tasks.start();
  await sleep(50);
  assert.equal(runs, 0);
  await tasks.runNow('later');
  assert.equal(runs, 1);
  await tasks.stop();
  assert.throws(() => tasks.add({ name: 'later', interval: 1, run: async () => {} }), /twice/);
});
