import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as turn, setTimeout as sleep } from 'node:timers/promises';
import { spawnSync } from 'node:child_process';
import { BatchedOutput } from './batched-output.js';

function withFile(fn: (fd: number, read: () => string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'nubo-batched-'));
  const path = join(dir, 'out');
  const fd = openSync(path, 'a');
  return fn(fd, () => readFileSync(path, 'utf8')).finally(() => { closeSync(fd); rmSync(dir, { recursive: true, force: true }); });
}

test('lines are written together once the interval since the first has passed, in order', () => withFile(async (fd, read) => {
  const out = new BatchedOutput(fd, 30);
  out.write('a\n');
  out.write('b\n');
  await turn();
  assert.equal(read(), '', 'held past the turn');
  await sleep(60);
  assert.equal(read(), 'a\nb\n');
  out.write('c\n');
  await sleep(60);
  assert.equal(read(), 'a\nb\nc\n');
  await sleep(60);
  assert.equal(read(), 'a\nb\nc\n');
}));

test('a full batch is written at once, before the line that does not fit; a line bigger than a batch is written whole', () => withFile(async (fd, read) => {
  const out = new BatchedOutput(fd, 60_000, 4000);
  const x = `${'x'.repeat(600)}\n`;
  const y = `${'y'.repeat(600)}\n`;
  out.write(x);
  out.write(y);
  assert.equal(read(), '', 'held: the batch has room');
  out.write('z\n'.repeat(500)); // 1000 characters: up to 3000 bytes, more than the 2798 left
  assert.equal(read(), x + y, 'the batch so far is written first');
  out.write(`${'é'.repeat(2000)}\n`); // bigger than a batch
  assert.equal(read(), x + y + 'z\n'.repeat(500) + `${'é'.repeat(2000)}\n`, 'in order');
  out.flush(); // nothing pending: the interval's timer is gone too (the test would otherwise hold the process 60 s)
  assert.equal(read(), x + y + 'z\n'.repeat(500) + `${'é'.repeat(2000)}\n`);
}));

test('pending lines are written at process exit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nubo-batched-'));
  try {
    const path = join(dir, 'out');
    const mod = new URL('./batched-output.ts', import.meta.url).pathname;
    const script = `import { openSync } from 'node:fs'; import { BatchedOutput } from ${JSON.stringify(mod)};
      const out = new BatchedOutput(openSync(${JSON.stringify(path)}, 'a'), 60_000); out.write('last\\n');`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(path, 'utf8'), 'last\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('flush() writes what is pending at once; big batches are written whole', () => withFile(async (fd, read) => {
  const out = new BatchedOutput(fd);
  const line = `${'x'.repeat(1000)}\n`;
  for (let i = 0; i < 500; i++) out.write(line);
  out.flush();
  assert.equal(read(), line.repeat(500));
  await turn();
  assert.equal(read(), line.repeat(500));
}));
