#!/usr/bin/env -S UV_THREADPOOL_SIZE=32 node --max-semi-space-size=32
// The `nubo` command: runs the bundled launcher, building it first when it is missing.
// UV_THREADPOOL_SIZE: every asynchronous file operation runs on libuv's thread pool and an
// fsync holds its thread until the disk answers, so with libuv's default of 4 threads four
// object PUTs waiting for their fsyncs stall every other file operation of the process (Swift's
// object servers have 20 threads per worker for this, eventlet's tpool). libuv reads it once,
// when the pool starts, and Node's ES module loader starts it before any code of ours runs: so
// it is set by the shebang. `node dist/nubo.js` takes it from the environment.
// --max-semi-space-size=32: V8's young generation, where a request's short-lived objects are
// born, grows to two semi-spaces of 16 MB at most by default (Node 20, 64 bits); under a burst
// of API calls it fills every few milliseconds and each scavenge copies what is still in flight.
// With 32 MB, 1,000 concurrent boots on 10 fake hosts (bench/server-boots.mjs 1000 10) went from
// 54.6 and 53.7 boots/s (21.5 and 22.0 ms of CPU per boot) to 71.9 and 69.7 (16.3 and 16.8 ms),
// with the RSS 10 s after the deletes at 178 and 185 MB against 189 and 189. V8 sizes the heap
// when the process starts (v8.setFlagsFromString later changes nothing), so it is a node flag
// here, in `npm start`, and where the benchmarks start the cloud (bench/support/cloud.mjs).
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
const root = new URL('..', import.meta.url).pathname;
if (!existsSync(`${root}dist/nubo.js`)) {
  const r = spawnSync(process.execPath, [`${root}scripts/build.mjs`], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
await import(`${root}dist/nubo.js`);
