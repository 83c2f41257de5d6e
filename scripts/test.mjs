#!/usr/bin/env node
// Runs the whole test suite: a type check, then every *.test.ts under src/ and test/
// through node:test (Node 20's --test has no globs, so the file list is collected here).
// Usage: npm test [-- PATTERN...]   (PATTERN filters test files by substring)
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const patterns = process.argv.slice(2);

function collect(dir) {
  let entries;
  try { entries = readdirSync(join(root, dir), { recursive: true, withFileTypes: false }); } catch { return []; }
  return entries
    .map(String)
    .filter((f) => f.endsWith('.test.ts') && !f.includes('node_modules'))
    .map((f) => join(dir, f));
}

const files = [...collect('src'), ...collect('test')]
  .filter((f) => patterns.length === 0 || patterns.some((p) => f.includes(p)))
  .sort();

if (patterns.length === 0 && !process.env.NUBO_SKIP_TYPECHECK) {
  console.log('> tsc --noEmit');
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.json')], { stdio: 'inherit', cwd: root });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
}

if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
console.log(`> node --test (${files.length} files)`);
// The spec reporter's own summary ("ℹ pass N") is repeated at the end as one plain line.
const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...files],
  { stdio: ['ignore', 'pipe', 'inherit'], cwd: root, env: { ...process.env, NODE_ENV: 'test' } },
);
const counts = {};
let tail = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  tail = (tail + chunk.toString()).split('\n').slice(-40).join('\n');
});
child.on('close', (code) => {
  for (const m of tail.matchAll(/^ℹ (tests|pass|fail|skipped|cancelled) (\d+)$/gm)) counts[m[1]] = Number(m[2]);
  if (counts.tests !== undefined) {
    const failed = (counts.fail ?? 0) + (counts.cancelled ?? 0);
    console.log(`${counts.pass ?? 0} passed, ${failed} failed, ${counts.skipped ?? 0} skipped`);
  }
  process.exit(code ?? 1);
});
