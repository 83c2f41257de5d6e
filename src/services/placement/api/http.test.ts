// Placement's HTTP behaviour (upstream gabbits basic-http.yaml, microversion.yaml,
// confirm-auth.yaml): microversion negotiation, the error format per microversion and Accept,
// 404/405 routing, content-type and accept checks, cache headers from 1.15.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type PlacementTest, startPlacement } from '../testing/placement-harness.js';

describe('placement HTTP', () => {
  let p: PlacementTest;
  before(async () => {
    p = await startPlacement();
  });
  after(() => p.close());

  test('root: version document without a token, microversion headers', async () => {
    const res = await p.h.request('GET', '/', undefined, undefined, {});
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { versions: [{ id: 'v1.0', max_version: '1.39', min_version: '1.0', status: 'CURRENT', links: [{ rel: 'self', href: '' }] }] });
    assert.equal(res.headers['openstack-api-version'], 'placement 1.0');
    assert.match(String(res.headers['vary']), /openstack-api-version/);
    assert.equal(res.headers['cache-control'], undefined);
    const latest = await p.call('GET', '/', { version: 'latest' });
    assert.equal(latest.headers['openstack-api-version'], 'placement 1.39');
    assert.equal(latest.headers['cache-control'], 'no-cache');
    assert.match(String(latest.headers['last-modified']), /^\w+, \d+ \w+ \d{4} [\d:]+ GMT$/);
    // The last placement entry of the header wins; other services' entries are ignored.
    const multi = await p.h.request('GET', '/', undefined, undefined, { 'openstack-api-version': 'placement 1.2, compute 2.1, placement 1.14' });
    assert.equal(multi.headers['openstack-api-version'], 'placement 1.14');
  });

  test('a version out of range is 406 with min and max, a malformed one is 400', async () => {
    const res = await p.call('GET', '/', { version: '0.5' });
    assert.equal(res.status, 406);
    assert.equal(res.headers['openstack-api-version'], undefined);
    const err = res.body.errors[0];
    assert.equal(err.title, 'Not Acceptable');
    assert.equal(err.max_version, '1.39');
    assert.equal(err.min_version, '1.0');
    assert.equal(err.code, undefined);
    assert.match(err.detail, /Unacceptable version header: 0\.5/);
    assert.match(err.request_id, /^req-[a-f0-9-]+$/);
    assert.equal((await p.call('GET', '/', { version: '1.40' })).status, 406);
    for (const bad of ['pony.horse', '1.2.3']) {
      const r = await p.call('GET', '/', { version: bad });
      assert.equal(r.status, 400);
      assert.equal(r.body.errors[0].title, 'Bad Request');
      assert.ok(r.body.errors[0].detail.includes(`invalid version string: ${bad}`), r.text);
    }
    const html = await p.call('GET', '/', { version: '0.5', headers: { accept: 'text/html' } });
    assert.equal(html.status, 406);
    assert.match(String(html.headers['content-type']), /text\/html/);
    assert.match(html.text, /Unacceptable version header: 0\.5/);
  });

  test('errors: the API-WG body, code from 1.23, request id, webob detail', async () => {
    const old = await p.call('GET', '/barnabas', { version: '1.22' });
    assert.equal(old.status, 404);
    assert.equal(old.headers['openstack-api-version'], 'placement 1.22');
    assert.equal(old.body.errors[0].code, undefined);
    assert.equal(old.body.errors[0].detail, 'The resource could not be found.\n\n   ');
    const res = await p.call('GET', '/barnabas', { version: '1.23' });
    assert.deepEqual(Object.keys(res.body.errors[0]).sort(), ['code', 'detail', 'request_id', 'status', 'title']);
    assert.equal(res.body.errors[0].code, 'placement.undefined_code');
    assert.equal(res.body.errors[0].request_id, res.headers['x-openstack-request-id']);
    const missing = await p.call('GET', '/resource_providers/fd0dd55c-6330-463b-876c-31c54e95cb95');
    assert.equal(missing.body.errors[0].detail, 'The resource could not be found.\n\n No resource provider with uuid fd0dd55c-6330-463b-876c-31c54e95cb95 found  ');
    // What osc-placement shows: the last line of the detail.
    assert.equal(missing.body.errors[0].detail.split('\n').at(-1).trim(), 'No resource provider with uuid fd0dd55c-6330-463b-876c-31c54e95cb95 found');
    const plain = await p.call('GET', '/moo', { headers: { accept: 'text/plain' } });
    assert.equal(plain.status, 404);
    assert.match(String(plain.headers['content-type']), /text\/plain/);
    assert.match(plain.text, /^404 Not Found\n\nThe resource could not be found/);
    const star = await p.call('GET', '/resource_providers/foo', { headers: { accept: '*/*' } });
    assert.match(String(star.headers['content-type']), /^application\/json/);
  });

  test('405 with Allow, also at the root and for OPTIONS and HEAD', async () => {
    const root = await p.h.request('DELETE', '/');
    assert.equal(root.status, 405);
    assert.equal(root.headers['allow'], 'GET');
    const rps = await p.call('DELETE', '/resource_providers');
    assert.equal(rps.status, 405);
    assert.match(String(rps.headers['allow']), /^(GET, POST|POST, GET)$/);
    assert.match(rps.body.errors[0].detail, /^The method DELETE is not allowed for this resource\./);
    assert.equal((await p.call('OPTIONS', '/resource_providers')).status, 405);
    assert.equal((await p.call('HEAD', '/resource_providers')).status, 405);
    assert.equal((await p.call('GET', '/allocations')).status, 405);
  });

  test('a token is needed except at the root', async () => {
    const res = await p.h.request('GET', '/resource_providers');
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, 401);
    assert.ok(res.headers['www-authenticate']);
    assert.equal((await p.h.request('GET', '/')).status, 200);
  });

  test('content type and accept checks', async () => {
    const wrongType = await p.call('POST', '/resource_providers', { body: 'I want a resource provider please', headers: { 'content-type': 'text/plain' } });
    assert.equal(wrongType.status, 415);
    assert.match(wrongType.body.errors[0].detail, /The media type text\/plain is not supported, use application\/json/);
    const noType = await p.h.app.inject({
      method: 'POST', url: '/placement/resource_providers', payload: 'I want a resource provider please',
      headers: { 'x-auth-token': 'admin-project:admin', accept: 'application/json', 'content-type': '' },
    });
    assert.equal(noType.statusCode, 400);
    assert.match(noType.body, /content-type header required/);
    const noBody = await p.call('PUT', '/resource_providers/d3a64825-8228-4ccb-8a6c-1c6d3eb6a3e8');
    assert.equal(noBody.status, 415);
    assert.match(noBody.body.errors[0].detail, /The media type None is not supported, use application\/json/);
    assert.equal((await p.call('GET', '/resource_providers', { headers: { accept: 'text/plain' } })).status, 406);
    const browser = await p.call('GET', '/resource_providers', { headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' } });
    assert.equal(browser.status, 200);
    const noMatch = await p.call('GET', '/resource_providers', { headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9' } });
    assert.equal(noMatch.status, 406);
    const malformed = await p.call('POST', '/resource_providers', { body: '{"foo": }' });
    assert.equal(malformed.status, 400);
    assert.match(malformed.body.errors[0].detail, /Malformed JSON:/);
    const schema = await p.call('POST', '/resource_providers', { body: { transport: 'car', color: 'blue' } });
    assert.equal(schema.status, 400);
    assert.match(schema.body.errors[0].detail, /JSON does not validate: 'name' is a required property/);
  });

  test('names in UTF-8, percent-encoded in paths and queries; a bad version without Accept', async () => {
    assert.equal((await p.call('GET', '/resources_providers/%e2%98%83')).status, 404);
    const created = await p.call('POST', '/resource_providers', { body: { name: '\u2603' } });
    assert.equal(created.status, 200);
    assert.equal((await p.call('GET', `/resource_providers/${created.body.uuid}`)).body.name, '\u2603');
    assert.equal((await p.call('GET', '/resource_providers?name=%e2%98%83')).body.resource_providers[0].name, '\u2603');
    const bad = await p.h.request('GET', '/resource_providers', 'admin-project:admin', undefined, { 'openstack-api-version': 'placement 0.5' });
    assert.equal(bad.status, 406);
    assert.match(bad.text, /Unacceptable version header/);
  });

  test('non-admins are refused by the default policy', async () => {
    const res = await p.call('GET', '/resource_providers', { token: 'proj:member,reader' });
    assert.equal(res.status, 403);
    assert.equal(res.body.errors[0].title, 'Forbidden');
    assert.match(res.body.errors[0].detail, /Policy does not allow placement:resource_providers:list to be performed\./);
  });
});
