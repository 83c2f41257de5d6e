// The tests of a suite skipped for lack of a backend are each reported as skipped.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';

test('a skipped suite lists its tests as skipped and runs none of its hooks', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nubo-nt-'));
  try {
    const file = join(dir, 'sample.test.ts');
    writeFileSync(file, [
      `import { describe, test, before } from ${JSON.stringify(resolve(import.meta.dirname, 'node-test.ts'))};`,
      "describe('backend', { skip: 'NUBO_X not set' }, () => {",
      "  before(() => { throw new Error('hook ran'); });",
      "  test('a', () => { throw new Error('test ran'); });",
      "  describe('inner', () => { test('b', () => {}); test('c', () => {}); });",
      '});',
      "describe('always', () => { test('d', () => {}); });",
    ].join('\n'));
    // NODE_TEST_CONTEXT would make the child report to this runner instead of printing.
    const { NODE_TEST_CONTEXT: _inner, ...env } = process.env;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', file], { encoding: 'utf8', env, cwd: resolve(import.meta.dirname, '../../..') });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /# pass 1\n/);
    assert.match(r.stdout, /# skipped 3\n/);
    assert.match(r.stdout, /# SKIP NUBO_X not set/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
