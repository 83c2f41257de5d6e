#!/usr/bin/env node
// Runs the whole test suite: a type check, then every *.test.ts under src/ and test/
// through node:test (Node 20's --test has no globs, so the file list is collected here).
// Then, for each server database whose URL is set (NUBO_TEST_POSTGRES_URL, NUBO_TEST_MYSQL_URL),
// the API suites of the projects listed in SERVER_DIALECT_PROJECTS run once more on that
// server (NUBO_TEST_HARNESS_DB_URL points their test harness at it); without the URL each of
// those tests is counted as skipped.
// The last line counts every pass: "N passed, N failed, N skipped".
// Usage: npm test [-- PATTERN...]   (PATTERN filters test files by substring)
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const patterns = process.argv.slice(2);

/** Projects whose harness-based API suites also run on PostgreSQL and MariaDB. */
const SERVER_DIALECT_PROJECTS = ['neutron', 'placement', 'cinder'];
const SERVER_DIALECTS = [
  { name: 'PostgreSQL', env: 'NUBO_TEST_POSTGRES_URL' },
  { name: 'MariaDB', env: 'NUBO_TEST_MYSQL_URL' },
];

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

/** The API suites of a project: its test files that start the project's test harness. */
const usesHarness = (f) => /\bstart(Harness|Placement|TestGlance|Cinder)\(/.test(readFileSync(join(root, f), 'utf8'));
/** The agents' tests (the Linux data plane wiring namespaces, the simulated agent, the explainer's kernel probes) test agents and the kernel, not the server's SQL: they run once. */
const kernelTest = (f) => /^src\/services\/neutron\/(agent|explain\/kernel)\//.test(f);
const serverFiles = files.filter((f) => SERVER_DIALECT_PROJECTS.some((p) => f.startsWith(`src/services/${p}/`)) && usesHarness(f) && !kernelTest(f));

if (patterns.length === 0 && !process.env.NUBO_SKIP_TYPECHECK) {
  console.log('> tsc --noEmit');
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.json')], { stdio: 'inherit', cwd: root });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
}

if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}

/** One node --test run; resolves with its exit code and the counts of its summary. */
function run(label, testFiles, env) {
  console.log(`> node --test ${label} (${testFiles.length} files)`);
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...testFiles],
    { stdio: ['ignore', 'pipe', 'inherit'], cwd: root, env: { ...process.env, NODE_ENV: 'test', ...env } },
  );
  // the summary lines (ℹ tests N, ...) are read as they stream by: the spec reporter may print
  // the failing tests' details after them, however long
  const counts = {};
  let partial = '';
  const scan = (text) => {
    for (const m of text.matchAll(/^ℹ (tests|pass|fail|skipped|cancelled) (\d+)$/gm)) counts[m[1]] = Number(m[2]);
    for (const m of text.matchAll(/^(\s*)✖ (.*)$/gm)) {
      if (m[2].startsWith('failing tests')) continue;
      failures.add(`${label ? `[${label}] ` : ''}${m[1]}✖ ${m[2]}`);
    }
  };
  child.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    scan(lines.join('\n'));
  });
  return new Promise((resolve) => child.on('close', (code) => {
    scan(partial);
    // a run that failed without a failing test counted (a crash, a file that did not load) is one failure
    if ((code ?? 1) !== 0 && !(counts.fail > 0) && !(counts.cancelled > 0)) counts.fail = 1;
    resolve({ code: code ?? 1, counts });
  }));
}

const total = { passed: 0, failed: 0, skipped: 0 };
/** Every failing test's line (the spec reporter's ✖), repeated just above the last line so that the end of a long log names them. */
const failures = new Set();
let exitCode = 0;
const add = ({ code, counts }) => {
  if (code !== 0) exitCode = code;
  total.passed += counts.pass ?? 0;
  total.failed += (counts.fail ?? 0) + (counts.cancelled ?? 0);
  total.skipped += counts.skipped ?? 0;
};

const others = files.filter((f) => !serverFiles.includes(f));
if (others.length > 0) add(await run('', others, {}));
if (serverFiles.length > 0) {
  const suites = `the API suites of ${SERVER_DIALECT_PROJECTS.join(', ')}`;
  const onSqlite = await run(`on SQLite: ${suites}`, serverFiles, { NUBO_TEST_HARNESS_DB_URL: '' });
  add(onSqlite);
  for (const dialect of SERVER_DIALECTS) {
    const url = process.env[dialect.env];
    if (url) {
      add(await run(`on ${dialect.name}: ${suites}`, serverFiles, { NUBO_TEST_HARNESS_DB_URL: url }));
    } else {
      // The same tests as on SQLite, each counted as skipped.
      console.log(`> ${suites} on ${dialect.name}: ${onSqlite.counts.tests ?? 0} tests skipped (${dialect.env} not set)`);
      total.skipped += onSqlite.counts.tests ?? 0;
    }
  }
}
if (failures.size > 0) {
  console.log('failed:');
  for (const line of failures) console.log(`  ${line}`);
}
console.log(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(exitCode);
