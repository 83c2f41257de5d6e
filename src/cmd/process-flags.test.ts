// The cloud's process runs with the same node flags and thread pool size however it is started:
// the `nubo` command (bin/nubo.mjs's shebang), `npm start`, and the benchmarks that start
// dist/nubo.js themselves (bench/support/cloud.mjs). The reasons are in bin/nubo.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const root = new URL('../../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8');

/** The node flags and the UV_THREADPOOL_SIZE of a command line `[VAR=value ...] node [flags] script ...`. */
function parseCommand(line: string): { flags: string[]; threads: string | undefined } {
  const words = line.trim().split(/\s+/);
  const threads = /^UV_THREADPOOL_SIZE=(?:\$\{UV_THREADPOOL_SIZE:-)?(\d+)\}?$/.exec(words.find((w) => w.startsWith('UV_THREADPOOL_SIZE=')) ?? '')?.[1];
  const node = words.indexOf('node');
  assert.ok(node >= 0, `no node in ${line}`);
  const flags: string[] = [];
  for (const w of words.slice(node + 1)) {
    if (!w.startsWith('--')) break;
    flags.push(w);
  }
  return { flags, threads };
}

test('the nubo command, npm start and the benchmarks start the cloud with the same node flags', () => {
  const shebang = read('bin/nubo.mjs').split('\n')[0]!;
  assert.match(shebang, /^#!\/usr\/bin\/env -S /);
  const fromShebang = parseCommand(shebang.slice('#!/usr/bin/env -S '.length));

  const start = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts['start']!;
  const fromStart = parseCommand(start.split('&&').at(-1)!);

  // The benchmarks' module, evaluated by node itself (it is plain JavaScript outside src/).
  const env = { ...process.env };
  delete env['UV_THREADPOOL_SIZE'];
  const bench = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e',
    `const m = await import(${JSON.stringify(new URL('bench/support/cloud.mjs', root).href)}); console.log(JSON.stringify({ args: m.CLOUD_NODE_ARGS, env: m.CLOUD_ENV }))`,
  ], { env, encoding: 'utf8' })) as { args: string[]; env: Record<string, string> };

  assert.ok(fromShebang.flags.includes('--max-semi-space-size=32'), shebang);
  assert.deepEqual(fromStart.flags, fromShebang.flags);
  assert.deepEqual(bench.args, fromShebang.flags);
  assert.equal(fromShebang.threads, '32');
  assert.equal(fromStart.threads, '32');
  assert.equal(bench.env['UV_THREADPOOL_SIZE'], '32');
});
