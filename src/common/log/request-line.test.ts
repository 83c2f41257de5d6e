import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { createLogger, unredactedLogger } from './logger.js';
import { requestLineWriter, type RequestLineFields } from './request-line.js';
import { runInScope, type RequestScope } from './request-scope.js';

function capture(level = 'info') {
  const lines: string[] = [];
  const destination = { write(s: string) { lines.push(s); return true; } } as unknown as NodeJS.WritableStream;
  return { lines, log: createLogger({ level, destination }) };
}

const scopes: RequestScope[] = [
  { requestId: 'req-11111111-2222-3333-4444-555555555555' },
  { requestId: 'req-11111111-2222-3333-4444-555555555555', globalRequestId: 'req-99999999-2222-3333-4444-555555555555' },
];
const fields: RequestLineFields[] = [
  { method: 'GET', path: '/healthcheck', status: 200, duration_ms: 0.3, user: undefined, project: undefined },
  { method: 'DELETE', path: '/compute/v2.1/servers?name="x"\\y&token=***', status: 404, duration_ms: 12, user: 'u1', project: 'p1' },
  // Characters the line's quick path leaves to JSON.stringify: non-ASCII, control, DEL, lone surrogate.
  { method: 'GET', path: '/image/v2/images?name=caf\u00e9\u0001\u007f\u2028\ud800', status: 200, duration_ms: 1, user: 'ü', project: 'p\u0000' },
];

test('the request line is the line pino writes for the same fields, byte for byte', () => {
  const { lines, log } = capture();
  const write = requestLineWriter(log);
  const plain = unredactedLogger(log);
  for (const scope of scopes) {
    for (const f of fields) {
      write(scope, f);
      runInScope(scope, () => plain.info(f, 'request'));
      const [mine, theirs] = lines.splice(0, 2);
      // The time differs only if a millisecond passed between the two lines.
      const strip = (l: string | undefined) => l?.replace(/"time":"[^"]*"/, '');
      assert.equal(strip(mine), strip(theirs));
      assert.equal(JSON.parse(mine!).req_id, scope.requestId);
    }
  }
});

test('the request line follows the logger level, and goes through pino for a logger it cannot mirror', () => {
  const quiet = capture('warn');
  requestLineWriter(quiet.log)(scopes[0], fields[0]!);
  assert.equal(quiet.lines.length, 0);

  const lines: string[] = [];
  const other = pino({ base: null, formatters: { log: (o) => ({ ...o, extra: 1 }) } }, { write: (s: string) => lines.push(s) } as unknown as NodeJS.WritableStream);
  requestLineWriter(other)(scopes[0], fields[1]!);
  const rec = JSON.parse(lines[0]!);
  assert.equal(rec.extra, 1);
  assert.equal(rec.status, 404);
  assert.equal(rec.msg, 'request');
});
