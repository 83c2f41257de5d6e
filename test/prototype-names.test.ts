/**
 * Names a client chooses (path segments, query keys, body keys, JSON-patch paths) that are also
 * names on Object.prototype (`__proto__`, `constructor`, `toString`, ...) are treated as any other
 * unknown name by every service: looked up as own properties only, stored as own properties.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { ownValue, setOwnValue } from '../src/common/own.js';
import { startTestCloud, type TestCloud } from './support/cloud.js';

test('ownValue sees own properties only; setOwnValue stores __proto__ as data', () => {
  const obj: Record<string, number> = { a: 1 };
  assert.equal(ownValue(obj, 'a'), 1);
  for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) assert.equal(ownValue(obj, name), undefined, name);
  setOwnValue(obj, '__proto__', 2);
  assert.equal(Object.getPrototypeOf(obj), Object.prototype);
  assert.equal(ownValue(obj, '__proto__'), 2);
  assert.equal(JSON.stringify(obj), '{"a":1,"__proto__":2}');
});

describe('prototype names through the APIs', () => {
  let cloud: TestCloud;
  let token: string;
  const call = async (method: string, path: string, body?: unknown, contentType = 'application/json') => {
    const res = await request(`${cloud.url}${path}`, {
      method: method as 'GET',
      headers: { 'x-auth-token': token, ...(body === undefined ? {} : { 'content-type': contentType }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.body.text();
    return { status: res.statusCode, text, json: () => JSON.parse(text) };
  };

  before(async () => {
    cloud = await startTestCloud();
    token = await cloud.adminToken();
  });
  after(() => cloud.close());

  test('keystone: domain config groups, endpoint URL substitutions and auth methods', async () => {
    for (const group of ['__proto__', 'constructor', 'toString']) {
      const res = await call('GET', `/identity/v3/domains/config/${group}/default`);
      assert.equal(res.status, 403, res.text);
      assert.match(res.json().error.message, new RegExp(`Group ${group} is not supported`));
      assert.equal((await call('GET', `/identity/v3/domains/default/config/${group}/x`)).status, 403);
    }
    const service = (await call('POST', '/identity/v3/services', { service: { type: 'proto-test' } })).json().service;
    const endpoint = await call('POST', '/identity/v3/endpoints', { endpoint: { service_id: service.id, interface: 'public', url: 'http://x/$(constructor)s' } });
    assert.equal(endpoint.status, 400, endpoint.text);
    const auth = await call('POST', '/identity/v3/auth/tokens', { auth: { identity: { methods: ['constructor'] } } });
    assert.equal(auth.status, 400, auth.text);
    assert.match(auth.json().error.message, /Expecting to find constructor in identity/);
  });

  test('neutron: quota keys, fixed_ips filter keys and fields', async () => {
    const project = (await call('GET', '/identity/v3/projects?name=admin')).json().projects[0];
    const quota = await call('PUT', `/network/v2.0/quotas/${project.id}`, { quota: { constructor: 1 } });
    assert.equal(quota.status, 400, quota.text);
    assert.match(quota.json().NeutronError.message, /Unrecognized attribute\(s\) 'constructor'/);
    for (const key of ['constructor', '__proto__', 'toString']) {
      assert.equal((await call('GET', `/network/v2.0/ports?fixed_ips=${key}%3Dx`)).status, 200, key);
    }
    await call('POST', '/network/v2.0/networks', { network: { name: 'proto-net' } });
    const nets = (await call('GET', '/network/v2.0/networks?fields=constructor&fields=name&fields=toString')).json().networks;
    assert.ok(nets.length > 0);
    for (const n of nets) assert.deepEqual(Object.keys(n), ['name']);
  });

  test('glance: JSON-patch paths and list filters naming prototype properties', async () => {
    const patch = 'application/openstack-images-v2.1-json-patch';
    const image = (await call('POST', '/image/v2/images', { name: 'proto', disk_format: 'raw', container_format: 'bare' })).json();
    assert.equal((await call('PATCH', `/image/v2/images/${image.id}`, [{ op: 'replace', path: '/toString', value: 'x' }], patch)).status, 409);
    assert.equal((await call('PATCH', `/image/v2/images/${image.id}`, [{ op: 'remove', path: '/constructor' }], patch)).status, 409);
    const added = await call('PATCH', `/image/v2/images/${image.id}`, [{ op: 'add', path: '/__proto__', value: 'p' }, { op: 'add', path: '/constructor', value: 'c' }], patch);
    assert.equal(added.status, 200, added.text);
    const shown = (await call('GET', `/image/v2/images/${image.id}`)).json();
    assert.equal(ownValue(shown, '__proto__'), 'p');
    assert.equal(ownValue(shown, 'constructor'), 'c');
    assert.deepEqual((await call('GET', '/image/v2/images?__proto__=p')).json().images.map((i: { id: string }) => i.id), [image.id]);
    assert.deepEqual((await call('GET', '/image/v2/images?__proto__=other')).json().images, []);
  });
});
