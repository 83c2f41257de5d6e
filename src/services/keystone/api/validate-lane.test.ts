// The token validation lane answers exactly what the route answers, or declines: each request is
// given to the lane and to the route (app.inject, which never takes a lane) and compared.
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { request } from 'undici';
import type { LaneAnswer } from '../../../common/http/request-lanes.js';
import { ADMIN_PASSWORD, authFixture, type AuthFixture } from '../testing/auth-fixture.js';

let f: AuthFixture;
before(async () => { f = await authFixture(); });
after(async () => { await f.close(); });

const adminScope = { project: { name: 'admin', domain: { id: 'default' } } };
const ID = 'req-00000000-0000-0000-0000-000000000001';

function lane(method: 'GET' | 'HEAD', headers: Record<string, string>, query = ''): LaneAnswer | undefined {
  const raw = { method, headers } as unknown as IncomingMessage;
  return f.lanes['/v3/auth/tokens']!({ raw, query, requestId: ID, globalRequestId: undefined });
}

async function route(method: 'GET' | 'HEAD', headers: Record<string, string>, query = '') {
  return f.app.inject({ method, url: `/identity/v3/auth/tokens${query ? `?${query}` : ''}`, headers });
}

/** The lane's answer is the route's: status, body, and every header the route sets besides the request id and length. */
async function assertSameAsRoute(method: 'GET' | 'HEAD', headers: Record<string, string>, query = ''): Promise<void> {
  const what = `${method} ?${query}`;
  // The route first: it fills the caches the lane reads (the catalog is loaded on first use).
  const routed = await route(method, headers, query);
  const answer = lane(method, headers, query);
  assert.ok(answer, `${what}: the lane declined`);
  assert.equal(answer.status, routed.statusCode, what);
  const laneHeaders = Object.fromEntries(answer.headers.reduce<string[][]>((acc, v, i) => (i % 2 ? acc : [...acc, [v, answer.headers[i + 1]!]]), []));
  const routeHeaders = { ...routed.headers } as Record<string, unknown>;
  for (const h of ['x-openstack-request-id', 'content-length', 'date', 'connection', 'keep-alive']) delete routeHeaders[h];
  assert.deepEqual(laneHeaders, routeHeaders, what);
  assert.equal(String(answer.body), method === 'HEAD' ? '' : routed.body, what);
  assert.equal(Buffer.byteLength(answer.body), Number(routed.headers['content-length']), what);
  assert.equal(answer.user, f.adminUserId);
  assert.equal(answer.project, f.adminProjectId);
}

test('a cached caller and subject: the lane answers GET (with and without the catalog) and HEAD as the route does', async () => {
  const admin = await f.adminToken();
  const subject = await f.adminToken();
  const headers = { 'x-auth-token': admin, 'x-subject-token': subject };
  await assertSameAsRoute('GET', headers);
  await assertSameAsRoute('GET', headers, 'nocatalog');
  await assertSameAsRoute('GET', headers, 'nocatalog=1');
  await assertSameAsRoute('HEAD', headers);
});

test('the lane declines what the route answers otherwise or only after a lookup', async () => {
  const admin = await f.adminToken();
  const subject = await f.adminToken();
  const ok = { 'x-auth-token': admin, 'x-subject-token': subject };
  await route('GET', ok);
  assert.ok(lane('GET', ok), 'the control case is answered');

  // Queries other than nocatalog (allow_expired takes the route's lookup window).
  assert.equal(lane('GET', ok, 'allow_expired=1'), undefined);
  assert.equal(lane('GET', ok, 'nocatalog&allow_expired=1'), undefined);
  // No caller, no subject, a service token (validated by the route's token check).
  assert.equal(lane('GET', { 'x-subject-token': subject }), undefined);
  assert.equal(lane('GET', { 'x-auth-token': admin }), undefined);
  assert.equal(lane('GET', { ...ok, 'x-service-token': admin }), undefined);
  // Tokens not in the cache: unknown ones (the route answers 401 or 404).
  assert.equal(lane('GET', { 'x-auth-token': 'gAAAAAnotatoken', 'x-subject-token': subject }), undefined);
  assert.equal(lane('GET', { 'x-auth-token': admin, 'x-subject-token': `${subject.slice(0, -2)}AA` }), undefined);
  assert.equal((await route('GET', { 'x-auth-token': admin, 'x-subject-token': `${subject.slice(0, -2)}AA` })).statusCode, 404);

  // A refusal by policy: a member validating another user's token (the route renders the 403).
  await f.makeUser('lane-member', 'pw-lane', [{ role: 'member', projectId: f.adminProjectId }]);
  const member = await f.login('lane-member', 'pw-lane', adminScope);
  const other = { 'x-auth-token': member, 'x-subject-token': subject };
  assert.equal((await route('GET', other)).statusCode, 403);
  assert.equal(lane('GET', other), undefined);
  const own = { 'x-auth-token': member, 'x-subject-token': member };
  await route('GET', own);
  assert.ok(lane('GET', own), 'a member validating its own token is answered');

  // A revoked subject leaves the cache at once: the lane declines and the route answers 404.
  assert.equal((await f.call(admin, { method: 'DELETE', url: '/identity/v3/auth/tokens', headers: { 'x-subject-token': subject } })).statusCode, 204);
  assert.equal(lane('GET', ok), undefined);
  assert.equal((await route('GET', ok)).statusCode, 404);
});

test('over HTTP the lane is in front of the route: the same answer, the request id, a trailing slash', async () => {
  const admin = await f.login('admin', ADMIN_PASSWORD, adminScope);
  const headers = { 'x-auth-token': admin, 'x-subject-token': admin };
  const routed = await route('GET', headers);
  await f.app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(f.app.server.address() as AddressInfo).port}/identity/v3/auth/tokens`;
  for (const url of [base, `${base}/`]) {
    const res = await request(url, { headers });
    assert.equal(res.statusCode, 200, url);
    assert.equal(await res.body.text(), routed.body, url);
    assert.match(String(res.headers['x-openstack-request-id']), /^req-[0-9a-f-]{36}$/, url);
    assert.equal(res.headers['x-subject-token'], admin, url);
  }
});
