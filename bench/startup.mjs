#!/usr/bin/env node
// Start-up time and idle memory of `nubo up` (the bundled launcher in dist/), measured from
// process spawn to the "nubo: ready" line, on a first start (fresh data dir: migrations and
// identity bootstrap) and on restarts of the same data dir. Idle RSS is read from
// /proc/PID/status two seconds after ready. Run: npm run build && node bench/startup.mjs [runs]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCloud } from './support/cloud.mjs';

const root = new URL('..', import.meta.url).pathname;
const runs = Number(process.argv[2] ?? 5);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function rssMiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function once(dataDir) {
  const started = performance.now();
  const { child } = await startCloud(join(root, 'dist/nubo.js'), dataDir, {});
  const readyMs = performance.now() - started;
  await sleep(2000);
  const rss = rssMiB(child.pid);
  const exited = new Promise((r) => child.on('exit', r));
  child.kill('SIGTERM');
  await exited;
  return { readyMs, rss };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const first = [];
const warm = [];
for (let i = 0; i < runs; i++) {
  const dir = mkdtempSync(join(tmpdir(), 'nubo-bench-'));
  try {
    first.push(await once(dir));
    warm.push(await once(dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const row = (name, xs) => `${name.padEnd(28)} ${median(xs.map((x) => x.readyMs)).toFixed(0).padStart(8)} ms ${median(xs.map((x) => x.rss)).toFixed(1).padStart(10)} MiB`;
console.log(`nubo up, median of ${runs} runs (spawn -> "nubo: ready"; RSS 2 s after ready)`);
console.log(`${''.padEnd(28)} ${'ready'.padStart(11)} ${'idle RSS'.padStart(14)}`);
console.log(row('first start (fresh data dir)', first));
console.log(row('restart (same data dir)', warm));
