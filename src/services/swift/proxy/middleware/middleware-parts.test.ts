/**
 * The middlewares' pure parts: SLO manifest input checks and etag, tempurl signatures and
 * expiry times, the bulk/SLO result bodies, staticweb's sizes, expiry's header checks, the
 * proxy's info cache.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { RequestContext } from '../../../../common/context.js';
import { NuboError } from '../../../../common/errors.js';
import { deleteAtOf } from './expiry.js';
import { resultBody, resultFormat, statusLine } from './result-body.js';
import { parseManifestInput } from './slo-input.js';
import { sloEtag } from './slo.js';
import { humanReadable } from './staticweb.js';
import { dispositionFormat, normalizeExpires } from './tempurl.js';
import { matchSignature, parseSignature } from './signature.js';
import { versionsPrefix } from './versioned-writes.js';
import { InfoCache, pathInfo } from './pipeline.js';
import type { ProxyResult } from '../base.js';
import type { SwiftRequest } from '../request.js';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

test('SLO input: every problem of the list at once, ranges resolved against sizes', () => {
  const errOf = (body: unknown): string => {
    try {
      parseManifestInput(Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), '/c/man');
    } catch (e) {
      assert.ok(e instanceof NuboError && e.status === 400);
      return e.message;
    }
    return '';
  };
  assert.equal(errOf('nope'), 'Manifest must be valid JSON.\n');
  assert.equal(errOf([
    { path: '/c/a', size_bytes: 0 }, { path: '/c/man' }, { path: '/c/b', extra: 1 }, 'x', { data: '!!' }, { path: '/c/d', range: '1-2,4-5' }, { path: '/c/e', size_bytes: 3, range: '5-' },
  ]), [
    'Index 0: too small; each segment must be at least 1 byte.', 'Index 1: manifest must not include itself as a segment', 'Index 2: extraneous keys "extra"',
    'Index 3: not a JSON object', 'Index 4: data must be valid base64', 'Index 5: multiple ranges (only one allowed)', 'Index 6: unsatisfiable range',
  ].map((l) => `${l}\n`).join(''));
  assert.equal(errOf([{ data: 'YQ==' }]), 'Inline data segments require at least one object-backed segment.\n');
  const [seg, suffix, data] = parseManifestInput(Buffer.from(JSON.stringify([{ path: 'c/a', range: '10-', size_bytes: '20' }, { path: '/c/b', range: '-5' }, { data: 'YWJj' }])), '/c/man');
  assert.equal(seg!.size_bytes, 20);
  assert.deepEqual(seg!.range!.resolve(20), { start: 10, end: 19 });
  assert.equal(seg!.range!.resolve(5), undefined);
  assert.deepEqual(suffix!.range!.resolve(3), { start: 0, end: 2 });
  assert.equal(data!.data, 'YWJj');
  assert.equal(sloEtag([{ hash: 'h1' }, { hash: 'h2', range: '0-9' }, { data: 'YWJj' }]), md5(`h1h2:0-9;${md5('abc')}`));
});

test('signatures: hex by length or <digest>:<base64>, compared with each key\'s HMAC', () => {
  const hex = createHmac('sha256', 'k').update('msg').digest('hex');
  assert.deepEqual(parseSignature(hex), { digest: 'sha256', hex });
  const b64 = createHmac('sha512', 'k').update('msg').digest('base64url');
  assert.equal(parseSignature(`sha512:${b64}`)?.hex, createHmac('sha512', 'k').update('msg').digest('hex'));
  assert.equal(parseSignature('md5:AAAA'), undefined);
  assert.equal(parseSignature('abc'), undefined);
  const keys = [{ key: 'other', scope: 'account' as const }, { key: 'k', scope: 'container' as const }];
  assert.equal(matchSignature(parseSignature(hex)!, keys, ['nope', 'msg']), 'container');
  assert.equal(matchSignature(parseSignature(hex)!, keys, ['nope']), undefined);
  assert.equal(normalizeExpires('2000-01-01T00:00:00Z'), 0);
  assert.equal(normalizeExpires('4102444800'), 4102444800);
  assert.equal(normalizeExpires('2100-01-01T00:00:00Z'), 4102444800);
  assert.equal(normalizeExpires('soon'), 0);
  assert.equal(dispositionFormat('attachment', 'a b/ü.txt'), 'attachment; filename="a b/%C3%BC.txt"; filename*=UTF-8\'\'a%20b/%C3%BC.txt');
});

test('result bodies as bulk and SLO write them, in the format Accept asks for', () => {
  assert.equal(resultFormat(undefined), 'text/plain');
  assert.equal(resultFormat('application/json'), 'application/json');
  assert.equal(resultFormat('text/xml;q=0.5, application/json;q=0.9'), 'application/json');
  assert.equal(resultFormat('image/png'), undefined);
  assert.equal(statusLine(413), '413 Request Entity Too Large');
  const summary = { 'Response Status': '400 Bad Request', 'Number Deleted': 1 };
  assert.equal(resultBody('text/plain', summary, [['c/o', '409 Conflict']], 'delete'), 'Number Deleted: 1\nResponse Status: 400 Bad Request\nErrors:\nc/o, 409 Conflict\n');
  assert.deepEqual(JSON.parse(resultBody('application/json', summary, [['c/o', '409 Conflict']], 'delete')), { ...summary, Errors: [['c/o', '409 Conflict']] });
  assert.equal(resultBody('application/xml', summary, [['a&b', '404 Not Found']], 'delete'),
    '<delete>\n<number_deleted>1</number_deleted>\n<response_status>400 Bad Request</response_status>\n<errors>\n<object><name>a&amp;b</name><status>404 Not Found</status></object>\n</errors>\n</delete>\n');
});

test('expiry headers, version names and listing sizes', () => {
  const req = (headers: Record<string, string>) => ({ ctx: new RequestContext({ requestId: 'req-1' }), method: 'PUT', account: 'a', container: 'c', object: 'o', query: '', headers });
  assert.equal(deleteAtOf(req({ 'x-delete-after': '60' }), 1000), 1060);
  assert.equal(deleteAtOf(req({ 'x-delete-at': '2000' }), 1000), 2000);
  assert.equal(deleteAtOf(req({}), 1000), undefined);
  assert.throws(() => deleteAtOf(req({ 'x-delete-at': '999' }), 1000), /X-Delete-At in past/);
  assert.throws(() => deleteAtOf(req({ 'x-delete-at': '1.5' }), 1000), /Non-integer X-Delete-At/);
  assert.throws(() => deleteAtOf(req({ 'x-delete-after': '-1' }), 1000), /X-Delete-After in past/);
  assert.equal(versionsPrefix('file'), '004file/');
  assert.equal(versionsPrefix('ü'), '001ü/');
  assert.deepEqual([0, 1023, 1024, 1536, 2560, 5 * 1024 * 1024].map(humanReadable), ['0', '1023', '1Ki', '2Ki', '2Ki', '5Mi']);
});

test('info cache: object requests reuse an info for its time, writes forget it, quotas and failures are not kept', async () => {
  let now = 1000;
  const cache = new InfoCache(1000, () => now);
  const heads: string[] = [];
  let answer: ProxyResult = { status: 204, headers: { 'x-container-object-count': '1' }, body: '' };
  const next = async (r: SwiftRequest): Promise<ProxyResult> => {
    heads.push(`${r.method} ${r.account}/${r.container ?? ''}`);
    return answer;
  };
  const req = (object?: string): SwiftRequest => ({ ctx: {} as SwiftRequest['ctx'], method: 'PUT', account: 'AUTH_a', container: 'c', ...(object ? { object } : {}), query: '', headers: {}, infos: new Map(), infoCache: cache });
  assert.equal((await pathInfo(req('o'), next, 'CQ', 'c')).status, 204);
  await pathInfo(req('o'), next, 'CQ', 'c');
  assert.deepEqual(heads, ['HEAD AUTH_a/c'], 'the second object request used the kept info');
  await pathInfo(req(), next, 'CQ', 'c');
  assert.equal(heads.length, 2, 'a request of the container itself asks afresh');
  now += 1001;
  await pathInfo(req('o'), next, 'CQ', 'c');
  assert.equal(heads.length, 3, 'past its time');
  cache.forget('AUTH_a', 'c');
  await pathInfo(req('o'), next, 'AQ');
  await pathInfo(req('o'), next, 'CQ', 'c');
  assert.equal(heads.length, 5, 'a write of the container forgets it and its account');
  // an answer asked before a write that came after is not kept
  const ticket = cache.ticket();
  cache.forget('AUTH_a', 'c');
  cache.set('AUTH_a/c', ticket, { status: 204, headers: {} });
  assert.equal(cache.get('AUTH_a/c'), undefined);
  // nor a failure, nor an info with a quota (its counts are needed as they are)
  cache.forget('AUTH_a', 'c');
  answer = { status: 404, headers: {}, body: '' };
  await pathInfo(req('o'), next, 'CQ', 'c');
  answer = { status: 204, headers: { 'x-container-meta-quota-count': '2' }, body: '' };
  await pathInfo(req('o'), next, 'CQ', 'c');
  await pathInfo(req('o'), next, 'CQ', 'c');
  assert.equal(heads.length, 8);
});
