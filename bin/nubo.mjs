#!/usr/bin/env -S UV_THREADPOOL_SIZE=32 node
// The `nubo` command: runs the bundled launcher, building it first when it is missing.
// UV_THREADPOOL_SIZE: every asynchronous file operation runs on libuv's thread pool and an
// fsync holds its thread until the disk answers, so with libuv's default of 4 threads four
// object PUTs waiting for their fsyncs stall every other file operation of the process (Swift's
// object servers have 20 threads per worker for this, eventlet's tpool). libuv reads it once,
// when the pool starts, and Node's ES module loader starts it before any code of ours runs: so
// it is set by the shebang. `node dist/nubo.js` takes it from the environment.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
const root = new URL('..', import.meta.url).pathname;
if (!existsSync(`${root}dist/nubo.js`)) {
  const r = spawnSync(process.execPath, [`${root}scripts/build.mjs`], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
await import(`${root}dist/nubo.js`);
