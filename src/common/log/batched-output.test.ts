import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as turn } from 'node:timers/promises';
import { BatchedOutput } from './batched-output.js';

function withFile(fn: (fd: number, read: () => string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'nubo-batched-'));
  const path = join(dir, 'out');
  const fd = openSync(path, 'a');
  return fn(fd, () => readFileSync(path, 'utf8')).finally(() => { closeSync(fd); rmSync(dir, { recursive: true, force: true }); });
}

test('lines of one turn are written together at the end of the turn, in order', () => withFile(async (fd, read) => {
  const out = new BatchedOutput(fd);
  out.write('a\n');
  out.write('b\n');
  assert.equal(read(), '');
  await turn();
  assert.equal(read(), 'a\nb\n');
  out.write('c\n');
  await turn();
  assert.equal(read(), 'a\nb\nc\n');
  await turn();
  assert.equal(read(), 'a\nb\nc\n');
}));

test('flush() writes what is pending at once; big batches are written whole', () => withFile(async (fd, read) => {
  const out = new BatchedOutput(fd);
  const line = `${'x'.repeat(1000)}\n`;
  for (let i = 0; i < 500; i++) out.write(line);
  out.flush();
  assert.equal(read(), line.repeat(500));
  await turn();
  assert.equal(read(), line.repeat(500));
}));
