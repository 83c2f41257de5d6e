#!/usr/bin/env node
// Runs the whole test suite: a type check, then every *.test.ts under src/ and test/
// through node:test (Node 20's --test has no globs, so the file list is collected here).
// Usage: npm test [-- PATTERN...]   (PATTERN filters test files by substring)
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

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
const run = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...files],
  { stdio: 'inherit', cwd: root, env: { ...process.env, NODE_ENV: 'test' } },
);
process.exit(run.status ?? 1);
