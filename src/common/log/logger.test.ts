import { test } from 'node:test';
import assert from 'node:assert/strict';
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
