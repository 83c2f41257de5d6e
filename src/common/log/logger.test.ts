import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createLogger, unredactedLogger } from './logger.js';
import { runInScope } from './request-scope.js';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = { write(s: string) { lines.push(JSON.parse(s)); return true; } } as unknown as NodeJS.WritableStream;
  return { lines, log: createLogger({ level: 'info', destination }) };
}

const scope = { requestId: 'req-11111111-2222-3333-4444-555555555555', globalRequestId: 'req-99999999-2222-3333-4444-555555555555' };

test('lines are redacted at the top level and under wildcards', () => {
  const { lines, log } = capture();
  log.info({ password: 'p1', token: 't1', user: { password: 'p2', name: 'alice' }, a: { b: { password: 'p3' } }, cfg: { secret: 's' } }, 'x');
  const rec = lines[0]!;
  assert.equal(rec.password, '***');
  assert.equal(rec.token, '***');
  assert.deepEqual(rec.user, { password: '***', name: 'alice' });
  assert.deepEqual(rec.a, { b: { password: '***' } });
  assert.deepEqual(rec.cfg, { secret: '***' });
});

test('every line written in a request scope carries its ids, the unredacted logger too', () => {
  const { lines, log } = capture();
  const plain = unredactedLogger(log);
  runInScope(scope, () => {
    log.info('from the service');
    plain.info({ status: 200 }, 'request');
  });
  plain.info('outside');
  assert.equal(lines.length, 3);
  for (const rec of lines.slice(0, 2)) {
    assert.equal(rec.req_id, scope.requestId);
    assert.equal(rec.global_req_id, scope.globalRequestId);
  }
  assert.equal(lines[1]!.status, 200);
  assert.equal(lines[2]!.req_id, undefined);
});

test('the unredacted logger keeps level and base fields, and does not change its parent', () => {
  const { lines, log } = capture();
  const plain = unredactedLogger(log);
  plain.debug('hidden');
  plain.info({ password: 'visible-by-design' }, 'shown');
  log.info({ password: 'p' }, 'parent');
  assert.equal(lines.length, 2);
  assert.equal(lines[0]!.pid, process.pid);
  assert.equal(lines[0]!.password, 'visible-by-design');
  assert.equal(lines[1]!.password, '***');
});

test('standard output gets every line, in order, even when the process exits right after logging', () => {
  const script = `
    import { createLogger } from ${JSON.stringify(new URL('./logger.ts', import.meta.url).pathname)};
    const log = createLogger({ level: 'info' });
    for (let i = 0; i < 5000; i++) log.info({ i, pad: 'x'.repeat(100) }, 'line');
    process.stdout.write('after the lines\\n');
    process.exit(0);
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  const records = lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { i: number });
  assert.deepEqual(records.map((rec) => rec.i), Array.from({ length: 5000 }, (_, i) => i));
  assert.ok(lines.includes('after the lines'));
});

test('a closed standard output stops the logging, not the process', async () => {
  const script = `
    import { createLogger } from ${JSON.stringify(new URL('./logger.ts', import.meta.url).pathname)};
    const log = createLogger({ level: 'info' });
    for (let t = 0; t < 50; t++) {
      for (let i = 0; i < 100; i++) log.info({ t, i }, 'line');
      await new Promise((r) => setTimeout(r, 5));
    }
    process.stderr.write('done\\n');
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  child.stdout.once('data', () => child.stdout.destroy());
  const code = await new Promise((r) => child.on('exit', r));
  assert.equal(code, 0, err);
  assert.match(err, /done/);
});

test('lines carry the ISO time of their writing', async () => {
  const { lines, log } = capture();
  const before = Date.now();
  log.info('one');
  log.info('two');
  await new Promise((r) => setTimeout(r, 15));
  log.info('three');
  const after = Date.now();
  const times = lines.map((l) => Date.parse(String(l.time)));
  for (const t of times) assert.ok(t >= before && t <= after, `${t} not in [${before}, ${after}]`);
  assert.match(String(lines[0]!.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.ok(times[2]! >= times[0]! + 10);
});
