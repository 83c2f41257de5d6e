#!/usr/bin/env node
// The object storage durability run at full size: three storage nodes, the proxy, 1,000
// objects written while one node dies, every acknowledged object read back, the node brought
// back and the daemons (object updater, object replicator, container replicator) run once,
// then three byte-exact copies of every object checked on disk, and a corrupted replica
// quarantined by the auditor and restored by the replicator.
//
//   node bench/swift-durability.mjs [objects]      (default 1000)
//
// It is src/services/swift/obj/durability.test.ts (storage nodes as child processes, one killed
// with SIGKILL) with NUBO_SWIFT_DURABILITY_OBJECTS set
// (the test suite runs it with 100 objects); prints the test report and the time it took.
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const objects = process.argv[2] ?? '1000';
const started = performance.now();
const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', 'src/services/swift/obj/durability.test.ts'], {
  cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test', NUBO_SWIFT_DURABILITY_OBJECTS: objects },
});
console.log(`swift durability: ${objects} objects, ${((performance.now() - started) / 1000).toFixed(1)} s, exit ${run.status}`);
process.exit(run.status ?? 1);
